import * as zlib from 'node:zlib';

// zlib.crc32 is native (Node >= 20.15 / 22.2). Older Node 20 releases get the table-driven
// version below: the same CRC-32 (IEEE), so files stay readable across Node versions.
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

let table: Uint32Array | undefined;
function crcTable(): Uint32Array {
  if (table !== undefined) return table;
  table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/**
 * CRC-32 (IEEE 802.3, as zlib and gzip compute it) of `data`; pass the CRC of the bytes
 * before `data` as `previous` to checksum a long buffer piece by piece.
 */
export function portableCrc32(data: Uint8Array, previous = 0): number {
  const t = crcTable();
  let crc = previous ^ 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = (t[(crc ^ (data[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * CRC-32 of `data`. A checksum, not a MAC: it catches torn and damaged files (a power loss,
 * a truncated copy, a stray byte), not a deliberate forgery by someone who can write the
 * cache directory (such a writer can only plant values, never code: see the README).
 */
export const crc32: (data: Uint8Array, previous?: number) => number =
  nativeCrc32 === undefined ? portableCrc32 : (data, previous = 0) => nativeCrc32(data, previous) >>> 0;
