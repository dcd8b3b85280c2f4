/**
 * The measuring loop every benchmark shares. Figures are operations per second over a fixed
 * wall-clock window after a warm-up, with `concurrency` operations kept in flight.
 */
export interface BenchRow {
  /** Table section, e.g. 'memory' or 'core'. */
  group: string;
  /** What was measured, e.g. 'get hit (clone)'. */
  operation: string;
  /** Our figure (ops/s unless `unit` says otherwise). */
  ours: number;
  /** The raw library's or peer's figure from the same run. */
  baseline: number;
  /** Who the baseline is, e.g. 'lru-cache + JSON'. */
  baselineName: string;
  /** Default 'ops/s'. When a lower figure is better (ms, bytes), set `lowerIsBetter`. */
  unit?: string;
  lowerIsBetter?: boolean;
  /** Target as text, e.g. '>= 75% of baseline'. */
  target?: string;
  /**
   * The ratio to print when it is not `ours / baseline`: with interleaved rounds, the median of
   * each round's own ratio, so load that comes and goes between rounds cancels out.
   */
  ratio?: number;
}

export interface BenchOptions {
  /** CI smoke mode: tiny data and windows, only proves the benchmark still runs. */
  smoke: boolean;
}

/** A benchmark module's default export. */
export type Benchmark = (options: BenchOptions) => Promise<BenchRow[]>;

export const isSmoke = (): boolean => process.env.BENCH_SMOKE === '1';

/** Window length per measurement: long enough for a stable figure, short in smoke mode. */
export function windowMs(smoke: boolean, full = 1500): number {
  return smoke ? 50 : full;
}

/** Measures a synchronous operation: ops/s over `durationMs`. `op(i)` gets a running counter. */
export function measureSync(op: (i: number) => unknown, durationMs: number): number {
  const warmEnd = performance.now() + Math.min(200, durationMs / 4);
  let i = 0;
  while (performance.now() < warmEnd) for (let j = 0; j < 100; j++) op(i++);
  let count = 0;
  const start = performance.now();
  let now = start;
  const end = start + durationMs;
  while (now < end) {
    for (let j = 0; j < 100; j++) op(i++);
    count += 100;
    now = performance.now();
  }
  return (count * 1000) / (now - start);
}

/** What `measureAsyncWithCpu` reports. */
export interface AsyncMeasurement {
  /** Operations per wall-clock second. */
  opsPerSecond: number;
  /** This process's CPU time (user + system) per operation, in microseconds. */
  cpuMicrosPerOp: number;
}

/**
 * Measures an async operation with `concurrency` calls in flight over `durationMs` of wall
 * clock, after a short warm-up: ops/s, and this process's CPU time per op (on a shared machine
 * the CPU figure is the steadier of the two).
 */
export async function measureAsyncWithCpu(
  op: (i: number) => Promise<unknown>,
  durationMs: number,
  concurrency = 1,
): Promise<AsyncMeasurement> {
  let i = 0;
  const run = async (until: number): Promise<number> => {
    let count = 0;
    const worker = async (): Promise<void> => {
      while (performance.now() < until) {
        for (let j = 0; j < 20; j++) await op(i++);
        count += 20;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return count;
  };
  await run(performance.now() + Math.min(200, durationMs / 4));
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const count = await run(start + durationMs);
  const wall = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  return { opsPerSecond: (count * 1000) / wall, cpuMicrosPerOp: (cpu.user + cpu.system) / count };
}

/** Measures an async operation with `concurrency` calls in flight: ops/s over `durationMs`. */
export async function measureAsync(
  op: (i: number) => Promise<unknown>,
  durationMs: number,
  concurrency = 1,
): Promise<number> {
  return (await measureAsyncWithCpu(op, durationMs, concurrency)).opsPerSecond;
}

/** Latency percentiles (ms) of a sample list. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
