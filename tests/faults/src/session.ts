/**
 * One scenario's run: the service in its own process, steady load with the stale-read checker,
 * a poller of `GET /cache/stats`, named phases (before / each fault / each recovery), and at the
 * end a settle-and-sweep (every tracked listing and the harness's list page read once more with
 * no write in flight) and the figures for the report.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ConsistencyTracker } from './consistency.js';
import { summarize, type LatencySummary } from './latency.js';
import { LoadDriver } from './load.js';
import { ServiceProcess } from './service-process.js';

export type PhaseKind = 'before' | 'fault' | 'recovery';

export interface PhaseRow {
  name: string;
  kind: PhaseKind;
  requests: number;
  failures: number;
  writes: number;
  latency: LatencySummary;
  /** recovery phases: p99 of the requests sent from 2 s after the fault was cleared */
  settledP99?: number;
  /** recovery phases: ms from clearing the fault until /cache/stats named the primary again */
  routeBackMs?: number | undefined;
  /** fault phases: whether /cache/stats reported the fallback in use during the phase */
  sawFallback?: boolean;
  /** The three slowest requests of the phase: kind, latency, when sent (s into the phase). */
  slowest: string;
}

export interface ScenarioResult {
  id: string;
  title: string;
  cache: string;
  commandTimeoutMs: number;
  rows: PhaseRow[];
  requests: number;
  skipped: number;
  failures: string[];
  stale: string[];
  checkedReads: number;
  unhandledRejections: number;
  uncaughtExceptions: number;
  heapStartMb: number;
  heapEndMb: number;
  connectionErrorsWhileDown: number;
  notes: string[];
  /** Correctness errors found by the scenario's own checks (beyond the load checker). */
  extraFailures: string[];
  durationMs: number;
}

export interface SessionOptions {
  id: string;
  title: string;
  env: Record<string, string>;
  commandTimeoutMs: number;
  rate: number;
  /** Listings the harness creates and tracks. */
  listings?: number;
  port?: number;
  /** For the report, when the service's own description cannot say it (a Cluster set up by the harness). */
  cacheDescription?: string;
}

interface PhaseMark {
  name: string;
  kind: PhaseKind;
  startedAt: number;
}

export class FaultSession {
  readonly tracker = new ConsistencyTracker();
  readonly service: ServiceProcess;
  readonly driver: LoadDriver;
  readonly notes: string[] = [];
  readonly extraFailures: string[] = [];
  readonly #options: SessionOptions;
  readonly #marks: PhaseMark[] = [];
  readonly #fallbackSeen: { at: number; usingFallback: boolean }[] = [];
  #polling = false;
  #poller: Promise<void> = Promise.resolve();
  #heapStart = 0;
  #startedAt = Date.now();

  constructor(options: SessionOptions) {
    this.#options = options;
    this.service = new ServiceProcess({
      env: options.env,
      ...(options.port === undefined ? {} : { port: options.port }),
    });
    this.driver = new LoadDriver({
      url: () => this.service.url,
      tracker: this.tracker,
      rate: options.rate,
      maxInFlight: 32,
      requestTimeoutMs: 5000,
      writeShare: 0.08,
      seededIds: 2000,
    });
  }

  /** Starts the service, creates the tracked listings, starts the load and warms for `warmupMs`. */
  async start(warmupMs = 2000): Promise<void> {
    this.#startedAt = Date.now();
    await this.service.start();
    await this.driver.createListings(this.#options.listings ?? 40);
    this.driver.start();
    this.#polling = true;
    this.#poller = this.#pollStats();
    await sleep(warmupMs);
    this.#heapStart = (await this.service.processReport()).heapUsed;
    this.phase('before', 'before');
  }

  phase(name: string, kind: PhaseKind): void {
    this.driver.phase = name;
    this.#marks.push({ name, kind, startedAt: this.driver.now() });
  }

  async #pollStats(): Promise<void> {
    while (this.#polling) {
      const at = this.driver.now();
      try {
        const stats = await this.service.cacheStats(1000);
        this.#fallbackSeen.push({ at, usingFallback: stats.usingFallback || stats.active !== stats.primary });
      } catch {
        // service down (scenario 6) or slow: no sample
      }
      await sleep(50);
    }
  }

