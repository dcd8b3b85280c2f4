import { MAX_KEY_BYTES } from '@cache/core';
import * as path from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { crc32 } from './checksum.js';
import { HASH_BYTES, type DiskIndex } from './disk-index.js';
import { isMissing, type FsLayer } from './fs-layer.js';
import { ITEMS_PER_CHECK, type Slicer } from './slicer.js';

/*
 * A snapshot of the index, so a restart with 100k entries does not have to open 100k files:
 * `<dir>/.index`, written atomically on disconnect() and now and then by the sweep. It is a
 * hint, never the truth: connect() still lists the folder and drops hinted entries whose file
 * is gone, reads the headers of files the snapshot does not know (written since, or by other
 * processes), and every read still checks the file itself.
 *
 *   offset  size
 *        0     4  magic 'CTKI' (cache toolkit index)
 *        4     4  format version (3), uint32 LE
 *        8     4  number of records, uint32 LE
 *       12     4  CRC-32 of every byte after this 16-byte header
 *       16     …  records, most recently used first, each:
 *                   32  the file name (SHA-256 of the key), binary
 *                    8  file size (float64 LE)
 *                    8  expiry, epoch ms (float64 LE), 0 = never
 *                    2  key length in bytes (uint16 LE)
 *                    …  the key (UTF-8)
 *
 * Binary, so that reading one record is a few fixed-offset reads with no parsing, and the
 * digest and key bytes go straight into the index (no string is made). Most recently used first, so
 * the reader can add each record at the old end of its LRU list as it goes.
 */

export const SNAPSHOT_FILE = '.index';
const MAGIC = 0x494b5443; // 'CTKI' read as a little-endian uint32
const VERSION = 3;
const HEADER = 16;
const FIXED = HASH_BYTES + 8 + 8 + 2;
/** Bytes checksummed between two checks of the slice deadline (about 0.1 ms). */
const CRC_PIECE = 128 * 1024;

/** Writes the snapshot of the index, building it in event-loop slices. */
export async function writeSnapshot(
  fs: FsLayer,
  dir: string,
  tempDir: string,
  index: DiskIndex,
  slicer: Slicer,
): Promise<void> {
  const order = index.newestFirst();
  // First pass: the exact size, so the file is built in one buffer (no 10 MB concatenation).
  const generations = new Uint32Array(order.length);
  let total = HEADER;
  for (let i = 0; i < order.length; i++) {
    if (i % ITEMS_PER_CHECK === 0 && slicer.due()) await slicer.pause();
    const slot = order[i] as number;
    generations[i] = index.generationOf(slot);
    total += FIXED + index.keyLengthOf(slot);
  }
  const out = Buffer.allocUnsafe(total);
  let at = HEADER;
  let records = 0;
  for (let i = 0; i < order.length; i++) {
    if (i % ITEMS_PER_CHECK === 0 && slicer.due()) await slicer.pause();
    const slot = order[i] as number;
    // Freed, or freed and handed out again, while this yielded: gone, or new and not measured above.
    if (!index.isLive(slot) || index.generationOf(slot) !== generations[i]) continue;
    index.copyDigest(slot, out, at);
    out.writeDoubleLE(index.sizeOf(slot), at + HASH_BYTES);
    out.writeDoubleLE(index.expiresAtOf(slot), at + HASH_BYTES + 8);
    const keyBytes = index.copyKey(slot, out, at + FIXED);
    out.writeUInt16LE(keyBytes, at + HASH_BYTES + 16);
    at += FIXED + keyBytes;
    records++;
  }
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(VERSION, 4);
  out.writeUInt32LE(records, 8);
  out.writeUInt32LE(await checksum(out, at, slicer), 12);
  await writeFileAtomic(fs, tempDir, path.join(dir, SNAPSHOT_FILE), out.subarray(0, at), false);
}

/**
 * Receives each entry of a snapshot, most recently used first: its digest is at
 * `bytes[digestStart…]`, its key's UTF-8 bytes at `bytes[keyStart, keyStart + keyLength)`.
 */
export type SnapshotVisitor = (
  bytes: Buffer,
  digestStart: number,
  keyStart: number,
  keyLength: number,
  size: number,
  expiresAt: number,
) => void;

/**
 * Reads the snapshot, tells `expect` how many entries it holds, and hands each to `visit`,
 * most recently used first. A missing, foreign or damaged snapshot (wrong magic or version,
 * a checksum or length that does not add up) visits nothing: it is only a hint. Never throws
 * for the file's content.
 */
export async function readSnapshot(
  fs: FsLayer,
  dir: string,
  slicer: Slicer,
  expect: (count: number) => void,
  visit: SnapshotVisitor,
): Promise<void> {
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(path.join(dir, SNAPSHOT_FILE));
  } catch (error) {
    if (isMissing(error)) return;
    throw error;
  }
  if (
    bytes.length < HEADER ||
    bytes.readUInt32LE(0) !== MAGIC ||
    bytes.readUInt32LE(4) !== VERSION ||
    (await checksum(bytes, bytes.length, slicer)) !== bytes.readUInt32LE(12)
  ) {
    return;
  }
  const records = bytes.readUInt32LE(8);
  // At least FIXED + 1 bytes per record: a count the file cannot hold is damage, not a size.
  if (records > (bytes.length - HEADER) / (FIXED + 1)) return;
  expect(records);
  let at = HEADER;
  for (let i = 0; i < records; i++) {
    if (i % ITEMS_PER_CHECK === 0 && slicer.due()) await slicer.pause();
    if (at + FIXED > bytes.length) return;
    const keyBytes = bytes.readUInt16LE(at + HASH_BYTES + 16);
    const end = at + FIXED + keyBytes;
    if (keyBytes === 0 || keyBytes > MAX_KEY_BYTES || end > bytes.length) return;
    const size = bytes.readDoubleLE(at + HASH_BYTES);
    const expiresAt = bytes.readDoubleLE(at + HASH_BYTES + 8);
    visit(bytes, at, at + FIXED, keyBytes, size, expiresAt);
    at = end;
  }
}

/** CRC-32 of `bytes[HEADER, end)`, in pieces with event-loop turns between them. */
async function checksum(bytes: Buffer, end: number, slicer: Slicer): Promise<number> {
  let crc = 0;
  for (let at = HEADER; at < end; at += CRC_PIECE) {
    if (slicer.due()) await slicer.pause();
    crc = crc32(bytes.subarray(at, Math.min(end, at + CRC_PIECE)), crc);
  }
  return crc;
}
