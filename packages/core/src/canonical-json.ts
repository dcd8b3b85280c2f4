import { CacheKeyError } from './errors.js';
import type { PathStep } from './value-path.js';
import { formatPath, mapStep, SET_STEP } from './value-path.js';

/** Deeper than this is refused with a `CacheKeyError` instead of exhausting the stack. */
const MAX_DEPTH = 1024;

/**
 * `JSON.stringify` form with object keys sorted recursively and `undefined` members dropped, so
 * equal data gives equal text whatever the order its keys were written in.
 *
 * Exactly JSON where JSON has an answer: `toJSON()` is honoured (a `Date` becomes its ISO text),
 * `undefined`, functions and symbols are dropped from objects and become `null` in arrays,
 * `NaN`/`±Infinity` become `null`, `-0` becomes `0`. Keys sort by UTF-16 code unit.
 *
 * Decided where JSON has none or a harmful one (this text names cache entries, so two different
 * inputs should not share one):
 * - `undefined`, a function or a symbol at the top gives `'null'` (JSON gives no text at all).
 * - A `BigInt` is written as its digits, like the number it stands for (JSON throws).
 * - A `Map` is written as its `[key, value]` pairs and a `Set` as its items, each list sorted by
 *   its canonical text (JSON writes both as `{}`, so every Map would hash alike).
 * - A cycle, or nesting deeper than 1024 levels, is a `CacheKeyError` naming the path.
 */
export function canonicalJson(value: unknown): string {
  try {
    return write(value, '', [], []) ?? 'null';
  } catch (error) {
    // Called from deep in the caller's own stack, fewer than MAX_DEPTH levels can already be too many.
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      throw new CacheKeyError('cannot hash a value nested this deep: the call stack ran out', {
        cause: error,
      });
    }
    throw error;
  }
}

/** Canonical text of `value`, or `undefined` where JSON would leave the member out. */
function write(value: unknown, key: string, ancestors: object[], steps: PathStep[]): string | undefined {
  if (typeof value === 'object' && value !== null) {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = toJSON.call(value, key);
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      // Number-to-text is the same algorithm JSON uses; String(-0) is '0' as in JSON.
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'object':
      return value === null ? 'null' : writeObject(value, ancestors, steps);
    default:
      return undefined;
  }
}

function writeObject(value: object, ancestors: object[], steps: PathStep[]): string {
  if (ancestors.includes(value)) {
    const back = ancestors.indexOf(value);
    throw new CacheKeyError(
      `cannot hash a value with a cycle: ${formatPath(steps)} refers back to ${formatPath(steps.slice(0, back))}`,
    );
  }
  if (ancestors.length >= MAX_DEPTH) {
    throw new CacheKeyError(
      `cannot hash a value nested deeper than ${MAX_DEPTH} levels (at ${formatPath(steps)})`,
    );
  }
  ancestors.push(value);
  try {
    if (Array.isArray(value)) {
      let text = '[';
      for (let i = 0; i < value.length; i++) {
        steps.push(i);
        text += (i === 0 ? '' : ',') + (write(value[i], String(i), ancestors, steps) ?? 'null');
        steps.pop();
      }
      return text + ']';
    }
    if (value instanceof Map) {
      const pairs: string[] = [];
      for (const [entryKey, entryValue] of value) {
        steps.push(mapStep(entryKey));
        const pairKey = write(entryKey, '', ancestors, steps) ?? 'null';
        pairs.push(`[${pairKey},${write(entryValue, '', ancestors, steps) ?? 'null'}]`);
        steps.pop();
      }
      return `[${pairs.sort().join(',')}]`;
    }
    if (value instanceof Set) {
      const items: string[] = [];
      steps.push(SET_STEP);
      for (const item of value) items.push(write(item, '', ancestors, steps) ?? 'null');
      steps.pop();
      return `[${items.sort().join(',')}]`;
    }
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    let text = '{';
    for (const key of keys) {
      steps.push(key);
      const member = write(record[key], key, ancestors, steps);
      steps.pop();
      if (member !== undefined) text += (text.length === 1 ? '' : ',') + JSON.stringify(key) + ':' + member;
    }
    return text + '}';
  } finally {
    ancestors.pop();
  }
}
