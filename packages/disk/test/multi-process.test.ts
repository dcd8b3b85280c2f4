import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { silentLogger } from '@cache/core';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskBackend, type DiskBackendOptions } from '../src/index.js';
import { RemoteDisk } from './support/child-process.js';
import { HEADER_BYTES } from '../src/entry-file.js';
import { entryBytes, entryFiles, tempFolder } from './support/temp-folder.js';

const remotes: RemoteDisk[] = [];
const locals: DiskBackend[] = [];
afterEach(async () => {
  await Promise.all(remotes.splice(0).map((remote) => remote.close()));
  for (const local of locals.splice(0)) await local.disconnect();
});

/** Entry files in the fan-out folders of `dir`: one readdir per folder, no stat per file. */
function countEntryFiles(dir: string): number {
  let count = 0;
  for (const folder of readdirSync(dir)) {
    if (/^[0-9a-f]{2}$/.test(folder)) count += readdirSync(path.join(dir, folder)).length;
  }
  return count;
}

async function remote(options: DiskBackendOptions): Promise<RemoteDisk> {
  const child = new RemoteDisk({ sweepIntervalMs: 0, ...options });
  remotes.push(child);
  await child.ready;
  return child;
}

async function local(options: DiskBackendOptions): Promise<DiskBackend> {
  const backend = new DiskBackend({ sweepIntervalMs: 0, logger: silentLogger, ...options });
  locals.push(backend);
  await backend.connect();
  await backend.indexed();
  return backend;
}

describe('several processes on one folder', { timeout: 60_000 }, () => {
  it('a value written or deleted by one process is what the other’s get sees', async () => {
    const dir = tempFolder();
    const here = await local({ dir });
    const there = await remote({ dir });
    await here.set('k', 'v1');
    expect(await here.get('k')).toBe('v1'); // warms this process's index
    expect(await there.call('set', 'k', 'v2')).toBe(true);
    expect(await here.get('k')).toBe('v2');
    expect(await here.exists('k')).toBe(true);
    expect(await there.call('delete', 'k')).toBe(true);
    expect(await here.get('k')).toBeUndefined();
    expect(await here.exists('k')).toBe(false);
    // And the other way round: the child never saw 'j' before it was written here.
    await here.set('j', { from: 'parent' });
    expect(await there.call('get', 'j')).toEqual({ from: 'parent' });
    await here.delete('j');
    expect(await there.call('get', 'j')).toBeUndefined();
  });

  it('deletePattern and clear also remove entries another process wrote', async () => {
    const dir = tempFolder();
    const here = await local({ dir });
    const there = await remote({ dir });
    for (const key of ['u:1:a', 'u:1:b', 'u:2:a', 'other'])
      expect(await there.call('set', key, key)).toBe(true);
    expect(here.stats().entries).toBe(0);
    expect(await here.deletePattern('u:1:*')).toBe(2);
    expect(await there.call('get', 'u:1:a')).toBeUndefined();
    expect(await there.call('get', 'u:2:a')).toBe('u:2:a');
    await here.clear();
    expect(await there.call('get', 'u:2:a')).toBeUndefined();
    expect(await there.call('exists', 'other')).toBe(false);
    expect(entryFiles(dir)).toEqual([]);
  });

  it('getAndDelete is exactly-once across processes: each value goes to exactly one caller', async () => {
    const dir = tempFolder();
    const here = await local({ dir });
    const [a, b] = await Promise.all([remote({ dir }), remote({ dir })]);
    const keys = Array.from({ length: 300 }, (_, i) => `code:${i}`);
    for (const key of keys) await here.set(key, { key });
    const reversed = [...keys].reverse();
    const [gotA, gotB, gotHere] = await Promise.all([
      a.call<string[]>('grabAll', keys, 16),
      b.call<string[]>('grabAll', reversed, 16),
      Promise.all(keys.map(async (key) => ((await here.getAndDelete(key)) === undefined ? [] : [key]))).then(
        (lists) => lists.flat(),
      ),
    ]);
    const all = [...gotA, ...gotB, ...gotHere];
    expect(all.length).toBe(keys.length);
    expect(new Set(all).size).toBe(keys.length);
    expect(entryFiles(dir)).toEqual([]);
    expect(readdirSync(path.join(dir, '.tmp'))).toEqual([]);
  });

  it('two writers on the same keys: a reader never sees a partial value; no temp file stays behind', async () => {
    const dir = tempFolder();
    const reader = await local({ dir });
    const [a, b] = await Promise.all([remote({ dir }), remote({ dir })]);
    const writing = Promise.all([
      a.call('fill', 'same:', 10, 3000),
      b.call('fill', 'same:', 10, 3000),
      a.call('fill', 'same:', 10, 70_000),
      b.call('fill', 'same:', 10, 300_000),
    ]);
    let reads = 0;
    let done = false;
    void writing.then(() => (done = true));
    while (!done || reads < 200) {
      for (let i = 0; i < 10; i++) {
        const value = await reader.get<string>(`same:${i}`);
        reads++;
        if (value !== undefined) {
          expect(value.startsWith(`same:${i}:`)).toBe(true);
          expect([3000, 70_000, 300_000]).toContain(value.length);
          expect(value.slice(`same:${i}:`.length)).toMatch(/^\.*$/);
        }
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await writing;
    expect(reader.stats().damaged).toBe(0);
    await Promise.all([a.close(), b.close()]);
    expect(readdirSync(path.join(dir, '.tmp'))).toEqual([]);
    expect(entryFiles(dir)).toHaveLength(10);
  });

  it('the folder stays bounded with two writers, and a sweep brings it back under maxBytes', async () => {
    const dir = tempFolder();
    const maxBytes = 64 * 1024;
    const [a, b] = await Promise.all([
      remote({ dir, maxBytes, sweepIntervalMs: 100 }),
      remote({ dir, maxBytes, sweepIntervalMs: 100 }),
    ]);
    let largest = 0;
    let done = false;
    const writing = Promise.all([a.call('fill', 'a:', 1000, 1000), b.call('fill', 'b:', 1000, 1000)]).then(
      (stored) => {
        done = true;
        return stored;
      },
    );
    let samples = 0;
    // Every entry here is one of a:0…a:999 / b:0…b:999 with a 1000-character value: counting
    // files (no stat per file, so a sample is quick) times the largest entry size bounds the
    // folder's size from above.
    const largestEntry = HEADER_BYTES + 'a:999'.length + JSON.stringify('a:999:'.padEnd(1000, '.')).length;
    while (!done) {
      // A walk of the folder is not atomic: one that takes long (the machine is busy) counts
      // files evicted early in it together with files written late in it, a size the folder
      // never had. Only quick walks count.
      const started = performance.now();
      try {
        const size = countEntryFiles(dir) * largestEntry;
        if (performance.now() - started < 25) {
          largest = Math.max(largest, size);
          samples++;
        }
      } catch {
        // A folder vanished between listing and reading: sample again.
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(samples).toBeGreaterThan(20);
    expect(await writing).toEqual([1000, 1000]);
    // Each writer re-reads the folder after every maxBytes / 8 it writes, and waits for that
    // re-read after maxBytes / 4: the folder exceeds maxBytes by at most about that much per
    // writer. (1000 writes each is 15 times maxBytes per writer.)
    expect(largest).toBeLessThanOrEqual(maxBytes * 1.5);
    await a.call('sweep');
    expect(entryBytes(dir)).toBeLessThanOrEqual(maxBytes);
    console.info(
      `two writers, maxBytes ${maxBytes}: largest folder size seen ${largest} bytes (${samples} samples)`,
    );
  });
});
