import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BackendRegistry,
  CacheManager,
  CacheNotInitializedError,
  getCacheManager,
  initializeCache,
  isCacheError,
  shutdownCache,
  type BackendDefinition,
} from '@cache/core';
import { MapBackend } from './support/map-backend.js';

/** A registry whose backends are MapBackends; `created` lists them in creation order. */
function registry(options: { connectError?: Error } = {}) {
  const created: MapBackend[] = [];
  const definition = (type: string): BackendDefinition => ({
    type,
    create: () => {
      const backend = new MapBackend(type);
      if (type !== 'memory' && options.connectError !== undefined) {
        backend.connectError = options.connectError;
        backend.setUp(false);
      }
      created.push(backend);
      return backend;
    },
    fromEnv: (env) => ({ dir: env.CACHE_DISK_DIR }),
  });
  const reg = new BackendRegistry().register(definition('memory')).register(definition('disk'));
  return { registry: reg, created };
}

afterEach(async () => {
  await shutdownCache();
  vi.unstubAllEnvs();
});

describe('global cache lifecycle', () => {
  it('getCacheManager throws CacheNotInitializedError before initializeCache', () => {
    expect(() => getCacheManager()).toThrow(CacheNotInitializedError);
    try {
      getCacheManager();
    } catch (error) {
      expect(isCacheError(error, 'E_CACHE_NOT_INITIALIZED')).toBe(true);
      expect((error as Error).message).toMatch(/call await initializeCache\(\) at startup/);
    }
  });

  it('initializeCache builds and connects the manager that getCacheManager then answers', async () => {
    const { registry: reg, created } = registry();
    const manager = await initializeCache({ backend: 'disk' }, { registry: reg });
    expect(manager).toBeInstanceOf(CacheManager);
    expect(getCacheManager()).toBe(manager);
    expect(created.map((b) => [b.name, b.connects])).toEqual([
      ['disk', 1],
      ['memory', 1],
    ]);
  });

  it('is idempotent: later calls answer the same manager and create nothing', async () => {
    const { registry: reg, created } = registry();
    const first = await initializeCache({}, { registry: reg });
    const second = await initializeCache({ backend: 'memory' }, { registry: reg });
    expect(second).toBe(first);
    expect(created).toHaveLength(2);
  });

  it('concurrent calls share one initialization', async () => {
    const { registry: reg, created } = registry();
    const managers = await Promise.all([
      initializeCache({}, { registry: reg }),
      initializeCache({}, { registry: reg }),
      initializeCache(undefined, { registry: reg }),
    ]);
    expect(new Set(managers).size).toBe(1);
    expect(created.map((b) => b.connects)).toEqual([1, 1]);
  });

  it('a failed initialization rejects, cleans up, and can be retried', async () => {
    const refused = new Error('ECONNREFUSED');
    const broken = registry({ connectError: refused });
    await expect(initializeCache({ fallback: false }, { registry: broken.registry })).rejects.toBe(refused);
    expect(broken.created[0]?.disconnects).toBe(1);
    expect(() => getCacheManager()).toThrow(CacheNotInitializedError);

    const working = registry();
    const manager = await initializeCache({}, { registry: working.registry });
    expect(getCacheManager()).toBe(manager);
  });

  it('a config error rejects (not throws) and can be retried', async () => {
    const { registry: reg } = registry();
    const attempt = initializeCache({ backend: 'redis' }, { registry: reg });
    await expect(attempt).rejects.toMatchObject({ code: 'E_CACHE_UNKNOWN_BACKEND' });
    await expect(initializeCache({}, { registry: reg })).resolves.toBeInstanceOf(CacheManager);
  });

  it('reads the config from process.env with the given registry when none is passed', async () => {
    const { registry: reg, created } = registry();
    vi.stubEnv('CACHE_BACKEND', 'memory');
    vi.stubEnv('CACHE_DISK_DIR', '/tmp/unused');
    const manager = await initializeCache(undefined, { registry: reg });
    expect(manager.primary.name).toBe('memory');
    expect(manager.fallback).toBeUndefined();
    expect(created).toHaveLength(1);
  });

  it('shutdownCache disconnects and forgets the manager', async () => {
    const { registry: reg, created } = registry();
    await initializeCache({}, { registry: reg });
    await shutdownCache();
    expect(created.map((b) => b.disconnects)).toEqual([1, 1]);
    expect(() => getCacheManager()).toThrow(CacheNotInitializedError);
  });

  it('shutdownCache is safe twice, and before initializeCache', async () => {
    await expect(shutdownCache()).resolves.toBeUndefined();
    const { registry: reg, created } = registry();
    await initializeCache({}, { registry: reg });
    await shutdownCache();
    await shutdownCache();
    expect(created.map((b) => b.disconnects)).toEqual([1, 1]);
  });

  it('after shutdownCache, initializeCache builds a new manager', async () => {
    const { registry: reg } = registry();
    const first = await initializeCache({}, { registry: reg });
    await shutdownCache();
    const second = await initializeCache({}, { registry: reg });
    expect(second).not.toBe(first);
    expect(getCacheManager()).toBe(second);
  });

  it('shutdownCache during an initialization waits for it, then shuts it down', async () => {
    const { registry: reg, created } = registry();
    const init = initializeCache({}, { registry: reg });
    await shutdownCache();
    await expect(init).resolves.toBeInstanceOf(CacheManager);
    expect(created.map((b) => b.disconnects)).toEqual([1, 1]);
    expect(() => getCacheManager()).toThrow(CacheNotInitializedError);
  });
});
