/**
 * The soak: one service on Redis behind the fault proxy for `minutes`, a fault every 30 s in
 * rotation (SIGKILL + restart, SIGSTOP/SIGCONT, blackhole, reset, delayed replies, Redis full),
 * writes during each, the same checks throughout.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { startRedisServer, type RedisServer } from '../../../../packages/redis/test/support/redis-server.js';
import { FaultSession, type ScenarioResult } from '../session.js';
import { FaultProxy } from '../tcp-proxy.js';
import { checkOutageWrites, redisEnv } from './common.js';

const COMMAND_TIMEOUT_MS = 500;
const PERIOD_MS = 30_000;

interface Fault {
  name: string;
  ms: number;
  inject(redis: RedisServer, proxy: FaultProxy): Promise<void>;
  clear(redis: RedisServer, proxy: FaultProxy): Promise<void>;
}

const FAULTS: readonly Fault[] = [
  { name: 'kill', ms: 10_000, inject: (r) => r.kill(), clear: (r) => r.restart() },
  { name: 'sigstop', ms: 10_000, inject: async (r) => r.pause(), clear: async (r) => r.resume() },
  {
    name: 'blackhole',
    ms: 8000,
    inject: async (_, p) => p.setMode('blackhole'),
    clear: async (_, p) => p.setMode('pass'),
  },
  {
    name: 'reset',
    ms: 5000,
    inject: async (_, p) => p.setMode('reset'),
    clear: async (_, p) => p.setMode('pass'),
  },
  {
    name: 'delay',
    ms: 6000,
    inject: async (_, p) => p.setMode('delay', COMMAND_TIMEOUT_MS + 300),
    clear: async (_, p) => p.setMode('pass'),
  },
  {
    name: 'full',
    ms: 8000,
    inject: async (r) => {
      await r.command('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
      await r.command('CONFIG', 'SET', 'maxmemory', '1');
    },
    clear: async (r) => {
      await r.command('CONFIG', 'SET', 'maxmemory', '0');
    },
  },
];

export async function soak(minutes: number, rate: number): Promise<ScenarioResult> {
  const redis = await startRedisServer();
  const proxy = new FaultProxy(redis.port);
  await proxy.listen();
  const session = new FaultSession({
    id: 'soak',
    title: `soak: ${minutes} min, a fault every ${PERIOD_MS / 1000} s (${FAULTS.map((f) => f.name).join(', ')}, in turn)`,
    env: redisEnv(proxy.url),
    commandTimeoutMs: COMMAND_TIMEOUT_MS,
    rate,
  });
  try {
    await session.start();
    await sleep(5000);
    const end = Date.now() + minutes * 60_000;
    for (let index = 0; Date.now() < end; index++) {
      const fault = FAULTS[index % FAULTS.length] as Fault;
      const periodEnd = Date.now() + PERIOD_MS;
      session.phase(`#${index + 1} ${fault.name}`, 'fault');
      await fault.inject(redis, proxy);
      await sleep(fault.ms / 2);
      const touched = await session.driver.writeBurst(4, 1);
      await sleep(fault.ms / 2);
      await fault.clear(redis, proxy);
      session.phase(`after #${index + 1}`, 'recovery');
      await session.waitForPrimary();
      await checkOutageWrites(session, touched);
      await sleep(Math.max(0, periodEnd - Date.now()));
    }
    return await session.finish();
  } finally {
    await session.abort();
    await proxy.close();
    if (redis.paused) redis.resume();
    await redis.stop();
  }
}
