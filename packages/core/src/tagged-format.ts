import { CacheValueError } from './errors.js';
import type { PathStep } from './value-path.js';
import { formatPath, mapStep, SET_STEP } from './value-path.js';

/**
 * The tagged format: how values that JSON cannot carry (Date, Map, Set, BigInt, typed arrays,
 * Buffer, ArrayBuffer, DataView, NaN, ±Infinity, -0, undefined inside arrays) are stored.
 *
 * The text after the prefix is JSON. Strings, booleans, null and finite numbers other than -0
 * are themselves; every other node is an array whose first element names what it is:
 *
 *   ['a', ...items]            array           ['o', k1, v1, k2, v2…]  plain object
 *   ['M', k1, v1, k2, v2…]     Map             ['S', ...items]         Set
 *   ['D', ms | null]           Date (null: invalid date)
 *   ['B', '-123']              BigInt          ['n', 'NaN' | 'Infinity' | '-Infinity' | '-0']
 *   ['u']                      undefined (in arrays, Map entries, Set items)
 *   ['T', 'Float64Array', b64] typed array     ['Buf', b64]  Buffer
 *   ['AB', b64]                ArrayBuffer     ['DV', b64]   DataView
 *
 * Reading is a walk over parsed JSON that only ever calls the constructors named above, so a
 * stored text can never run code or choose a prototype. Object keys are written with
 * `defineProperty`, so a `__proto__` key stays an own data property. Anything that does not
 * fit this grammar exactly (unknown tag, wrong arity, wrong types, a key twice, bad base64,
 * no tag at all) reads as damaged.
 */

/** Deeper than this is refused (write) or read as damaged, instead of exhausting the stack. */
export const MAX_DEPTH = 1024;

/** What `readWire` answers for a text that is not exactly what `WireWriter` writes. */
export const DAMAGED: unique symbol = Symbol('damaged');

type TypedArrayConstructor =
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Uint8ClampedArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor;

/** The only typed arrays written and read, by name. */
const TYPED_ARRAYS: ReadonlyMap<string, TypedArrayConstructor> = new Map<string, TypedArrayConstructor>([
  ['Int8Array', Int8Array],
  ['Uint8Array', Uint8Array],
  ['Uint8ClampedArray', Uint8ClampedArray],
  ['Int16Array', Int16Array],
  ['Uint16Array', Uint16Array],
  ['Int32Array', Int32Array],
  ['Uint32Array', Uint32Array],
  ['Float32Array', Float32Array],
  ['Float64Array', Float64Array],
  ['BigInt64Array', BigInt64Array],
  ['BigUint64Array', BigUint64Array],
]);

const SUPPORTED =
  'plain objects, arrays, Date, Map, Set, typed arrays, Buffer, ArrayBuffer and DataView are stored';

/** Bytes of a view or buffer as base64 (typed arrays in the platform's byte order, little-endian on every Node target). */
function base64Of(view: ArrayBufferView | ArrayBuffer): string {
  return view instanceof ArrayBuffer
    ? Buffer.from(view).toString('base64')
    : Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64');
}

function typedArrayName(view: ArrayBufferView): string | undefined {
  for (const [name, constructor] of TYPED_ARRAYS) if (view instanceof constructor) return name;
  return undefined;
}

function nonFiniteName(value: number): string {
  return Number.isNaN(value)
    ? 'NaN'
    : value === Infinity
      ? 'Infinity'
      : value === -Infinity
        ? '-Infinity'
        : '-0';
}

/**
 * Turns a value into wire nodes (see the grammar above), checking everything the cache refuses
 * and naming where. `usedTag` tells whether anything beyond JSON occurred: if not, the caller
 * writes plain JSON instead.
 */
export class WireWriter {
  /** True once a node other than a plain array or object was written. */
  usedTag = false;
  private readonly ancestors: object[] = [];
  private readonly steps: PathStep[] = [];

  /** Wire node for `value`; `undefined` for an object member JSON would leave out. */
  write(value: unknown, key: string, applyToJSON: boolean): unknown {
    switch (typeof value) {
      case 'string':
      case 'boolean':
        return value;
      case 'number':
        if (Number.isFinite(value) && !Object.is(value, -0)) return value;
        this.usedTag = true;
        return ['n', nonFiniteName(value)];
      case 'bigint':
        this.usedTag = true;
        return ['B', value.toString()];
      case 'undefined':
        return undefined;
      case 'object':
        return value === null ? null : this.writeObject(value, key, applyToJSON);
      default:
        throw new CacheValueError(
          `cannot cache a ${typeof value} (at ${formatPath(this.steps)}); it is not data`,
        );
    }
  }

