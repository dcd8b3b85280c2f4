import { CacheConfigError, CacheKeyError, generateHash } from '@cache/core';
import { describe, expect, it } from 'vitest';
import { PropertyCacheManager } from '../src/index.js';
import { createManager } from './support/manager.js';

const properties = (): PropertyCacheManager => new PropertyCacheManager(createManager().cache);

describe('generateCacheKey', () => {
  const filters = { city: 'Lyon', minPrice: 100_000, bedrooms: 2 };

  it('is properties:v1:{generateHash(filters)}:u{user}:p{page}:l{limit}', () => {
    expect(properties().generateCacheKey(filters, 7, 2, 50)).toBe(
      `properties:v1:${generateHash(filters)}:u7:p2:l50`,
    );
  });

  it('uses uanon without a user, and page 1, limit 20 by default', () => {
    expect(properties().generateCacheKey(filters)).toBe(
      `properties:v1:${generateHash(filters)}:uanon:p1:l20`,
    );
    expect(properties().generateCacheKey(filters, undefined, 3)).toBe(
      `properties:v1:${generateHash(filters)}:uanon:p3:l20`,
    );
  });

  it('accepts string user ids and encodes them like any key part', () => {
    const manager = properties();
    expect(manager.generateCacheKey({}, 'alice', 1, 20)).toBe(
      `properties:v1:${generateHash({})}:ualice:p1:l20`,
    );
    expect(manager.generateCacheKey({}, 'a:b*', 1, 20)).toBe(
      `properties:v1:${generateHash({})}:ua%3Ab%2A:p1:l20`,
    );
  });

  it('puts the configured version in the key', () => {
    const manager = new PropertyCacheManager(createManager().cache, { version: 'v2' });
    expect(manager.generateCacheKey(filters, 7, 2, 50)).toBe(
      `properties:v2:${generateHash(filters)}:u7:p2:l50`,
    );
    expect(manager.detailCacheKey(42)).toBe('property:42:v2');
  });

  it('gives the same key whatever the order of the filter members, at every depth', () => {
    const manager = properties();
    const a = manager.generateCacheKey({ city: 'Lyon', price: { min: 1, max: 2 } }, 7);
    const b = manager.generateCacheKey({ price: { max: 2, min: 1 }, city: 'Lyon' }, 7);
    expect(a).toBe(b);
  });

  it('gives the same key when members differ only by being undefined', () => {
    const manager = properties();
    const plain = manager.generateCacheKey({ city: 'Lyon' }, 7);
    expect(manager.generateCacheKey({ city: 'Lyon', minPrice: undefined }, 7)).toBe(plain);
    expect(manager.generateCacheKey({ minPrice: undefined, city: 'Lyon', near: { lat: undefined } }, 7)).toBe(
      manager.generateCacheKey({ city: 'Lyon', near: {} }, 7),
    );
    expect(manager.generateCacheKey({ city: undefined }, 7)).toBe(manager.generateCacheKey({}, 7));
  });

  it('keeps array order: sort=[price,date] is not sort=[date,price]', () => {
    const manager = properties();
    expect(manager.generateCacheKey({ sort: ['price', 'date'] })).not.toBe(
      manager.generateCacheKey({ sort: ['date', 'price'] }),
    );
  });

  it('keeps values apart that mean different queries: null vs absent, "100" vs 100, case', () => {
    const manager = properties();
    const keys = [
      manager.generateCacheKey({}),
      manager.generateCacheKey({ city: null }),
      manager.generateCacheKey({ minPrice: 100 }),
      manager.generateCacheKey({ minPrice: '100' }),
      manager.generateCacheKey({ city: 'lyon' }),
      manager.generateCacheKey({ city: 'Lyon' }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('hashes a Date as its ISO string', () => {
    const manager = properties();
    const since = new Date('2024-05-01T00:00:00.000Z');
    expect(manager.generateCacheKey({ since })).toBe(
      manager.generateCacheKey({ since: since.toISOString() }),
    );
  });

  it('separates users, pages and limits', () => {
    const manager = properties();
    const keys = [
      manager.generateCacheKey(filters, 7, 1, 20),
      manager.generateCacheKey(filters, 8, 1, 20),
      manager.generateCacheKey(filters, '7a', 1, 20),
      manager.generateCacheKey(filters, undefined, 1, 20),
      manager.generateCacheKey(filters, 7, 2, 20),
      manager.generateCacheKey(filters, 7, 1, 21),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it.each([
    [{ minPrice: Number.NaN }, 'filters.minPrice must be a finite number (got NaN)'],
    [{ minPrice: Infinity }, 'filters.minPrice must be a finite number (got Infinity)'],
    [
      { ids: new Set([1]) },
      'filters.ids must be a string, number, boolean, null, array or plain object (got a Set)',
    ],
    [
      { deep: { m: new Map() } },
      'filters.deep.m must be a string, number, boolean, null, array or plain object (got a Map)',
    ],
    [{ list: [1, 2n] }, 'filters.list[1] cannot be part of a cache key (got a bigint)'],
    [{ fn: () => 1 }, 'filters.fn cannot be part of a cache key (got a function)'],
    [{ s: Symbol('x') }, 'filters.s cannot be part of a cache key (got a symbol)'],
  ])('rejects %o with a CacheKeyError naming the member', (bad, message) => {
    const error = catchError(() => properties().generateCacheKey(bad));
    expect(error).toBeInstanceOf(CacheKeyError);
    expect((error as Error).message).toContain(message);
  });

  it('rejects a class instance: JSON would make it {} and two queries would collide', () => {
    class Range {
      constructor(readonly min: number) {}
    }
    expect(() => properties().generateCacheKey({ price: new Range(1) })).toThrow(
      /filters\.price must be .* \(got a Range\)/,
    );
  });

  it('rejects cyclic filters', () => {
    const filters: Record<string, unknown> = { city: 'Lyon' };
    filters.self = filters;
    expect(() => properties().generateCacheKey(filters)).toThrow('filters.self refers back to itself');
  });

  it('accepts the same object twice in one filter set (shared, not a cycle)', () => {
    const shared = { min: 1 };
    expect(properties().generateCacheKey({ a: shared, b: shared })).toBe(
      properties().generateCacheKey({ a: { min: 1 }, b: { min: 1 } }),
    );
  });

  it.each([
    [null, 'filters must be a plain object (got null)'],
    [['city'], 'filters must be a plain object (got an array)'],
    ['city=Lyon', 'filters must be a plain object (got a string)'],
  ])('rejects filters that are not an object: %o', (bad, message) => {
    expect(() => properties().generateCacheKey(bad as never)).toThrow(message);
  });

  it('reserves the anonymous user part: userId "anon" is a CacheKeyError', () => {
    expect(() => properties().generateCacheKey({}, 'anon')).toThrow(
      new CacheKeyError(`userId 'anon' is reserved for anonymous requests`),
    );
  });

  it.each([[''], [Number.NaN], [{}]])('rejects userId %o', (userId) => {
    expect(() => properties().generateCacheKey({}, userId as never)).toThrow(
      /^userId must be a non-empty string or a finite number/,
    );
  });

  it.each([[0], [-1], [1.5], [Number.NaN], ['2']])('rejects page and limit %o', (bad) => {
    expect(() => properties().generateCacheKey({}, 7, bad as never, 20)).toThrow(
      `page must be a positive integer (got ${JSON.stringify(bad)})`,
    );
    expect(() => properties().generateCacheKey({}, 7, 1, bad as never)).toThrow(
      `limit must be a positive integer (got ${JSON.stringify(bad)})`,
    );
  });
});

describe('detailCacheKey', () => {
  it('is property:{id}:v1', () => {
    expect(properties().detailCacheKey(42)).toBe('property:42:v1');
    expect(properties().detailCacheKey('42')).toBe('property:42:v1');
  });

  it('encodes the id so it can never widen an invalidation pattern', () => {
    expect(properties().detailCacheKey('a:b')).toBe('property:a%3Ab:v1');
    expect(properties().detailCacheKey('4*')).toBe('property:4%2A:v1');
  });

  it.each([[''], [Number.NaN], [null]])('rejects id %o', (id) => {
    expect(() => properties().detailCacheKey(id as never)).toThrow(CacheKeyError);
  });
});

describe('constructor', () => {
  it.each([[''], ['v:1'], ['v 1'], ['*']])('rejects version %o with a CacheConfigError', (version) => {
    expect(() => new PropertyCacheManager(createManager().cache, { version })).toThrow(
      new CacheConfigError(
        `version must be a non-empty string of letters, digits, '.', '_' or '-' (got ${JSON.stringify(version)})`,
      ),
    );
  });

  it('validates listTtl and detailTtl eagerly, naming the option', () => {
    const { cache } = createManager();
    expect(() => new PropertyCacheManager(cache, { listTtl: 0 })).toThrow(
      /^listTtl must be greater than zero/,
    );
    expect(() => new PropertyCacheManager(cache, { detailTtl: '5 parsecs' })).toThrow(/^detailTtl must be/);
    expect(() => new PropertyCacheManager(cache, { listTtl: '30s', detailTtl: 300 })).not.toThrow();
  });

  it('rejects something that is not a manager', () => {
    expect(() => new PropertyCacheManager({} as never)).toThrow(
      new CacheConfigError('PropertyCacheManager needs a CacheManager or a function returning one'),
    );
  });

  it('exposes the version', () => {
    expect(properties().version).toBe('v1');
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
