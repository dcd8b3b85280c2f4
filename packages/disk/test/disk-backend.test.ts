import { existsSync, readFileSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CacheKeyError, CacheValueError, type CacheLogger } from '@cache/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DiskBackend, type DiskBackendOptions } from '../src/index.js';
import { HEADER_BYTES } from '../src/entry-file.js';
import { nodeFs, type FsLayer } from '../src/fs-layer.js';
import { entryPath, hashKey } from '../src/entry-path.js';
import { TestClock, entryBytes, entryFiles, tempFolder } from './support/temp-folder.js';

const open: DiskBackend[] = [];
const warnings: string[] = [];
const logger: CacheLogger = {
  warn: (message) => void warnings.push(message),
  error: (message) => void warnings.push(message),
};
afterEach(async () => {
  for (const backend of open.splice(0)) await backend.disconnect();
  warnings.length = 0;
});

async function connected(options: Partial<DiskBackendOptions> & { dir?: string } = {}): Promise<DiskBackend> {
  const backend = new DiskBackend({
    dir: options.dir ?? tempFolder(),
    sweepIntervalMs: 0,
    logger,
    ...options,
  });
  open.push(backend);
  await backend.connect();
  await backend.indexed();
  return backend;
}

const fileOf = (backend: DiskBackend, key: string): string => entryPath(backend.dir, key);

describe('DiskBackend: entries on disk', () => {
  it('stores one file per key, named by the SHA-256 of the key in a fan-out folder', async () => {
    const cache = await connected();
    expect(await cache.set('user:1', { name: 'Ada' })).toBe(true);
    const hash = hashKey('user:1');
    expect(entryFiles(cache.dir)).toEqual([path.join(hash.slice(0, 2), hash)]);
    expect(await cache.get('user:1')).toEqual({ name: 'Ada' });
  });

  it('keeps a JSON value as plain UTF-8 JSON text in the file, right after the key', async () => {
    const cache = await connected();
    await cache.set('doc', { city: 'Zürich', tags: ['a'] });
    const bytes = readFileSync(fileOf(cache, 'doc'));
    expect(bytes.toString('utf8', HEADER_BYTES + 3)).toBe('{"city":"Zürich","tags":["a"]}');
  });

  it('answers a miss (undefined) for an unknown key and caches null as a value', async () => {
    const cache = await connected();
    expect(await cache.get('nothing')).toBeUndefined();
    await cache.set('nil', null);
    expect(await cache.get('nil')).toBeNull();
    expect(await cache.exists('nil')).toBe(true);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, sets: 1 });
  });

  it('rejects bad keys and values as the caller’s mistakes', async () => {
    const cache = await connected();
    await expect(cache.get('')).rejects.toBeInstanceOf(CacheKeyError);
    await expect(cache.set('k', undefined)).rejects.toBeInstanceOf(CacheValueError);
    await expect(cache.set('k', () => 1)).rejects.toBeInstanceOf(CacheValueError);
    expect(entryFiles(cache.dir)).toEqual([]);
  });

  it('overwrites in place: the last set wins and the folder holds one file', async () => {
    const cache = await connected();
    for (let i = 0; i < 5; i++) await cache.set('k', i);
    expect(await cache.get('k')).toBe(4);
    expect(entryFiles(cache.dir)).toHaveLength(1);
    expect(cache.stats()).toMatchObject({ entries: 1, bytes: statSync(fileOf(cache, 'k')).size });
  });

  it('replaces a small entry without renaming over its file (ext4 stalls on those), a large one by renaming over', async () => {
    const renamedOver: string[] = [];
    const layer: FsLayer = {
      ...nodeFs,
      renameSync: (from, to) => {
        if (existsSync(to)) renamedOver.push(String(to));
        nodeFs.renameSync(from, to);
      },
      promises: {
        ...nodeFs.promises,
        rename: async (from, to) => {
          if (existsSync(to)) renamedOver.push(String(to));
          return nodeFs.promises.rename(from, to);
        },
      },
    };
    const cache = new DiskBackend({ dir: tempFolder(), sweepIntervalMs: 0, logger }, layer);
    open.push(cache);
    await cache.connect();
    for (const value of ['one', 'two', 'x'.repeat(5000)]) await cache.set('small', value);
    expect(await cache.get('small')).toBe('x'.repeat(5000));
    expect(renamedOver).toEqual([]);
    const big = 'b'.repeat(600_000);
    await cache.set('big', big);
    await cache.set('big', big + '!');
    expect(await cache.get('big')).toBe(big + '!');
    expect(renamedOver).toEqual([fileOf(cache, 'big')]);
    expect(entryFiles(cache.dir)).toHaveLength(2);
  });

  it('reads and writes large entries (over the synchronous limit) the same way', async () => {
    const cache = await connected();
    const big = 'x'.repeat(600_000);
    expect(await cache.set('big', big)).toBe(true);
    expect(await cache.get('big')).toBe(big);
    expect(await cache.exists('big')).toBe(true);
    expect(await cache.getAndDelete('big')).toBe(big);
    expect(await cache.get('big')).toBeUndefined();
  });
});

