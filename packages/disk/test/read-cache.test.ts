import type { Stats } from 'node:fs';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { silentLogger } from '@cache/core';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskBackend, type DiskBackendOptions } from '../src/index.js';
import { entryPath } from '../src/entry-path.js';
import { ReadCache, YOUNG_MS_COARSE, YOUNG_MS_FINE } from '../src/read-cache.js';
import { RemoteDisk } from './support/child-process.js';
import { TestClock, tempFolder } from './support/temp-folder.js';

const open: DiskBackend[] = [];
const remotes: RemoteDisk[] = [];
afterEach(async () => {
  await Promise.all(remotes.splice(0).map((remote) => remote.close()));
  for (const backend of open.splice(0)) await backend.disconnect();
});

async function connected(options: Partial<DiskBackendOptions> & { dir: string }): Promise<DiskBackend> {
  const backend = new DiskBackend({ sweepIntervalMs: 0, logger: silentLogger, ...options });
  open.push(backend);
  await backend.connect();
  await backend.indexed();
  return backend;
}

/** Long enough for a file to be old enough to cache (see ReadCache). */
const ageFiles = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, YOUNG_MS_FINE + 30));

/** Values of one length, so that a size check alone could never tell them apart. */
const valueOf = (label: string, round: number): string => `${label}:${round}`.padEnd(40, '.');

describe('read cache: a cached value is served only while its file is unchanged', () => {
  it('answers repeated gets from memory, each with a fresh copy of an object value', async () => {
    const cache = await connected({ dir: tempFolder() });
    await cache.set('obj', { list: [1, 2], nested: { a: 'b' } });
    await cache.set('text', 'plain');
    await ageFiles();
    expect(await cache.get('obj')).toEqual({ list: [1, 2], nested: { a: 'b' } }); // read from the file
    const first = await cache.get<{ list: number[] }>('obj');
    first!.list.push(3);
    const second = await cache.get<{ list: number[] }>('obj');
    expect(second).toEqual({ list: [1, 2], nested: { a: 'b' } });
    expect(second).not.toBe(first);
    await cache.get('text');
    expect(await cache.get('text')).toBe('plain');
    expect(await cache.exists('text')).toBe(true);
    expect(cache.stats()).toMatchObject({ hits: 5, readCacheHits: 4 });
  });

  it('sees writes and deletes by another process, also when the new file reuses the inode number', async () => {
    const dir = tempFolder();
    const here = await connected({ dir });
    const there = new RemoteDisk({ dir, sweepIntervalMs: 0 });
    remotes.push(there);
    await there.ready;
    let cachedHits = 0;
    for (let round = 0; round < 6; round++) {
      expect(await there.call('set', 'k', valueOf('old', round))).toBe(true);
      await ageFiles();
      expect(await here.get('k')).toBe(valueOf('old', round));
      expect(await here.get('k')).toBe(valueOf('old', round));
      expect(here.stats().readCacheHits).toBe(++cachedHits);
      const cachedInode = statSync(entryPath(dir, 'k')).ino;
      // Two rewrites: on ext4 the second new file usually gets the first file's inode number back.
      expect(await there.call('set', 'k', valueOf('mid', round))).toBe(true);
      expect(await there.call('set', 'k', valueOf('new', round))).toBe(true);
      if (round === 0)
        console.info(
          `inode number reused by the rewrite: ${statSync(entryPath(dir, 'k')).ino === cachedInode}`,
        );
      expect(await here.get('k')).toBe(valueOf('new', round));
    }
    await ageFiles();
    await here.get('k');
    expect(await here.get('k')).toBe(valueOf('new', 5));
    expect(await there.call('delete', 'k')).toBe(true);
    expect(await here.get('k')).toBeUndefined();
    expect(await here.exists('k')).toBe(false);
    expect(await there.call('set', 'g', 'gone soon')).toBe(true);
    await ageFiles();
    await here.get('g');
    expect(await here.get('g')).toBe('gone soon');
    expect(await there.call('getAndDelete', 'g')).toBe('gone soon');
    expect(await here.get('g')).toBeUndefined();
  });

  it('never trusts a file younger than a timestamp tick: back-to-back rewrites are always seen', async () => {
    // A reader that cached the file it just read would, here, meet a successor with the same
    // inode number, size, and (coarse) timestamps within one clock tick: a stale value.
    const dir = tempFolder();
    const writer = await connected({ dir });
    const reader = await connected({ dir });
    for (let round = 0; round < 200; round++) {
      await writer.set('k', valueOf('a', round));
      expect(await reader.get('k')).toBe(valueOf('a', round));
      expect(await reader.get('k')).toBe(valueOf('a', round));
      await writer.set('k', valueOf('b', round));
      await writer.set('k', valueOf('c', round));
      expect(await reader.get('k')).toBe(valueOf('c', round));
    }
  });

  it('a cached entry edited in place (same size, one byte flipped) is caught and removed', async () => {
    const dir = tempFolder();
    const cache = await connected({ dir });
    await cache.set('victim', { precious: true });
    await ageFiles();
    await cache.get('victim');
    expect(await cache.get('victim')).toEqual({ precious: true });
    const file = entryPath(dir, 'victim');
    const bytes = readFileSync(file);
    bytes[bytes.length - 3] = (bytes[bytes.length - 3] as number) ^ 0x20;
    writeFileSync(file, bytes);
    expect(await cache.get('victim')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ damaged: 1, readCacheHits: 1 });
  });

  it('a cached entry expires by the injected clock like any other', async () => {
    const clock = new TestClock();
    const cache = await connected({ dir: tempFolder(), clock });
    await cache.set('k', 'v', '1m');
    await ageFiles();
    await cache.get('k');
    expect(await cache.get('k')).toBe('v');
    clock.advance(60_000);
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.exists('k')).toBe(false);
    expect(cache.stats()).toMatchObject({ expirations: 1, readCacheHits: 1 });
  });

  it('our own set and delete replace what was cached', async () => {
    const cache = await connected({ dir: tempFolder() });
    await cache.set('k', valueOf('one', 0));
    await ageFiles();
    await cache.get('k');
    await cache.set('k', valueOf('two', 0));
    expect(await cache.get('k')).toBe(valueOf('two', 0));
    await cache.delete('k');
    expect(await cache.get('k')).toBeUndefined();
  });

  it('readCacheBytes: 0 reads every get from the file', async () => {
    const cache = await connected({ dir: tempFolder(), readCacheBytes: 0 });
    await cache.set('k', 'v');
    await ageFiles();
    for (let i = 0; i < 3; i++) expect(await cache.get('k')).toBe('v');
    expect(cache.stats()).toMatchObject({ hits: 3, readCacheHits: 0 });
  });

  it('holds at most readCacheBytes of entries: reading more pushes the earlier ones out', async () => {
    const value = 'x'.repeat(1000);
    const cache = await connected({ dir: tempFolder(), readCacheBytes: 10_000 }); // room for 9 entries
    for (let i = 0; i < 20; i++) await cache.set(`k${i}`, value);
    await ageFiles();
    for (let i = 0; i < 20; i++) await cache.get(`k${i}`);
    expect(cache.stats().readCacheHits).toBe(0);
    for (let i = 11; i < 20; i++) expect(await cache.get(`k${i}`)).toBe(value);
    expect(cache.stats().readCacheHits).toBe(9);
    expect(await cache.get('k0')).toBe(value); // pushed out long ago: read from the file
    expect(cache.stats().readCacheHits).toBe(9);
    expect(await cache.get('k0')).toBe(value);
    expect(cache.stats().readCacheHits).toBe(10);
  });
});

