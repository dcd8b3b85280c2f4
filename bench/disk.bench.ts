/**
 * @cache/disk against raw `fs` one-file-per-key, cacache and python-diskcache, all measured
 * in this one run on the same file system: 10k entries of 1 KB (a 1000-character string,
 * the same value for every subject), set and get-hit with 1 and 16 calls in flight; then,
 * with 100k entries present, `connect()`, the first `get` and the full index build (with the
 * index snapshot `disconnect()` leaves, and without it, as after a crash); and the event
 * loop's delay while serving and while the index builds.
 *
 * Throughput is operations per CPU-second of the measuring process (user + system time, so
 * the kernel's work and libuv's thread pool count too; python-diskcache reports its own
 * `time.process_time()` the same way): this machine is shared, and wall-clock windows there
 * measure the scheduler as much as the code. Best of two interleaved rounds. Start-up
 * figures are wall-clock (what the target is about) with the CPU time beside them, and
 * event-loop delays are shown beside an idle event loop's from the same run.
 *
 * Raw fs subjects use the key as the file name in one flat folder (their best case; ours
 * hashes it into fan-out folders) and also JSON-encode and decode, as a cache must.
 * python-diskcache (Debian `python3-diskcache`, SQLite-backed) runs in a python3 child process
 * and reports its own figures; when it is not installed its rows say so instead of failing.
 *
 * The 100k-entry folders are built once and kept under `<tmpdir>/cache-toolkit-bench/` (creating
 * 100k files takes a while); delete that folder to rebuild them.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DiskBackend } from '@cache/disk';
import { delayOf, startInFreshProcess, type Delay, type StartFigures } from './disk-startup.js';
import { windowMs, type Benchmark, type BenchRow } from './harness.js';

interface Cacache {
  put(cache: string, key: string, data: string | Buffer): Promise<unknown>;
  get(cache: string, key: string): Promise<{ data: Buffer }>;
}
const cacache = createRequire(import.meta.url)('cacache') as Cacache;

const VALUE = 'v'.repeat(1000);
const keyOf = (i: number): string => `bench:listing:${i}`;

interface Subject {
  set(key: string, value: string): Promise<unknown>;
  get(key: string): Promise<unknown>;
  close?(): Promise<void>;
}

function rawAsync(dir: string): Subject {
  let n = 0;
  return {
    async set(key, value) {
      const temp = path.join(dir, `.tmp-${process.pid}-${n++}`);
      await fs.promises.writeFile(temp, JSON.stringify(value));
      await fs.promises.rename(temp, path.join(dir, key));
    },
    async get(key) {
      return JSON.parse(await fs.promises.readFile(path.join(dir, key), 'utf8'));
    },
  };
}

function rawSync(dir: string): Subject {
  let n = 0;
  return {
    async set(key, value) {
      const temp = path.join(dir, `.tmp-${process.pid}-${n++}`);
      fs.writeFileSync(temp, JSON.stringify(value));
      fs.renameSync(temp, path.join(dir, key));
    },
    async get(key) {
      return JSON.parse(fs.readFileSync(path.join(dir, key), 'utf8'));
    },
  };
}

const scratch = Buffer.allocUnsafe(64 * 1024);
/** open + readSync + close into a reused buffer: the floor of a synchronous small-file read. */
function rawOpenRead(dir: string): Subject {
  const sync = rawSync(dir);
  return {
    set: sync.set,
    async get(key) {
      const fd = fs.openSync(path.join(dir, key), 'r');
      try {
        const length = fs.readSync(fd, scratch, 0, scratch.length, 0);
        return JSON.parse(scratch.toString('utf8', 0, length));
      } finally {
        fs.closeSync(fd);
      }
    },
  };
}

function cacacheSubject(dir: string): Subject {
  return {
    set: (key, value) => cacache.put(dir, key, JSON.stringify(value)),
    get: async (key) => JSON.parse((await cacache.get(dir, key)).data.toString('utf8')),
  };
}

async function ours(dir: string): Promise<Subject> {
  const backend = new DiskBackend({ dir });
  await backend.connect();
  await backend.indexed();
  return {
    set: (key, value) => backend.set(key, value),
    get: (key) => backend.get(key),
    close: () => backend.disconnect(),
  };
}

type Figures = { set1: number; set16: number; get1: number; get16: number };

/**
 * Operations per CPU-second of this process (user + system, so kernel time and libuv's
 * thread pool count too), with `concurrency` calls in flight. The machine these run on is
 * shared: wall-clock windows measure the scheduler as much as the code, CPU time much less.
 */
