import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const EXAMPLE_DIR = fileURLToPath(new URL('..', import.meta.url));

export interface ServiceProcess {
  url: string;
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
  return { url, cache, stop };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
