import fg from 'fast-glob';
import { ENTRY_GLOB, isEntryName } from './entry-path.js';

/**
 * The hashes (file names) of every entry file under `dir`, in no particular order. Temp and
 * claimed files (under `.tmp`), the snapshot and anything not named like an entry are left
 * out. A missing folder lists as empty. The listing runs on libuv's thread pool, so it never
 * blocks the event loop. Hashes rather than paths: scans look 100k of them up in maps, and a
 * short flat string hashes faster than a long concatenated one.
 */
export async function listEntryHashes(dir: string): Promise<string[]> {
  const names = await fg(ENTRY_GLOB, {
    cwd: dir,
    onlyFiles: true,
    deep: 2,
    dot: false,
    followSymbolicLinks: false,
    suppressErrors: true,
    caseSensitiveMatch: true,
    // One pattern cannot match an entry twice: skip fast-glob's duplicate check (a set of 100k paths).
    unique: false,
  });
  const hashes: string[] = [];
  for (const name of names) if (isEntryName(name)) hashes.push(name.slice(3));
  return hashes;
}
