/**
 * 3 (+5): a TCP proxy between the service and Redis that, in turn, blackholes (longer than the
 * client's socketTimeout of 5 s in the soak), resets every connection, and delays every reply
 * beyond commandTimeout; the service recovers after each.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { startRedisServer } from '../../../../packages/redis/test/support/redis-server.js';
import { FaultSession, type ScenarioResult } from '../session.js';
import { FaultProxy, type ProxyMode } from '../tcp-proxy.js';
import { checkOutageWrites, redisEnv, type Timing } from './common.js';

const COMMAND_TIMEOUT_MS = 500;

export async function networkFaults(timing: Timing): Promise<ScenarioResult> {
  const redis = await startRedisServer();
  const proxy = new FaultProxy(redis.port);
  await proxy.listen();
  const faults: { mode: ProxyMode; label: string; ms: number }[] = [
    { mode: 'blackhole', label: 'blackhole', ms: timing.networkFaultMs?.blackhole ?? 6000 },
    { mode: 'reset', label: 'reset', ms: timing.networkFaultMs?.reset ?? 3000 },
    {
      mode: 'delay',
      label: `delay ${COMMAND_TIMEOUT_MS + 300} ms`,
      ms: timing.networkFaultMs?.delay ?? 4000,
    },
  ];
  const session = new FaultSession({
    id: '3',
    title: `TCP proxy: ${faults.map((f) => `${f.label} ${f.ms / 1000} s`).join(', ')} (+ writes during each)`,
    env: redisEnv(proxy.url),
    commandTimeoutMs: COMMAND_TIMEOUT_MS,
    rate: timing.rate,
  });
  try {
    await session.start();
    await sleep(timing.beforeMs);
    for (const fault of faults) {
      session.phase(fault.label, 'fault');
      proxy.setMode(fault.mode, COMMAND_TIMEOUT_MS + 300);
      await sleep(fault.ms / 2);
      const touched = await session.driver.writeBurst(4, 1);
      await sleep(fault.ms / 2);
      proxy.setMode('pass');
      session.phase(`after ${fault.mode}`, 'recovery');
      await session.waitForPrimary();
      await checkOutageWrites(session, touched);
      await sleep(timing.recoveryMs ?? 3000);
    }
    return await session.finish();
  } finally {
    await session.abort();
    await proxy.close();
    await redis.stop();
  }
}