describe('DiskBackend: TTL', () => {
  it('expires entries by the injected clock, lazily on read, and counts the expiry', async () => {
    const clock = new TestClock();
    const cache = await connected({ clock });
    await cache.set('short', 'v', '10s');
    await cache.set('forever', 'w');
    clock.advance(9_999);
    expect(await cache.get('short')).toBe('v');
    clock.advance(1);
    expect(await cache.get('short')).toBeUndefined();
    expect(await cache.get('forever')).toBe('w');
    expect(cache.stats()).toMatchObject({ expirations: 1, entries: 1 });
    expect(entryFiles(cache.dir)).toHaveLength(1);
  });

  it('applies defaultTtl when set gets no TTL; a TTL passed to set wins', async () => {
    const clock = new TestClock();
    const cache = await connected({ clock, defaultTtl: '1m' });
    await cache.set('default', 1);
    await cache.set('own', 2, 3600);
    clock.advance(60_000);
    expect(await cache.exists('default')).toBe(false);
    expect(await cache.get('own')).toBe(2);
  });

  it('delete and getAndDelete of an expired entry find nothing', async () => {
    const clock = new TestClock();
    const cache = await connected({ clock });
    await cache.set('a', 1, '1s');
    await cache.set('b', 2, '1s');
    clock.advance(1000);
    expect(await cache.delete('a')).toBe(false);
    expect(await cache.getAndDelete('b')).toBeUndefined();
    expect(entryFiles(cache.dir)).toEqual([]);
  });

  it('the sweep removes expired files nobody reads', async () => {
    const clock = new TestClock();
    const cache = await connected({ clock });
    for (let i = 0; i < 10; i++) await cache.set(`t${i}`, i, i < 5 ? '1m' : '1h');
    clock.advance(60_000);
    await cache.sweep();
    expect(entryFiles(cache.dir)).toHaveLength(5);
    expect(cache.stats()).toMatchObject({ expirations: 5, entries: 5 });
  });

  it('the sweep keeps an entry that another writer renewed after this index saw it expiring', async () => {
    const clock = new TestClock();
    const dir = tempFolder();
    const a = await connected({ dir, clock });
    const b = await connected({ dir, clock });
    await a.set('renewed', 'old', '1m');
    await b.set('renewed', 'new', '1h');
    clock.advance(60_000);
    await a.sweep();
    expect(await a.get('renewed')).toBe('new');
  });
});

