/**
 * `connect()` of a DiskBackend on a folder that holds many entries, and the index build that
 * follows, measured in a fresh Node process (`startInFreshProcess`), as an app starting up
 * meets it. In the benchmark's own process the garbage that the throughput rounds before it
 * left behind (five subjects, 10k entries each) was collected in the middle of the window,
 * 8-15 ms pauses that say nothing about the build.
 *
 * Run as a script (`node --import tsx disk-startup.ts <dir> <entries>`) it prints the figures
 * as JSON.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
import { DiskBackend } from '@cache/disk';

const VALUE = 'v'.repeat(1000);
const keyOf = (i: number): string => `bench:listing:${i}`;

export interface Delay {
  maxMs: number;
  p99Ms: number;
}

export function delayOf(histogram: ReturnType<typeof monitorEventLoopDelay>): Delay {
  return { maxMs: histogram.max / 1e6, p99Ms: histogram.percentile(99) / 1e6 };
}

export interface StartFigures {
  /** Longest garbage-collection pause while the index was built. */
  gcMaxMs: number;
  connectMs: number;
  firstGetMs: number;
  indexMs: number;
  /** CPU time of the process from `new DiskBackend` to `indexed()`. */
  indexCpuMs: number;
  delay: Delay;
  entries: number;
}

async function startWithEntries(dir: string, n: number): Promise<StartFigures> {
  let gcMaxMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMaxMs = Math.max(gcMaxMs, entry.duration);
  });
  gc.observe({ entryTypes: ['gc'] });
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const cpu = process.cpuUsage();
  const start = performance.now();
  const backend = new DiskBackend({ dir, maxBytes: 2 ** 31 });
  await backend.connect();
  const connectMs = performance.now() - start;
  if ((await backend.get(keyOf(Math.floor(n / 2)))) !== VALUE) throw new Error('first get missed');
  const firstGetMs = performance.now() - start;
  await backend.indexed();
  const indexMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  histogram.disable();
  for (const entry of gc.takeRecords()) gcMaxMs = Math.max(gcMaxMs, entry.duration);
  gc.disconnect();
  const entries = backend.stats().entries;
  await backend.disconnect();
  return {
    gcMaxMs,
    connectMs,
    firstGetMs,
    indexMs,
    indexCpuMs: (used.user + used.system) / 1000,
    delay: delayOf(histogram),
    entries,
  };
}

/** `startWithEntries` in a child process of its own (a fresh heap): resolves with its figures. */
export function startInFreshProcess(dir: string, n: number): Promise<StartFigures> {
  const script = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', script, dir, String(n)],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
      (error, stdout) => {
        if (error) reject(error);
        else resolve(JSON.parse(stdout) as StartFigures);
      },
    );
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dir, n] = process.argv.slice(2);
  process.stdout.write(JSON.stringify(await startWithEntries(dir as string, Number(n))));
}
