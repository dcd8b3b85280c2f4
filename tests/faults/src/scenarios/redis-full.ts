/** 4: Redis full (`maxmemory` tiny, `noeviction`): every write is refused with OOM, reads still work. */
import type { ScenarioResult } from '../session.js';
import type { Timing } from './common.js';
import { runRedisOutage } from './redis-outage.js';

export function redisFull(timing: Timing): Promise<ScenarioResult> {
  return runRedisOutage(timing, {
    id: '4',
    title: `Redis full (maxmemory 1 byte, noeviction) for ${timing.faultMs / 1000} s: writes fail with OOM`,
    faultPhase: 'redis full',
    recoveryPhase: 'after full',
    inject: async (redis, session) => {
      await redis.command('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
      await redis.command('CONFIG', 'SET', 'maxmemory', '1');
      const probe = await redis.command('SET', 'faults:oom-probe', 'x');
      session.notes.push(
        `a SET while full answers: ${probe instanceof Object && 'message' in probe ? probe.message : String(probe)}`,
      );
    },
    clear: async (redis) => {
      await redis.command('CONFIG', 'SET', 'maxmemory', '0');
    },
  });
}
