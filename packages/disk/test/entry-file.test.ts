import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, portableCrc32 } from '../src/checksum.js';
import {
  HEADER_BYTES,
  decodeEntry,
  decodeHeader,
  decodePrefix,
  encodeEntry,
  reusableHeader,
} from '../src/entry-file.js';

function encode(key: string, text: string, expiresAt = 0, writtenAt = 1_800_000_000_000): Buffer {
  return encodeEntry(key, Buffer.byteLength(key), text, Buffer.byteLength(text), expiresAt, writtenAt);
}

describe('entry file format', () => {
  it('round-trips key, value text and expiry, with the value stored as plain UTF-8 after the key', () => {
    const text = JSON.stringify({ city: 'Zürich', rooms: [1, 2] });
    const file = encode('props:a:1', text, 1_900_000_000_123);
    expect(file.length).toBe(HEADER_BYTES + 'props:a:1'.length + Buffer.byteLength(text));
    expect(file.subarray(0, 4).toString('latin1')).toBe('CTKD');
    expect(file.toString('utf8', HEADER_BYTES)).toBe('props:a:1' + text);
    expect(decodeEntry(file, file.length)).toEqual({
      key: 'props:a:1',
      text,
      expiresAt: 1_900_000_000_123,
      totalBytes: file.length,
    });
  });

  it('keeps multi-byte keys and values intact', () => {
    const key = '🔑'.repeat(256); // 1024 UTF-8 bytes
    const text = JSON.stringify('värde ✓ 值');
    const file = encode(key, text);
    expect(decodeEntry(file, file.length)).toMatchObject({ key, text, expiresAt: 0 });
  });

  it('rejects every single flipped byte anywhere in the file', () => {
    const file = encode('k', JSON.stringify({ a: 'some value' }), 42);
    for (let at = 0; at < file.length; at++) {
      const damaged = Buffer.from(file);
      damaged[at] = (damaged[at] as number) ^ 0x01;
      expect(decodeEntry(damaged, damaged.length), `byte ${at} flipped`).toBeUndefined();
    }
  });

  it('rejects a truncated file, an empty file and a file with bytes appended', () => {
    const file = encode('k', '"value"');
    for (let length = 0; length < file.length; length++) {
      expect(decodeEntry(file.subarray(0, length), length), `first ${length} bytes`).toBeUndefined();
    }
    const extended = Buffer.concat([file, Buffer.from('x')]);
    expect(decodeEntry(extended, extended.length)).toBeUndefined();
  });

  it('decodes into a reused header object when given one, with the same fields as a fresh decode', () => {
    const into = reusableHeader();
    const first = encode('a', '"one"', 1_900_000_000_000, 1_800_000_000_001);
    const second = encode('key-two', '[2,2]', 0, 1_800_000_000_002);
    expect(decodeHeader(first, first.length, 0, into)).toBe(into);
    expect(into).toEqual(decodeHeader(first, first.length));
    // A scan's batch: the second file's prefix sits after other bytes.
    const batch = Buffer.concat([Buffer.from('xxxxx'), second]);
    expect(decodePrefix(batch, 5, second.length, into)).toBe(into);
    expect(into).toEqual(decodeHeader(second, second.length));
    expect(into.keyBytes).toBe(7);
    // A failed decode answers no header and is not mistaken for the previous one.
    expect(decodeHeader(Buffer.from('not ours, not ours, not ours, not ours'), 37, 0, into)).toBeUndefined();
  });

  it('rejects foreign files and other format versions', () => {
    const json = Buffer.from('{"not":"ours","padding":"......................"}');
    expect(decodeHeader(json, json.length)).toBeUndefined();
    const file = encode('k', '1');
    const future = Buffer.from(file);
    future[4] = 2;
    expect(decodeEntry(future, future.length)).toBeUndefined();
  });
});

describe('crc32', () => {
  it('is the standard CRC-32 (check value of "123456789" is 0xCBF43926), native or portable', () => {
    const data = Buffer.from('123456789');
    expect(crc32(data)).toBe(0xcbf43926);
    expect(portableCrc32(data)).toBe(0xcbf43926);
    const random = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) & 0xff));
    expect(portableCrc32(random)).toBe(zlibCrc32(random) >>> 0);
  });
});
