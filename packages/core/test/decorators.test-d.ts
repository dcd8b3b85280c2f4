import { describe, expectTypeOf, test } from 'vitest';
import {
  cached,
  CacheKeyPatterns,
  invalidateCache,
  type CacheDecorator,
  type CachedOptions,
  type CacheManager,
} from '@cache/core';
import type { UnannotatedArgs } from '../src/decorators.js';

interface Property {
  id: string;
  city: string;
}
interface SearchQuery {
  city: string;
  page?: number;
}

describe('function wrapper', () => {
  test('returns exactly the type of the wrapped function', () => {
    const search = async (query: SearchQuery, limit?: number): Promise<Property[]> => {
      void query;
      void limit;
      return [];
    };
    const wrapped = cached('search')(search);
    expectTypeOf(wrapped).toEqualTypeOf<typeof search>();
    expectTypeOf(wrapped).parameters.toEqualTypeOf<[SearchQuery, (number | undefined)?]>();
    expectTypeOf(wrapped).returns.resolves.toEqualTypeOf<Property[]>();
  });

  test('a generic async function keeps its type parameter', () => {
    const identity = async <T>(value: T): Promise<T> => value;
    const wrapped = cached('id')(identity);
    expectTypeOf(wrapped(1)).resolves.toEqualTypeOf<number>();
    expectTypeOf(wrapped('a')).resolves.toEqualTypeOf<string>();
  });

  test('a synchronous function is rejected', () => {
    // @ts-expect-error: the decorators wrap async functions only
    cached('sync')((a: number) => a + 1);
    // @ts-expect-error: the decorators wrap async functions only
    invalidateCache('x:*')(() => 'done');
  });

  test('a key function checks the arguments of the wrapped function', () => {
    const byId = async (id: string): Promise<Property | null> => ({ id, city: 'x' });
    cached('p', { key: (id: string) => id })(byId);
    // @ts-expect-error: key takes a number, the function a string
    cached('p', { key: (id: number) => String(id) })(byId);
    // @ts-expect-error: userId reads a property the argument does not have
    cached('p', { includeUser: true, userId: (query: { owner: string }) => query.owner })(byId);
  });

  test('an unannotated key function gets arguments that fit any parameter', () => {
    const encode = (id: string | number): string => String(id);
    const byId = async (id: string): Promise<string> => id;
    cached('p', { key: (id) => encode(id) })(byId);
  });

  test('a typed condition checks the result', () => {
    const list = async (): Promise<Property[]> => [];
    cached('p', { condition: (rows: Property[]) => rows.length > 0 })(list);
    // @ts-expect-error: condition expects a string, the function resolves to Property[]
    cached('p', { condition: (text: string) => text.length > 0 })(list);
  });

  test('a bad option is a type error', () => {
    // @ts-expect-error: ttl is seconds or a duration string
    cached('p', { ttl: true });
    // @ts-expect-error: the Python name is not an option
    cached('p', { cacheNone: true });
    // @ts-expect-error: cache must be a manager or a function returning one
    cached('p', { cache: 'redis' });
  });
});

describe('TC39 standard method decorators', () => {
  test('decorate async methods and keep their types', () => {
    class PropertyService {
      readonly tenant = 't1';

      @cached('property', { ttl: '5m' })
      async findById(id: string): Promise<Property | null> {
        return { id, city: this.tenant };
      }

      @cached('search', { keyParams: ['city'], includeUser: true })
      async search(query: SearchQuery & { userId: number }): Promise<Property[]> {
        void query;
        return [];
      }

      @invalidateCache((args) => CacheKeyPatterns.forProperty(args[0]))
      async update(id: string, patch: Partial<Property>): Promise<Property> {
        return { id, city: patch.city ?? '' };
      }

      @invalidateCache((args: readonly [string], result: Property) => [
        CacheKeyPatterns.forProperty(args[0]),
        CacheKeyPatterns.forPrefix(`city:${result.city}`),
      ])
      async move(id: string): Promise<Property> {
        return { id, city: 'y' };
      }
    }
    const service = new PropertyService();
    expectTypeOf(service.findById).toEqualTypeOf<(id: string) => Promise<Property | null>>();
    expectTypeOf(service.update).parameters.toEqualTypeOf<[string, Partial<Property>]>();
  });

  test('a key function may read `this` when it declares it', () => {
    class TenantService {
      tenant = 'a';
      @cached('tenant-data', {
        key(this: TenantService, id: string) {
          return `${this.tenant}:${id}`;
        },
      })
      async load(id: string): Promise<string> {
        return id;
      }
    }
    expectTypeOf(new TenantService().load).returns.resolves.toBeString();
  });

  test('misuse is a type error', () => {
    class Misused {
      // @ts-expect-error: a synchronous method
      @cached('sync')
      compute(a: number): number {
        return a;
      }

      // @ts-expect-error: a field, not a method
      @cached('field')
      field = async (): Promise<number> => 1;

      // @ts-expect-error: a getter, not a method
      @cached('getter')
      get value(): Promise<number> {
        return Promise.resolve(1);
      }

      // @ts-expect-error: the key function expects a number, the method takes a string
      @cached('typed', { key: (n: number) => String(n) })
      async load(id: string): Promise<string> {
        return id;
      }
    }
    void Misused;
  });
});

describe('public types', () => {
  test('no any: unannotated functions see never-typed positions and an unknown result', () => {
    type Key = NonNullable<CachedOptions['key']>;
    expectTypeOf<Key>().parameters.toExtend<UnannotatedArgs>();
    expectTypeOf<Parameters<Key>[0]>().toBeNever();
    expectTypeOf<Parameters<Key>[9]>().toBeNever();
    expectTypeOf<Parameters<NonNullable<CachedOptions['condition']>>[0]>().toBeUnknown();
    expectTypeOf<CachedOptions['ttl']>().toEqualTypeOf<number | string | undefined>();
  });

  test('cached and invalidateCache return a CacheDecorator', () => {
    expectTypeOf(cached('p')).toEqualTypeOf<CacheDecorator>();
    expectTypeOf(invalidateCache(['a:*', 'b:*'])).toEqualTypeOf<CacheDecorator>();
    expectTypeOf(cached('p', { key: (id: string) => id })).toEqualTypeOf<CacheDecorator<[id: string]>>();
  });

  test('cache accepts a manager or a function returning one', () => {
    const manager = null as unknown as CacheManager;
    cached('p', { cache: manager });
    cached('p', { cache: () => manager });
    invalidateCache('p:*', { cache: () => manager });
  });
});