async function perCpuSecond(
  op: (i: number) => Promise<unknown>,
  ms: number,
  concurrency: number,
): Promise<number> {
  let i = 0;
  const run = async (until: number): Promise<number> => {
    let count = 0;
    const lane = async (): Promise<void> => {
      while (performance.now() < until) {
        for (let j = 0; j < 20; j++) await op(i++);
        count += 20;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    return count;
  };
  await run(performance.now() + Math.min(200, ms / 4));
  const cpu = process.cpuUsage();
  const count = await run(performance.now() + ms);
  const used = process.cpuUsage(cpu);
  return count / ((used.user + used.system) / 1e6);
}

async function populate(subject: Subject, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await subject.set(keyOf(i), VALUE);
  if ((await subject.get(keyOf(7))) !== VALUE) throw new Error('subject did not store the value');
}

type Metric = keyof Figures;
const METRICS: readonly Metric[] = ['get1', 'get16', 'set1', 'set16'];

/** One measuring window of `metric`: reads in a scattered order; sets overwrite existing keys (a warm cache). */
function window(subject: Subject, metric: Metric, n: number, ms: number): Promise<number> {
  const key = (i: number): string => keyOf((i * 7919) % n);
  const concurrency = metric.endsWith('16') ? 16 : 1;
  return metric.startsWith('get')
    ? perCpuSecond((i) => subject.get(key(i)), ms, concurrency)
    : perCpuSecond((i) => subject.set(key(i), VALUE), ms, concurrency);
}

// ---- python-diskcache ----

const PYTHON = String.raw`
import json, os, sys, time
import diskcache
mode, folder, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
value = 'v' * 1000
key = lambda i: 'bench:listing:%d' % i
if mode == 'ops':
    window = float(sys.argv[4]) / 1000
    cache = diskcache.Cache(folder)
    for i in range(n):
        cache.set(key(i), value)
    assert cache.get(key(7)) == value
    def rate(op):
        i = 0
        warm = time.perf_counter() + min(0.2, window / 4)
        while time.perf_counter() < warm:
            op(i); i += 1
        count = 0
        start = time.perf_counter()
        cpu = time.process_time()
        while True:
            for _ in range(100):
                op(i); i += 1
            count += 100
            now = time.perf_counter()
            if now - start >= window:
                return count / (time.process_time() - cpu)
    get = rate(lambda i: cache.get(key((i * 7919) % n)))
    put = rate(lambda i: cache.set(key((i * 7919) % n), value))
    cache.close()
    print(json.dumps({'get': get, 'set': put}))
else:
    marker = os.path.join(folder, 'complete-%d' % n)
    if not os.path.exists(marker):
        with diskcache.Cache(folder) as cache:
            for i in range(n):
                cache.set(key(i), value)
        open(marker, 'w').close()
    start = time.perf_counter()
    cache = diskcache.Cache(folder)
    assert cache.get(key(n // 2)) == value
    first_get = (time.perf_counter() - start) * 1000
    cache.close()
    print(json.dumps({'openAndGetMs': first_get}))
`;

/**
 * The first python3 that can import diskcache: the Debian package installs it for the system
 * interpreter, which a pyenv shim earlier on PATH would hide.
 */
function findPython(): string | undefined {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    try {
      execFileSync(candidate, ['-c', 'import diskcache'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // Not there, or no diskcache for it: try the next.
    }
  }
  return undefined;
}

function python(interpreter: string | undefined, args: string[]): Record<string, number> | undefined {
  if (interpreter === undefined) return undefined;
  const out = execFileSync(interpreter, ['-c', PYTHON, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim()) as Record<string, number>;
}

// ---- 100k entries present ----

/** A folder of `n` entries written by DiskBackend, built once and reused (it takes a while). */
async function largeFolder(root: string, n: number): Promise<string> {
  const dir = path.join(root, `disk-${n}`);
  const marker = path.join(root, `disk-${n}.complete`);
  if (fs.existsSync(marker)) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  const backend = new DiskBackend({ dir, maxBytes: 2 ** 31 });
  await backend.connect();
  for (let i = 0; i < n; i++) await backend.set(keyOf(i), VALUE);
  await backend.indexed(); // so that disconnect() writes the index snapshot
  await backend.disconnect();
  fs.writeFileSync(marker, '');
  return dir;
}

/** What listing the folder with a stat per file costs (the issue's ~0.8 s for 100k): wall and CPU ms. */
async function listWithStats(dir: string): Promise<{ wallMs: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (const sub of await fs.promises.readdir(dir)) {
    if (sub.startsWith('.')) continue;
    const names = await fs.promises.readdir(path.join(dir, sub));
    await Promise.all(names.map((name) => fs.promises.stat(path.join(dir, sub, name))));
  }
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - start, cpuMs: (used.user + used.system) / 1000 };
}

/**
 * The floor of an index build without a snapshot: list every fan-out folder and read the
 * first 1060 bytes (header + longest key) of every file, synchronously, doing nothing with
 * them. Wall and CPU ms. It also brings the files into the page cache, as they would be after
 * a process crash (not after a reboot).
 */
function readEveryHeader(dir: string): { wallMs: number; cpuMs: number } {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const buffer = Buffer.allocUnsafe(1060);
  for (const sub of fs.readdirSync(dir)) {
    if (sub.startsWith('.')) continue;
    for (const name of fs.readdirSync(path.join(dir, sub))) {
      const fd = fs.openSync(path.join(dir, sub, name), 'r');
      try {
        fs.readSync(fd, buffer, 0, buffer.length, 0);
      } finally {
        fs.closeSync(fd);
      }
    }
  }
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - start, cpuMs: (used.user + used.system) / 1000 };
}

/**
 * The event loop's delay with `work` done once per turn, each turn its own macrotask as
 * requests are. With no work it measures the machine itself: on a shared machine the
 * scheduler alone delays a turn by tens of ms now and then, which is the baseline here.
 */
async function loopDelay(ms: number, work?: () => Promise<unknown>): Promise<Delay> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const end = performance.now() + ms;
  while (performance.now() < end) {
    await new Promise((resolve) => setImmediate(resolve));
    if (work === undefined) await new Promise((resolve) => setTimeout(resolve, 1));
    else await work();
  }
  histogram.disable();
  return delayOf(histogram);
}

/*
 * An idle Node process measuring its own event-loop delay while this one works: on a shared
 * machine the scheduler delays any process now and then, and what an idle neighbour sees in
 * the same moment is the part of our delay that is the machine's, not ours.
 */
const NEIGHBOUR = String.raw`
const { monitorEventLoopDelay } = require('node:perf_hooks');
const histogram = monitorEventLoopDelay({ resolution: 1 });
process.stdin.once('data', () => histogram.enable());
process.stdin.on('end', () => {
  histogram.disable();
  process.stdout.write(JSON.stringify({ maxMs: histogram.max / 1e6, p99Ms: histogram.percentile(99) / 1e6 }));
});
process.stdin.resume();
process.stdout.write('ready\n');
`;

/** Runs `work` with an idle neighbour process measuring its event-loop delay meanwhile. */
async function besideIdleNeighbour<T>(work: () => Promise<T>): Promise<{ result: T; neighbour: Delay }> {
  const child = spawn(process.execPath, ['-e', NEIGHBOUR], { stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (output.startsWith('ready\n')) resolve();
    });
    child.once('exit', () => reject(new Error('the idle neighbour exited early')));
  });
  child.stdin.write('start\n');
  // Let it take its first samples before the work begins.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const result = await work();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.stdin.end();
  await exited;
  return { result, neighbour: JSON.parse(output.slice('ready\n'.length)) as Delay };
}

