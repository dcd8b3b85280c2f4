import * as path from 'node:path';
import { CacheConfigError, isCacheLogger, parseOptionalTtl, type CacheLogger, type Ttl } from '@cache/core';

/** A wall clock in epoch milliseconds. `Date` satisfies it. */
export interface DiskClock {
  now(): number;
}

/** Options of `new DiskBackend(options)`. Only `dir` is required. */
export interface DiskBackendOptions {
  /**
   * The cache folder. `connect()` creates it if its parent exists (mode 0700: a cache may hold
   * private data) and rejects with a `CacheBackendError` naming the path when it cannot be
   * created or written. Relative paths are resolved against the working directory once, at
   * construction. Several processes may share one folder. Everything in it belongs to the
   * cache: `clear()` removes every entry file in it. Environment: `CACHE_DISK_DIR`.
   */
  dir: string;
  /**
   * Upper bound on the sum of entry file sizes (header + key + value). Least recently used
   * entries are evicted to stay under it. With several processes on one folder, each evicts
   * from what it has seen, so the folder may briefly exceed this by up to an eighth of it per
   * writing process (see the README). A positive integer. Environment: `CACHE_MAX_BYTES`.
   * @default 536_870_912 (512 MiB)
   */
  maxBytes?: number | undefined;
  /**
   * Largest single entry file (header + key + value). A larger `set` answers `false`, is
   * counted in `stats().oversized`, and removes any older value under that key, so a read
   * never returns a value the caller meant to replace. When `maxBytes` is smaller, `maxBytes`
   * is the effective limit. A positive integer. Environment: `CACHE_MAX_ENTRY_BYTES`.
   * @default 16_777_216 (16 MiB)
   */
  maxEntryBytes?: number | undefined;
  /**
   * TTL of a `set` that passes none: a number of seconds or a duration string (`'5m'`).
   * @default undefined (entries live until evicted or deleted)
   */
  defaultTtl?: Ttl | undefined;
  /**
   * How often the background sweep runs, in ms: it removes expired files and picks up files
   * other processes wrote or deleted, so size accounting and eviction see the whole folder.
   * The timer is unref'ed (it never keeps the process alive). `0` turns the periodic sweep
   * off (expired entries are then removed when read, and the folder is re-read only after
   * every `maxBytes / 8` bytes written). A non-negative integer.
   * @default 60_000
   */
  sweepIntervalMs?: number | undefined;
  /**
   * `true`: every `set` flushes the file (fdatasync) before renaming it into place and the
   * folder (fsync) after, so an entry whose `set` answered `true` survives a power loss or a
   * kernel crash. Costs a few ms per write on most disks. `false`: entries survive a killed
   * process (the page cache is the kernel's), and after a power loss a recent entry may be
   * missing or, if its file was torn, detected by its checksum and read as a miss: never a
   * wrong value. See the README.
   * @default false
   */
  fsync?: boolean | undefined;
  /**
   * Memory for decoded values of recently read entries (up to an eighth of this each), counted
   * in entry file bytes. A `get` of such an entry then costs one `stat` of its file, which
   * proves the file is still the one the value was read from (a write or delete by any process
   * replaces or removes the file), instead of reading, checking and decoding it again. Values
   * of files younger than 100 ms are not kept (see the README for why that makes the check
   * sound). `0` turns it off: every `get` reads its file. A non-negative integer.
   * @default 16_777_216 (16 MiB)
   */
  readCacheBytes?: number | undefined;
  /** Where warnings go (damaged files, write failures). @default the toolkit's default logger */
  logger?: CacheLogger | undefined;
  /**
   * The wall clock expiries are measured with (they are stored as epoch ms, so processes
   * sharing a folder agree). For tests: pass an object whose `now()` you advance.
   * @default Date
   */
  clock?: DiskClock | undefined;
}

