import { describe, expectTypeOf, it } from 'vitest';
import {
  BackendRegistry,
  CacheManager,
  NullCacheBackend,
  type BackendDefinition,
  type CacheBackend,
  type CacheConfig,
  type CacheLogger,
  type CacheManagerStats,
  type CacheStats,
  type ErrorEventInfo,
  type FallbackEventInfo,
  type RecoveredEventInfo,
  type Ttl,
} from '@cache/core';

/** What a backend package declares: its options block joins CacheConfig under its type. */
interface TypeTestOptions {
  size: number;
  label?: string | undefined;
}
declare module '@cache/core' {
  interface CacheBackendOptions {
    typetest: TypeTestOptions;
  }
}

declare const manager: CacheManager;
declare const backend: CacheBackend;

describe('CacheBackendOptions augmentation', () => {
  it('type-checks the block of an augmented backend in CacheConfig', () => {
    const config: CacheConfig = { backend: 'typetest', typetest: { size: 3 } };
    expectTypeOf(config.typetest).toEqualTypeOf<TypeTestOptions | undefined>();
    // @ts-expect-error size must be a number
    const wrongType: CacheConfig = { typetest: { size: 'big' } };
    // @ts-expect-error unknown member of the block
    const unknownMember: CacheConfig = { typetest: { size: 1, colour: 'red' } };
    // @ts-expect-error a required option is missing
    const missing: CacheConfig = { typetest: {} };
    void [wrongType, unknownMember, missing];
  });

  it('createFromConfig accepts the augmented config', () => {
    expectTypeOf(CacheManager.createFromConfig).toBeCallableWith({
      backend: 'typetest',
      typetest: { size: 1 },
    });
    expectTypeOf(CacheManager.createFromConfig).returns.toEqualTypeOf<CacheManager>();
  });

  it('a definition is typed by its options', () => {
    const definition: BackendDefinition<TypeTestOptions> = {
      type: 'typetest',
      create: (options, context) => {
        expectTypeOf(options).toEqualTypeOf<TypeTestOptions | undefined>();
        expectTypeOf(context.logger).toEqualTypeOf<CacheLogger>();
        return new NullCacheBackend();
      },
      fromEnv: (env) => ({ size: Number(env.SIZE) }),
    };
    expectTypeOf(new BackendRegistry().register(definition)).toEqualTypeOf<BackendRegistry>();
    // @ts-expect-error fromEnv must answer the definition's options
    const wrongEnv: BackendDefinition<TypeTestOptions> = { ...definition, fromEnv: () => ({ size: 'x' }) };
    void wrongEnv;
  });

  it('the top-level settings keep their types', () => {
    expectTypeOf<CacheConfig['fallback']>().toEqualTypeOf<string | false | undefined>();
    expectTypeOf<CacheConfig['defaultTtl']>().toEqualTypeOf<Ttl | undefined>();
    // @ts-expect-error fallback true is not a type
    const badFallback: CacheConfig = { fallback: true };
    void badFallback;
  });
});

describe('get<T> and friends', () => {
  it('get answers T | undefined, unknown by default', () => {
    expectTypeOf(manager.get<number>('k')).toEqualTypeOf<Promise<number | undefined>>();
    expectTypeOf(manager.get('k')).toEqualTypeOf<Promise<unknown>>();
    expectTypeOf(backend.getAndDelete<{ token: string }>('k')).toEqualTypeOf<
      Promise<{ token: string } | undefined>
    >();
  });

  it('set takes a Ttl; the other operations answer what the SPEC says', () => {
    expectTypeOf(manager.set).toBeCallableWith('k', { a: 1 }, '5m');
    expectTypeOf(manager.set).toBeCallableWith('k', null, 30);
    // @ts-expect-error a TTL is a number or a string
    void manager.set('k', 1, { seconds: 5 });
    expectTypeOf(manager.delete('k')).toEqualTypeOf<Promise<boolean>>();
    expectTypeOf(manager.deletePattern('a:*')).toEqualTypeOf<Promise<number>>();
    expectTypeOf(manager.clear()).toEqualTypeOf<Promise<void>>();
  });

  it('getOrSet infers T from the factory, sync or async', () => {
    expectTypeOf(manager.getOrSet('k', async () => ({ id: 1 }))).toEqualTypeOf<Promise<{ id: number }>>();
    expectTypeOf(manager.getOrSet('k', () => 'text', { ttl: '1h' })).toEqualTypeOf<Promise<string>>();
    // @ts-expect-error the TTL option is a Ttl
    void manager.getOrSet('k', () => 1, { ttl: true });
  });
});

describe('CacheManager', () => {
  it('is a CacheBackend and exposes its parts', () => {
    expectTypeOf<CacheManager>().toExtend<CacheBackend>();
    expectTypeOf(manager.primary).toEqualTypeOf<CacheBackend>();
    expectTypeOf(manager.fallback).toEqualTypeOf<CacheBackend | undefined>();
    expectTypeOf(manager.backend).toEqualTypeOf<CacheBackend>();
    expectTypeOf(manager.usingFallback).toEqualTypeOf<boolean>();
  });

  it('stats() adds fallbackActivations to CacheStats', () => {
    expectTypeOf(manager.stats()).toEqualTypeOf<CacheManagerStats>();
    expectTypeOf(manager.stats()).toExtend<CacheStats>();
    expectTypeOf(manager.stats().fallbackActivations).toEqualTypeOf<number>();
  });

  it('on() types the info of each event, and accepts an unknown-info listener', () => {
    manager.on('fallback', (info) => expectTypeOf(info).toEqualTypeOf<FallbackEventInfo>());
    manager.on('recovered', (info) => expectTypeOf(info).toEqualTypeOf<RecoveredEventInfo>());
    manager.on('error', (info) => expectTypeOf(info).toEqualTypeOf<ErrorEventInfo>());
    expectTypeOf(manager.on('error', (info: unknown) => void info)).toEqualTypeOf<CacheManager>();
    // @ts-expect-error not an event of the manager
    manager.on('connect', () => {});
  });
});

describe('CacheLogger', () => {
  it('console and a pino-shaped logger satisfy it', () => {
    expectTypeOf(console).toExtend<CacheLogger>();
    interface PinoLike {
      warn(obj: unknown, msg?: string, ...args: unknown[]): void;
      error(obj: unknown, msg?: string, ...args: unknown[]): void;
      info(obj: unknown, msg?: string, ...args: unknown[]): void;
      debug(obj: unknown, msg?: string, ...args: unknown[]): void;
    }
    expectTypeOf<PinoLike>().toExtend<CacheLogger>();
  });
});
