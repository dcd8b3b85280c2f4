import { runBackendContract, type ContractCaseResult, type ContractOptions } from '@cache/test-suite';
import { describe, expect, it } from 'vitest';
import {
  AliasingBackend,
  CharacterCountKeyBackend,
  FlushAllBackend,
  JsonOnlyBackend,
  MillisecondTtlBackend,
  NonAtomicBackend,
  NullAsMissBackend,
  PatternMiscountBackend,
  RejectsWhenClosedBackend,
  SilentJsonBackend,
  TtlDroppingBackend,
  UncountedMissBackend,
  UnescapedPatternBackend,
} from './broken-backends.js';
import { ReferenceBackend, type ReferenceBackendOptions, type ReferenceStore } from './reference-backend.js';

type BackendClass = new (options?: ReferenceBackendOptions) => ReferenceBackend;

/** Runs `concerns` of the contract on `Backend`, with the reference test's capabilities. */
async function grade(
  Backend: BackendClass,
  concerns: ContractOptions['concerns'],
): Promise<ContractCaseResult[]> {
  let now = 0;
  const clock = (): number => now;
  const server: ReferenceStore = new Map();
  return runBackendContract(() => new Backend({ store: server, namespace: 'main:', now: clock }), {
    concerns,
    advanceTime: (ms) => {
      now += ms;
    },
    supportsCrossInstance: true,
    namespaces: {
      create: (namespace) => new Backend({ store: server, namespace: `${namespace}:`, now: clock }),
    },
  });
}

const failed = (results: readonly ContractCaseResult[]): string[] =>
  results.filter((result) => !result.passed).map((result) => result.name);

// Each row: a backend with one defect, the concern that must catch it, and cases that must fail.
const DEFECTS: ReadonlyArray<
  readonly [
    defect: string,
    backend: BackendClass,
    concern: NonNullable<ContractOptions['concerns']>[number],
    mustFail: string[],
  ]
> = [
  [
    'hands out the stored object',
    AliasingBackend,
    'aliasing',
    ['mutating an object after set', 'mutating a value returned by get'],
  ],
  [
    'drops TTLs',
    TtlDroppingBackend,
    'ttl',
    ['a string duration', 'a number TTL is seconds', 'an expired entry is a miss'],
  ],
  ['reads a number TTL as milliseconds', MillisecondTtlBackend, 'ttl', ['a number TTL is seconds']],
  [
    'getAndDelete is a get then a delete',
    NonAtomicBackend,
    'atomic',
    ['exactly one gets the value', 'exactly one gets a stored null'],
  ],
  [
    'ignores escapes in patterns',
    UnescapedPatternBackend,
    'patterns',
    ["'\\*', '\\?' and '\\[' match", 'escaped with escapeGlob'],
  ],
  [
    'miscounts pattern deletes',
    PatternMiscountBackend,
    'patterns',
    ["'?' matches exactly one", 'the pattern is anchored'],
  ],
  [
    'clear() flushes every namespace',
    FlushAllBackend,
    'clear',
    ['clear leaves other namespaces on the same store untouched'],
  ],
  ['reads null as a miss', NullAsMissBackend, 'basic', ['null is a value']],
  ['does not count misses', UncountedMissBackend, 'stats', ['get counts hits and misses']],
  [
    'rejects once disconnected',
    RejectsWhenClosedBackend,
    'lifecycle',
    ['after disconnect every operation resolves'],
  ],
  [
    'measures keys in characters',
    CharacterCountKeyBackend,
    'bad-input',
    ['keys over 1024 UTF-8 bytes reject'],
  ],
  [
    'stores functions and instances as lossy JSON',
    SilentJsonBackend,
    'values',
    ['set of a function rejects', 'set of a class instance without toJSON rejects'],
  ],
  [
    'stores everything as plain JSON',
    JsonOnlyBackend,
    'values',
    ['non-JSON: a Date', 'non-JSON: a Map', 'NaN', '-0 comes back as -0'],
  ],
];

describe('the contract catches broken backends', () => {
  it('the reference backend passes every concern these rows use (the control)', async () => {
    const results = await grade(ReferenceBackend, [...new Set(DEFECTS.map(([, , concern]) => concern))]);
    expect(failed(results)).toEqual([]);
    expect(results.length).toBeGreaterThan(50);
  });

  for (const [defect, Backend, concern, mustFail] of DEFECTS) {
    it(`a backend that ${defect} fails '${concern}'`, async () => {
      const failures = failed(await grade(Backend, [concern]));
      for (const name of mustFail) {
        expect(failures, `a failing case containing "${name}"`).toContainEqual(expect.stringContaining(name));
      }
    });
  }

  it('a failing case reports the assertion that names the broken clause', async () => {
    const results = await grade(NullAsMissBackend, ['basic']);
    const nullCase = results.find((result) => result.name.startsWith('null is a value'));
    expect(nullCase?.passed).toBe(false);
    expect(String(nullCase?.error)).toMatch(/expected undefined to be null/);
  });
});
