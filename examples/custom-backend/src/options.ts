import type { CacheLogger, Ttl } from '@cache/core';
import type { LatencyMapStore } from './latency-map-store.js';

/** A millisecond clock; `Date` satisfies it. */
export interface LatencyMapClock {
  now(): number;
}

/**
 * Options of `new LatencyMapBackend(...)`, and of the `'latency-map'` block of `CacheConfig`.
 * Every option is checked in the constructor; a bad one is a `CacheConfigError` naming it.
 */
export interface LatencyMapBackendOptions {
  /**
   * The simulated server. Backends given the same store share its entries (as two clients of
   * one Redis do), each under its own `keyPrefix`.
   * @default a new store of its own
   */
  store?: LatencyMapStore | undefined;
  /**
   * Simulated network round trip of every operation, in milliseconds (`connect()` included).
   * `0` still answers asynchronously. From the environment: `LATENCY_MAP_LATENCY_MS`.
   * @default 1
   */
  latencyMs?: number | undefined;
  /**
   * Namespace of this backend in the store: keys are stored as `keyPrefix + key`, and `clear()`
   * removes only keys under it. Through a config, the top-level `keyPrefix` when set.
   * @default 'cache:'
   */
  keyPrefix?: string | undefined;
  /** TTL of a `set` without one: seconds, or a duration such as `'5m'`. @default none (no expiry) */
  defaultTtl?: Ttl | undefined;
  /**
   * Largest serialized value in UTF-8 bytes; over it `set` answers `false` and drops the key's
   * previous value. From the environment: `CACHE_MAX_ENTRY_BYTES`.
   * @default 1 MiB
   */
  maxEntryBytes?: number | undefined;
  /** What expiry is measured against; inject one in tests to expire entries without waiting. @default Date */
  clock?: LatencyMapClock | undefined;
  /** Where store failures are reported (rate-limited). Through a registry: the manager's logger. */
  logger?: CacheLogger | undefined;
}
