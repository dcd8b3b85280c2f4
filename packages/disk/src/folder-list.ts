import fg from 'fast-glob';
import * as path from 'node:path';
import { FAN_OUT_GLOB, isEntryFileName } from './entry-path.js';
import type { Slicer } from './slicer.js';

const OPTIONS = {
  dot: false,
  followSymbolicLinks: false,
  suppressErrors: true,
  caseSensitiveMatch: true,
  // One pattern cannot match a name twice: skip fast-glob's duplicate check.
  unique: false,
} as const;

/**
 * The hashes (file names) of every entry file under `dir`, in no particular order. Temp and
 * claimed files (under `.tmp`), the snapshot and anything not named like an entry are left
 * out. A missing folder lists as empty.
 *
 * One fast-glob call per fan-out folder, one after the other: each is one directory read on
 * libuv's thread pool and a few hundred names to check afterwards, so the event loop is never
 * held for long (a single walk of 100k files hands back, and then filters, everything in one
 * go). Hashes rather than paths: scans look 100k of them up in maps, and a short flat string
 * hashes faster than a long concatenated one.
 */
export async function listEntryHashes(dir: string, slicer: Slicer): Promise<string[]> {
  const folders = await fg(FAN_OUT_GLOB, { ...OPTIONS, cwd: dir, onlyDirectories: true, deep: 1 });
  const hashes: string[] = [];
  for (const folder of folders) {
    const names = await fg('*', { ...OPTIONS, cwd: path.join(dir, folder), onlyFiles: true, deep: 1 });
    for (const name of names) {
      if (slicer.due()) await slicer.pause();
      if (isEntryFileName(folder, name)) hashes.push(name);
    }
  }
  return hashes;
}