  /** Like `write`, for places where `undefined` is kept (array items, Map entries, Set items). */
  private writeItem(value: unknown, key: string): unknown {
    if (value !== undefined) return this.write(value, key, true);
    this.usedTag = true;
    return ['u'];
  }

  private writeObject(value: object, key: string, applyToJSON: boolean): unknown {
    const ancestors = this.ancestors;
    if (ancestors.includes(value)) {
      const back = ancestors.indexOf(value);
      throw new CacheValueError(
        `cannot cache a value with a cycle: ${formatPath(this.steps)} refers back to ${formatPath(this.steps.slice(0, back))}`,
      );
    }
    if (ancestors.length >= MAX_DEPTH) {
      throw new CacheValueError(
        `cannot cache a value nested deeper than ${MAX_DEPTH} levels (at ${formatPath(this.steps)})`,
      );
    }
    ancestors.push(value);
    try {
      return this.writeContainer(value, key, applyToJSON);
    } finally {
      ancestors.pop();
    }
  }

  private writeContainer(value: object, key: string, applyToJSON: boolean): unknown {
    const steps = this.steps;
    if (Array.isArray(value)) {
      const node: unknown[] = ['a'];
      for (let i = 0; i < value.length; i++) {
        steps.push(i);
        node.push(this.writeItem(value[i], String(i)));
        steps.pop();
      }
      return node;
    }
    const proto: unknown = Object.getPrototypeOf(value);
    const plain = proto === Object.prototype || proto === null;
    if (!plain) {
      const builtIn = this.writeBuiltIn(value);
      if (builtIn !== undefined) {
        this.usedTag = true;
        return builtIn;
      }
    }
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (applyToJSON && typeof toJSON === 'function') {
      let replacement: unknown;
      try {
        replacement = toJSON.call(value, key);
      } catch (error) {
        throw new CacheValueError(`toJSON() of ${formatPath(steps)} threw: ${String(error)}`, {
          cause: error,
        });
      }
      if (replacement === value) {
        throw new CacheValueError(`toJSON() of ${formatPath(steps)} returned the object itself`);
      }
      steps.push({ text: '.toJSON()' });
      try {
        if (replacement === undefined) {
          throw new CacheValueError(`cannot cache undefined (at ${formatPath(steps)})`);
        }
        return this.write(replacement, key, false);
      } finally {
        steps.pop();
      }
    }
    if (!plain) {
      const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
      const shown = typeof name === 'string' && name !== '' ? name : 'an unnamed class';
      throw new CacheValueError(
        `cannot cache an instance of ${shown} (at ${formatPath(steps)}): only ${SUPPORTED}; ` +
          `give ${shown} a toJSON() or convert it to plain data`,
      );
    }
    const node: unknown[] = ['o'];
    const record = value as Record<string, unknown>;
    for (const member of Object.keys(record)) {
      steps.push(member);
      const wire = this.write(record[member], member, true);
      steps.pop();
      if (wire !== undefined) node.push(member, wire);
    }
    return node;
  }

