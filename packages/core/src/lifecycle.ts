import { loadConfigFromEnv, type CacheConfig } from './config.js';
import { CacheNotInitializedError } from './errors.js';
import { CacheManager, type CreateFromConfigOptions } from './manager.js';

/** The global manager, once `initializeCache` has connected it. */
let current: CacheManager | undefined;
/** The initialization in progress, shared by concurrent callers; forgotten when it fails so a retry can succeed. */
let initializing: Promise<CacheManager> | undefined;

/**
 * Builds and connects the global manager once; concurrent calls share one init, later calls
 * answer the same manager (their arguments are ignored). `config` defaults to
 * `loadConfigFromEnv(process.env, options.registry)`. If it fails (bad config, unknown backend,
 * a primary without fallback that cannot connect), whatever was created is disconnected, the
 * promise rejects, and the next call tries again.
 */
export function initializeCache(
  config?: CacheConfig,
  options?: CreateFromConfigOptions,
): Promise<CacheManager> {
  if (current !== undefined) return Promise.resolve(current);
  initializing ??= (async () => {
    let manager: CacheManager | undefined;
    try {
      manager = CacheManager.createFromConfig(
        config ?? loadConfigFromEnv(process.env, options?.registry),
        options,
      );
      await manager.connect();
      current = manager;
      return manager;
    } catch (error) {
      // A Redis client would otherwise keep reconnecting in the background.
      await manager?.disconnect();
      throw error;
    } finally {
      initializing = undefined;
    }
  })();
  return initializing;
}

/** The global manager; `CacheNotInitializedError` before `initializeCache` (and after `shutdownCache`). */
export function getCacheManager(): CacheManager {
  if (current === undefined) {
    throw new CacheNotInitializedError(
      'the cache is not initialized: call await initializeCache() at startup (or pass a manager explicitly)',
    );
  }
  return current;
}

/**
 * Disconnects and forgets the global manager. Safe to call twice, and before `initializeCache`.
 * An initialization still in progress is waited for, then shut down too.
 */
export async function shutdownCache(): Promise<void> {
  if (initializing !== undefined) await initializing.catch(() => undefined);
  const manager = current;
  current = undefined;
  await manager?.disconnect();
}