  /** Waits until /cache/stats names the primary (or `timeoutMs`); answers ms since the current phase began. */
  async waitForPrimary(timeoutMs = 20_000): Promise<number | undefined> {
    const since = this.#marks.at(-1)?.startedAt ?? 0;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.#fallbackSeen.find((s) => s.at >= since && !s.usingFallback);
      if (found !== undefined) return found.at - since;
      await sleep(25);
    }
    return undefined;
  }

  /** `beforeStop` runs after the sweep, while the service still runs (extra checks of a scenario). */
  async finish(beforeStop?: () => Promise<void>): Promise<ScenarioResult> {
    this.phase('final', 'recovery');
    await this.driver.stop();
    this.#polling = false;
    await this.#poller;
    // Settle-and-sweep: nothing in flight now, so every read must show the last acknowledged state.
    this.driver.phase = 'sweep';
    for (const id of this.tracker.allIds()) await this.driver.readDetail(id, 'sweep');
    await this.driver.readFaultCity();
    await beforeStop?.();
    const report = await this.service.processReport();
    await this.service.stop();
    return this.#result(report.heapUsed, report.unhandledRejections, report.uncaughtExceptions);
  }

  #result(heapEnd: number, unhandledRejections: number, uncaughtExceptions: number): ScenarioResult {
    const samples = this.driver.samples;
    const rows: PhaseRow[] = [];
    const marks = this.#marks.filter((m) => m.name !== 'final');
    const finalAt = this.#marks.find((m) => m.name === 'final')?.startedAt ?? Infinity;
    marks.forEach((mark, index) => {
      const end = marks[index + 1]?.startedAt ?? finalAt;
      const inPhase = samples.filter((s) => s.phase === mark.name);
      const row: PhaseRow = {
        name: mark.name,
        kind: mark.kind,
        requests: inPhase.length,
        failures: inPhase.filter((s) => s.failure).length,
        writes: this.driver.writesIn(mark.name),
        latency: summarize(inPhase.filter((s) => s.status !== 0).map((s) => s.ms)),
        slowest: [...inPhase]
          .filter((s) => s.status !== 0)
          .sort((a, b) => b.ms - a.ms)
          .slice(0, 3)
          .map((s) => `${s.kind} ${Math.round(s.ms)} ms @${((s.at - mark.startedAt) / 1000).toFixed(1)} s`)
          .join(', '),
      };
      const polled = this.#fallbackSeen.filter((p) => p.at >= mark.startedAt && p.at < end);
      if (mark.kind === 'fault') row.sawFallback = polled.some((p) => p.usingFallback);
      if (mark.kind === 'recovery') {
        row.settledP99 = summarize(
          inPhase.filter((s) => s.at >= mark.startedAt + 2000 && s.status !== 0).map((s) => s.ms),
        ).p99;
        const back = polled.find((p) => !p.usingFallback);
        row.routeBackMs = back === undefined ? undefined : back.at - mark.startedAt;
      }
      rows.push(row);
    });
    const counted = samples.filter((s) => s.phase !== 'warmup');
    return {
      id: this.#options.id,
      title: this.#options.title,
      cache: this.#options.cacheDescription ?? this.service.description,
      commandTimeoutMs: this.#options.commandTimeoutMs,
      rows,
      requests: counted.length,
      skipped: this.driver.skipped,
      failures: this.driver.failures,
      stale: this.tracker.stale.map((s) => `${(s.at / 1000).toFixed(1)} s: ${s.what}`),
      checkedReads: this.tracker.checkedReads,
      unhandledRejections,
      uncaughtExceptions,
      heapStartMb: this.#heapStart / 1048576,
      heapEndMb: heapEnd / 1048576,
      connectionErrorsWhileDown: this.driver.connectionErrorsWhileDown,
      notes: [...this.notes, ...this.service.markers],
      extraFailures: this.extraFailures,
      durationMs: Date.now() - this.#startedAt,
    };
  }

  /** Stops the load and the service whatever happened (for `finally`). */
  async abort(): Promise<void> {
    this.#polling = false;
    await this.driver.stop().catch(() => undefined);
    await this.service.stop().catch(() => undefined);
  }
}
