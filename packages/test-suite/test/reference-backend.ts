import {
  StatsCounter,
  assertCacheKey,
  compilePattern,
  deserialize,
  parseOptionalTtl,
  serialize,
  type CacheBackend,
  type CacheStats,
  type Ttl,
} from '@cache/core';

/** What the reference backend keeps per entry: the serialized text, as a real store would. */
export interface StoredEntry {
  readonly text: string;
  readonly expiresAt: number | undefined;
}

/** The "server": one Map that several backend instances (and namespaces) can share. */
export type ReferenceStore = Map<string, StoredEntry>;

export interface ReferenceBackendOptions {
  /** Share it between instances to get a store seen by all of them. Default: a new one. */
  store?: ReferenceStore | undefined;
  /** Prefix of this instance's entries in the store; `clear()` removes only these. Default ''. */
  namespace?: string | undefined;
  /** Clock in ms. Default `Date.now`. */
  now?: (() => number) | undefined;
  /** Serialized values longer than this (UTF-8 bytes) are refused. Default: no limit. */
  maxEntryBytes?: number | undefined;
}

/**
 * A small, correct backend over a Map, built only from `@cache/core` parts: the contract
 * suite's proof that it can pass. Every entry is stored as serialized text, so reads return
 * copies exactly like a remote store would. Methods yield once before touching the store
 * (as I/O would), so callers really interleave; each touch is synchronous, hence atomic.
 */
export class ReferenceBackend implements CacheBackend {
  readonly name: string = 'reference';
  protected readonly store: ReferenceStore;
  protected readonly namespace: string;
  protected readonly now: () => number;
  protected readonly counters: StatsCounter = new StatsCounter();
  readonly #maxEntryBytes: number;
  #connected = false;

  constructor(options: ReferenceBackendOptions = {}) {
    this.store = options.store ?? new Map();
    this.namespace = options.namespace ?? '';
    this.now = options.now ?? Date.now;
    this.#maxEntryBytes = options.maxEntryBytes ?? Number.POSITIVE_INFINITY;
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    assertCacheKey(key);
    await yieldToOthers();
    const value = this.read(key);
    if (value === undefined) this.counters.misses++;
    else this.counters.hits++;
    return value as T | undefined;
  }

  async set(key: string, value: unknown, ttl?: Ttl): Promise<boolean> {
    assertCacheKey(key);
    const text = serialize(value);
    const ttlMs = parseOptionalTtl(ttl);
    await yieldToOthers();
    if (!this.#connected) return this.down(false);
    const full = this.namespace + key;
    if (Buffer.byteLength(text, 'utf8') > this.#maxEntryBytes) {
      // The caller meant to replace the value: keeping the old one would serve stale data.
      this.store.delete(full);
      return false;
    }
    this.store.set(full, { text, expiresAt: ttlMs === undefined ? undefined : this.now() + ttlMs });
    this.counters.sets++;
    return true;
  }

  async getAndDelete<T = unknown>(key: string): Promise<T | undefined> {
    assertCacheKey(key);
    await yieldToOthers();
    const value = this.read(key);
    if (value === undefined) {
      this.counters.misses++;
      return undefined;
    }
    this.store.delete(this.namespace + key);
    this.counters.hits++;
    this.counters.deletes++;
    return value as T;
  }

  async delete(key: string): Promise<boolean> {
    assertCacheKey(key);
    await yieldToOthers();
    if (!this.#connected) return this.down(false);
    if (this.live(this.namespace + key) === undefined) return false;
    this.store.delete(this.namespace + key);
    this.counters.deletes++;
    return true;
  }

  async deletePattern(pattern: string): Promise<number> {
    const compiled = compilePattern(pattern);
    await yieldToOthers();
    if (!this.#connected) return this.down(0);
    let deleted = 0;
    for (const full of [...this.store.keys()]) {
      if (!full.startsWith(this.namespace) || !compiled.matches(full.slice(this.namespace.length))) continue;
      if (this.live(full) === undefined) continue;
      this.store.delete(full);
      deleted++;
    }
    this.counters.deletes += deleted;
    return deleted;
  }

  async exists(key: string): Promise<boolean> {
    assertCacheKey(key);
    await yieldToOthers();
    if (!this.#connected) return this.down(false);
    return this.live(this.namespace + key) !== undefined;
  }

  async clear(): Promise<void> {
    await yieldToOthers();
    if (!this.#connected) return this.down(undefined);
    for (const full of [...this.store.keys()]) {
      if (full.startsWith(this.namespace)) this.store.delete(full);
    }
  }

  async connect(): Promise<void> {
    this.#connected = true;
  }

  async disconnect(): Promise<void> {
    this.#connected = false;
  }

  isAvailable(): boolean {
    return this.#connected;
  }

  stats(): CacheStats {
    return this.counters.snapshot();
  }

  /** The decoded value, or undefined for a miss (absent, expired, damaged, or disconnected). */
  protected read(key: string): unknown {
    if (!this.#connected) return this.down(undefined);
    const entry = this.live(this.namespace + key);
    return entry === undefined ? undefined : deserialize(entry.text);
  }

  /** The entry unless it is absent or expired (an expired one is removed and counted). */
  protected live(full: string): StoredEntry | undefined {
    const entry = this.store.get(full);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.now()) {
      this.store.delete(full);
      this.counters.expirations++;
      return undefined;
    }
    return entry;
  }

  /** A closed backend answers like a store that is down: counted as an error, never a throw. */
  protected down<T>(answer: T): T {
    this.counters.errors++;
    return answer;
  }
}

const yieldToOthers = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
