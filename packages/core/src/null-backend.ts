import { StatsCounter, type CacheBackend, type CacheStats } from './backend.js';
import { assertCacheKey } from './key-check.js';
import { assertCacheable } from './serializer.js';
import { parseOptionalTtl, type Ttl } from './ttl.js';

/**
 * Stores nothing: every read misses, every write answers `false`. It is what
 * `CACHE_ENABLED=false` gives, and the fallback when the configured one is not registered.
 * It still validates input, so code that works against it works against a real backend.
 */
export class NullCacheBackend implements CacheBackend {
  readonly name: string = 'null';
  readonly #stats = new StatsCounter();

  async get<T = unknown>(key: string): Promise<T | undefined> {
    assertCacheKey(key);
    this.#stats.misses++;
    return undefined;
  }

  async set(key: string, value: unknown, ttl?: Ttl): Promise<boolean> {
    assertCacheKey(key);
    assertCacheable(value);
    parseOptionalTtl(ttl);
    return false;
  }

  async getAndDelete<T = unknown>(key: string): Promise<T | undefined> {
    return this.get<T>(key);
  }

  async delete(key: string): Promise<boolean> {
    assertCacheKey(key);
    return false;
  }

  async deletePattern(_pattern: string): Promise<number> {
    return 0;
  }

  async exists(key: string): Promise<boolean> {
    assertCacheKey(key);
    return false;
  }

  async clear(): Promise<void> {}
  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}

  isAvailable(): boolean {
    return true;
  }

  stats(): CacheStats {
    return this.#stats.snapshot({ entries: 0, bytes: 0 });
  }
}
