// STUB: signatures are binding; the implementation is being written (issue 2).
import type { CacheConfig } from './config.js';
import { CacheNotInitializedError } from './errors.js';
import type { CacheManager, CreateFromConfigOptions } from './manager.js';

/** Builds and connects the global manager once; concurrent calls share one init. `config` defaults to `loadConfigFromEnv()`. */
export function initializeCache(config?: CacheConfig, options?: CreateFromConfigOptions): Promise<CacheManager> {
  void config;
  void options;
  throw new Error('not implemented yet');
}

/** The global manager; `CacheNotInitializedError` before `initializeCache`. */
export function getCacheManager(): CacheManager {
  throw new CacheNotInitializedError('the cache is not initialized: call initializeCache() at startup');
}

/** Disconnects and forgets the global manager; safe to call twice. */
export async function shutdownCache(): Promise<void> {}
