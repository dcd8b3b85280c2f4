import type { CacheBackend } from '@cache/core';

/** Makes a backend for the contract; called once per test (or once per file, see `isolation`). */
export type BackendFactory = () => CacheBackend | Promise<CacheBackend>;

/** The concerns the contract is made of, one file each under `src/contract/`. */
export type ContractConcern =
  | 'basic'
  | 'values'
  | 'aliasing'
  | 'bad-input'
  | 'ttl'
  | 'atomic'
  | 'patterns'
  | 'clear'
  | 'stats'
  | 'lifecycle'
  | 'cross-instance';

/** Every concern, in the order they are described. */
export const ALL_CONCERNS: readonly ContractConcern[] = [
  'basic',
  'values',
  'aliasing',
  'bad-input',
  'ttl',
  'atomic',
  'patterns',
  'clear',
  'stats',
  'lifecycle',
  'cross-instance',
];

/** How to reach separate namespaces of one store (see `ContractOptions.namespaces`). */
export interface NamespaceCapability {
  /**
   * A new, not yet connected backend whose namespace is `namespace` (a random name such as
   * `'ns-3f9a1c07'`, made of `[a-z0-9-]`). Two different names must not see each other's
   * entries, and `clear()` on one must leave the other untouched, even when both live on the
   * same server or directory: e.g. two Redis `keyPrefix`es on one server.
   */
  create(namespace: string): CacheBackend | Promise<CacheBackend>;
}

/**
 * What a backend can do, declared by its author: the suite never guesses. Every option has
 * a default that fits a remote store (Redis-like); a backend that can do less declares it,
 * and the cases that need the capability are then not registered.
 */
export interface ContractOptions {
  /**
   * The finest TTL, in milliseconds, the backend honours reliably: an entry with a TTL of `t`
   * ms is still readable `t - ttlGranularityMs` ms after `set` and gone `ttlGranularityMs` ms
   * after `t`. The TTL cases set TTLs of `3 × ttlGranularityMs` and wait about `4 ×` that, so
   * keep it as small as the backend truly allows (Redis with `PX`: ~50; a store with whole
   * seconds: 1000). With `advanceTime` it is the step of the injected clock (default then 1).
   * Default 1000.
   */
  ttlGranularityMs?: number | undefined;
  /**
   * Moves the clock the factory's backends read, by `ms`. When given, the TTL cases advance
   * it instead of sleeping (deterministic and instant), and also check that every duration
   * unit (`'250ms'` … `'1d'`) expires at its exact length. The clock must only move when this
   * is called. Default: real time, real waits.
   */
  advanceTime?: ((ms: number) => void | Promise<void>) | undefined;
  /**
   * Whether values are copied in and out, so that mutating a value after `set`, or a value
   * returned by `get`, never changes the cache (the SPEC's default for every backend).
   * `false` (e.g. a memory backend with `clone: false`) leaves out the aliasing concern.
   * Default true.
   */
  clonesValues?: boolean | undefined;
  /**
   * How to make backends on separate namespaces of the same store. When given, `clear()` is
   * checked on two fresh namespaces (one cleared, one untouched) and never on the factory's
   * own backend. When absent, `clear()` is called on the factory's backend, so that backend
   * must have a namespace of its own (e.g. a random key prefix) or everything in it is wiped.
   */
  namespaces?: NamespaceCapability | undefined;
  /**
   * Whether `getAndDelete` is atomic under concurrency: of `concurrency` simultaneous callers
   * exactly one gets the value. The SPEC requires it of every backend, so only a backend
   * that is knowingly weaker sets `false`. Default true.
   */
  supportsConcurrentGetAndDelete?: boolean | undefined;
  /**
   * Whether two backends returned by the factory share one store (Redis, a shared directory):
   * a write, delete, pattern delete or `getAndDelete` through one is seen by the other, and
   * the concurrent `getAndDelete` race is split across both. Declare it only when the
   * factory's instances really share their namespace (e.g. a key prefix fixed per run, not
   * per instance). Default false.
   */
  supportsCrossInstance?: boolean | undefined;
  /**
   * The backend's `maxEntryBytes`, as configured by the factory. When given, `set` of a value
   * over it must answer `false` (no throw), store nothing and drop the key's previous value;
   * a value of half of it must be stored. Default: not checked.
   */
  maxEntryBytes?: number | undefined;
  /**
   * `'test'`: a new backend is created and connected before each test and disconnected after
   * it. `'file'`: one backend is created and connected before the first test of the
   * `describeBackendContract` block and disconnected after its last (faster for remote
   * stores). Either way each test writes only keys under its own random prefix and deletes
   * them afterwards. Default `'test'`.
   */
  isolation?: 'test' | 'file' | undefined;
  /** Number of simultaneous callers in the `getAndDelete` race. Default 50, at least 2. */
  concurrency?: number | undefined;
  /**
   * Only these concerns (default: all of `ALL_CONCERNS` whose capability is declared).
   * Useful for a backend that wraps another and re-checks a subset.
   */
  concerns?: readonly ContractConcern[] | undefined;
  /**
   * Time limit of each test in ms, on top of the TTL cases' own waits. Default 10 000.
   */
  timeoutMs?: number | undefined;
}

