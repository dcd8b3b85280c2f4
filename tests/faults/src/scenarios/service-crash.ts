/**
 * 6: the service itself SIGKILLed mid-load on the disk backend (no hook runs, writes may be cut
 * anywhere), restarted on the same port, database file and cache folder. After the restart no
 * read may be torn or stale; and since a write cut between its database commit and its cache
 * invalidation is not acknowledged (so the checker cannot count it), every tracked listing is
 * finally compared with the database file itself.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findFreePort } from '../../../../packages/redis/test/support/redis-server.js';
import { FaultSession, type ScenarioResult } from '../session.js';
import type { Timing } from './common.js';

/** How long after sending a burst of writes the service is killed. */
const CUT_AFTER_MS = Number(process.env.FAULTS_CUT_AFTER_MS ?? '8');

export async function serviceCrash(timing: Timing, kills = 2): Promise<ScenarioResult> {
  const dir = mkdtempSync(join(tmpdir(), 'cache-faults-disk-'));
  const databaseFile = join(dir, 'listings.sqlite');
  const session = new FaultSession({
    id: '6',
    title: `service SIGKILLed mid-load on the disk backend (${kills}x), restarted on the same cache folder`,
    env: {
      CACHE_BACKEND: 'disk',
      CACHE_DISK_DIR: join(dir, 'cache'),
      DATABASE_FILE: databaseFile,
      LISTINGS: '10000',
    },
    commandTimeoutMs: 500,
    rate: timing.rate,
    port: await findFreePort(),
  });
  try {
    await session.start();
    await sleep(timing.beforeMs);
    for (let kill = 1; kill <= kills; kill++) {
      session.phase(`killed #${kill}`, 'fault');
      session.driver.serviceDown = true;
      // Writes on the wire as the process dies, so some are cut between their commit and their
      // invalidation (their answers are lost: expected, counted as refused while down).
      const burst = session.driver.writeBurst(6, 2);
      await sleep(CUT_AFTER_MS);
      await session.service.kill();
      await burst;
      await sleep(500);
      await session.service.start();
      session.driver.serviceDown = false;
      session.phase(`after restart #${kill}`, 'recovery');
      await sleep(timing.afterMs / kills);
    }
    return await session.finish(async () => {
      const db = new Database(databaseFile, { readonly: true, fileMustExist: true });
      try {
        const row = db.prepare('SELECT version FROM listings WHERE id = ?');
        let differ = 0;
        for (const id of session.tracker.allIds()) {
          const truth = (row.get(id) as { version: number } | undefined)?.version;
          const response = await fetch(`${session.service.url}/properties/${id}`);
          const served =
            response.status === 200 ? ((await response.json()) as { version: number }).version : undefined;
          if (served !== truth) {
            differ++;
            session.extraFailures.push(
              `listing ${id}: the service serves version ${served ?? '(none)'}, the database holds ${truth ?? '(none)'}`,
            );
          }
        }
        session.notes.push(
          `${session.tracker.allIds().length} tracked listings compared with the database file after the restarts: ${differ} differ`,
        );
      } finally {
        db.close();
      }
    });
  } finally {
    await session.abort();
    rmSync(dir, { recursive: true, force: true });
  }
}
