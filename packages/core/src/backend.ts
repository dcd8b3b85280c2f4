import type { Ttl } from './ttl.js';

/**
 * The one interface every store implements. A miss is `undefined`; `null` is a value.
 * Operations never reject because the store is down or slow (they log, count `errors` and
 * answer a miss / `false` / `0`); they do reject on the caller's own mistakes: a bad key
 * (`CacheKeyError`), value (`CacheValueError`) or TTL (`CacheConfigError`).
 */
export interface CacheBackend {
  /** `'memory' | 'redis' | 'disk' | 'null' | …` */
  readonly name: string;
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** `false`: not stored (too big, backend down). */
  set(key: string, value: unknown, ttl?: Ttl): Promise<boolean>;
  /** Atomic: of N concurrent callers, across processes, exactly one gets the value. */
  getAndDelete<T = unknown>(key: string): Promise<T | undefined>;
  /** `true` when something was deleted. */
  delete(key: string): Promise<boolean>;
  /** Deletes every key matching a Redis-`MATCH` glob; answers how many. */
  deletePattern(pattern: string): Promise<number>;
  exists(key: string): Promise<boolean>;
  /** Empties only this backend's namespace (never `FLUSHDB`). */
  clear(): Promise<void>;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  isAvailable(): boolean;
  stats(): CacheStats;
}

export interface CacheStats {
  hits: number;
  misses: number;
  sets: number;
  deletes: number;
  errors: number;
  evictions: number;
  expirations: number;
  /** Where the backend can know it cheaply. */
  entries?: number;
  /** Where the backend can know it cheaply. */
  bytes?: number;
  /** hits / (hits + misses), 0 when there were none. */
  readonly hitRate: number;
}

/**
 * The counters behind `stats()`. Backends bump the public fields directly (a property
 * increment is the cheapest thing a hot path can do) and return `snapshot()`.
 */
export class StatsCounter {
  hits = 0;
  misses = 0;
  sets = 0;
  deletes = 0;
  errors = 0;
  evictions = 0;
  expirations = 0;

  /** A detached copy, with `entries`/`bytes` when the backend knows them. */
  snapshot(extra?: { entries?: number | undefined; bytes?: number | undefined }): CacheStats {
    return createStats(this, extra);
  }

  reset(): void {
    this.hits = this.misses = this.sets = this.deletes = this.errors = this.evictions = this.expirations = 0;
  }
}

type Counts = Pick<
  CacheStats,
  'hits' | 'misses' | 'sets' | 'deletes' | 'errors' | 'evictions' | 'expirations'
>;

/** Builds a `CacheStats` whose `hitRate` is derived, so it can never disagree with the counts. */
export function createStats(
  counts: Counts,
  extra?: { entries?: number | undefined; bytes?: number | undefined },
): CacheStats {
  const stats: CacheStats = {
    hits: counts.hits,
    misses: counts.misses,
    sets: counts.sets,
    deletes: counts.deletes,
    errors: counts.errors,
    evictions: counts.evictions,
    expirations: counts.expirations,
    get hitRate(): number {
      const total = this.hits + this.misses;
      return total === 0 ? 0 : this.hits / total;
    },
  };
  if (extra?.entries !== undefined) stats.entries = extra.entries;
  if (extra?.bytes !== undefined) stats.bytes = extra.bytes;
  return stats;
}
