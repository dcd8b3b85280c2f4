/** 4: Redis full (`maxmemory` tiny, `noeviction`): every write is refused with OOM, reads still work. */
import { setTimeout as sleep } from 'node:timers/promises';
import { startRedisServer } from '../../../../packages/redis/test/support/redis-server.js';
import { FaultSession, type ScenarioResult } from '../session.js';
import { checkOutageWrites, redisEnv, type Timing } from './common.js';

export async function redisFull(timing: Timing): Promise<ScenarioResult> {
  const redis = await startRedisServer();
  const session = new FaultSession({
    id: '4',
    title: `Redis full (maxmemory 1 byte, noeviction) for ${timing.faultMs / 1000} s: writes fail with OOM`,
    env: redisEnv(redis.url),
    commandTimeoutMs: 500,
    rate: timing.rate,
  });
  try {
    await session.start();
    await sleep(timing.beforeMs);
    session.phase('redis full', 'fault');
    await redis.command('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
    await redis.command('CONFIG', 'SET', 'maxmemory', '1');
    const probe = await redis.command('SET', 'faults:oom-probe', 'x');
    session.notes.push(
      `a SET while full answers: ${probe instanceof Object && 'message' in probe ? probe.message : String(probe)}`,
    );
    await sleep(timing.faultMs / 2);
    const touched = await session.driver.writeBurst(8, 3);
    await sleep(timing.faultMs / 2);
    await redis.command('CONFIG', 'SET', 'maxmemory', '0');
    session.phase('after full', 'recovery');
    await session.waitForPrimary();
    await checkOutageWrites(session, touched);
    await sleep(timing.afterMs);
    return await session.finish();
  } finally {
    await session.abort();
    await redis.stop();
  }
}
