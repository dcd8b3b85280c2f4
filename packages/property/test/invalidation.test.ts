import { describe, expect, it } from 'vitest';
import { PropertyCacheManager } from '../src/index.js';
import { createManager } from './support/manager.js';

describe('invalidatePropertyCaches', () => {
  it('deletes every list page (all filters, users, pages, versions) and answers how many', async () => {
    const { cache } = createManager();
    const v1 = new PropertyCacheManager(cache);
    const v2 = new PropertyCacheManager(cache, { version: 'v2' });
    const listKeys = [
      v1.generateCacheKey({ city: 'Lyon' }),
      v1.generateCacheKey({ city: 'Lyon' }, 7, 2, 50),
      v1.generateCacheKey({ city: 'Nice' }, 'bob'),
      v2.generateCacheKey({}),
    ];
    for (const key of listKeys) await cache.set(key, ['page']);
    await cache.set(v1.detailCacheKey(1), { id: 1 });
    await cache.set('saved-searches:u7:abc', ['mine']);

    expect(await v1.invalidatePropertyCaches()).toBe(4);

    for (const key of listKeys) expect(await cache.exists(key)).toBe(false);
    expect(await cache.get(v1.detailCacheKey(1))).toEqual({ id: 1 });
    expect(await cache.get('saved-searches:u7:abc')).toEqual(['mine']);
    expect(await v1.invalidatePropertyCaches()).toBe(0);
  });
});

describe('invalidatePropertyDetailCache', () => {
  it('deletes every version of that one detail and answers how many', async () => {
    const { cache } = createManager();
    const v1 = new PropertyCacheManager(cache);
    const v2 = new PropertyCacheManager(cache, { version: 'v2' });
    await cache.set(v1.detailCacheKey(42), { id: 42 });
    await cache.set(v2.detailCacheKey(42), { id: 42 });
    await cache.set(v1.detailCacheKey(420), { id: 420 });
    await cache.set(v1.detailCacheKey(4), { id: 4 });
    await cache.set(v1.generateCacheKey({}), ['page']);

    expect(await v1.invalidatePropertyDetailCache(42)).toBe(2);

    expect(await cache.exists('property:42:v1')).toBe(false);
    expect(await cache.exists('property:42:v2')).toBe(false);
    expect(await cache.get('property:420:v1')).toEqual({ id: 420 });
    expect(await cache.get('property:4:v1')).toEqual({ id: 4 });
    expect(await cache.get(v1.generateCacheKey({}))).toEqual(['page']);
  });

  it('treats the id as text, never as a pattern', async () => {
    const { cache } = createManager();
    const properties = new PropertyCacheManager(cache);
    await cache.set(properties.detailCacheKey('ab'), 1);
    await cache.set(properties.detailCacheKey('a*'), 2);
    await cache.set(properties.detailCacheKey('a:b'), 3);

    expect(await properties.invalidatePropertyDetailCache('a*')).toBe(1);
    expect(await cache.get(properties.detailCacheKey('ab'))).toBe(1);
    expect(await properties.invalidatePropertyDetailCache('a:b')).toBe(1);
    expect(await cache.get(properties.detailCacheKey('ab'))).toBe(1);
  });

  it('accepts the id as a number or a string alike', async () => {
    const { cache } = createManager();
    const properties = new PropertyCacheManager(cache);
    await cache.set(properties.detailCacheKey(7), 1);
    expect(await properties.invalidatePropertyDetailCache('7')).toBe(1);
  });

  it('rejects a bad id before deleting anything', async () => {
    const { cache } = createManager();
    const properties = new PropertyCacheManager(cache);
    await cache.set('property:x:v1', 1);
    await expect(properties.invalidatePropertyDetailCache('' as never)).rejects.toThrow(
      'property id must be a non-empty string or a finite number (got "")',
    );
    expect(await cache.exists('property:x:v1')).toBe(true);
  });
});
