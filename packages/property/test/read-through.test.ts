import { CacheNotInitializedError, type CacheLogger, type CacheManager } from '@cache/core';
import { describe, expect, it } from 'vitest';
import { PropertyCacheManager } from '../src/index.js';
import { createManager, deferred } from './support/manager.js';

/** Lets every pending cache call settle, so all callers have reached the loader's flight. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function recordingLogger(): CacheLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, warn: (message) => warnings.push(message), error: (message) => warnings.push(message) };
}

describe('getOrSetList', () => {
  it('misses, stores under generateCacheKey with listTtl, then hits without running the loader', async () => {
    const { cache, sets } = createManager();
    const properties = new PropertyCacheManager(cache, { listTtl: '30s', detailTtl: 300 });
    let loads = 0;
    const loader = async () => ({ items: [{ id: 1 }], load: ++loads });

    expect(await properties.getOrSetList({ city: 'Lyon' }, 7, 2, 50, loader)).toEqual({
      items: [{ id: 1 }],
      load: 1,
    });
    expect(await properties.getOrSetList({ city: 'Lyon' }, 7, 2, 50, loader)).toEqual({
      items: [{ id: 1 }],
      load: 1,
    });
    expect(loads).toBe(1);

    const key = properties.generateCacheKey({ city: 'Lyon' }, 7, 2, 50);
    expect(sets).toEqual([{ key, value: { items: [{ id: 1 }], load: 1 }, ttl: '30s' }]);
    expect(await cache.get(key)).toEqual({ items: [{ id: 1 }], load: 1 });
  });

  it('defaults page and limit like generateCacheKey', async () => {
    const { cache } = createManager();
    const properties = new PropertyCacheManager(cache);
    await properties.getOrSetList({}, undefined, undefined, undefined, async () => 'page');
    expect(await cache.get(properties.generateCacheKey({}))).toBe('page');
  });

  it('keeps users apart: one user never reads another user’s page', async () => {
    const { cache } = createManager();
    const properties = new PropertyCacheManager(cache);
    await properties.getOrSetList({ city: 'Lyon' }, 'alice', 1, 20, async () => 'alice page');
    expect(await properties.getOrSetList({ city: 'Lyon' }, 'bob', 1, 20, async () => 'bob page')).toBe(
      'bob page',
    );
    expect(await properties.getOrSetList({ city: 'Lyon' }, undefined, 1, 20, async () => 'anon page')).toBe(
      'anon page',
    );
  });

  it('runs the loader once for 50 concurrent misses of one key and gives every caller its result', async () => {
    const { cache, sets } = createManager();
    const properties = new PropertyCacheManager(cache);
    const gate = deferred<void>();
    let loads = 0;
    const loader = async () => {
      loads++;
      await gate.promise;
      return { total: 3 };
    };
    const calls = Array.from({ length: 50 }, () =>
      properties.getOrSetList({ city: 'Lyon' }, 7, 1, 20, loader),
    );
    await settle();
    gate.resolve();
    const results = await Promise.all(calls);
    expect(loads).toBe(1);
    expect(results).toEqual(Array.from({ length: 50 }, () => ({ total: 3 })));
    expect(sets).toHaveLength(1);
    // Each caller got its own copy: mutating one never reaches another or the cache.
    (results[0] as { total: number }).total = 99;
    expect(await properties.getOrSetList({ city: 'Lyon' }, 7, 1, 20, loader)).toEqual({ total: 3 });
  });

  it('gives a loader error to every waiter, caches nothing, and loads again on the next call', async () => {
    const { cache, sets } = createManager();
    const properties = new PropertyCacheManager(cache);
    const gate = deferred<void>();
    let loads = 0;
    const failing = async (): Promise<string> => {
      loads++;
      await gate.promise;
      throw new Error('database is locked');
    };
    const calls = Array.from({ length: 5 }, () => properties.getOrSetList({}, 7, 1, 20, failing));
    await settle();
    gate.resolve();
    const outcomes = await Promise.allSettled(calls);
    expect(loads).toBe(1);
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ status: 'rejected', reason: { message: 'database is locked' } });
    }
    expect(sets).toHaveLength(0);
    expect(await properties.getOrSetList({}, 7, 1, 20, async () => 'recovered')).toBe('recovered');
  });

  it('caches null (a value) but not undefined (a miss)', async () => {
    const { cache } = createManager();
    const properties = new PropertyCacheManager(cache);
    let loads = 0;
    await properties.getOrSetList({ a: 1 }, 7, 1, 20, async () => (loads++, null));
    expect(await properties.getOrSetList({ a: 1 }, 7, 1, 20, async () => (loads++, null))).toBeNull();
    expect(loads).toBe(1);
    await properties.getOrSetList({ a: 2 }, 7, 1, 20, async () => (loads++, undefined));
    await properties.getOrSetList({ a: 2 }, 7, 1, 20, async () => (loads++, undefined));
    expect(loads).toBe(3);
  });

  it('rejects bad filters as a rejected promise, before loading', async () => {
    const properties = new PropertyCacheManager(createManager().cache);
    let loads = 0;
    await expect(properties.getOrSetList({ p: Number.NaN }, 7, 1, 20, async () => loads++)).rejects.toThrow(
      'filters.p must be a finite number',
    );
    expect(loads).toBe(0);
  });

  it('never stores a page that was loaded before an invalidation finished loading after it', async () => {
    const { cache, sets } = createManager();
    const properties = new PropertyCacheManager(cache);
    const gate = deferred<void>();
    const started = deferred<void>();
    let version = 1;
    const loader = async () => {
      const seen = version; // the database read happens here, before the write below
      started.resolve();
      await gate.promise;
      return { version: seen };
    };

    const before = properties.getOrSetList({ city: 'Lyon' }, 7, 1, 20, loader);
    await started.promise;
    version = 2; // a PUT commits...
    await properties.invalidatePropertyCaches(); // ...and invalidates, while the first load is still running
    // A request arriving after the invalidation must not join the old flight.
    const after = properties.getOrSetList({ city: 'Lyon' }, 7, 1, 20, loader);
    gate.resolve();

    expect(await before).toEqual({ version: 1 }); // its own caller still gets an answer
    expect(await after).toEqual({ version: 2 });
    expect(sets.map((set) => set.value)).toEqual([{ version: 2 }]);
    expect(await properties.getOrSetList({ city: 'Lyon' }, 7, 1, 20, loader)).toEqual({ version: 2 });
  });

  it('removes a page whose write was still landing when an invalidation ran', async () => {
    const write = deferred<void>();
    const writing = deferred<void>();
    const { cache } = createManager({
      beforeSet: () => {
        writing.resolve();
        return write.promise;
      },
    });
    const properties = new PropertyCacheManager(cache);
    const key = properties.generateCacheKey({ city: 'Lyon' }, 7);

    const call = properties.getOrSetList({ city: 'Lyon' }, 7, 1, 20, async () => ({ version: 1 }));
    await writing.promise; // the loader is done and its write is on its way to the store
    expect(await properties.invalidatePropertyCaches()).toBe(0); // scans before the entry lands
    write.resolve();
    expect(await call).toEqual({ version: 1 });
    expect(await cache.exists(key)).toBe(false);
  });

  it('resolves a function source at call time', async () => {
    const first = createManager().cache;
    const second = createManager().cache;
    let current: CacheManager = first;
    const properties = new PropertyCacheManager(() => current);
    await properties.getOrSetList({}, 7, 1, 20, async () => 'in first');
    current = second;
    expect(await properties.getOrSetList({}, 7, 1, 20, async () => 'in second')).toBe('in second');
    expect(await second.get(properties.generateCacheKey({}, 7))).toBe('in second');
    expect(await first.get(properties.generateCacheKey({}, 7))).toBe('in first');
  });

  it('still answers, uncached, when the cache cannot be reached, and says so once per call', async () => {
    const logger = recordingLogger();
    const properties = new PropertyCacheManager(
      () => {
        throw new CacheNotInitializedError('the cache is not initialized: call initializeCache() at startup');
      },
      { logger },
    );
    expect(await properties.getOrSetList({}, 7, 1, 20, async () => 'from the database')).toBe(
      'from the database',
    );
    expect(logger.warnings).toEqual([
      'property list cache read failed, loading uncached: the cache is not initialized: call initializeCache() at startup',
    ]);
  });

  it('returns the loaded value when the store refuses it, with a warning', async () => {
    const logger = recordingLogger();
    const properties = new PropertyCacheManager(createManager().cache, { logger });
    const unstorable = { run: () => 1 };
    expect(await properties.getOrSetList({}, 7, 1, 20, async () => unstorable)).toBe(unstorable);
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toMatch(/^property list cache write failed for properties:v1:/);
  });
});

describe('getOrSetDetail', () => {
  it('misses, stores under detailCacheKey with detailTtl, then hits', async () => {
    const { cache, sets } = createManager();
    const properties = new PropertyCacheManager(cache, { listTtl: '30s', detailTtl: 300 });
    let loads = 0;
    const loader = async () => ({ id: 42, load: ++loads });
    expect(await properties.getOrSetDetail(42, loader)).toEqual({ id: 42, load: 1 });
    expect(await properties.getOrSetDetail('42', loader)).toEqual({ id: 42, load: 1 });
    expect(sets).toEqual([{ key: 'property:42:v1', value: { id: 42, load: 1 }, ttl: 300 }]);
  });

  it('is single-flight per id', async () => {
    const { cache } = createManager();
    const properties = new PropertyCacheManager(cache);
    const gate = deferred<void>();
    let loads = 0;
    const loader = async () => {
      loads++;
      await gate.promise;
      return { id: 1 };
    };
    const calls = [...Array.from({ length: 20 }, () => properties.getOrSetDetail(1, loader))];
    const other = properties.getOrSetDetail(2, loader);
    await settle();
    gate.resolve();
    await Promise.all([...calls, other]);
    expect(loads).toBe(2);
  });

  it('never stores a detail loaded before its invalidation', async () => {
    const { cache } = createManager();
    const properties = new PropertyCacheManager(cache);
    const gate = deferred<void>();
    const started = deferred<void>();
    let price = 100;
    const loader = async () => {
      const seen = price;
      started.resolve();
      await gate.promise;
      return { id: 5, price: seen };
    };
    const before = properties.getOrSetDetail(5, loader);
    await started.promise;
    price = 200;
    await properties.invalidatePropertyDetailCache(5);
    gate.resolve();
    expect(await before).toEqual({ id: 5, price: 100 });
    expect(await cache.exists('property:5:v1')).toBe(false);
    expect(await properties.getOrSetDetail(5, loader)).toEqual({ id: 5, price: 200 });
  });
});
