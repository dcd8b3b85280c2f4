import { MAX_KEY_BYTES } from '@cache/core';
import { entryPathForHash } from './entry-path.js';
import { KeyArena, hashBytes, sameBytes } from './key-arena.js';
import { grown } from './typed-arrays.js';
import { SlotTable } from './slot-table.js';

/** What lookups answer for an unknown key; also the end marker of the LRU list. */
export const NO_SLOT = -1;

/** Bytes of a SHA-256 digest: the binary form of an entry's file name. */
export const HASH_BYTES = 32;
const HASH_WORDS = HASH_BYTES / 4;

/**
 * The in-memory picture of the cache folder: LRU order, sizes and expiries, found by key and
 * by file name. It is a hint, never the truth: reads always go to the file, because other
 * processes change the folder behind our back.
 *
 * Entries are numbered slots in parallel typed arrays (struct of arrays), with their keys as
 * UTF-8 bytes in a `KeyArena`: 100k entries are a handful of flat arrays, not hundreds of
 * thousands of objects, strings and map entries, so building the index after a restart
 * allocates nothing that outlives a young-generation collection, and lookups go through
 * `SlotTable`s, which never rehash 100k entries in one call as a growing `Map` does. The LRU
 * order is a doubly linked list through `#older`/`#newer`: touching an entry and adding a
 * scanned one at the old end are O(1). File paths are derived from the stored digest and
 * memoized for entries the app uses. Freed slots are reused: a slot number held across an
 * `await` must be looked up again (or checked with `generationOf`) before use.
 */
export class DiskIndex {
  readonly #dir: string;
  readonly #onRemove: ((slot: number) => void) | undefined;
  #capacity = 0;
  /** Slots below this have been handed out at least once. */
  #used = 0;
  /** Free slots, linked through `#newer`. */
  #freeHead = NO_SLOT;
  readonly #keys = new KeyArena();
  /** Where each slot's key is in the arena, and its length in bytes (0 marks a free slot). */
  #keyStarts: Uint32Array = new Uint32Array(0);
  #keyLengths: Uint16Array = new Uint16Array(0);
  #keyHashes: Uint32Array = new Uint32Array(0);
  /** Bumped each time a slot is handed out, so a holder can tell it was reused. */
  #generations: Uint32Array = new Uint32Array(0);
  /**
   * Memoized entry paths, only for slots whose path was asked for (`delete` and `clear` reset
   * them, so a fresh slot has none): a build of 100k entries must not grow this to 100k.
   */
  readonly #paths: (string | undefined)[] = [];
  /** SHA-256 of each slot's key (its file name, binary): a Buffer view for hex, words for comparing. */
  #digestBytes: Buffer = Buffer.alloc(0);
  #digestWords: Int32Array = new Int32Array(0);
  /** File size: header + key + value. */
  #sizes: Float64Array = new Float64Array(0);
  /** Epoch ms, 0 = never. As last seen: another process may have rewritten the file since. */
  #expiries: Float64Array = new Float64Array(0);
  /** Value of the write counter when the slot was last written or seen. */
  #stamps: Float64Array = new Float64Array(0);
  /** Number of the last folder scan that found the slot's file. */
  #seen: Uint32Array = new Uint32Array(0);
  #older: Int32Array = new Int32Array(0);
  #newer: Int32Array = new Int32Array(0);
  /** 1 while the slot is in the LRU list; 0 for a detached one (found by a scan, not yet placed). */
  #linked: Uint8Array = new Uint8Array(0);
  readonly #byKey: SlotTable<number> = new SlotTable((slot, length) => this.#sameKey(slot, length));
  readonly #byDigest: SlotTable<number> = new SlotTable((slot) => this.#sameDigest(slot));
  /** The key being looked up (encoded here when it comes as a string), and where it is. */
  readonly #keyScratch: Buffer = Buffer.alloc(3 * MAX_KEY_BYTES);
  #probeSource: Uint8Array = this.#keyScratch;
  #probeStart = 0;
  /** The digest being looked up, as words (and bytes, for parsing hex into it). */
  readonly #probe = new Int32Array(HASH_WORDS);
  readonly #probeBytes: Buffer = Buffer.from(this.#probe.buffer);
  #oldest = NO_SLOT;
  #newest = NO_SLOT;
  #count = 0;
  #bytes = 0;
  #stamp = 0;

  /**
   * @param dir the cache folder (absolute), to derive entry paths.
   * @param onRemove told about every slot that is freed (so per-slot data elsewhere can go).
   */
  constructor(dir: string, onRemove?: (slot: number) => void) {
    this.#dir = dir;
    this.#onRemove = onRemove;
  }

  /** Number of entries. */
  get size(): number {
    return this.#count;
  }

