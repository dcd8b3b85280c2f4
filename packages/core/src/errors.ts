/**
 * Every error the toolkit throws on purpose. Each class carries a stable string `code`, both
 * as a static and on the instance, so `err.code === 'E_CACHE_KEY'` works even when two copies
 * of `@cache/core` are loaded and `instanceof` would fail.
 */
export class CacheError extends Error {
  static readonly code: string = 'E_CACHE';
  readonly code: string;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = (new.target as typeof CacheError).code;
  }
}

/** A key that is not a non-empty string of at most 1024 UTF-8 bytes, or a key part that cannot be encoded. */
export class CacheKeyError extends CacheError {
  static override readonly code: string = 'E_CACHE_KEY';
}

/** A value the cache cannot store faithfully: `undefined`, a function, a symbol, a cycle, a class instance without `toJSON`. */
export class CacheValueError extends CacheError {
  static override readonly code: string = 'E_CACHE_VALUE';
}

/** A bad option, TTL or environment variable; the message names it. */
export class CacheConfigError extends CacheError {
  static override readonly code: string = 'E_CACHE_CONFIG';
}

/** The store itself failed (cannot connect, unwritable directory…). Operations never throw it; `connect()` may. */
export class CacheBackendError extends CacheError {
  static override readonly code: string = 'E_CACHE_BACKEND';
}

/** A backend type that no registered definition provides. */
export class UnknownBackendError extends CacheError {
  static override readonly code: string = 'E_CACHE_UNKNOWN_BACKEND';
}

/** `getCacheManager()` before `initializeCache()`. */
export class CacheNotInitializedError extends CacheError {
  static override readonly code: string = 'E_CACHE_NOT_INITIALIZED';
}

/** True for any toolkit error, from this or another copy of `@cache/core`; narrows by `code` when given. */
export function isCacheError(error: unknown, code?: string): error is CacheError {
  if (typeof error !== 'object' || error === null) return false;
  const found = (error as { code?: unknown }).code;
  if (typeof found !== 'string' || !found.startsWith('E_CACHE')) return false;
  return code === undefined || found === code;
}
