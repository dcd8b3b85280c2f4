import { CacheKeyError } from './errors.js';

/** Longest key in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

/**
 * Throws `CacheKeyError` unless `key` is a non-empty string of at most 1024 UTF-8 bytes.
 * Every backend calls it first in every keyed operation.
 */
export function assertCacheKey(key: unknown): asserts key is string {
  if (typeof key !== 'string') {
    throw new CacheKeyError(`cache key must be a string (got ${key === null ? 'null' : typeof key})`);
  }
  // A UTF-16 unit is at most 3 UTF-8 bytes, so short keys skip the byte count (the hot path).
  if (
    key.length === 0 ||
    (key.length * 3 > MAX_KEY_BYTES && Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES)
  ) {
    throw new CacheKeyError(
      key.length === 0
        ? 'cache key must not be empty'
        : `cache key must be at most ${MAX_KEY_BYTES} UTF-8 bytes (got ${Buffer.byteLength(key, 'utf8')}): ${key.slice(0, 40)}…`,
    );
  }
}
