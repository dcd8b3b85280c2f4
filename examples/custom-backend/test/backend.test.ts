import { CacheBackendError, CacheConfigError, type CacheLogger } from '@cache/core';
import { describe, expect, it, vi } from 'vitest';
import { LatencyMapBackend, LatencyMapStore, type LatencyMapBackendOptions } from '../src/index.js';

function recordingLogger(): CacheLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, warn: (message) => lines.push(message), error: (message) => lines.push(message) };
}

async function open(options: LatencyMapBackendOptions = {}): Promise<LatencyMapBackend> {
  const backend = new LatencyMapBackend({ latencyMs: 0, ...options });
  await backend.connect();
  return backend;
}

describe('options', () => {
  it.each([
    [
      { latencyMs: -1 },
      'latency-map backend: latencyMs must be a non-negative number of milliseconds (got -1)',
    ],
    [
      { latencyMs: Number.NaN },
      'latency-map backend: latencyMs must be a non-negative number of milliseconds (got NaN)',
    ],
    [{ maxEntryBytes: 0 }, 'latency-map backend: maxEntryBytes must be a positive integer (got 0)'],
    [{ maxEntryBytes: 1.5 }, 'latency-map backend: maxEntryBytes must be a positive integer (got 1.5)'],
    [{ defaultTtl: 0 }, 'latency-map backend: defaultTtl must be greater than zero (got 0)'],
    [
      { defaultTtl: '5 minutes' },
      "latency-map backend: defaultTtl must be a positive number of seconds or a duration like '250ms', '30s', '5m', '1h', '1d' (got \"5 minutes\")",
    ],
    [
      { store: new Map() },
      'latency-map backend: store must be a LatencyMapStore (from cache-backend-latency-map)',
    ],
    [{ clock: {} }, 'latency-map backend: clock must be an object with a now() method'],
    [{ keyPrefix: 7 }, 'latency-map backend: keyPrefix must be a string (got number)'],
  ])('%o is rejected in the constructor', (options, message) => {
    const build = (): LatencyMapBackend => new LatencyMapBackend(options as LatencyMapBackendOptions);
    expect(build).toThrow(CacheConfigError);
    expect(build).toThrow(message);
  });
});

describe('a store that is down', () => {
  it('makes connect() reject with a CacheBackendError that says why', async () => {
    const store = new LatencyMapStore();
    store.setDown(true);
    const backend = new LatencyMapBackend({ store, latencyMs: 0 });
    await expect(backend.connect()).rejects.toThrow(CacheBackendError);
    await expect(backend.connect()).rejects.toThrow(/cannot connect: the store is down/);
    expect(backend.isAvailable()).toBe(false);
  });

  it('turns every operation into a soft failure, counted and logged once per kind', async () => {
    const store = new LatencyMapStore();
    const logger = recordingLogger();
    const backend = await open({ store, logger });
    await backend.set('k', 'v');
    store.setDown(true);
    expect(backend.isAvailable()).toBe(false);
    expect(await backend.get('k')).toBeUndefined();
    expect(await backend.get('k')).toBeUndefined();
    expect(await backend.set('k', 'w')).toBe(false);
    expect(await backend.exists('k')).toBe(false);
    expect(await backend.getAndDelete('k')).toBeUndefined();
    expect(await backend.delete('k')).toBe(false);
    expect(await backend.deletePattern('*')).toBe(0);
    await expect(backend.clear()).resolves.toBeUndefined();
    expect(backend.stats()).toMatchObject({ errors: 8, hits: 0, misses: 0, sets: 1 });
    expect(logger.lines.filter((line) => line.includes('get failed'))).toEqual([
      '[latency-map] get failed: the store is down',
    ]);

    store.setDown(false);
    expect(backend.isAvailable()).toBe(true);
    expect(await backend.get('k'), 'the entry survived the outage').toBe('v');
  });
});

describe('behaviour', () => {
  it('stores values as core-serialized text, so the store never holds the caller’s object', async () => {
    const store = new LatencyMapStore();
    const backend = await open({ store, keyPrefix: 'p:' });
    await backend.set('json', { a: [1, 'x'] });
    await backend.set('tagged', new Map([[1, new Date(0)]]));
    expect(store.entries.get('p:json')?.text).toBe('{"a":[1,"x"]}');
    expect(store.entries.get('p:tagged')?.text.startsWith('~cache1:')).toBe(true);
    expect(await backend.get('tagged')).toEqual(new Map([[1, new Date(0)]]));
  });

  it('uses defaultTtl when set has none, on the injected clock, and counts the expiration', async () => {
    let now = 1_000;
    const backend = await open({ defaultTtl: '2s', clock: { now: () => now } });
    await backend.set('short', 1);
    await backend.set('long', 2, '1h');
    now += 2_000;
    expect(await backend.get('short')).toBeUndefined();
    expect(await backend.get('long')).toBe(2);
    expect(backend.stats()).toMatchObject({ expirations: 1, hits: 1, misses: 1 });
  });

  it('answers false over maxEntryBytes and drops the previous value of the key', async () => {
    const backend = await open({ maxEntryBytes: 16 });
    expect(await backend.set('k', 'small')).toBe(true);
    expect(await backend.set('k', 'x'.repeat(20))).toBe(false);
    expect(await backend.get('k')).toBeUndefined();
  });

  it('runs each command only after the simulated round trip', async () => {
    vi.useFakeTimers();
    try {
      const store = new LatencyMapStore();
      const backend = new LatencyMapBackend({ store, latencyMs: 20 });
      const connecting = backend.connect();
      await vi.advanceTimersByTimeAsync(20);
      await connecting;
      const pending = backend.set('k', 1);
      await vi.advanceTimersByTimeAsync(19);
      expect(store.entries.has('cache:k'), 'not yet arrived after 19 ms').toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(await pending).toBe(true);
      expect(store.entries.has('cache:k')).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a latency of 0 still runs the command after the caller’s synchronous code', async () => {
    const store = new LatencyMapStore();
    const backend = await open({ store, latencyMs: 0 });
    const pending = backend.set('k', 1);
    expect(store.entries.has('cache:k')).toBe(false);
    expect(await pending).toBe(true);
    expect(store.entries.has('cache:k')).toBe(true);
  });
});
