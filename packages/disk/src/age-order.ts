import type { Slicer } from './slicer.js';

const BUCKETS = 1024;

/**
 * Orders items by age for the LRU list, oldest first, without a blocking sort: a full sort
 * of 100k objects takes tens of milliseconds of one event-loop turn, while a 1024-bucket
 * distribution runs in slices and orders each item to within 1/1024 of the age range,
 * plenty for choosing what to evict first.
 */
export async function oldestFirst<T>(
  items: readonly T[],
  ageOf: (item: T) => number,
  slicer: Slicer,
): Promise<T[]> {
  if (items.length < 2) return [...items];
  let min = Infinity;
  let max = -Infinity;
  for (const item of items) {
    const at = ageOf(item);
    if (at < min) min = at;
    if (at > max) max = at;
  }
  const width = (max - min) / BUCKETS || 1;
  const buckets: T[][] = Array.from({ length: BUCKETS }, () => []);
  for (const item of items) {
    if (slicer.due()) await slicer.pause();
    const index = Math.min(BUCKETS - 1, Math.floor((ageOf(item) - min) / width));
    (buckets[index] as T[]).push(item);
  }
  const ordered: T[] = [];
  for (const bucket of buckets) for (const item of bucket) ordered.push(item);
  return ordered;
}
