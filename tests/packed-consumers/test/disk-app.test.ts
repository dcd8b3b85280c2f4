/**
 * (c) A disk app: only @cache/core and @cache/disk installed from their tarballs (fast-glob
 * from npm). Bootstraps from CACHE_BACKEND/CACHE_DISK_DIR as ESM and as CommonJS, sharing one
 * folder between the two processes; with @cache/memory absent, the default memory fallback
 * becomes a NullCacheBackend with one warning (the SPEC's rule). Type-checks node16 and bundler.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bootstrapScript,
  ROUND_TRIP,
  type BootstrapReport,
  type InstalledBackend,
} from './support/bootstrap-script.js';
import { createScratchApp, type ScratchApp } from './support/scratch-app.js';
import { typecheckConsumer } from './support/typecheck.js';

const BACKENDS: InstalledBackend[] = [{ pkg: '@cache/disk', definition: 'diskBackend' }];

const CONSUMER = `
import { BackendRegistry, CacheManager, type CacheConfig } from '@cache/core';
import { DiskBackend, diskBackend, type DiskBackendOptions } from '@cache/disk';

export async function main(): Promise<void> {
  const registry = new BackendRegistry().register(diskBackend);
  const config: CacheConfig = { backend: 'disk', fallback: false, disk: { dir: '/tmp/app-cache', maxBytes: 1 << 20 } };
  const cache = CacheManager.createFromConfig(config, { registry });
  const direct: DiskBackend = new DiskBackend({ dir: '/tmp/other-cache', defaultTtl: '1d' });
  // @ts-expect-error dir is required
  const noDir: DiskBackendOptions = { maxBytes: 1024 };
  const count: number = await cache.deletePattern('user:*');
  // @ts-expect-error dir is a string
  const wrongType: CacheConfig = { disk: { dir: 42 } };
  // @ts-expect-error @cache/memory is not installed, so CacheConfig has no memory block
  const notInstalled: CacheConfig = { memory: { maxEntries: 10 } };
  void [direct, noDir, count, wrongType, notInstalled];
}
`;

let app: ScratchApp;
let cacheDir: string;

beforeAll(async () => {
  [app, cacheDir] = await Promise.all([
    createScratchApp('disk', ['@cache/core', '@cache/disk']),
    mkdtemp(join(tmpdir(), 'cache-consumer-disk-data-')),
  ]);
  await app.write('bootstrap.mjs', bootstrapScript('esm', BACKENDS, 'createFromConfig'));
  await app.write('bootstrap.cjs', bootstrapScript('cjs', BACKENDS, 'createFromConfig'));
}, 240_000);

afterAll(async () => {
  await Promise.all([app?.remove(), cacheDir && rm(cacheDir, { recursive: true, force: true })]);
});

describe('a disk app with only @cache/core and @cache/disk', () => {
  it('installs fast-glob but no ioredis and no lru-cache', () => {
    const installed = app.installedPackages();
    expect(installed).toEqual(expect.arrayContaining(['@cache/core', '@cache/disk', 'fast-glob']));
    expect(installed).not.toContain('ioredis');
    expect(installed).not.toContain('lru-cache');
    expect(installed).not.toContain('@cache/memory');
  });

  // Sequential on purpose: the CommonJS process reads what the ESM process left in the folder.
  it.each([
    ['bootstrap.mjs', 'esm', null],
    ['bootstrap.cjs', 'cjs', 'esm'],
  ] as const)('bootstraps from CACHE_DISK_DIR and round-trips: %s', async (file, kind, keptBefore) => {
    const env = { CACHE_BACKEND: 'disk', CACHE_DISK_DIR: cacheDir };
    const report = JSON.parse((await app.node(file, env)).stdout) as BootstrapReport;
    expect(report).toMatchObject({
      module: kind,
      primary: 'disk',
      fallback: 'null',
      usingFallback: false,
      keptBefore,
      ...ROUND_TRIP,
    });
    expect(report.warnings).toHaveLength(1);
    expect(report.warnings[0]).toMatch(/fallback backend 'memory' is not registered/);
    expect((await readdir(cacheDir)).length, 'the entries are files in CACHE_DISK_DIR').toBeGreaterThan(0);
  });

  it('type-checks a TypeScript consumer under node16 (ESM and CJS) and bundler', async () => {
    await typecheckConsumer(app, CONSUMER);
  });
});
