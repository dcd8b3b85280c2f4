import type { ContractCase, ContractEnv } from './harness.js';
import type { ContractConcern, ResolvedContractOptions } from './options.js';

/** One concern of the contract (one file under `contract/`): a title and its cases. */
export interface ConcernDefinition {
  readonly concern: ContractConcern;
  readonly title: string;
  /** The cases that apply to a backend with these capabilities (none: the concern is left out). */
  cases(options: ResolvedContractOptions): readonly ContractCase[];
}

/** Shorthand for a case literal. */
export function check(
  name: string,
  run: (env: ContractEnv) => Promise<void>,
  waitsMs?: number,
): ContractCase {
  return waitsMs === undefined ? { name, run } : { name, run, waitsMs };
}
