import { CacheConfigError, readEnvBytes, readEnvString, type EnvSource } from '@cache/core';
import type { RedisBackendOptions } from './options.js';

/**
 * Redis options from `REDIS_URL` (`redis://…` or `rediss://…`) and `CACHE_MAX_ENTRY_BYTES`
 * (a size: `'1048576'`, `'512KiB'`, `'1MiB'`). Only variables that are set (and not blank)
 * appear in the result; a malformed one is a `CacheConfigError` naming it. `CACHE_KEY_PREFIX`
 * and `CACHE_DEFAULT_TTL` are read by core and passed to every backend.
 */
export function redisOptionsFromEnv(env: EnvSource): RedisBackendOptions {
  const options: RedisBackendOptions = {};
  const url = readEnvString(env, 'REDIS_URL');
  if (url !== undefined) {
    if (!/^rediss?:\/\//.test(url)) {
      throw new CacheConfigError(
        `REDIS_URL must start with redis:// or rediss:// (got ${JSON.stringify(url.replace(/\/\/[^@/]*@/, '//***@'))})`,
      );
    }
    options.url = url;
  }
  const maxEntryBytes = readEnvBytes(env, 'CACHE_MAX_ENTRY_BYTES');
  if (maxEntryBytes !== undefined) options.maxEntryBytes = maxEntryBytes;
  return options;
}
