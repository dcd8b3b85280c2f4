/**
 * Redis misbehaving under load: killed, hung (SIGSTOP), restarted. Every operation must settle
 * within commandTimeout + 100 ms (a correctness bound: a cache must never stall its caller),
 * nothing may reject or leave an unhandled rejection, the breaker must make isAvailable()
 * false during the outage and true after it, and each state change is logged once.
 */
import { CacheManager } from '@cache/core';
import { MemoryBackend } from '@cache/memory';
import { RedisBackend } from '@cache/redis';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  recordingLogger,
  uniquePrefix,
  withUnhandledRejections,
  type RecordingLogger,
} from './support/fixtures.js';
import { startRedisServer, type RedisServer } from './support/redis-server.js';

const COMMAND_TIMEOUT = 300;
const BOUND = COMMAND_TIMEOUT + 100;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serverAndBackend(): Promise<{
  server: RedisServer;
  backend: RedisBackend;
  logger: RecordingLogger;
}> {
  const server = await startRedisServer();
  cleanups.push(() => server.stop());
  const logger = recordingLogger();
  const backend = new RedisBackend({
    url: server.url,
    keyPrefix: uniquePrefix('fault'),
    commandTimeout: COMMAND_TIMEOUT,
    breaker: { failureThreshold: 5, cooldownMs: 200 },
    logger,
  });
  cleanups.push(() => backend.disconnect());
  await backend.connect();
  return { server, backend, logger };
}

interface LoadReport {
  operations: number;
  slowest: number;
  slowestOperation: string;
  rejections: unknown[];
}

/**
 * Keeps `workers` callers busy with a mix of every operation until `stop()`. Each worker
 * yields to the event loop between operations, as a real request handler would.
 */