/** Options after validation and defaults. */
export interface ResolvedDiskOptions {
  /** Absolute, normalized. */
  dir: string;
  maxBytes: number;
  /** `min(maxEntryBytes, maxBytes)`. */
  maxEntryBytes: number;
  defaultTtlMs: number | undefined;
  sweepIntervalMs: number;
  fsync: boolean;
  readCacheBytes: number;
  logger: CacheLogger | undefined;
  clock: DiskClock;
  unknownKeys: string[];
}

export const DEFAULT_MAX_BYTES: number = 512 * 1024 * 1024;
export const DEFAULT_MAX_ENTRY_BYTES: number = 16 * 1024 * 1024;
export const DEFAULT_SWEEP_INTERVAL_MS: number = 60_000;
export const DEFAULT_READ_CACHE_BYTES: number = 16 * 1024 * 1024;

const KNOWN_KEYS: ReadonlySet<string> = new Set([
  'dir',
  'maxBytes',
  'maxEntryBytes',
  'defaultTtl',
  'sweepIntervalMs',
  'fsync',
  'readCacheBytes',
  'logger',
  'clock',
  // A top-level config option the manager may hand to every backend; the folder is the namespace.
  'keyPrefix',
]);

const describe = (value: unknown): string =>
  typeof value === 'string'
    ? JSON.stringify(value)
    : typeof value === 'object' && value !== null
      ? typeof value
      : String(value);

function integer(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new CacheConfigError(
      `disk backend: ${name} must be a ${min === 0 ? 'non-negative' : 'positive'} integer (got ${describe(value)})`,
    );
  }
  return value;
}

/** Checks every option and fills in defaults; each message names the option at fault. */
export function resolveDiskOptions(options: DiskBackendOptions): ResolvedDiskOptions {
  if (typeof options !== 'object' || options === null) {
    throw new CacheConfigError(
      `disk backend: options must be an object with a dir (got ${describe(options)})`,
    );
  }
  const { dir, logger, clock } = options;
  if (typeof dir !== 'string' || dir.trim() === '') {
    throw new CacheConfigError(
      `disk backend: dir must be a non-empty string naming the cache folder (got ${describe(dir)})`,
    );
  }
  if (dir.includes('\0')) throw new CacheConfigError('disk backend: dir must not contain a NUL character');
  const maxBytes = integer('maxBytes', options.maxBytes, DEFAULT_MAX_BYTES, 1);
  const maxEntryBytes = integer('maxEntryBytes', options.maxEntryBytes, DEFAULT_MAX_ENTRY_BYTES, 1);
  const sweepIntervalMs = integer('sweepIntervalMs', options.sweepIntervalMs, DEFAULT_SWEEP_INTERVAL_MS, 0);
  const readCacheBytes = integer('readCacheBytes', options.readCacheBytes, DEFAULT_READ_CACHE_BYTES, 0);
  const defaultTtlMs = parseOptionalTtl(options.defaultTtl, 'disk backend: defaultTtl');
  if (options.fsync !== undefined && typeof options.fsync !== 'boolean') {
    throw new CacheConfigError(`disk backend: fsync must be a boolean (got ${describe(options.fsync)})`);
  }
  if (logger !== undefined && !isCacheLogger(logger)) {
    throw new CacheConfigError('disk backend: logger must have warn() and error() methods');
  }
  if (
    clock !== undefined &&
    (typeof clock !== 'object' || clock === null || typeof clock.now !== 'function')
  ) {
    throw new CacheConfigError('disk backend: clock must have a now() method returning epoch milliseconds');
  }
  return {
    dir: path.resolve(dir),
    maxBytes,
    maxEntryBytes: Math.min(maxEntryBytes, maxBytes),
    defaultTtlMs,
    sweepIntervalMs,
    fsync: options.fsync ?? false,
    readCacheBytes,
    logger,
    clock: clock ?? Date,
    unknownKeys: Object.keys(options).filter((key) => !KNOWN_KEYS.has(key)),
  };
}
