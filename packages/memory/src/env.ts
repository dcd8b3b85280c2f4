import { readEnvBytes, readEnvInteger, type EnvSource } from '@cache/core';
import type { MemoryBackendOptions } from './options.js';

/**
 * Memory options from `CACHE_MAX_ENTRIES` (an integer >= 1), `CACHE_MAX_BYTES` and
 * `CACHE_MAX_ENTRY_BYTES` (sizes: `'1048576'`, `'64KiB'`, `'512MB'`, binary units). Only
 * variables that are set (and not blank) appear in the result; a malformed one is a
 * `CacheConfigError` naming it.
 */
export function memoryOptionsFromEnv(env: EnvSource): MemoryBackendOptions {
  const options: MemoryBackendOptions = {};
  const maxEntries = readEnvInteger(env, 'CACHE_MAX_ENTRIES', { min: 1 });
  const maxBytes = readEnvBytes(env, 'CACHE_MAX_BYTES');
  const maxEntryBytes = readEnvBytes(env, 'CACHE_MAX_ENTRY_BYTES');
  if (maxEntries !== undefined) options.maxEntries = maxEntries;
  if (maxBytes !== undefined) options.maxBytes = maxBytes;
  if (maxEntryBytes !== undefined) options.maxEntryBytes = maxEntryBytes;
  return options;
}
