import {
  StatsCounter,
  assertCacheKey,
  compilePattern,
  createDefaultLogger,
  deserialize,
  parseTtl,
  serialize,
  type CacheBackend,
  type CacheLogger,
  type CacheStats,
  type Ttl,
} from '@cache/core';
import { LRUCache } from 'lru-cache';
import { isPlainData } from './plain-data.js';
import { resolveMemoryOptions, type MemoryBackendOptions, type MemoryClock } from './options.js';

/** `stats()` of a memory backend: the common figures plus the sets refused for size. */
export interface MemoryBackendStats extends CacheStats {
  /** `set` calls refused because the value was over `maxEntryBytes` (or `maxBytes`). */
  oversized: number;
  entries: number;
  bytes: number;
}

// lru-cache treats an entry stored at time 0 as having no TTL; a test clock that starts at 0
// is shifted by 1 ms (only differences of its readings matter).
function offsetClock(clock: MemoryClock): MemoryClock {
  return { now: () => clock.now() + 1 };
}

// lru-cache cannot hold null; with `clone: false` a stored null is this marker instead.
const STORED_NULL: object = Object.freeze({});

/**
 * An in-process LRU cache with per-entry TTL, bounded by entry count and by bytes, on
 * lru-cache. Every operation is synchronous underneath, so each call (including
 * `getAndDelete`) is atomic within the process. See `MemoryBackendOptions`.
 */
export class MemoryBackend implements CacheBackend {
  readonly name: string = 'memory';
  readonly #lru: LRUCache<string, string | object>;
  readonly #stats = new StatsCounter();
  readonly #clone: boolean;
  readonly #maxEntryBytes: number;
  readonly #defaultTtlMs: number;
  readonly #optionLogger: CacheLogger | undefined;
  #logger: CacheLogger | undefined;
  readonly #setOptions: LRUCache.SetOptions<string, string | object, unknown> = { size: 1, ttl: 0 };
  #oversized = 0;
  #open = true;
  // Until some entry has a TTL, an LRU eviction can never be an expiry in disguise.
  #hasTtls: boolean;

