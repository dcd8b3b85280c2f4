import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  BackendRegistry,
  CacheBackendError,
  CacheManager,
  NullCacheBackend,
  silentLogger,
  type CacheLogger,
} from '@cache/core';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskBackend, diskBackend, type DiskBackendOptions } from '../src/index.js';
import { FaultyFs } from './support/faulty-fs.js';
import { entryFiles, mountTmpfs, remountReadOnly, tempFolder } from './support/temp-folder.js';

const open: DiskBackend[] = [];
afterEach(async () => {
  for (const backend of open.splice(0)) await backend.disconnect();
});

function backend(options: DiskBackendOptions, fs?: FaultyFs): DiskBackend {
  const created = new DiskBackend({ sweepIntervalMs: 0, logger: silentLogger, ...options }, fs?.layer);
  open.push(created);
  return created;
}

async function connectError(cache: DiskBackend): Promise<CacheBackendError> {
  const error: unknown = await cache.connect().then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(CacheBackendError);
  expect(cache.isAvailable()).toBe(false);
  return error as CacheBackendError;
}

const tempFilesOf = (dir: string): string[] => {
  try {
    return readdirSync(path.join(dir, '.tmp'));
  } catch {
    return [];
  }
};

describe('connect() on an unusable folder rejects with a CacheBackendError naming the path', () => {
  it('a parent folder that does not exist (a typo, most often)', async () => {
    const dir = path.join(tempFolder(), 'missing-parent', 'cache');
    const error = await connectError(backend({ dir }));
    expect(error.message).toBe(
      `[disk] cannot use cache directory '${dir}': its parent folder does not exist (ENOENT). ` +
        'Set the dir option (or CACHE_DISK_DIR) to a writable folder whose parent exists.',
    );
    expect(error.code).toBe('E_CACHE_BACKEND');
  });

  it('a path under a regular file (ENOTDIR: holds even for root, which ignores permission bits)', async () => {
    const file = path.join(tempFolder(), 'a-file');
    writeFileSync(file, 'x');
    const dir = path.join(file, 'cache');
    const error = await connectError(backend({ dir }));
    expect(error.message).toContain(`'${dir}': a part of the path is a file, not a folder (ENOTDIR)`);
  });

  it('a path that is itself a regular file', async () => {
    const dir = path.join(tempFolder(), 'a-file');
    writeFileSync(dir, 'x');
    const error = await connectError(backend({ dir }));
    expect(error.message).toContain(`'${dir}': it exists and is not a folder`);
  });

  it('a read-only file system (a real read-only tmpfs where mounting is allowed, else injected EROFS)', async () => {
    const mountPoint = tempFolder();
    const dir = path.join(mountPoint, 'cache');
    let fs: FaultyFs | undefined;
    if (mountTmpfs(mountPoint, 1024 * 1024)) {
      mkdirSync(dir);
      remountReadOnly(mountPoint);
    } else {
      fs = new FaultyFs();
      fs.fail('open', 'EROFS');
      fs.fail('mkdir', 'EROFS');
    }
    const error = await connectError(backend({ dir }, fs));
    expect(error.message).toContain(`'${dir}': the file system is read-only (EROFS)`);
  });

  it('permission denied (injected: as root the kernel would let the write through)', async () => {
    const fs = new FaultyFs();
    fs.fail('open', 'EACCES');
    const dir = path.join(tempFolder(), 'cache');
    const error = await connectError(backend({ dir }, fs));
    expect(error.message).toContain(`'${dir}': permission denied (EACCES)`);
    expect((error.cause as NodeJS.ErrnoException).code).toBe('EACCES');
  });

  it('so a CacheManager with a fallback switches to it and resolves', async () => {
    const file = path.join(tempFolder(), 'a-file');
    writeFileSync(file, 'x');
    const registry = new BackendRegistry()
      .register(diskBackend)
      .register({ type: 'memory', create: () => new NullCacheBackend() });
    const logger: CacheLogger = silentLogger;
    const manager = CacheManager.createFromConfig(
      { backend: 'disk', disk: { dir: path.join(file, 'cache'), logger } },
      { registry, logger },
    );
    await manager.connect();
    expect(manager.usingFallback).toBe(true);
    await manager.disconnect();
  });
});