describe('DiskBackend: size bounds', () => {
  it('refuses an entry over maxEntryBytes: set answers false, counts it, and drops the old value', async () => {
    const cache = await connected({ maxEntryBytes: 1000 });
    expect(await cache.set('k', 'small')).toBe(true);
    expect(await cache.set('k', 'y'.repeat(2000))).toBe(false);
    expect(await cache.get('k')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ oversized: 1, sets: 1 });
    expect(entryFiles(cache.dir)).toEqual([]);
  });

  it('evicts least recently used entries to stay under maxBytes; a read keeps an entry young', async () => {
    const value = 'v'.repeat(1000);
    const entrySize = HEADER_BYTES + 2 + JSON.stringify(value).length;
    const cache = await connected({ maxBytes: entrySize * 5 });
    for (let i = 0; i < 5; i++) await cache.set(`k${i}`, value);
    expect(await cache.get('k0')).toBe(value); // k1 is now the oldest
    await cache.set('k5', value);
    await cache.set('k6', value);
    expect(await cache.exists('k1')).toBe(false);
    expect(await cache.exists('k2')).toBe(false);
    for (const key of ['k0', 'k3', 'k4', 'k5', 'k6']) expect(await cache.exists(key), key).toBe(true);
    expect(entryBytes(cache.dir)).toBeLessThanOrEqual(entrySize * 5);
    expect(cache.stats()).toMatchObject({ evictions: 2, entries: 5, bytes: entrySize * 5 });
  });

  it('after a restart keeps the LRU order it had (from the index snapshot written by disconnect)', async () => {
    const dir = tempFolder();
    const value = 'v'.repeat(1000);
    const entrySize = HEADER_BYTES + 2 + JSON.stringify(value).length;
    const first = await connected({ dir });
    for (let i = 0; i < 4; i++) await first.set(`k${i}`, value);
    await first.get('k0'); // LRU order now k1 k2 k3 k0
    await first.disconnect();
    expect(existsSync(path.join(dir, '.index'))).toBe(true);
    const second = await connected({ dir, maxBytes: entrySize * 3 });
    expect(second.stats()).toMatchObject({ entries: 3, evictions: 1 });
    expect(await second.exists('k1')).toBe(false);
    await second.set('k4', value);
    expect(await second.exists('k2')).toBe(false);
    expect(await second.exists('k0')).toBe(true);
  });

  it('without a snapshot (a crash) orders the entries by the write time in their headers', async () => {
    const dir = tempFolder();
    const clock = new TestClock();
    const value = 'v'.repeat(1000);
    const entrySize = HEADER_BYTES + 2 + JSON.stringify(value).length;
    const first = await connected({ dir, clock });
    for (const key of ['k2', 'k3', 'k1', 'k0']) {
      await first.set(key, value);
      clock.advance(60_000);
    }
    await first.disconnect();
    unlinkSync(path.join(dir, '.index'));
    const second = await connected({ dir, clock, maxBytes: entrySize * 3 });
    expect(second.stats()).toMatchObject({ entries: 3, evictions: 1 });
    expect(await second.exists('k2')).toBe(false);
    await second.set('k4', value);
    expect(await second.exists('k3')).toBe(false);
    expect(await second.exists('k1')).toBe(true);
  });

  it('after a build that had to read many headers (a crash) writes a snapshot at once, which the next start uses', async () => {
    const dir = tempFolder();
    const first = await connected({ dir });
    for (let i = 0; i < 1100; i++) await first.set(`k${i}`, i);
    await first.disconnect();
    const snapshot = path.join(dir, '.index');
    unlinkSync(snapshot);
    const second = await connected({ dir });
    await vi.waitFor(() => expect(existsSync(snapshot)).toBe(true));
    expect(readFileSync(snapshot).subarray(0, 4).toString('latin1')).toBe('CTKI');
    expect(readFileSync(snapshot).readUInt32LE(8)).toBe(1100);
    await second.disconnect();
    // A snapshot that knew almost everything: no new one (its mtime stays).
    const before = statSync(snapshot).mtimeMs;
    writeFileSync(path.join(dir, 'unrelated'), 'x');
    const third = await connected({ dir });
    expect(third.stats().entries).toBe(1100);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(statSync(snapshot).mtimeMs).toBe(before);
  });

  it('a snapshot entry whose file is gone is dropped, and files it does not know are read', async () => {
    const dir = tempFolder();
    const first = await connected({ dir });
    for (let i = 0; i < 5; i++) await first.set(`k${i}`, i);
    await first.disconnect();
    unlinkSync(entryPath(dir, 'k0'));
    const other = await connected({ dir });
    await other.set('new', 'written after the snapshot');
    await other.set('k1', 'rewritten');
    const second = await connected({ dir });
    // The snapshot's size for k1 is stale (a hint) until a read of k1 corrects it.
    expect(second.stats().entries).toBe(5);
    expect(await second.get('k1')).toBe('rewritten');
    expect(second.stats().bytes).toBe(entryBytes(dir));
    expect(await second.deletePattern('new')).toBe(1);
  });

  it('a damaged snapshot is only a missing hint', async () => {
    const dir = tempFolder();
    const first = await connected({ dir });
    for (let i = 0; i < 5; i++) await first.set(`k${i}`, i);
    await first.disconnect();
    const snapshot = readFileSync(path.join(dir, '.index'));
    // A byte flipped inside a key: the checksum rejects the whole snapshot, every header is read.
    snapshot[snapshot.length - 1] = (snapshot[snapshot.length - 1] as number) ^ 0x01;
    writeFileSync(path.join(dir, '.index'), snapshot);
    const second = await connected({ dir });
    expect(second.stats().entries).toBe(5);
    expect(await second.get('k4')).toBe(4);
    await second.disconnect();
    writeFileSync(path.join(dir, '.index'), snapshot.subarray(0, snapshot.length / 2));
    const third = await connected({ dir });
    expect(third.stats().entries).toBe(5);
    writeFileSync(path.join(dir, '.index'), 'not a snapshot at all');
    await third.disconnect();
    expect(readFileSync(path.join(dir, '.index')).subarray(0, 4).toString('latin1')).toBe('CTKI');
  });
});

