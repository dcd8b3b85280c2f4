// STUB: signatures are binding; the implementation is being written (issue 2).
import type { CacheBackend, CacheStats } from './backend.js';
import type { CacheConfig } from './config.js';
import type { CacheLogger } from './logger.js';
import type { BackendRegistry } from './registry.js';
import type { Ttl } from './ttl.js';

/** Options of `new CacheManager(...)`. */
export interface CacheManagerOptions {
  primary: CacheBackend;
  fallback?: CacheBackend | undefined;
  logger?: CacheLogger | undefined;
}

/** Options of `CacheManager.createFromConfig` and `initializeCache`. */
export interface CreateFromConfigOptions {
  registry?: BackendRegistry | undefined;
  logger?: CacheLogger | undefined;
}

/** `stats()` of a manager: the active backend's figures plus how often it fell back. */
export interface CacheManagerStats extends CacheStats {
  fallbackActivations: number;
}

export type CacheManagerEvent = 'fallback' | 'recovered' | 'error';

/** A primary backend with a fallback; routes to the fallback while the primary is unavailable. */
export class CacheManager implements CacheBackend {
  readonly name: string = 'manager';
  readonly primary: CacheBackend;
  readonly fallback: CacheBackend | undefined;

  constructor(options: CacheManagerOptions) {
    this.primary = options.primary;
    this.fallback = options.fallback;
  }

  static createFromConfig(config: CacheConfig, options?: CreateFromConfigOptions): CacheManager {
    void config;
    void options;
    throw new Error('not implemented yet');
  }

  get backend(): CacheBackend {
    return this.primary;
  }

  get usingFallback(): boolean {
    return false;
  }

  getOrSet<T>(key: string, factory: () => Promise<T> | T, options?: { ttl?: Ttl | undefined }): Promise<T> {
    void key;
    void factory;
    void options;
    throw new Error('not implemented yet');
  }

  on(event: CacheManagerEvent, listener: (info: unknown) => void): this {
    void event;
    void listener;
    return this;
  }

  get<T = unknown>(key: string): Promise<T | undefined> {
    return this.backend.get<T>(key);
  }
  set(key: string, value: unknown, ttl?: Ttl): Promise<boolean> {
    return this.backend.set(key, value, ttl);
  }
  getAndDelete<T = unknown>(key: string): Promise<T | undefined> {
    return this.backend.getAndDelete<T>(key);
  }
  delete(key: string): Promise<boolean> {
    return this.backend.delete(key);
  }
  deletePattern(pattern: string): Promise<number> {
    return this.backend.deletePattern(pattern);
  }
  exists(key: string): Promise<boolean> {
    return this.backend.exists(key);
  }
  clear(): Promise<void> {
    return this.backend.clear();
  }
  connect(): Promise<void> {
    return this.primary.connect();
  }
  disconnect(): Promise<void> {
    return this.primary.disconnect();
  }
  isAvailable(): boolean {
    return this.backend.isAvailable();
  }
  stats(): CacheManagerStats {
    return Object.assign(this.backend.stats(), { fallbackActivations: 0 });
  }
}