describe('the folder deleted while running', () => {
  it('writes recreate it; reads of what was lost miss; nothing throws', async () => {
    const dir = path.join(tempFolder(), 'cache');
    const cache = backend({ dir });
    await cache.connect();
    for (let i = 0; i < 10; i++) await cache.set(`k${i}`, i);
    rmSync(dir, { recursive: true, force: true });
    expect(await cache.get('k1')).toBeUndefined();
    expect(await cache.exists('k2')).toBe(false);
    expect(await cache.delete('k3')).toBe(false);
    expect(await cache.getAndDelete('k4')).toBeUndefined();
    expect(await cache.deletePattern('k*')).toBe(0);
    expect(await cache.set('k1', 'again')).toBe(true);
    expect(await cache.set('big', 'x'.repeat(300_000))).toBe(true);
    expect(await cache.get('k1')).toBe('again');
    expect(entryFiles(dir)).toHaveLength(2);
    await cache.sweep();
    expect(cache.stats()).toMatchObject({ entries: 2, errors: 0 });
    rmSync(dir, { recursive: true, force: true });
    await cache.clear();
    expect(await cache.set('k1', 'third')).toBe(true);
  });
});

describe('a full disk', () => {
  it('real 1 MiB tmpfs (or injected ENOSPC): set answers false, nothing partial remains, reads still work', async () => {
    const mountPoint = tempFolder();
    const dir = path.join(mountPoint, 'cache');
    const fs = new FaultyFs();
    const realDisk = mountTmpfs(mountPoint, 1024 * 1024);
    const cache = backend({ dir }, fs);
    await cache.connect();
    const value = (i: number): string => `${i}:`.padEnd(60_000, 'x');
    const stored: number[] = [];
    let refused = 0;
    for (let i = 0; i < 40 && refused < 3; i++) {
      if (!realDisk && i === 8) fs.fail('write', 'ENOSPC');
      if (await cache.set(`k${i}`, value(i))) stored.push(i);
      else refused++;
    }
    expect(refused).toBe(3);
    expect(stored.length).toBeGreaterThan(3);
    expect(cache.stats().errors).toBe(3);
    expect(tempFilesOf(dir)).toEqual([]);
    // Every entry left reads back complete, and the refused keys miss.
    for (const i of stored) expect(await cache.get(`k${i}`)).toBe(value(i));
    expect(entryFiles(dir)).toHaveLength(stored.length);
    // An overwrite that fails must not leave the old value readable.
    const victim = stored[0] as number;
    expect(await cache.set(`k${victim}`, 'y'.repeat(900_000))).toBe(false);
    expect(await cache.get(`k${victim}`)).toBeUndefined();
    expect(tempFilesOf(dir)).toEqual([]);
    // Space freed: writing works again.
    fs.fail('write');
    await cache.delete(`k${stored[1] as number}`);
    expect(await cache.set('after', 'small')).toBe(true);
    expect(await cache.get('after')).toBe('small');
  });

  it('injected ENOSPC on the large-entry (promise) path leaves nothing partial either', async () => {
    const fs = new FaultyFs();
    const dir = tempFolder();
    const cache = backend({ dir }, fs);
    await cache.connect();
    await cache.set('big', 'old');
    fs.fail('write', 'ENOSPC');
    expect(await cache.set('big', 'z'.repeat(1_000_000))).toBe(false);
    expect(fs.injected).toBe(1);
    expect(tempFilesOf(dir)).toEqual([]);
    expect(entryFiles(dir)).toEqual([]);
    expect(await cache.get('big')).toBeUndefined();
  });

  it('with fsync: true a set flushes and renames the same way', async () => {
    const dir = tempFolder();
    const cache = backend({ dir, fsync: true });
    await cache.connect();
    expect(await cache.set('durable', { ok: 1 })).toBe(true);
    expect(await cache.get('durable')).toEqual({ ok: 1 });
    expect(tempFilesOf(dir)).toEqual([]);
  });
});

describe('other file system failures', () => {
  it('a read error (EIO) is a counted error and a miss, never a rejection', async () => {
    const fs = new FaultyFs();
    const cache = backend({ dir: tempFolder() }, fs);
    await cache.connect();
    await cache.set('k', 'v');
    fs.fail('read', 'EIO');
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.exists('k')).toBe(false);
    expect(cache.stats()).toMatchObject({ errors: 2, misses: 1 });
    fs.fail('read');
    expect(await cache.get('k')).toBe('v');
  });

  it('a rename failure answers false and leaves no temp file', async () => {
    const fs = new FaultyFs();
    const dir = tempFolder();
    const cache = backend({ dir }, fs);
    await cache.connect();
    fs.fail('rename', 'EACCES');
    expect(await cache.set('k', 'v')).toBe(false);
    expect(await cache.delete('k')).toBe(false);
    expect(await cache.getAndDelete('k')).toBeUndefined();
    expect(tempFilesOf(dir)).toEqual([]);
    expect(cache.stats().errors).toBe(3);
  });
});
