import { BackendRegistry, CacheManager, type BackendDefinition, type CacheConfig } from '@cache/core';
import { describe, expectTypeOf, it } from 'vitest';
import { LatencyMapStore, latencyMapBackend, type LatencyMapBackendOptions } from '../src/index.js';

describe("the 'latency-map' block of CacheConfig (CacheBackendOptions augmentation)", () => {
  it('is typed as LatencyMapBackendOptions', () => {
    const config: CacheConfig = {
      backend: 'latency-map',
      'latency-map': { latencyMs: 5, store: new LatencyMapStore(), defaultTtl: '5m' },
    };
    expectTypeOf(config['latency-map']).toEqualTypeOf<LatencyMapBackendOptions | undefined>();
    expectTypeOf(CacheManager.createFromConfig).toBeCallableWith({
      backend: 'latency-map',
      'latency-map': { keyPrefix: 'app:' },
    });
  });

  it('rejects wrong option types and unknown options', () => {
    // @ts-expect-error latencyMs is a number
    const wrongType: CacheConfig = { 'latency-map': { latencyMs: '5' } };
    // @ts-expect-error not an option of this backend
    const unknown: CacheConfig = { 'latency-map': { url: 'redis://x' } };
    // @ts-expect-error a TTL is a number or a string
    const badTtl: CacheConfig = { 'latency-map': { defaultTtl: true } };
    void [wrongType, unknown, badTtl];
  });
});

describe('the definition', () => {
  it('is a BackendDefinition of its options and registers like a first-party one', () => {
    expectTypeOf(latencyMapBackend).toEqualTypeOf<BackendDefinition<LatencyMapBackendOptions>>();
    expectTypeOf(new BackendRegistry().register(latencyMapBackend)).toEqualTypeOf<BackendRegistry>();
  });
});
