import type { CacheStats } from '@cache/core';
import { expect } from 'vitest';
import { check, type ConcernDefinition } from '../concern.js';

type Counts = Pick<CacheStats, 'hits' | 'misses' | 'sets' | 'deletes'>;

function counts(stats: CacheStats): Counts {
  return { hits: stats.hits, misses: stats.misses, sets: stats.sets, deletes: stats.deletes };
}

/**
 * Counters of a fresh instance (its own, even when the store is shared): `get` counts a hit or
 * a miss, a stored `set` a set, each entry removed by `delete`/`deletePattern` a delete;
 * `hitRate` is `hits / (hits + misses)`, 0 when there were none.
 */
export const statsConcern: ConcernDefinition = {
  concern: 'stats',
  title: 'stats',
  cases: () => [
    check('a fresh backend reports every count as 0 and hitRate 0', async ({ openBackend }) => {
      const stats = (await openBackend()).stats();
      expect(stats).toMatchObject({
        hits: 0,
        misses: 0,
        sets: 0,
        deletes: 0,
        errors: 0,
        evictions: 0,
        expirations: 0,
      });
      expect(stats.hitRate).toBe(0);
      if (stats.entries !== undefined) expect(stats.entries).toBeGreaterThanOrEqual(0);
      if (stats.bytes !== undefined) expect(stats.bytes).toBeGreaterThanOrEqual(0);
    }),

    check('get counts hits and misses, and hitRate is derived from them', async ({ openBackend, key }) => {
      const backend = await openBackend();
      await backend.set(key('hit'), 'x');
      await backend.set(key('null'), null);
      await backend.get(key('hit'));
      await backend.get(key('hit'));
      await backend.get(key('null'));
      await backend.get(key('miss'));
      const stats = backend.stats();
      expect(counts(stats), 'a stored null read back is a hit').toMatchObject({ hits: 3, misses: 1 });
      expect(stats.hitRate).toBe(0.75);
      expect(stats.hitRate).toBe(stats.hits / (stats.hits + stats.misses));
    }),

    check(
      'getAndDelete counts a hit when it returns a value and a miss when not',
      async ({ openBackend, key }) => {
        const backend = await openBackend();
        await backend.set(key('take'), 'x');
        await backend.getAndDelete(key('take'));
        await backend.getAndDelete(key('take'));
        expect(counts(backend.stats())).toMatchObject({ hits: 1, misses: 1 });
      },
    ),

    check(
      'set counts stored entries; delete and deletePattern count the entries they removed',
      async ({ openBackend, key, prefix }) => {
        const backend = await openBackend();
        for (const name of ['a', 'b', 'group:1', 'group:2', 'group:3']) await backend.set(key(name), name);
        expect(backend.stats().sets).toBe(5);
        await backend.delete(key('a'));
        await backend.delete(key('a'));
        await backend.delete(key('never'));
        expect(backend.stats().deletes, 'one delete removed an entry, two removed nothing').toBe(1);
        await backend.deletePattern(`${prefix}group:*`);
        await backend.deletePattern(`${prefix}none:*`);
        expect(backend.stats().deletes, 'plus three entries removed by deletePattern').toBe(4);
      },
    ),

    check(
      'ordinary operations count no errors, and stats() answers a detached snapshot',
      async ({ openBackend, key }) => {
        const backend = await openBackend();
        await backend.set(key('k'), 1);
        await backend.get(key('k'));
        const before = backend.stats();
        expect(before.errors).toBe(0);
        await backend.get(key('k'));
        expect(before.hits, 'an earlier snapshot does not move').toBe(1);
        expect(backend.stats().hits).toBe(2);
      },
    ),
  ],
};
