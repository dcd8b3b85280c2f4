/**
 * Real `redis-server` processes for tests and benchmarks: standalone servers, a 3-master
 * Cluster and a Sentinel group, each on free loopback ports with its own temp dir, stopped by
 * pid. Other packages import this file by relative path, so it depends on Node built-ins only.
 *
 * Every process started here is also killed when the Node process exits, so a failing test
 * (or a forgotten `stop()`) never leaves a server running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { respCommand, type RespValue } from './resp.js';

export { respCommand, RespError, type RespValue } from './resp.js';

export const REDIS_HOST = '127.0.0.1';

/** The binary: `$REDIS_SERVER_BIN`, else Debian's `/usr/bin/redis-server`, else `redis-server` on PATH. */
export function redisServerBinary(): string {
  return (
    process.env.REDIS_SERVER_BIN ??
    (existsSync('/usr/bin/redis-server') ? '/usr/bin/redis-server' : 'redis-server')
  );
}

function redisCliBinary(): string {
  return process.env.REDIS_CLI_BIN ?? (existsSync('/usr/bin/redis-cli') ? '/usr/bin/redis-cli' : 'redis-cli');
}

export interface RedisServerOptions {
  /** Port to listen on. Default: a free one (retried if another process grabs it first). */
  port?: number | undefined;
  /** Extra `redis.conf` lines, e.g. `['cluster-enabled yes']`. */
  config?: readonly string[] | undefined;
  /** Start as a Sentinel (`--sentinel`) rather than a data server. */
  sentinel?: boolean | undefined;
  /** Also require port + 10000 to be free (the Cluster bus). */
  clusterBus?: boolean | undefined;
  /** How long to wait for the first `PONG`. Default 10 s. */
  startTimeoutMs?: number | undefined;
}

export interface RedisServer {
  readonly host: string;
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** Pid of the current process (a new one after `restart()`); 0 when not running. */
  readonly pid: number;
  /** The server's temp dir (config, cluster state); removed by `stop()`. */
  readonly dir: string;
  readonly running: boolean;
  readonly paused: boolean;
  /** Graceful stop (SIGTERM, then SIGKILL after 2 s) and temp dir removal. Idempotent. */
  stop(): Promise<void>;
  /** SIGSTOP: the socket stays open but nothing is answered (a hung server). */
  pause(): void;
  /** SIGCONT after `pause()`. */
  resume(): void;
  /** SIGKILL and wait for the exit: a crashed server. The port and dir are kept for `restart()`. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and dir (stopping it first if it runs); waits until ready. */
  restart(): Promise<void>;
  /** Runs one command through a throw-away connection (test-side probing and seeding). */
  command(...args: string[]): Promise<RespValue>;
  /** Last lines the server printed (for failure messages). */
  output(): string;
}

const live = new Set<ChildProcess>();
const dirs = new Set<string>();
let exitHookInstalled = false;

/** Kills every server this process started (sync; also runs on process exit). */
export function killAllRedisServersSync(): void {
  for (const child of live) {
    try {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', killAllRedisServersSync);
}

function listenOnce(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(undefined));
    probe.listen({ host: REDIS_HOST, port, exclusive: true }, () => {
      const address = probe.address();
      const bound = typeof address === 'object' && address !== null ? address.port : undefined;
      probe.close(() => resolve(bound));
    });
  });
}

/** A loopback port that is free right now (and whose +10000 bus port is free, when asked). */
export async function findFreePort(clusterBus = false): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (!clusterBus) {
      const port = await listenOnce(0);
      if (port !== undefined) return port;
      continue;
    }
    // The kernel's ephemeral range often lies above 55535, where port + 10000 does not exist.
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    if ((await listenOnce(port)) !== undefined && (await listenOnce(port + 10_000)) !== undefined)
      return port;
  }
  throw new Error('no free loopback port found');
}

class ManagedRedisServer implements RedisServer {
  readonly host = REDIS_HOST;
  #port: number;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #paused = false;
  #stopped = false;
  #log = '';
  readonly dir: string;
  readonly #options: RedisServerOptions;

  constructor(port: number, options: RedisServerOptions) {
    this.#port = port;
    this.#options = options;
    this.dir = mkdtempSync(join(tmpdir(), 'cache-redis-test-'));
    dirs.add(this.dir);
  }

  get port(): number {
    return this.#port;
  }
  get url(): string {
    return `redis://${REDIS_HOST}:${this.#port}`;
  }
  get pid(): number {
    return this.#child?.pid ?? 0;
  }
  get running(): boolean {
    return this.#child !== undefined;
  }
  get paused(): boolean {
    return this.#paused;
  }

  output(): string {
    return this.#log;
  }

