import { readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import * as path from 'node:path';
import { silentLogger } from '@cache/core';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskBackend } from '../src/index.js';
import { entryPath } from '../src/entry-path.js';
import { TestClock, tempFolder } from './support/temp-folder.js';

const open: DiskBackend[] = [];
afterEach(async () => {
  for (const backend of open.splice(0)) await backend.disconnect();
});

const COUNT = 12_000;

describe('the first scan of a big folder without a snapshot', { timeout: 120_000 }, () => {
  it('indexes every file: entries, sizes, expiries, damage, then evicts the least recently written', async () => {
    const dir = tempFolder();
    const clock = new TestClock();
    const writer = new DiskBackend({ dir, clock, sweepIntervalMs: 0, logger: silentLogger });
    await writer.connect();
    await writer.indexed();
    for (let i = 0; i < COUNT; i++) {
      // Every 50th expires before the restart; the write times order the LRU list after it.
      await writer.set(`k${i}`, { i }, i % 50 === 0 ? '1s' : '1h');
      clock.advance(1);
    }
    await writer.disconnect();
    clock.advance(60_000);
    rmSync(path.join(dir, '.index'), { force: true }); // as after a crash
    for (const i of [1, 2, 3]) truncateSync(entryPath(dir, `k${i}`), 20);
    const entrySize = (i: number): number => 36 + `k${i}`.length + JSON.stringify({ i }).length;
    // Room for about the newest 1000: the rest is evicted oldest first once the index is complete.
    const maxBytes = 1000 * entrySize(COUNT - 1);

    const build = async (): Promise<DiskBackend> => {
      const backend = new DiskBackend({ dir, clock, maxBytes, sweepIntervalMs: 0, logger: silentLogger });
      open.push(backend);
      await backend.connect();
      await backend.indexed();
      return backend;
    };
    const files = (): string[] =>
      readdirSync(dir)
        .filter((name) => /^[0-9a-f]{2}$/.test(name))
        .flatMap((folder) => readdirSync(path.join(dir, folder)).map((name) => path.join(dir, folder, name)))
        .sort();

    const scanned = await build();
    const { entries, bytes, damaged, expirations, evictions } = scanned.stats();
    expect({ damaged, expirations }).toEqual({ damaged: 3, expirations: COUNT / 50 });
    const survivors = files();
    expect(entries).toBe(survivors.length);
    expect(bytes).toBe(survivors.reduce((sum, file) => sum + statSync(file).size, 0));
    expect(bytes).toBeLessThanOrEqual(maxBytes);
    expect(entries + evictions + damaged + expirations).toBe(COUNT);
    // What survived eviction is the most recently written (to within the age buckets' width).
    for (let i = COUNT - 900; i < COUNT; i++) {
      if (i % 50 !== 0) expect(await scanned.exists(`k${i}`), `k${i}`).toBe(true);
    }
    for (let i = 100; i < COUNT - 1200; i += 97) expect(await scanned.exists(`k${i}`), `k${i}`).toBe(false);

    // The snapshot disconnect() writes gives the next connect() the same index.
    await scanned.disconnect();
    const fromSnapshot = await build();
    expect(fromSnapshot.stats()).toMatchObject({ entries, bytes, damaged: 0, evictions: 0 });
    expect(files()).toEqual(survivors);
  });
});
