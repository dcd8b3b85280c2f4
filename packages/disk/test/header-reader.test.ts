import { rmSync, truncateSync } from 'node:fs';
import * as path from 'node:path';
import { silentLogger } from '@cache/core';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskBackend } from '../src/index.js';
import { entryPath } from '../src/entry-path.js';
import { nodeFs, type FsLayer } from '../src/fs-layer.js';
import { SLOW_READS_TO_POOL } from '../src/header-reader.js';
import { TestClock, tempFolder } from './support/temp-folder.js';

const open: DiskBackend[] = [];
afterEach(async () => {
  for (const backend of open.splice(0)) await backend.disconnect();
});

const COUNT = 600;

/** A folder of COUNT entries without a snapshot (as after a crash): 2 damaged, every 25th expired. */
async function crashedFolder(clock: TestClock): Promise<string> {
  const dir = tempFolder();
  const writer = new DiskBackend({ dir, clock, sweepIntervalMs: 0, logger: silentLogger });
  await writer.connect();
  for (let i = 0; i < COUNT; i++) await writer.set(`k${i}`, { i }, i % 25 === 0 ? '1s' : '1h');
  await writer.disconnect();
  clock.advance(60_000);
  rmSync(path.join(dir, '.index'), { force: true });
  for (const i of [1, 2]) truncateSync(entryPath(dir, `k${i}`), 20);
  return dir;
}

/** The real file system, counting header reads each way; `slowMs` makes every `readSync` that slow. */
function countingFs(slowMs: number): { layer: FsLayer; syncReads: number; pooledOpens: number } {
  const counts = { syncReads: 0, pooledOpens: 0 };
  const layer: FsLayer = {
    ...nodeFs,
    readSync: (fd, buffer, offset, length, position) => {
      counts.syncReads++;
      const until = performance.now() + slowMs;
      while (performance.now() < until); // as a read that waits for the disk holds the thread
      return nodeFs.readSync(fd, buffer, offset, length, position);
    },
    promises: {
      ...nodeFs.promises,
      open: ((file: string, flags?: string) => {
        counts.pooledOpens++;
        return nodeFs.promises.open(file, flags);
      }) as FsLayer['promises']['open'],
    },
  };
  return Object.assign(counts, { layer });
}

async function scan(dir: string, clock: TestClock, fs: FsLayer): Promise<DiskBackend> {
  const backend = new DiskBackend({ dir, clock, sweepIntervalMs: 0, logger: silentLogger }, fs);
  open.push(backend);
  await backend.connect();
  await backend.indexed();
  return backend;
}

describe('header reads of a scan', () => {
  it('stay synchronous while they are fast (from the page cache)', async () => {
    const clock = new TestClock();
    const dir = await crashedFolder(clock);
    const fs = countingFs(0);
    const backend = await scan(dir, clock, fs.layer);
    expect(fs.pooledOpens).toBe(0);
    expect(fs.syncReads).toBe(COUNT);
    expect(backend.stats()).toMatchObject({
      entries: COUNT - 2 - COUNT / 25,
      damaged: 2,
      expirations: COUNT / 25,
    });
  });

  it('go through the thread pool once reads are slow (from the disk), and index the same', async () => {
    const clock = new TestClock();
    const dir = await crashedFolder(clock);
    const fs = countingFs(1.5);
    const backend = await scan(dir, clock, fs.layer);
    expect(fs.syncReads).toBe(SLOW_READS_TO_POOL);
    expect(fs.pooledOpens).toBe(COUNT - SLOW_READS_TO_POOL);
    expect(backend.stats()).toMatchObject({
      entries: COUNT - 2 - COUNT / 25,
      damaged: 2,
      expirations: COUNT / 25,
    });
    for (let i = 3; i < COUNT; i++) {
      const live = i % 25 !== 0;
      expect(await backend.exists(`k${i}`), `k${i}`).toBe(live);
    }
    expect(await backend.exists('k1')).toBe(false);
  });

  it('count a pooled read that fails as an error and go on with the others', async () => {
    const clock = new TestClock();
    const dir = await crashedFolder(clock);
    const fs = countingFs(1.5);
    const failing = entryPath(dir, 'k501');
    const open = fs.layer.promises.open;
    fs.layer.promises.open = ((file: string, flags?: string) =>
      file === failing
        ? Promise.reject(Object.assign(new Error('EIO: injected'), { code: 'EIO' }))
        : open(file, flags)) as FsLayer['promises']['open'];
    const backend = await scan(dir, clock, fs.layer);
    expect(backend.stats()).toMatchObject({ entries: COUNT - 3 - COUNT / 25, errors: 1 });
  });
});
