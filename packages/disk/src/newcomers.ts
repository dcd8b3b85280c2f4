import type { DiskIndex } from './disk-index.js';
import { oldestFirst } from './age-order.js';
import { ITEMS_PER_CHECK, type Slicer } from './slicer.js';

/**
 * The entries a scan filed in the index detached (`DiskIndex.addDetached`), with the write
 * time from each header, so that at the end they can be placed in the LRU order by age.
 * Typed arrays only: a restart without a snapshot files 100k of them.
 */
export class Newcomers {
  #count = 0;
  #slots: Int32Array = new Int32Array(256);
  #generations: Uint32Array = new Uint32Array(256);
  #writtenAt: Float64Array = new Float64Array(256);

  get count(): number {
    return this.#count;
  }

  /** Notes a slot the scan just filed, with the write time in its file's header. */
  push(index: DiskIndex, slot: number, writtenAt: number): void {
    if (this.#count === this.#slots.length) this.reserve(this.#count * 2);
    const at = this.#count++;
    this.#slots[at] = slot;
    this.#generations[at] = index.generationOf(slot);
    this.#writtenAt[at] = writtenAt;
  }

  /** Makes room for `count` in all, so that a scan that can estimate its total grows these once. */
  reserve(count: number): void {
    if (count <= this.#slots.length) return;
    const slots = new Int32Array(count);
    slots.set(this.#slots.subarray(0, this.#count));
    const generations = new Uint32Array(count);
    generations.set(this.#generations.subarray(0, this.#count));
    const writtenAt = new Float64Array(count);
    writtenAt.set(this.#writtenAt.subarray(0, this.#count));
    this.#slots = slots;
    this.#generations = generations;
    this.#writtenAt = writtenAt;
  }

  /**
   * Places them all in the LRU order by write time: at the old end (`atOldEnd`: their recency
   * is unknown, as after a restart), else at the new end (other processes wrote them lately).
   * Entries removed or used since they were filed are left where they are.
   */
  async place(index: DiskIndex, atOldEnd: boolean, slicer: Slicer): Promise<void> {
    const order = await oldestFirst(this.#writtenAt, this.#count, slicer);
    const last = order.length - 1;
    for (let i = 0; i <= last; i++) {
      if (i % ITEMS_PER_CHECK === 0 && slicer.due()) await slicer.pause();
      // attachOldest prepends: the newest goes first, so the list ends up oldest first.
      const at = order[atOldEnd ? last - i : i] as number;
      const slot = this.#slots[at] as number;
      if (index.generationOf(slot) !== this.#generations[at]) continue; // freed and reused meanwhile
      if (atOldEnd) index.attachOldest(slot);
      else index.attachNewest(slot);
    }
    this.#count = 0;
  }

  /** Places whatever is left without ordering it (a scan that failed half-way), synchronously. */
  placeUnordered(index: DiskIndex): void {
    for (let at = 0; at < this.#count; at++) {
      const slot = this.#slots[at] as number;
      if (index.generationOf(slot) === this.#generations[at]) index.attachOldest(slot);
    }
    this.#count = 0;
  }
}
