import { silentLogger } from '@cache/core';
import { describeBackendContract } from '@cache/test-suite';
import { RedisBackend } from '@cache/redis';
import { Cluster } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { uniquePrefix, withUnhandledRejections } from './support/fixtures.js';
import { startRedisCluster, type RedisCluster, type RedisServer } from './support/redis-server.js';

let cluster: RedisCluster;
beforeAll(async () => {
  cluster = await startRedisCluster();
});
afterAll(async () => {
  await cluster?.stop();
});

const prefix = uniquePrefix('cluster');
const nodes = (): Array<{ host: string; port: number }> => cluster.nodes.map((n) => ({ ...n }));

describeBackendContract(
  'redis cluster (3 masters)',
  () =>
    new RedisBackend({
      cluster: { nodes: nodes() },
      keyPrefix: prefix,
      maxEntryBytes: 64 * 1024,
      logger: silentLogger,
    }),
  {
    ttlGranularityMs: 50,
    supportsCrossInstance: true,
    namespaces: {
      create: (namespace) =>
        new RedisBackend({ cluster: { nodes: nodes() }, keyPrefix: `${namespace}:`, logger: silentLogger }),
    },
    maxEntryBytes: 64 * 1024,
    isolation: 'file',
  },
);

/** Keys matching `match` on one node, read with plain SCAN on that node. */
async function keysOn(server: RedisServer, match: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const reply = (await server.command('SCAN', cursor, 'MATCH', match, 'COUNT', '1000')) as [
      string,
      string[],
    ];
    cursor = reply[0];
    found.push(...reply[1]);
  } while (cursor !== '0');
  return found;
}

describe('cluster specifics', () => {
  const opened: RedisBackend[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((b) => b.disconnect()));
  });
  async function open(keyPrefix = uniquePrefix('c')): Promise<RedisBackend> {
    const backend = new RedisBackend({ cluster: { nodes: nodes() }, keyPrefix, logger: silentLogger });
    opened.push(backend);
    await backend.connect();
    return backend;
  }

  it('deletePattern scans every master and deletes keys from all slots', async () => {
    const backend = await open('spread:');
    await Promise.all(Array.from({ length: 300 }, (_, i) => backend.set(`item:${i}`, i)));
    await backend.set('other', 1);
    for (const server of cluster.servers)
      expect((await keysOn(server, 'spread:item:*')).length).toBeGreaterThan(0);
    expect(await backend.deletePattern('item:*')).toBe(300);
    for (const server of cluster.servers) expect(await keysOn(server, 'spread:item:*')).toEqual([]);
    expect(await backend.get('other')).toBe(1);
    await backend.clear();
  });

  it('clear deletes this prefix on every master and nothing else', async () => {
    const mine = await open('mine:');
    const theirs = await open('mine2:');
    await Promise.all(Array.from({ length: 100 }, (_, i) => mine.set(`k${i}`, i)));
    await Promise.all(Array.from({ length: 100 }, (_, i) => theirs.set(`k${i}`, i)));
    await mine.clear();
    for (const server of cluster.servers) {
      expect(await keysOn(server, 'mine:*')).toEqual([]);
    }
    const survivors = (await Promise.all(cluster.servers.map((s) => keysOn(s, 'mine2:*')))).flat();
    expect(survivors).toHaveLength(100);
    await theirs.clear();
  });

  it("leaves a caller's Cluster client open on disconnect()", async () => {
    const client = new Cluster(nodes(), { enableOfflineQueue: false, lazyConnect: true });
    const backend = new RedisBackend({ client, keyPrefix: uniquePrefix(), logger: silentLogger });
    await backend.connect();
    expect(await backend.set('k', 'v')).toBe(true);
    expect(await backend.get('k')).toBe('v');
    await backend.disconnect();
    expect(client.status).toBe('ready');
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
  });

  it('a hung master: every operation settles within commandTimeout + 100 ms, none rejects, then it recovers', async () => {
    const backend = new RedisBackend({
      cluster: { nodes: nodes() },
      keyPrefix: uniquePrefix('hung'),
      commandTimeout: 300,
      breaker: { cooldownMs: 200 },
      logger: silentLogger,
    });
    opened.push(backend);
    await backend.connect();
    const victim = cluster.servers[1] as RedisServer;
    const { unhandled } = await withUnhandledRejections(async () => {
      victim.pause();
      try {
        let slowest = 0;
        for (let round = 0; round < 4; round++) {
          const started = performance.now();
          const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => backend.set(`k${i}`, i)));
          slowest = Math.max(slowest, performance.now() - started);
          expect(answers.every((a) => typeof a === 'boolean')).toBe(true);
        }
        expect(slowest).toBeLessThanOrEqual(400);
        expect(backend.isAvailable()).toBe(false);
      } finally {
        victim.resume();
      }
      await expect.poll(() => backend.isAvailable(), { timeout: 5000, interval: 20 }).toBe(true);
    });
    expect(unhandled).toEqual([]);
    expect(await backend.set('after', 1)).toBe(true);
    expect(await backend.get('after')).toBe(1);
  });
});
