import { RedisBackend } from '@cache/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingLogger, uniquePrefix, withUnhandledRejections } from './support/fixtures.js';
import { startRedisSentinelGroup, type RedisSentinelGroup } from './support/redis-server.js';

let group: RedisSentinelGroup;
beforeAll(async () => {
  group = await startRedisSentinelGroup();
});
afterAll(async () => {
  await group?.stop();
});

describe('through Sentinel', () => {
  it('writes to the master the sentinels name, and follows a forced failover with every operation bounded', async () => {
    const prefix = uniquePrefix('sentinel');
    const backend = new RedisBackend({
      sentinel: { name: group.masterName, sentinels: group.sentinelNodes },
      keyPrefix: prefix,
      commandTimeout: 300,
      breaker: { cooldownMs: 200 },
      logger: recordingLogger(),
    });
    await backend.connect();
    try {
      expect(await backend.set('before', 'failover')).toBe(true);
      expect(await group.master.command('GET', `${prefix}before`)).toBe('"failover"');

      const { unhandled } = await withUnhandledRejections(async () => {
        let running = true;
        let slowest = 0;
        let rejections = 0;
        const worker = async (id: number): Promise<void> => {
          for (let i = id; running; i += 8) {
            const start = performance.now();
            await (i % 2 === 0 ? backend.set(`k${i % 20}`, i) : backend.get(`k${i % 20}`)).catch(
              () => rejections++,
            );
            slowest = Math.max(slowest, performance.now() - start);
            await new Promise((resolve) => setImmediate(resolve));
          }
        };
        const load = Promise.all(Array.from({ length: 8 }, (_, id) => worker(id)));
        const newMasterPort = await group.failover();
        expect(newMasterPort).toBe(group.replica.port);
        // Writes must reach the promoted server soon: the backend listens for +switch-master
        // (without it, they would go on to the demoted master for ~10 s, until the sentinels
        // reconfigure it).
        await expect
          .poll(
            async () =>
              (await backend.set('after', 'failover')) &&
              (await group.replica.command('GET', `${prefix}after`)),
            { timeout: 5000, interval: 50 },
          )
          .toBe('"failover"');
        running = false;
        await load;
        expect(rejections).toBe(0);
        expect(slowest).toBeLessThanOrEqual(400);
      });
      expect(unhandled).toEqual([]);
      expect(backend.isAvailable()).toBe(true);
      expect(await backend.get('after')).toBe('failover');
    } finally {
      await backend.disconnect();
    }
  });
});
