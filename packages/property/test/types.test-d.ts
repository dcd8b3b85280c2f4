import type { CacheManager } from '@cache/core';
import { describe, expectTypeOf, it } from 'vitest';
import {
  PropertyCacheManager,
  type PropertyCacheManagerOptions,
  type PropertyFilters,
} from '../src/index.js';

declare const cache: CacheManager;

describe('PropertyCacheManager types', () => {
  it('accepts a manager or a function returning one', () => {
    expectTypeOf(PropertyCacheManager).toBeConstructibleWith(cache);
    expectTypeOf(PropertyCacheManager).toBeConstructibleWith(() => cache, {
      version: 'v2',
      listTtl: '30s',
      detailTtl: 300,
    });
    // @ts-expect-error a TTL is a number or a string
    new PropertyCacheManager(cache, { listTtl: true });
  });

  it('returns what the loader returns', () => {
    const properties = new PropertyCacheManager(cache);
    expectTypeOf(
      properties.getOrSetList({ city: 'Lyon' }, 7, 1, 20, async () => ({ total: 1 })),
    ).toEqualTypeOf<Promise<{ total: number }>>();
    expectTypeOf(properties.getOrSetDetail('42', async () => null)).toEqualTypeOf<Promise<null>>();
    expectTypeOf(properties.generateCacheKey({})).toEqualTypeOf<string>();
    expectTypeOf(properties.invalidatePropertyCaches()).toEqualTypeOf<Promise<number>>();
  });

  it('takes filters as a record (a type alias fits, like the SPEC signature)', () => {
    type Filters = { city?: string; minPrice?: number };
    const filters: Filters = { city: 'Lyon' };
    expectTypeOf(filters).toMatchTypeOf<PropertyFilters>();
    expectTypeOf<PropertyCacheManagerOptions['version']>().toEqualTypeOf<string | undefined>();
  });
});
