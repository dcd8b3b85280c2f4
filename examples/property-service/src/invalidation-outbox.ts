/**
 * Cache invalidations the database owes, kept in the database itself: a transactional outbox.
 *
 * Every write route commits to SQLite, then invalidates the cache, then answers. The cache is a
 * second store (a folder, a Redis) that outlives the process, so a process killed between the
 * commit and the invalidation leaves entries describing rows that have changed since, and a
 * restart would serve them until they expire. So every write also inserts, in its own
 * transaction, a `cache_outbox` row naming the patterns it makes stale (db.ts). A kill at any
 * instant leaves either no change and no row (rolled back) or both. The row is deleted once the
 * invalidation has provably reached the primary cache; at start-up, before the first request,
 * every row still there is replayed (its patterns deleted), then deleted. A crash costs exactly
 * the invalidations it cut, and a clean restart, or one after a crash between writes, stays warm.
 *
 * Why not the alternatives:
 * - Drop all the service's entries after a run that did not close cleanly (what this replaced,
 *   with a `service_runs` table): correct, but every crash meant a cold cache (after a SIGKILL
 *   with one write cut, 0 of 440 detail and list reads came from the cache, against 399 with the
 *   outbox), and so did starting a second process beside a running one, since a live run cannot
 *   be told from a crashed one.
 * - A marker or write counter kept in the cache: it can be evicted or expire before the stale
 *   entries do, and with two processes a later writer's marker hides an earlier one's cut write.
 * - Entries carrying the database's write counter, checked on every hit: a query per hit, and any
 *   write would make every entry stale, not only the ones it touched.
 * - Invalidating before the commit: a read between the two refills the old row, so the delete
 *   after the commit is needed anyway, and it is the one a kill can skip.
 *
 * When a row may be deleted: only once its patterns were deleted on the primary. The manager
 * sends an invalidation to its fallback while the primary is out of reach and replays it on the
 * primary from an outage journal when the primary is back, but that journal lives in memory: a
 * process killed before the replay loses it, and the primary (which outlives the process) still
 * holds the entries. The manager does not say where an operation went, so each invalidation is
 * judged from what can be seen around it:
 * - applied on the primary: the primary available before and after, no outage open (between the
 *   manager's `'fallback'` and `'recovered'`), no manager event during the call, no error counted
 *   by the primary (backends answer 0 rather than reject when the store fails). The row goes.
 * - journaled: an outage is open when it resolves, so the manager recorded it and will replay it
 *   before it reports `'recovered'`; the row goes at that event (not run again: the journal holds
 *   every pattern of the outage, and running them twice would double the replay's scans).
 * - anything else (it rejected, the primary counted an error, an event interleaved, no fallback
 *   so no outage events): the row is run again once the primary proves reachable (a later
 *   invalidation applied on it, or `'recovered'`).
 * A kill before any of that leaves the rows to the next start. A row kept for nothing costs one
 * more idempotent delete. What this cannot see is a journal replay no event announces: without
 * a fallback an outage opens silently, and a write that straddled a whole outage is replayed
 * after its `'recovered'`. An invalidation sent during such a replay, with the primary back, may
 * still be routed away from it and look applied; the window is that replay (a kill inside it
 * loses the row), and the cure belongs in core: the manager saying whether it still owes the
 * primary a replay.
 *
 * Several processes on one database and cache: a starting process replays every row, including
 * those of a sibling whose invalidation is still in flight. That is harmless: the sibling's row
 * was committed, so the replay runs after its write, and deleting is idempotent; the sibling
 * still runs its own invalidation, and its later attempt to delete the row finds it gone. A
 * process deletes only the rows it read or wrote, by id, and ids are never reused
 * (AUTOINCREMENT), so a row written after a replay read the table is never lost.
 */
import type { CacheManager } from '@cache/core';
import type { ListingsDatabase, PendingInvalidation } from './db.js';
import { ALL_DATABASE_ENTRIES } from './invalidations.js';

