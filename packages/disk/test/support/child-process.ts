import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { DiskBackendOptions } from '../../src/index.js';

const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORKER = fileURLToPath(new URL('../fixtures/disk-worker.ts', import.meta.url));

/** Starts the worker script in a new Node process (TypeScript through tsx, resolved from this package). */
export function spawnWorker(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], {
    cwd: PACKAGE_ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
}

/** Resolves with the child's first `{"ready":true}` line; rejects if it exits first. */
export function whenReady(
  child: ChildProcess,
  onLine?: (message: Record<string, unknown>) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const message = JSON.parse(line) as Record<string, unknown>;
      if (message.ready === true) resolve();
      else onLine?.(message);
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`worker exited (${code ?? signal}) before it was ready`)),
    );
  });
}

/** Resolves when the child has exited. */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * A DiskBackend living in another process: `call('set', key, value)` runs there and answers
 * its result. Used to prove what one process sees of another's writes on a shared folder.
 */
export class RemoteDisk {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  readonly ready: Promise<void>;
  #nextId = 1;

  constructor(options: DiskBackendOptions) {
    this.#child = spawnWorker(['serve', JSON.stringify(options)]);
    this.ready = whenReady(this.#child, (message) => {
      const waiter = this.#pending.get(message.id as number);
      if (waiter === undefined) return;
      this.#pending.delete(message.id as number);
      if (typeof message.error === 'string') waiter.reject(new Error(message.error));
      else waiter.resolve(message.undefined === true ? undefined : message.result);
    });
  }

  get pid(): number {
    return this.#child.pid!;
  }

  call<T = unknown>(method: string, ...args: unknown[]): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#child.stdin!.write(`${JSON.stringify({ id, method, args })}\n`);
    });
  }

  /** Closes its stdin (it disconnects and exits) and waits for the exit. */
  async close(): Promise<void> {
    this.#child.stdin!.end();
    await exited(this.#child);
  }
}
