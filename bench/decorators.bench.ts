/**
 * `@cached` on the hot path (a hit), in one run on one memory backend, for a call with one small
 * object argument:
 * - the decorated call;
 * - the floor: `manager.get` with a key computed beforehand (what a hit cannot go below);
 * - the hand-written alternative: `manager.getOrSet(buildCacheKey(...), fn)`.
 * Targets: the decorator adds <= 3 µs per call over the floor, and is within 1.2x of the
 * hand-written version.
 */
import { buildCacheKey, cached, CacheManager } from '@cache/core';
import { MemoryBackend } from '@cache/memory';
import { measureAsync, windowMs, type Benchmark, type BenchRow } from './harness.js';

interface Listing {
  id: number;
  title: string;
  price: number;
}

const query = { city: 'Lisbon', page: 1 };
const result: Listing[] = [
  { id: 1, title: 'Sunny flat', price: 1450 },
  { id: 2, title: 'Quiet studio', price: 900 },
];
const search = async (q: typeof query): Promise<Listing[]> => {
  void q;
  return result;
};

const decorators: Benchmark = async ({ smoke }) => {
  const ms = windowMs(smoke);
  const manager = new CacheManager({ primary: new MemoryBackend() });
  await manager.connect();

  const decorated = cached('search', { cache: manager })(search);
  const handWritten = (q: typeof query): Promise<Listing[]> =>
    manager.getOrSet(buildCacheKey('search', [], { params: q }), () => search(q));

  // Warm both entries, and find the key the decorator uses so the floor reads the same entry.
  await decorated(query);
  await handWritten(query);
  await new Promise((resolve) => setImmediate(resolve));
  const floorKey = buildCacheKey('search', [], { params: query });
  if ((await manager.get(floorKey)) === undefined) throw new Error('the hand-written entry was not stored');

  let sink = 0;
  const floorOps = await measureAsync(async () => {
    sink += ((await manager.get<Listing[]>(floorKey)) as Listing[]).length;
  }, ms);
  const decoratedOps = await measureAsync(async () => {
    sink += (await decorated(query)).length;
  }, ms);
  const handWrittenOps = await measureAsync(async () => {
    sink += (await handWritten(query)).length;
  }, ms);
  if (sink === 0) throw new Error('nothing was read');
  await manager.disconnect();

  const perCall = (ops: number): number => 1e6 / ops;
  const overhead = perCall(decoratedOps) - perCall(floorOps);
  process.stderr.write(
    `decorators: hit ${perCall(decoratedOps).toFixed(2)} µs/call, floor ${perCall(floorOps).toFixed(2)} µs, ` +
      `added ${overhead.toFixed(2)} µs (target <= 3); hand-written ${perCall(handWrittenOps).toFixed(2)} µs, ` +
      `decorated/hand-written time ${(perCall(decoratedOps) / perCall(handWrittenOps)).toFixed(2)}x (target <= 1.2x)\n`,
  );

  const rows: BenchRow[] = [
    {
      group: 'decorators',
      operation: '@cached hit, 1 small object arg',
      ours: decoratedOps,
      baseline: floorOps,
      baselineName: 'manager.get(precomputed key): the floor',
    },
    {
      group: 'decorators',
      operation: '@cached hit: time per call',
      unit: 'µs',
      lowerIsBetter: true,
      ours: perCall(decoratedOps),
      baseline: perCall(floorOps),
      baselineName: 'floor',
      target: `<= floor + 3 µs (added ${overhead.toFixed(2)} µs)`,
    },
    {
      group: 'decorators',
      operation: '@cached hit vs hand-written',
      ours: decoratedOps,
      baseline: handWrittenOps,
      baselineName: 'manager.getOrSet(buildCacheKey(…), fn)',
      target: '>= 0.83x (time within 1.2x)',
    },
  ];
  return rows;
};

export default decorators;
