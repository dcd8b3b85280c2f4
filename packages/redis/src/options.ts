import { CacheConfigError, parseOptionalTtl, type CacheLogger, type Ttl } from '@cache/core';
import type { Cluster, ClusterNode, ClusterOptions, Redis, RedisOptions } from 'ioredis';

/** Where the Sentinels are and which master they watch. Other Sentinel settings (`sentinelPassword`, `role`, TLS…) go in `redis`. */
export interface RedisSentinelOptions {
  /** The master group name, as in `sentinel monitor <name> …`. */
  name: string;
  /** At least one Sentinel; ioredis asks them for the current master. */
  sentinels: ReadonlyArray<{ host: string; port: number }>;
}

/** A Redis Cluster to connect to. */
export interface RedisClusterConnectionOptions {
  /** Startup nodes; any reachable master or replica will do, ioredis discovers the rest. */
  nodes: ClusterNode[];
  /** ioredis `ClusterOptions`. The backend's safety settings override the ones listed under {@link RedisBackendOptions.redis}. */
  options?: ClusterOptions | undefined;
}

/** When the backend stops sending commands to a failing server, and how it finds out the server is back. */
export interface RedisBreakerOptions {
  /** Consecutive failed or timed-out commands that open the breaker (`isAvailable()` turns false). Default 5. */
  failureThreshold?: number | undefined;
  /** While open, one probe (`PING`) is sent every `cooldownMs`; its success closes the breaker. Default 1000 ms. */
  cooldownMs?: number | undefined;
}

/**
 * Options of `new RedisBackend(...)`. Give at most one way to reach the server: `url`
 * (optionally with `redis` options), `redis` alone, `sentinel` (plus `redis` options),
 * `cluster`, or a ready-made `client`. With none of them the backend connects to
 * `redis://127.0.0.1:6379`.
 */
