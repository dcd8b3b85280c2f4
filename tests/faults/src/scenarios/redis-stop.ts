/** 2 (+5): Redis hung (SIGSTOP) under load, then resumed (SIGCONT): it still holds the old entries. */
import type { ScenarioResult } from '../session.js';
import type { Timing } from './common.js';
import { runRedisOutage } from './redis-outage.js';

export function redisStop(timing: Timing): Promise<ScenarioResult> {
  return runRedisOutage(timing, {
    id: '2',
    title: `Redis SIGSTOP for ${timing.faultMs / 1000} s, then SIGCONT (+ writes during the outage)`,
    faultPhase: 'redis stopped',
    recoveryPhase: 'after SIGCONT',
    inject: async (redis) => redis.pause(),
    clear: async (redis) => redis.resume(),
  });
}
