import { readEnvBytes, readEnvInteger, type EnvSource } from '@cache/core';
import type { LatencyMapBackendOptions } from './options.js';

/**
 * Options from `LATENCY_MAP_LATENCY_MS` (a whole number of milliseconds) and
 * `CACHE_MAX_ENTRY_BYTES` (`'1048576'`, `'64KiB'`, …). Only variables that are set appear in the
 * result; a malformed one is a `CacheConfigError` naming it (core's readers say so).
 */
export function latencyMapOptionsFromEnv(env: EnvSource): LatencyMapBackendOptions {
  const options: LatencyMapBackendOptions = {};
  const latencyMs = readEnvInteger(env, 'LATENCY_MAP_LATENCY_MS', { min: 0, max: 60_000 });
  const maxEntryBytes = readEnvBytes(env, 'CACHE_MAX_ENTRY_BYTES');
  if (latencyMs !== undefined) options.latencyMs = latencyMs;
  if (maxEntryBytes !== undefined) options.maxEntryBytes = maxEntryBytes;
  return options;
}