  /** Wire node for Date, Map, Set, Buffer, typed arrays, ArrayBuffer, DataView; `undefined` for anything else. */
  private writeBuiltIn(value: object): unknown[] | undefined {
    const steps = this.steps;
    if (value instanceof Date) {
      const time = value.getTime();
      return ['D', Number.isNaN(time) ? null : time];
    }
    if (value instanceof Map) {
      const node: unknown[] = ['M'];
      for (const [entryKey, entryValue] of value) {
        steps.push(mapStep(entryKey));
        node.push(this.writeItem(entryKey, ''), this.writeItem(entryValue, ''));
        steps.pop();
      }
      return node;
    }
    if (value instanceof Set) {
      const node: unknown[] = ['S'];
      steps.push(SET_STEP);
      for (const item of value) node.push(this.writeItem(item, ''));
      steps.pop();
      return node;
    }
    if (Buffer.isBuffer(value)) return ['Buf', base64Of(value)];
    if (ArrayBuffer.isView(value)) {
      if (value instanceof DataView) return ['DV', base64Of(value)];
      const name = typedArrayName(value);
      return name === undefined ? undefined : ['T', name, base64Of(value)];
    }
    if (value instanceof ArrayBuffer) return ['AB', base64Of(value)];
    return undefined;
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BIGINT = /^(?:0|-?[1-9][0-9]*)$/;
const NON_FINITE: ReadonlyMap<unknown, number> = new Map<unknown, number>([
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
  ['-0', -0],
]);

/** Fresh, unpooled bytes for a base64 text, or `undefined` when the text is not canonical base64. */
function bytesOf(text: unknown): ArrayBuffer | undefined {
  if (typeof text !== 'string' || text.length % 4 !== 0 || !BASE64.test(text)) return undefined;
  const buffer = new ArrayBuffer(Buffer.byteLength(text, 'base64'));
  Buffer.from(buffer).write(text, 'base64');
  return buffer;
}

/** Whether `key` may be added to a Map or Set that `has` it: a repeated primitive means tampering. */
function isRepeated(collection: { has(key: unknown): boolean }, key: unknown): boolean {
  return (typeof key !== 'object' || key === null) && collection.has(key);
}

/**
 * Rebuilds a value from wire nodes, or answers `DAMAGED`. `sawTag` tells whether anything beyond
 * plain arrays and objects occurred (the writer never uses the tagged format without one).
 */
export class WireReader {
  sawTag = false;

  read(node: unknown, depth: number): unknown {
    switch (typeof node) {
      case 'string':
      case 'boolean':
        return node;
      case 'number':
        // JSON.parse turns 1e400 into Infinity; the writer never writes that.
        return Number.isFinite(node) && !Object.is(node, -0) ? node : DAMAGED;
      case 'object':
        if (node === null) return null;
        if (!Array.isArray(node) || depth > MAX_DEPTH) return DAMAGED;
        return this.readTagged(node, depth + 1);
      default:
        return DAMAGED;
    }
  }

  private readTagged(node: readonly unknown[], depth: number): unknown {
    const tag = node[0];
    switch (tag) {
      case 'a': {
        const items: unknown[] = [];
        for (let i = 1; i < node.length; i++) {
          const item = this.read(node[i], depth);
          if (item === DAMAGED) return DAMAGED;
          items.push(item);
        }
        return items;
      }
      case 'o': {
        if (node.length % 2 !== 1) return DAMAGED;
        const object: Record<string, unknown> = {};
        for (let i = 1; i < node.length; i += 2) {
          const key = node[i];
          if (typeof key !== 'string' || Object.hasOwn(object, key)) return DAMAGED;
          const member = this.read(node[i + 1], depth);
          // The writer leaves undefined members out, as JSON does.
          if (member === DAMAGED || member === undefined) return DAMAGED;
          // defineProperty, not assignment: `__proto__` must stay a key, never set a prototype.
          Object.defineProperty(object, key, {
            value: member,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        return object;
      }
      default:
        this.sawTag = true;
        return this.readBuiltIn(tag, node, depth);
    }
  }

  private readBuiltIn(tag: unknown, node: readonly unknown[], depth: number): unknown {
    switch (tag) {
      case 'M': {
        if (node.length % 2 !== 1) return DAMAGED;
        const map = new Map<unknown, unknown>();
        for (let i = 1; i < node.length; i += 2) {
          const key = this.read(node[i], depth);
          const value = this.read(node[i + 1], depth);
          if (key === DAMAGED || value === DAMAGED || isRepeated(map, key)) return DAMAGED;
          map.set(key, value);
        }
        return map;
      }
      case 'S': {
        const set = new Set<unknown>();
        for (let i = 1; i < node.length; i++) {
          const item = this.read(node[i], depth);
          if (item === DAMAGED || isRepeated(set, item)) return DAMAGED;
          set.add(item);
        }
        return set;
      }
      case 'u':
        return node.length === 1 ? undefined : DAMAGED;
      case 'D': {
        const time = node[1];
        if (node.length !== 2 || (time !== null && (typeof time !== 'number' || !Number.isFinite(time))))
          return DAMAGED;
        return new Date(time ?? NaN);
      }
      case 'B':
        return node.length === 2 && typeof node[1] === 'string' && BIGINT.test(node[1])
          ? BigInt(node[1])
          : DAMAGED;
      case 'n': {
        const number = node.length === 2 ? NON_FINITE.get(node[1]) : undefined;
        return number ?? DAMAGED;
      }
      case 'T': {
        const constructor =
          node.length === 3 && typeof node[1] === 'string' ? TYPED_ARRAYS.get(node[1]) : undefined;
        const bytes = bytesOf(node[2]);
        if (constructor === undefined || bytes === undefined) return DAMAGED;
        return bytes.byteLength % constructor.BYTES_PER_ELEMENT === 0 ? new constructor(bytes) : DAMAGED;
      }
      case 'Buf': {
        const bytes = node.length === 2 ? bytesOf(node[1]) : undefined;
        return bytes === undefined ? DAMAGED : Buffer.from(bytes);
      }
      case 'AB':
        return (node.length === 2 ? bytesOf(node[1]) : undefined) ?? DAMAGED;
      case 'DV': {
        const bytes = node.length === 2 ? bytesOf(node[1]) : undefined;
        return bytes === undefined ? DAMAGED : new DataView(bytes);
      }
      default:
        return DAMAGED;
    }
  }
}
