// STUB: signatures are binding; the implementation is being written (issue 2).
import type { CacheBackendOptions, BackendRegistry } from './registry.js';
import type { Ttl } from './ttl.js';

/** What `CacheManager.createFromConfig` and `initializeCache` build from. */
export interface CacheConfig extends Partial<CacheBackendOptions> {
  /** `false`: a `NullCacheBackend`, nothing else is created. Default `true`. */
  enabled?: boolean | undefined;
  /** Primary backend type. Default `'disk'`. */
  backend?: string | undefined;
  /** `true`: memory only, no fallback, no network client ever created. */
  serverless?: boolean | undefined;
  /** Fallback type; default `'memory'` for every primary other than memory; `false`: none. */
  fallback?: string | false | undefined;
  /** Passed to every backend that has no `defaultTtl` of its own. */
  defaultTtl?: Ttl | undefined;
  /** Passed to every backend that namespaces keys (Redis `keyPrefix`). */
  keyPrefix?: string | undefined;
}

/**
 * Reads `CACHE_ENABLED`, `CACHE_BACKEND`, `SERVERLESS_ENABLED`, `CACHE_FALLBACK`,
 * `CACHE_DEFAULT_TTL`, `CACHE_KEY_PREFIX`, and each registered backend's own variables through
 * its `fromEnv` (`CACHE_DISK_DIR`, `CACHE_MAX_ENTRIES`, `CACHE_MAX_BYTES`,
 * `CACHE_MAX_ENTRY_BYTES`, `REDIS_URL`). A malformed value is a `CacheConfigError` naming the variable.
 */
export function loadConfigFromEnv(
  env: Record<string, string | undefined> = process.env,
  registry?: BackendRegistry,
): CacheConfig {
  void env;
  void registry;
  throw new Error('not implemented yet');
}
