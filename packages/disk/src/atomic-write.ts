import * as path from 'node:path';
import { errorCode, isMissing, type FsLayer } from './fs-layer.js';
import { tempName } from './temp-files.js';

/*
 * Every entry is written whole to a fresh temp file under `<dir>/.tmp` (same file system), then
 * renamed to its final name, so a reader (in this or any process) never opens a half-written
 * file, and a process killed mid-write leaves only a temp file, which `connect()` cleans up
 * later. A temp file is created with O_EXCL ('wx'), so a symlink planted under that name is
 * never followed. Missing folders (the cache dir was deleted while running) are recreated once.
 *
 * The synchronous writer (small entries, on the event loop's thread) removes a file it knows is
 * at the final name just before the rename, instead of renaming over it. On ext4 a rename over
 * an existing file makes the kernel allocate and start writing the new file's blocks at once
 * (`auto_da_alloc`, so that the common "write temp, rename over" pattern survives a crash);
 * measured here that held the calling thread 10-40 ms about once per 3000 replacements, and
 * cost 16-26 % more CPU per write than removing first (once 2.4x). The price: between the two
 * calls (a few microseconds) a reader in another process finds no file, which is a miss, never
 * a wrong or torn value; a crash between them loses the entry, which the caller was replacing
 * anyway.
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

/** Removes `file`; one that is already gone (removed by another process) is fine. */
function removeSync(fs: FsLayer, file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (error) {
    if (!isMissing(error)) throw error;
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
 * Writes `data` as the file `finalPath`, never visible half-written, with synchronous calls (for
 * small entries: no thread-pool hop). `replacing`: a file is (probably) at `finalPath`; it is
 * removed just before the rename (see above). Throws the file system's error; on any failure no
 * temp file is left behind; the previous file is untouched unless the failure came after its
 * removal.
 */
export function writeFileAtomicSync(
  fs: FsLayer,
  tempDir: string,
  finalPath: string,
  data: Buffer,
  replacing: boolean,
): void {
  const temp = tempDir + path.sep + tempName();
  try {
    const fd = openTempSync(fs, tempDir, temp);
    try {
      writeAll(fs, fd, data);
    } finally {
      fs.closeSync(fd);
    }
    if (replacing) removeSync(fs, finalPath);
    renameIntoPlaceSync(fs, temp, finalPath);
  } catch (error) {
    discardSync(fs, temp);
    throw error;
  }
}

/**
 * The same with promise calls (large entries, so the event loop is not held), renaming over the
 * previous file (a stall here holds a thread-pool thread, not the event loop), and with
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