  constructor(options?: MemoryBackendOptions) {
    const resolved = resolveMemoryOptions(options);
    this.#clone = resolved.clone;
    this.#maxEntryBytes = resolved.maxEntryBytes;
    this.#defaultTtlMs = resolved.defaultTtlMs ?? 0;
    this.#hasTtls = resolved.defaultTtlMs !== undefined;
    this.#optionLogger = resolved.logger;
    this.#lru = new LRUCache<string, string | object>({
      max: resolved.maxEntries,
      maxEntrySize: resolved.maxEntryBytes,
      ...(resolved.maxBytes === undefined ? {} : { maxSize: resolved.maxBytes }),
      // lru-cache caches the clock for `ttlResolution` ms of real time; an injected test
      // clock must be read on every check or advancing it would not take effect at once.
      ...(resolved.clock === undefined ? {} : { perf: offsetClock(resolved.clock), ttlResolution: 0 }),
      dispose: (_value, key, reason) => {
        if (reason === 'expire') this.#stats.expirations++;
        else if (reason === 'evict') {
          // An entry that had already expired but was never read again is pushed out by LRU
          // before anyone noticed; it is still an expiry. It is looked up only when TTLs exist.
          if (this.#hasTtls && this.#lru.getRemainingTTL(key) <= 0) this.#stats.expirations++;
          else this.#stats.evictions++;
        }
      },
    });
    if (resolved.unknownKeys.length > 0) {
      this.#log().warn(
        `[memory] unknown option${resolved.unknownKeys.length > 1 ? 's' : ''} ${resolved.unknownKeys.map((k) => `'${k}'`).join(', ')} ignored ` +
          '(known: maxEntries, maxBytes, maxEntryBytes, defaultTtl, clone, logger, clock)',
      );
    }
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    assertCacheKey(key);
    const stored = this.#lru.get(key);
    if (stored === undefined) {
      this.#stats.misses++;
      return undefined;
    }
    this.#stats.hits++;
    return this.#read(stored) as T;
  }

  async set(key: string, value: unknown, ttl?: Ttl): Promise<boolean> {
    assertCacheKey(key);
    const ttlMs = ttl === undefined ? this.#defaultTtlMs : parseTtl(ttl);
    // Serializing validates the value (CacheValueError for undefined, functions, cycles…)
    // exactly as every other backend does, and gives the size. With `clone` the text is what
    // is stored, so a later mutation of `value` cannot reach the cache.
    let text: string;
    let held: unknown;
    if (this.#clone) {
      text = serialize(value);
    } else if (isPlainData(value)) {
      // Plain data serializes to exactly this (see isPlainData), so the walk above is the validation.
      text = JSON.stringify(value);
      held = value;
    } else {
      // toJSON, dropped members, tagged types: hold what any other backend would give back.
      text = serialize(value);
      held = deserialize(text);
    }
    const size = Buffer.byteLength(text, 'utf8');
    if (size > this.#maxEntryBytes) {
      this.#refuseOversized(key, size);
      return false;
    }
    if (ttlMs !== 0) this.#hasTtls = true;
    // One options object per instance: lru-cache reads it synchronously and keeps nothing.
    const setOptions = this.#setOptions;
    setOptions.size = size;
    setOptions.ttl = ttlMs;
    this.#lru.set(key, this.#clone ? text : held === null ? STORED_NULL : (held as object), setOptions);
    this.#stats.sets++;
    return true;
  }

  async getAndDelete<T = unknown>(key: string): Promise<T | undefined> {
    assertCacheKey(key);
    // get and delete run in one synchronous step: no other caller can interleave.
    const stored = this.#lru.get(key);
    if (stored === undefined) {
      this.#stats.misses++;
      return undefined;
    }
    this.#lru.delete(key);
    this.#stats.hits++;
    this.#stats.deletes++;
    return this.#read(stored) as T;
  }

  async delete(key: string): Promise<boolean> {
    assertCacheKey(key);
    return this.#deleteOne(key);
  }

  async deletePattern(pattern: string): Promise<number> {
    const compiled = compilePattern(pattern);
    if (compiled.isLiteral) {
      const key = compiled.literalPrefix;
      return key !== '' && this.#deleteOne(key) ? 1 : 0;
    }
    // Collect first: deleting while lru-cache walks its list would skip entries.
    const doomed: string[] = [];
    for (const key of this.#lru.keys()) if (compiled.matches(key)) doomed.push(key);
    for (const key of doomed) this.#lru.delete(key);
    this.#stats.deletes += doomed.length;
    return doomed.length;
  }

  async exists(key: string): Promise<boolean> {
    assertCacheKey(key);
    return this.#lru.has(key);
  }

  /** Empties this instance only; other `MemoryBackend` instances are separate caches. */
  async clear(): Promise<void> {
    this.#lru.clear();
  }

  /** Nothing to open: a memory backend is usable from construction. Reopens after `disconnect()`. */
  async connect(): Promise<void> {
    this.#open = true;
  }

  /**
   * Marks the backend unavailable (so a manager stops routing to it). Entries are kept and
   * operations keep working, as the contract allows; `clear()` frees the entries.
   */
  async disconnect(): Promise<void> {
    this.#open = false;
  }

  /** True from construction until `disconnect()`, and again after `connect()`. */
  isAvailable(): boolean {
    return this.#open;
  }

  /**
   * Counters since construction. lru-cache notices an expired entry only when it is read,
   * deleted, pushed out by LRU or purged, so `expirations` grows then, and `entries`/`bytes`
   * include expired entries nobody has touched yet (`purgeExpired()` drops them now).
   */
  stats(): MemoryBackendStats {
    const stats = this.#stats.snapshot() as MemoryBackendStats;
    stats.entries = this.#lru.size;
    stats.bytes = this.#lru.calculatedSize;
    stats.oversized = this.#oversized;
    return stats;
  }

  /** Removes every expired entry now (counted in `expirations`); answers how many. */
  purgeExpired(): number {
    const before = this.#stats.expirations;
    this.#lru.purgeStale();
    return this.#stats.expirations - before;
  }

  #read(stored: string | object): unknown {
    if (!this.#clone) return stored === STORED_NULL ? null : stored;
    return deserialize(stored as string);
  }

  #deleteOne(key: string): boolean {
    const live = this.#lru.has(key);
    if (!this.#lru.delete(key)) return false;
    // An expired entry that was still held is gone now, but it was not there to delete.
    if (!live) {
      this.#stats.expirations++;
      return false;
    }
    this.#stats.deletes++;
    return true;
  }

  #refuseOversized(key: string, size: number): void {
    // No stale read: the value the caller meant to replace must not survive.
    this.#lru.delete(key);
    this.#oversized++;
    const message =
      `[memory] value for '${key.length > 80 ? `${key.slice(0, 80)}…` : key}' is ${size} bytes, over the ` +
      `${this.#maxEntryBytes}-byte entry limit: not cached (raise maxEntryBytes to cache it)`;
    if (this.#oversized === 1) {
      this.#log().warn(`${message}; later ones are counted in stats().oversized and logged at debug level`);
    } else {
      this.#log().debug?.(message);
    }
  }

  #log(): CacheLogger {
    return (this.#logger ??= this.#optionLogger ?? createDefaultLogger());
  }
}
