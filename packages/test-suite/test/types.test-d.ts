import { NullCacheBackend, type CacheBackend } from '@cache/core';
import {
  describeBackendContract,
  runBackendContract,
  type ContractCaseResult,
  type ContractOptions,
} from '@cache/test-suite';
import { expectTypeOf, test } from 'vitest';

test('the factory may be sync or async and options are optional', () => {
  expectTypeOf(describeBackendContract).toBeCallableWith('null', () => new NullCacheBackend());
  expectTypeOf(describeBackendContract).toBeCallableWith(
    'null',
    async (): Promise<CacheBackend> => new NullCacheBackend(),
    { ttlGranularityMs: 50, isolation: 'file' },
  );
  expectTypeOf(runBackendContract).returns.resolves.toEqualTypeOf<ContractCaseResult[]>();
});

test('options are checked: unknown names, wrong types and unknown concerns do not compile', () => {
  // @ts-expect-error not an option
  const typo: ContractOptions = { ttlGranularity: 50 };
  // @ts-expect-error isolation is 'test' | 'file'
  const isolation: ContractOptions = { isolation: 'suite' };
  // @ts-expect-error not a concern
  const concern: ContractOptions = { concerns: ['basics'] };
  const explicitUndefined: ContractOptions = { namespaces: undefined, advanceTime: undefined };
  void [typo, isolation, concern, explicitUndefined];
});
