import {
  assertCacheKey,
  CacheBackendError,
  compilePattern,
  createDefaultLogger,
  deserialize,
  escapeGlob,
  parseTtl,
  rateLimitLogger,
  serialize,
  StatsCounter,
  type CacheBackend,
  type CacheLogger,
  type CacheStats,
  type Ttl,
} from '@cache/core';
import type { Cluster, Redis } from 'ioredis';
import { CircuitBreaker, type BreakerState } from './circuit-breaker.js';
import { createConnection, type RedisConnection } from './connection.js';
import { CommandTimeoutError, DeadlineQueue } from './deadline.js';
import { GET_AND_DELETE_SCRIPT, isUnknownCommand } from './get-and-delete.js';
import {
  resolveRedisBackendOptions,
  type RedisBackendOptions,
  type ResolvedRedisBackendOptions,
} from './options.js';
import {
  scanAndDeleteCluster,
  scanAndDeleteStandalone,
  type ScanContext,
  type ScanDeleteResult,
} from './scan.js';
import { parseRedisVersion, supportsGetDel } from './server-version.js';
import { WriteCoalescer } from './write-coalescer.js';

/**
 * Probes in a row that got no answer at all before an owned client drops its connection and
 * reconnects: a connection whose peer vanished (a NAT or load balancer forgot it) would
 * otherwise stay silent until TCP gives up, which takes minutes.
 */
const SILENT_PROBES_BEFORE_RECONNECT = 5;

/** Server replies that mean "not available right now" rather than "your command was wrong". */
const TRANSIENT_REPLY = /^(LOADING|CLUSTERDOWN|MASTERDOWN|TRYAGAIN|READONLY|BUSY|OOM)\b/;

/** `stats()` of a Redis backend: the common figures plus the sets refused for size. */
export interface RedisBackendStats extends CacheStats {
  /** `set` calls refused because the value was over `maxEntryBytes` (nothing was sent). */
  oversized: number;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A `CacheBackend` on Redis (standalone, Sentinel or Cluster) through ioredis.
 *
 * Values are stored as core's `serialize` text at `keyPrefix + key` (plain JSON for JSON
 * values). Every command is bounded by `commandTimeout`; a circuit breaker stops sending
 * commands to a failing server and probes it until it answers again. Operations never reject
 * because Redis is down or slow: they answer a miss / `false` / `0` and count an error.
 */
export class RedisBackend implements CacheBackend {
  readonly name: string = 'redis';
  readonly #options: ResolvedRedisBackendOptions;
  readonly #connection: RedisConnection;
  /** The client's command surface; `Redis` and `Cluster` share it. */
  readonly #commands: Redis;
  readonly #prefix: string;
  readonly #stats = new StatsCounter();
  readonly #deadlines: DeadlineQueue;
  readonly #breaker: CircuitBreaker;
  readonly #coalescer: WriteCoalescer | undefined;
  readonly #logger: CacheLogger;
  /** Per-command failures: one line per kind of failure per 30 s, however many commands fail. */
  readonly #failureLogger: CacheLogger;
  /** Values whose text has at most this many UTF-16 units fit `maxEntryBytes` without counting bytes. */
  readonly #maxUncountedChars: number;
  /** True while operations must not reach the server: before `connect()`, after `disconnect()`, breaker not closed. */
  #refusing = true;
  #oversized = 0;
  #started = false;
  #closed = false;
  #useScript: boolean;
  #connecting: Promise<void> | undefined;
  #probeTimer: ReturnType<typeof setTimeout> | undefined;
  /** Last availability logged: `undefined` until the first connect, so start-up is not logged as a recovery. */
  #reportedAvailable: boolean | undefined;
  #silentProbes = 0;
  readonly #listeners: Array<[event: string, listener: (...args: unknown[]) => void]> = [];

