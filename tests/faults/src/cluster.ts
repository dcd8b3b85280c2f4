/**
 * A Redis Cluster of 3 masters with one replica each, on loopback, with a short
 * `cluster-node-timeout` so a killed master's replica is promoted within a few seconds.
 */
import {
  REDIS_HOST,
  runCli,
  startRedisServer,
  waitFor,
  type RedisServer,
  type RespValue,
} from '../../../packages/redis/test/support/redis-server.js';

export interface ReplicatedCluster {
  readonly servers: readonly RedisServer[];
  nodes(): string;
  /** The running server that serves slot 0 as master. */
  masterOfSlotZero(): Promise<RedisServer>;
  /** Waits until every running node reports `cluster_state:ok` with all slots served. */
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
  /** After `master` died: waits until its replica is a master and the cluster is healthy again. */
  waitForPromotion(master: RedisServer, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

function field(info: RespValue, name: string): string | undefined {
  if (typeof info !== 'string') return undefined;
  return new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
}

export async function startReplicatedCluster(nodeTimeoutMs = 2000): Promise<ReplicatedCluster> {
  const servers: RedisServer[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((s) => s.stop()));
  };
  try {
    for (let i = 0; i < 6; i++) {
      servers.push(
        await startRedisServer({
          clusterBus: true,
          config: [
            'cluster-enabled yes',
            'cluster-config-file nodes.conf',
            `cluster-node-timeout ${nodeTimeoutMs}`,
          ],
        }),
      );
    }
    await runCli(
      [
        '--cluster',
        'create',
        ...servers.map((s) => `${REDIS_HOST}:${s.port}`),
        '--cluster-replicas',
        '1',
        '--cluster-yes',
      ],
      30_000,
    );
    const waitUntilHealthy = (timeoutMs = 20_000): Promise<void> =>
      waitFor(
        'cluster_state:ok on every running node',
        async () => {
          for (const server of servers) {
            if (!server.running) continue;
            const info = await server.command('CLUSTER', 'INFO');
            if (field(info, 'cluster_state') !== 'ok' || field(info, 'cluster_slots_ok') !== '16384')
              return false;
          }
          return true;
        },
        timeoutMs,
        100,
      );
    await waitUntilHealthy();
    const replicaOf = new Map<RedisServer, RedisServer>();
    await waitFor('every replica to sync', async () => {
      replicaOf.clear();
      for (const server of servers) {
        const info = await server.command('INFO', 'replication');
        if (field(info, 'role') !== 'slave' || field(info, 'master_link_status') !== 'up') continue;
        const master = servers.find((s) => String(s.port) === field(info, 'master_port'));
        if (master !== undefined) replicaOf.set(master, server);
      }
      return replicaOf.size === 3;
    });
    return {
      servers,
      nodes: () =>
        servers
          .filter((s) => s.running)
          .map((s) => `${REDIS_HOST}:${s.port}`)
          .join(','),
      async masterOfSlotZero() {
        for (const server of servers) {
          if (!server.running) continue;
          const info = await server.command('INFO', 'replication');
          if (field(info, 'role') !== 'master') continue;
          const slots = await server.command('CLUSTER', 'COUNTKEYSINSLOT', '0');
          const myself = await server.command('CLUSTER', 'MYID');
          const shards = await server.command('CLUSTER', 'SLOTS');
          if (typeof slots !== 'number' || typeof myself !== 'string' || !Array.isArray(shards)) continue;
          for (const shard of shards) {
            if (!Array.isArray(shard) || shard[0] !== 0) continue;
            const master = shard[2];
            if (Array.isArray(master) && master[1] === server.port) return server;
          }
        }
        throw new Error('no master serves slot 0');
      },
      waitUntilHealthy,
      async waitForPromotion(master, timeoutMs = 20_000) {
        const replica = replicaOf.get(master);
        if (replica === undefined) throw new Error(`no replica known for port ${master.port}`);
        await waitFor(
          `port ${replica.port} to be promoted`,
          async () => field(await replica.command('INFO', 'replication'), 'role') === 'master',
          timeoutMs,
          50,
        );
        await waitUntilHealthy(timeoutMs);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
