import { MAX_KEY_BYTES } from '@cache/core';
import { crc32 } from './checksum.js';

/*
 * One cache entry = one file:
 *
 *   offset  size  field
 *        0     4  magic 'CTKD' (cache toolkit disk)
 *        4     1  format version (1)
 *        5     3  reserved, zero
 *        8     4  CRC-32 of every byte from offset 12 to the end of the file (uint32 LE)
 *       12     4  value length in bytes (uint32 LE)
 *       16     2  key length in bytes (uint16 LE, at most 1024)
 *       18     2  reserved, zero
 *       20     8  expiry: epoch milliseconds (float64 LE), 0 = never
 *       28     8  written at: epoch milliseconds (float64 LE); orders entries after a restart
 *       36     …  the key (UTF-8), then the value: the text `serialize()` made, so a JSON value
 *                 is plain UTF-8 JSON that other tools can read after the key
 *
 * The file's length must be exactly 36 + key length + value length: a truncated or extended
 * file is damaged even before the checksum is computed.
 */

export const HEADER_BYTES = 36;
export const FORMAT_VERSION = 1;
const MAGIC = 0x444b5443; // 'CTKD' read as a little-endian uint32
const CHECKSUM_START = 12;

/** What the fixed-size header says, before the body is checked. */
export interface EntryHeader {
  keyBytes: number;
  valueBytes: number;
  /** Epoch ms; 0 = never. */
  expiresAt: number;
  /** Epoch ms. */
  writtenAt: number;
  checksum: number;
  /** Header + key + value: the exact file length. */
  totalBytes: number;
}

/** A fully verified entry. */
export interface DecodedEntry {
  key: string;
  /** The `serialize()` text. */
  text: string;
  expiresAt: number;
  totalBytes: number;
}

/** Size of the file `encodeEntry` would write, without building it (for the maxEntryBytes check). */
export function encodedSize(keyBytes: number, valueBytes: number): number {
  return HEADER_BYTES + keyBytes + valueBytes;
}

/** Builds the file's bytes. `keyBytes`/`valueBytes` are the UTF-8 lengths the caller has measured. */
export function encodeEntry(
  key: string,
  keyBytes: number,
  text: string,
  valueBytes: number,
  expiresAt: number,
  writtenAt: number,
): Buffer {
  const total = HEADER_BYTES + keyBytes + valueBytes;
  const buffer = Buffer.allocUnsafe(total);
  buffer.writeUInt32LE(MAGIC, 0);
  buffer.writeUInt32LE(FORMAT_VERSION, 4); // version byte, then three zero bytes
  buffer.writeUInt32LE(valueBytes, 12);
  buffer.writeUInt32LE(keyBytes, 16); // key length, then two zero bytes
  buffer.writeDoubleLE(expiresAt, 20);
  buffer.writeDoubleLE(writtenAt, 28);
  buffer.write(key, HEADER_BYTES, keyBytes, 'utf8');
  buffer.write(text, HEADER_BYTES + keyBytes, valueBytes, 'utf8');
  buffer.writeUInt32LE(crc32(buffer.subarray(CHECKSUM_START)), 8);
  return buffer;
}

/**
 * A header for decoding many in a row into (a scan decodes 100k, each used at once and then
 * forgotten): one object overwritten instead of 100k objects and 200k boxed numbers for the
 * garbage collector. The fractional start values give the time fields V8's double
 * representation, which it overwrites in place.
 */
export function reusableHeader(): EntryHeader {
  return { keyBytes: 0, valueBytes: 0, expiresAt: 0.5, writtenAt: 0.5, checksum: 0, totalBytes: 0 };
}

/**
 * Reads the header from the first `length` bytes of `buffer` (from `offset` on); `undefined`
 * when they are not one of our headers (foreign file, other format version, torn or too short).
 * With `into`, the fields are written into it (see `reusableHeader`) and it is answered.
 */
export function decodeHeader(
  buffer: Buffer,
  length: number,
  offset = 0,
  into?: EntryHeader,
): EntryHeader | undefined {
  if (length < HEADER_BYTES) return undefined;
  if (buffer.readUInt32LE(offset) !== MAGIC || buffer.readUInt32LE(offset + 4) !== FORMAT_VERSION) {
    return undefined;
  }
  if (buffer.readUInt16LE(offset + 18) !== 0) return undefined;
  const valueBytes = buffer.readUInt32LE(offset + 12);
  const keyBytes = buffer.readUInt16LE(offset + 16);
  const expiresAt = buffer.readDoubleLE(offset + 20);
  const writtenAt = buffer.readDoubleLE(offset + 28);
  if (keyBytes === 0 || !(expiresAt >= 0) || !Number.isFinite(expiresAt) || !Number.isFinite(writtenAt)) {
    return undefined;
  }
  const checksum = buffer.readUInt32LE(offset + 8);
  const totalBytes = HEADER_BYTES + keyBytes + valueBytes;
  if (into === undefined) return { keyBytes, valueBytes, expiresAt, writtenAt, checksum, totalBytes };
  into.keyBytes = keyBytes;
  into.valueBytes = valueBytes;
  into.expiresAt = expiresAt;
  into.writtenAt = writtenAt;
  into.checksum = checksum;
  into.totalBytes = totalBytes;
  return into;
}

/**
 * How many leading bytes of an entry file a scan reads: the header and the longest key.
 * The length and checksum of the rest are checked by the first real read.
 */
export const PREFIX_BYTES: number = HEADER_BYTES + MAX_KEY_BYTES;

/**
 * The header of a file whose first `read` bytes (at most `PREFIX_BYTES`) are at
 * `buffer[offset…]`, for a scan; 'damaged' when they are not one of our entries.
 */
export function decodePrefix(
  buffer: Buffer,
  offset: number,
  read: number,
  into?: EntryHeader,
): EntryHeader | 'damaged' {
  const header = decodeHeader(buffer, read, offset, into);
  if (
    header === undefined ||
    header.keyBytes > MAX_KEY_BYTES ||
    read < HEADER_BYTES + header.keyBytes ||
    (read < PREFIX_BYTES && read < header.totalBytes)
  ) {
    return 'damaged';
  }
  return header;
}

/** The key of a header-decoded entry whose key bytes are in `buffer`. */
export function headerKey(buffer: Buffer, header: EntryHeader): string {
  return buffer.toString('utf8', HEADER_BYTES, HEADER_BYTES + header.keyBytes);
}

/**
 * Verifies and decodes a whole file held in `buffer[0, length)`. `undefined` = damaged or
 * foreign: wrong magic/version, a length that disagrees with the header, or a checksum
 * mismatch.
 */
export function decodeEntry(buffer: Buffer, length: number): DecodedEntry | undefined {
  const header = decodeHeader(buffer, length);
  if (header === undefined || header.totalBytes !== length) return undefined;
  return decodeVerified(buffer, header);
}

/** Second half of `decodeEntry`, for callers that already decoded the header. */
export function decodeVerified(buffer: Buffer, header: EntryHeader): DecodedEntry | undefined {
  if (crc32(buffer.subarray(CHECKSUM_START, header.totalBytes)) !== header.checksum) return undefined;
  const keyEnd = HEADER_BYTES + header.keyBytes;
  return {
    key: buffer.toString('utf8', HEADER_BYTES, keyEnd),
    text: buffer.toString('utf8', keyEnd, header.totalBytes),
    expiresAt: header.expiresAt,
    totalBytes: header.totalBytes,
  };
}
