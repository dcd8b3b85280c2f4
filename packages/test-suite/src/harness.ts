import { randomBytes } from 'node:crypto';
import type { CacheBackend } from '@cache/core';
import type { BackendFactory, ResolvedContractOptions } from './options.js';

/** What a contract case gets to work with. Everything it opens is closed after it. */
export interface ContractEnv {
  /** The backend under test, connected. */
  readonly backend: CacheBackend;
  readonly options: ResolvedContractOptions;
  /**
   * This test's random key prefix (`'cts-1a2b3c4d:7:'`): letters, digits, `-` and `:` only, so
   * it can start a pattern as it is. Every `key()` starts with it.
   */
  readonly prefix: string;
  /** `prefix + name`; remembered, and deleted from every backend the test opened after it. */
  key(name: string): string;
  /** Another backend from the factory, connected unless `connect` is false; disconnected after the test. */
  openBackend(options?: { connect?: boolean }): Promise<CacheBackend>;
  /** A connected backend on a fresh random namespace (needs `namespaces`); cleared and disconnected after the test. */
  openNamespace(): Promise<CacheBackend>;
  /** Lets `ms` milliseconds pass: advances the injected clock, or really waits. */
  elapse(ms: number): Promise<void>;
}

/** One check of the contract. `run` throws (an `expect` failure) when the backend breaks it. */
export interface ContractCase {
  readonly name: string;
  /** Time the case spends waiting on purpose (TTL expiry), added to its time limit. */
  readonly waitsMs?: number;
  run(env: ContractEnv): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function quietly(action: () => unknown): Promise<void> {
  try {
    await action();
  } catch {
    // Cleanup must not hide the case's own outcome; a backend that cannot delete its
    // test keys has already failed the cases that check deletion.
  }
}

/**
 * Runs cases against backends from one factory: owns the run's random prefix, the backend
 * shared by a file (`isolation: 'file'`), and the cleanup of everything a case opened.
 */
export class ContractHarness {
  /** Random per run (per `describeBackendContract` call) so a shared Redis never collides. */
  readonly runPrefix: string = `cts-${randomBytes(4).toString('hex')}:`;
  readonly #factory: BackendFactory;
  readonly #options: ResolvedContractOptions;
  #shared: CacheBackend | undefined;
  #caseCount = 0;

  constructor(factory: BackendFactory, options: ResolvedContractOptions) {
    this.#factory = factory;
    this.#options = options;
  }

  /** `isolation: 'file'`: creates and connects the backend every case will share. */
  async setUpFile(): Promise<void> {
    if (this.#options.isolation === 'file' && this.#shared === undefined) {
      this.#shared = await this.#create(true);
    }
  }

  async tearDownFile(): Promise<void> {
    const shared = this.#shared;
    this.#shared = undefined;
    if (shared !== undefined) await shared.disconnect();
  }

  /** Runs one case in a fresh environment and cleans up after it, pass or fail. */
  async runCase(contractCase: ContractCase): Promise<void> {
    const prefix = `${this.runPrefix}${++this.#caseCount}:`;
    const keys = new Set<string>();
    const opened: CacheBackend[] = [];
    const namespaced: CacheBackend[] = [];
    const options = this.#options;
    let backend = this.#shared;
    if (backend === undefined) {
      backend = await this.#create(true);
      opened.push(backend);
    }
    const env: ContractEnv = {
      backend,
      options,
      prefix,
      key: (name) => {
        const key = prefix + name;
        keys.add(key);
        return key;
      },
      openBackend: async ({ connect = true } = {}) => {
        const extra = await this.#create(connect);
        opened.push(extra);
        return extra;
      },
      openNamespace: async () => {
        if (options.namespaces === undefined) throw new Error('openNamespace() needs the namespaces option');
        const extra = await options.namespaces.create(`ns-${randomBytes(4).toString('hex')}`);
        namespaced.push(extra);
        await extra.connect();
        return extra;
      },
      elapse: async (ms) => {
        if (options.advanceTime === undefined) await sleep(ms);
        else await options.advanceTime(ms);
      },
    };
    try {
      await contractCase.run(env);
    } finally {
      const touched = this.#shared === undefined ? opened : [this.#shared, ...opened];
      for (const instance of touched) {
        for (const key of keys) await quietly(() => instance.delete(key));
      }
      for (const instance of namespaced) await quietly(() => instance.clear());
      for (const instance of [...opened, ...namespaced]) await quietly(() => instance.disconnect());
    }
  }

  async #create(connect: boolean): Promise<CacheBackend> {
    const backend = await this.#factory();
    if (connect) await backend.connect();
    return backend;
  }
}
