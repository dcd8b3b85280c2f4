import { cpSync, mkdirSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { silentLogger } from '@cache/core';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskBackend } from '../src/index.js';
import { entryPath } from '../src/entry-path.js';
import { ScanWorkers } from '../src/scan-workers.js';
import { FaultyFs } from './support/faulty-fs.js';
import { TestClock, tempFolder } from './support/temp-folder.js';

const open: DiskBackend[] = [];
afterEach(async () => {
  for (const backend of open.splice(0)) await backend.disconnect();
});

const COUNT = 12_000;

describe('ScanWorkers', () => {
  it('keeps at most two jobs per worker posted, queueing the rest, and answers every one', async () => {
    const dir = tempFolder();
    const folders = Array.from({ length: 40 }, (_, i) => i.toString(16).padStart(2, '0'));
    for (const [i, folder] of folders.entries()) {
      mkdirSync(path.join(dir, folder));
      for (let n = 0; n <= i % 3; n++)
        writeFileSync(path.join(dir, folder, folder + String(n).repeat(62)), '');
    }
    let turns = 0;
    const pool = await ScanWorkers.start(
      dir,
      () => new Promise<void>((resolve) => setImmediate(() => resolve(void turns++))),
      2,
    );
    try {
      expect(turns).toBe(1); // the second worker started a turn after the first
      const listings = folders.map((folder) => pool.list(folder));
      expect(pool.outstanding).toBe(4);
      let most = 0;
      const counts = await Promise.all(
        listings.map(async (listing) => {
          const { count } = await listing;
          most = Math.max(most, pool.outstanding);
          return count;
        }),
      );
      expect(most).toBeLessThanOrEqual(4);
      expect(counts).toEqual(folders.map((_, i) => (i % 3) + 1));
      expect(pool.outstanding).toBe(0);
    } finally {
      await pool.close();
    }
  });
});

describe('the first scan of a big folder in worker threads', { timeout: 120_000 }, () => {
  it('builds the same index as the scan on the event loop’s thread: entries, sizes, expiries, damage, LRU order', async () => {
    const source = tempFolder();
    const clock = new TestClock();
    const writer = new DiskBackend({ dir: source, clock, sweepIntervalMs: 0, logger: silentLogger });
    await writer.connect();
    await writer.indexed();
    for (let i = 0; i < COUNT; i++) {
      // Every 50th expires before the restart; the write times order the LRU list after it.
      await writer.set(`k${i}`, { i }, i % 50 === 0 ? '1s' : '1h');
      clock.advance(1);
    }
    await writer.disconnect();
    clock.advance(60_000);
    rmSync(path.join(source, '.index'), { force: true }); // as after a crash
    for (const i of [1, 2, 3]) truncateSync(entryPath(source, `k${i}`), 20);
    const copies = [tempFolder(), tempFolder()];
    for (const copy of copies) cpSync(source, copy, { recursive: true });
    const entrySize = (i: number): number => 36 + `k${i}`.length + JSON.stringify({ i }).length;
    // Room for about the newest 1000: the rest is evicted oldest first once the index is complete.
    const maxBytes = 1000 * entrySize(COUNT - 1);

    const build = async (dir: string, onThisThread: boolean): Promise<DiskBackend> => {
      const options = { dir, clock, maxBytes, sweepIntervalMs: 0, logger: silentLogger };
      const backend = onThisThread
        ? new DiskBackend(options, new FaultyFs().layer)
        : new DiskBackend(options);
      open.push(backend);
      await backend.connect();
      await backend.indexed();
      return backend;
    };
    const started = ScanWorkers.started;
    const inWorkers = await build(copies[0] as string, false);
    expect(ScanWorkers.started).toBe(started + 1);
    const onThread = await build(copies[1] as string, true);
    expect(ScanWorkers.started).toBe(started + 1);

    const survivors = (dir: string): string[] =>
      readdirSync(dir)
        .filter((name) => /^[0-9a-f]{2}$/.test(name))
        .flatMap((folder) => readdirSync(path.join(dir, folder)))
        .sort();
    const figures = (backend: DiskBackend): Record<string, number> => {
      const { entries, bytes, damaged, expirations, evictions } = backend.stats();
      return { entries, bytes, damaged, expirations, evictions };
    };
    expect(figures(inWorkers)).toEqual(figures(onThread));
    expect(figures(inWorkers)).toMatchObject({ damaged: 3, expirations: COUNT / 50 });
    expect(inWorkers.stats().bytes).toBeLessThanOrEqual(maxBytes);
    expect(survivors(copies[0] as string)).toEqual(survivors(copies[1] as string));
    // What survived eviction is the most recently written (to within the age buckets' width).
    for (let i = COUNT - 900; i < COUNT; i++) {
      if (i % 50 !== 0) expect(await inWorkers.exists(`k${i}`), `k${i}`).toBe(true);
    }
    for (let i = 100; i < COUNT - 1200; i += 97) expect(await inWorkers.exists(`k${i}`), `k${i}`).toBe(false);

    // With the snapshot disconnect() writes, there are no headers to read: no threads start.
    const survivorsBefore = survivors(copies[0] as string);
    const entriesBefore = inWorkers.stats().entries;
    await inWorkers.disconnect();
    const fromSnapshot = await build(copies[0] as string, false);
    expect(ScanWorkers.started).toBe(started + 1);
    expect(fromSnapshot.stats().entries).toBe(entriesBefore);
    expect(survivors(copies[0] as string)).toEqual(survivorsBefore);
  });
});
