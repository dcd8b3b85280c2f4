/**
 * 7: a Redis Cluster (3 masters + 3 replicas) master SIGKILLed under load while pattern
 * invalidations (every write runs `deletePattern('properties:*')` on every master) are in flight;
 * its replica is promoted, and the service must serve nothing stale afterwards.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { startReplicatedCluster } from '../cluster.js';
import { FaultSession, type ScenarioResult } from '../session.js';
import type { Timing } from './common.js';

export async function clusterFailover(timing: Timing): Promise<ScenarioResult> {
  const cluster = await startReplicatedCluster(2000);
  const session = new FaultSession({
    id: '7',
    title:
      'Redis Cluster (3 masters + 3 replicas, node timeout 2 s): a master SIGKILLed during pattern invalidations',
    env: { FAULTS_CLUSTER_NODES: cluster.nodes(), DATABASE_FILE: ':memory:', LISTINGS: '10000' },
    commandTimeoutMs: 500,
    rate: timing.rate,
    cacheDescription: `redis Cluster (${cluster.nodes()}), fallback memory`,
  });
  try {
    await session.start();
    await sleep(timing.beforeMs);
    const victim = await cluster.masterOfSlotZero();
    session.phase('master killed', 'fault');
    // Writes first: each one's deletePattern is on the wire when the master dies.
    const burst = session.driver.writeBurst(6, 0);
    await sleep(2);
    await victim.kill();
    const touched = await burst;
    const killedAt = Date.now();
    await cluster.waitForPromotion(victim, 20_000);
    session.notes.push(
      `replica promoted, cluster_state ok: ${((Date.now() - killedAt) / 1000).toFixed(2)} s after the kill`,
    );
    session.phase('after promotion', 'recovery');
    await session.waitForPrimary();
    const staleBefore = session.tracker.stale.length;
    for (const id of touched) await session.driver.readDetail(id, 'outage-check');
    await session.driver.readFaultCity();
    session.notes.push(
      `${touched.length} listings written as the master died, read back: ${session.tracker.stale.length - staleBefore} stale`,
    );
    await sleep(timing.afterMs);
    return await session.finish();
  } finally {
    await session.abort();
    await cluster.stop();
  }
}
