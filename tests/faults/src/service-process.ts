/** Starts, kills and restarts the example service as a child process, and reads its state. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { trackChild } from './processes.js';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const ENTRY = fileURLToPath(new URL('./service-entry.ts', import.meta.url));

export interface ProcessReport {
  pid: number;
  heapUsed: number;
  gcForced: boolean;
  unhandledRejections: number;
  uncaughtExceptions: number;
}

export interface CacheStatsReport {
  active: string;
  primary: string;
  fallback: string | null;
  usingFallback: boolean;
  stats: Record<string, number>;
}

export interface ServiceProcessOptions {
  /** Variables on top of the harness's own environment (cache backend, REDIS_URL, database…). */
  env: Record<string, string>;
  /** Port to listen on; 0 (default) picks a free one, which a `restart()` then reuses. */
  port?: number;
}

/** The example service in its own process (`node --expose-gc --import tsx`), on 127.0.0.1. */
export class ServiceProcess {
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #port: number;
  #log = '';
  /** Markers the service printed for unhandled rejections / uncaught exceptions, across restarts. */
  readonly markers: string[] = [];
  /** Counts reported by earlier incarnations (before a kill), added to the live process's. */
  #earlier = { unhandledRejections: 0, uncaughtExceptions: 0 };
  readonly #env: Record<string, string>;
  description = '';

  constructor(options: ServiceProcessOptions) {
    this.#env = options.env;
    this.#port = options.port ?? 0;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }
  get pid(): number {
    return this.#child?.pid ?? 0;
  }
  output(): string {
    return this.#log;
  }

  async start(timeoutMs = 30_000): Promise<void> {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', ENTRY], {
      cwd: PACKAGE_DIR,
      env: { ...process.env, LOG_LEVEL: 'error', HOST: '127.0.0.1', ...this.#env, PORT: String(this.#port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    trackChild(child);
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`service did not start in ${timeoutMs} ms:\n${this.#log}`)),
        timeoutMs,
      );
      const onData = (chunk: Buffer): void => {
        const text = chunk.toString('utf8');
        this.#log = (this.#log + text).slice(-8000);
        for (const line of text.split('\n')) {
          if (line.startsWith('FAULTS_UNHANDLED_REJECTION') || line.startsWith('FAULTS_UNCAUGHT_EXCEPTION'))
            this.markers.push(line.slice(0, 500));
          const match = /^FAULTS_SERVICE_READY http:\/\/127\.0\.0\.1:(\d+) (.*)$/.exec(line);
          if (match !== null) {
            this.#port = Number(match[1]);
            this.description = match[2] ?? '';
            clearTimeout(timer);
            resolve();
          }
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`service exited during start-up (${code ?? signal}):\n${this.#log}`));
      });
    });
    await ready;
  }

  /** SIGKILL (a crash: no hook runs) and wait for the exit. The port is kept for `start()`. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (child?.pid === undefined) return;
    // What the dying process reported last is kept; markers arrive through stderr anyway.
    try {
      const report = await this.processReport(500);
      this.#earlier = {
        unhandledRejections: report.unhandledRejections,
        uncaughtExceptions: report.uncaughtExceptions,
      };
    } catch {
      // keep the earlier figures
    }
    process.kill(child.pid, 'SIGKILL');
    await this.#exited;
    this.#child = undefined;
  }

  /** SIGTERM (the service closes Fastify and the cache), SIGKILL after 5 s. Idempotent. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child?.pid === undefined) return;
    process.kill(child.pid, 'SIGTERM');
    const timer = setTimeout(() => child.pid !== undefined && process.kill(child.pid, 'SIGKILL'), 5000);
    await this.#exited;
    clearTimeout(timer);
    this.#child = undefined;
  }

  async processReport(timeoutMs = 5000): Promise<ProcessReport> {
    const report = (await getJson(`${this.url}/__faults/process`, timeoutMs)) as ProcessReport;
    return {
      ...report,
      unhandledRejections: report.unhandledRejections + this.#earlier.unhandledRejections,
      uncaughtExceptions: report.uncaughtExceptions + this.#earlier.uncaughtExceptions,
    };
  }

  async cacheStats(timeoutMs = 2000): Promise<CacheStatsReport> {
    return (await getJson(`${this.url}/cache/stats`, timeoutMs)) as CacheStatsReport;
  }
}

async function getJson(url: string, timeoutMs: number): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return response.json();
}
