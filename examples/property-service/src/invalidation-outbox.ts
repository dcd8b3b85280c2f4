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
 *   with a `service_runs` table): correct, but every crash meant a cold cache (the fault
 *   scenario's p99 after a restart was 1.6x the pre-crash one), and so did starting a second
 *   process beside a running one, since a live run cannot be told from a crashed one.
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
 * holds the entries. So such a row stays, and this process retries it once the primary has
 * proved reachable again (the manager's `'recovered'` event, or a later invalidation proved on
 * the primary); a kill before that leaves it to the next start. The manager does not say where
 * an operation went, so the proof is conservative: the primary available before and after, no
 * outage open (`'fallback'` … `'recovered'`), no manager event during the call, no error counted
 * by the primary (backends answer 0 rather than reject when the store fails). A row kept for
 * nothing costs one more idempotent delete. The one case this cannot see: without a fallback the
 * manager opens an outage without an event, so an invalidation sent while it replays its journal
 * (the primary is back) may go to its null backend and still look proved; the window is that
 * replay, and the cure belongs in core (the manager saying whether it owes the primary a replay).
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
  /** `false`: not provably applied on the primary, so the rows stay (retried later, or by the next start). */
  delivered: boolean;
}

/** What `deliver` compares after the invalidation; `undefined` when nothing could be proved from the start. */
type Probe = { events: number; errors: number } | undefined;

export class InvalidationOutbox {
  readonly #db: ListingsDatabase;
  readonly #warn: (message: string) => void;
  #cache: CacheManager | undefined;
  /** Counts the manager's events: an invalidation during which one fired proves nothing. */
  #events = 0;
  /** Between the manager's `'fallback'` and `'recovered'`: invalidations go to the fallback and its journal. */
  #outage = false;
  /** This process's rows not proved on the primary, retried when it is proved reachable. */
  readonly #owed = new Map<number, readonly string[]>();
  #retrying = false;
  readonly #onFallback = (): void => {
    this.#events++;
    this.#outage = true;
  };
  readonly #onRecovered = (): void => {
    this.#events++;
    this.#outage = false;
    this.#retryOwed();
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
    for (const row of rows) this.#owed.set(row.id, row.patterns);
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
    const probe = cache === undefined ? undefined : this.#probe(cache);
    let result: T;
    try {
      result = await invalidate();
    } catch (error) {
      this.#owed.set(pending.id, pending.patterns);
      throw error;
    }
    if (cache !== undefined && this.#proved(cache, probe)) {
      this.#settle([pending.id]);
      // The primary just proved it takes deletes: a good moment for what is still owed.
      this.#retryOwed();
    } else {
      this.#owed.set(pending.id, pending.patterns);
    }
    return result;
  }

  /** Rows this process holds that are not proved on the primary yet (for tests and logs). */
  get owed(): number {
    return this.#owed.size;
  }

  /** The state before an invalidation, or `undefined` when the primary is not the one serving. */
  #probe(cache: CacheManager): Probe {
    if (this.#outage || !cache.primary.isAvailable()) return undefined;
    return { events: this.#events, errors: cache.primary.stats().errors };
  }

  /** Whether an invalidation that started at `probe` can only have been applied on the primary. */
  #proved(cache: CacheManager, probe: Probe): boolean {
    return (
      probe !== undefined &&
      !this.#outage &&
      this.#events === probe.events &&
      cache.primary.isAvailable() &&
      cache.primary.stats().errors === probe.errors
    );
  }

  /** Deletes the rows' patterns (deduplicated) through the manager; settles the rows if proved. Never rejects. */
  async #apply(
    cache: CacheManager,
    rows: readonly PendingInvalidation[],
  ): Promise<Omit<OutboxReplay, 'rows'>> {
    let patterns = new Set(rows.flatMap((row) => row.patterns));
    if (patterns.size > MAX_REPLAY_PATTERNS) patterns = new Set(ALL_DATABASE_ENTRIES);
    const probe = this.#probe(cache);
    let deleted = 0;
    try {
      for (const pattern of patterns) deleted += await cache.deletePattern(pattern);
    } catch (error) {
      this.#warn(`could not replay ${rows.length} owed cache invalidation(s): ${describe(error)}`);
      return { patterns: patterns.size, deleted, delivered: false };
    }
    const delivered = this.#proved(cache, probe);
    if (delivered) this.#settle(rows.map((row) => row.id));
    return { patterns: patterns.size, deleted, delivered };
  }

  /** One retry of everything owed at a time; what arrives meanwhile waits for the next occasion. */
  #retryOwed(): void {
    const cache = this.#cache;
    if (this.#retrying || cache === undefined || this.#owed.size === 0) return;
    this.#retrying = true;
    const rows = [...this.#owed].map(([id, patterns]) => ({ id, patterns }));
    void this.#apply(cache, rows).finally(() => {
      this.#retrying = false;
    });
  }

  #settle(ids: readonly number[]): void {
    for (const id of ids) this.#owed.delete(id);
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
