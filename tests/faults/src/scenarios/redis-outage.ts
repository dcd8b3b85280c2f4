/**
 * The shape scenarios 1, 2 and 4 share: one redis-server under the service's steady load, a fault
 * injected into it, a burst of writes halfway through the fault (scenario 5), the fault cleared,
 * then the service back on the primary and the outage's writes read back.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { startRedisServer, type RedisServer } from '../../../../packages/redis/test/support/redis-server.js';
import { FaultSession, type ScenarioResult } from '../session.js';
import { checkOutageWrites, redisEnv, type Timing } from './common.js';

/** One Redis fault: how to cause it and end it, and what the phases are called. */
export interface RedisOutage {
  id: string;
  title: string;
  /** Name of the phase while the fault lasts, e.g. 'redis killed'. */
  faultPhase: string;
  /** Name of the phase after it, e.g. 'after restart'. */
  recoveryPhase: string;
  inject(redis: RedisServer, session: FaultSession): Promise<void>;
  clear(redis: RedisServer): Promise<void>;
}

export async function runRedisOutage(timing: Timing, outage: RedisOutage): Promise<ScenarioResult> {
  const redis = await startRedisServer();
  const session = new FaultSession({
    id: outage.id,
    title: outage.title,
    env: redisEnv(redis.url),
    commandTimeoutMs: 500,
    rate: timing.rate,
  });
  try {
    await session.start();
    await sleep(timing.beforeMs);
    session.phase(outage.faultPhase, 'fault');
    await outage.inject(redis, session);
    await sleep(timing.faultMs / 2);
    const touched = await session.driver.writeBurst(8, 3);
    await sleep(timing.faultMs / 2);
    await outage.clear(redis);
    session.phase(outage.recoveryPhase, 'recovery');
    await session.waitForPrimary();
    await checkOutageWrites(session, touched);
    await sleep(timing.afterMs);
    return await session.finish();
  } finally {
    await session.abort();
    // A stopped process cannot act on SIGTERM: it must be continued before it is stopped.
    if (redis.paused) redis.resume();
    await redis.stop();
  }
}
