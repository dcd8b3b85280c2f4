/**
 * The example service under HTTP load (autocannon, loopback, fixed duration): list endpoint
 * requests/s and p99 with every request a cache hit, against every request a miss, per backend.
 * The work lives in examples/property-service/bench/load.ts; this maps it to the shared table.
 */
import type { Benchmark, BenchRow } from './harness.js';
import { runLoadBenchmark } from '../examples/property-service/bench/load.js';

const propertyService: Benchmark = async ({ smoke }) => {
  const rows: BenchRow[] = [];
  for (const { backend, uncached, cached } of await runLoadBenchmark({ smoke })) {
    const group = `property-service (${backend})`;
    rows.push(
      {
        group,
        operation: `GET /properties, cached (hit ratio ${(cached.hitRatio * 100).toFixed(0)}%)`,
        ours: cached.requestsPerSecond,
        baseline: uncached.requestsPerSecond,
        baselineName: 'uncached: every request a miss',
        unit: 'req/s',
        target: '>= 5x',
      },
      {
        group,
        operation: 'GET /properties per service CPU-second, cached',
        ours: cached.requestsPerCpuSecond,
        baseline: uncached.requestsPerCpuSecond,
        baselineName: 'uncached',
        unit: 'req/CPU-s',
        target: '>= 5x',
      },
      {
        group,
        operation: 'GET /properties p99, cached',
        ours: cached.p99Ms,
        baseline: uncached.p99Ms,
        baselineName: 'uncached p99',
        unit: 'ms',
        lowerIsBetter: true,
      },
    );
  }
  return rows;
};

export default propertyService;
