/**
 * `pnpm --filter @cache/faults faults` (short form, CI) or `… soak` (long form).
 * `FAULTS_ONLY=1,3` runs only those scenarios. Exits 1 on any correctness failure (a failed
 * request, a stale read, an unhandled rejection, a failed scenario check or a scenario that
 * could not run); latency targets are printed as met/missed and never fail the run.
 */
import { killAllRedisServersSync } from '../../../packages/redis/test/support/redis-server.js';
import { killTrackedChildrenSync } from './processes.js';
import { formatResult, judge } from './report.js';
import { SCENARIOS, SHORT_TIMING, runSoak } from './scenarios/index.js';

const mode = process.argv[2] ?? 'short';
if (mode !== 'short' && mode !== 'soak') {
  console.error(`usage: run.ts short|soak (got ${mode})`);
  process.exit(2);
}

const stopEverything = (): void => {
  killTrackedChildrenSync();
  killAllRedisServersSync();
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopEverything();
    process.exit(130);
  });
}

const only = (process.env.FAULTS_ONLY ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter((s) => s !== '');
const started = Date.now();
const summary: string[] = [];
let failed = false;

try {
  if (mode === 'soak') {
    const result = await runSoak(Number(process.env.FAULTS_SOAK_MINUTES ?? '5'));
    const verdict = judge(result);
    console.log(formatResult(result, verdict));
    failed = verdict.errors.length > 0;
    summary.push(`soak: ${verdict.errors.length === 0 ? 'PASS' : 'FAIL'}`);
  } else {
    for (const scenario of SCENARIOS) {
      if (only.length > 0 && !only.includes(scenario.id)) continue;
      try {
        const result = await scenario.run(SHORT_TIMING);
        const verdict = judge(result);
        console.log(formatResult(result, verdict));
        if (verdict.errors.length > 0) failed = true;
        summary.push(`${scenario.id}. ${result.title}: ${verdict.errors.length === 0 ? 'PASS' : 'FAIL'}`);
      } catch (error) {
        failed = true;
        console.log(
          `\n=== ${scenario.id}. could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        summary.push(`${scenario.id}: ERROR (could not run)`);
      }
    }
  }
} finally {
  stopEverything();
}
console.log(
  `\n${summary.join('\n')}\ntotal ${((Date.now() - started) / 1000).toFixed(0)} s: ${failed ? 'FAIL' : 'PASS'}`,
);
process.exit(failed ? 1 : 0);
