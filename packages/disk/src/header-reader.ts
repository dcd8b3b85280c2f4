import { PREFIX_BYTES, reusableHeader, type EntryHeader } from './entry-file.js';
import { readHeader, readHeaderSync } from './entry-read.js';
import type { FsLayer } from './fs-layer.js';

/** A header read that took this long came from the disk, not the page cache (about 7 µs). */
const SLOW_READ_MS = 1;

/**
 * A scan reads through the thread pool once this many reads were slow, and at least one in
 * `SLOW_SHARE` of all. A scan of 100k cached files met 0-3 reads over 0.2 ms (a JIT
 * compilation, the thread descheduled) and must not switch for them; reads that wait for the
 * disk are nearly all slow.
 */
export const SLOW_READS_TO_POOL = 16;
const SLOW_SHARE = 64;

/** Header reads in flight through the thread pool: enough to keep its four threads busy. */
const POOLED_READS = 8;

/** What a scan does with one file's header: `key` holds the key's bytes after the header. */
export type OnHeader = (header: EntryHeader | 'damaged' | undefined, key: Buffer) => void;

/**
 * Reads the headers of a scan's files, synchronously while they come from the page cache,
 * through the thread pool once they come from the disk.
 *
 * From the page cache a synchronous open + read + close costs about 7 µs, a sixth of the same
 * calls through the promise API (a scan of 100k cached files, after a crash with no snapshot:
 * 0.8 s of CPU against 5 s). After a reboot the files are not cached: each read waits for the
 * disk, which in one run on the project's VM held the event loop for up to 40 ms and took 62 s
 * for 100k files. There, reads in the thread pool keep the event loop free
 * and overlap one another. The switch is one way: a scan that met the disk will meet it again.
 */
export class HeaderReader {
  readonly #fs: FsLayer;
  #reads = 0;
  #slowReads = 0;
  #pooled = false;
  /** Buffers and headers of the pooled reads not in flight. */
  readonly #idle: { buffer: Buffer; header: EntryHeader }[] = [];
  readonly #inFlight = new Set<Promise<void>>();

  constructor(fs: FsLayer) {
    this.#fs = fs;
  }

  /** True once reads go through the thread pool (`read`), not `readSync`. */
  get pooled(): boolean {
    return this.#pooled;
  }

  /**
   * Reads a header with synchronous calls, timing it (the key's bytes are then in
   * `headerBytes`); throws what the file system threw.
   */
  readSync(file: string): EntryHeader | 'damaged' | undefined {
    const started = performance.now();
    const header = readHeaderSync(this.#fs, file);
    this.#reads++;
    if (
      performance.now() - started >= SLOW_READ_MS &&
      ++this.#slowReads >= SLOW_READS_TO_POOL &&
      this.#slowReads * SLOW_SHARE >= this.#reads
    )
      this.#pooled = true;
    return header;
  }

  /**
   * Starts reading a header through the thread pool, first waiting while `POOLED_READS` are in
   * flight. `then` is called when it is read, `fail` if the file system threw.
   */
  async read(file: string, then: OnHeader, fail: (error: unknown) => void): Promise<void> {
    while (this.#inFlight.size >= POOLED_READS) await Promise.race(this.#inFlight);
    const room = this.#idle.pop() ?? { buffer: Buffer.allocUnsafe(PREFIX_BYTES), header: reusableHeader() };
    // `fail` also gets what `then` throws: nothing awaits a read once it has settled.
    const read = readHeader(this.#fs, file, room.buffer, room.header)
      .then((header) => then(header, room.buffer))
      .catch(fail)
      .finally(() => {
        this.#inFlight.delete(read);
        this.#idle.push(room);
      });
    this.#inFlight.add(read);
  }

  /** Resolves when every read started has been handed to its `then` or `fail`. */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.race(this.#inFlight);
  }
}
