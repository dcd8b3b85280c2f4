import { CacheConfigError, isCacheLogger, parseOptionalTtl, type CacheLogger, type Ttl } from '@cache/core';

/** A monotonic millisecond clock. `performance` satisfies it. */
export interface MemoryClock {
  now(): number;
}

/** Options of `new MemoryBackend(options)`. Every one is optional. */
export interface MemoryBackendOptions {
  /**
   * Most entries held at once; setting one more evicts the least recently used. A positive
   * integer. lru-cache allocates its bookkeeping arrays for this many entries up front (about
   * 50 bytes each), so size it to the working set rather than "as large as possible".
   * Environment: `CACHE_MAX_ENTRIES`.
   * @default 10_000
   */
  maxEntries?: number | undefined;
  /**
   * Upper bound on the sum of entry sizes, where an entry's size is the UTF-8 byte length of
   * its serialized value (keys and bookkeeping are not counted: see the README for the
   * measured heap per entry). Least recently used entries are evicted to stay under it.
   * A positive integer. Environment: `CACHE_MAX_BYTES`.
   * @default undefined (bounded by `maxEntries` only)
   */
  maxBytes?: number | undefined;
  /**
   * Largest single entry, in UTF-8 bytes of its serialized value. A larger `set` answers
   * `false`, is counted in `stats().oversized`, and removes any older value under that key,
   * so a read never returns a value the caller meant to replace. When `maxBytes` is smaller,
   * `maxBytes` is the effective limit. A positive integer. Environment: `CACHE_MAX_ENTRY_BYTES`.
   * @default 1_048_576 (1 MiB)
   */
  maxEntryBytes?: number | undefined;
  /**
   * TTL of a `set` that passes none: a number of seconds or a duration string (`'5m'`).
   * @default undefined (entries live until evicted or deleted)
   */
  defaultTtl?: Ttl | undefined;
  /**
   * `true`: the serialized text is stored and every `get` decodes a fresh copy, so mutating a
   * returned (or a stored) value never changes the cache. `false`: the value itself is stored
   * and `get` returns that same object: faster reads, but a caller that mutates a returned
   * object (or the object it passed to `set`) changes what every later `get` sees.
   * Values are validated (and sized) the same way in both modes.
   * @default true
   */
  clone?: boolean | undefined;
  /** Where the one-time warnings go (oversized entries, unknown options). @default the toolkit's default logger */
  logger?: CacheLogger | undefined;
  /**
   * The millisecond clock TTLs are measured with. For tests: pass an object whose `now()` you
   * advance, and expiry becomes deterministic (the clock is read on every check, not cached).
   * @default performance
   */
  clock?: MemoryClock | undefined;
}

/** Options after validation and defaults. */
export interface ResolvedMemoryOptions {
  maxEntries: number;
  maxBytes: number | undefined;
  /** The effective per-entry limit: `min(maxEntryBytes, maxBytes)`. */
  maxEntryBytes: number;
  defaultTtlMs: number | undefined;
  clone: boolean;
  logger: CacheLogger | undefined;
  clock: MemoryClock | undefined;
  unknownKeys: string[];
}

export const DEFAULT_MAX_ENTRIES: number = 10_000;
export const DEFAULT_MAX_ENTRY_BYTES: number = 1024 * 1024;
const MAX_ENTRIES_LIMIT = 2 ** 32 - 1;

const KNOWN_KEYS: ReadonlySet<string> = new Set([
  'maxEntries',
  'maxBytes',
  'maxEntryBytes',
  'defaultTtl',
  'clone',
  'logger',
  'clock',
  // Top-level config options the manager may hand to every backend; memory has no use for them.
  'keyPrefix',
]);

const describe = (value: unknown): string =>
  typeof value === 'string'
    ? JSON.stringify(value)
    : typeof value === 'object'
      ? typeof value
      : String(value);

function positiveInteger(name: string, value: unknown, fallback: number): number;
function positiveInteger(name: string, value: unknown, fallback: undefined): number | undefined;
function positiveInteger(name: string, value: unknown, fallback: number | undefined): number | undefined {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new CacheConfigError(`memory backend: ${name} must be a positive integer (got ${describe(value)})`);
  }
  return value;
}

/** Checks every option and fills in defaults; each message names the option at fault. */
export function resolveMemoryOptions(options: MemoryBackendOptions | undefined): ResolvedMemoryOptions {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null) {
    throw new CacheConfigError(`memory backend: options must be an object (got ${describe(options)})`);
  }
  const maxEntries = positiveInteger('maxEntries', options.maxEntries, DEFAULT_MAX_ENTRIES);
  if (maxEntries > MAX_ENTRIES_LIMIT) {
    throw new CacheConfigError(
      `memory backend: maxEntries must be at most ${MAX_ENTRIES_LIMIT}, the length limit of the arrays lru-cache preallocates (got ${maxEntries})`,
    );
  }
  const maxBytes = positiveInteger('maxBytes', options.maxBytes, undefined);
  const maxEntryBytes = positiveInteger('maxEntryBytes', options.maxEntryBytes, DEFAULT_MAX_ENTRY_BYTES);
  const defaultTtlMs = parseOptionalTtl(options.defaultTtl, 'memory backend: defaultTtl');
  if (options.clone !== undefined && typeof options.clone !== 'boolean') {
    throw new CacheConfigError(`memory backend: clone must be a boolean (got ${describe(options.clone)})`);
  }
  const { logger, clock } = options;
  if (logger !== undefined && !isCacheLogger(logger)) {
    throw new CacheConfigError('memory backend: logger must have warn() and error() methods');
  }
  if (
    clock !== undefined &&
    (typeof clock !== 'object' || clock === null || typeof clock.now !== 'function')
  ) {
    throw new CacheConfigError('memory backend: clock must have a now() method returning milliseconds');
  }
  return {
    maxEntries,
    maxBytes,
    maxEntryBytes: maxBytes === undefined ? maxEntryBytes : Math.min(maxEntryBytes, maxBytes),
    defaultTtlMs,
    clone: options.clone ?? true,
    logger,
    clock,
    unknownKeys: Object.keys(options).filter((key) => !KNOWN_KEYS.has(key)),
  };
}
