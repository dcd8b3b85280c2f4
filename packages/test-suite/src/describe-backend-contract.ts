import { afterAll, beforeAll, describe, it } from 'vitest';
import { planContract } from './concerns.js';
import { ContractHarness } from './harness.js';
import { resolveContractOptions, type BackendFactory, type ContractOptions } from './options.js';

/**
 * Registers the backend contract as a vitest `describe` block: one nested block per concern,
 * one test per clause. Call it at the top level of a test file:
 *
 * ```ts
 * describeBackendContract('my-backend', () => new MyBackend({ url }), { ttlGranularityMs: 50 });
 * ```
 *
 * The tests run one after another (they may share a backend, a clock and a store). Keys are
 * under a random per-run prefix and every test deletes what it wrote.
 */
export function describeBackendContract(
  name: string,
  createBackend: BackendFactory,
  options?: ContractOptions,
): void {
  const resolved = resolveContractOptions(options);
  const harness = new ContractHarness(createBackend, resolved);
  describe.sequential(`${name}: backend contract`, () => {
    beforeAll(() => harness.setUpFile());
    afterAll(() => harness.tearDownFile());
    for (const planned of planContract(resolved)) {
      describe(planned.title, () => {
        for (const contractCase of planned.cases) {
          it(
            contractCase.name,
            () => harness.runCase(contractCase),
            resolved.timeoutMs + (contractCase.waitsMs ?? 0),
          );
        }
      });
    }
  });
}
