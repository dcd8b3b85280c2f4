import type { ConcernDefinition } from './concern.js';
import { aliasingConcern } from './contract/aliasing.js';
import { atomicConcern } from './contract/atomic.js';
import { badInputConcern } from './contract/bad-input.js';
import { basicConcern } from './contract/basic.js';
import { clearConcern } from './contract/clear.js';
import { crossInstanceConcern } from './contract/cross-instance.js';
import { lifecycleConcern } from './contract/lifecycle.js';
import { patternsConcern } from './contract/patterns.js';
import { statsConcern } from './contract/stats.js';
import { ttlConcern } from './contract/ttl.js';
import { valuesConcern } from './contract/values.js';
import type { ContractCase } from './harness.js';
import type { ContractConcern, ResolvedContractOptions } from './options.js';

const DEFINITIONS: Readonly<Record<ContractConcern, ConcernDefinition>> = {
  basic: basicConcern,
  values: valuesConcern,
  aliasing: aliasingConcern,
  'bad-input': badInputConcern,
  ttl: ttlConcern,
  atomic: atomicConcern,
  patterns: patternsConcern,
  clear: clearConcern,
  stats: statsConcern,
  lifecycle: lifecycleConcern,
  'cross-instance': crossInstanceConcern,
};

/** A concern selected by the options, with the cases its declared capabilities call for. */
export interface PlannedConcern {
  readonly concern: ContractConcern;
  readonly title: string;
  readonly cases: readonly ContractCase[];
}

/** The concerns and cases to run for these options; concerns left with no case are dropped. */
export function planContract(options: ResolvedContractOptions): PlannedConcern[] {
  return options.concerns
    .map((concern) => {
      const definition = DEFINITIONS[concern];
      return { concern, title: definition.title, cases: definition.cases(options) };
    })
    .filter((planned) => planned.cases.length > 0);
}
