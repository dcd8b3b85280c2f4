import type { CacheBackend, CacheStats } from './backend.js';
import { createFromConfig } from './create-from-config.js';
import type { CacheConfig } from './config.js';
import { CacheBackendError, CacheConfigError, isCacheError } from './errors.js';
import { createDefaultLogger, isCacheLogger, rateLimitLogger, type CacheLogger } from './logger.js';
import { NullCacheBackend } from './null-backend.js';
import { OutageJournal, type JournalReplay } from './outage-journal.js';
import type { BackendRegistry } from './registry.js';
import { SingleFlight } from './single-flight.js';
import { parseTtl, type Ttl } from './ttl.js';

/** Options of `new CacheManager(...)`. */
export interface CacheManagerOptions {
  /** Where every operation goes while it is available. */
  primary: CacheBackend;
  /** Where operations go while the primary is unavailable. None: they miss / answer `false`. */
  fallback?: CacheBackend | undefined;
  /**
   * Where the manager's own warnings go (outage, recovery, a cache failure inside `getOrSet`).
   * A logger you pass is rate-limited per message (30 s) by the manager.
   * @default createDefaultLogger()
   */
  logger?: CacheLogger | undefined;
  /**
   * Most keys and patterns remembered during one outage (see the README, "outages"). Past it
   * the manager forgets them and clears the primary's whole namespace on recovery instead.
   * A non-negative integer.
   * @default 10_000
   */
  outageJournalLimit?: number | undefined;
  /**
   * After the primary came back but replaying the outage journal on it failed, how long the
   * manager keeps serving from the fallback before it tries again (lazily, on the next
   * operation after that). A non-negative number of milliseconds.
   * @default 1000
   */
  recoveryRetryMs?: number | undefined;
  /**
   * How long operations wait for a recovery (the replay of the outage journal on the primary)
   * before they go on to the fallback. Operations arriving while the replay runs wait for it so
   * the first reads after an outage already come from the primary; a replay on a primary that
   * is only half back (a Cluster whose failover is still under way) can take several command
   * timeouts, and this bounds what a request pays for it. The fallback stays correct meanwhile:
   * it holds the outage's writes, and what is written to it is replayed too. A non-negative
   * number of milliseconds.
   * @default 50
   */
  recoveryWaitMs?: number | undefined;
  /** Millisecond clock for `recoveryRetryMs`; for tests. @default Date.now */
  now?: (() => number) | undefined;
}

/** Options of `CacheManager.createFromConfig` and `initializeCache`. */
export interface CreateFromConfigOptions {
  /** Where backend types are looked up. @default defaultRegistry */
  registry?: BackendRegistry | undefined;
  /** Given to every backend created and to the manager. @default createDefaultLogger() */
  logger?: CacheLogger | undefined;
}

/** `stats()` of a manager: the active backend's figures plus how often it fell back. */
export interface CacheManagerStats extends CacheStats {
  fallbackActivations: number;
}

export type CacheManagerEvent = 'fallback' | 'recovered' | 'error';

/** What a `'fallback'` listener receives. */
export interface FallbackEventInfo {
  /** `'connect-failed'`: `connect()` of the primary rejected; `'unavailable'`: `isAvailable()` turned false. */
  reason: 'connect-failed' | 'unavailable';
  primary: string;
  fallback: string;
  error?: unknown;
}

/** What a `'recovered'` listener receives. */
export interface RecoveredEventInfo {
  primary: string;
  /** Milliseconds since the outage was noticed. */
  outageMs: number;
  /** The invalidations replayed on the primary before it served again. */
  replayed: JournalReplay;
}

/** What an `'error'` listener receives. */
export interface ErrorEventInfo {
  /** `'connect'`, `'disconnect'`, `'recover'`, `'clear-fallback'`, `'getOrSet'`. */
  operation: string;
  /** Name of the backend involved. */
  backend: string;
  error: unknown;
}

