import {
  readEnvBoolean,
  readEnvBytes,
  readEnvInteger,
  readEnvString,
  readEnvTtl,
  type EnvSource,
} from './env.js';
import { CacheConfigError, isCacheError } from './errors.js';
import { defaultRegistry, type BackendRegistry, type CacheBackendOptions } from './registry.js';
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

const BACKEND_TYPE = /^[a-z0-9][a-z0-9._-]*$/;

function readBackendType(env: EnvSource, name: string): string | undefined {
  const text = readEnvString(env, name)?.toLowerCase();
  if (text !== undefined && !BACKEND_TYPE.test(text)) {
    throw new CacheConfigError(
      `${name} must be a backend type such as 'disk', 'memory' or 'redis' (got ${JSON.stringify(env[name])})`,
    );
  }
  return text;
}

/**
 * `CACHE_FALLBACK`: a type, or `none` (or any false word: false/0/no/off) for no fallback.
 * A true word (true/1/yes/on) means "the default fallback", so it is left unset.
 */
function readFallback(env: EnvSource): string | false | undefined {
  const text = readEnvString(env, 'CACHE_FALLBACK')?.toLowerCase();
  if (text === undefined) return undefined;
  if (text === 'none' || ['false', '0', 'no', 'off'].includes(text)) return false;
  if (['true', '1', 'yes', 'on'].includes(text)) return undefined;
  return readBackendType(env, 'CACHE_FALLBACK');
}

/**
 * Checks the format of the backend variables the SPEC names, whether or not a registered
 * definition reads them, so a typo fails at startup even in an app that has not registered
 * the backend yet. Core only checks; it never decides which backend option they become
 * (that is each definition's `fromEnv`). `CACHE_DISK_DIR` and `REDIS_URL` are free text
 * here; the disk and redis definitions check them.
 */
function checkBackendVariables(env: EnvSource): void {
  readEnvInteger(env, 'CACHE_MAX_ENTRIES', { min: 0 });
  readEnvBytes(env, 'CACHE_MAX_BYTES');
  readEnvBytes(env, 'CACHE_MAX_ENTRY_BYTES');
}

/** Drops `undefined` members; `undefined` when nothing is left, so unset variables add no empty blocks. */
function definedMembers(block: unknown): Record<string, unknown> | undefined {
  if (typeof block !== 'object' || block === null) return undefined;
  const entries = Object.entries(block).filter(([, value]) => value !== undefined);
  return entries.length === 0 ? undefined : Object.fromEntries(entries);
}

/**
 * Reads `CACHE_ENABLED`, `CACHE_BACKEND`, `SERVERLESS_ENABLED`, `CACHE_FALLBACK`,
 * `CACHE_DEFAULT_TTL`, `CACHE_KEY_PREFIX`, and each registered backend's own variables through
 * its `fromEnv` (`CACHE_DISK_DIR`, `CACHE_MAX_ENTRIES`, `CACHE_MAX_BYTES`,
 * `CACHE_MAX_ENTRY_BYTES`, `REDIS_URL`). A malformed value is a `CacheConfigError` naming the variable.
 *
 * - Unset and blank variables are left out of the result (the defaults then apply).
 * - Booleans accept true/false/1/0/yes/no/on/off in any case. `CACHE_BACKEND`/`CACHE_FALLBACK`
 *   are lower-cased; `CACHE_FALLBACK=none` (or a false word) means no fallback.
 * - `registry` defaults to `defaultRegistry`. Every registered definition with a `fromEnv` is
 *   asked (not only the configured backend's, so one bad variable fails at startup whichever
 *   backend is selected) and its non-empty result goes under `config[type]`. A definition
 *   without `fromEnv` gets no block: core never guesses a backend's option names.
 */
export function loadConfigFromEnv(
  env: Record<string, string | undefined> = process.env,
  registry?: BackendRegistry,
): CacheConfig {
  const config: CacheConfig = {};
  const enabled = readEnvBoolean(env, 'CACHE_ENABLED');
  const backend = readBackendType(env, 'CACHE_BACKEND');
  const serverless = readEnvBoolean(env, 'SERVERLESS_ENABLED');
  const fallback = readFallback(env);
  const defaultTtl = readEnvTtl(env, 'CACHE_DEFAULT_TTL');
  // A prefix is used as written: only a blank value counts as unset.
  const keyPrefix = readEnvString(env, 'CACHE_KEY_PREFIX') === undefined ? undefined : env.CACHE_KEY_PREFIX;
  if (enabled !== undefined) config.enabled = enabled;
  if (backend !== undefined) config.backend = backend;
  if (serverless !== undefined) config.serverless = serverless;
  if (fallback !== undefined) config.fallback = fallback;
  if (defaultTtl !== undefined) config.defaultTtl = defaultTtl;
  if (keyPrefix !== undefined) config.keyPrefix = keyPrefix;
  checkBackendVariables(env);

  const blocks = config as Record<string, unknown>;
  const source = registry ?? defaultRegistry;
  for (const type of source.types()) {
    const definition = source.get(type);
    if (definition.fromEnv === undefined) continue;
    let block: unknown;
    try {
      block = definition.fromEnv(env);
    } catch (error) {
      if (isCacheError(error)) throw error;
      throw new CacheConfigError(
        `backend '${type}' could not read its environment variables: ${String(error)}`,
        {
          cause: error,
        },
      );
    }
    const options = definedMembers(block);
    if (options !== undefined) blocks[type] = options;
  }
  return config;
}
