import * as path from 'node:path';
import { errorCode, isMissing, type FsLayer } from './fs-layer.js';
import { tempName } from './temp-files.js';

/*
 * Every entry is written whole to a fresh temp file under `<dir>/.tmp` (same file system), then
 * renamed over its final name. rename(2) replaces the name atomically, so a reader (in this or
 * any process) opens either the old file or the new one, never a half-written one, and a
 * process killed mid-write leaves only a temp file, which `connect()` cleans up later.
 * A temp file is created with O_EXCL ('wx'), so a symlink planted under that name is never
 * followed. Missing folders (the cache dir was deleted while running) are recreated once.
 */

function writeAll(fs: FsLayer, fd: number, data: Buffer): void {
  let offset = 0;
  while (offset < data.length) offset += fs.writeSync(fd, data, offset, data.length - offset);
}

function openTempSync(fs: FsLayer, tempDir: string, temp: string): number {
  try {
    return fs.openSync(temp, 'wx');
  } catch (error) {
    if (!isMissing(error)) throw error;
    fs.mkdirSync(tempDir, { recursive: true });
    return fs.openSync(temp, 'wx');
  }
}

function renameIntoPlaceSync(fs: FsLayer, temp: string, finalPath: string): void {
  try {
    fs.renameSync(temp, finalPath);
  } catch (error) {
    if (!isMissing(error)) throw error;
    fs.mkdirSync(path.dirname(finalPath), { recursive: true });
    fs.renameSync(temp, finalPath);
  }
}

function discardSync(fs: FsLayer, temp: string): void {
  try {
    fs.unlinkSync(temp);
  } catch {
    // Never created, or already renamed: nothing to remove.
  }
}

/**
 * Writes `data` as the file `finalPath` atomically, with synchronous calls (for small entries:
 * no thread-pool hop). Throws the file system's error; on any failure nothing is left behind
 * and the previous file at `finalPath`, if any, is untouched.
 */
export function writeFileAtomicSync(fs: FsLayer, tempDir: string, finalPath: string, data: Buffer): void {
  const temp = tempDir + path.sep + tempName();
  try {
    const fd = openTempSync(fs, tempDir, temp);
    try {
      writeAll(fs, fd, data);
    } finally {
      fs.closeSync(fd);
    }
    renameIntoPlaceSync(fs, temp, finalPath);
  } catch (error) {
    discardSync(fs, temp);
    throw error;
  }
}

/**
 * The same with promise calls (large entries, so the event loop is not held), and with
 * `durable`: fdatasync of the file before the rename and fsync of the folder after it, so the
 * entry survives a power loss once the promise resolves.
 */
export async function writeFileAtomic(
  fs: FsLayer,
  tempDir: string,
  finalPath: string,
  data: Buffer,
  durable: boolean,
): Promise<void> {
  const temp = tempDir + path.sep + tempName();
  try {
    let handle;
    try {
      handle = await fs.promises.open(temp, 'wx');
    } catch (error) {
      if (!isMissing(error)) throw error;
      await fs.promises.mkdir(tempDir, { recursive: true });
      handle = await fs.promises.open(temp, 'wx');
    }
    try {
      await handle.writeFile(data);
      if (durable) await handle.datasync();
    } finally {
      await handle.close();
    }
    try {
      await fs.promises.rename(temp, finalPath);
    } catch (error) {
      if (!isMissing(error)) throw error;
      await fs.promises.mkdir(path.dirname(finalPath), { recursive: true });
      await fs.promises.rename(temp, finalPath);
    }
  } catch (error) {
    await fs.promises.unlink(temp).catch(() => undefined);
    throw error;
  }
  if (durable) await syncFolder(fs, path.dirname(finalPath));
}

/** fsync of a folder, so a rename in it is on disk. File systems that cannot (EINVAL) are let be. */
export async function syncFolder(fs: FsLayer, folder: string): Promise<void> {
  const handle = await fs.promises.open(folder, 'r');
  try {
    await handle.sync();
  } catch (error) {
    const code = errorCode(error);
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EISDIR') throw error;
  } finally {
    await handle.close();
  }
}
