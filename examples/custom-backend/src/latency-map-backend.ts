import {
  CacheBackendError,
  CacheConfigError,
  StatsCounter,
  assertCacheKey,
  compilePattern,
  createDefaultLogger,
  deserialize,
  parseOptionalTtl,
  rateLimitLogger,
  serialize,
  type CacheBackend,
  type CacheLogger,
  type CacheStats,
  type Ttl,
} from '@cache/core';
import { LatencyMapStore, type StoredEntry } from './latency-map-store.js';
import type { LatencyMapBackendOptions, LatencyMapClock } from './options.js';

const DEFAULT_MAX_ENTRY_BYTES = 1024 * 1024;

/** Answered by `#roundTrip` when the command never reached the store. */
const FAILED: unique symbol = Symbol('failed');
type Failed = typeof FAILED;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function check(ok: boolean, message: string): void {
  if (!ok) throw new CacheConfigError(`latency-map backend: ${message}`);
}

/**
 * A `CacheBackend` over a `Map` that pretends to be remote: every operation waits `latencyMs`
 * before it runs, and the store can be switched "down". Built from `@cache/core` parts only
 * (key check, serializer, TTL parser, glob matcher, stats counter), the way a backend for a
 * real store would be.
 */
export class LatencyMapBackend implements CacheBackend {
  readonly name: string = 'latency-map';
  readonly #store: LatencyMapStore;
  readonly #latencyMs: number;
  readonly #prefix: string;
  readonly #defaultTtlMs: number | undefined;
  readonly #maxEntryBytes: number;
  readonly #clock: LatencyMapClock;
  readonly #logger: CacheLogger;
  readonly #stats = new StatsCounter();
  #connected = false;

  constructor(options: LatencyMapBackendOptions = {}) {
    const { store, latencyMs = 1, keyPrefix = 'cache:', maxEntryBytes = DEFAULT_MAX_ENTRY_BYTES } = options;
    check(
      store === undefined || store instanceof LatencyMapStore,
      'store must be a LatencyMapStore (from cache-backend-latency-map)',
    );
    check(
      typeof latencyMs === 'number' && Number.isFinite(latencyMs) && latencyMs >= 0,
      `latencyMs must be a non-negative number of milliseconds (got ${String(latencyMs)})`,
    );
    check(typeof keyPrefix === 'string', `keyPrefix must be a string (got ${typeof keyPrefix})`);
    check(
      Number.isSafeInteger(maxEntryBytes) && maxEntryBytes > 0,
      `maxEntryBytes must be a positive integer (got ${String(maxEntryBytes)})`,
    );
    check(
      options.clock === undefined || typeof options.clock.now === 'function',
      'clock must be an object with a now() method',
    );
    this.#store = store ?? new LatencyMapStore();
    this.#latencyMs = latencyMs;
    this.#prefix = keyPrefix;
    this.#defaultTtlMs = parseOptionalTtl(options.defaultTtl, 'latency-map backend: defaultTtl');
    this.#maxEntryBytes = maxEntryBytes;
    this.#clock = options.clock ?? Date;
    // One line per kind of failure, not one per failed operation during an outage.
    this.#logger = options.logger === undefined ? createDefaultLogger() : rateLimitLogger(options.logger);
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    assertCacheKey(key);
    const text = await this.#roundTrip('get', (entries) => this.#liveText(entries, key));
    return this.#read<T>(text);
  }

  async set(key: string, value: unknown, ttl?: Ttl): Promise<boolean> {
    assertCacheKey(key);
    const ttlMs = parseOptionalTtl(ttl) ?? this.#defaultTtlMs;
    // Serialize before the round trip: a value that cannot be stored rejects and changes nothing.
    const text = serialize(value);
    const fits = Buffer.byteLength(text, 'utf8') <= this.#maxEntryBytes;
    const stored = await this.#roundTrip('set', (entries) => {
      const full = this.#prefix + key;
      if (!fits) {
        // A value too big to store must not leave the previous one readable.
        entries.delete(full);
        return false;
      }
      entries.set(full, { text, expiresAt: ttlMs === undefined ? undefined : this.#clock.now() + ttlMs });
      return true;
    });
    if (stored === true) this.#stats.sets++;
    return stored === true;
  }

