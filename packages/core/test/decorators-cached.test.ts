import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  BackendRegistry,
  cached,
  CacheKeyPatterns,
  CacheManager,
  initializeCache,
  shutdownCache,
  type CacheBackend,
} from '@cache/core';
import { memoryBackend } from '@cache/memory';
import { deferred, FaultyBackend, recordingLogger, settle } from './fixtures/decorators/faulty-backend.js';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});
afterEach(async () => {
  // Give any promise nobody handled the chance to be reported before checking.
  await settle();
  await new Promise((resolve) => setTimeout(resolve, 10));
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

/** A counted async function. */
function counter<T>(
  produce: (...args: unknown[]) => T,
): ((...args: unknown[]) => Promise<T>) & { runs: number } {
  const fn = Object.assign(
    async (...args: unknown[]): Promise<T> => {
      fn.runs++;
      return produce(...args);
    },
    { runs: 0 },
  );
  return fn;
}

describe('hits and misses', () => {
  test('a miss runs the function and stores its result; the next identical call is a hit', async () => {
    const cache = new FaultyBackend();
    const load = counter((id) => ({ id, name: `property ${String(id)}` }));
    const cachedLoad = cached('property', { cache })(load);
    expect(await cachedLoad(1)).toEqual({ id: 1, name: 'property 1' });
    await settle();
    expect(await cachedLoad(1)).toEqual({ id: 1, name: 'property 1' });
    expect(load.runs).toBe(1);
    expect(await cachedLoad(2)).toEqual({ id: 2, name: 'property 2' });
    expect(load.runs).toBe(2);
  });

  test('the ttl is passed to the backend and the entry expires with it', async () => {
    let now = 1_000;
    const cache = new FaultyBackend({ clock: { now: () => now } });
    const load = counter(() => 'v');
    const cachedLoad = cached('p', { cache, ttl: 30 })(load);
    await cachedLoad();
    await settle();
    expect(cache.calls.find((call) => call.op === 'set')?.ttl).toBe(30);
    now += 29_000;
    await cachedLoad();
    expect(load.runs).toBe(1);
    now += 2_000;
    await cachedLoad();
    expect(load.runs).toBe(2);
  });

  test('undefined is never stored', async () => {
    const cache = new FaultyBackend();
    const load = counter(() => undefined);
    const cachedLoad = cached('p', { cache })(load);
    expect(await cachedLoad()).toBeUndefined();
    await settle();
    expect(await cachedLoad()).toBeUndefined();
    expect(load.runs).toBe(2);
    expect(cache.keys('set')).toEqual([]);
  });

  test('null is stored only with cacheNull', async () => {
    const plain = new FaultyBackend();
    const loadPlain = counter(() => null);
    const withoutOption = cached('p', { cache: plain })(loadPlain);
    await withoutOption();
    await settle();
    expect(await withoutOption()).toBeNull();
    expect(loadPlain.runs).toBe(2);
    expect(plain.keys('set')).toEqual([]);

    const nulls = new FaultyBackend();
    const loadNull = counter(() => null);
    const withOption = cached('p', { cache: nulls, cacheNull: true })(loadNull);
    await withOption();
    await settle();
    expect(await withOption()).toBeNull();
    expect(loadNull.runs).toBe(1);
  });

  test('falsy values other than null and undefined are stored', async () => {
    for (const value of [0, '', false]) {
      const cache = new FaultyBackend();
      const load = counter(() => value);
      const cachedLoad = cached('p', { cache })(load);
      await cachedLoad();
      await settle();
      expect(await cachedLoad()).toBe(value);
      expect(load.runs).toBe(1);
    }
  });

  test('condition decides what is stored', async () => {
    const cache = new FaultyBackend();
    const load = counter((n) => ({ rows: Array.from({ length: n as number }, (_, i) => i) }));
    const cachedLoad = cached('p', {
      cache,
      condition: (result) => (result as { rows: number[] }).rows.length > 0,
    })(load);
    await cachedLoad(0);
    await settle();
    await cachedLoad(0);
    expect(load.runs).toBe(2);
    await cachedLoad(2);
    await settle();
    await cachedLoad(2);
    expect(load.runs).toBe(3);
  });

  test('a condition that throws stores nothing, returns the result and warns', async () => {
    const cache = new FaultyBackend();
    const logger = recordingLogger();
    const cachedLoad = cached('p', {
      cache,
      logger,
      condition: () => {
        throw new Error('bad condition');
      },
    })(async () => 'v');
    expect(await cachedLoad()).toBe('v');
    await settle();
    expect(cache.keys('set')).toEqual([]);
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toContain('condition threw');
  });

  test('a hit returns a copy: mutating it does not change the cache', async () => {
    const cache = new FaultyBackend();
    const cachedLoad = cached('p', { cache })(async () => ({ tags: ['a'] }));
    const first = await cachedLoad();
    await settle();
    first.tags.push('mutated by the caller');
    const hit = await cachedLoad();
    expect(hit).toEqual({ tags: ['a'] });
    hit.tags.push('again');
    expect(await cachedLoad()).toEqual({ tags: ['a'] });
  });

  test('`this` reaches the method and the key builders', async () => {
    const cache = new FaultyBackend();
    const service = {
      factor: 3,
      multiply: cached('mul', { cache })(async function (this: { factor: number }, n: number) {
        return n * this.factor;
      }),
    };
    expect(await service.multiply(2)).toBe(6);
  });
});

describe("the function's own errors", () => {
  test('reach the caller as the same instance and are never cached', async () => {
    const cache = new FaultyBackend();
    const failure = new RangeError('no such property');
    let runs = 0;
    const cachedLoad = cached('p', { cache })(async () => {
      runs++;
      if (runs === 1) throw failure;
      return 'recovered';
    });
    await expect(cachedLoad()).rejects.toBe(failure);
    await settle();
    expect(cache.keys('set')).toEqual([]);
    expect(await cachedLoad()).toBe('recovered');
  });

  test('are unchanged while the cache is failing too', async () => {
    const cache = new FaultyBackend();
    cache.faults.get = 'reject';
    cache.faults.set = 'throw';
    const failure = new Error('database down');
    const cachedLoad = cached('p', { cache, logger: recordingLogger() })(async () => {
      throw failure;
    });
    await expect(cachedLoad()).rejects.toBe(failure);
  });

  test('a synchronous throw from the wrapped function becomes a rejection with the same error', async () => {
    const failure = new Error('sync');
    const cachedLoad = cached('p', { cache: new FaultyBackend() })(((): Promise<string> => {
      throw failure;
    }) as () => Promise<string>);
    await expect(cachedLoad()).rejects.toBe(failure);
  });
});

describe('concurrent identical calls share one execution', () => {
  test('N callers, one run, one result, one store', async () => {
    const cache = new FaultyBackend();
    const gate = deferred<string>();
    let runs = 0;
    const cachedLoad = cached('p', { cache })(async (id: number) => {
      runs++;
      return `${await gate.promise}-${id}`;
    });
    const calls = Array.from({ length: 20 }, () => cachedLoad(1));
    const other = cachedLoad(2);
    await settle();
    gate.resolve('done');
    expect(await Promise.all(calls)).toEqual(Array.from({ length: 20 }, () => 'done-1'));
    expect(await other).toBe('done-2');
    expect(runs).toBe(2);
    await settle();
    expect(cache.keys('set')).toHaveLength(2);
    expect(await cachedLoad(1)).toBe('done-1');
    expect(runs).toBe(2);
  });

  test('a failing run reaches every waiter with the same error, and the next call runs again', async () => {
    const cache = new FaultyBackend();
    const gate = deferred<string>();
    let runs = 0;
    const cachedLoad = cached('p', { cache })(async () => {
      runs++;
      return gate.promise;
    });
    const calls = Array.from({ length: 10 }, () => cachedLoad());
    await settle();
    const failure = new Error('boom');
    gate.reject(failure);
    const outcomes = await Promise.allSettled(calls);
    expect(outcomes.every((outcome) => outcome.status === 'rejected' && outcome.reason === failure)).toBe(
      true,
    );
    expect(runs).toBe(1);
    await expect(cachedLoad()).rejects.toBe(failure);
    expect(runs).toBe(2);
  });

  test('a store that never settles does not pin the result: the next miss runs the function again', async () => {
    const cache = new FaultyBackend();
    cache.faults.set = 'hang';
    let runs = 0;
    const cachedLoad = cached('p', { cache })(async () => ++runs);
    expect(await cachedLoad()).toBe(1);
    await settle();
    expect(await cachedLoad()).toBe(2);
  });
});

describe('includeUser', () => {
  test('without a resolvable user the call runs uncached and nothing is stored', async () => {
    const cache = new FaultyBackend();
    const load = counter(() => 'private data');
    const cachedLoad = cached('me', { cache, includeUser: true })(load);
    const noUsers = [
      [],
      ['x'],
      [{ q: 1 }],
      [{ currentUser: null }],
      [{ currentUser: {} }],
      [{ userId: '' }],
      [{ userId: NaN }],
    ];
    for (const args of noUsers) {
      expect(await cachedLoad(...args)).toBe('private data');
      expect(await cachedLoad(...args)).toBe('private data');
    }
    await settle();
    expect(load.runs).toBe(noUsers.length * 2);
    expect(cache.calls).toEqual([]);
  });

  test('users never receive each other’s entries', async () => {
    const cache = new FaultyBackend();
    const cachedLoad = cached('me', { cache, includeUser: true })(
      async (context: { currentUser: { id: number } }) => `data of ${context.currentUser.id}`,
    );
    expect(await cachedLoad({ currentUser: { id: 1 } })).toBe('data of 1');
    await settle();
    expect(await cachedLoad({ currentUser: { id: 2 } })).toBe('data of 2');
    await settle();
    expect(await cachedLoad({ currentUser: { id: 1 } })).toBe('data of 1');
    expect(await cachedLoad({ currentUser: { id: 2 } })).toBe('data of 2');
  });

  test('the user comes from options.userId (with `this`), currentUser.id, or userId', async () => {
    const cache = new FaultyBackend();
    const byOption = cached('a', {
      cache,
      includeUser: true,
      userId(this: unknown, token: unknown) {
        return `${(this as { tenant: string }).tenant}-${String(token)}`;
      },
    })(async (_token: unknown) => 1);
    await byOption.call({ tenant: 't' }, 'x');
    const byCurrentUser = cached('b', { cache, includeUser: true })(async (..._args: unknown[]) => 1);
    await byCurrentUser('positional', { currentUser: { id: 'alice' } });
    const byUserId = cached('c', { cache, includeUser: true })(async (_query: object) => 1);
    await byUserId({ userId: 42, q: 'x' });
    expect(cache.keys('get').map((key) => key.split(':').slice(0, 2).join(':'))).toEqual([
      'a:ut-x',
      'b:ualice',
      'c:u42',
    ]);
  });

  test('a userId function that throws means no user: uncached, warned', async () => {
    const cache = new FaultyBackend();
    const logger = recordingLogger();
    const cachedLoad = cached('p', {
      cache,
      logger,
      includeUser: true,
      userId: () => {
        throw new Error('no session');
      },
    })(async () => 'v');
    expect(await cachedLoad()).toBe('v');
    expect(cache.calls).toEqual([]);
    expect(logger.warnings).toHaveLength(1);
  });

  test("deleting CacheKeyPatterns.forUser(id) removes that user's entries only", async () => {
    const manager = new CacheManager({ primary: new FaultyBackend() });
    const load = counter((context) => `data of ${(context as { userId: number }).userId}`);
    const cachedLoad = cached('me', { cache: manager, includeUser: true })(load);
    for (const userId of [1, 2, 11]) await cachedLoad({ userId });
    await settle();
    expect(await manager.deletePattern(CacheKeyPatterns.forUser(1))).toBe(1);
    for (const userId of [1, 2, 11]) await cachedLoad({ userId });
    expect(load.runs).toBe(4);
  });
});

describe('a cache failure never changes the result', () => {
  test.each(['throw', 'reject'] as const)('a get that fails (%s): the function answers', async (fault) => {
    const cache = new FaultyBackend();
    cache.faults.get = fault;
    const logger = recordingLogger();
    const load = counter(() => 'fresh');
    const cachedLoad = cached('p', { cache, logger })(load);
    expect(await cachedLoad()).toBe('fresh');
    expect(load.runs).toBe(1);
    expect(logger.warnings[0]).toMatch(
      /^cached\('p'\): could not read the cache for .*the call ran normally$/,
    );
  });

  test('a slow get delays the call but not its result', async () => {
    const cache = new FaultyBackend();
    cache.faults.get = { delayMs: 20 };
    expect(await cached('p', { cache })(async () => 'fresh')()).toBe('fresh');
  });

  test.each(['throw', 'reject', 'hang'] as const)(
    'a set that fails (%s): the caller has the result at once',
    async (fault) => {
      const cache = new FaultyBackend();
      cache.faults.set = fault;
      const logger = recordingLogger();
      const load = counter(() => ({ value: 1 }));
      const cachedLoad = cached('p', { cache, logger })(load);
      expect(await cachedLoad()).toEqual({ value: 1 });
      await settle();
      expect(logger.warnings).toHaveLength(fault === 'hang' ? 0 : 1);
    },
  );

  test('a result the cache cannot serialise is returned as the same object, uncached', async () => {
    const cache = new FaultyBackend();
    const logger = recordingLogger();
    const result = { id: 1, format: () => 'not data' };
    const cachedLoad = cached('p', { cache, logger })(async () => result);
    expect(await cachedLoad()).toBe(result);
    await settle();
    expect(await cachedLoad()).toBe(result);
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toContain(
      'could not store the result of (anonymous function) (E_CACHE_VALUE)',
    );
  });

  test('not initialized: the function runs and one warning says what to do', async () => {
    await shutdownCache();
    const logger = recordingLogger();
    const load = counter(() => 'v');
    const cachedLoad = cached('p', { logger })(load);
    for (let i = 0; i < 20; i++) expect(await cachedLoad()).toBe('v');
    expect(load.runs).toBe(20);
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toContain('E_CACHE_NOT_INITIALIZED');
    expect(logger.warnings[0]).toContain('call initializeCache() at startup, or pass options.cache');
  });

  test('a cache function that throws or returns nothing: uncached', async () => {
    const logger = recordingLogger();
    const throwing = cached('a', {
      logger,
      cache: () => {
        throw new Error('no manager');
      },
    })(async () => 1);
    const empty = cached('b', { logger, cache: () => undefined as unknown as CacheBackend })(async () => 2);
    expect(await throwing()).toBe(1);
    expect(await empty()).toBe(2);
    expect(logger.warnings).toHaveLength(2);
  });

  test('an argument that cannot be encoded (a cycle): uncached, warned', async () => {
    const cache = new FaultyBackend();
    const logger = recordingLogger();
    const cyclic: Record<string, unknown> = { id: 1 };
    cyclic.self = cyclic;
    const load = counter(() => 'v');
    expect(await cached('p', { cache, logger })(load)(cyclic)).toBe('v');
    expect(cache.calls).toEqual([]);
    expect(logger.warnings[0]).toContain('E_CACHE_KEY');
  });

  test.each([
    ['an empty string', ''],
    ['bigint', 1n],
    ['undefined', undefined],
  ])('a key function that returns %s: uncached, warned', async (_name, part) => {
    const cache = new FaultyBackend();
    const logger = recordingLogger();
    const load = counter(() => 'v');
    const cachedLoad = cached('p', { cache, logger, key: () => part as string })(load);
    expect(await cachedLoad()).toBe('v');
    expect(cache.calls).toEqual([]);
    expect(logger.warnings[0]).toContain(
      'could not build a cache key for (anonymous function) (E_CACHE_KEY)',
    );
  });

  test('a key over the size limit: the backend refuses it, the function still answers', async () => {
    const cache = new FaultyBackend();
    const logger = recordingLogger();
    const load = counter(() => 'v');
    const cachedLoad = cached('p', { cache, logger, includeUser: true })(load);
    expect(await cachedLoad({ userId: 'u'.repeat(2000) })).toBe('v');
    expect(logger.warnings[0]).toContain('E_CACHE_KEY');
  });

  test('a failure is reported once, not once per call', async () => {
    const cache = new FaultyBackend();
    cache.faults.get = 'reject';
    cache.faults.set = 'reject';
    const logger = recordingLogger();
    const cachedLoad = cached('p', { cache, logger })(async (n: number) => n);
    for (let i = 0; i < 50; i++) await cachedLoad(i);
    await settle();
    expect(logger.warnings).toHaveLength(2);
  });

  test('a logger that throws does not break the call', async () => {
    const cache = new FaultyBackend();
    cache.faults.get = 'throw';
    const logger = {
      warn: () => {
        throw new Error('logger down');
      },
      error: () => {},
    };
    expect(await cached('p', { cache, logger })(async () => 'v')()).toBe('v');
  });
});

describe('the cache is resolved at call time', () => {
  test('options.cache as a function is asked on every call', async () => {
    const first = new FaultyBackend();
    const second = new FaultyBackend();
    let current = first;
    const cachedLoad = cached('p', { cache: () => current })(async () => 'v');
    await cachedLoad();
    current = second;
    await cachedLoad();
    expect(first.keys('get')).toHaveLength(1);
    expect(second.keys('get')).toHaveLength(1);
  });

  test('without options.cache, the global manager once initializeCache has run', async () => {
    const logger = recordingLogger();
    const load = counter(() => 'v');
    const cachedLoad = cached('global', { logger })(load);
    await shutdownCache();
    await cachedLoad();
    expect(logger.warnings).toHaveLength(1);
    const registry = new BackendRegistry().register(memoryBackend);
    const manager = await initializeCache({ backend: 'memory' }, { registry });
    try {
      await cachedLoad();
      await settle();
      await cachedLoad();
      expect(load.runs).toBe(2);
      expect(await manager.deletePattern(CacheKeyPatterns.forPrefix('global'))).toBe(1);
    } finally {
      await shutdownCache();
    }
  });
});
