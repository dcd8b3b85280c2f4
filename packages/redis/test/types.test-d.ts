import type { BackendDefinition, CacheBackend, CacheConfig } from '@cache/core';
import { RedisBackend, redisBackend, type RedisBackendOptions, type RedisBackendStats } from '@cache/redis';
import type { Cluster, Redis } from 'ioredis';
import { describe, expectTypeOf, it } from 'vitest';

describe('@cache/redis types', () => {
  it('augments CacheConfig with a type-checked redis block', () => {
    expectTypeOf<CacheConfig['redis']>().toEqualTypeOf<RedisBackendOptions | undefined>();
    const config: CacheConfig = {
      backend: 'redis',
      redis: { url: 'redis://127.0.0.1:6379', commandTimeout: 200 },
    };
    expectTypeOf(config).toMatchTypeOf<CacheConfig>();
    // @ts-expect-error an option that does not exist
    const typo: CacheConfig = { redis: { comandTimeout: 200 } };
    // @ts-expect-error commandTimeout is a number of milliseconds
    const wrongType: CacheConfig = { redis: { commandTimeout: '200ms' } };
    void typo;
    void wrongType;
  });

  it('exports a definition and a class that is a CacheBackend', () => {
    expectTypeOf(redisBackend).toEqualTypeOf<BackendDefinition<RedisBackendOptions>>();
    expectTypeOf<RedisBackend>().toMatchTypeOf<CacheBackend>();
    expectTypeOf<RedisBackend['get']>().toBeFunction();
    expectTypeOf<ReturnType<RedisBackend['stats']>>().toEqualTypeOf<RedisBackendStats>();
    expectTypeOf<RedisBackend['client']>().toEqualTypeOf<Redis | Cluster>();
  });

  it('get<T> answers T or undefined', () => {
    const backend = new RedisBackend({ url: 'redis://127.0.0.1:6379' });
    expectTypeOf(backend.get<{ id: number }>('k')).toEqualTypeOf<Promise<{ id: number } | undefined>>();
    expectTypeOf(backend.getAndDelete<string>('k')).toEqualTypeOf<Promise<string | undefined>>();
  });

  it('accepts a caller-owned Redis or Cluster client', () => {
    expectTypeOf<RedisBackendOptions['client']>().toEqualTypeOf<Redis | Cluster | undefined>();
  });
});