describe('DiskBackend: delete, getAndDelete, patterns, clear', () => {
  it('delete answers whether something was deleted', async () => {
    const cache = await connected();
    await cache.set('k', 1);
    expect(await cache.delete('k')).toBe(true);
    expect(await cache.delete('k')).toBe(false);
    expect(await cache.get('k')).toBeUndefined();
    expect(cache.stats().deletes).toBe(1);
  });

  it('getAndDelete returns the value once and leaves no file behind', async () => {
    const cache = await connected();
    await cache.set('code:X', { user: 7 });
    const answers = await Promise.all(Array.from({ length: 20 }, () => cache.getAndDelete('code:X')));
    expect(answers.filter((a) => a !== undefined)).toEqual([{ user: 7 }]);
    expect(entryFiles(cache.dir)).toEqual([]);
    expect(await cache.exists('code:X')).toBe(false);
  });

  it('deletePattern deletes exactly the matching keys and counts them', async () => {
    const cache = await connected();
    for (const key of ['u:1:a', 'u:1:b', 'u:10:a', 'u:2:a', 'x']) await cache.set(key, key);
    expect(await cache.deletePattern('u:1:*')).toBe(2);
    expect(await cache.exists('u:10:a')).toBe(true);
    expect(await cache.deletePattern('u:?:a')).toBe(1);
    expect(await cache.deletePattern('x')).toBe(1);
    expect(await cache.deletePattern('nothing*')).toBe(0);
    expect(entryFiles(cache.dir)).toHaveLength(1);
  });

  it('clear removes every entry but leaves files that are not entries', async () => {
    const cache = await connected();
    for (let i = 0; i < 30; i++) await cache.set(`k${i}`, i);
    writeFileSync(path.join(cache.dir, 'README.txt'), 'not an entry');
    await cache.clear();
    expect(entryFiles(cache.dir)).toEqual(['README.txt']);
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0 });
    expect(await cache.get('k1')).toBeUndefined();
  });
});

describe('DiskBackend: damaged and foreign files', () => {
  async function damagedCase(damage: (file: string) => void): Promise<DiskBackend> {
    const cache = await connected();
    await cache.set('victim', { precious: true });
    await cache.set('bystander', 'fine');
    damage(fileOf(cache, 'victim'));
    expect(await cache.get('victim')).toBeUndefined();
    expect(await cache.get('bystander')).toBe('fine');
    expect(cache.stats()).toMatchObject({ damaged: 1, misses: 1, hits: 1 });
    expect(entryFiles(cache.dir)).toHaveLength(1);
    expect(warnings).toEqual(['[disk] removed a damaged or foreign file from the cache folder']);
    return cache;
  }

  it('a file truncated to half reads as a counted miss and is removed', async () => {
    await damagedCase((file) => truncateSync(file, Math.floor(statSync(file).size / 2)));
  });

  it('a zero-length file reads as a counted miss and is removed', async () => {
    await damagedCase((file) => truncateSync(file, 0));
  });

  it('garbage in place of the header reads as a counted miss and is removed', async () => {
    await damagedCase((file) => {
      const bytes = readFileSync(file);
      bytes.fill(0x41, 0, 16);
      writeFileSync(file, bytes);
    });
  });

  it('one flipped byte in the value fails the checksum: a counted miss, removed', async () => {
    await damagedCase((file) => {
      const bytes = readFileSync(file);
      bytes[bytes.length - 3] = (bytes[bytes.length - 3] as number) ^ 0x20;
      writeFileSync(file, bytes);
    });
  });

  it('a valid entry of another key under this name (a hash collision or a planted file) is a miss', async () => {
    const cache = await connected();
    await cache.set('other', 'planted');
    await cache.set('target', 'mine');
    writeFileSync(fileOf(cache, 'target'), readFileSync(fileOf(cache, 'other')));
    expect(await cache.get('target')).toBeUndefined();
    expect(cache.stats().damaged).toBe(1);
    expect(await cache.get('other')).toBe('planted');
  });

  it('exists, delete and getAndDelete treat a damaged file as absent', async () => {
    const cache = await connected();
    for (const key of ['a', 'b', 'c']) {
      await cache.set(key, key);
      truncateSync(fileOf(cache, key), 10);
    }
    expect(await cache.exists('a')).toBe(false);
    expect(await cache.delete('b')).toBe(false);
    expect(await cache.getAndDelete('c')).toBeUndefined();
    expect(entryFiles(cache.dir)).toEqual([]);
  });

  it('a file damaged behind a snapshot’s back is caught by its first read', async () => {
    const dir = tempFolder();
    const first = await connected({ dir });
    for (let i = 0; i < 3; i++) await first.set(`k${i}`, i);
    await first.disconnect();
    truncateSync(entryPath(dir, 'k0'), 40);
    const second = await connected({ dir });
    expect(second.stats().entries).toBe(3);
    expect(await second.get('k0')).toBeUndefined();
    expect(second.stats()).toMatchObject({ entries: 2, damaged: 1 });
    expect(entryFiles(dir)).toHaveLength(2);
  });

  it('connect() skips and removes damaged files while rebuilding the index, and deletePattern skips them', async () => {
    const dir = tempFolder();
    const first = await connected({ dir });
    for (let i = 0; i < 6; i++) await first.set(`k${i}`, i);
    await first.disconnect();
    // Without a snapshot (a crash), every header is read at connect().
    unlinkSync(path.join(dir, '.index'));
    truncateSync(entryPath(dir, 'k0'), 5);
    writeFileSync(entryPath(dir, 'k1'), 'garbage');
    const second = await connected({ dir });
    expect(second.stats()).toMatchObject({ entries: 4, damaged: 2 });
    truncateSync(entryPath(dir, 'k2'), 5);
    await second.disconnect();
    const third = new DiskBackend({ dir, sweepIntervalMs: 0, logger });
    open.push(third);
    expect(await third.deletePattern('k*')).toBe(3);
    expect(entryFiles(dir)).toEqual([]);
  });
});

