import { expectTypeOf, it } from 'vitest';
import type { BackendDefinition, CacheConfig } from '@cache/core';
import { memoryBackend, type MemoryBackendOptions } from '@cache/memory';

it('augments CacheBackendOptions so a memory block in CacheConfig is type-checked', () => {
  const config: CacheConfig = {
    serverless: true,
    memory: { maxEntries: 100, defaultTtl: '5m', clone: false },
  };
  expectTypeOf(config.memory).toEqualTypeOf<MemoryBackendOptions | undefined>();
  // @ts-expect-error maxEntries is a number
  const wrong: CacheConfig = { memory: { maxEntries: '100' } };
  void wrong;
  // @ts-expect-error unknown option names are caught at compile time
  const typo: CacheConfig = { memory: { maxEntry: 100 } };
  void typo;
});

it('exports a typed definition', () => {
  expectTypeOf(memoryBackend).toEqualTypeOf<BackendDefinition<MemoryBackendOptions>>();
});