  constructor(options: RedisBackendOptions = {}) {
    this.#options = resolveRedisBackendOptions(options);
    this.#connection = createConnection(options, this.#options);
    this.#commands = this.#connection.client as Redis;
    this.#prefix = this.#options.keyPrefix;
    this.#deadlines = new DeadlineQueue(this.#options.commandTimeout);
    this.#logger = options.logger ?? createDefaultLogger();
    this.#failureLogger = rateLimitLogger(this.#logger);
    this.#breaker = new CircuitBreaker({
      failureThreshold: this.#options.failureThreshold,
      cooldownMs: this.#options.cooldownMs,
      onStateChange: (state, reason) => this.#onBreakerChange(state, reason),
    });
    this.#coalescer = this.#options.coalesceWrites
      ? new WriteCoalescer(this.#connection.client, () => this.#deadlines.busy)
      : undefined;
    this.#maxUncountedChars = Math.floor(this.#options.maxEntryBytes / 3);
    this.#useScript = this.#options.getAndDeleteMode === 'script';
    if (this.#connection.owned) {
      // ioredis prints "Unhandled error event" for every 'error' nobody listens to, including
      // a ready check that fails while disconnect() closes the socket: an owned client always
      // has this listener. A caller's client gets one only between connect() and disconnect().
      this.#connection.client.on('error', this.#onClientError);
    }
  }

  /** The ioredis client in use (caller-supplied or created from the options). */
  get client(): Redis | Cluster {
    return this.#connection.client;
  }

  /** Circuit breaker state, for health checks. */
  get breakerState(): BreakerState {
    return this.#breaker.state;
  }

  // ---------------------------------------------------------------- operations

  get<T = unknown>(key: string): Promise<T | undefined> {
    try {
      assertCacheKey(key);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#refusing) return this.#refuseRead();
    this.#coalescer?.hold();
    return this.#deadlines.run(
      this.#commands.get(this.#prefix + key),
      this.#onReadReply,
      this.#onReadFailure,
    ) as Promise<T | undefined>;
  }

  set(key: string, value: unknown, ttl?: Ttl): Promise<boolean> {
    let text: string;
    let ttlMs: number | undefined;
    try {
      assertCacheKey(key);
      text = serialize(value);
      ttlMs = ttl === undefined ? this.#options.defaultTtlMs : parseTtl(ttl);
    } catch (error) {
      return Promise.reject(error);
    }
    if (
      text.length > this.#maxUncountedChars &&
      Buffer.byteLength(text, 'utf8') > this.#options.maxEntryBytes
    ) {
      return this.#refuseOversized(key, Buffer.byteLength(text, 'utf8'));
    }
    if (this.#refusing) return this.#refuseWrite();
    this.#coalescer?.hold();
    const fullKey = this.#prefix + key;
    const command =
      ttlMs === undefined
        ? this.#commands.set(fullKey, text)
        : this.#commands.set(fullKey, text, 'PX', ttlMs);
    return this.#deadlines.run(command, this.#onSetReply, this.#onSetFailure);
  }

  getAndDelete<T = unknown>(key: string): Promise<T | undefined> {
    try {
      assertCacheKey(key);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#refusing) return this.#refuseRead();
    return this.#getAndDelete(this.#prefix + key, true) as Promise<T | undefined>;
  }

  #getAndDelete(fullKey: string, mayRetry: boolean): Promise<unknown> {
    this.#coalescer?.hold();
    const useScript = this.#useScript;
    const command = useScript
      ? (this.#commands.eval(GET_AND_DELETE_SCRIPT, 1, fullKey) as Promise<string | null>)
      : this.#commands.getdel(fullKey);
    return this.#deadlines.run(command, this.#onTakeReply, (error) => {
      if (mayRetry && !useScript && this.#options.getAndDeleteMode === 'auto' && isUnknownCommand(error)) {
        this.#useScript = true;
        this.#logger.warn(
          `[redis] ${this.#connection.target} does not know GETDEL; getAndDelete uses a Lua script instead`,
        );
        return this.#getAndDelete(fullKey, false);
      }
      return this.#onReadFailure(error);
    });
  }

  delete(key: string): Promise<boolean> {
    try {
      assertCacheKey(key);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#refusing) return this.#refuseWrite();
    this.#coalescer?.hold();
    return this.#deadlines.run(
      this.#commands.unlink(this.#prefix + key),
      this.#onDeleteReply,
      this.#onWriteFailure,
    );
  }

  exists(key: string): Promise<boolean> {
    try {
      assertCacheKey(key);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#refusing) return this.#refuseWrite();
    this.#coalescer?.hold();
    return this.#deadlines.run(
      this.#commands.exists(this.#prefix + key),
      this.#onExistsReply,
      this.#onWriteFailure,
    );
  }

  async deletePattern(pattern: string): Promise<number> {
    const compiled = compilePattern(pattern);
    if (compiled.isLiteral) {
      // No wildcard: exactly one key can match, no need to scan the keyspace.
      if (compiled.literalPrefix === '') return 0;
      return (await this.delete(compiled.literalPrefix)) ? 1 : 0;
    }
    if (this.#refusing) return this.#refuseWrite().then(() => 0);
    return this.#deleteMatching(escapeGlob(this.#prefix) + pattern, 'deletePattern');
  }

  async clear(): Promise<void> {
    if (this.#refusing) {
      await this.#refuseWrite();
      return;
    }
    await this.#deleteMatching(escapeGlob(this.#prefix) + '*', 'clear');
  }

  async #deleteMatching(match: string, operation: string): Promise<number> {
    const context: ScanContext = {
      bound: (command) => this.#deadlines.bound(command),
      hold: () => this.#coalescer?.hold(),
      count: this.#options.scanCount,
    };
    const client = this.#connection.client;
    let result: ScanDeleteResult;
    try {
      result = client.isCluster
        ? await scanAndDeleteCluster(client as Cluster, match, context)
        : await scanAndDeleteStandalone(client as Redis, match, context);
    } catch (error) {
      result = { deleted: 0, error };
    }
    this.#stats.deletes += result.deleted;
    if (result.error !== undefined) {
      this.#onCommandFailure(operation, result.error);
      this.#failureLogger.warn(`[redis] ${operation} stopped early after deleting ${result.deleted} keys`);
    } else {
      this.#breaker.recordSuccess();
    }
    return result.deleted;
  }

  // ---------------------------------------------------------------- replies (bound once, so no closure per call)

  readonly #onReadReply = (text: string | null): unknown => {
    this.#breaker.recordSuccess();
    if (text === null) {
      this.#stats.misses++;
      return undefined;
    }
    const value = deserialize(text);
    if (value === undefined) return this.#onUnreadable();
    this.#stats.hits++;
    return value;
  };

  readonly #onTakeReply = (text: string | null): unknown => {
    const value = this.#onReadReply(text);
    if (value !== undefined) this.#stats.deletes++;
    return value;
  };

  readonly #onSetReply = (): boolean => {
    this.#breaker.recordSuccess();
    this.#stats.sets++;
    return true;
  };

  readonly #onDeleteReply = (count: number): boolean => {
    this.#breaker.recordSuccess();
    this.#stats.deletes += count;
    return count > 0;
  };

  readonly #onExistsReply = (count: number): boolean => {
    this.#breaker.recordSuccess();
    return count > 0;
  };

  readonly #onReadFailure = (error: unknown): undefined => {
    this.#onCommandFailure('read', error);
    this.#stats.misses++;
    return undefined;
  };

  readonly #onSetFailure = (error: unknown): boolean => {
    this.#onCommandFailure('set', error);
    return false;
  };

  readonly #onWriteFailure = (error: unknown): boolean => {
    this.#onCommandFailure('command', error);
    return false;
  };

  /** Bytes under one of our keys that `deserialize` does not accept: another writer's data, or damage. Never trusted. */
  #onUnreadable(): undefined {
    this.#stats.misses++;
    this.#failureLogger.warn(
      `[redis] a value under prefix ${JSON.stringify(this.#prefix)} is not in the cache format; answered a miss`,
    );
    return undefined;
  }

  #onCommandFailure(operation: string, error: unknown): void {
    this.#stats.errors++;
    // A reply error from a healthy server (WRONGTYPE…) says nothing about availability.
    const transient =
      !(error instanceof Error && error.name === 'ReplyError') || TRANSIENT_REPLY.test(error.message);
    // A hung connection answers nothing: waiting for `failureThreshold` timeouts would make the
    // callers already in flight pay the deadline again on their next command (a miss's write).
    if (error instanceof CommandTimeoutError && error.silent) this.#breaker.trip(error);
    else if (transient) this.#breaker.recordFailure(error);
    this.#failureLogger.warn(
      `[redis] ${operation} failed on ${this.#connection.target}: ${describeError(error)}`,
    );
  }

  #refuseRead(): Promise<undefined> {
    this.#stats.errors++;
    this.#stats.misses++;
    if (!this.#started) this.#warnNotConnected();
    return Promise.resolve(undefined);
  }

  #refuseWrite(): Promise<boolean> {
    this.#stats.errors++;
    if (!this.#started) this.#warnNotConnected();
    return Promise.resolve(false);
  }

  #warnNotConnected(): void {
    this.#failureLogger.warn(
      '[redis] operation before connect() (or after disconnect()): answered without Redis',
    );
  }

  #refuseOversized(key: string, bytes: number): Promise<boolean> {
    this.#oversized++;
    const message =
      `[redis] value for '${key.length > 80 ? `${key.slice(0, 80)}…` : key}' is ${bytes} bytes, over the ` +
      `${this.#options.maxEntryBytes}-byte entry limit: not cached (raise maxEntryBytes to cache it)`;
    if (this.#oversized === 1) {
      this.#logger.warn(`${message}; later ones are counted in stats().oversized and logged at debug level`);
    } else {
      this.#logger.debug?.(message);
    }
    // The caller meant to replace the value: a stale one left behind would be read back.
    // Awaited, so that once set() answers no reader anywhere gets the old value.
    if (this.#refusing) return Promise.resolve(false);
    this.#coalescer?.hold();
    return this.#deadlines.run(
      this.#commands.unlink(this.#prefix + key),
      this.#onOversizedDropped,
      this.#onWriteFailure,
    );
  }

  readonly #onOversizedDropped = (count: number): boolean => {
    this.#onDeleteReply(count);
    return false;
  };

  // ---------------------------------------------------------------- lifecycle

  /**
   * Connects and waits until the server answers. Rejects with `CacheBackendError` (within
   * `connectTimeout`) when it cannot; an owned client then keeps reconnecting in the background
   * and `isAvailable()` turns true once it succeeds, until `disconnect()`.
   */
  connect(): Promise<void> {
    this.#closed = false;
    this.#started = true;
    // From now on operations go to ioredis, which answers at once while it is not connected.
    this.#updateRefusing();
    this.#connecting ??= this.#connect().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #connect(): Promise<void> {
    this.#attachListeners();
    const client = this.#connection.client;
    if (client.status !== 'ready') {
      try {
        await this.#waitUntilReady(client);
      } catch (error) {
        // Not logged here (the caller gets the error), but a later recovery is reported.
        this.#reportedAvailable = false;
        throw error;
      }
    }
    await this.#detectGetDel();
    this.#reportAvailability();
  }

  #waitUntilReady(client: Redis | Cluster): Promise<void> {
    const { connectTimeout } = this.#options;
    return new Promise<void>((resolve, reject) => {
      let lastError: unknown;
      const cleanup = (): void => {
        clearTimeout(timer);
        client.off('ready', onReady);
        client.off('error', onError);
      };
      const fail = (cause: unknown): void => {
        cleanup();
        const reason = cause === undefined ? `no answer within ${connectTimeout} ms` : describeError(cause);
        reject(
          new CacheBackendError(
            `[cache] [redis] cannot connect to ${this.#connection.target} — is redis-server running? (set REDIS_URL) [${reason}]`,
            { cause },
          ),
        );
      };
      const onReady = (): void => {
        cleanup();
        resolve();
      };
      const onError = (error: unknown): void => {
        lastError = error;
      };
      const timer = setTimeout(() => fail(lastError), connectTimeout);
      client.on('ready', onReady);
      client.on('error', onError);
      if (client.status === 'wait' || client.status === 'end' || client.status === 'close') {
        // A refused connection rejects here at once; the timer above would only add waiting.
        client.connect().catch((error: unknown) => fail(lastError ?? error));
      }
    });
  }

  /** In `'auto'` mode: GETDEL unless a master runs a Redis older than 6.2. Best effort; an "unknown command" reply also switches. */
  async #detectGetDel(): Promise<void> {
    if (this.#options.getAndDeleteMode !== 'auto' || this.#useScript) return;
    const client = this.#connection.client;
    const servers: Redis[] = client.isCluster ? (client as Cluster).nodes('master') : [client as Redis];
    try {
      const replies = await Promise.all(
        servers.map((server) => this.#deadlines.bound(server.info('server'))),
      );
      for (const info of replies) {
        const version = parseRedisVersion(info);
        if (version !== undefined && !supportsGetDel(version)) {
          this.#useScript = true;
          this.#logger.warn(
            `[redis] ${this.#connection.target} runs Redis ${version.join('.')} (< 6.2): getAndDelete uses a Lua script`,
          );
          return;
        }
      }
    } catch {
      // INFO may be renamed or slow; GETDEL is tried and an "unknown command" reply switches later.
    }
  }

  /** Closes an owned client (a caller's client stays open). Idempotent. */
  async disconnect(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#started = false;
    this.#updateRefusing();
    this.#stopProbing();
    this.#detachListeners();
    this.#reportedAvailable = undefined;
    if (!this.#connection.owned) return;
    const client = this.#connection.client;
    if (client.status === 'ready') {
      try {
        await this.#deadlines.bound(client.quit());
      } catch {
        // The connection is dropped below anyway.
      }
    }
    client.disconnect();
  }

  isAvailable(): boolean {
    return !this.#refusing && this.#connection.client.status === 'ready';
  }

  stats(): RedisBackendStats {
    return Object.assign(this.#stats.snapshot(), { oversized: this.#oversized });
  }

  // ---------------------------------------------------------------- health

  #updateRefusing(): void {
    this.#refusing = this.#closed || !this.#started || !this.#breaker.closed;
  }

  #attachListeners(): void {
    if (this.#listeners.length > 0) return;
    const client = this.#connection.client;
    const on = (event: string, listener: (...args: unknown[]) => void): void => {
      client.on(event, listener);
      this.#listeners.push([event, listener]);
    };
    on('ready', () => {
      // A fresh connection answered the handshake: whatever tripped the breaker is over.
      this.#silentProbes = 0;
      this.#breaker.recordSuccess();
      void this.#detectGetDel();
      this.#reportAvailability();
    });
    on('close', () => this.#reportAvailability('connection closed'));
    on('end', () => this.#reportAvailability('connection ended'));
    if (!this.#connection.owned) on('error', this.#onClientError);
  }

  readonly #onClientError = (error: unknown): void => {
    if (this.#closed || !this.#started) return;
    this.#failureLogger.warn(
      `[redis] connection error on ${this.#connection.target}: ${describeError(error)}`,
    );
  };

  #detachListeners(): void {
    const client = this.#connection.client;
    for (const [event, listener] of this.#listeners) client.off(event, listener);
    this.#listeners.length = 0;
  }

  #onBreakerChange(state: BreakerState, reason: unknown): void {
    this.#updateRefusing();
    if (state === 'open') {
      this.#scheduleProbe();
      this.#reportAvailability(reason === undefined ? 'probe failed' : describeError(reason));
    } else if (state === 'closed') {
      this.#stopProbing();
      this.#reportAvailability();
    }
  }

  /** Logs availability changes once per change, never per command. */
  #reportAvailability(reason?: string): void {
    if (!this.#started) return;
    const available = this.isAvailable();
    const previous = this.#reportedAvailable;
    if (available === previous) return;
    this.#reportedAvailable = available;
    if (available) {
      if (previous === false) this.#logger.warn(`[redis] ${this.#connection.target} is available again`);
    } else {
      this.#logger.warn(
        `[redis] ${this.#connection.target} is unavailable${reason ? ` (${reason})` : ''}: operations answer misses until it is back`,
      );
    }
  }

  #scheduleProbe(delayMs: number = this.#breaker.msUntilProbe): void {
    if (this.#probeTimer !== undefined || this.#closed) return;
    this.#probeTimer = setTimeout(
      () => {
        this.#probeTimer = undefined;
        void this.#probe();
      },
      Math.max(delayMs, 1),
    );
    this.#probeTimer.unref();
  }

  #stopProbing(): void {
    if (this.#probeTimer !== undefined) clearTimeout(this.#probeTimer);
    this.#probeTimer = undefined;
  }

  /** Half-open: one PING (to every master on a Cluster); its answer closes or re-opens the breaker. */
  async #probe(): Promise<void> {
    if (this.#closed) return;
    const client = this.#connection.client;
    // Not connected: ioredis is reconnecting, and its 'ready' event will close the breaker.
    if (client.status !== 'ready') {
      this.#scheduleProbe(this.#options.cooldownMs);
      return;
    }
    if (!this.#breaker.tryStartProbe()) {
      this.#scheduleProbe();
      return;
    }
    const servers: Redis[] = client.isCluster ? (client as Cluster).nodes('master') : [client as Redis];
    try {
      // A Cluster that knows no master right now (slots being refreshed) is not healthy yet.
      if (servers.length === 0) throw new Error('no master node known');
      this.#coalescer?.hold();
      await Promise.all(servers.map((server) => this.#deadlines.bound(server.ping())));
      this.#silentProbes = 0;
      this.#breaker.recordSuccess();
    } catch (error) {
      if (error instanceof CommandTimeoutError && ++this.#silentProbes >= SILENT_PROBES_BEFORE_RECONNECT) {
        this.#reconnectSilentConnection();
      }
      this.#breaker.recordFailure(error);
    }
  }

  /** An owned client whose connection answers nothing is dropped and reconnected; a caller's client is left alone. */
  #reconnectSilentConnection(): void {
    this.#silentProbes = 0;
    if (!this.#connection.owned) return;
    this.#failureLogger.warn(
      `[redis] ${this.#connection.target} answered none of ${SILENT_PROBES_BEFORE_RECONNECT} probes: reconnecting`,
    );
    this.#connection.client.disconnect(true);
  }
}
