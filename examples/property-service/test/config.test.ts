/** How the environment picks the cache, and what the disk cache does across restarts. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findFreePort } from '../../../packages/redis/test/support/redis-server.js';
import { ListingsDatabase } from '../src/db.js';
import { startService, type RunningService } from './support/service.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'property-service-config-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function start(env: Record<string, string>, database?: ListingsDatabase): Promise<RunningService> {
  const service = await startService(env, database === undefined ? {} : { database });
  cleanups.push(() => service.close());
  return service;
}

describe('cache selection from the environment', () => {
  it('SERVERLESS_ENABLED=1 runs on memory with no fallback, even when Redis is asked for', async () => {
    const port = await findFreePort(); // nothing listens there: a Redis client would fail loudly
    const service = await start({
      SERVERLESS_ENABLED: '1',
      CACHE_BACKEND: 'redis',
      REDIS_URL: `redis://127.0.0.1:${port}`,
    });
    const { body } = await service.call('GET', '/cache/stats');
    expect(body).toMatchObject({ active: 'memory', primary: 'memory', fallback: null, usingFallback: false });
    expect(service.describeCache()).toBe('memory, no fallback');
  });

  it('CACHE_BACKEND=redis with Redis unreachable serves from the memory fallback', async () => {
    const port = await findFreePort();
    const service = await start({ CACHE_BACKEND: 'redis', REDIS_URL: `redis://127.0.0.1:${port}` });
    const { body } = await service.call('GET', '/cache/stats');
    expect(body).toMatchObject({
      active: 'memory',
      primary: 'redis',
      fallback: 'memory',
      usingFallback: true,
    });
    const path = '/properties?city=Lille';
    expect((await service.call('GET', path)).headers.get('x-cache')).toBe('miss');
    expect((await service.call('GET', path)).headers.get('x-cache')).toBe('hit');
  });

  it('CACHE_ENABLED=0 runs without a cache: every read queries the database, codes cannot be issued', async () => {
    const service = await start({ CACHE_ENABLED: '0' });
    const { body } = await service.call('GET', '/cache/stats');
    expect(body).toMatchObject({ active: 'null', primary: 'null', fallback: null });
    expect((await service.call('GET', '/properties?city=Lille')).headers.get('x-cache')).toBe('miss');
    expect((await service.call('GET', '/properties?city=Lille')).headers.get('x-cache')).toBe('miss');
    const code = await service.call<{ message: string }>('POST', '/auth/code', { user: 'u1' });
    expect(code.status).toBe(503);
    expect(code.body.message).toBe('cannot issue a code right now: the cache did not store it');
  });

  it('defaults to the disk cache with a memory fallback and says where it is', async () => {
    const dir = tempDir();
    const service = await start({ CACHE_DISK_DIR: dir });
    expect(service.describeCache()).toBe(`disk (${dir}), fallback memory`);
  });

  it('rejects a malformed cache variable at build time, naming it', async () => {
    await expect(startService({ CACHE_DEFAULT_TTL: 'soon' })).rejects.toThrow(/CACHE_DEFAULT_TTL/);
  });
});

describe('the disk cache across restarts', () => {
  it('serves a restarted service from the cache it left on disk', async () => {
    const dir = tempDir();
    const file = join(tempDir(), 'listings.sqlite');
    const first = await start({ CACHE_DISK_DIR: dir }, new ListingsDatabase({ file, listings: 10_000 }));
    const path = '/properties?city=Grenoble&bedrooms=3';
    const cold = await first.call('GET', path);
    expect(cold.headers.get('x-cache')).toBe('miss');
    await first.close();
    first.db.close();

    const again = new ListingsDatabase({ file });
    expect(again.seeded).toBe(false);
    const second = await start({ CACHE_DISK_DIR: dir }, again);
    cleanups.push(() => again.close());
    const warm = await second.call('GET', path);
    expect(warm.headers.get('x-cache')).toBe('hit');
    expect(warm.body).toEqual(cold.body);
  });

  it('drops the entries of an older database when it starts on a freshly seeded one', async () => {
    const dir = tempDir();
    const first = await start({ CACHE_DISK_DIR: dir });
    const path = '/properties?city=Rennes';
    await first.call('GET', path);
    expect((await first.call('GET', path)).headers.get('x-cache')).toBe('hit');
    await first.close();

    const second = await start({ CACHE_DISK_DIR: dir }); // a new in-memory database: seeded now
    expect((await second.call('GET', path)).headers.get('x-cache')).toBe('miss');
  });
});
