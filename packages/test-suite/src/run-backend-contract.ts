import { planContract } from './concerns.js';
import { ContractHarness } from './harness.js';
import {
  resolveContractOptions,
  type BackendFactory,
  type ContractConcern,
  type ContractOptions,
} from './options.js';

function withTimeLimit(running: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`contract case timed out after ${ms}ms`)), ms);
  });
  return Promise.race([running, limit]).finally(() => clearTimeout(timer));
}

/** The outcome of one contract case run by `runBackendContract`. */
export interface ContractCaseResult {
  readonly concern: ContractConcern;
  readonly name: string;
  readonly passed: boolean;
  /** What the case threw (an assertion error naming the broken clause) when it failed. */
  readonly error?: unknown;
}

/**
 * Runs the contract without registering tests: every case, one after another, each reported
 * as passed or failed instead of thrown. For tools that grade a backend (and for this
 * package's own proof that the contract catches broken backends). The checks still use
 * vitest's `expect`, so vitest must be installed; a test runner need not be running.
 */
export async function runBackendContract(
  createBackend: BackendFactory,
  options?: ContractOptions,
): Promise<ContractCaseResult[]> {
  const resolved = resolveContractOptions(options);
  const harness = new ContractHarness(createBackend, resolved);
  const results: ContractCaseResult[] = [];
  await harness.setUpFile();
  try {
    for (const planned of planContract(resolved)) {
      for (const contractCase of planned.cases) {
        try {
          await withTimeLimit(
            harness.runCase(contractCase),
            resolved.timeoutMs + (contractCase.waitsMs ?? 0),
          );
          results.push({ concern: planned.concern, name: contractCase.name, passed: true });
        } catch (error) {
          results.push({ concern: planned.concern, name: contractCase.name, passed: false, error });
        }
      }
    }
  } finally {
    await harness.tearDownFile();
  }
  return results;
}