const diskBenchmark: Benchmark = async ({ smoke }) => {
  const n = smoke ? 300 : 10_000;
  const large = smoke ? 2000 : 100_000;
  const ms = windowMs(smoke, 1500);
  const rounds = smoke ? 1 : 2;
  const work = fs.mkdtempSync(path.join(tmpdir(), 'cache-bench-disk-'));
  const keep = path.join(tmpdir(), 'cache-toolkit-bench');
  fs.mkdirSync(keep, { recursive: true });
  const folder = (name: string): string => {
    const dir = path.join(work, name);
    fs.mkdirSync(dir);
    return dir;
  };
  const rows: BenchRow[] = [];
  try {
    const interpreter = findPython();
    const pyFolder = folder('diskcache');
    const pyArgs = ['ops', pyFolder, String(n), String(ms)];
    const pyBefore = python(interpreter, pyArgs);
    const pyName = pyBefore
      ? 'python-diskcache 5.4 (sync)'
      : 'python-diskcache: UNAVAILABLE (apt-get install python3-diskcache)';

    // Every subject holds its n entries at once; then each metric is measured for every
    // subject in turn, round after round (interleaved A/B windows), and the best window of
    // each counts: the kernel's cost of creating files drifts over minutes on this machine,
    // and measuring one subject long after another would compare the drift.
    const subjects: Array<[string, Subject]> = [
      ['ours', await ours(folder('ours'))],
      ['rawAsync', rawAsync(folder('raw-async'))],
      ['rawSync', rawSync(folder('raw-sync'))],
      ['rawOpenRead', rawOpenRead(folder('raw-open-read'))],
      ['cacache', cacacheSubject(folder('cacache'))],
    ];
    for (const [, subject] of subjects) await populate(subject, n);
    const best: Record<string, Figures> = {};
    for (const [name] of subjects) best[name] = { get1: 0, get16: 0, set1: 0, set16: 0 };
    for (let round = 0; round < rounds; round++) {
      for (const metric of METRICS) {
        for (const [name, subject] of subjects) {
          const figures = best[name] as Figures;
          figures[metric] = Math.max(figures[metric], await window(subject, metric, n, ms));
        }
      }
    }
    // python-diskcache runs in its own process: measured before and after the rounds, best of both.
    const pyAfter = python(interpreter, pyArgs);
    const py =
      pyBefore && pyAfter
        ? {
            get: Math.max(pyBefore.get ?? 0, pyAfter.get ?? 0),
            set: Math.max(pyBefore.set ?? 0, pyAfter.set ?? 0),
          }
        : pyBefore;

    // One call per turn, as one request makes: the delay shows the longest single call.
    const oursSubject = (subjects[0] as [string, Subject])[1];
    let turnCount = 0;
    const turn = (): Promise<unknown> => {
      const key = keyOf((turnCount++ * 7919) % n);
      return turnCount % 4 === 0 ? oursSubject.set(key, VALUE) : oursSubject.get(key);
    };
    const { result: serving, neighbour: servingNeighbour } = await besideIdleNeighbour(() =>
      loopDelay(smoke ? 200 : 1500, turn),
    );
    for (const [, subject] of subjects) await subject.close?.();
    const our = best.ours as Figures;
    const rawA = best.rawAsync as Figures;
    const rawS = best.rawSync as Figures;
    const rawO = best.rawOpenRead as Figures;
    const cac = best.cacache as Figures;
    const idle = await loopDelay(smoke ? 200 : 1500);

    // Start-up with many entries present, with the snapshot disconnect() writes, then without
    // it (as after a crash: every header is read).
    const largeDir = smoke ? path.join(work, 'large') : await largeFolder(keep, large);
    if (smoke) {
      const backend = new DiskBackend({ dir: largeDir });
      await backend.connect();
      for (let i = 0; i < large; i++) await backend.set(keyOf(i), VALUE);
      await backend.indexed();
      await backend.disconnect();
    }
    const snapshot = path.join(largeDir, '.index');
    if (!fs.readFileSync(snapshot).subarray(0, 4).equals(Buffer.from('CTKI'))) {
      // A snapshot from an older format is ignored by connect(): write a current one first.
      const backend = new DiskBackend({ dir: largeDir, maxBytes: 2 ** 31 });
      await backend.connect();
      await backend.indexed();
      await backend.disconnect();
    }
    const { result: warm, neighbour: warmNeighbour } = await besideIdleNeighbour(() =>
      startInFreshProcess(largeDir, large),
    );
    if (warm.entries !== large) throw new Error(`index holds ${warm.entries} of ${large} entries`);
    const aside = `${snapshot}.aside`;
    fs.renameSync(snapshot, aside);
    let cold: StartFigures;
    let coldNeighbour: Delay;
    let floor: { wallMs: number; cpuMs: number };
    try {
      floor = readEveryHeader(largeDir);
      ({ result: cold, neighbour: coldNeighbour } = await besideIdleNeighbour(() =>
        startInFreshProcess(largeDir, large),
      ));
    } finally {
      fs.rmSync(snapshot, { force: true });
      fs.renameSync(aside, snapshot);
    }
    if (cold.entries !== large) throw new Error(`index holds ${cold.entries} of ${large} entries`);
    const listing = await listWithStats(largeDir);
    const pyOpen = python(interpreter, [
      'open',
      smoke ? folder('diskcache-large') : path.join(keep, `diskcache-${large}`),
      String(large),
    ]);

    const row = (
      operation: string,
      oursValue: number,
      baseline: number,
      baselineName: string,
      target?: string,
      unit?: string,
    ): void => {
      rows.push({
        group: 'disk',
        operation,
        ours: oursValue,
        baseline,
        baselineName,
        ...(target ? { target } : {}),
        ...(unit ? { unit, lowerIsBetter: true } : {}),
      });
    };
    const perCpu = ' (per CPU-s)';
    const pyGet = py?.get ?? NaN;
    const pySet = py?.set ?? NaN;
    row('get hit, 1 in flight' + perCpu, our.get1, pyGet, pyName, '>= 1x');
    row('get hit, 16 in flight' + perCpu, our.get16, pyGet, pyName, '>= 1x');
    row('get hit, 1 in flight' + perCpu, our.get1, rawA.get1, 'raw fs.promises.readFile');
    row('get hit, 1 in flight' + perCpu, our.get1, rawS.get1, 'raw readFileSync');
    row('get hit, 1 in flight' + perCpu, our.get1, rawO.get1, 'raw open+readSync+close');
    row('get hit, 1 in flight' + perCpu, our.get1, cac.get1, 'cacache.get', '>= 3x');
    row('get hit, 16 in flight' + perCpu, our.get16, cac.get16, 'cacache.get', '>= 3x');
    row('set, 1 in flight' + perCpu, our.set1, rawA.set1, 'raw writeFile+rename (async)', '>= 0.8x');
    row('set, 16 in flight' + perCpu, our.set16, rawA.set16, 'raw writeFile+rename (async)', '>= 0.8x');
    row('set, 1 in flight' + perCpu, our.set1, rawS.set1, 'raw writeFileSync+renameSync');
    row('set, 1 in flight' + perCpu, our.set1, pySet, pyName);
    row('set, 1 in flight' + perCpu, our.set1, cac.set1, 'cacache.put', '>= 3x');
    row('set, 16 in flight' + perCpu, our.set16, cac.set16, 'cacache.put', '>= 3x');
    const k = `${large / 1000}k entries`;
    const pyOpenMs = pyOpen?.openAndGetMs ?? NaN;
    const pyOpenName = pyOpen ? 'python-diskcache open + first get' : pyName;
    row(`connect(), ${k} present`, warm.connectMs, pyOpenMs, pyOpenName, undefined, 'ms');
    row(`new + connect() + first get, ${k}`, warm.firstGetMs, pyOpenMs, pyOpenName, '<= 100 ms', 'ms');
    row(
      `new + connect() + first get, ${k}, no snapshot`,
      cold.firstGetMs,
      pyOpenMs,
      pyOpenName,
      '<= 100 ms',
      'ms',
    );
    row(
      `full index ready (wall), ${k}`,
      warm.indexMs,
      listing.wallMs,
      'listing + stat per file (wall)',
      '<= 2000 ms',
      'ms',
    );
    row(
      `full index ready (CPU), ${k}`,
      warm.indexCpuMs,
      listing.cpuMs,
      'listing + stat per file (CPU)',
      '<= 2000 ms',
      'ms',
    );
    row(
      `full index ready (wall), ${k}, no snapshot`,
      cold.indexMs,
      floor.wallMs,
      'listing + reading every header, nothing else (wall)',
      '<= 2000 ms',
      'ms',
    );
    row(
      `full index ready (CPU), ${k}, no snapshot`,
      cold.indexCpuMs,
      floor.cpuMs,
      'listing + reading every header, nothing else (CPU)',
      '<= 2000 ms',
      'ms',
    );
    const neighbourName = 'an idle process meanwhile';
    const delayRow = (what: string, ours: Delay, neighbour: Delay): void => {
      row(`event-loop max delay: ${what}`, ours.maxMs, neighbour.maxMs, neighbourName, '< 10 ms', 'ms');
      row(`event-loop p99 delay: ${what}`, ours.p99Ms, neighbour.p99Ms, neighbourName, '< 10 ms', 'ms');
    };
    delayRow('serving, 1 get/set per turn', serving, servingNeighbour);
    delayRow(`index build, ${k}`, warm.delay, warmNeighbour);
    delayRow('index build, no snapshot', cold.delay, coldNeighbour);
    const idleName = 'this idle event loop, other moment';
    row('event-loop max delay: idle (for reference)', idle.maxMs, idle.maxMs, idleName, undefined, 'ms');
    row(
      `longest GC pause: index build, ${k}`,
      warm.gcMaxMs,
      warmNeighbour.maxMs,
      neighbourName,
      undefined,
      'ms',
    );
    row(
      'longest GC pause: index build, no snapshot',
      cold.gcMaxMs,
      coldNeighbour.maxMs,
      neighbourName,
      undefined,
      'ms',
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return rows;
};

export default diskBenchmark;
