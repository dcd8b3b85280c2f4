/**
 * The one place where the cache is wired: which backends exist, how the config is read, and
 * when the global manager starts and stops. Nothing registers itself on import.
 */
import {
  BackendRegistry,
  initializeCache,
  loadConfigFromEnv,
  shutdownCache,
  type CacheConfig,
  type CacheLogger,
  type CacheManager,
} from '@cache/core';
import { diskBackend } from '@cache/disk';
import { memoryBackend } from '@cache/memory';
import { redisBackend } from '@cache/redis';
import type { FastifyInstance } from 'fastify';

export interface CacheBootstrapOptions {
  env: Record<string, string | undefined>;
  /** Used when `CACHE_DISK_DIR` is unset. */
  defaultDiskDir: string;
  /** Called once the manager is connected, before the first request (e.g. to replay owed invalidations). */
  onReady?: ((cache: CacheManager) => Promise<void>) | undefined;
  /** Called on close once the manager is shut down (e.g. to stop watching its events). */
  onClosed?: (() => void) | undefined;
}

/**
 * Reads the cache config now (a malformed variable fails `buildApp`, not the first request),
 * connects the global manager when Fastify is ready and shuts it down when Fastify closes.
 */
export function wireCache(app: FastifyInstance, options: CacheBootstrapOptions): CacheConfig {
  const registry = new BackendRegistry().register(diskBackend).register(memoryBackend).register(redisBackend);
  const env = { ...options.env, CACHE_DISK_DIR: options.env.CACHE_DISK_DIR ?? options.defaultDiskDir };
  const config = loadConfigFromEnv(env, registry);
  const logger: CacheLogger = {
    warn: (message, ...meta) => app.log.warn({ meta }, `[cache] ${message}`),
    error: (message, ...meta) => app.log.error({ meta }, `[cache] ${message}`),
    info: (message, ...meta) => app.log.info({ meta }, `[cache] ${message}`),
  };
  app.addHook('onReady', async () => {
    const cache = await initializeCache(config, { registry, logger });
    await options.onReady?.(cache);
  });
  app.addHook('onClose', async () => {
    await shutdownCache();
    options.onClosed?.();
  });
  return config;
}

/** One line for the startup log: `disk (/srv/cache), fallback memory`. */
export function describeCache(cache: CacheManager, config: CacheConfig): string {
  const where = (name: string): string => {
    if (name === 'disk') return ` (${(config as { disk?: { dir?: string } }).disk?.dir ?? 'default dir'})`;
    if (name === 'redis') return ` (${redactUrl((config as { redis?: { url?: string } }).redis?.url)})`;
    return '';
  };
  const primary = `${cache.primary.name}${where(cache.primary.name)}`;
  const fallback = cache.fallback === undefined ? 'no fallback' : `fallback ${cache.fallback.name}`;
  return `${primary}, ${fallback}${cache.usingFallback ? ' (primary unavailable: serving from the fallback)' : ''}`;
}

function redactUrl(url: string | undefined): string {
  if (url === undefined) return 'redis://127.0.0.1:6379';
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'unparseable REDIS_URL';
  }
}
