import { CacheValueError } from './errors.js';
import { DAMAGED, MAX_DEPTH, WireReader, WireWriter } from './tagged-format.js';

/** First characters of every tagged-format text; valid JSON never starts with `~`. */
export const TAGGED_PREFIX = '~cache1:';

const TILDE = 0x7e;

/**
 * The JSON fast path's check, one walk: true when `JSON.stringify(value)` is exactly the value
 * (read back deep-equal) and nothing needs `toJSON`. Anything else — and anything odd, like a
 * function member that JSON would silently drop — answers false and goes the slow way, which
 * either writes the tagged format or throws a `CacheValueError` that says what and where.
 * Deeper than MAX_DEPTH also answers false, so cycles end here too.
 */
function isPlainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && (value !== 0 || 1 / value > 0);
    case 'object': {
      if (value === null) return true;
      if (depth >= MAX_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item === undefined || !isPlainJson(item, depth + 1)) return false;
        }
        return true;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      // for-in walks V8's enum cache without allocating a key array (twice as fast as Object.keys).
      // It would also visit enumerable members added to Object.prototype, which JSON skips: that
      // only makes the check stricter, never wrong.
      for (const key in value) {
        const member = (value as Record<string, unknown>)[key];
        if (member !== undefined && !isPlainJson(member, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/** The slow walk, with paths and cycle checks: wire nodes, and whether anything beyond JSON occurred. */
function toWire(value: unknown): { wire: unknown; usedTag: boolean } {
  if (value === undefined) {
    throw new CacheValueError('cannot cache undefined: it is what a miss returns (cache null instead)');
  }
  const writer = new WireWriter();
  try {
    return { wire: writer.write(value, '', true), usedTag: writer.usedTag };
  } catch (error) {
    // Called from deep in the caller's own stack, fewer than MAX_DEPTH levels can already be too many.
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      throw new CacheValueError('cannot cache a value nested this deep: the call stack ran out', {
        cause: error,
      });
    }
    throw error;
  }
}

/** The slow way: plain JSON if only `toJSON` was in the way, else the tagged format. */
function serializeSlowly(value: unknown): string {
  const { wire, usedTag } = toWire(value);
  if (usedTag) return TAGGED_PREFIX + JSON.stringify(wire);
  // Only toJSON() stood between the value and JSON: store what it returned, as plain JSON.
  return JSON.stringify(new WireReader().read(wire, 0));
}

/**
 * Encodes a value for storage. JSON values (string, finite number other than -0, boolean,
 * null, arrays, plain objects, and objects with `toJSON()`) become plain JSON text, exactly
 * `JSON.stringify(value)`. Anything else the cache supports (Date, Map, Set, BigInt, typed
 * arrays, Buffer, ArrayBuffer, DataView, NaN, ±Infinity, -0, undefined inside arrays, nested
 * mixes) becomes the tagged format, a text that starts with `TAGGED_PREFIX` (never valid JSON).
 * Throws `CacheValueError` naming what and where (`value.items[2].fn`) for `undefined` at the
 * top, functions, symbols (as values; symbol keys are ignored as JSON does), cycles, class
 * instances without `toJSON`, and nesting deeper than 1024 levels. Object members that are
 * `undefined` are left out, as JSON does.
 */
export function serialize(value: unknown): string {
  // No replacer on the fast path: one cheap walk, then the engine's own stringify.
  return isPlainJson(value, 0) ? JSON.stringify(value) : serializeSlowly(value);
}

function deserializeTagged(text: string): unknown {
  if (!text.startsWith(TAGGED_PREFIX)) return undefined;
  try {
    const reader = new WireReader();
    const value = reader.read(JSON.parse(text.slice(TAGGED_PREFIX.length)), 0);
    return value === DAMAGED || !reader.sawTag ? undefined : value;
  } catch {
    return undefined;
  }
}

/**
 * Decodes what `serialize` wrote. Answers `undefined` (never throws) for text it did not
 * write or that is damaged: callers count that as a miss. Never runs code, never builds a
 * prototype other than the whitelisted built-ins, and `__proto__` keys stay own data.
 * Plain JSON written by another tool is read as JSON.
 */
export function deserialize(text: string): unknown {
  if (typeof text !== 'string') return undefined;
  if (text.charCodeAt(0) === TILDE) return deserializeTagged(text);
  try {
    // JSON.parse defines keys as own data properties: `__proto__` in the text never sets a prototype.
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Throws `CacheValueError` when `value` cannot be stored (same rules as `serialize`), without building the text. */
export function assertCacheable(value: unknown): void {
  if (!isPlainJson(value, 0)) toWire(value);
}
