import {
  BackendRegistry,
  CacheConfigError,
  CacheManager,
  UnknownBackendError,
  loadConfigFromEnv,
  silentLogger,
} from '@cache/core';
import { memoryBackend } from '@cache/memory';
import { describe, expect, it } from 'vitest';
import { LatencyMapBackend, LatencyMapStore, latencyMapBackend } from '../src/index.js';

const registry = (): BackendRegistry =>
  new BackendRegistry().register(memoryBackend).register(latencyMapBackend);

describe('joining the toolkit through the registry', () => {
  it('is created from the environment like a first-party backend, with a memory fallback', async () => {
    const env = { CACHE_BACKEND: 'latency-map', LATENCY_MAP_LATENCY_MS: '0', CACHE_KEY_PREFIX: 'app:' };
    const backends = registry();
    const config = loadConfigFromEnv(env, backends);
    expect(config).toMatchObject({
      backend: 'latency-map',
      keyPrefix: 'app:',
      'latency-map': { latencyMs: 0 },
    });

    const cache = CacheManager.createFromConfig(config, { registry: backends, logger: silentLogger });
    expect(cache.primary).toBeInstanceOf(LatencyMapBackend);
    expect(cache.fallback?.name).toBe('memory');
    await cache.connect();
    expect(cache.usingFallback).toBe(false);
    expect(await cache.getOrSet('greeting', () => 'hello')).toBe('hello');
    expect(await cache.get('greeting')).toBe('hello');
    expect(await cache.deletePattern('greet*')).toBe(1);
    expect(await cache.get('greeting')).toBeUndefined();
    await cache.disconnect();
  });

  it('passes the top-level keyPrefix and defaultTtl to the backend, so one store keeps apps apart', async () => {
    const store = new LatencyMapStore();
    const backends = registry();
    const open = async (keyPrefix: string): Promise<CacheManager> => {
      const cache = CacheManager.createFromConfig(
        { backend: 'latency-map', keyPrefix, defaultTtl: '1h', 'latency-map': { store, latencyMs: 0 } },
        { registry: backends, logger: silentLogger },
      );
      await cache.connect();
      return cache;
    };
    const [a, b] = [await open('a:'), await open('b:')];
    await a.set('k', 'from a');
    await b.set('k', 'from b');
    expect([...store.entries.keys()].sort()).toEqual(['a:k', 'b:k']);
    expect(store.entries.get('a:k')?.expiresAt).toBeGreaterThan(Date.now() + 3_500_000);
    await a.clear();
    expect(await a.get('k')).toBeUndefined();
    expect(await b.get('k')).toBe('from b');
    await Promise.all([a.disconnect(), b.disconnect()]);
  });

  it('rejects a malformed variable with a CacheConfigError naming it', () => {
    expect(() => loadConfigFromEnv({ LATENCY_MAP_LATENCY_MS: 'fast' }, registry())).toThrow(
      expect.objectContaining({
        code: 'E_CACHE_CONFIG',
        message: expect.stringContaining('LATENCY_MAP_LATENCY_MS'),
      }),
    );
    expect(() => loadConfigFromEnv({ LATENCY_MAP_LATENCY_MS: '-1' }, registry())).toThrow(CacheConfigError);
  });

  it('is an UnknownBackendError until it is registered: importing the package registers nothing', () => {
    const bare = new BackendRegistry().register(memoryBackend);
    expect(() => CacheManager.createFromConfig({ backend: 'latency-map' }, { registry: bare })).toThrow(
      UnknownBackendError,
    );
    expect(() => CacheManager.createFromConfig({ backend: 'latency-map' }, { registry: bare })).toThrow(
      /unknown cache backend 'latency-map': registered types are 'memory'/,
    );
  });

  it('registering it twice is a CacheConfigError', () => {
    expect(() => registry().register(latencyMapBackend)).toThrow(/'latency-map' is already registered/);
  });
});

describe('outages through the manager', () => {
  it('falls back to memory while the store is down and never serves a value overwritten meanwhile', async () => {
    const store = new LatencyMapStore();
    const cache = CacheManager.createFromConfig(
      { backend: 'latency-map', 'latency-map': { store, latencyMs: 0, logger: silentLogger } },
      { registry: registry(), logger: silentLogger },
    );
    const events: string[] = [];
    cache.on('fallback', () => events.push('fallback')).on('recovered', () => events.push('recovered'));
    await cache.connect();
    await cache.set('price', 100);

    store.setDown(true);
    expect(cache.primary.isAvailable()).toBe(false);
    expect(await cache.get('price'), 'the fallback starts empty').toBeUndefined();
    expect(cache.usingFallback).toBe(true);
    await cache.set('price', 120);
    expect(await cache.get('price')).toBe(120);
    expect(store.entries.has('cache:price'), 'the old value is still on the store').toBe(true);

    store.setDown(false);
    expect(await cache.get('price'), 'the stale 100 was invalidated on recovery').toBeUndefined();
    expect(cache.usingFallback).toBe(false);
    expect(events).toEqual(['fallback', 'recovered']);
    expect(cache.stats().fallbackActivations).toBe(1);
    await cache.disconnect();
  });

  it('connect() falls back when the store is down at startup', async () => {
    const store = new LatencyMapStore();
    store.setDown(true);
    const cache = CacheManager.createFromConfig(
      { backend: 'latency-map', 'latency-map': { store, latencyMs: 0 } },
      { registry: registry(), logger: silentLogger },
    );
    await cache.connect();
    expect(cache.usingFallback).toBe(true);
    expect(await cache.set('k', 1)).toBe(true);
    expect(await cache.get('k')).toBe(1);
    await cache.disconnect();
  });
});
