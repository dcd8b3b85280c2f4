import type { FaultSession } from '../session.js';

/** Phase lengths of one scenario (short form or soak). */
export interface Timing {
  beforeMs: number;
  faultMs: number;
  afterMs: number;
  /** Requests per second. */
  rate: number;
  /** Scenario 3: how long each proxy fault lasts. */
  networkFaultMs?: { blackhole: number; reset: number; delay: number };
  /** Scenario 3: load after each proxy fault before the next one. */
  recoveryMs?: number;
}

/** The example's own bootstrap, pointed at Redis (commandTimeout is the backend's default, 500 ms). */
export function redisEnv(url: string): Record<string, string> {
  return { CACHE_BACKEND: 'redis', REDIS_URL: url, DATABASE_FILE: ':memory:', LISTINGS: '10000' };
}

/**
 * Scenario 5, folded into the outage scenarios: the listings written (PUT) or deleted during the
 * outage are read once the service is back on the primary, each one checked against what the
 * write acknowledged (the load checker counts a stale answer).
 */
export async function checkOutageWrites(session: FaultSession, touched: readonly number[]): Promise<void> {
  const staleBefore = session.tracker.stale.length;
  for (const id of touched) await session.driver.readDetail(id, 'outage-check');
  await session.driver.readFaultCity();
  const stale = session.tracker.stale.length - staleBefore;
  session.notes.push(
    `scenario 5: ${touched.length} listings written or deleted during the outage, read back after recovery: ${stale === 0 ? 'all current' : `${stale} stale`}`,
  );
}