  /** Writes the config, spawns the process and waits for PONG; rejects (with the server's output) if it exits first. */
  async start(): Promise<void> {
    const configFile = join(this.dir, 'redis.conf');
    const lines = [
      `bind ${REDIS_HOST}`,
      `port ${this.#port}`,
      `dir ${this.dir}`,
      'daemonize no',
      'logfile ""',
      'protected-mode no',
      ...(this.#options.sentinel ? [] : ['save ""', 'appendonly no']),
      ...(this.#options.config ?? []),
    ];
    writeFileSync(configFile, lines.join('\n') + '\n');
    const args = this.#options.sentinel ? [configFile, '--sentinel'] : [configFile];
    const child = spawn(redisServerBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    installExitHook();
    live.add(child);
    this.#child = child;
    this.#paused = false;
    const keepTail = (chunk: Buffer): void => {
      this.#log = (this.#log + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout?.on('data', keepTail);
    child.stderr?.on('data', keepTail);
    let exitedEarly = false;
    this.#exited = new Promise((resolve) => {
      child.once('exit', () => {
        exitedEarly = true;
        live.delete(child);
        if (this.#child === child) this.#child = undefined;
        resolve();
      });
      child.once('error', (error) => {
        this.#log += `\nspawn error: ${error.message}`;
      });
    });

    const deadline = Date.now() + (this.#options.startTimeoutMs ?? 10_000);
    for (;;) {
      if (exitedEarly) {
        throw new Error(`redis-server on port ${this.#port} exited during start-up:\n${this.#log}`);
      }
      try {
        if ((await respCommand(this.#port, ['PING'], 500)) === 'PONG') return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await this.kill();
        throw new Error(
          `redis-server on port ${this.#port} did not answer PING within the start timeout:\n${this.#log}`,
        );
      }
      await sleep(20);
    }
  }

  pause(): void {
    if (this.#child?.pid === undefined) throw new Error('cannot pause: the server is not running');
    process.kill(this.#child.pid, 'SIGSTOP');
    this.#paused = true;
  }

  resume(): void {
    if (this.#child?.pid === undefined) throw new Error('cannot resume: the server is not running');
    process.kill(this.#child.pid, 'SIGCONT');
    this.#paused = false;
  }

  async kill(): Promise<void> {
    const child = this.#child;
    if (child?.pid === undefined) return;
    process.kill(child.pid, 'SIGKILL');
    this.#paused = false;
    await this.#exited;
  }

  async #terminate(): Promise<void> {
    const child = this.#child;
    if (child?.pid === undefined) return;
    // A stopped process keeps SIGTERM pending until it is continued.
    if (this.#paused) this.resume();
    process.kill(child.pid, 'SIGTERM');
    const timer = setTimeout(() => child.pid !== undefined && child.kill('SIGKILL'), 2000);
    await this.#exited;
    clearTimeout(timer);
  }

  async restart(): Promise<void> {
    if (this.#stopped) throw new Error('cannot restart a server after stop()');
    await this.#terminate();
    await this.start();
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await this.#terminate();
    rmSync(this.dir, { recursive: true, force: true });
    dirs.delete(this.dir);
  }

  command(...args: string[]): Promise<RespValue> {
    return respCommand(this.#port, args, 2000);
  }
}

/** Starts one `redis-server` on a free loopback port and waits until it answers PING. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  for (let attempt = 0; ; attempt++) {
    const port = options.port ?? (await findFreePort(options.clusterBus ?? false));
    const server = new ManagedRedisServer(port, options);
    try {
      await server.start();
      return server;
    } catch (error) {
      await server.stop();
      // Another process may have taken the port between the probe and the bind: try another.
      const portTaken = /address already in use/i.test(server.output());
      if (options.port !== undefined || !portTaken || attempt >= 5) throw error;
    }
  }
}

/** Starts several servers at once, stopping the ones that started if any fails. */
async function startMany(count: number, options: RedisServerOptions): Promise<RedisServer[]> {
  const results = await Promise.allSettled(Array.from({ length: count }, () => startRedisServer(options)));
  const servers = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure !== undefined) {
    await Promise.all(servers.map((s) => s.stop()));
    throw failure.reason;
  }
  return servers;
}

/** Runs `redis-cli` with `args`; resolves its output, rejects on a non-zero exit or after `timeoutMs`. */
export function runCli(args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(redisCliBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`redis-cli ${args.join(' ')} exited with ${code}:\n${output}`));
    });
  });
}

/** Polls `probe` until it answers true or `timeoutMs` passes. */
export async function waitFor(
  description: string,
  probe: () => Promise<boolean>,
  timeoutMs = 15_000,
  intervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await probe()) return;
    } catch {
      // keep polling
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    await sleep(intervalMs);
  }
}

function infoField(info: RespValue, field: string): string | undefined {
  if (typeof info !== 'string') return undefined;
  const match = new RegExp(`^${field}:(.*)$`, 'm').exec(info);
  return match?.[1]?.trim();
}

export interface RedisCluster {
  /** One server per master, in slot order. */
  readonly servers: readonly RedisServer[];
  /** Startup nodes for `new Cluster(nodes)`. */
  readonly nodes: ReadonlyArray<{ host: string; port: number }>;
  /** Waits until every node reports `cluster_state:ok` (e.g. after restarting a node). */
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts `masters` (default 3) `--cluster-enabled` servers, joins them with
 * `redis-cli --cluster create … --cluster-replicas 0` and waits for `cluster_state:ok` everywhere.
 */
export async function startRedisCluster(options: { masters?: number } = {}): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  const servers = await startMany(masters, {
    clusterBus: true,
    config: ['cluster-enabled yes', 'cluster-config-file nodes.conf', 'cluster-node-timeout 5000'],
  });
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((s) => s.stop()));
  };
  const waitUntilHealthy = (timeoutMs = 20_000): Promise<void> =>
    waitFor(
      'cluster_state:ok on every node',
      async () => {
        for (const server of servers) {
          const info = await server.command('CLUSTER', 'INFO');
          if (infoField(info, 'cluster_state') !== 'ok') return false;
          if (infoField(info, 'cluster_slots_ok') !== '16384') return false;
          if (infoField(info, 'cluster_known_nodes') !== String(masters)) return false;
        }
        return true;
      },
      timeoutMs,
    );
  try {
    await runCli(
      [
        '--cluster',
        'create',
        ...servers.map((s) => `${REDIS_HOST}:${s.port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      30_000,
    );
    await waitUntilHealthy();
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    servers,
    nodes: servers.map((s) => ({ host: REDIS_HOST, port: s.port })),
    waitUntilHealthy,
    stop,
  };
}

export interface RedisSentinelGroup {
  readonly masterName: string;
  /** The server that was master at start (a replica after `failover()`). */
  readonly master: RedisServer;
  /** The server that was replica at start (the master after `failover()`). */
  readonly replica: RedisServer;
  readonly sentinels: readonly RedisServer[];
  /** For `new Redis({ sentinels, name })`. */
  readonly sentinelNodes: ReadonlyArray<{ host: string; port: number }>;
  /** The port the sentinels currently name as master. */
  currentMasterPort(): Promise<number>;
  /** `SENTINEL FAILOVER`, then waits until the sentinels name the other server and it accepts writes; answers its port. */
  failover(timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

/** 1 master, 1 replica, 3 sentinels (quorum 2), fast failure detection for tests. */
export async function startRedisSentinelGroup(
  options: { masterName?: string } = {},
): Promise<RedisSentinelGroup> {
  const masterName = options.masterName ?? 'cache-test';
  const started: RedisServer[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(started.map((s) => s.stop()));
  };
  try {
    const master = await startRedisServer();
    started.push(master);
    const replica = await startRedisServer({ config: [`replicaof ${REDIS_HOST} ${master.port}`] });
    started.push(replica);
    await waitFor('the replica to sync', async () => {
      const info = await replica.command('INFO', 'replication');
      return infoField(info, 'master_link_status') === 'up';
    });
    const sentinels = await startMany(3, {
      sentinel: true,
      config: [
        `sentinel monitor ${masterName} ${REDIS_HOST} ${master.port} 2`,
        `sentinel down-after-milliseconds ${masterName} 1000`,
        `sentinel failover-timeout ${masterName} 5000`,
      ],
    });
    started.push(...sentinels);
    const currentMasterPort = async (): Promise<number> => {
      const reply = await (sentinels[0] as RedisServer).command(
        'SENTINEL',
        'get-master-addr-by-name',
        masterName,
      );
      if (!Array.isArray(reply) || reply.length !== 2)
        throw new Error(`unexpected sentinel reply ${String(reply)}`);
      return Number(reply[1]);
    };
    await waitFor('every sentinel to see the replica', async () => {
      for (const sentinel of sentinels) {
        const replicas = await sentinel.command('SENTINEL', 'replicas', masterName);
        if (!Array.isArray(replicas) || replicas.length === 0) return false;
      }
      return true;
    });
    const failover = async (timeoutMs = 20_000): Promise<number> => {
      const before = await currentMasterPort();
      const target = before === master.port ? replica : master;
      await waitFor(
        'SENTINEL FAILOVER to be accepted',
        async () =>
          (await (sentinels[0] as RedisServer).command('SENTINEL', 'FAILOVER', masterName)) === 'OK',
        timeoutMs,
        200,
      );
      await waitFor(
        `the sentinels to promote port ${target.port}`,
        async () => {
          for (const sentinel of sentinels) {
            const reply = await sentinel.command('SENTINEL', 'get-master-addr-by-name', masterName);
            if (!Array.isArray(reply) || Number(reply[1]) !== target.port) return false;
          }
          const role = await target.command('ROLE');
          return Array.isArray(role) && role[0] === 'master';
        },
        timeoutMs,
        100,
      );
      return target.port;
    };
    return {
      masterName,
      master,
      replica,
      sentinels,
      sentinelNodes: sentinels.map((s) => ({ host: REDIS_HOST, port: s.port })),
      currentMasterPort,
      failover,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