type Listener = (info: unknown) => void;
type Invalidation = 'key' | 'pattern' | 'clear';

interface Outage {
  since: number;
  /** No recovery attempt before this time (set after a failed replay). */
  retryAt: number;
}

const EVENTS: readonly CacheManagerEvent[] = ['fallback', 'recovered', 'error'];

/**
 * Replay rounds one recovery may run: each replays what operations wrote to the fallback during
 * the previous one (they do once `recoveryWaitMs` has passed). A primary that slow, under writes
 * that fast, is not back yet: the recovery gives up and retries after `recoveryRetryMs`.
 */
const MAX_REPLAY_ROUNDS = 5;

/**
 * A primary backend with a fallback; routes to the fallback while the primary is unavailable.
 *
 * Routing and the outage journal (the "no stale read after recovery" guarantee):
 *
 * - Each operation checks `primary.isAvailable()` (lazily: no timers). While the primary is
 *   available and nothing is owed to it (`#healthy`), the operation is a direct call on the
 *   primary: the hot path adds one field read.
 * - The first operation that finds the primary unavailable opens an outage: it counts a
 *   fallback activation, warns once, emits `'fallback'`, and from then on operations go to
 *   the fallback (to an internal NullCacheBackend when there is none, so nothing possibly
 *   stale is ever read from a half-working primary).
 * - During the outage every mutation (`set`, `delete`, `getAndDelete`, `deletePattern`,
 *   `clear`) records its key / pattern in the `OutageJournal` once the fallback has accepted
 *   the call (a call rejected for the caller's own mistake changed nothing). Writes sent to the
 *   primary just as it failed are recorded too: when, at settle time, the primary is
 *   unavailable or an outage began since the call was sent, the write may have been lost.
 * - The first operation that finds the primary available again starts one recovery, which
 *   operations wait for, up to `recoveryWaitMs` after it began (then they use the fallback
 *   until it ends): it lets fallback writes still in flight settle, replays the journal on the
 *   primary (deletes; a `clear` or an overflow clears its namespace), and checks that the
 *   replay really happened (operations answer `false`/`0` instead of rejecting when the store
 *   is down, so: the primary must still be available and its `errors` count must not have
 *   moved). Writes that reached the fallback meanwhile are replayed in a further round. Only
 *   then does it clear the fallback, so a later outage starts from an empty fallback instead
 *   of serving this outage's leftovers, and route back to the primary (`'recovered'`), in the
 *   same synchronous step as its last check that nothing more is owed. A failed replay, or
 *   one that writes outpace for `MAX_REPLAY_ROUNDS` rounds, keeps the journal, stays on the
 *   fallback and tries again after `recoveryRetryMs`.
 * - Values are never copied back from the fallback: deleting is always safe (the next read
 *   misses and refills), copying could resurrect a value another process replaced.
 *
 * The routing decision and the dispatch happen in the same synchronous step, so no operation
 * can slip onto the fallback after a recovery has taken stock of it.
 */
export class CacheManager implements CacheBackend {
  readonly name: string = 'manager';
  readonly primary: CacheBackend;
  readonly fallback: CacheBackend | undefined;

  /** Where operations go during an outage: the fallback, or a null backend when there is none. */
  readonly #degraded: CacheBackend;
  readonly #log: CacheLogger;
  readonly #now: () => number;
  readonly #journalLimit: number;
  readonly #retryMs: number;
  readonly #recoveryWaitMs: number;
  readonly #listeners: Record<CacheManagerEvent, Listener[]> = { fallback: [], recovered: [], error: [] };
  readonly #flight = new SingleFlight<string>();
  readonly #pendingFallbackWrites = new Set<Promise<unknown>>();

