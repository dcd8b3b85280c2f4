import type { BackendDefinition, CacheBackend, CacheConfig } from '@cache/core';
import { describe, expectTypeOf, it } from 'vitest';
import type { DiskBackend } from '../src/index.js';
import { diskBackend, type DiskBackendOptions, type DiskBackendStats } from '../src/index.js';

describe('types', () => {
  it('augments CacheConfig with a type-checked disk block', () => {
    expectTypeOf<NonNullable<CacheConfig['disk']>>().toEqualTypeOf<DiskBackendOptions>();
    const config: CacheConfig = { backend: 'disk', disk: { dir: '/var/cache/app', maxBytes: 1024 } };
    void config;
    // @ts-expect-error: maxBytes is a number of bytes
    const bad: CacheConfig = { disk: { dir: 'x', maxBytes: '1mb' } };
    void bad;
    // @ts-expect-error: dir is required
    const missing: DiskBackendOptions = { maxBytes: 1 };
    void missing;
  });

  it('exports the definition and a CacheBackend class with disk-specific stats', () => {
    expectTypeOf(diskBackend).toEqualTypeOf<BackendDefinition<DiskBackendOptions>>();
    expectTypeOf<DiskBackend>().toMatchTypeOf<CacheBackend>();
    expectTypeOf<ReturnType<DiskBackend['stats']>>().toEqualTypeOf<DiskBackendStats>();
    expectTypeOf<DiskBackend['get']>().returns.resolves.toBeUnknown();
  });
});
