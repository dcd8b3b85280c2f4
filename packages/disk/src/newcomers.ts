import { HASH_BYTES } from './disk-index.js';

/**
 * Files a scan found that the index does not know yet, kept until the scan has ordered them
 * by write time and added them to the index. Flat arrays only (keys as UTF-8 bytes, one after
 * the other): a restart without a snapshot may find 100k of them, and none of that may turn
 * into objects the garbage collector has to copy.
 */
export class Newcomers {
  #count = 0;
  #capacity: number;
  #keyEnd = 0;
  /** The keys' UTF-8 bytes, back to back; key `i` is `keyBytes[keyStarts[i], + keyLengths[i])`. */
  keyBytes: Buffer;
  keyStarts: Uint32Array;
  keyLengths: Uint16Array;
  /** The file names (SHA-256 digests), binary, `HASH_BYTES` each. */
  digests: Buffer;
  sizes: Float64Array;
  expiries: Float64Array;
  /** Write time from each header: the LRU order after a restart. */
  writtenAt: Float64Array;

  constructor(capacity = 256) {
    this.#capacity = capacity;
    this.keyBytes = Buffer.alloc(capacity * 32);
    this.keyStarts = new Uint32Array(capacity);
    this.keyLengths = new Uint16Array(capacity);
    this.digests = Buffer.alloc(capacity * HASH_BYTES);
    this.sizes = new Float64Array(capacity);
    this.expiries = new Float64Array(capacity);
    this.writtenAt = new Float64Array(capacity);
  }

  get count(): number {
    return this.#count;
  }

  /**
   * Adds one: `name` is the file name (64 lowercase hex), the key's UTF-8 bytes are
   * `key[keyStart, keyStart + keyLength)`.
   */
  push(
    name: string,
    key: Uint8Array,
    keyStart: number,
    keyLength: number,
    size: number,
    expiresAt: number,
    writtenAt: number,
  ): void {
    if (this.#count === this.#capacity) this.#grow();
    if (this.#keyEnd + keyLength > this.keyBytes.length) {
      const wider = Buffer.alloc(Math.max(this.keyBytes.length * 2, this.#keyEnd + keyLength));
      this.keyBytes.copy(wider, 0, 0, this.#keyEnd);
      this.keyBytes = wider;
    }
    const at = this.#count++;
    const bytes = this.keyBytes;
    const end = this.#keyEnd;
    for (let i = 0; i < keyLength; i++) bytes[end + i] = key[keyStart + i] as number;
    this.keyStarts[at] = end;
    this.keyLengths[at] = keyLength;
    this.#keyEnd = end + keyLength;
    this.digests.write(name, at * HASH_BYTES, HASH_BYTES, 'hex');
    this.sizes[at] = size;
    this.expiries[at] = expiresAt;
    this.writtenAt[at] = writtenAt;
  }

  /** Key `at`, decoded (for the rare check against keys removed while the scan ran). */
  keyOf(at: number): string {
    const start = this.keyStarts[at] as number;
    return this.keyBytes.toString('utf8', start, start + (this.keyLengths[at] as number));
  }

  #grow(): void {
    const capacity = this.#capacity * 2;
    const digests = Buffer.alloc(capacity * HASH_BYTES);
    this.digests.copy(digests);
    this.digests = digests;
    this.keyStarts = widen(this.keyStarts, new Uint32Array(capacity));
    this.keyLengths = widen(this.keyLengths, new Uint16Array(capacity));
    this.sizes = widen(this.sizes, new Float64Array(capacity));
    this.expiries = widen(this.expiries, new Float64Array(capacity));
    this.writtenAt = widen(this.writtenAt, new Float64Array(capacity));
    this.#capacity = capacity;
  }
}

function widen<T extends Float64Array | Uint32Array | Uint16Array>(values: T, wider: T): T {
  wider.set(values as ArrayLike<number>);
  return wider;
}
