import type { ScenarioResult } from '../session.js';
import type { Timing } from './common.js';
import { redisKill } from './redis-kill.js';

export interface Scenario {
  id: string;
  run(timing: Timing): Promise<ScenarioResult>;
}

/** Short form: each scenario well under 30 s. */
export const SHORT_TIMING: Timing = { beforeMs: 4000, faultMs: 10_000, afterMs: 6000, rate: 150 };

export const SCENARIOS: readonly Scenario[] = [{ id: '1', run: redisKill }];

export async function runSoak(minutes: number): Promise<ScenarioResult> {
  throw new Error(`soak (${minutes} min) not written yet`);
}