  /** Primary serving, no outage, no recovery running, nothing owed: the hot path's one check. */
  #healthy = true;
  #outage: Outage | undefined;
  #recovering = false;
  #recovery: Promise<void> | undefined;
  /** While a recovery runs: what operations wait on (its end, or `recoveryWaitMs`); `undefined` once that wait is over. */
  #recoveryWait: Promise<void> | undefined;
  /** An operation went to the fallback while the recovery ran, so the fallback must be cleared. */
  #fallbackUsedInRecovery = false;
  #journal: OutageJournal;
  /** Incremented when an outage opens, so a write that straddled it can tell. */
  #epoch = 0;
  #fallbackActivations = 0;
  #closing: Promise<void> | undefined;

  constructor(options: CacheManagerOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new CacheConfigError('CacheManager options must be an object with a `primary` backend');
    }
    const { primary, fallback } = options;
    if (!isBackend(primary)) {
      throw new CacheConfigError(
        'CacheManager: primary must be a CacheBackend (an object with get/set/isAvailable…)',
      );
    }
    if (fallback !== undefined && !isBackend(fallback)) {
      throw new CacheConfigError('CacheManager: fallback must be a CacheBackend or undefined');
    }
    if (fallback === primary) {
      throw new CacheConfigError('CacheManager: fallback must be a different backend object than primary');
    }
    const limit = options.outageJournalLimit ?? 10_000;
    if (!Number.isSafeInteger(limit) || limit < 0) {
      throw new CacheConfigError(
        `CacheManager: outageJournalLimit must be a non-negative integer (got ${String(limit)})`,
      );
    }
    const retryMs = options.recoveryRetryMs ?? 1000;
    if (typeof retryMs !== 'number' || !Number.isFinite(retryMs) || retryMs < 0) {
      throw new CacheConfigError(
        `CacheManager: recoveryRetryMs must be a non-negative number (got ${String(retryMs)})`,
      );
    }
    const recoveryWaitMs = options.recoveryWaitMs ?? 50;
    if (typeof recoveryWaitMs !== 'number' || !Number.isFinite(recoveryWaitMs) || recoveryWaitMs < 0) {
      throw new CacheConfigError(
        `CacheManager: recoveryWaitMs must be a non-negative number (got ${String(recoveryWaitMs)})`,
      );
    }
    if (options.logger !== undefined && !isCacheLogger(options.logger)) {
      throw new CacheConfigError('CacheManager: logger must have warn() and error() methods');
    }
    if (options.now !== undefined && typeof options.now !== 'function') {
      throw new CacheConfigError('CacheManager: now must be a function returning milliseconds');
    }
    this.primary = primary;
    this.fallback = fallback;
    this.#degraded = fallback ?? new NullCacheBackend();
    this.#now = options.now ?? Date.now;
    this.#log = neverThrowing(
      options.logger === undefined
        ? createDefaultLogger()
        : rateLimitLogger(options.logger, 30_000, this.#now),
    );
    this.#journalLimit = limit;
    this.#retryMs = retryMs;
    this.#recoveryWaitMs = recoveryWaitMs;
    this.#journal = new OutageJournal(limit);
  }

  /**
   * Builds a manager from a config (see the README for the rules): `enabled: false` → a
   * NullCacheBackend only; `serverless` or `'memory'` → memory, no fallback; any other type
   * (default `'disk'`) → it plus a fallback (default `'memory'`, `false`: none).
   */
  static createFromConfig(config: CacheConfig, options?: CreateFromConfigOptions): CacheManager {
    return createFromConfig(config, options, (managerOptions) => new CacheManager(managerOptions));
  }

  /** The primary if `primary.isAvailable()`, else the fallback (or the primary when there is none). */
  get backend(): CacheBackend {
    return this.fallback === undefined || this.primary.isAvailable() ? this.primary : this.fallback;
  }

  /** `true` while `backend` is the fallback. */
  get usingFallback(): boolean {
    return this.backend !== this.primary;
  }

  /**
   * The cached value of `key`, or the result of `factory()` (stored with `ttl` unless it is
   * `undefined`). Concurrent calls for one key that miss run `factory` once and share its
   * result or error; an error is never cached. A cache failure (store down, value not
   * storable) never fails the call: it is logged and the factory's result returned.
   * A bad key or TTL (the caller's mistake) rejects.
   */
  async getOrSet<T>(
    key: string,
    factory: () => Promise<T> | T,
    options?: { ttl?: Ttl | undefined },
  ): Promise<T> {
    const hit = await this.#getForGetOrSet<T>(key);
    if (hit !== undefined) return hit;
    return this.#flight.run(key, async () => {
      const ttl = options?.ttl;
      if (ttl !== undefined) parseTtl(ttl);
      // A caller whose first read missed just before another flight stored the value.
      const again = await this.#getForGetOrSet<T>(key);
      if (again !== undefined) return again;
      const value = await factory();
      if (value !== undefined) await this.#setForGetOrSet(key, value, ttl);
      return value;
    });
  }

  on(event: 'fallback', listener: (info: FallbackEventInfo) => void): this;
  on(event: 'recovered', listener: (info: RecoveredEventInfo) => void): this;
  on(event: 'error', listener: (info: ErrorEventInfo) => void): this;
  on(event: CacheManagerEvent, listener: (info: unknown) => void): this;
  /** Adds a listener. A listener that throws (or rejects) is logged and never affects the manager. */
  on(event: CacheManagerEvent, listener: (info: never) => void): this {
    this.#listenersOf(event).push(listener as Listener);
    return this;
  }

  /** Removes a listener added with `on`. */
  off(event: CacheManagerEvent, listener: (info: never) => void): this {
    const list = this.#listenersOf(event);
    const index = list.indexOf(listener as Listener);
    if (index !== -1) list.splice(index, 1);
    return this;
  }

  get<T = unknown>(key: string): Promise<T | undefined> {
    if (this.#healthy && this.primary.isAvailable()) return this.primary.get<T>(key);
    return this.#dispatch((backend) => backend.get<T>(key));
  }

  exists(key: string): Promise<boolean> {
    if (this.#healthy && this.primary.isAvailable()) return this.primary.exists(key);
    return this.#dispatch((backend) => backend.exists(key));
  }

  set(key: string, value: unknown, ttl?: Ttl): Promise<boolean> {
    return this.#mutate((backend) => backend.set(key, value, ttl), 'key', key);
  }

  getAndDelete<T = unknown>(key: string): Promise<T | undefined> {
    return this.#mutate((backend) => backend.getAndDelete<T>(key), 'key', key);
  }

  delete(key: string): Promise<boolean> {
    return this.#mutate((backend) => backend.delete(key), 'key', key);
  }

  deletePattern(pattern: string): Promise<number> {
    return this.#mutate((backend) => backend.deletePattern(pattern), 'pattern', pattern);
  }

  clear(): Promise<void> {
    return this.#mutate((backend) => backend.clear(), 'clear', '');
  }

  /**
   * Connects the primary and the fallback together (the fallback is needed the moment the
   * primary fails). If the primary cannot connect, routes to the fallback and resolves;
   * rejects only when there is no fallback. A fallback that cannot connect is reported
   * (`'error'`, a warning) but does not fail `connect()`.
   */
  async connect(): Promise<void> {
    this.#closing = undefined;
    const [primary, fallback] = await Promise.allSettled([this.primary.connect(), this.fallback?.connect()]);
    if (fallback.status === 'rejected' && this.fallback !== undefined) {
      this.#log.warn(`fallback backend '${this.fallback.name}' could not connect`, fallback.reason);
      this.#emit('error', { operation: 'connect', backend: this.fallback.name, error: fallback.reason });
    }
    if (primary.status === 'rejected') {
      if (this.fallback === undefined) throw primary.reason;
      this.#emit('error', { operation: 'connect', backend: this.primary.name, error: primary.reason });
      if (this.#outage === undefined) this.#openOutage('connect-failed', primary.reason);
    }
  }

  /** Disconnects the primary and the fallback. Idempotent; failures are reported, never thrown. */
  disconnect(): Promise<void> {
    return (this.#closing ??= this.#close());
  }

  /** Whether the active `backend` can serve. */
  isAvailable(): boolean {
    return this.backend.isAvailable();
  }

  /** The active `backend`'s stats plus `fallbackActivations` (how many outages opened). */
  stats(): CacheManagerStats {
    return { ...this.backend.stats(), fallbackActivations: this.#fallbackActivations };
  }

  #dispatch<R>(operation: (backend: CacheBackend) => Promise<R>, mayRecover = true): Promise<R> {
    const target = this.#route(mayRecover);
    if (target instanceof Promise) return target.then(() => this.#dispatch(operation, false));
    return operation(target);
  }

  #mutate<R>(
    operation: (backend: CacheBackend) => Promise<R>,
    kind: Invalidation,
    name: string,
    mayRecover = true,
  ): Promise<R> {
    let target: CacheBackend | Promise<void> = this.primary;
    if (!(this.#healthy && this.primary.isAvailable())) {
      target = this.#route(mayRecover);
      if (target instanceof Promise) return target.then(() => this.#mutate(operation, kind, name, false));
    }
    if (target === this.primary) {
      const epoch = this.#epoch;
      return operation(target).then((result) => {
        // The primary failed around this write: it may be lost, so it is owed on recovery.
        if (epoch !== this.#epoch || !this.primary.isAvailable()) {
          if (this.#outage === undefined && !this.primary.isAvailable()) this.#openOutage('unavailable');
          this.#record(kind, name);
        }
        return result;
      });
    }
    const pending = operation(target).then((result) => {
      this.#record(kind, name);
      return result;
    });
    this.#pendingFallbackWrites.add(pending);
    const forget = (): void => void this.#pendingFallbackWrites.delete(pending);
    pending.then(forget, forget);
    return pending;
  }

  /**
   * Where an operation goes when the hot-path check failed, or a promise to wait on (a
   * recovery) before asking again. May open an outage or start a recovery; an operation that
   * already waited for one recovery never starts another (so a failing replay with a short
   * `recoveryRetryMs` cannot hold one call in a loop).
   */
  #route(mayRecover: boolean): CacheBackend | Promise<void> {
    if (this.#recovering) {
      if (this.#recoveryWait !== undefined) return this.#recoveryWait;
      this.#fallbackUsedInRecovery = true;
      return this.#degraded;
    }
    if (this.#closing !== undefined) return this.primary;
    if (this.primary.isAvailable()) {
      if (this.#outage === undefined && this.#journal.isEmpty) {
        this.#healthy = true;
        return this.primary;
      }
      if (mayRecover && (this.#outage === undefined || this.#now() >= this.#outage.retryAt)) {
        return this.#startRecovery();
      }
      return this.#degraded;
    }
    if (this.#outage === undefined) this.#openOutage('unavailable');
    return this.#degraded;
  }

  #openOutage(reason: FallbackEventInfo['reason'], error?: unknown): void {
    this.#outage = { since: this.#now(), retryAt: 0 };
    this.#epoch++;
    this.#healthy = false;
    const primary = this.primary.name;
    if (this.fallback === undefined) {
      this.#log.warn(
        `primary backend '${primary}' is unavailable and there is no fallback: caching is off until it recovers`,
      );
      return;
    }
    this.#fallbackActivations++;
    const fallback = this.fallback.name;
    this.#log.warn(
      reason === 'connect-failed'
        ? `primary backend '${primary}' could not connect: serving from fallback '${fallback}' until it recovers`
        : `primary backend '${primary}' is unavailable: serving from fallback '${fallback}' until it recovers`,
      ...(error === undefined ? [] : [error]),
    );
    this.#emit('fallback', { reason, primary, fallback, ...(error === undefined ? {} : { error }) });
  }

  #record(kind: Invalidation, name: string): void {
    if (kind === 'key') this.#journal.recordKey(name);
    else if (kind === 'pattern') this.#journal.recordPattern(name);
    else this.#journal.recordClear();
    this.#healthy = false;
  }

  /** Starts a recovery and answers what the operation that started it waits on. */
  #startRecovery(): Promise<void> {
    this.#healthy = false;
    this.#recovering = true;
    this.#fallbackUsedInRecovery = false;
    this.#recoveryWait = undefined;
    const recovery = this.#recover();
    this.#recovery = recovery;
    // A recovery with nothing to wait for ends in this synchronous step.
    if (!this.#recovering) return recovery;
    const wait = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.#recoveryWaitMs);
      // A process may exit while a replay hangs on a dead primary: this wait must not hold it.
      timer.unref?.();
      void recovery.then(() => {
        clearTimeout(timer);
        resolve();
      });
    }).then(() => {
      if (this.#recoveryWait === wait) this.#recoveryWait = undefined;
    });
    this.#recoveryWait = wait;
    return wait;
  }

  /** Replays the journal on the primary, then clears the fallback and routes back. Never rejects. */
  async #recover(): Promise<void> {
    const replayed: JournalReplay = { keys: 0, patterns: 0, cleared: false };
    let failure: unknown;
    try {
      for (let round = 1; ; round++) {
        if (this.#pendingFallbackWrites.size > 0) await Promise.allSettled([...this.#pendingFallbackWrites]);
        if (!this.#journal.isEmpty) {
          if (round > MAX_REPLAY_ROUNDS) {
            failure = new CacheBackendError(
              `writes to the fallback kept arriving during ${MAX_REPLAY_ROUNDS} replays`,
            );
            break;
          }
          const journal = this.#journal;
          this.#journal = new OutageJournal(this.#journalLimit);
          failure = await this.#replay(journal, replayed);
          if (failure !== undefined) {
            journal.absorb(this.#journal);
            this.#journal = journal;
            break;
          }
          continue;
        }
        // Operations may also have used it during this recovery (past `recoveryWaitMs`) when no
        // outage was open (the recovery replays a write that straddled a failure).
        if (this.fallback !== undefined && (this.#outage !== undefined || this.#fallbackUsedInRecovery)) {
          try {
            await this.fallback.clear();
          } catch (error) {
            this.#log.warn(
              `fallback backend '${this.fallback.name}' could not be cleared after the outage`,
              error,
            );
            this.#emit('error', { operation: 'clear-fallback', backend: this.fallback.name, error });
          }
        }
        // Checked and acted on in one synchronous step: an operation routed after this goes to the primary.
        if (this.#pendingFallbackWrites.size === 0 && this.#journal.isEmpty) break;
      }
    } catch (error) {
      failure = error ?? new CacheBackendError('the recovery failed');
    }
    this.#recovering = false;
    this.#recoveryWait = undefined;
    if (failure !== undefined) {
      if (this.#outage === undefined) this.#openOutage('unavailable');
      (this.#outage as Outage).retryAt = this.#now() + this.#retryMs;
      this.#log.warn(
        `primary backend '${this.primary.name}' is back but replaying the outage journal failed: staying on the fallback, retrying in ${this.#retryMs} ms`,
        failure,
      );
      this.#emit('error', { operation: 'recover', backend: this.primary.name, error: failure });
      return;
    }
    const outage = this.#outage;
    this.#outage = undefined;
    this.#healthy = this.#journal.isEmpty;
    if (outage === undefined) return;
    const outageMs = this.#now() - outage.since;
    this.#log.warn(
      `primary backend '${this.primary.name}' recovered after ${outageMs} ms: serving from it again`,
    );
    this.#emit('recovered', { primary: this.primary.name, outageMs, replayed });
  }

  /** One replay; answers the failure, or `undefined` when the primary provably applied it all. */
  async #replay(journal: OutageJournal, total: JournalReplay): Promise<unknown> {
    const errorsBefore = this.primary.stats().errors;
    try {
      const done = await journal.replay(this.primary);
      if (!this.primary.isAvailable())
        return new CacheBackendError('the primary became unavailable during the replay');
      const errors = this.primary.stats().errors - errorsBefore;
      if (errors !== 0)
        return new CacheBackendError(`the primary counted ${errors} error(s) during the replay`);
      total.keys += done.keys;
      total.patterns += done.patterns;
      total.cleared ||= done.cleared;
      return undefined;
    } catch (error) {
      return error ?? new CacheBackendError('the replay failed');
    }
  }

  async #close(): Promise<void> {
    if (this.#recovery !== undefined) await this.#recovery;
    const backends = this.fallback === undefined ? [this.primary] : [this.primary, this.fallback];
    const results = await Promise.allSettled(backends.map((backend) => backend.disconnect()));
    results.forEach((result, index) => {
      if (result.status === 'fulfilled') return;
      const name = (backends[index] as CacheBackend).name;
      this.#log.warn(`backend '${name}' did not disconnect cleanly`, result.reason);
      this.#emit('error', { operation: 'disconnect', backend: name, error: result.reason });
    });
  }

  #getForGetOrSet<T>(key: string): Promise<T | undefined> {
    return this.get<T>(key).catch((error: unknown) => {
      if (isCacheError(error, 'E_CACHE_KEY')) throw error;
      this.#cacheFailure('getOrSet could not read the cache (the factory runs instead)', key, error);
      return undefined;
    });
  }

  async #setForGetOrSet(key: string, value: unknown, ttl: Ttl | undefined): Promise<void> {
    try {
      await this.set(key, value, ttl);
    } catch (error) {
      this.#cacheFailure(
        isCacheError(error, 'E_CACHE_VALUE')
          ? 'getOrSet could not store the factory result: the value is not cacheable (it is still returned)'
          : 'getOrSet could not store the factory result (it is still returned)',
        key,
        error,
      );
    }
  }

  #cacheFailure(message: string, key: string, error: unknown): void {
    this.#log.warn(message, { key, error });
    this.#emit('error', { operation: 'getOrSet', backend: this.backend.name, error });
  }

  #listenersOf(event: CacheManagerEvent): Listener[] {
    if (!EVENTS.includes(event)) {
      throw new CacheConfigError(
        `unknown CacheManager event ${JSON.stringify(event)}: use 'fallback', 'recovered' or 'error'`,
      );
    }
    return this.#listeners[event];
  }

  #emit(event: CacheManagerEvent, info: FallbackEventInfo | RecoveredEventInfo | ErrorEventInfo): void {
    for (const listener of [...this.#listeners[event]]) {
      try {
        const result: unknown = listener(info);
        if (isThenable(result))
          result.then(undefined, (error: unknown) => this.#listenerFailed(event, error));
      } catch (error) {
        this.#listenerFailed(event, error);
      }
    }
  }

  #listenerFailed(event: CacheManagerEvent, error: unknown): void {
    this.#log.error(`a CacheManager '${event}' listener threw`, error);
  }
}

function isBackend(value: unknown): value is CacheBackend {
  if (typeof value !== 'object' || value === null) return false;
  const backend = value as Record<string, unknown>;
  return ['get', 'set', 'delete', 'deletePattern', 'isAvailable', 'stats', 'connect', 'disconnect'].every(
    (method) => typeof backend[method] === 'function',
  );
}

/** The manager's log calls must not become its failures: a throwing logger is ignored. */
function neverThrowing(logger: CacheLogger): CacheLogger {
  return {
    warn: (message, ...meta) => {
      try {
        logger.warn(message, ...meta);
      } catch {
        // Nothing sensible to do: the logger is the reporting channel.
      }
    },
    error: (message, ...meta) => {
      try {
        logger.error(message, ...meta);
      } catch {
        // As above.
      }
    },
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}
