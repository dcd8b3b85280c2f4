/**
 * Ops per CPU-second of this process, for the memory benchmark. On a small machine shared with
 * other jobs, a wall-clock window mostly measures how often the scheduler let us run; CPU time
 * counts only the time spent running this code (GC threads included), so ratios between
 * subjects measured in one run hold still. Cache misses and memory stalls still count.
 */
const cpuMicros = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return used.user + used.system;
};

/** Like the harness's `measureAsync` (one call in flight), over `cpuMs` of CPU time after a warm-up. */
export async function measureAsyncCpu(op: (i: number) => Promise<unknown>, cpuMs: number): Promise<number> {
  let i = 0;
  const warmUp = process.cpuUsage();
  while (cpuMicros(warmUp) < Math.min(50_000, cpuMs * 250)) for (let j = 0; j < 50; j++) await op(i++);
  const start = process.cpuUsage();
  let count = 0;
  let used = 0;
  while (used < cpuMs * 1000) {
    for (let j = 0; j < 50; j++) await op(i++);
    count += 50;
    used = cpuMicros(start);
  }
  return (count * 1e6) / used;
}
