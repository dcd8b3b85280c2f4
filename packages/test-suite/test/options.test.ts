import {
  ALL_CONCERNS,
  describeBackendContract,
  runBackendContract,
  type ContractOptions,
} from '@cache/test-suite';
import { describe, expect, it } from 'vitest';
import { ReferenceBackend } from './reference-backend.js';

const factory = (): ReferenceBackend => new ReferenceBackend();

describe('contract options', () => {
  const invalid: ReadonlyArray<readonly [ContractOptions, string]> = [
    [{ ttlGranularityMs: 0 }, 'ttlGranularityMs option must be a positive number (got 0)'],
    [{ ttlGranularityMs: Number.NaN }, 'ttlGranularityMs option must be a positive number (got NaN)'],
    [{ concurrency: 1 }, 'concurrency option must be at least 2 (got 1)'],
    [{ concurrency: 2.5 }, 'concurrency option must be a positive integer (got 2.5)'],
    [{ maxEntryBytes: -1 }, 'maxEntryBytes option must be a positive integer (got -1)'],
    [{ timeoutMs: 0 }, 'timeoutMs option must be a positive number (got 0)'],
    [{ isolation: 'suite' as 'file' }, "isolation option must be 'test' or 'file' (got suite)"],
    [
      { concerns: ['basics' as 'basic'] },
      "unknown concern 'basics' (known: " + ALL_CONCERNS.join(', ') + ')',
    ],
    [{ namespaces: {} as never }, 'namespaces option must be { create(namespace) }'],
    [{ advanceTime: 5 as never }, 'advanceTime option must be a function (ms) => void'],
  ];

  for (const [options, message] of invalid) {
    it(`rejects ${JSON.stringify(options)} eagerly, naming the option`, async () => {
      expect(() => describeBackendContract('x', factory, options)).toThrow(message);
      await expect(runBackendContract(factory, options)).rejects.toThrow(`[cache] [test-suite] ${message}`);
    });
  }

  it('leaves out the concerns whose capability is not declared', async () => {
    const results = await runBackendContract(factory, {
      clonesValues: false,
      supportsConcurrentGetAndDelete: false,
      concerns: ['aliasing', 'atomic', 'cross-instance', 'clear'],
      ttlGranularityMs: 50,
    });
    expect(new Set(results.map((result) => result.concern))).toEqual(new Set(['clear']));
    expect(results.every((result) => result.passed)).toBe(true);
  });

  it("runs the clear cases on fresh namespaces, never on the factory's backend, when namespaces are declared", async () => {
    const cleared: string[] = [];
    class Spy extends ReferenceBackend {
      constructor(readonly label: string) {
        super();
      }
      override async clear(): Promise<void> {
        cleared.push(this.label);
        await super.clear();
      }
    }
    const results = await runBackendContract(() => new Spy('factory'), {
      concerns: ['clear'],
      namespaces: { create: (namespace) => new Spy(namespace) },
    });
    expect(results.every((result) => result.passed)).toBe(true);
    expect(cleared.length).toBeGreaterThan(0);
    expect(cleared).not.toContain('factory');
  });
});