/**
 * Past this many distinct patterns a replay deletes `ALL_DATABASE_ENTRIES` instead: on disk and on
 * Redis every pattern is a scan of the whole store, so three scans and a cold cache beat dozens.
 */
const MAX_REPLAY_PATTERNS = 32;

/** What a replay did. */
export interface OutboxReplay {
  /** Rows replayed. */
  rows: number;
  /** Distinct patterns deleted. */
  patterns: number;
  /** Cache entries those deletes removed. */
  deleted: number;
  /** `false`: not provably applied on the primary, so the rows stay (settled later, or by the next start). */
  delivered: boolean;
}

/** What is seen before an invalidation, to judge where it went once it resolved. */
interface Watch {
  events: number;
  errors: number;
  /** No outage open and the primary available: operations go to the primary. */
  primaryServing: boolean;
}

/** Where an invalidation went, as far as can be proved (see the top of this file). */
type Outcome = 'applied' | 'journaled' | 'unknown';

export class InvalidationOutbox {
  readonly #db: ListingsDatabase;
  readonly #warn: (message: string) => void;
  #cache: CacheManager | undefined;
  /** Counts the manager's events: an invalidation during which one fired proves nothing. */
  #events = 0;
  /** Between the manager's `'fallback'` and `'recovered'`: invalidations go to the fallback and its journal. */
  #outage = false;
  /** Rows of this process whose invalidation the manager's journal holds: settled at `'recovered'`. */
  readonly #journaled = new Map<number, readonly string[]>();
  /** Rows of this process whose invalidation went who knows where: run again when the primary proves reachable. */
  readonly #unknown = new Map<number, readonly string[]>();
  #retrying = false;
  readonly #onFallback = (): void => {
    this.#events++;
    this.#outage = true;
  };
  readonly #onRecovered = (): void => {
    this.#events++;
    this.#outage = false;
    // The manager has replayed its journal on the primary, and every row here was marked while
    // the outage this event closes was open, so its invalidation was in that journal.
    const replayed = [...this.#journaled.keys()];
    this.#journaled.clear();
    if (replayed.length > 0) this.#settle(replayed);
    this.#retryUnknown();
  };
  readonly #onError = (): void => {
    this.#events++;
  };

  constructor(db: ListingsDatabase, warn: (message: string) => void) {
    this.#db = db;
    this.#warn = warn;
  }

  /**
   * Starts watching `cache`; call it as soon as the manager has connected (a primary that could
   * not connect has already opened an outage, which counts as one here until `'recovered'`).
   */
  attach(cache: CacheManager): void {
    this.detach();
    this.#cache = cache;
    this.#outage = cache.usingFallback || cache.stats().fallbackActivations > 0;
    cache.on('fallback', this.#onFallback).on('recovered', this.#onRecovered).on('error', this.#onError);
  }

  /** Stops watching (on close); rows still owed stay in the database for the next start. */
  detach(): void {
    this.#cache
      ?.off('fallback', this.#onFallback)
      .off('recovered', this.#onRecovered)
      .off('error', this.#onError);
    this.#cache = undefined;
  }

  /**
   * At start-up, before the first request: deletes the patterns of every row left in the outbox
   * (by a run killed between a write and its invalidation, or by a sibling process's write in
   * flight), then the rows, if the deletes provably reached the primary. Never rejects.
   */
  async replay(): Promise<OutboxReplay> {
    const cache = this.#cache;
    const rows = this.#db.pendingInvalidations();
    if (rows.length === 0) return { rows: 0, patterns: 0, deleted: 0, delivered: true };
    if (cache === undefined) return { rows: rows.length, patterns: 0, deleted: 0, delivered: false };
    return { rows: rows.length, ...(await this.#apply(cache, rows)) };
  }

  /**
   * Runs `invalidate` (the write's own invalidation, e.g. through PropertyCacheManager, which also
   * stops loads that read the old row from storing it) for the row `pending` the write committed,
   * then deletes the row if that provably reached the primary. `invalidate`'s result or error is
   * the caller's; a failure to delete the row is only logged (it stays: one more delete later).
   */
  async deliver<T>(pending: PendingInvalidation, invalidate: () => Promise<T>): Promise<T> {
    const cache = this.#cache;
    const watch = cache === undefined ? undefined : this.#watch(cache);
    let result: T;
    try {
      result = await invalidate();
    } catch (error) {
      this.#conclude([pending], 'unknown');
      throw error;
    }
    const outcome = cache === undefined || watch === undefined ? 'unknown' : this.#judge(cache, watch);
    this.#conclude([pending], outcome);
    // The primary just proved it takes deletes: a good moment for what is owed without a journal.
    if (outcome === 'applied') this.#retryUnknown();
    return result;
  }

  /** Rows this process holds that are not proved on the primary yet (for tests and logs). */
  get owed(): number {
    return this.#journaled.size + this.#unknown.size;
  }

  #watch(cache: CacheManager): Watch {
    return {
      events: this.#events,
      errors: cache.primary.stats().errors,
      primaryServing: !this.#outage && cache.primary.isAvailable(),
    };
  }

  /** Where an invalidation that started at `watch` and resolved went (see the top of this file). */
  #judge(cache: CacheManager, watch: Watch): Outcome {
    if (cache.primary.stats().errors !== watch.errors) return 'unknown';
    if (
      watch.primaryServing &&
      !this.#outage &&
      this.#events === watch.events &&
      cache.primary.isAvailable()
    ) {
      return 'applied';
    }
    return this.#outage ? 'journaled' : 'unknown';
  }

  #conclude(rows: readonly PendingInvalidation[], outcome: Outcome): void {
    if (outcome === 'applied') return this.#settle(rows.map((row) => row.id));
    const [owedTo, other] =
      outcome === 'journaled' ? [this.#journaled, this.#unknown] : [this.#unknown, this.#journaled];
    for (const row of rows) {
      owedTo.set(row.id, row.patterns);
      other.delete(row.id);
    }
  }

  /** Deletes the rows' patterns (deduplicated) through the manager and judges where that went. Never rejects. */
  async #apply(
    cache: CacheManager,
    rows: readonly PendingInvalidation[],
  ): Promise<Omit<OutboxReplay, 'rows'>> {
    let patterns = new Set(rows.flatMap((row) => row.patterns));
    if (patterns.size > MAX_REPLAY_PATTERNS) patterns = new Set(ALL_DATABASE_ENTRIES);
    let deleted = 0;
    let outcome: Outcome = 'unknown';
    try {
      const watch = this.#watch(cache);
      for (const pattern of patterns) deleted += await cache.deletePattern(pattern);
      outcome = this.#judge(cache, watch);
    } catch (error) {
      this.#warn(`could not replay ${rows.length} owed cache invalidation(s): ${describe(error)}`);
    }
    this.#conclude(rows, outcome);
    return { patterns: patterns.size, deleted, delivered: outcome === 'applied' };
  }

  /** One retry of the unknown rows at a time; what arrives meanwhile waits for the next occasion. */
  #retryUnknown(): void {
    const cache = this.#cache;
    if (this.#retrying || cache === undefined || this.#unknown.size === 0) return;
    this.#retrying = true;
    const rows = [...this.#unknown].map(([id, patterns]) => ({ id, patterns }));
    void this.#apply(cache, rows).finally(() => {
      this.#retrying = false;
    });
  }

  #settle(ids: readonly number[]): void {
    for (const id of ids) {
      this.#journaled.delete(id);
      this.#unknown.delete(id);
    }
    try {
      this.#db.settleInvalidations(ids);
    } catch (error) {
      // Closed under us (shutdown): the rows stay, and the next start deletes those patterns again.
      this.#warn(`could not forget ${ids.length} delivered cache invalidation(s): ${describe(error)}`);
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
