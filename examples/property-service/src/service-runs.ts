/**
 * Knows whether the runs of the service before this one closed cleanly.
 *
 * Every write route commits to SQLite, then invalidates the cache, then answers. A process killed
 * between the commit and the invalidation leaves entries in a cache that outlives it (disk, Redis)
 * describing rows that have changed since; a restart would serve them until they expire. So each
 * run records itself in the database it serves (`service_runs`) before it serves, and deletes its
 * row only on a clean close, after the cache is shut down. A row left behind means that run may
 * have been cut in that gap, and the next run drops the service's entries before it serves.
 *
 * Why this and not "record the database's write counter in the cache after each invalidation,
 * compare at start-up": that marker is itself a cache entry (it can be evicted, or expire before
 * the stale entries do), saved searches are written without bumping the counter, and with two
 * processes on one cache a later writer's marker hides an earlier writer's cut write. The rows
 * here live in the same file as the data, are written before the first request, and survive
 * any kill.
 */
import { randomUUID } from 'node:crypto';
import type { ListingsDatabase, ServiceRun } from './db.js';

export class ServiceRuns {
  /** This run's row id (a process may host several services, e.g. in tests: the pid is not enough). */
  readonly id: string = randomUUID();
  readonly #db: ListingsDatabase;
  #started = false;

  constructor(db: ListingsDatabase) {
    this.#db = db;
  }

  /**
   * Records this run as started (call it before serving) and answers the earlier runs that
   * never closed cleanly. Any of them is a reason to drop the cache: a crashed one certainly,
   * and one whose pid still looks alive may be a crashed run whose pid was reused (a sibling
   * process still running only costs a cold cache).
   */
  start(): ServiceRun[] {
    const unfinished = this.#db.startRun(this.id, process.pid);
    this.#started = true;
    return unfinished;
  }

  /**
   * After their cache entries were dropped: forgets the runs whose process is gone, so the next
   * start-up does not drop the cache again for them. Rows of processes still alive stay.
   */
  forgetEnded(runs: readonly ServiceRun[]): void {
    this.#db.finishRuns(runs.filter((run) => !isProcessAlive(run.pid)).map((run) => run.id));
  }

  /** On a clean close, once the cache is shut down: nothing of this run can be stale any more. */
  finish(): void {
    if (!this.#started) return;
    this.#db.finishRuns([this.id]);
    this.#started = false;
  }
}

/**
 * Whether a process with this pid exists on this machine. SQLite in WAL mode is only shared
 * between processes of one machine, so the pids in `service_runs` are this machine's.
 */
function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
