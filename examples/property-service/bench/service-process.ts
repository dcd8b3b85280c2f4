import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const EXAMPLE_DIR = fileURLToPath(new URL('..', import.meta.url));

export interface ServiceProcess {
  url: string;
  pid: number;
  /** CPU time (user + system) the service process has used so far, in seconds; NaN off Linux. */
  cpuSeconds(): number;
  /** What the service printed as its cache line, e.g. `disk (/tmp/x), fallback memory`. */
  cache: string;
  stop(): Promise<void>;
}

/**
 * The service as a separate process (`tsx src/main.ts`, as `pnpm start` runs it), so the load
 * generator and the server do not share one event loop. Listens on a free loopback port.
 */
export async function startServiceProcess(env: Record<string, string>): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: EXAMPLE_DIR,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = (): Promise<void> => stopProcess(child);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`service did not start in 60 s:\n${output}`)), 60_000);
      const check = (): void => {
        if (/cache: .*\n/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`service exited with ${code}:\n${output}`));
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const url = /listening on (http:\/\/\S+)/.exec(output)![1]!;
  const cache = /cache: +(.*)\n/.exec(output)![1]!;
  const pid = child.pid!;
  return { url, pid, cpuSeconds: () => processCpuSeconds(pid), cache, stop };
}

/**
 * utime + stime from /proc/<pid>/stat. On a shared machine, wall-clock throughput says as much
 * about the neighbours as about the service; CPU time per request does not.
 */
function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces), counted from field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime (14) + stime (15)
    return ticks / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** `getconf CLK_TCK`: 100 on every mainstream Linux build. */
const CLOCK_TICKS_PER_SECOND = 100;

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
