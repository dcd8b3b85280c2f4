/**
 * A hash table from 32-bit hashes to slot numbers, held in two typed arrays (open addressing,
 * linear probing, at most half full). It exists because a `Map` with 100k entries is 100k
 * heap entries the garbage collector walks, and because a `Map` that grows past 2^16 or 2^17
 * entries rehashes in one go (measured here: 4-9 ms in one call, longer than the event-loop
 * budget). Here growth is one pass over two flat arrays, and `reserve()` lets a scan that
 * knows how many files it will add grow the table once, up front.
 *
 * The table stores no keys: its owner decides equality (`matches`), so the same table serves
 * lookups by cache key and by file name.
 */
export class SlotTable<Probe> {
  /** Slot number + 1 at each position; 0 = empty. */
  #slots: Int32Array;
  /** The hash stored with each position, for probing and for moving entries without rehashing. */
  #hashes: Uint32Array;
  #mask: number;
  #count = 0;
  readonly #matches: (slot: number, probe: Probe) => boolean;

  /** @param matches whether `slot` is the one `probe` looks for (called only on a hash match). */
  constructor(matches: (slot: number, probe: Probe) => boolean) {
    this.#matches = matches;
    this.#slots = new Int32Array(16);
    this.#hashes = new Uint32Array(16);
    this.#mask = 15;
  }

  get size(): number {
    return this.#count;
  }

  /** The slot stored under `hash` that `matches` accepts for `probe`, or -1. */
  find(hash: number, probe: Probe): number {
    hash >>>= 0;
    const slots = this.#slots;
    const hashes = this.#hashes;
    const mask = this.#mask;
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      const stored = slots[at] as number;
      if (stored === 0) return -1;
      if (hashes[at] === hash && this.#matches(stored - 1, probe)) return stored - 1;
    }
  }

  /** Adds `slot` under `hash`. The caller knows it is not there yet. */
  insert(hash: number, slot: number): void {
    if ((this.#count + 1) * 2 > this.#slots.length) this.#resize(this.#slots.length * 2);
    this.#place(hash >>> 0, slot + 1);
    this.#count++;
  }

  /** Removes `slot` (stored under `hash`); nothing happens when it is not there. */
  remove(hash: number, slot: number): void {
    const slots = this.#slots;
    const hashes = this.#hashes;
    const mask = this.#mask;
    let at = hash & mask;
    for (; ; at = (at + 1) & mask) {
      const stored = slots[at] as number;
      if (stored === 0) return;
      if (stored === slot + 1) break;
    }
    this.#count--;
    // Backward-shift deletion: pull later members of the probe run into the hole, so lookups
    // never need tombstones. An entry at `next` may move to `hole` unless its home position
    // lies cyclically in (hole, next].
    let hole = at;
    for (let next = (hole + 1) & mask; slots[next] !== 0; next = (next + 1) & mask) {
      const home = (hashes[next] as number) & mask;
      const stays = hole <= next ? hole < home && home <= next : hole < home || home <= next;
      if (stays) continue;
      slots[hole] = slots[next] as number;
      hashes[hole] = hashes[next] as number;
      hole = next;
    }
    slots[hole] = 0;
  }

  /** Grows the table (if needed) so that `count` entries fit without another resize. */
  reserve(count: number): void {
    let length = this.#slots.length;
    while (count * 2 > length) length *= 2;
    if (length !== this.#slots.length) this.#resize(length);
  }

  clear(): void {
    this.#slots = new Int32Array(16);
    this.#hashes = new Uint32Array(16);
    this.#mask = 15;
    this.#count = 0;
  }

  #place(hash: number, stored: number): void {
    const mask = this.#mask;
    let at = hash & mask;
    while (this.#slots[at] !== 0) at = (at + 1) & mask;
    this.#slots[at] = stored;
    this.#hashes[at] = hash;
  }

  #resize(length: number): void {
    const oldSlots = this.#slots;
    const oldHashes = this.#hashes;
    this.#slots = new Int32Array(length);
    this.#hashes = new Uint32Array(length);
    this.#mask = length - 1;
    for (let at = 0; at < oldSlots.length; at++) {
      const stored = oldSlots[at] as number;
      if (stored !== 0) this.#place(oldHashes[at] as number, stored);
    }
  }
}
