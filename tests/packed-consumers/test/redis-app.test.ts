/**
 * (b) A Redis app: @cache/core, @cache/redis and @cache/memory (the fallback) installed from
 * their tarballs, ioredis from npm as @cache/redis's peer. Bootstraps from CACHE_BACKEND and
 * REDIS_URL against a real redis-server through the global lifecycle (initializeCache), as ESM
 * and as CommonJS; checks what landed on the server; type-checks node16 and bundler consumers.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../../packages/redis/test/support/redis-server.js';
import {
  bootstrapScript,
  ROUND_TRIP,
  type BootstrapReport,
  type InstalledBackend,
} from './support/bootstrap-script.js';
import { createScratchApp, type ScratchApp } from './support/scratch-app.js';
import { typecheckConsumer } from './support/typecheck.js';

const BACKENDS: InstalledBackend[] = [
  { pkg: '@cache/memory', definition: 'memoryBackend' },
  { pkg: '@cache/redis', definition: 'redisBackend' },
];

const CONSUMER = `
import { BackendRegistry, CacheManager, initializeCache, type CacheConfig } from '@cache/core';
import { memoryBackend } from '@cache/memory';
import { RedisBackend, redisBackend, type RedisBackendOptions } from '@cache/redis';

export async function main(): Promise<void> {
  const registry = new BackendRegistry().register(memoryBackend).register(redisBackend);
  const config: CacheConfig = {
    backend: 'redis',
    keyPrefix: 'app:',
    redis: { url: process.env.REDIS_URL, commandTimeout: 250 },
    memory: { maxEntries: 1000 },
  };
  const cache: CacheManager = await initializeCache(config, { registry });
  const direct: RedisBackend = new RedisBackend({ url: 'redis://127.0.0.1:6379', keyPrefix: 'x:' });
  const options: RedisBackendOptions = { scanCount: 500, maxEntryBytes: 4096 };
  const hit: string[] | undefined = await cache.get<string[]>('k');
  // @ts-expect-error commandTimeout is a number of milliseconds
  const wrongType: CacheConfig = { redis: { commandTimeout: '250ms' } };
  // @ts-expect-error @cache/disk is not installed, so CacheConfig has no disk block
  const notInstalled: CacheConfig = { disk: { dir: '/tmp/cache' } };
  void [direct, options, hit, wrongType, notInstalled];
}
`;

let app: ScratchApp;
let server: RedisServer;
const prefix = `consumer-${randomBytes(4).toString('hex')}:`;

beforeAll(async () => {
  [app, server] = await Promise.all([
    createScratchApp('redis', ['@cache/core', '@cache/redis', '@cache/memory']),
    startRedisServer(),
  ]);
  await app.write('bootstrap.mjs', bootstrapScript('esm', BACKENDS, 'initializeCache'));
  await app.write('bootstrap.cjs', bootstrapScript('cjs', BACKENDS, 'initializeCache'));
}, 240_000);

afterAll(async () => {
  await Promise.all([app?.remove(), server?.stop()]);
});

describe('a Redis app with @cache/core, @cache/redis and @cache/memory', () => {
  it('installs ioredis (as the peer of @cache/redis) and lru-cache, but no fast-glob', () => {
    const installed = app.installedPackages();
    expect(installed).toEqual(
      expect.arrayContaining(['@cache/core', '@cache/memory', '@cache/redis', 'ioredis', 'lru-cache']),
    );
    expect(installed).not.toContain('fast-glob');
    expect(installed).not.toContain('@cache/disk');
  });

  // Sequential on purpose: the CommonJS run reads what the ESM run left on the server.
  it.each([
    ['bootstrap.mjs', 'esm', null],
    ['bootstrap.cjs', 'cjs', 'esm'],
  ] as const)(
    'bootstraps from REDIS_URL and round-trips on the server: %s',
    async (file, kind, keptBefore) => {
      const env = { CACHE_BACKEND: 'redis', REDIS_URL: server.url, CACHE_KEY_PREFIX: prefix };
      const report = JSON.parse((await app.node(file, env)).stdout) as BootstrapReport;
      expect(report).toMatchObject({
        module: kind,
        primary: 'redis',
        fallback: 'memory',
        usingFallback: false,
        sameGlobalManager: true,
        keptBefore,
        ...ROUND_TRIP,
        warnings: [],
      });
      // The values went to Redis under the configured prefix, as plain JSON text, and the
      // pattern invalidation removed them there.
      expect(await server.command('GET', `${prefix}kept`)).toBe(JSON.stringify(kind));
      expect(await server.command('EXISTS', `${prefix}user:1`, `${prefix}user:2`)).toBe(0);
    },
  );

  it('type-checks a TypeScript consumer under node16 (ESM and CJS) and bundler', async () => {
    await typecheckConsumer(app, CONSUMER);
  });
});
