import type { Stats } from 'node:fs';
import * as path from 'node:path';
import {
  PREFIX_BYTES,
  decodeEntry,
  decodeHeader,
  decodePrefix,
  decodeVerified,
  headerKey,
  reusableHeader,
  type DecodedEntry,
  type EntryHeader,
} from './entry-file.js';
import { isMissing, type FsLayer } from './fs-layer.js';
import { tempName } from './temp-files.js';

/** Outcome of reading one entry file. */
export type ReadResult =
  /** `identity`: an fstat of the file read, when asked for and the entry is small (see `readEntrySync`). */
  | { readonly status: 'found'; readonly entry: DecodedEntry; readonly identity?: Stats | undefined }
  | { readonly status: 'missing' }
  /** Foreign, torn, truncated, extended or failing its checksum. */
  | { readonly status: 'damaged' }
  /** Bigger than the synchronous-read limit: read it again with `readEntry`. */
  | { readonly status: 'large' };

export const MISSING: ReadResult = Object.freeze({ status: 'missing' });
export const DAMAGED: ReadResult = Object.freeze({ status: 'damaged' });
const LARGE: ReadResult = Object.freeze({ status: 'large' });

// Small entries are read into this one buffer and decoded into fresh strings, so a hit
// allocates nothing but its result. Reads of it are synchronous and never interleave.
const SCRATCH_BYTES = 64 * 1024;
const scratch = Buffer.allocUnsafe(SCRATCH_BYTES);

/**
 * Reads and verifies an entry with synchronous calls: open, one read, close for anything
 * under 64 KiB. Files over `syncLimit` bytes answer 'large' (so a multi-megabyte value never
 * holds the event loop). With `identify`, an entry under 64 KiB also comes with an fstat of
 * the open file: the identity of exactly the bytes read, for the read cache. Throws only
 * unexpected file system errors (EACCES, EIO…).
 */
export function readEntrySync(fs: FsLayer, file: string, syncLimit: number, identify = false): ReadResult {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    if (isMissing(error)) return MISSING;
    throw error;
  }
  try {
    const read = fs.readSync(fd, scratch, 0, SCRATCH_BYTES, 0);
    const header = decodeHeader(scratch, read);
    if (header === undefined) return DAMAGED;
    const total = header.totalBytes;
    // Strictly smaller: a file longer than its header says must show its extra byte.
    if (total < SCRATCH_BYTES) {
      if (read !== total) return DAMAGED;
      const entry = decodeVerified(scratch, header);
      if (entry === undefined) return DAMAGED;
      return { status: 'found', entry, identity: identify ? fs.fstatSync(fd) : undefined };
    }
    if (read < SCRATCH_BYTES) return DAMAGED;
    if (total > syncLimit) return LARGE;
    const buffer = Buffer.allocUnsafe(total + 1);
    scratch.copy(buffer, 0, 0, read);
    let filled = read;
    while (filled <= total) {
      const more = fs.readSync(fd, buffer, filled, total + 1 - filled, filled);
      if (more === 0) break;
      filled += more;
    }
    if (filled !== total) return DAMAGED;
    const entry = decodeVerified(buffer, header);
    return entry === undefined ? DAMAGED : { status: 'found', entry };
  } finally {
    fs.closeSync(fd);
  }
}

/** `readEntrySync` with promise calls, for large entries. */
export async function readEntry(fs: FsLayer, file: string): Promise<ReadResult> {
  let buffer: Buffer;
  try {
    buffer = await fs.promises.readFile(file);
  } catch (error) {
    if (isMissing(error)) return MISSING;
    throw error;
  }
  const entry = decodeEntry(buffer, buffer.length);
  return entry === undefined ? DAMAGED : { status: 'found', entry };
}

/** What a scan learns from a file without reading its value. */
export interface EntrySummary {
  key: string;
  expiresAt: number;
  totalBytes: number;
  writtenAt: number;
}

/**
 * The buffer `readHeaderSync` reads into: after a call that answered a header, the key's UTF-8
 * bytes are at `[HEADER_BYTES, HEADER_BYTES + header.keyBytes)`, until the next read.
 */
export const headerBytes: Buffer = scratch;

const scanHeader = reusableHeader();

/**
 * Header and key of one file (one open, one small read, one close) for a scan, which copies
 * the key's bytes out of `headerBytes` without making a string of them. The length and
 * checksum are checked by the first real read. `undefined` = missing; 'damaged' = not one of ours.
 * Like the key's bytes, the header answered is overwritten by the next call.
 */
export function readHeaderSync(fs: FsLayer, file: string): EntryHeader | 'damaged' | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  try {
    return decodePrefix(scratch, 0, fs.readSync(fd, scratch, 0, PREFIX_BYTES, 0), scanHeader);
  } finally {
    fs.closeSync(fd);
  }
}

/** `readHeaderSync` with the key decoded. */
export function readSummarySync(fs: FsLayer, file: string): EntrySummary | 'damaged' | undefined {
  const header = readHeaderSync(fs, file);
  if (typeof header !== 'object') return header;
  return {
    key: headerKey(scratch, header),
    expiresAt: header.expiresAt,
    totalBytes: header.totalBytes,
    writtenAt: header.writtenAt,
  };
}

/**
 * Takes a file out of the cache atomically by renaming it to a unique temp name: of several
 * processes claiming the same file at once, exactly one succeeds (rename(2) moves one inode
 * once). Answers the claimed path, or `undefined` when there was no file.
 */
export function claimSync(fs: FsLayer, file: string, tempDir: string): string | undefined {
  const claimed = tempDir + path.sep + tempName();
  try {
    fs.renameSync(file, claimed);
    return claimed;
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  // ENOENT may mean the temp folder is gone (the cache dir was deleted): recreate, retry once.
  fs.mkdirSync(tempDir, { recursive: true });
  try {
    fs.renameSync(file, claimed);
    return claimed;
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** Removes a file; answers false when it was already gone. */
export function removeSync(fs: FsLayer, file: string): boolean {
  try {
    fs.unlinkSync(file);
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}

/**
 * `readHeaderSync` through the promise API (the thread pool), for a scan whose files are not
 * in the page cache: the header and key are read into `buffer` (at least `PREFIX_BYTES`)
 * and decoded into `into`, both the caller's, so that several reads can be in flight.
 */
export async function readHeader(
  fs: FsLayer,
  file: string,
  buffer: Buffer,
  into: EntryHeader,
): Promise<EntryHeader | 'damaged' | undefined> {
  let handle: Awaited<ReturnType<FsLayer['promises']['open']>>;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  try {
    const { bytesRead } = await handle.read(buffer, 0, PREFIX_BYTES, 0);
    return decodePrefix(buffer, 0, bytesRead, into);
  } finally {
    await handle.close();
  }
}
