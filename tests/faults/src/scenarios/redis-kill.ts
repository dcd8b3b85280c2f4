/** 1 (+5): Redis SIGKILLed for a while under load, then restarted on the same port (empty). */
import type { ScenarioResult } from '../session.js';
import type { Timing } from './common.js';
import { runRedisOutage } from './redis-outage.js';

export function redisKill(timing: Timing): Promise<ScenarioResult> {
  return runRedisOutage(timing, {
    id: '1',
    title: `Redis SIGKILL for ${timing.faultMs / 1000} s, then restarted (+ writes during the outage)`,
    faultPhase: 'redis killed',
    recoveryPhase: 'after restart',
    inject: (redis) => redis.kill(),
    clear: (redis) => redis.restart(),
  });
}
