/**
 * Load benchmark of `GET /properties`: requests/s and p99 latency with every request a cache
 * miss (a SQLite scan + count, then a cache write) against every request a hit, per backend.
 * The service runs in its own process; autocannon drives it over loopback for a fixed time.
 *
 * Standalone: `pnpm --filter @cache/example-property-service bench` (BENCH_SMOKE=1: 1 s phases).
 */
import autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedisServer, type RedisServer } from '../../../packages/redis/test/support/redis-server.js';
import { startServiceProcess, type ServiceProcess } from './service-process.js';

export interface LoadPhase {
  requestsPerSecond: number;
  /** Requests answered per second of the service process's own CPU time (NaN off Linux). */
  requestsPerCpuSecond: number;
  p99Ms: number;
  /** Share of answers with `x-cache: hit`. */
  hitRatio: number;
  requests: number;
}

export interface LoadResult {
  backend: string;
  /** The service's own description of its cache. */
  cache: string;
  uncached: LoadPhase;
  cached: LoadPhase;
}

export interface LoadOptions {
  smoke: boolean;
  /** Backends to run; default disk, memory, redis. */
  backends?: readonly string[];
}

const CITIES = ['Lyon', 'Paris', 'Marseille', 'Toulouse', 'Nice', 'Nantes', 'Strasbourg', 'Bordeaux'];
/** The cached phase cycles through these 64 pages (8 cities x 4 price floors x 2 pages), all warmed first. */
const WARM_PATHS = CITIES.flatMap((city) =>
  [0, 150_000, 250_000, 400_000].flatMap((minPrice) =>
    [1, 2].map((page) => `/properties?city=${city}&minPrice=${minPrice}&bedrooms=1&page=${page}&limit=20`),
  ),
);

export async function runLoadBenchmark(options: LoadOptions): Promise<LoadResult[]> {
  const seconds = options.smoke ? 1 : 8;
  const connections = 10;
  const backends = options.backends ?? ['disk', 'memory', 'redis'];
  const results: LoadResult[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'property-service-bench-'));
  let redis: RedisServer | undefined;
  const services: ServiceProcess[] = [];
  try {
    if (backends.includes('redis')) redis = await startRedisServer();
    // Started together (each one compiles and seeds for a few seconds), measured one at a time.
    const started = await Promise.allSettled(
      backends.map((backend) =>
        startServiceProcess(serviceEnv(backend, join(dir, backend), redis, options.smoke)),
      ),
    );
    for (const outcome of started) if (outcome.status === 'fulfilled') services.push(outcome.value);
    for (const outcome of started) if (outcome.status === 'rejected') throw outcome.reason;

    for (const [index, backend] of backends.entries()) {
      const service = services[index]!;
      if (!service.cache.startsWith(backend) || service.cache.includes('unavailable')) {
        throw new Error(`expected the ${backend} cache, the service says: ${service.cache}`);
      }
      // Uncached: every request has a price floor no other request used, so each one misses,
      // queries SQLite and writes its page to the backend: the cold path, end to end.
      let floor = 0;
      const unique = (): string =>
        `/properties?city=${CITIES[floor % CITIES.length]}&minPrice=${++floor}&bedrooms=1`;
      if (!options.smoke) await measure(service, [unique], 2, connections); // warm-up: JIT, SQLite pages
      const uncached = await measure(service, [unique], seconds, connections);

      for (const path of WARM_PATHS)
        await fetch(service.url + path).then((response) => response.arrayBuffer());
      const cachedPaths = WARM_PATHS.map((path) => () => path);
      if (!options.smoke) await measure(service, cachedPaths, 2, connections);
      const cached = await measure(service, cachedPaths, seconds, connections);
      results.push({ backend, cache: service.cache, uncached, cached });
    }
  } finally {
    await Promise.all(services.map((service) => service.stop()));
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

function serviceEnv(
  backend: string,
  dir: string,
  redis: RedisServer | undefined,
  smoke: boolean,
): Record<string, string> {
  const env: Record<string, string> = {
    CACHE_BACKEND: backend,
    CACHE_DISK_DIR: dir,
    DATABASE_FILE: ':memory:',
    LISTINGS: smoke ? '10000' : '20000',
  };
  if (backend === 'redis') env.REDIS_URL = redis!.url;
  return env;
}

async function measure(
  service: ServiceProcess,
  paths: (() => string)[],
  seconds: number,
  connections: number,
): Promise<LoadPhase> {
  let hits = 0;
  let answers = 0;
  const cpuBefore = service.cpuSeconds();
  const result = await autocannon({
    url: service.url,
    connections,
    duration: seconds,
    requests: paths.map((path) => ({
      setupRequest: (request: autocannon.Request) => ({ ...request, path: path() }),
      onResponse: (
        _status: number,
        _body: string,
        _context: object,
        headers: IncomingHttpHeaders | undefined,
      ) => {
        answers++;
        if (headers?.['x-cache'] === 'hit') hits++;
      },
    })),
  });
  const cpu = service.cpuSeconds() - cpuBefore;
  if (result.errors > 0 || result.non2xx > 0 || result.timeouts > 0) {
    throw new Error(
      `load run failed: ${result.errors} errors, ${result.non2xx} non-2xx, ${result.timeouts} timeouts`,
    );
  }
  return {
    requestsPerSecond: result.requests.average,
    requestsPerCpuSecond: cpu > 0 ? result.requests.total / cpu : Number.NaN,
    p99Ms: result.latency.p99,
    hitRatio: answers === 0 ? 0 : hits / answers,
    requests: result.requests.total,
  };
}

/** Markdown table of the results. */
export function formatLoadResults(results: LoadResult[]): string {
  const lines = [
    '| backend | uncached req/s | cached req/s | speed-up | uncached p99 | cached p99 | uncached req/CPU-s | cached req/CPU-s | CPU speed-up | cached hit ratio |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const { backend, uncached, cached } of results) {
    lines.push(
      `| ${backend} | ${uncached.requestsPerSecond.toFixed(0)} | ${cached.requestsPerSecond.toFixed(0)} | ` +
        `${(cached.requestsPerSecond / uncached.requestsPerSecond).toFixed(1)}x | ${uncached.p99Ms} ms | ${cached.p99Ms} ms | ` +
        `${uncached.requestsPerCpuSecond.toFixed(0)} | ${cached.requestsPerCpuSecond.toFixed(0)} | ` +
        `${(cached.requestsPerCpuSecond / uncached.requestsPerCpuSecond).toFixed(1)}x | ${(cached.hitRatio * 100).toFixed(1)}% |`,
    );
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await runLoadBenchmark({ smoke: process.env.BENCH_SMOKE === '1' });
  console.log(formatLoadResults(results));
}
