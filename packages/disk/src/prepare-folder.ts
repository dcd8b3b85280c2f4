import * as path from 'node:path';
import { CacheBackendError } from '@cache/core';
import { errorCode, type FsLayer } from './fs-layer.js';
import { tempName } from './temp-files.js';

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'its parent folder does not exist',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'it exists and is not a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exhausted',
  ELOOP: 'too many symbolic links in the path',
  ENAMETOOLONG: 'the path is too long',
};

/** The `CacheBackendError` `connect()` rejects with: names the folder, the cause and the fix. */
export function unusableFolder(dir: string, error: unknown): CacheBackendError {
  const code = errorCode(error) ?? 'EUNKNOWN';
  const reason = REASONS[code] ?? (error instanceof Error ? error.message : String(error));
  return new CacheBackendError(
    `[disk] cannot use cache directory '${dir}': ${reason} (${code}). ` +
      'Set the dir option (or CACHE_DISK_DIR) to a writable folder whose parent exists.',
    { cause: error },
  );
}

const PROBE = Buffer.alloc(4096, 0x20);

/** What `prepareFolder` learned about the file system. */
export interface FolderTraits {
  /** File timestamps keep fractions of a second (ext4, xfs, btrfs, tmpfs do; FAT, ext3 do not). */
  subSecondTimestamps: boolean;
}

/**
 * Makes sure `dir` is a folder this process can write, before any entry depends on it:
 * creates it (not its parents: a missing parent is far more often a typo than an intent),
 * creates `tempDir`, and writes, then removes, a 4 KiB probe file, which also catches a full
 * disk, and shows the resolution of file timestamps (the read cache depends on it).
 * Synchronous: a handful of quick calls, which would otherwise queue behind the index
 * build's listing in libuv's thread pool. Throws `unusableFolder(...)`.
 */
export function prepareFolder(fs: FsLayer, dir: string, tempDir: string): FolderTraits {
  try {
    try {
      fs.mkdirSync(dir, { mode: 0o700 });
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
      if (!fs.statSync(dir).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'EEXIST' });
    }
    // Not `recursive: true`: Node reports a read-only file system as ENOENT in that mode.
    try {
      fs.mkdirSync(tempDir);
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
    const probe = tempDir + path.sep + tempName();
    try {
      const fd = fs.openSync(probe, 'wx');
      try {
        let written = 0;
        while (written < PROBE.length) written += fs.writeSync(fd, PROBE, written, PROBE.length - written);
        // Whole seconds show as an exact multiple of 1000 ms (a sub-second file system does
        // that only for a write on the exact second, and then the read cache is only slower).
        return { subSecondTimestamps: fs.fstatSync(fd).mtimeMs % 1000 !== 0 };
      } finally {
        fs.closeSync(fd);
      }
    } finally {
      try {
        fs.unlinkSync(probe);
      } catch {
        // Never created.
      }
    }
  } catch (error) {
    throw unusableFolder(dir, error);
  }
}
