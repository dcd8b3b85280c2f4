import type { ScenarioResult } from '../session.js';
import { clusterFailover } from './cluster-failover.js';
import type { Timing } from './common.js';
import { networkFaults } from './network-faults.js';
import { redisFull } from './redis-full.js';
import { redisKill } from './redis-kill.js';
import { redisStop } from './redis-stop.js';
import { serviceCrash } from './service-crash.js';
import { soak } from './soak.js';

export interface Scenario {
  id: string;
  run(timing: Timing): Promise<ScenarioResult>;
}

/** Short form: each scenario within about 30 s including start-up. */
export const SHORT_TIMING: Timing = { beforeMs: 3000, faultMs: 10_000, afterMs: 5000, rate: 100 };

export const SCENARIOS: readonly Scenario[] = [
  { id: '1', run: redisKill },
  { id: '2', run: redisStop },
  {
    id: '3',
    run: (timing) =>
      networkFaults({
        ...timing,
        networkFaultMs: { blackhole: 5000, reset: 2000, delay: 3000 },
        recoveryMs: 2000,
      }),
  },
  { id: '4', run: (timing) => redisFull({ ...timing, faultMs: 6000 }) },
  { id: '6', run: serviceCrash },
  { id: '7', run: clusterFailover },
];

export function runSoak(minutes: number): Promise<ScenarioResult> {
  return soak(minutes, 100);
}
