import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeFs } from '../src/fs-layer.js';
import { STALE_TEMP_MS, isStaleTemp, removeStaleTemps, tempName } from '../src/temp-files.js';
import { tempFolder } from './support/temp-folder.js';

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid as number;
}

describe('temp files', () => {
  it('names are unique and say host, pid, process nonce and a counter', () => {
    const names = Array.from({ length: 1000 }, tempName);
    expect(new Set(names).size).toBe(1000);
    for (const name of names.slice(0, 50)) {
      expect(name).toMatch(new RegExp(`^[0-9a-f]{8}\\.${process.pid}\\.[0-9a-f]{8}\\.[0-9a-z]+$`));
    }
  });

  it('a live writer’s file is never stale (however many writes it made), a dead one’s always', () => {
    const now = Date.now();
    const mine = Array.from({ length: 40 }, tempName).at(-1) as string;
    expect(isStaleTemp(mine, now, now)).toBe(false);
    const [host, , nonce, counter] = mine.split('.');
    expect(isStaleTemp(`${host}.${deadPid()}.${nonce}.${counter}`, now, now)).toBe(true);
    // An earlier process that had our pid (a restarted container's pid 1): other nonce.
    expect(isStaleTemp(`${host}.${process.pid}.00000000.${counter}`, now, now)).toBe(true);
    // Another machine on a shared volume: its pids mean nothing here.
    expect(isStaleTemp(`00000000.${deadPid()}.${nonce}.${counter}`, now, now)).toBe(false);
    // Anything, anyone's, once it is old enough.
    expect(isStaleTemp(`00000000.1.${nonce}.1`, now - STALE_TEMP_MS - 1, now)).toBe(true);
    expect(isStaleTemp('not-ours', now - STALE_TEMP_MS - 1, now)).toBe(true);
    expect(isStaleTemp('not-ours', now, now)).toBe(false);
  });

  it('removeStaleTemps removes exactly the abandoned files', async () => {
    const dir = path.join(tempFolder(), '.tmp');
    mkdirSync(dir);
    const mine = tempName();
    const [host, , nonce] = mine.split('.');
    const dead = `${host}.${deadPid()}.${nonce}.0`;
    const old = 'someone-elses';
    for (const name of [mine, dead, old, 'fresh-unknown']) writeFileSync(path.join(dir, name), 'x');
    const longAgo = (Date.now() - STALE_TEMP_MS - 60_000) / 1000;
    utimesSync(path.join(dir, old), longAgo, longAgo);
    expect(await removeStaleTemps(nodeFs, dir, Date.now())).toBe(2);
    expect(readdirSync(dir).sort()).toEqual([mine, 'fresh-unknown'].sort());
    expect(await removeStaleTemps(nodeFs, path.join(dir, 'missing'), Date.now())).toBe(0);
  });
});
