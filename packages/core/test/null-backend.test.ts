import { describe, expect, it } from 'vitest';
import { CacheConfigError, CacheKeyError, CacheValueError, NullCacheBackend } from '@cache/core';

describe('NullCacheBackend', () => {
  it('stores nothing: reads miss, writes answer false', async () => {
    const cache = new NullCacheBackend();
    expect(cache.name).toBe('null');
    expect(await cache.set('k', { a: 1 }, 60)).toBe(false);
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.getAndDelete('k')).toBeUndefined();
    expect(await cache.exists('k')).toBe(false);
    expect(await cache.delete('k')).toBe(false);
    expect(await cache.deletePattern('*')).toBe(0);
    await expect(cache.clear()).resolves.toBeUndefined();
  });

  it('is always available and connects and disconnects without effect', async () => {
    const cache = new NullCacheBackend();
    await cache.connect();
    expect(cache.isAvailable()).toBe(true);
    await cache.disconnect();
    await cache.disconnect();
    expect(cache.isAvailable()).toBe(true);
  });

  it('counts every read as a miss', async () => {
    const cache = new NullCacheBackend();
    await cache.get('a');
    await cache.getAndDelete('b');
    expect(cache.stats()).toMatchObject({
      hits: 0,
      misses: 2,
      sets: 0,
      errors: 0,
      entries: 0,
      bytes: 0,
      hitRate: 0,
    });
  });

  it('still rejects the caller’s mistakes, like a real backend', async () => {
    const cache = new NullCacheBackend();
    await expect(cache.get('')).rejects.toBeInstanceOf(CacheKeyError);
    await expect(cache.set('k'.repeat(1025), 1)).rejects.toBeInstanceOf(CacheKeyError);
    await expect(cache.delete(5 as unknown as string)).rejects.toBeInstanceOf(CacheKeyError);
    await expect(cache.exists('')).rejects.toBeInstanceOf(CacheKeyError);
    await expect(cache.set('k', undefined)).rejects.toBeInstanceOf(CacheValueError);
    await expect(cache.set('k', () => 1)).rejects.toBeInstanceOf(CacheValueError);
    await expect(cache.set('k', 1, 0)).rejects.toBeInstanceOf(CacheConfigError);
    await expect(cache.set('k', 1, 'soon')).rejects.toBeInstanceOf(CacheConfigError);
  });
});
