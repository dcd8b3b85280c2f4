/** 1 (+5): Redis SIGKILLed for a while under load, then restarted on the same port (empty). */
import { setTimeout as sleep } from 'node:timers/promises';
import { startRedisServer } from '../../../../packages/redis/test/support/redis-server.js';
import { FaultSession, type ScenarioResult } from '../session.js';
import { checkOutageWrites, redisEnv, type Timing } from './common.js';

export async function redisKill(timing: Timing): Promise<ScenarioResult> {
  const redis = await startRedisServer();
  const session = new FaultSession({
    id: '1',
    title: `Redis SIGKILL for ${timing.faultMs / 1000} s, then restarted (+ writes during the outage)`,
    env: redisEnv(redis.url),
    commandTimeoutMs: 500,
    rate: timing.rate,
  });
  try {
    await session.start();
    await sleep(timing.beforeMs);
    session.phase('redis killed', 'fault');
    await redis.kill();
    await sleep(timing.faultMs / 2);
    const touched = await session.driver.writeBurst(8, 3);
    await sleep(timing.faultMs / 2);
    await redis.restart();
    session.phase('after restart', 'recovery');
    await session.waitForPrimary();
    await checkOutageWrites(session, touched);
    await sleep(timing.afterMs);
    return await session.finish();
  } finally {
    await session.abort();
    await redis.stop();
  }
}
