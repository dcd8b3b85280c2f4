// STUB: signatures are binding; the implementation is being written (issue 2).
import { CacheValueError } from './errors.js';

/**
 * Encodes a value for storage. JSON values (string, finite number other than -0, boolean,
 * null, arrays, plain objects, and objects with `toJSON()`) become plain JSON text, exactly
 * `JSON.stringify(value)`. Anything else the cache supports (Date, Map, Set, BigInt, typed
 * arrays, Buffer, NaN, ±Infinity, -0, undefined inside arrays, nested mixes) becomes the
 * tagged format, a text that starts with `TAGGED_PREFIX` (never valid JSON).
 * Throws `CacheValueError` for `undefined` at the top, functions, symbols, cycles and class
 * instances without `toJSON`.
 */
export function serialize(value: unknown): string {
  void value;
  throw new CacheValueError('serialize: not implemented yet');
}

/**
 * Decodes what `serialize` wrote. Answers `undefined` (never throws) for text it did not
 * write or that is damaged: callers count that as a miss. Never runs code, never builds a
 * prototype other than the whitelisted built-ins, and `__proto__` keys stay own data.
 */
export function deserialize(text: string): unknown {
  void text;
  return undefined;
}

/** Throws `CacheValueError` when `value` cannot be stored (same rules as `serialize`). */
export function assertCacheable(value: unknown): void {
  serialize(value);
}

/** First characters of every tagged-format text; valid JSON never starts with `~`. */
export const TAGGED_PREFIX = '~cache1:';