  async getAndDelete<T = unknown>(key: string): Promise<T | undefined> {
    assertCacheKey(key);
    // Read and delete in one command: nothing runs between them, so one caller of many wins.
    const text = await this.#roundTrip('getAndDelete', (entries) => {
      const found = this.#liveText(entries, key);
      if (found !== undefined) entries.delete(this.#prefix + key);
      return found;
    });
    return this.#read<T>(text);
  }

  async delete(key: string): Promise<boolean> {
    assertCacheKey(key);
    const deleted = await this.#roundTrip('delete', (entries) => {
      const live = this.#liveText(entries, key) !== undefined;
      return entries.delete(this.#prefix + key) && live;
    });
    if (deleted === true) this.#stats.deletes++;
    return deleted === true;
  }

  async deletePattern(pattern: string): Promise<number> {
    const compiled = compilePattern(pattern);
    const start = this.#prefix + compiled.literalPrefix;
    const count = await this.#roundTrip('deletePattern', (entries) => {
      const now = this.#clock.now();
      let deleted = 0;
      for (const [full, entry] of entries) {
        if (!full.startsWith(start) || !compiled.matches(full.slice(this.#prefix.length))) continue;
        entries.delete(full);
        if (entry.expiresAt === undefined || entry.expiresAt > now) deleted++;
        else this.#stats.expirations++;
      }
      return deleted;
    });
    if (count === FAILED) return 0;
    this.#stats.deletes += count;
    return count;
  }

  async exists(key: string): Promise<boolean> {
    assertCacheKey(key);
    const found = await this.#roundTrip('exists', (entries) => this.#liveText(entries, key) !== undefined);
    return found === true;
  }

  async clear(): Promise<void> {
    await this.#roundTrip('clear', (entries) => {
      for (const full of entries.keys()) if (full.startsWith(this.#prefix)) entries.delete(full);
    });
  }

  async connect(): Promise<void> {
    if (this.#connected) return;
    await sleep(this.#latencyMs);
    if (this.#store.down) {
      throw new CacheBackendError(
        '[cache] [latency-map] cannot connect: the store is down (LatencyMapStore.setDown(true))',
      );
    }
    this.#connected = true;
  }

  async disconnect(): Promise<void> {
    this.#connected = false;
  }

  isAvailable(): boolean {
    return this.#connected && !this.#store.down;
  }

  stats(): CacheStats {
    return this.#stats.snapshot();
  }

  /**
   * Sends one command: waits the simulated latency, then runs `command` on the store's entries
   * synchronously. A closed backend or a store that is down answers `FAILED` (logged and
   * counted as an error), never a rejection.
   */
  async #roundTrip<T>(
    operation: string,
    command: (entries: Map<string, StoredEntry>) => T,
  ): Promise<T | Failed> {
    if (this.#latencyMs > 0) await sleep(this.#latencyMs);
    else await Promise.resolve();
    if (!this.#connected || this.#store.down) {
      this.#stats.errors++;
      this.#logger.warn(
        `[latency-map] ${operation} failed: ${this.#connected ? 'the store is down' : 'the backend is not connected'}`,
      );
      return FAILED;
    }
    return command(this.#store.entries);
  }

  /** The stored text of `key` if it has not expired; an expired entry is removed and counted. */
  #liveText(entries: Map<string, StoredEntry>, key: string): string | undefined {
    const full = this.#prefix + key;
    const entry = entries.get(full);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.#clock.now()) {
      entries.delete(full);
      this.#stats.expirations++;
      return undefined;
    }
    return entry.text;
  }

  /** Decodes a round trip's answer and counts the hit or miss (a failed trip is only an error). */
  #read<T>(text: string | undefined | Failed): T | undefined {
    if (text === FAILED) return undefined;
    const value = text === undefined ? undefined : deserialize(text);
    if (value === undefined) this.#stats.misses++;
    else this.#stats.hits++;
    return value as T | undefined;
  }
}
