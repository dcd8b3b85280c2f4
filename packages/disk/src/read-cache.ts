import type { Stats } from 'node:fs';
import { deserialize } from '@cache/core';
import { grown } from './typed-arrays.js';

/**
 * Entries younger than this (by their ctime/mtime against the wall clock) are not cached, on
 * file systems with sub-second timestamps: longer than a kernel tick (file timestamps come
 * from a clock that advances once per tick, at most 10 ms), with room for small clock
 * adjustments. On file systems with whole-second (or 2-second, FAT) timestamps: 3 s.
 */
export const YOUNG_MS_FINE = 100;
export const YOUNG_MS_COARSE = 3000;

const CACHED = 1;
/** The stored value is `serialize()` text, decoded on every hit (so no caller shares an object). */
const TEXT = 2;
/** Read since the clock hand last passed (second chance). */
const USED = 4;

/**
 * Decoded values of recently read small entries, per index slot, so that a repeated `get` of
 * an unchanged entry costs one `stat` of its file instead of open + read + close, checksum and
 * decode. The file stays the truth: a cached value is returned only while the file at the
 * entry's path is still the very file it was read from, which the `stat` proves:
 *
 * - Every write (ours or another process's) renames a new file into place, and every delete
 *   renames it away, so a changed entry is a different inode, or the path is gone.
 * - A different inode can carry the same inode number (the old one was freed and reused). The
 *   value is cached only from a file whose ctime and mtime were already `youngMs` in the past
 *   when it was read (with the file open, so its inode could not be freed meanwhile). Any
 *   inode that later reuses its number is created after that read, so its ctime is later
 *   than the cached ctime by more than a timestamp tick: the identity (device, inode, size,
 *   mtime, ctime) differs. An in-place edit by another program changes ctime the same way.
 * - So a stale value would need the wall clock to step back by more than `youngMs` to the
 *   exact timestamp of the cached file. Entries younger than `youngMs` are simply read from
 *   the file each time until they are old enough.
 *
 * Eviction is a CLOCK (second chance) over slots, bounded by `budget` bytes of entry files.
 * Slot numbers are the index's: the backend drops a slot whenever the index frees it.
 */
export class ReadCache {
  readonly #budget: number;
  #youngMs = YOUNG_MS_FINE;
  #bytes = 0;
  #count = 0;
  #hand = 0;
  #capacity = 0;
  /** Per slot: the decoded value (a primitive) or its text (TEXT flag). */
  readonly #values: unknown[] = [];
  #flags: Uint8Array = new Uint8Array(0);
  #device: Float64Array = new Float64Array(0);
  #inode: Float64Array = new Float64Array(0);
  #size: Float64Array = new Float64Array(0);
  #mtime: Float64Array = new Float64Array(0);
  #ctime: Float64Array = new Float64Array(0);
  #expiries: Float64Array = new Float64Array(0);

  /** @param budget bytes of entry files whose values may be held; 0 turns the cache off. */
  constructor(budget: number) {
    this.#budget = budget;
  }

  get enabled(): boolean {
    return this.#budget > 0;
  }

  /** Number of cached values. */
  get size(): number {
    return this.#count;
  }

  /** Sum of the file sizes of cached values. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Whether file timestamps here have sub-second resolution (probed at connect()). */
  setTimestampResolution(subSecond: boolean): void {
    this.#youngMs = subSecond ? YOUNG_MS_FINE : YOUNG_MS_COARSE;
  }

  holds(slot: number): boolean {
    return slot < this.#capacity && ((this.#flags[slot] as number) & CACHED) !== 0;
  }

  /** Whether `current` (a stat of the entry's path now) is the file the value was read from. */
  matches(slot: number, current: Stats): boolean {
    return (
      current.ino === this.#inode[slot] &&
      current.ctimeMs === this.#ctime[slot] &&
      current.mtimeMs === this.#mtime[slot] &&
      current.size === this.#size[slot] &&
      current.dev === this.#device[slot]
    );
  }

  expiresAtOf(slot: number): number {
    return this.#expiries[slot] as number;
  }

  /** The cached value, decoded afresh when it is an object (callers may mutate what they get). */
  value(slot: number): unknown {
    const flags = this.#flags[slot] as number;
    this.#flags[slot] = flags | USED;
    const stored = this.#values[slot];
    return (flags & TEXT) === 0 ? stored : deserialize(stored as string);
  }

  /**
   * Offers a value just read and verified from the file `identity` (an fstat of the open file
   * it was read from). Kept unless the file is too young to tell from a successor (see the
   * class comment), or bigger than an eighth of the budget. `now` is the wall clock (epoch ms).
   */
  store(slot: number, identity: Stats, expiresAt: number, text: string, value: unknown, now: number): void {
    if (this.holds(slot)) this.drop(slot);
    const size = identity.size;
    if (size * 8 > this.#budget) return;
    if (now - Math.max(identity.ctimeMs, identity.mtimeMs) < this.#youngMs) return;
    if (slot >= this.#capacity) this.#grow(slot + 1);
    const isObject = typeof value === 'object' && value !== null;
    this.#values[slot] = isObject ? text : value;
    this.#flags[slot] = isObject ? CACHED | TEXT : CACHED;
    this.#device[slot] = identity.dev;
    this.#inode[slot] = identity.ino;
    this.#size[slot] = size;
    this.#mtime[slot] = identity.mtimeMs;
    this.#ctime[slot] = identity.ctimeMs;
    this.#expiries[slot] = expiresAt;
    this.#bytes += size;
    this.#count++;
    if (this.#bytes > this.#budget) this.#evict(slot);
  }

  drop(slot: number): void {
    if (!this.holds(slot)) return;
    this.#flags[slot] = 0;
    this.#values[slot] = undefined;
    this.#bytes -= this.#size[slot] as number;
    this.#count--;
  }

  clear(): void {
    this.#values.length = 0;
    this.#flags.fill(0);
    this.#bytes = 0;
    this.#count = 0;
  }

  /** Clock hand: drops values not read since it last passed, until under budget (never `keep`). */
  #evict(keep: number): void {
    const limit = this.#values.length;
    // Two full turns always suffice: the first clears every USED bit.
    for (let steps = 0; this.#bytes > this.#budget && steps < 2 * limit; steps++) {
      const slot = this.#hand;
      this.#hand = slot + 1 < limit ? slot + 1 : 0;
      const flags = this.#flags[slot] as number;
      if ((flags & CACHED) === 0 || slot === keep) continue;
      if ((flags & USED) !== 0) this.#flags[slot] = flags & ~USED;
      else this.drop(slot);
    }
  }

  #grow(atLeast: number): void {
    let capacity = Math.max(64, this.#capacity * 2);
    while (capacity < atLeast) capacity *= 2;
    this.#flags = grown(this.#flags, new Uint8Array(capacity));
    this.#device = grown(this.#device, new Float64Array(capacity));
    this.#inode = grown(this.#inode, new Float64Array(capacity));
    this.#size = grown(this.#size, new Float64Array(capacity));
    this.#mtime = grown(this.#mtime, new Float64Array(capacity));
    this.#ctime = grown(this.#ctime, new Float64Array(capacity));
    this.#expiries = grown(this.#expiries, new Float64Array(capacity));
    this.#capacity = capacity;
  }
}
