/**
 * `pnpm bench`: runs every benchmark module (or those named in BENCH_ONLY, comma-separated)
 * and prints one table: operation, ours, the baseline from the same run, and the ratio.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cpus } from 'node:os';
import type { Benchmark, BenchRow } from './harness.js';
import { isSmoke } from './harness.js';

const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.env.BENCH_ONLY?.split(',').filter(Boolean);
const names = readdirSync(dir)
  .filter((file) => file.endsWith('.bench.ts'))
  .map((file) => file.slice(0, -'.bench.ts'.length))
  .filter((name) => only === undefined || only.includes(name))
  .sort();

const smoke = isSmoke();
const rows: BenchRow[] = [];
for (const name of names) {
  const module = (await import(pathToFileURL(`${dir}${name}.bench.ts`).href)) as { default: Benchmark };
  process.stderr.write(`running ${name}${smoke ? ' (smoke)' : ''}…\n`);
  rows.push(...(await module.default({ smoke })));
}

const format = (value: number): string =>
  value >= 100_000
    ? `${(value / 1e6).toFixed(3)}M`
    : value >= 1000
      ? `${(value / 1e3).toFixed(1)}k`
      : value.toFixed(2);
const table = rows.map((row) => {
  const ratio = row.ratio ?? (row.baseline === 0 ? NaN : row.ours / row.baseline);
  return {
    group: row.group,
    operation: row.operation,
    ours: `${format(row.ours)} ${row.unit ?? 'ops/s'}`,
    baseline: `${format(row.baseline)} (${row.baselineName})`,
    ratio: Number.isFinite(ratio)
      ? `${ratio.toFixed(2)}x${row.lowerIsBetter ? ' (lower is better)' : ''}`
      : '-',
    target: row.target ?? '',
  };
});
console.log(
  `\nNode ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}${smoke ? ', SMOKE MODE (figures meaningless)' : ''}`,
);
const headers = ['group', 'operation', 'ours', 'baseline', 'ratio', 'target'] as const;
const widths = headers.map((h) => Math.max(h.length, ...table.map((r) => r[h].length)));
const line = (cells: readonly string[]): string =>
  '| ' + cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ') + ' |';
console.log(line(headers));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const row of table) console.log(line(headers.map((h) => row[h])));
console.log(`\n${rows.length} benchmarks ran`);