describe('DiskBackend: the index', () => {
  it('connect() rebuilds entries, sizes and expiries from the files, purging expired ones', async () => {
    const dir = tempFolder();
    const clock = new TestClock();
    const first = await connected({ dir, clock });
    for (let i = 0; i < 20; i++) await first.set(`k${i}`, { i }, i % 4 === 0 ? '1m' : '1h');
    await first.disconnect();
    clock.advance(60_000);
    const second = await connected({ dir, clock });
    expect(second.stats()).toMatchObject({ entries: 15, expirations: 5 });
    expect(entryFiles(dir)).toHaveLength(15);
    expect(second.stats().bytes).toBe(entryBytes(dir));
  });

  it('reads work before the index is complete (the file is always the truth)', async () => {
    const dir = tempFolder();
    const first = await connected({ dir });
    for (let i = 0; i < 200; i++) await first.set(`k${i}`, i);
    await first.disconnect();
    const second = new DiskBackend({ dir, sweepIntervalMs: 0, logger });
    open.push(second);
    await second.connect();
    expect(await second.get('k123')).toBe(123);
    await second.indexed();
    expect(second.stats().entries).toBe(200);
  });

  it('a get that finds a file written by someone else adds it to the index', async () => {
    const dir = tempFolder();
    const writer = await connected({ dir });
    const reader = await connected({ dir });
    await writer.set('shared', 'v');
    expect(reader.stats().entries).toBe(0);
    expect(await reader.get('shared')).toBe('v');
    expect(reader.stats().entries).toBe(1);
  });

  it('the sweep learns files other writers added and forgets files they removed', async () => {
    const dir = tempFolder();
    const a = await connected({ dir });
    const b = await connected({ dir });
    for (let i = 0; i < 10; i++) await a.set(`a${i}`, i);
    await b.sweep();
    expect(b.stats().entries).toBe(10);
    await a.clear();
    await b.sweep();
    expect(b.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });

  it('clear() during the initial index build leaves nothing behind in the index', async () => {
    const dir = tempFolder();
    const first = await connected({ dir });
    for (let i = 0; i < 300; i++) await first.set(`k${i}`, i);
    await first.disconnect();
    const second = new DiskBackend({ dir, sweepIntervalMs: 0, logger });
    open.push(second);
    await second.connect();
    await second.clear();
    await second.indexed();
    expect(second.stats()).toMatchObject({ entries: 0, bytes: 0 });
    expect(entryFiles(dir)).toEqual([]);
  });
});

describe('DiskBackend: lifecycle', () => {
  it('isAvailable() is true between connect and disconnect; both are idempotent', async () => {
    const cache = new DiskBackend({ dir: tempFolder(), sweepIntervalMs: 0 });
    expect(cache.isAvailable()).toBe(false);
    await cache.connect();
    await cache.connect();
    expect(cache.isAvailable()).toBe(true);
    await cache.disconnect();
    await cache.disconnect();
    expect(cache.isAvailable()).toBe(false);
  });

  it('connect() creates the folder when its parent exists, and resolves before the index is built', async () => {
    const dir = path.join(tempFolder(), 'cache');
    await connected({ dir });
    expect(statSync(dir).isDirectory()).toBe(true);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('a disconnected backend still answers from the files (they are the truth)', async () => {
    const cache = await connected();
    await cache.set('k', 'v');
    await cache.disconnect();
    expect(await cache.get('k')).toBe('v');
  });
});
