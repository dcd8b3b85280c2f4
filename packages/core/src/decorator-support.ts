import type { CacheBackend } from './backend.js';
import { CacheConfigError, isCacheError } from './errors.js';
import { getCacheManager } from './lifecycle.js';
import { createDefaultLogger, rateLimitLogger, type CacheLogger } from './logger.js';
import type { AnyCallable } from './method-decorator.js';

// What `cached` and `invalidateCache` share: eager option checks, the call-time cache
// resolver, and the rate-limited reporter that can never throw into a call.

let sharedLogger: CacheLogger | undefined;

/** A `report(problem, error)` that is rate-limited and can never throw into the call. */
export type Reporter = (problem: string, error: unknown) => void;

export function createReporter(label: string, logger: CacheLogger | undefined): Reporter {
  const target = logger !== undefined ? rateLimitLogger(logger) : (sharedLogger ??= createDefaultLogger());
  return (problem, error) => {
    const kind = error instanceof Error ? ((error as { code?: unknown }).code ?? error.name) : typeof error;
    try {
      target.warn(`${label}: ${problem} (${String(kind)}); the call ran normally`, error);
    } catch {
      // A broken logger must not break the call it reports on.
    }
  };
}

export function checkOptionNames(label: string, options: object, known: ReadonlySet<string>): void {
  for (const name of Object.keys(options)) {
    if (!known.has(name)) {
      throw new CacheConfigError(`${label}: unknown option '${name}' (known: ${[...known].join(', ')})`);
    }
  }
}

export function checkFunction(label: string, name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new CacheConfigError(`${label}: ${name} must be a function (got ${typeof value})`);
  }
}

export function checkBoolean(label: string, name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new CacheConfigError(`${label}: ${name} must be true or false (got ${typeof value})`);
  }
}

const isCache = (value: unknown): value is CacheBackend =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as CacheBackend).get === 'function' &&
  typeof (value as CacheBackend).set === 'function';

/** Turns `options.cache` into a resolver that runs at call time; validated once, here. */
export function cacheResolver(label: string, cache: unknown): () => CacheBackend {
  if (cache === undefined) return getCacheManager;
  if (isCache(cache)) return () => cache;
  if (typeof cache === 'function') {
    return () => {
      const resolved: unknown = (cache as () => unknown)();
      if (!isCache(resolved)) {
        throw new CacheConfigError(
          `${label}: options.cache() must return a CacheManager (got ${typeof resolved})`,
        );
      }
      return resolved;
    };
  }
  throw new CacheConfigError(`${label}: cache must be a CacheManager or a function returning one`);
}

export function checkLogger(label: string, logger: unknown): void {
  if (
    logger !== undefined &&
    (typeof logger !== 'object' || logger === null || typeof (logger as CacheLogger).warn !== 'function')
  ) {
    throw new CacheConfigError(`${label}: logger must have a warn(message) method`);
  }
}

/** What to say when the cache could not be resolved; the usual cause gets its fix. */
export function unavailable(error: unknown, consequence: string): string {
  return isCacheError(error, 'E_CACHE_NOT_INITIALIZED')
    ? `the cache is not initialized (call initializeCache() at startup, or pass options.cache), so ${consequence}`
    : `no cache could be resolved, so ${consequence}`;
}

export function invoke(fn: AnyCallable, thisArg: unknown, args: unknown[]): Promise<unknown> {
  try {
    return Promise.resolve(fn.apply(thisArg, args));
  } catch (error) {
    return Promise.reject(error);
  }
}
