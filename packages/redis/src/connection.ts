import { Cluster, Redis, type ClusterNode, type RedisOptions } from 'ioredis';
import type { RedisBackendOptions, ResolvedRedisBackendOptions } from './options.js';

/** The ioredis client a backend talks through, and whether the backend may close it. */
export interface RedisConnection {
  readonly client: Redis | Cluster;
  /** False for a caller-supplied `client`: `disconnect()` then leaves it open. */
  readonly owned: boolean;
  /** Where it points, for messages (never contains a password). */
  readonly target: string;
}

/** Longest wait between reconnect attempts, before jitter. */
const MAX_RECONNECT_DELAY_MS = 2000;

/**
 * Exponential backoff from 50 ms, capped at 2 s, plus up to 100 ms of jitter so that many
 * processes do not reconnect in lockstep after an outage. It never gives up: a cache should
 * come back by itself when Redis does.
 */
export function reconnectDelay(attempt: number): number {
  const base = Math.min(MAX_RECONNECT_DELAY_MS, 50 * 2 ** Math.min(Math.max(attempt - 1, 0), 10));
  return base + Math.floor(Math.random() * 100);
}

/** Reconnect when a demoted master answers READONLY (after a failover); never re-send the failed command (`2`), it may have been a write whose caller gave up. */
function reconnectOnReadOnly(error: Error): boolean {
  return error.message.startsWith('READONLY');
}

function clampReconnectOnError(user: RedisOptions['reconnectOnError']): RedisOptions['reconnectOnError'] {
  if (typeof user !== 'function') return reconnectOnReadOnly;
  return (error) => {
    const decision = user(error);
    return decision === 2 ? 1 : decision;
  };
}

/** Settings a cache needs to fail fast; they override the caller's. */
function safetySettings(resolved: ResolvedRedisBackendOptions, user: RedisOptions | undefined): RedisOptions {
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    connectTimeout: resolved.connectTimeout,
    retryStrategy: reconnectDelay,
    reconnectOnError: clampReconnectOnError(user?.reconnectOnError),
  };
}

/**
 * Defaults the caller may override. No `socketTimeout`: ioredis arms a timer and a listener
 * for it on every command sent to an idle connection (measured: 15-30 % more client CPU per
 * operation one at a time); the backend instead reconnects when several probes in a row get
 * no answer (see `RedisBackend`).
 */
const softDefaults: RedisOptions = {
  keepAlive: 30_000,
};

function describeClusterNode(node: ClusterNode): string {
  return typeof node === 'object' ? `${node.host ?? '127.0.0.1'}:${node.port ?? 6379}` : String(node);
}

function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '6379'}`;
  } catch {
    return 'the configured url';
  }
}

/** Builds (or adopts) the ioredis client the options describe. Nothing connects yet. */
export function createConnection(
  options: RedisBackendOptions,
  resolved: ResolvedRedisBackendOptions,
): RedisConnection {
  if (options.client !== undefined) {
    const client = options.client;
    const target = client.isCluster
      ? 'the supplied cluster client'
      : `${(client as Redis).options.host ?? '127.0.0.1'}:${(client as Redis).options.port ?? 6379}`;
    return { client, owned: false, target };
  }
  if (options.cluster !== undefined) {
    const user = options.cluster.options ?? {};
    const safety = safetySettings(resolved, user.redisOptions);
    const client = new Cluster(options.cluster.nodes, {
      ...user,
      lazyConnect: true,
      enableOfflineQueue: false,
      clusterRetryStrategy: reconnectDelay,
      redisOptions: {
        ...softDefaults,
        ...user.redisOptions,
        connectTimeout: safety.connectTimeout,
        autoResendUnfulfilledCommands: false,
        maxRetriesPerRequest: 0,
        reconnectOnError: safety.reconnectOnError,
      },
    });
    const target = `cluster ${options.cluster.nodes.map(describeClusterNode).join(', ')}`;
    return { client, owned: true, target };
  }
  const user = options.redis ?? {};
  const settings: RedisOptions = { ...softDefaults, ...user, ...safetySettings(resolved, user) };
  if (options.sentinel !== undefined) {
    const { name, sentinels } = options.sentinel;
    const client = new Redis({
      // Subscribe to the sentinels' +switch-master and reconnect to a promoted replica at once,
      // instead of writing to the demoted master until the sentinels reconfigure it (~10 s).
      failoverDetector: true,
      ...settings,
      name,
      sentinels: sentinels.map((s) => ({ host: s.host, port: s.port })),
    });
    const via = sentinels.map((s) => `${s.host}:${s.port}`).join(', ');
    return { client, owned: true, target: `sentinel master '${name}' via ${via}` };
  }
  if (options.url !== undefined) {
    return { client: new Redis(options.url, settings), owned: true, target: describeUrl(options.url) };
  }
  const client = new Redis(settings);
  return { client, owned: true, target: `${settings.host ?? '127.0.0.1'}:${settings.port ?? 6379}` };
}
