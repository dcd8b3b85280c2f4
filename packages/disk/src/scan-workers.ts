import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { SHARE_ENV, Worker } from 'node:worker_threads';
import { HASH_BYTES } from './disk-index.js';
import { HEADER_BYTES, PREFIX_BYTES } from './entry-file.js';

/*
 * The code each worker runs (plain JavaScript, evaluated as a worker script: no file to
 * resolve, so it works the same from the TypeScript sources under test and from either
 * build). Two jobs, answered in the order they come:
 *
 *   { id, kind: 'list', folder }   -> { id, digests: ArrayBuffer, count }
 *       the entry files of one fan-out folder, as binary SHA-256 digests (32 bytes each)
 *   { id, kind: 'read', folder, digests: ArrayBuffer }
 *                                  -> { id, bytes: ArrayBuffer, failures: string[] }
 *       for each digest, in order: status (0 read, 1 missing, 2 failed), uint16 LE count of
 *       leading bytes read (at most prefixBytes), uint16 LE count of those sent, then the sent
 *       bytes: the header and the key, not the rest of what was read (a 100k-file scan would
 *       otherwise move 100 MB between threads); failures holds the error code of each
 *       status-2 file, in order
 *
 * A folder that cannot be listed answers { id, error }.
 */
const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
try {
  // On Linux this lowers the priority of this thread only: the event loop's thread wins the
  // CPU whenever it has something to do, and the scan uses what is left.
  const os = require('node:os');
  os.setPriority(Math.min(19, os.getPriority() + workerData.niceness));
} catch {}
const { dir, sep, prefixBytes, headerBytes, digestBytes } = workerData;
const NAME = /^[0-9a-f]{64}$/;
const missing = (error) => error.code === 'ENOENT' || error.code === 'ENOTDIR';
parentPort.on('message', (job) => {
  const folder = dir + sep + job.folder;
  if (job.kind === 'list') {
    let names = [];
    try {
      names = fs.readdirSync(folder);
    } catch (error) {
      if (!missing(error)) return parentPort.postMessage({ id: job.id, error: String(error.code || error) });
    }
    const digests = Buffer.from(new ArrayBuffer(names.length * digestBytes));
    let count = 0;
    for (const name of names) {
      if (name.startsWith(job.folder) && NAME.test(name)) digests.write(name, digestBytes * count++, digestBytes, 'hex');
    }
    return parentPort.postMessage({ id: job.id, digests: digests.buffer, count }, [digests.buffer]);
  }
  const digests = Buffer.from(job.digests);
  const count = digests.length / digestBytes;
  const scratch = Buffer.allocUnsafe(prefixBytes);
  const all = Buffer.allocUnsafe(count * (5 + prefixBytes));
  const failures = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const file = folder + sep + digests.toString('hex', i * digestBytes, (i + 1) * digestBytes);
    let status = 0;
    let length = 0;
    try {
      const fd = fs.openSync(file, 'r');
      try {
        length = fs.readSync(fd, scratch, 0, prefixBytes, 0);
      } finally {
        fs.closeSync(fd);
      }
    } catch (error) {
      if (missing(error)) status = 1;
      else {
        status = 2;
        failures.push(String(error.code || error));
      }
    }
    // Only the header and the key travel back (the key length is at offset 16).
    const kept = length < headerBytes ? length : Math.min(length, headerBytes + scratch.readUInt16LE(16));
    all[at] = status;
    all.writeUInt16LE(length, at + 1);
    all.writeUInt16LE(kept, at + 3);
    scratch.copy(all, at + 5, 0, kept);
    at += 5 + kept;
  }
  const out = Buffer.from(new ArrayBuffer(at));
  all.copy(out, 0, 0, at);
  parentPort.postMessage({ id: job.id, bytes: out.buffer, failures }, [out.buffer]);
});
`;

/** The leading bytes of a batch of entry files, as a worker read them. */
export interface PrefixBatch {
  /**
   * Per file, in request order: status (0 read, 1 missing, 2 failed), uint16 LE bytes read,
   * uint16 LE bytes sent, the sent bytes (header and key).
   */
  bytes: Buffer;
  /** Error code of each failed file, in order. */
  failures: string[];
}

export const PREFIX_READ = 0;
export const PREFIX_MISSING = 1;
export const PREFIX_FAILED = 2;

type Reply = { id: number; error?: string } & Record<string, unknown>;
type Waiter = { resolve(reply: Reply): void; reject(error: Error): void };
type Job = { message: Record<string, unknown>; transfer: ArrayBuffer[] };

/**
 * Jobs posted to each worker and not yet answered. Two keep a worker busy (the next job is
 * there when it finishes one) while bounding what can pile up unread on this thread: Node
 * delivers every message waiting on a port in one callback, and the replies to 255 folder
 * listings posted at once arrived together and held the event loop for 20 ms.
 */
const JOBS_PER_WORKER = 2;

/**
 * A few worker threads that list fan-out folders and read the leading bytes (header + key)
 * of entry files, for the first scan of a big folder without a usable snapshot. That scan is
 * 100k × (open + read + close): about a second of system calls, which on the event loop's
 * thread would be a second of 2 ms slices competing with the app for the CPU, and on one
 * thread cannot use the machine's other cores. Here the event loop's thread only looks up
 * and files what comes back (typed bytes, no strings), a few microseconds per entry.
 * Workers are unref'ed (they never keep the process alive) and stopped by `close()`.
 */
export class ScanWorkers {
  /** How many pools this process has started (tests check which path a scan took). */
  static started = 0;
  readonly #workers: Worker[] = [];
  readonly #pending = new Map<number, Waiter>();
  readonly #load: number[] = [];
  readonly #queue: Job[] = [];
  #nextId = 0;
  #failure: Error | undefined;

  readonly #dir: string;

  private constructor(dir: string) {
    this.#dir = dir;
  }

  /**
   * Starts the workers, one per event-loop turn (`between` yields one): starting a worker
   * costs the calling thread 1-5 ms, and two in one turn were half of a 12 ms delay.
   * @param threads how many workers. Default: as many as the cores the process may use, at
   * most three. They run at the lowest priority (nice 19), so that they do not preempt the
   * event loop's thread or the garbage collector's helper threads: at nice +5, on two cores,
   * the event loop still lost the CPU for 10-20 ms at a time to them now and then.
   */
  static async start(
    dir: string,
    between: () => Promise<void>,
    threads: number = Math.min(3, Math.max(1, availableParallelism())),
  ): Promise<ScanWorkers> {
    ScanWorkers.started++;
    const pool = new ScanWorkers(dir);
    for (let i = 0; i < threads; i++) {
      if (i > 0) await between();
      pool.#add();
    }
    return pool;
  }

  #add(): void {
    const i = this.#workers.length;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // What the script does not use, the creating thread need not set up: a copy of the
      // environment, stdio streams piped to the parent's, fd tracking (the script closes every
      // fd it opens). Measured: a first worker then costs the event loop 2.3-2.6 ms, not 3.6-5.1.
      env: SHARE_ENV,
      stdout: true,
      stderr: true,
      trackUnmanagedFds: false,
      workerData: {
        dir: this.#dir,
        sep: path.sep,
        prefixBytes: PREFIX_BYTES,
        headerBytes: HEADER_BYTES,
        digestBytes: HASH_BYTES,
        niceness: 19,
      },
    });
    worker.unref();
    worker.on('message', (reply: Reply) => this.#settle(i, reply));
    worker.on('error', (error: Error) => this.#fail(error));
    worker.on('exit', (code) => {
      if (code !== 0) this.#fail(new Error(`a scan worker exited with code ${code}`));
    });
    this.#workers.push(worker);
    this.#load.push(0);
    // A worker started while jobs wait takes some at once.
    this.#dispatch();
  }

  /** The entry files of `folder`, as `count` digests of `HASH_BYTES` each. */
  async list(folder: string): Promise<{ digests: Buffer; count: number }> {
    const reply = await this.#ask({ kind: 'list', folder });
    return { digests: Buffer.from(reply.digests as ArrayBuffer), count: reply.count as number };
  }

  /** The leading bytes of the files of `folder` named by `digests` (`HASH_BYTES` each). */
  async read(folder: string, digests: Buffer): Promise<PrefixBatch> {
    // The digests' memory is handed to the worker: it must be theirs alone, never a pooled slab.
    const transfer = new ArrayBuffer(digests.length);
    digests.copy(Buffer.from(transfer));
    const reply = await this.#ask({ kind: 'read', folder, digests: transfer }, [transfer]);
    return { bytes: Buffer.from(reply.bytes as ArrayBuffer), failures: reply.failures as string[] };
  }

  /** Jobs posted to the workers and not yet answered: at most `JOBS_PER_WORKER` per worker. */
  get outstanding(): number {
    return this.#load.reduce((sum, load) => sum + load, 0);
  }

  async close(): Promise<void> {
    this.#fail(new Error('scan workers closed'));
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
  }

  #ask(job: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<Reply> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise<Reply>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#queue.push({ message: { ...job, id }, transfer });
      this.#dispatch();
    });
  }

  /** Posts queued jobs, in order, while the workers have room for them. */
  #dispatch(): void {
    while (this.#queue.length > 0) {
      // The least busy worker: a folder's header reads are the unit of work.
      let chosen = 0;
      for (let i = 1; i < this.#load.length; i++)
        if ((this.#load[i] as number) < (this.#load[chosen] as number)) chosen = i;
      const load = this.#load[chosen];
      if (load === undefined || load >= JOBS_PER_WORKER) return;
      this.#load[chosen] = load + 1;
      const { message, transfer } = this.#queue.shift() as Job;
      (this.#workers[chosen] as Worker).postMessage(message, transfer);
    }
  }

  #settle(worker: number, reply: Reply): void {
    this.#load[worker] = (this.#load[worker] as number) - 1;
    this.#dispatch();
    const waiter = this.#pending.get(reply.id);
    if (waiter === undefined) return;
    this.#pending.delete(reply.id);
    if (reply.error === undefined) waiter.resolve(reply);
    else
      waiter.reject(
        Object.assign(new Error(`cannot list a cache folder (${reply.error})`), { code: reply.error }),
      );
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    this.#queue.length = 0;
    for (const waiter of this.#pending.values()) waiter.reject(error);
    this.#pending.clear();
  }
}
