/**
 * Child process of memory.bench.ts (run with --expose-gc): fills one cache per variant with N
 * entries and prints the heap it grew by, per entry, beside the stored bytes per entry. A separate process
 * so that nothing else the benchmark allocated is on the heap.
 *   node --expose-gc --import tsx memory-heap.ts clone,noclone,lru-json <N>
 */
import { MemoryBackend } from '@cache/memory';
import { LRUCache } from 'lru-cache';
import { makeKey, makeValue } from './memory-fixtures.js';

const [variantList = 'clone,noclone,lru-json', count = '100000'] = process.argv.slice(2);
const entries = Number(count);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

const settle = (): number => {
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed;
};

/** Builds one filled cache; answers it (to keep it alive) and the stored bytes. */
async function fill(variant: string, n: number): Promise<{ cache: unknown; storedBytes: number }> {
  if (variant === 'lru-json') {
    const lru = new LRUCache<string, string>({ max: n });
    let storedBytes = 0;
    for (let i = 0; i < n; i++) {
      const text = JSON.stringify(makeValue(i));
      storedBytes += Buffer.byteLength(text);
      lru.set(makeKey(i), text);
    }
    return { cache: lru, storedBytes };
  }
  const cache = new MemoryBackend({ maxEntries: n, clone: variant === 'clone' });
  for (let i = 0; i < n; i++) await cache.set(makeKey(i), makeValue(i));
  if (cache.stats().entries !== n) throw new Error('not every entry was stored');
  return { cache, storedBytes: cache.stats().bytes };
}

const results: Record<string, { heapPerEntry: number; storedPerEntry: number }> = {};
for (const variant of variantList.split(',')) {
  // Warm up first: compiled code and inline caches are not per-entry cost.
  await fill(variant, Math.min(entries, 2000));
  const before = settle();
  // The cache is built after the first reading: its preallocated bookkeeping is per-entry cost.
  let filled: { cache: unknown; storedBytes: number } | undefined = await fill(variant, entries);
  const after = settle();
  results[variant] = {
    heapPerEntry: (after - before) / entries,
    storedPerEntry: filled.storedBytes / entries,
  };
  filled = undefined;
  void filled;
}
process.stdout.write(JSON.stringify(results) + '\n');