describe('ReadCache', () => {
  const identity = (ageMs: number, fields: Partial<Stats> = {}): Stats => {
    const time = Date.now() - ageMs;
    return { dev: 1, ino: 42, size: 100, mtimeMs: time, ctimeMs: time, ...fields } as Stats;
  };

  it('keeps a value only from a file older than the timestamp resolution allows to tell apart', () => {
    const cache = new ReadCache(1 << 20);
    cache.setTimestampResolution(true);
    cache.store(1, identity(YOUNG_MS_FINE / 2), 0, '"v"', 'v', Date.now());
    expect(cache.holds(1)).toBe(false);
    cache.store(1, identity(YOUNG_MS_FINE * 2), 0, '"v"', 'v', Date.now());
    expect(cache.holds(1)).toBe(true);
    cache.setTimestampResolution(false);
    cache.store(2, identity(YOUNG_MS_FINE * 2), 0, '"v"', 'v', Date.now());
    expect(cache.holds(2)).toBe(false);
    cache.store(2, identity(YOUNG_MS_COARSE + 100), 0, '"v"', 'v', Date.now());
    expect(cache.holds(2)).toBe(true);
  });

  it('matches only the identical file: device, inode, size, mtime and ctime', () => {
    const cache = new ReadCache(1 << 20);
    cache.setTimestampResolution(true);
    const stored = identity(1000);
    cache.store(3, stored, 0, '{"a":1}', { a: 1 }, Date.now());
    expect(cache.matches(3, { ...stored } as Stats)).toBe(true);
    for (const change of [{ dev: 2 }, { ino: 43 }, { size: 101 }, { mtimeMs: 1 }, { ctimeMs: 1 }]) {
      expect(cache.matches(3, { ...stored, ...change } as Stats)).toBe(false);
    }
    expect(cache.value(3)).toEqual({ a: 1 });
    expect(cache.value(3)).not.toBe(cache.value(3));
  });
});
