import type { Slicer } from './slicer.js';

const BUCKETS = 1024;
/** Items handled between two checks of the slice deadline (each item is a few nanoseconds). */
const CHECK_EVERY = 1024;

/**
 * Orders `count` items by age for the LRU list, oldest first, answering their indices. No
 * comparison sort (one of 100k items would hold a single event-loop turn for milliseconds):
 * a counting sort into 1024 buckets over the age range runs in slices and orders each item to
 * within 1/1024 of that range (items of one bucket keep their given order), plenty for
 * choosing what to evict first. Typed arrays only: no object per item.
 */
export async function oldestFirst(ages: Float64Array, count: number, slicer: Slicer): Promise<Int32Array> {
  const order = new Int32Array(count);
  if (count < 2) {
    if (count === 1) order[0] = 0;
    return order;
  }
  const [min, max] = ageRange(ages, count);
  const width = (max - min) / BUCKETS || 1;
  const bucketOf = new Uint16Array(count);
  const starts = new Int32Array(BUCKETS + 1);
  // The loops run in synchronous chunks: V8 optimizes a plain function after a few calls,
  // while the same loop inside this async function ran unoptimized, boxing every double.
  for (let from = 0; from < count; from += CHECK_EVERY) {
    if (slicer.due()) await slicer.pause();
    countBuckets(ages, from, Math.min(count, from + CHECK_EVERY), min, width, bucketOf, starts);
  }
  for (let bucket = 1; bucket <= BUCKETS; bucket++) {
    starts[bucket] = (starts[bucket] as number) + (starts[bucket - 1] as number);
  }
  for (let from = 0; from < count; from += CHECK_EVERY) {
    if (slicer.due()) await slicer.pause();
    placeInBuckets(from, Math.min(count, from + CHECK_EVERY), bucketOf, starts, order);
  }
  return order;
}

/** The smallest and largest of `ages[0, count)`. */
function ageRange(ages: Float64Array, count: number): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < count; i++) {
    const age = ages[i] as number;
    if (age < min) min = age;
    if (age > max) max = age;
  }
  return [min, max];
}

/** Notes the bucket of items `[from, to)` in `bucketOf` and counts it in `starts[bucket + 1]`. */
function countBuckets(
  ages: Float64Array,
  from: number,
  to: number,
  min: number,
  width: number,
  bucketOf: Uint16Array,
  starts: Int32Array,
): void {
  for (let i = from; i < to; i++) {
    const bucket = Math.min(BUCKETS - 1, Math.floor(((ages[i] as number) - min) / width));
    bucketOf[i] = bucket;
    starts[bucket + 1] = (starts[bucket + 1] as number) + 1;
  }
}

/** Writes items `[from, to)` at the next free place of their bucket in `order`. */
function placeInBuckets(
  from: number,
  to: number,
  bucketOf: Uint16Array,
  starts: Int32Array,
  order: Int32Array,
): void {
  for (let i = from; i < to; i++) {
    const bucket = bucketOf[i] as number;
    const at = starts[bucket] as number;
    starts[bucket] = at + 1;
    order[at] = i;
  }
}