function startLoad(backend: RedisBackend, workers = 16): { stop(): Promise<LoadReport> } {
  let running = true;
  const report: LoadReport = { operations: 0, slowest: 0, slowestOperation: '', rejections: [] };
  const operations: Array<[string, (i: number) => Promise<unknown>]> = [
    ['get', (i) => backend.get(`k${i % 50}`)],
    ['set', (i) => backend.set(`k${i % 50}`, { i, at: Date.now() }, 60)],
    ['getAndDelete', (i) => backend.getAndDelete(`k${(i * 7) % 50}`)],
    ['delete', (i) => backend.delete(`k${(i * 3) % 50}`)],
    ['exists', (i) => backend.exists(`k${i % 50}`)],
    ['deletePattern', (i) => backend.deletePattern(`k${i % 5}*`)],
  ];
  const worker = async (id: number): Promise<void> => {
    for (let i = id; running; i += workers) {
      const [name, run] = operations[i % operations.length] as [string, (i: number) => Promise<unknown>];
      const start = performance.now();
      try {
        await run(i);
      } catch (error) {
        report.rejections.push(error);
      }
      const ms = performance.now() - start;
      report.operations++;
      if (ms > report.slowest) {
        report.slowest = ms;
        report.slowestOperation = name;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const done = Promise.all(Array.from({ length: workers }, (_, id) => worker(id)));
  return {
    async stop() {
      running = false;
      await done;
      return report;
    },
  };
}

/** deletePattern walks the keyspace with several commands; each is bounded, and the walk here is one step. */
function expectBounded(report: LoadReport): void {
  expect(report.rejections).toEqual([]);
  expect(report.operations).toBeGreaterThan(0);
  expect(report.slowest, `slowest operation (${report.slowestOperation})`).toBeLessThanOrEqual(BOUND);
}

describe('faults under load', () => {
  it('server killed mid-load, then started again: bounded, unavailable during, available after', async () => {
    const { server, backend, logger } = await serverAndBackend();
    const { unhandled } = await withUnhandledRejections(async () => {
      const load = startLoad(backend);
      await sleep(300);
      await server.kill();
      await sleep(200);
      expect(backend.isAvailable()).toBe(false);
      await sleep(800);
      await server.restart();
      await expect.poll(() => backend.isAvailable(), { timeout: 5000, interval: 20 }).toBe(true);
      await sleep(300);
      expectBounded(await load.stop());
    });
    expect(unhandled).toEqual([]);
    expect(await backend.set('after', 'restart')).toBe(true);
    expect(await backend.get('after')).toBe('restart');
    expect(logger.matching('is unavailable')).toHaveLength(1);
    expect(logger.matching('is available again')).toHaveLength(1);
    expect(backend.stats().errors).toBeGreaterThan(0);
  });

  it('server hung (SIGSTOP) then continued (SIGCONT): bounded, breaker opens, a probe closes it', async () => {
    const { server, backend, logger } = await serverAndBackend();
    const { unhandled } = await withUnhandledRejections(async () => {
      const load = startLoad(backend);
      await sleep(300);
      server.pause();
      await expect.poll(() => backend.breakerState, { timeout: 3000, interval: 10 }).not.toBe('closed');
      expect(backend.isAvailable()).toBe(false);
      await sleep(1000);
      expect(backend.isAvailable()).toBe(false);
      server.resume();
      await expect.poll(() => backend.isAvailable(), { timeout: 5000, interval: 20 }).toBe(true);
      await sleep(300);
      expectBounded(await load.stop());
    });
    expect(unhandled).toEqual([]);
    expect(backend.breakerState).toBe('closed');
    expect(await backend.set('after', 'resume')).toBe(true);
    expect(await backend.get('after')).toBe('resume');
    // One line per state change, however many operations failed in between.
    expect(logger.matching('is unavailable')).toHaveLength(1);
    expect(logger.matching('is available again')).toHaveLength(1);
  });

  it('server restarted (graceful shutdown) mid-load: bounded, and serving again afterwards', async () => {
    const { server, backend } = await serverAndBackend();
    const { unhandled } = await withUnhandledRejections(async () => {
      const load = startLoad(backend);
      await sleep(300);
      await server.restart();
      await expect.poll(() => backend.isAvailable(), { timeout: 5000, interval: 20 }).toBe(true);
      await sleep(300);
      expectBounded(await load.stop());
    });
    expect(unhandled).toEqual([]);
    expect(await backend.set('after', 1)).toBe(true);
    expect(await backend.get('after')).toBe(1);
  });

  it('a connection that answers nothing for several probes is dropped and re-established', async () => {
    const { server, backend, logger } = await serverAndBackend();
    const events: string[] = [];
    backend.client.on('reconnecting', () => events.push('reconnecting'));
    server.pause();
    try {
      // Commands time out and trip the breaker; then 5 silent probes make the backend reconnect.
      await Promise.all(Array.from({ length: 5 }, () => backend.get('k')));
      expect(backend.breakerState).not.toBe('closed');
      await expect.poll(() => events.length, { timeout: 10_000, interval: 50 }).toBeGreaterThan(0);
      expect(logger.matching('answered none of 5 probes: reconnecting')).toHaveLength(1);
      expect(backend.isAvailable()).toBe(false);
    } finally {
      server.resume();
    }
    await expect.poll(() => backend.isAvailable(), { timeout: 5000, interval: 20 }).toBe(true);
    expect(await backend.set('after', 1)).toBe(true);
    expect(await backend.get('after')).toBe(1);
  });

  it('a hang opens the breaker at the first silent timeout, so a miss stores its value on the fallback', async () => {
    const { server, backend } = await serverAndBackend();
    const fallback = new MemoryBackend();
    const manager = new CacheManager({ primary: backend, fallback, logger: recordingLogger() });
    await manager.connect();
    cleanups.push(() => manager.disconnect());
    server.pause();
    try {
      // One read in flight when the server hangs: with failureThreshold 5, only the silence
      // of the connection can open the breaker after one failure, before getOrSet writes.
      const value = await manager.getOrSet('listing', () => Promise.resolve({ id: 1 }), { ttl: 60 });
      expect(value).toEqual({ id: 1 });
      expect(backend.breakerState).toBe('open');
      expect(backend.stats().errors).toBe(1);
      expect(await fallback.get('listing')).toEqual({ id: 1 });
    } finally {
      server.resume();
    }
  });

  it('a single stalled command answers a miss at the deadline without waiting for the server', async () => {
    const { server, backend } = await serverAndBackend();
    await backend.set('k', 'v');
    server.pause();
    try {
      const start = performance.now();
      const answers = await Promise.all([
        backend.get('k'),
        backend.set('k', 'w'),
        backend.delete('k'),
        backend.exists('k'),
      ]);
      const ms = performance.now() - start;
      expect(answers).toEqual([undefined, false, false, false]);
      expect(ms).toBeGreaterThanOrEqual(COMMAND_TIMEOUT - 5);
      expect(ms).toBeLessThanOrEqual(BOUND);
      expect(backend.stats().errors).toBe(4);
    } finally {
      server.resume();
    }
  });
});

describe('CacheManager with a memory fallback', () => {
  it('falls back during a hang, comes back after it, and serves nothing changed or invalidated during the outage', async () => {
    const { server, backend } = await serverAndBackend();
    const manager = new CacheManager({
      primary: backend,
      fallback: new MemoryBackend(),
      logger: recordingLogger(),
    });
    const events: string[] = [];
    manager.on('fallback', () => events.push('fallback'));
    manager.on('recovered', () => events.push('recovered'));

    await manager.set('changed', 'old');
    await manager.set('deleted', 'old');
    await manager.set('list:1', 'old');
    await manager.set('list:2', 'old');
    await manager.set('untouched', 'kept');
    await manager.set('taken', 'old');

    const { unhandled } = await withUnhandledRejections(async () => {
      server.pause();
      // Traffic trips the breaker; each call is bounded meanwhile.
      while (!manager.usingFallback) {
        const start = performance.now();
        await manager.get('untouched');
        expect(performance.now() - start).toBeLessThanOrEqual(BOUND);
      }

      // The outage: writes and invalidations land on the fallback only.
      expect(await manager.set('changed', 'new')).toBe(true);
      expect(await manager.delete('deleted')).toBe(false);
      expect(await manager.deletePattern('list:*')).toBe(0);
      expect(await manager.getAndDelete('taken')).toBeUndefined();
      expect(await manager.get('changed')).toBe('new');
      expect(events).toEqual(['fallback']);

      server.resume();
      await expect.poll(() => backend.isAvailable(), { timeout: 5000, interval: 20 }).toBe(true);
      // The first operation after recovery replays the outage's invalidations on Redis.
      await manager.get('untouched');
      expect(manager.usingFallback).toBe(false);
    });
    expect(unhandled).toEqual([]);
    expect(events).toEqual(['fallback', 'recovered']);

    // Redis still held the old values; none of them may be served now.
    expect(await manager.get('changed')).not.toBe('old');
    expect(await manager.get('deleted')).toBeUndefined();
    expect(await manager.get('list:1')).toBeUndefined();
    expect(await manager.get('list:2')).toBeUndefined();
    expect(await manager.get('taken')).toBeUndefined();
    expect(await manager.get('untouched')).toBe('kept');
    await manager.disconnect();
  });

  it('falls back when Redis is killed and routes back once it is restarted', async () => {
    const { server, backend } = await serverAndBackend();
    const manager = new CacheManager({
      primary: backend,
      fallback: new MemoryBackend(),
      logger: recordingLogger(),
    });
    await manager.set('k', 'before');
    await server.kill();
    await expect.poll(() => manager.usingFallback, { timeout: 2000, interval: 10 }).toBe(true);
    expect(await manager.set('k', 'during')).toBe(true);
    expect(await manager.get('k')).toBe('during');
    await server.restart();
    await expect.poll(() => backend.isAvailable(), { timeout: 5000, interval: 20 }).toBe(true);
    expect(await manager.get('k')).toBeUndefined();
    expect(manager.usingFallback).toBe(false);
    expect(await manager.set('k', 'after')).toBe(true);
    expect(await backend.get('k')).toBe('after');
    await manager.disconnect();
  });

  it('starts on the fallback when Redis is down at start-up, and moves to Redis when it appears', async () => {
    const server = await startRedisServer();
    cleanups.push(() => server.stop());
    await server.kill();
    const backend = new RedisBackend({
      url: server.url,
      keyPrefix: uniquePrefix('late'),
      logger: recordingLogger(),
      connectTimeout: 500,
    });
    const manager = new CacheManager({
      primary: backend,
      fallback: new MemoryBackend(),
      logger: recordingLogger(),
    });
    cleanups.push(() => manager.disconnect());
    await manager.connect();
    expect(manager.usingFallback).toBe(true);
    expect(await manager.set('k', 'fallback')).toBe(true);
    await server.restart();
    await expect.poll(() => backend.isAvailable(), { timeout: 5000, interval: 20 }).toBe(true);
    expect(await manager.get('k')).toBeUndefined();
    expect(manager.usingFallback).toBe(false);
  });
});