export interface RedisBackendOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` for TLS. */
  url?: string | undefined;
  /**
   * A caller-owned ioredis `Redis` or `Cluster`. The backend uses it as it is (its own options
   * stay the caller's business, so set `enableOfflineQueue: false` on it yourself for fail-fast
   * behaviour) and `disconnect()` leaves it open. It must not use ioredis' `keyPrefix`: use
   * {@link RedisBackendOptions.keyPrefix} instead, which is also applied to SCAN patterns.
   */
  client?: Redis | Cluster | undefined;
  /**
   * ioredis `RedisOptions` for the client the backend creates (with `url`, `sentinel`, or alone).
   * These settings are always overridden, because a cache must fail fast rather than queue:
   * `lazyConnect: true`, `enableOfflineQueue: false`, `autoResendUnfulfilledCommands: false`,
   * `maxRetriesPerRequest: 0`, `connectTimeout` (see below) and a bounded, jittered
   * `retryStrategy` (reconnects forever, at most every 2 s). `keyPrefix` is not allowed.
   */
  redis?: RedisOptions | undefined;
  /** Connect to a Redis Cluster. `deletePattern`/`clear` then scan every master. */
  cluster?: RedisClusterConnectionOptions | undefined;
  /** Connect through Redis Sentinel; ioredis follows failovers. */
  sentinel?: RedisSentinelOptions | undefined;
  /** Prepended to every key; `clear()` deletes only keys under it. Default `'cache:'`. */
  keyPrefix?: string | undefined;
  /** TTL for `set` calls that give none. Default: no expiry. */
  defaultTtl?: Ttl | undefined;
  /**
   * Upper bound in ms on every command (enforced by the backend's own timer, not only by
   * ioredis, whose Cluster ignores `commandTimeout` for queued commands). A command that
   * takes longer answers a miss / `false` / `0`. Default 500.
   */
  commandTimeout?: number | undefined;
  /** How long `connect()` may take before it rejects with `CacheBackendError`. Default 2000 ms. */
  connectTimeout?: number | undefined;
  /** Values whose serialized text is larger (UTF-8 bytes) are not sent: `set` answers `false`. Default 1 MiB. */
  maxEntryBytes?: number | undefined;
  /** `COUNT` hint of each `SCAN` step in `deletePattern`/`clear`. Default 1000. */
  scanCount?: number | undefined;
  /** Circuit breaker settings. */
  breaker?: RedisBreakerOptions | undefined;
  /**
   * How `getAndDelete` stays atomic: `'auto'` (default) uses `GETDEL` and switches to a Lua
   * script (`GET` + `DEL` in one `EVAL`) when the server is older than 6.2 or answers
   * "unknown command" (a proxy, or a renamed command); `'getdel'` and `'script'` force one.
   */
  getAndDeleteMode?: 'auto' | 'getdel' | 'script' | undefined;
  /**
   * Send the commands issued in one tick in one socket write (cork until `process.nextTick`),
   * which is what makes many concurrent operations cheap. Default `true`.
   */
  coalesceWrites?: boolean | undefined;
  /** Where failures and state changes are reported. Per-command failures are rate-limited. Default: `console`, warnings and errors only. */
  logger?: CacheLogger | undefined;
}

/** Options after defaults and validation. */
export interface ResolvedRedisBackendOptions {
  keyPrefix: string;
  defaultTtlMs: number | undefined;
  commandTimeout: number;
  connectTimeout: number;
  maxEntryBytes: number;
  scanCount: number;
  failureThreshold: number;
  cooldownMs: number;
  getAndDeleteMode: 'auto' | 'getdel' | 'script';
  coalesceWrites: boolean;
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new CacheConfigError(`redis ${name} option must be a positive integer (got ${String(value)})`);
  }
  return value;
}

/** Applies defaults and throws `CacheConfigError` naming the first bad option. */
export function resolveRedisBackendOptions(options: RedisBackendOptions): ResolvedRedisBackendOptions {
  if (typeof options !== 'object' || options === null) {
    throw new CacheConfigError('redis backend options must be an object');
  }
  const given = (['url', 'client', 'cluster', 'sentinel'] as const).filter(
    (name) => options[name] !== undefined,
  );
  if (given.length > 1) {
    throw new CacheConfigError(
      `redis options ${given.join(' and ')} exclude each other: give one way to reach the server`,
    );
  }
  if (options.redis !== undefined && (options.client !== undefined || options.cluster !== undefined)) {
    throw new CacheConfigError(
      options.client !== undefined
        ? 'redis option `redis` cannot be combined with `client`: configure the client you pass'
        : 'redis option `redis` cannot be combined with `cluster`: use cluster.options.redisOptions',
    );
  }
  if (options.url !== undefined && (typeof options.url !== 'string' || !/^rediss?:\/\//.test(options.url))) {
    throw new CacheConfigError(
      `redis url must start with redis:// or rediss:// (got ${JSON.stringify(options.url)})`,
    );
  }
  if (
    options.cluster !== undefined &&
    (!Array.isArray(options.cluster.nodes) || options.cluster.nodes.length === 0)
  ) {
    throw new CacheConfigError('redis cluster.nodes must list at least one startup node');
  }
  if (options.sentinel !== undefined) {
    const { name, sentinels } = options.sentinel;
    if (typeof name !== 'string' || name === '')
      throw new CacheConfigError('redis sentinel.name must be a non-empty string');
    if (!Array.isArray(sentinels) || sentinels.length === 0) {
      throw new CacheConfigError('redis sentinel.sentinels must list at least one sentinel');
    }
  }
  const foreignPrefix =
    options.client?.options.keyPrefix ?? options.redis?.keyPrefix ?? options.cluster?.options?.keyPrefix;
  if (foreignPrefix) {
    throw new CacheConfigError(
      `redis: the ioredis keyPrefix option (${JSON.stringify(foreignPrefix)}) is not supported, because ioredis does not apply it to SCAN; use the backend's keyPrefix option instead`,
    );
  }
  const keyPrefix = options.keyPrefix ?? 'cache:';
  if (typeof keyPrefix !== 'string') {
    throw new CacheConfigError(`redis keyPrefix option must be a string (got ${typeof keyPrefix})`);
  }
  const mode = options.getAndDeleteMode ?? 'auto';
  if (mode !== 'auto' && mode !== 'getdel' && mode !== 'script') {
    throw new CacheConfigError(
      `redis getAndDeleteMode option must be 'auto', 'getdel' or 'script' (got ${JSON.stringify(mode)})`,
    );
  }
  return {
    keyPrefix,
    defaultTtlMs: parseOptionalTtl(options.defaultTtl, 'redis defaultTtl'),
    commandTimeout: positiveInteger(options.commandTimeout, 500, 'commandTimeout'),
    connectTimeout: positiveInteger(options.connectTimeout, 2000, 'connectTimeout'),
    maxEntryBytes: positiveInteger(options.maxEntryBytes, 1024 * 1024, 'maxEntryBytes'),
    scanCount: positiveInteger(options.scanCount, 1000, 'scanCount'),
    failureThreshold: positiveInteger(options.breaker?.failureThreshold, 5, 'breaker.failureThreshold'),
    cooldownMs: positiveInteger(options.breaker?.cooldownMs, 1000, 'breaker.cooldownMs'),
    getAndDeleteMode: mode,
    coalesceWrites: options.coalesceWrites ?? true,
  };
}
