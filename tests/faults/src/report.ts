/** The printed table of one scenario, and its verdict. */
import type { ScenarioResult } from './session.js';

/** Scheduling slack on top of `commandTimeout` for the "p99 during an outage" target. */
export const OUTAGE_SLACK_MS = 50;

export interface Verdict {
  /** Correctness failures: they fail the run (non-zero exit). */
  errors: string[];
  /** Latency targets, printed as met/missed (they do not fail the run). */
  targets: { label: string; met: boolean }[];
}

export function judge(result: ScenarioResult): Verdict {
  const errors: string[] = [];
  if (result.failures.length > 0)
    errors.push(`${result.failures.length} failed requests (non-2xx or no answer)`);
  if (result.stale.length > 0) errors.push(`${result.stale.length} stale reads`);
  if (result.unhandledRejections > 0) errors.push(`${result.unhandledRejections} unhandled rejections`);
  if (result.uncaughtExceptions > 0) errors.push(`${result.uncaughtExceptions} uncaught exceptions`);
  errors.push(...result.extraFailures);
  const before = result.rows.find((r) => r.kind === 'before');
  const targets: Verdict['targets'] = [];
  const budget = result.commandTimeoutMs + OUTAGE_SLACK_MS;
  for (const row of result.rows) {
    if (row.kind === 'fault' && row.latency.count > 0)
      targets.push({
        label: `${row.name}: p99 ${ms(row.latency.p99)} <= commandTimeout + ${OUTAGE_SLACK_MS} = ${budget} ms`,
        met: row.latency.p99 <= budget,
      });
    if (row.kind === 'recovery' && before !== undefined && row.settledP99 !== undefined) {
      // "Back to the pre-fault figure": within 1.5x (or 10 ms) of it, measured from 2 s after the fault ended.
      const bound = Math.max(before.latency.p99 * 1.5, before.latency.p99 + 10);
      targets.push({
        label: `${row.name}: p99 from +2 s ${ms(row.settledP99)} <= pre-fault ${ms(before.latency.p99)} (x1.5 or +10 ms)`,
        met: row.settledP99 <= bound,
      });
    }
  }
  return { errors, targets };
}

function ms(value: number): string {
  return `${Math.round(value)} ms`;
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

export function formatResult(result: ScenarioResult, verdict: Verdict): string {
  const lines: string[] = [];
  lines.push('');
  lines.push(`=== ${result.id}. ${result.title}`);
  lines.push(
    `cache: ${result.cache}; commandTimeout ${result.commandTimeoutMs} ms; ${(result.durationMs / 1000).toFixed(1)} s`,
  );
  const header = ['phase', 'requests', 'writes', 'non-2xx', 'p50', 'p99', 'max', 'fallback / route back'];
  const widths = [18, 9, 7, 8, 8, 8, 8, 24];
  lines.push(header.map((h, i) => pad(h, widths[i] as number, i > 0 && i < 7)).join(' '));
  for (const row of result.rows) {
    let extra = '';
    if (row.kind === 'fault') extra = row.sawFallback === true ? 'on fallback' : 'primary';
    if (row.kind === 'recovery')
      extra =
        row.routeBackMs === undefined ? 'not back' : `back after ${(row.routeBackMs / 1000).toFixed(2)} s`;
    const cells = [
      row.name,
      String(row.requests),
      String(row.writes),
      String(row.failures),
      ms(row.latency.p50),
      ms(row.latency.p99),
      ms(row.latency.max),
      extra,
    ];
    lines.push(cells.map((c, i) => pad(c, widths[i] as number, i > 0 && i < 7)).join(' '));
  }
  lines.push(
    `requests ${result.requests} (skipped at the in-flight limit: ${result.skipped}); reads checked for staleness ${result.checkedReads}; ` +
      `stale reads ${result.stale.length}; unhandled rejections ${result.unhandledRejections}; uncaught exceptions ${result.uncaughtExceptions}`,
  );
  lines.push(
    `heap after GC ${result.heapStartMb.toFixed(1)} MB -> ${result.heapEndMb.toFixed(1)} MB (${signed(result.heapEndMb - result.heapStartMb)} MB)` +
      (result.connectionErrorsWhileDown > 0
        ? `; requests refused while the service was down (expected): ${result.connectionErrorsWhileDown}`
        : ''),
  );
  for (const row of result.rows)
    if (row.kind === 'fault' && row.slowest !== '') lines.push(`slowest in ${row.name}: ${row.slowest}`);
  for (const note of result.notes) lines.push(`note: ${note}`);
  for (const target of verdict.targets)
    lines.push(`target ${target.met ? 'met   ' : 'MISSED'} ${target.label}`);
  for (const failure of result.failures.slice(0, 10)) lines.push(`  failed request: ${failure}`);
  for (const stale of result.stale.slice(0, 10)) lines.push(`  stale read: ${stale}`);
  for (const extra of result.extraFailures) lines.push(`  check failed: ${extra}`);
  lines.push(verdict.errors.length === 0 ? 'RESULT: PASS' : `RESULT: FAIL (${verdict.errors.join('; ')})`);
  return lines.join('\n');
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;
}
