import { CacheConfigError } from '@cache/core';
import type { MemoryBackendOptions } from './options.js';

type Env = Record<string, string | undefined>;

/** A positive decimal integer, or `undefined` when unset or blank (as an empty `.env` line leaves it). */
function readPositiveInteger(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const text = raw.trim();
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value <= 0) {
    throw new CacheConfigError(`${name} must be a positive integer (got ${JSON.stringify(raw)})`);
  }
  return value;
}

/**
 * Memory options from `CACHE_MAX_ENTRIES`, `CACHE_MAX_BYTES` and `CACHE_MAX_ENTRY_BYTES`.
 * Only variables that are set appear in the result. A malformed one is a `CacheConfigError`
 * naming it.
 */
export function memoryOptionsFromEnv(env: Env): MemoryBackendOptions {
  const options: MemoryBackendOptions = {};
  const maxEntries = readPositiveInteger(env, 'CACHE_MAX_ENTRIES');
  const maxBytes = readPositiveInteger(env, 'CACHE_MAX_BYTES');
  const maxEntryBytes = readPositiveInteger(env, 'CACHE_MAX_ENTRY_BYTES');
  if (maxEntries !== undefined) options.maxEntries = maxEntries;
  if (maxBytes !== undefined) options.maxBytes = maxBytes;
  if (maxEntryBytes !== undefined) options.maxEntryBytes = maxEntryBytes;
  return options;
}
