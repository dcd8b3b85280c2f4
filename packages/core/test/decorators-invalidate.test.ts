import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  cached,
  CacheConfigError,
  CacheKeyPatterns,
  CacheManager,
  encodeKeyPart,
  invalidateCache,
  shutdownCache,
} from '@cache/core';
import { FaultyBackend, recordingLogger, settle } from './fixtures/decorators/faulty-backend.js';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});
afterEach(async () => {
  await settle();
  await new Promise((resolve) => setTimeout(resolve, 10));
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

async function seed(cache: FaultyBackend, keys: string[]): Promise<void> {
  for (const key of keys) await cache.inner.set(key, 'cached');
}

async function present(cache: FaultyBackend, keys: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const key of keys) if (await cache.inner.exists(key)) found.push(key);
  return found;
}

describe('invalidateCache', () => {
  test('runs the function first, then deletes every pattern, before the call resolves', async () => {
    const cache = new FaultyBackend();
    await seed(cache, ['properties:a', 'properties:b', 'property:1:v1', 'other:x']);
    const order: string[] = [];
    const save = invalidateCache(['properties:*', 'property:1:*'], { cache })(async () => {
      order.push(`function ran; deletes so far: ${cache.keys('deletePattern').length}`);
      return 'saved';
    });
    expect(await save()).toBe('saved');
    expect(order).toEqual(['function ran; deletes so far: 0']);
    expect(cache.keys('deletePattern')).toEqual(['properties:*', 'property:1:*']);
    expect(await present(cache, ['properties:a', 'properties:b', 'property:1:v1', 'other:x'])).toEqual([
      'other:x',
    ]);
  });

  test('if the function throws, nothing is invalidated and the caller gets the same error', async () => {
    const cache = new FaultyBackend();
    await seed(cache, ['properties:a']);
    const failure = new Error('constraint violated');
    const save = invalidateCache('properties:*', { cache })(async () => {
      throw failure;
    });
    await expect(save()).rejects.toBe(failure);
    expect(cache.keys('deletePattern')).toEqual([]);
    expect(await present(cache, ['properties:a'])).toEqual(['properties:a']);
  });

  test('patterns computed from (args, result); `this` is the method’s', async () => {
    const cache = new FaultyBackend();
    const received: unknown[] = [];
    const move = invalidateCache(
      function (this: unknown, args: readonly [string, string], result: { city: string }) {
        received.push(this, [...args], result);
        return [CacheKeyPatterns.forProperty(args[0]), CacheKeyPatterns.forPrefix(`city-${result.city}`)];
      },
      { cache },
    )(async function (this: unknown, id: string, city: string) {
      return { id, city };
    });
    const owner = { name: 'service' };
    await move.call(owner, '7', 'Goa');
    expect(received).toEqual([owner, ['7', 'Goa'], { id: '7', city: 'Goa' }]);
    expect(cache.keys('deletePattern')).toEqual(['property:7:*', 'city-Goa:*']);
  });

  test('CacheKeyPatterns escapes ids: a hostile id deletes only its own property', async () => {
    const cache = new FaultyBackend();
    const keyFor = (id: string): string => `property:${encodeKeyPart(id)}:v1`;
    const keys = ['1', '12', '*', '1*', '[1]'].map(keyFor);
    await seed(cache, keys);
    const update = invalidateCache((args) => CacheKeyPatterns.forProperty(args[0]), { cache })(
      async (_id: string) => undefined,
    );
    await update('*');
    expect(await present(cache, keys)).toEqual(['1', '12', '1*', '[1]'].map(keyFor));
    await update('[1]');
    expect(await present(cache, keys)).toEqual(['1', '12', '1*'].map(keyFor));
    await update('1');
    expect(await present(cache, keys)).toEqual(['12', '1*'].map(keyFor));
  });

  test('with @cached: a read after the update sees the new value', async () => {
    const manager = new CacheManager({ primary: new FaultyBackend() });
    const rows = new Map([['1', { id: '1', price: 100 }]]);
    let reads = 0;
    class Properties {
      @cached('property', { cache: manager, key: (id: string) => `${id}:detail` })
      async get(id: string): Promise<{ id: string; price: number } | undefined> {
        reads++;
        const row = rows.get(id);
        return row && { ...row };
      }

      @invalidateCache((args) => CacheKeyPatterns.forProperty(args[0]), { cache: manager })
      async setPrice(id: string, price: number): Promise<void> {
        rows.set(id, { id, price });
      }
    }
    const properties = new Properties();
    expect(await properties.get('1')).toEqual({ id: '1', price: 100 });
    await settle();
    expect(await properties.get('1')).toEqual({ id: '1', price: 100 });
    await properties.setPrice('1', 120);
    expect(await properties.get('1')).toEqual({ id: '1', price: 120 });
    expect(reads).toBe(2);
  });
});

describe('an invalidation failure never fails the call', () => {
  test.each(['throw', 'reject'] as const)(
    'deletePattern that fails (%s): result returned, warned',
    async (fault) => {
      const cache = new FaultyBackend();
      cache.faults.deletePattern = fault;
      const logger = recordingLogger();
      const save = invalidateCache(['a:*', 'b:*'], { cache, logger })(async () => 'saved');
      expect(await save()).toBe('saved');
      expect(cache.keys('deletePattern')).toEqual(['a:*', 'b:*']);
      expect(logger.warnings).toHaveLength(1);
      expect(logger.warnings[0]).toMatch(
        /^invalidateCache\(\["a:\*","b:\*"\]\): could not invalidate a pattern after/,
      );
    },
  );

  test('not initialized: the result is returned and one warning says so', async () => {
    await shutdownCache();
    const logger = recordingLogger();
    const save = invalidateCache('a:*', { logger })(async () => 'saved');
    expect(await save()).toBe('saved');
    expect(await save()).toBe('saved');
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toContain('E_CACHE_NOT_INITIALIZED');
    expect(logger.warnings[0]).toContain('call initializeCache() at startup, or pass options.cache');
  });

  test('a patterns function that throws or returns junk: result returned, warned', async () => {
    const cache = new FaultyBackend();
    const logger = recordingLogger();
    const throwing = invalidateCache(
      () => {
        throw new Error('bad patterns');
      },
      { cache, logger },
    )(async () => 1);
    const junk = invalidateCache(() => [''] as string[], { cache, logger })(async () => 2);
    expect(await throwing()).toBe(1);
    expect(await junk()).toBe(2);
    expect(cache.keys('deletePattern')).toEqual([]);
    expect(logger.warnings).toHaveLength(2);
  });
});

describe('patterns and options are checked when decorating', () => {
  const cases: [string, () => unknown, string][] = [
    [
      'empty pattern',
      () => invalidateCache(''),
      'patterns must be a non-empty pattern string or an array of them',
    ],
    ['array with a non-string', () => invalidateCache(['a:*', 1 as never]), 'patterns must be'],
    [
      'not a pattern at all',
      () => invalidateCache(42n as never),
      'invalidateCache(<bigint>): patterns must be',
    ],
    [
      'unknown option',
      () => invalidateCache('a:*', { ttl: 1 } as never),
      "unknown option 'ttl' (known: cache, logger)",
    ],
    ['bad cache', () => invalidateCache('a:*', { cache: 'redis' as never }), 'cache must be a CacheManager'],
  ];
  test.each(cases)('%s', (_name, decorate, message) => {
    expect(decorate).toThrow(CacheConfigError);
    expect(decorate).toThrow(message);
  });
});
