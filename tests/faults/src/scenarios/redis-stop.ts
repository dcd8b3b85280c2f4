/** 2 (+5): Redis hung (SIGSTOP) under load, then resumed (SIGCONT): it still holds the old entries. */
import { setTimeout as sleep } from 'node:timers/promises';
import { startRedisServer } from '../../../../packages/redis/test/support/redis-server.js';
import { FaultSession, type ScenarioResult } from '../session.js';
import { checkOutageWrites, redisEnv, type Timing } from './common.js';

export async function redisStop(timing: Timing): Promise<ScenarioResult> {
  const redis = await startRedisServer();
  const session = new FaultSession({
    id: '2',
    title: `Redis SIGSTOP for ${timing.faultMs / 1000} s, then SIGCONT (+ writes during the outage)`,
    env: redisEnv(redis.url),
    commandTimeoutMs: 500,
    rate: timing.rate,
  });
  try {
    await session.start();
    await sleep(timing.beforeMs);
    session.phase('redis stopped', 'fault');
    redis.pause();
    await sleep(timing.faultMs / 2);
    const touched = await session.driver.writeBurst(8, 3);
    await sleep(timing.faultMs / 2);
    redis.resume();
    session.phase('after SIGCONT', 'recovery');
    await session.waitForPrimary();
    await checkOutageWrites(session, touched);
    await sleep(timing.afterMs);
    return await session.finish();
  } finally {
    await session.abort();
    if (redis.paused) redis.resume();
    await redis.stop();
  }
}
