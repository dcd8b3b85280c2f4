// @cached over a real Redis (redis-server on a free loopback port, stopped by pid): values land as
// JSON, a hung server is bounded by the backend's commandTimeout, and a dead one never changes
// what the decorated function answers.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { cached, CacheManager, invalidateCache } from '@cache/core';
import { MemoryBackend } from '@cache/memory';
import { RedisBackend } from '@cache/redis';
import { startRedisServer, type RedisServer } from '../../redis/test/support/redis-server.js';
import { recordingLogger, settle } from './fixtures/decorators/faulty-backend.js';

let server: RedisServer;
let manager: CacheManager;
const logger = recordingLogger();
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);

beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server.stop();
});
beforeEach(async () => {
  if (server.paused) server.resume();
  if (!server.running) await server.restart();
  await server.command('FLUSHALL');
  manager = new CacheManager({
    primary: new RedisBackend({ url: server.url, keyPrefix: 'dec:', commandTimeout: 200, logger }),
    fallback: new MemoryBackend({ logger }),
    logger,
  });
  await manager.connect();
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});
afterEach(async () => {
  if (server.paused) server.resume();
  await manager.disconnect();
  await new Promise((resolve) => setTimeout(resolve, 20));
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

describe('@cached over Redis', () => {
  test('a miss stores plain JSON in Redis; the next call is a hit; invalidation reaches Redis', async () => {
    let runs = 0;
    const search = cached('search', { cache: manager, ttl: 60 })(async (query: { city: string }) => {
      runs++;
      return [{ city: query.city, price: 100 }];
    });
    const reprice = invalidateCache('search:*', { cache: manager })(async () => 'done');
    expect(await search({ city: 'Goa' })).toEqual([{ city: 'Goa', price: 100 }]);
    await settle();
    const keys = (await server.command('KEYS', 'dec:search:*')) as string[];
    expect(keys).toHaveLength(1);
    expect(await server.command('GET', keys[0] as string)).toBe('[{"city":"Goa","price":100}]');
    expect(await search({ city: 'Goa' })).toEqual([{ city: 'Goa', price: 100 }]);
    expect(runs).toBe(1);
    await reprice();
    expect(await server.command('KEYS', 'dec:search:*')).toEqual([]);
    await search({ city: 'Goa' });
    expect(runs).toBe(2);
  });

  test('a hung server (SIGSTOP): the call waits at most for the command timeout, then the function answers', async () => {
    let runs = 0;
    const load = cached('hung', { cache: manager })(async (id: number) => {
      runs++;
      return { id };
    });
    server.pause();
    const results = await Promise.all([load(1), load(1), load(2)]);
    expect(results).toEqual([{ id: 1 }, { id: 1 }, { id: 2 }]);
    expect(runs).toBe(2);
  });

  test('a dead server: the function answers, and concurrent calls still share one run', async () => {
    await server.kill();
    let runs = 0;
    const load = cached('dead', { cache: manager })(async () => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return 'fresh';
    });
    expect(await Promise.all(Array.from({ length: 10 }, () => load()))).toEqual(Array(10).fill('fresh'));
    expect(runs).toBe(1);
    const failure = new Error('the function failed');
    const failing = cached('dead-failing', { cache: manager })(async () => {
      throw failure;
    });
    await expect(failing()).rejects.toBe(failure);
  });
});
