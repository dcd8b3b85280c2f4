import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '@cache/memory';

describe('stats', () => {
  it('starts at zero', () => {
    expect(new MemoryBackend().stats()).toEqual({
      hits: 0,
      misses: 0,
      sets: 0,
      deletes: 0,
      errors: 0,
      evictions: 0,
      expirations: 0,
      entries: 0,
      bytes: 0,
      oversized: 0,
      hitRate: 0,
    });
  });

  it('counts hits, misses, sets and deletes, and derives hitRate', async () => {
    const cache = new MemoryBackend();
    await cache.set('a', 1);
    await cache.set('b', 2);
    await cache.set('a', 3);
    await cache.get('a');
    await cache.get('a');
    await cache.get('b');
    await cache.get('missing');
    await cache.delete('b');
    await cache.delete('b');
    const stats = cache.stats();
    expect(stats).toMatchObject({ hits: 3, misses: 1, sets: 3, deletes: 1, entries: 1, bytes: 1, errors: 0 });
    expect(stats.hitRate).toBe(0.75);
  });

  it('getAndDelete counts a hit and a delete, or a miss', async () => {
    const cache = new MemoryBackend();
    await cache.set('k', 'v');
    expect(await cache.getAndDelete('k')).toBe('v');
    expect(await cache.getAndDelete('k')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, deletes: 1, entries: 0 });
  });

  it('deletePattern counts one delete per key removed', async () => {
    const cache = new MemoryBackend();
    for (const key of ['user:1', 'user:2', 'user:3', 'post:1']) await cache.set(key, key);
    expect(await cache.deletePattern('user:*')).toBe(3);
    expect(await cache.deletePattern('post:1')).toBe(1);
    expect(await cache.deletePattern('post:1')).toBe(0);
    expect(cache.stats()).toMatchObject({ deletes: 4, entries: 0, bytes: 0 });
  });

  it('clear empties the entries but keeps the counters', async () => {
    const cache = new MemoryBackend();
    await cache.set('a', 1);
    await cache.get('a');
    await cache.clear();
    expect(cache.stats()).toMatchObject({ hits: 1, sets: 1, deletes: 0, entries: 0, bytes: 0 });
  });

  it('a snapshot is detached from later operations', async () => {
    const cache = new MemoryBackend();
    const before = cache.stats();
    await cache.get('k');
    expect(before.misses).toBe(0);
    expect(before.hitRate).toBe(0);
    expect(cache.stats().misses).toBe(1);
  });
});
