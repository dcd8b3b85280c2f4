import { lstatSync, mkdirSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskBackend } from '../src/index.js';
import { entryPath } from '../src/entry-path.js';
import { entryFiles, filesUnder, tempFolder } from './support/temp-folder.js';

const HOSTILE_KEYS = [
  '../../etc/passwd',
  'a:..:..:x',
  '..\\..\\x',
  '/abs/path',
  'foo:..',
  '..',
  '.',
  'nul\0byte',
  'CON',
  'aux.txt',
  'line\nbreak\r\n',
  '🔥'.repeat(256), // 1 KiB of emoji: the longest key there is
  'x'.repeat(1024),
  '\u202Eevil\u202D',
  '*?[]\\',
];

const open: DiskBackend[] = [];
afterEach(async () => {
  for (const backend of open.splice(0)) await backend.disconnect();
});

describe('hostile keys', () => {
  it('never create anything outside dir: every file is <dir>/<2 hex>/<64 hex> or a temp file', async () => {
    const sandbox = tempFolder();
    const dir = path.join(sandbox, 'inner', 'cache');
    mkdirSync(path.dirname(dir));
    const cache = new DiskBackend({ dir, sweepIntervalMs: 0 });
    open.push(cache);
    await cache.connect();
    for (const key of HOSTILE_KEYS) {
      expect(await cache.set(key, { key }), JSON.stringify(key)).toBe(true);
    }
    for (const key of HOSTILE_KEYS) expect(await cache.get(key), JSON.stringify(key)).toEqual({ key });
    const everything = filesUnder(sandbox);
    expect(everything).toHaveLength(HOSTILE_KEYS.length);
    for (const file of everything) {
      expect(file).toMatch(/^inner\/cache\/([0-9a-f]{2})\/\1[0-9a-f]{62}$/);
    }
    expect(await cache.deletePattern('*')).toBe(HOSTILE_KEYS.length);
    expect(filesUnder(sandbox)).toEqual([]);
  });

  it('a symlink planted under an entry name is replaced, never written through', async () => {
    const sandbox = tempFolder();
    const outside = path.join(sandbox, 'outside.txt');
    writeFileSync(outside, 'do not touch');
    const dir = path.join(sandbox, 'cache');
    const cache = new DiskBackend({ dir, sweepIntervalMs: 0 });
    open.push(cache);
    await cache.connect();
    await cache.set('victim', 'first');
    const file = entryPath(dir, 'victim');
    unlinkSync(file);
    symlinkSync(outside, file);
    // Reading through the link finds a foreign file: a miss, and the link (not its target) goes.
    expect(await cache.get('victim')).toBeUndefined();
    expect(readFileSync(outside, 'utf8')).toBe('do not touch');
    symlinkSync(outside, file);
    expect(await cache.set('victim', 'second')).toBe(true);
    expect(lstatSync(file).isSymbolicLink()).toBe(false);
    expect(readFileSync(outside, 'utf8')).toBe('do not touch');
    expect(await cache.get('victim')).toBe('second');
    expect(entryFiles(dir)).toHaveLength(1);
  });
});
