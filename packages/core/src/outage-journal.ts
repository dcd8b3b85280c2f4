import type { CacheBackend } from './backend.js';

/** What a replay did, reported with the `'recovered'` event. */
export interface JournalReplay {
  /** Keys deleted on the primary (attempted; a key that was not there counts too). */
  keys: number;
  /** Patterns run through `deletePattern` on the primary. */
  patterns: number;
  /** `true` when the primary's whole namespace was cleared instead (a `clear()` during the outage, or an overflow). */
  cleared: boolean;
}

/** How many deletes a replay keeps in flight at once: enough to pipeline, few enough not to flood a store that just came back. */
const REPLAY_CONCURRENCY = 64;

/**
 * The invalidations the primary has not seen: every key and pattern written, deleted or
 * consumed while the primary was out of reach. Replaying it (deleting each on the primary)
 * before the primary serves a read again is what makes a recovered primary never answer with
 * a value that changed during the outage.
 *
 * It stores only names, never values: the fallback's values are not copied back, because
 * deleting is always safe (a later read misses and refills) while copying could resurrect a
 * value that another process replaced. It is bounded: past `limit` entries it forgets them
 * all and remembers "clear the whole namespace" instead, which is also what a `clear()`
 * during the outage records. Both are correct; clearing only costs hit rate.
 */
export class OutageJournal {
  readonly #limit: number;
  #keys = new Set<string>();
  #patterns = new Set<string>();
  #clearAll = false;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get isEmpty(): boolean {
    return !this.#clearAll && this.#keys.size === 0 && this.#patterns.size === 0;
  }

  /** Entries held (keys + patterns); 0 once it has collapsed to "clear everything". */
  get size(): number {
    return this.#keys.size + this.#patterns.size;
  }

  get clearsAll(): boolean {
    return this.#clearAll;
  }

  recordKey(key: string): void {
    if (this.#clearAll || this.#keys.has(key)) return;
    this.#keys.add(key);
    this.#checkLimit();
  }

  recordPattern(pattern: string): void {
    if (this.#clearAll || this.#patterns.has(pattern)) return;
    // '*' matches every key of the namespace: the same as a clear, and cheaper to replay.
    if (pattern === '*') return this.recordClear();
    this.#patterns.add(pattern);
    this.#checkLimit();
  }

  recordClear(): void {
    this.#clearAll = true;
    this.#keys = new Set();
    this.#patterns = new Set();
  }

  reset(): void {
    this.#clearAll = false;
    this.#keys = new Set();
    this.#patterns = new Set();
  }

  /** Folds `other` in (used when a replay failed and entries kept arriving meanwhile). */
  absorb(other: OutageJournal): void {
    if (other.#clearAll) return this.recordClear();
    for (const key of other.#keys) this.recordKey(key);
    for (const pattern of other.#patterns) this.recordPattern(pattern);
  }

  /**
   * Applies every recorded invalidation to `backend`. Rejects if any operation rejects; the
   * caller also checks that the backend stayed healthy (operations answer `false`/`0` rather
   * than reject when the store is down) and keeps the journal to try again if not.
   */
  async replay(backend: CacheBackend): Promise<JournalReplay> {
    if (this.#clearAll) {
      await backend.clear();
      return { keys: 0, patterns: 0, cleared: true };
    }
    const keys = [...this.#keys];
    for (let start = 0; start < keys.length; start += REPLAY_CONCURRENCY) {
      await Promise.all(keys.slice(start, start + REPLAY_CONCURRENCY).map((key) => backend.delete(key)));
    }
    for (const pattern of this.#patterns) await backend.deletePattern(pattern);
    return { keys: keys.length, patterns: this.#patterns.size, cleared: false };
  }

  #checkLimit(): void {
    if (this.#keys.size + this.#patterns.size > this.#limit) this.recordClear();
  }
}