  /** Sum of entry sizes. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The write counter: entries stamped after a reading of it were written since. */
  get stamp(): number {
    return this.#stamp;
  }

  /** Every slot number is below this (for loops over all slots; skip the ones not `isLive`). */
  get slotLimit(): number {
    return this.#used;
  }

  /** The slot of `key`, or `NO_SLOT`. */
  find(key: string): number {
    const length = this.#encode(key);
    if (length < 0) return NO_SLOT;
    return this.#findKey(this.#keyScratch, 0, length);
  }

  /** The slot of the key whose UTF-8 bytes are `source[start, start + length)`, or `NO_SLOT`. */
  findBytes(source: Uint8Array, start: number, length: number): number {
    return this.#findKey(source, start, length);
  }

  /** The slot whose file is named `name` (64 lowercase hex), or `NO_SLOT`. */
  findByName(name: string): number {
    if (this.#probeBytes.write(name, 0, HASH_BYTES, 'hex') !== HASH_BYTES) return NO_SLOT;
    return this.#byDigest.find(this.#probe[0] as number, 0);
  }

  isLive(slot: number): boolean {
    return this.#keyLengths[slot] !== 0 && slot < this.#used;
  }

  /** The slot's key, decoded (a new string each call: for the paths that are not hot). */
  keyOf(slot: number): string | undefined {
    if (!this.isLive(slot)) return undefined;
    const start = this.#keyStarts[slot] as number;
    return this.#keys.buffer.toString('utf8', start, start + (this.#keyLengths[slot] as number));
  }

  /** Length of the slot's key in UTF-8 bytes (0: a free slot). */
  keyLengthOf(slot: number): number {
    return this.#keyLengths[slot] as number;
  }

  /** Copies the slot's key (UTF-8) to `target[offset…]`; answers its length. */
  copyKey(slot: number, target: Uint8Array, offset: number): number {
    const length = this.#keyLengths[slot] as number;
    const bytes = this.#keys.buffer;
    const start = this.#keyStarts[slot] as number;
    for (let i = 0; i < length; i++) target[offset + i] = bytes[start + i] as number;
    return length;
  }

  /** Changes whenever the slot is handed out anew. */
  generationOf(slot: number): number {
    return this.#generations[slot] as number;
  }

  pathOf(slot: number): string {
    let path = this.#paths[slot];
    if (path === undefined) {
      const start = slot * HASH_BYTES;
      path = entryPathForHash(this.#dir, this.#digestBytes.toString('hex', start, start + HASH_BYTES));
      this.#paths[slot] = path;
    }
    return path;
  }

  sizeOf(slot: number): number {
    return this.#sizes[slot] as number;
  }

  expiresAtOf(slot: number): number {
    return this.#expiries[slot] as number;
  }

  stampOf(slot: number): number {
    return this.#stamps[slot] as number;
  }

  seenOf(slot: number): number {
    return this.#seen[slot] as number;
  }

  markSeen(slot: number, scan: number): void {
    this.#seen[slot] = scan;
  }

  /** Copies the slot's digest (its file name, binary) to `target[offset…]`. */
  copyDigest(slot: number, target: Uint8Array, offset: number): void {
    const bytes = this.#digestBytes;
    const start = slot * HASH_BYTES;
    for (let i = 0; i < HASH_BYTES; i++) target[offset + i] = bytes[start + i] as number;
  }

  /** The least recently used entry, or `NO_SLOT`. */
  oldest(): number {
    return this.#oldest;
  }

  /** Marks an entry most recently used (placing it, if a scan had not yet). */
  touch(slot: number): void {
    if (this.#newest === slot || !this.isLive(slot)) return;
    if (this.#linked[slot] === 1) this.#unlink(slot);
    this.#linkNewest(slot);
  }

  /**
   * Records a write (or a read that found a file): the entry becomes most recently used.
   * `path` is the entry's path (its last 64 characters name the file). Answers the slot.
   */
  record(key: string, path: string, size: number, expiresAt: number): number {
    const stamp = ++this.#stamp;
    const length = this.#encode(key);
    if (length < 0) throw new RangeError(`not a cache key: ${key.slice(0, 40)}`);
    const known = this.#findKey(this.#keyScratch, 0, length);
    if (known !== NO_SLOT) {
      this.#bytes += size - (this.#sizes[known] as number);
      this.#sizes[known] = size;
      this.#expiries[known] = expiresAt;
      this.#stamps[known] = stamp;
      this.touch(known);
      return known;
    }
    const slot = this.#allocate(this.#keyScratch, 0, length, size, expiresAt, stamp);
    this.#digestBytes.write(path.slice(path.length - 2 * HASH_BYTES), slot * HASH_BYTES, HASH_BYTES, 'hex');
    this.#paths[slot] = path;
    this.#byDigest.insert(this.#digestWords[slot * HASH_WORDS] as number, slot);
    this.#linkNewest(slot);
    return slot;
  }

  /** Corrects what is known of an entry (another process rewrote it) without changing its LRU place. */
  update(slot: number, size: number, expiresAt: number): void {
    if (!this.isLive(slot)) return;
    this.#bytes += size - (this.#sizes[slot] as number);
    this.#sizes[slot] = size;
    this.#expiries[slot] = expiresAt;
  }

  /**
   * Adds an entry found by a scan at the least recently used end, unless the key is already
   * known (what was learned since the scan started is newer). The key's UTF-8 bytes are
   * `key[keyStart, keyStart + keyLength)`, the digest `digest[digestStart…]`. Answers whether
   * it was added.
   */
  addOldest(
    key: Uint8Array,
    keyStart: number,
    keyLength: number,
    digest: Uint8Array,
    digestStart: number,
    size: number,
    expiresAt: number,
  ): boolean {
    const slot = this.addDetached(key, keyStart, keyLength, digest, digestStart, size, expiresAt);
    if (slot === NO_SLOT) return false;
    this.#linkOldest(slot);
    return true;
  }

  /**
   * Adds an entry found by a scan without placing it in the LRU order yet (it is found by key
   * and counted in `size`/`bytes`, but `oldest()` never answers it): a scan files what it
   * finds as it goes and orders it all by age at the end (`attachOldest`/`attachNewest`).
   * Answers the slot, or `NO_SLOT` when the key is already known.
   */
  addDetached(
    key: Uint8Array,
    keyStart: number,
    keyLength: number,
    digest: Uint8Array,
    digestStart: number,
    size: number,
    expiresAt: number,
  ): number {
    if (this.#findKey(key, keyStart, keyLength) !== NO_SLOT) return NO_SLOT;
    const slot = this.#allocate(key, keyStart, keyLength, size, expiresAt, this.#stamp);
    const bytes = this.#digestBytes;
    const start = slot * HASH_BYTES;
    for (let i = 0; i < HASH_BYTES; i++) bytes[start + i] = digest[digestStart + i] as number;
    this.#byDigest.insert(this.#digestWords[slot * HASH_WORDS] as number, slot);
    return slot;
  }

  /** Places a detached entry at the least recently used end (nothing if it was placed or removed since). */
  attachOldest(slot: number): void {
    if (this.isLive(slot) && this.#linked[slot] === 0) this.#linkOldest(slot);
  }

  /** Places a detached entry at the most recently used end. */
  attachNewest(slot: number): void {
    if (this.isLive(slot) && this.#linked[slot] === 0) this.#linkNewest(slot);
  }

  delete(slot: number): void {
    if (!this.isLive(slot)) return;
    const length = this.#keyLengths[slot] as number;
    this.#byKey.remove(this.#keyHashes[slot] as number, slot);
    this.#byDigest.remove(this.#digestWords[slot * HASH_WORDS] as number, slot);
    this.#keys.release(this.#keyStarts[slot] as number, length);
    this.#keyLengths[slot] = 0;
    this.#bytes -= this.#sizes[slot] as number;
    this.#count--;
    if (this.#linked[slot] === 1) this.#unlink(slot);
    this.#paths[slot] = undefined;
    this.#newer[slot] = this.#freeHead;
    this.#freeHead = slot;
    this.#onRemove?.(slot);
  }

  /** Makes room for `count` entries in all, so a scan that knows its size grows the index once. */
  reserve(count: number): void {
    for (const _ of this.reserving(count));
  }

  /**
   * `reserve`, one part per step, so that a scan can take an event-loop turn between them: for
   * 125k entries the parts took 0.2, 2-4.4 and 1.3 ms in a scan (the second often holding V8's
   * first full collection of the process), together a 4-6.5 ms turn.
   */
  *reserving(count: number): Generator<void, void, undefined> {
    if (count > this.#capacity) this.#grow(count);
    yield;
    this.#byKey.reserve(count);
    yield;
    this.#byDigest.reserve(count);
  }

  /** Every live slot, most recently used first (a copy: for writers that yield between slices). */
  newestFirst(): Int32Array {
    const order = new Int32Array(this.#count);
    let at = 0;
    for (let slot = this.#newest; slot !== NO_SLOT && at < order.length; slot = this.#older[slot] as number) {
      order[at++] = slot;
    }
    return at === order.length ? order : order.subarray(0, at);
  }

  /** Forgets everything (the storage is kept for reuse). Slot numbers held elsewhere become invalid. */
  clear(): void {
    this.#keyLengths.fill(0);
    this.#keys.clear();
    this.#paths.length = 0;
    this.#used = 0;
    this.#freeHead = NO_SLOT;
    this.#byKey.clear();
    this.#byDigest.clear();
    this.#oldest = this.#newest = NO_SLOT;
    this.#count = 0;
    this.#bytes = 0;
  }

  /** Encodes `key` into the key scratch; answers its UTF-8 length, or -1 if it cannot be a key. */
  #encode(key: string): number {
    // Over MAX_KEY_BYTES UTF-16 units means over MAX_KEY_BYTES UTF-8 bytes: never stored.
    if (key.length > MAX_KEY_BYTES || key.length === 0) return -1;
    return this.#keyScratch.write(key, 0, 'utf8');
  }

  #findKey(source: Uint8Array, start: number, length: number): number {
    this.#probeSource = source;
    this.#probeStart = start;
    return this.#byKey.find(hashBytes(source, start, length), length);
  }

  /** A fresh slot holding the key (in the key table, not yet in the digest table or the LRU list). */
  #allocate(
    key: Uint8Array,
    keyStart: number,
    keyLength: number,
    size: number,
    expiresAt: number,
    stamp: number,
  ): number {
    let slot = this.#freeHead;
    if (slot !== NO_SLOT) {
      this.#freeHead = this.#newer[slot] as number;
    } else {
      if (this.#used === this.#capacity) this.#grow(this.#used + 1);
      slot = this.#used++;
    }
    const keyHash = hashBytes(key, keyStart, keyLength);
    this.#keyStarts[slot] = this.#keys.store(key, keyStart, keyLength);
    this.#keyLengths[slot] = keyLength;
    this.#keyHashes[slot] = keyHash;
    this.#generations[slot] = (this.#generations[slot] as number) + 1;
    this.#sizes[slot] = size;
    this.#expiries[slot] = expiresAt;
    this.#stamps[slot] = stamp;
    this.#seen[slot] = 0;
    this.#linked[slot] = 0;
    this.#byKey.insert(keyHash, slot);
    this.#bytes += size;
    this.#count++;
    return slot;
  }

  #sameKey(slot: number, length: number): boolean {
    return (
      this.#keyLengths[slot] === length &&
      sameBytes(
        this.#keys.buffer,
        this.#keyStarts[slot] as number,
        this.#probeSource,
        this.#probeStart,
        length,
      )
    );
  }

  #sameDigest(slot: number): boolean {
    const words = this.#digestWords;
    const probe = this.#probe;
    const start = slot * HASH_WORDS;
    for (let i = 0; i < HASH_WORDS; i++) if (words[start + i] !== probe[i]) return false;
    return true;
  }

  #grow(atLeast: number): void {
    let capacity = Math.max(64, this.#capacity * 2);
    while (capacity < atLeast) capacity *= 2;
    const digests = new ArrayBuffer(capacity * HASH_BYTES);
    new Uint8Array(digests).set(this.#digestBytes);
    this.#digestBytes = Buffer.from(digests);
    this.#digestWords = new Int32Array(digests);
    this.#keyStarts = grown(this.#keyStarts, new Uint32Array(capacity));
    this.#keyLengths = grown(this.#keyLengths, new Uint16Array(capacity));
    this.#keyHashes = grown(this.#keyHashes, new Uint32Array(capacity));
    this.#generations = grown(this.#generations, new Uint32Array(capacity));
    this.#sizes = grown(this.#sizes, new Float64Array(capacity));
    this.#expiries = grown(this.#expiries, new Float64Array(capacity));
    this.#stamps = grown(this.#stamps, new Float64Array(capacity));
    this.#seen = grown(this.#seen, new Uint32Array(capacity));
    this.#older = grown(this.#older, new Int32Array(capacity));
    this.#newer = grown(this.#newer, new Int32Array(capacity));
    this.#linked = grown(this.#linked, new Uint8Array(capacity));
    this.#capacity = capacity;
  }

  #linkOldest(slot: number): void {
    this.#linked[slot] = 1;
    this.#newer[slot] = this.#oldest;
    this.#older[slot] = NO_SLOT;
    if (this.#oldest === NO_SLOT) this.#newest = slot;
    else this.#older[this.#oldest] = slot;
    this.#oldest = slot;
  }

  #linkNewest(slot: number): void {
    this.#linked[slot] = 1;
    this.#older[slot] = this.#newest;
    this.#newer[slot] = NO_SLOT;
    if (this.#newest === NO_SLOT) this.#oldest = slot;
    else this.#newer[this.#newest] = slot;
    this.#newest = slot;
  }

  #unlink(slot: number): void {
    this.#linked[slot] = 0;
    const older = this.#older[slot] as number;
    const newer = this.#newer[slot] as number;
    if (older === NO_SLOT) this.#oldest = newer;
    else this.#newer[older] = newer;
    if (newer === NO_SLOT) this.#newest = older;
    else this.#older[newer] = older;
  }
}
