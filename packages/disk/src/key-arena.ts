/**
 * Cell sizes: every key goes in the smallest cell that holds it. Keys are at most 1024 UTF-8
 * bytes; the larger cells only make the arena safe for any string the index is asked about.
 */
const CELL_SIZES = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096] as const;

/**
 * UTF-8 bytes of many keys in one growable buffer: the index keeps its keys here instead of
 * as 100k JS strings, so that building it allocates nothing the garbage collector must copy
 * out of the young generation (key strings surviving there made collections pause for 5-14
 * ms during a build). Keys live in power-of-two cells with a free list per size, so a removed
 * key's cell is reused by the next key of its size and the buffer never needs compacting
 * (which would be one long pause): at most half of a cell is slack.
 */
export class KeyArena {
  #bytes: Buffer = Buffer.alloc(64 * 1024);
  #used = 0;
  /** Free cell offsets, one stack per cell size. */
  readonly #free: number[][] = CELL_SIZES.map(() => []);

  /** The buffer the offsets point into (replaced when it grows: do not hold on to it). */
  get buffer(): Buffer {
    return this.#bytes;
  }

  /** Copies `source[start, start + length)` into a cell and answers the cell's offset. */
  store(source: Uint8Array, start: number, length: number): number {
    const size = cellSize(length);
    const free = this.#free[sizeClass(size)] as number[];
    let at = free.pop();
    if (at === undefined) {
      if (this.#used + size > this.#bytes.length) this.#grow(this.#used + size);
      at = this.#used;
      this.#used += size;
    }
    const bytes = this.#bytes;
    for (let i = 0; i < length; i++) bytes[at + i] = source[start + i] as number;
    return at;
  }

  /** Gives back the cell at `offset` that holds a key of `length` bytes. */
  release(offset: number, length: number): void {
    (this.#free[sizeClass(cellSize(length))] as number[]).push(offset);
  }

  clear(): void {
    this.#used = 0;
    for (const free of this.#free) free.length = 0;
  }

  #grow(atLeast: number): void {
    let length = this.#bytes.length * 2;
    while (length < atLeast) length *= 2;
    const bytes = Buffer.alloc(length);
    this.#bytes.copy(bytes, 0, 0, this.#used);
    this.#bytes = bytes;
  }
}

function cellSize(length: number): number {
  let size = 16;
  while (size < length) size *= 2;
  return size;
}

function sizeClass(size: number): number {
  return 31 - Math.clz32(size) - 4;
}

/** Whether `a[aStart, aStart + length)` and `b[bStart, bStart + length)` hold the same bytes. */
export function sameBytes(
  a: Uint8Array,
  aStart: number,
  b: Uint8Array,
  bStart: number,
  length: number,
): boolean {
  for (let i = 0; i < length; i++) if (a[aStart + i] !== b[bStart + i]) return false;
  return true;
}

/** A 32-bit hash of `bytes[start, start + length)` for `SlotTable` (FNV-1a with a final mix). */
export function hashBytes(bytes: Uint8Array, start: number, length: number): number {
  let hash = 0x811c9dc5 ^ SEED;
  for (let i = start; i < start + length; i++) hash = Math.imul(hash ^ (bytes[i] as number), 0x01000193);
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}

/** Per process, so that nobody can choose keys that all land in one probe run. */
const SEED = (Math.random() * 0x1_0000_0000) >>> 0;
