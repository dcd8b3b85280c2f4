import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '@cache/memory';

const keysOf = async (cache: MemoryBackend, keys: string[]): Promise<string[]> => {
  const present: string[] = [];
  for (const key of keys) if (await cache.exists(key)) present.push(key);
  return present;
};

describe('LRU order', () => {
  it('evicts the least recently set entry once maxEntries is reached', async () => {
    const cache = new MemoryBackend({ maxEntries: 3 });
    for (const key of ['a', 'b', 'c', 'd']) await cache.set(key, key);
    expect(await keysOf(cache, ['a', 'b', 'c', 'd'])).toEqual(['b', 'c', 'd']);
    expect(cache.stats().evictions).toBe(1);
    expect(cache.stats().entries).toBe(3);
  });

  it('a get makes an entry the most recently used', async () => {
    const cache = new MemoryBackend({ maxEntries: 3 });
    for (const key of ['a', 'b', 'c']) await cache.set(key, key);
    expect(await cache.get('a')).toBe('a');
    await cache.set('d', 'd');
    expect(await keysOf(cache, ['a', 'b', 'c', 'd'])).toEqual(['a', 'c', 'd']);
  });

  it('overwriting a key makes it the most recently used without evicting anything', async () => {
    const cache = new MemoryBackend({ maxEntries: 3 });
    for (const key of ['a', 'b', 'c']) await cache.set(key, key);
    await cache.set('a', 'A');
    expect(cache.stats().evictions).toBe(0);
    await cache.set('d', 'd');
    expect(await keysOf(cache, ['a', 'b', 'c', 'd'])).toEqual(['a', 'c', 'd']);
    expect(await cache.get('a')).toBe('A');
  });

  it('exists does not refresh recency', async () => {
    const cache = new MemoryBackend({ maxEntries: 2 });
    await cache.set('a', 1);
    await cache.set('b', 2);
    expect(await cache.exists('a')).toBe(true);
    await cache.set('c', 3);
    expect(await keysOf(cache, ['a', 'b', 'c'])).toEqual(['b', 'c']);
  });

  it('keeps evicting in order under sustained writes and counts every eviction', async () => {
    const cache = new MemoryBackend({ maxEntries: 100 });
    for (let i = 0; i < 1000; i++) await cache.set(`k${i}`, i);
    expect(cache.stats().evictions).toBe(900);
    expect(cache.stats().entries).toBe(100);
    expect(await cache.get('k899')).toBeUndefined();
    expect(await cache.get('k900')).toBe(900);
    expect(await cache.get('k999')).toBe(999);
  });
});
