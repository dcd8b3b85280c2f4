import {
  assertCacheKey,
  CacheValueError,
  matchesPattern,
  parseOptionalTtl,
  StatsCounter,
  type CacheBackend,
  type CacheStats,
  type Ttl,
} from '@cache/core';

/**
 * A small in-process backend over a Map for the manager's own tests. It is not a stand-in for
 * any real store: it exists to let a test switch availability and failures on and off and to
 * hold an operation in flight, which a real store cannot do on cue.
 */
export class MapBackend implements CacheBackend {
  readonly name: string;
  readonly data: Map<string, unknown> = new Map();
  readonly counter: StatsCounter = new StatsCounter();
  /** Every operation, in call order: `'set a'`, `'deletePattern user:*'`, `'clear'`… */
  readonly calls: string[] = [];
  /** The TTL each key was last set with. */
  readonly ttls: Map<string, Ttl | undefined> = new Map();
  /** What `isAvailable()` answers. */
  available = true;
  /** When true, operations behave like a store that is down: count an error and answer miss/false/0. */
  failing = false;
  /** When set, `connect()` rejects with it. */
  connectError: Error | undefined;
  /** When set, `disconnect()` rejects with it. */
  disconnectError: Error | undefined;
  connects = 0;
  disconnects = 0;
  #gate: Promise<void> | undefined;

  constructor(
    name = 'map',
    readonly options?: unknown,
  ) {
    this.name = name;
  }

  /** Holds every operation that starts from now on until the returned function is called. */
  hold(): () => void {
    let release!: () => void;
    this.#gate = new Promise((resolve) => (release = resolve));
    return () => {
      this.#gate = undefined;
      release();
    };
  }

  /** Available and working, or down (unavailable and failing). */
  setUp(up: boolean): void {
    this.available = up;
    this.failing = !up;
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    assertCacheKey(key);
    await this.#enter(`get ${key}`);
    if (this.failing) return this.#fail(undefined);
    if (!this.data.has(key)) {
      this.counter.misses++;
      return undefined;
    }
    this.counter.hits++;
    return structuredClone(this.data.get(key)) as T;
  }

  async set(key: string, value: unknown, ttl?: Ttl): Promise<boolean> {
    assertCacheKey(key);
    if (value === undefined || typeof value === 'function')
      throw new CacheValueError(`cannot cache ${typeof value}`);
    parseOptionalTtl(ttl);
    await this.#enter(`set ${key}`);
    if (this.failing) return this.#fail(false);
    this.data.set(key, structuredClone(value));
    this.ttls.set(key, ttl);
    this.counter.sets++;
    return true;
  }

  async getAndDelete<T = unknown>(key: string): Promise<T | undefined> {
    assertCacheKey(key);
    await this.#enter(`getAndDelete ${key}`);
    if (this.failing) return this.#fail(undefined);
    const value = this.data.get(key) as T | undefined;
    if (this.data.delete(key)) this.counter.hits++;
    else this.counter.misses++;
    return value;
  }

  async delete(key: string): Promise<boolean> {
    assertCacheKey(key);
    await this.#enter(`delete ${key}`);
    if (this.failing) return this.#fail(false);
    const deleted = this.data.delete(key);
    if (deleted) this.counter.deletes++;
    return deleted;
  }

  async deletePattern(pattern: string): Promise<number> {
    await this.#enter(`deletePattern ${pattern}`);
    if (this.failing) return this.#fail(0);
    let count = 0;
    for (const key of [...this.data.keys()]) {
      if (matchesPattern(pattern, key) && this.data.delete(key)) count++;
    }
    this.counter.deletes += count;
    return count;
  }

  async exists(key: string): Promise<boolean> {
    assertCacheKey(key);
    await this.#enter(`exists ${key}`);
    if (this.failing) return this.#fail(false);
    return this.data.has(key);
  }

  async clear(): Promise<void> {
    await this.#enter('clear');
    if (this.failing) return this.#fail(undefined);
    this.data.clear();
  }

  async connect(): Promise<void> {
    this.connects++;
    if (this.connectError !== undefined) throw this.connectError;
  }

  async disconnect(): Promise<void> {
    this.disconnects++;
    if (this.disconnectError !== undefined) throw this.disconnectError;
  }

  isAvailable(): boolean {
    return this.available;
  }

  stats(): CacheStats {
    return this.counter.snapshot({ entries: this.data.size });
  }

  async #enter(call: string): Promise<void> {
    this.calls.push(call);
    if (this.#gate !== undefined) await this.#gate;
  }

  #fail<R>(answer: R): R {
    this.counter.errors++;
    return answer;
  }
}

/** A logger that keeps what it was given. */
export function recordingLogger(): {
  warn: (message: string, ...meta: unknown[]) => void;
  error: (message: string, ...meta: unknown[]) => void;
  warnings: string[];
  errors: string[];
} {
  const warnings: string[] = [];
  const errors: string[] = [];
  return {
    warn: (message) => void warnings.push(message),
    error: (message) => void errors.push(message),
    warnings,
    errors,
  };
}
