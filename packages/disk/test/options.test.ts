import * as os from 'node:os';
import * as path from 'node:path';
import {
  BackendRegistry,
  CacheConfigError,
  CacheManager,
  loadConfigFromEnv,
  type CacheLogger,
} from '@cache/core';
import { describe, expect, it } from 'vitest';
import { DiskBackend, defaultDiskDir, diskBackend, type DiskBackendOptions } from '../src/index.js';
import { tempFolder } from './support/temp-folder.js';

const reject = (options: unknown, message: string): void => {
  expect(() => new DiskBackend(options as DiskBackendOptions)).toThrowError(new CacheConfigError(message));
  try {
    new DiskBackend(options as DiskBackendOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(CacheConfigError);
  }
};

describe('DiskBackend options', () => {
  it('rejects bad options eagerly, with messages that name the option', () => {
    reject(undefined, 'disk backend: options must be an object with a dir (got undefined)');
    reject({}, 'disk backend: dir must be a non-empty string naming the cache folder (got undefined)');
    reject({ dir: '  ' }, 'disk backend: dir must be a non-empty string naming the cache folder (got "  ")');
    reject({ dir: 'a\0b' }, 'disk backend: dir must not contain a NUL character');
    reject({ dir: 'x', maxBytes: 0 }, 'disk backend: maxBytes must be a positive integer (got 0)');
    reject({ dir: 'x', maxBytes: 1.5 }, 'disk backend: maxBytes must be a positive integer (got 1.5)');
    reject(
      { dir: 'x', maxEntryBytes: '1mb' },
      'disk backend: maxEntryBytes must be a positive integer (got "1mb")',
    );
    reject(
      { dir: 'x', sweepIntervalMs: -1 },
      'disk backend: sweepIntervalMs must be a non-negative integer (got -1)',
    );
    reject({ dir: 'x', fsync: 'yes' }, 'disk backend: fsync must be a boolean (got "yes")');
    reject(
      { dir: 'x', readCacheBytes: -1 },
      'disk backend: readCacheBytes must be a non-negative integer (got -1)',
    );
    reject({ dir: 'x', logger: {} }, 'disk backend: logger must have warn() and error() methods');
    reject(
      { dir: 'x', clock: 5 },
      'disk backend: clock must have a now() method returning epoch milliseconds',
    );
    expect(() => new DiskBackend({ dir: 'x', defaultTtl: 0 })).toThrowError(/disk backend: defaultTtl/);
    expect(() => new DiskBackend({ dir: 'x', defaultTtl: '5 fortnights' })).toThrowError(CacheConfigError);
  });

  it('resolves a relative dir once, against the working directory at construction', () => {
    expect(new DiskBackend({ dir: 'some/cache' }).dir).toBe(path.resolve('some/cache'));
  });

  it('warns once about unknown options and accepts the manager’s keyPrefix silently', () => {
    const warned: string[] = [];
    const logger: CacheLogger = { warn: (m) => void warned.push(m), error: () => undefined };
    new DiskBackend({ dir: 'x', logger, keyPrefix: 'app:', maxbytes: 5 } as DiskBackendOptions);
    expect(warned).toEqual([
      "[disk] unknown option 'maxbytes' ignored (known: dir, maxBytes, maxEntryBytes, defaultTtl, sweepIntervalMs, fsync, readCacheBytes, logger, clock)",
    ]);
  });
});

describe('diskBackend definition', () => {
  it('has type disk and creates a DiskBackend named disk', () => {
    const backend = diskBackend.create({ dir: tempFolder() }, { logger: console });
    expect(diskBackend.type).toBe('disk');
    expect(backend).toBeInstanceOf(DiskBackend);
    expect(backend.name).toBe('disk');
  });

  it('without options uses the per-user folder under the system temp folder', () => {
    const backend = diskBackend.create(undefined, { logger: console }) as DiskBackend;
    expect(backend.dir).toBe(defaultDiskDir());
    expect(path.dirname(defaultDiskDir())).toBe(os.tmpdir());
    expect(path.basename(defaultDiskDir())).toBe(`cache-toolkit-${process.getuid?.() ?? ''}`);
  });

  it('fromEnv reads CACHE_DISK_DIR, CACHE_MAX_BYTES and CACHE_MAX_ENTRY_BYTES (sizes with units)', () => {
    const fromEnv = diskBackend.fromEnv!;
    expect(fromEnv({})).toEqual({ dir: defaultDiskDir() });
    expect(
      fromEnv({
        CACHE_DISK_DIR: ' /var/cache/app ',
        CACHE_MAX_BYTES: '64MiB',
        CACHE_MAX_ENTRY_BYTES: '1048576',
      }),
    ).toEqual({
      dir: '/var/cache/app',
      maxBytes: 64 * 1024 * 1024,
      maxEntryBytes: 1048576,
    });
    expect(fromEnv({ CACHE_DISK_DIR: '' })).toEqual({ dir: defaultDiskDir() });
  });

  it('fromEnv names the malformed variable', () => {
    const fromEnv = diskBackend.fromEnv!;
    expect(() => fromEnv({ CACHE_MAX_BYTES: 'lots' })).toThrowError(CacheConfigError);
    expect(() => fromEnv({ CACHE_MAX_BYTES: 'lots' })).toThrowError(/CACHE_MAX_BYTES/);
    expect(() => fromEnv({ CACHE_MAX_ENTRY_BYTES: '-1' })).toThrowError(/CACHE_MAX_ENTRY_BYTES/);
    expect(() => fromEnv({ CACHE_DISK_DIR: 'a\0b' })).toThrowError(/CACHE_DISK_DIR/);
  });

  it('is picked up by loadConfigFromEnv and createFromConfig (disk is the default backend)', async () => {
    const dir = tempFolder();
    const registry = new BackendRegistry().register(diskBackend);
    const config = loadConfigFromEnv({ CACHE_DISK_DIR: dir, CACHE_MAX_BYTES: '1m' }, registry);
    expect(config.disk).toEqual({ dir, maxBytes: 1024 * 1024 });
    const manager = CacheManager.createFromConfig({ ...config, fallback: false }, { registry });
    expect(manager.primary).toBeInstanceOf(DiskBackend);
    expect((manager.primary as DiskBackend).dir).toBe(dir);
    await manager.connect();
    await manager.set('k', { v: 1 });
    expect(await manager.get('k')).toEqual({ v: 1 });
    await manager.disconnect();
  });
});
