import fg from 'fast-glob';
import * as path from 'node:path';
import { ENTRY_GLOB, isEntryName } from './entry-path.js';

/**
 * Absolute paths of every entry file under `dir`, in no particular order. Temp and claimed
 * files (under `.tmp`) and anything not named like an entry are left out. A missing folder
 * lists as empty. The listing runs on libuv's thread pool, so it never blocks the event loop.
 */
export async function listEntryFiles(dir: string): Promise<string[]> {
  const names = await fg(ENTRY_GLOB, {
    cwd: dir,
    onlyFiles: true,
    deep: 2,
    dot: false,
    followSymbolicLinks: false,
    suppressErrors: true,
    caseSensitiveMatch: true,
  });
  const prefix = dir + path.sep;
  const files: string[] = [];
  for (const name of names) {
    if (isEntryName(name)) files.push(prefix + (path.sep === '/' ? name : name.replace('/', path.sep)));
  }
  return files;
}
