/**
 * (a) A serverless app: only @cache/core and @cache/memory installed from their tarballs.
 * Bootstraps from SERVERLESS_ENABLED, round-trips as ESM and as CommonJS, and type-checks under
 * node16 (ESM and CJS) and bundler resolution.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bootstrapScript,
  ROUND_TRIP,
  type BootstrapReport,
  type InstalledBackend,
} from './support/bootstrap-script.js';
import { createScratchApp, type ScratchApp } from './support/scratch-app.js';
import { typecheckConsumer } from './support/typecheck.js';

const BACKENDS: InstalledBackend[] = [{ pkg: '@cache/memory', definition: 'memoryBackend' }];
const ENV = { SERVERLESS_ENABLED: 'true', CACHE_BACKEND: 'redis', CACHE_MAX_ENTRIES: '500' };

const CONSUMER = `
import { BackendRegistry, CacheManager, loadConfigFromEnv, type CacheBackend, type CacheConfig } from '@cache/core';
import { MemoryBackend, memoryBackend, type MemoryBackendOptions } from '@cache/memory';

export async function main(): Promise<void> {
  const registry: BackendRegistry = new BackendRegistry().register(memoryBackend);
  const config: CacheConfig = {
    ...loadConfigFromEnv(process.env, registry),
    serverless: true,
    memory: { maxEntries: 100, defaultTtl: '5m' },
  };
  const cache: CacheManager = CacheManager.createFromConfig(config, { registry });
  const user: { name: string } | undefined = await cache.get<{ name: string }>('user:1');
  // @ts-expect-error get<T> can miss, so its result includes undefined
  const sure: { name: string } = await cache.get<{ name: string }>('user:1');
  const answer: number = await cache.getOrSet('answer', async () => 42, { ttl: '1h' });
  const backend: CacheBackend = new MemoryBackend({ maxEntries: 10 });
  const options: MemoryBackendOptions = { clone: false, maxBytes: 1024 };
  // @ts-expect-error maxEntries is a number
  const wrongType: CacheConfig = { memory: { maxEntries: 'ten' } };
  // @ts-expect-error @cache/redis is not installed, so CacheConfig has no redis block
  const notInstalled: CacheConfig = { redis: { url: 'redis://127.0.0.1:6379' } };
  void [user, sure, answer, backend, options, wrongType, notInstalled];
}
`;

let app: ScratchApp;

beforeAll(async () => {
  app = await createScratchApp('serverless', ['@cache/core', '@cache/memory']);
  await app.write('bootstrap.mjs', bootstrapScript('esm', BACKENDS, 'createFromConfig'));
  await app.write('bootstrap.cjs', bootstrapScript('cjs', BACKENDS, 'createFromConfig'));
}, 240_000);

afterAll(async () => {
  await app?.remove();
});

describe('a serverless app with only @cache/core and @cache/memory', () => {
  it('installs core, memory and lru-cache, and nothing else', () => {
    expect(app.installedPackages()).toEqual(['@cache/core', '@cache/memory', 'lru-cache']);
  });

  it.each(['bootstrap.mjs', 'bootstrap.cjs'])(
    'bootstraps from the environment and round-trips: %s',
    async (file) => {
      const report = JSON.parse((await app.node(file, ENV)).stdout) as BootstrapReport;
      expect(report).toMatchObject({
        module: file.endsWith('.mjs') ? 'esm' : 'cjs',
        // SERVERLESS_ENABLED wins over CACHE_BACKEND=redis: memory only, no fallback.
        primary: 'memory',
        fallback: null,
        usingFallback: false,
        // Each run is its own process: a memory cache starts empty.
        keptBefore: null,
        ...ROUND_TRIP,
        warnings: [],
      });
      expect(report.stats.hits).toBeGreaterThanOrEqual(3);
    },
  );

  it('type-checks a TypeScript consumer under node16 (ESM and CJS) and bundler', async () => {
    await typecheckConsumer(app, CONSUMER);
  });
});