/** `ContractOptions` with every default applied and checked. */
export interface ResolvedContractOptions {
  readonly ttlGranularityMs: number;
  readonly advanceTime: ((ms: number) => void | Promise<void>) | undefined;
  readonly clonesValues: boolean;
  readonly namespaces: NamespaceCapability | undefined;
  readonly supportsConcurrentGetAndDelete: boolean;
  readonly supportsCrossInstance: boolean;
  readonly maxEntryBytes: number | undefined;
  readonly isolation: 'test' | 'file';
  readonly concurrency: number;
  readonly concerns: readonly ContractConcern[];
  readonly timeoutMs: number;
}

function positive(value: number | undefined, name: string, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value <= 0 ||
    (integer && !Number.isInteger(value))
  ) {
    throw new TypeError(
      `[cache] [test-suite] ${name} option must be a positive ${integer ? 'integer' : 'number'} (got ${String(value)})`,
    );
  }
  return value;
}

/** Applies defaults and rejects nonsense eagerly, so a typo fails at collection, not mid-run. */
export function resolveContractOptions(options: ContractOptions = {}): ResolvedContractOptions {
  if (options.advanceTime !== undefined && typeof options.advanceTime !== 'function') {
    throw new TypeError('[cache] [test-suite] advanceTime option must be a function (ms) => void');
  }
  if (options.namespaces !== undefined && typeof options.namespaces.create !== 'function') {
    throw new TypeError('[cache] [test-suite] namespaces option must be { create(namespace) }');
  }
  if (options.isolation !== undefined && options.isolation !== 'test' && options.isolation !== 'file') {
    throw new TypeError(
      `[cache] [test-suite] isolation option must be 'test' or 'file' (got ${String(options.isolation)})`,
    );
  }
  const concurrency = positive(options.concurrency, 'concurrency', 50, true);
  if (concurrency < 2)
    throw new TypeError('[cache] [test-suite] concurrency option must be at least 2 (got 1)');
  const concerns = options.concerns ?? ALL_CONCERNS;
  for (const concern of concerns) {
    if (!ALL_CONCERNS.includes(concern)) {
      throw new TypeError(
        `[cache] [test-suite] unknown concern '${String(concern)}' (known: ${ALL_CONCERNS.join(', ')})`,
      );
    }
  }
  return {
    ttlGranularityMs: positive(options.ttlGranularityMs, 'ttlGranularityMs', options.advanceTime ? 1 : 1000),
    advanceTime: options.advanceTime,
    clonesValues: options.clonesValues ?? true,
    namespaces: options.namespaces,
    supportsConcurrentGetAndDelete: options.supportsConcurrentGetAndDelete ?? true,
    supportsCrossInstance: options.supportsCrossInstance ?? false,
    maxEntryBytes:
      options.maxEntryBytes === undefined
        ? undefined
        : positive(options.maxEntryBytes, 'maxEntryBytes', 0, true),
    isolation: options.isolation ?? 'test',
    concurrency,
    concerns,
    timeoutMs: positive(options.timeoutMs, 'timeoutMs', 10_000),
  };
}
