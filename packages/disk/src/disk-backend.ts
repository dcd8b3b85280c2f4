import * as path from 'node:path';
import {
  MAX_KEY_BYTES,
  StatsCounter,
  assertCacheKey,
  compilePattern,
  createDefaultLogger,
  deserialize,
  parseTtl,
  rateLimitLogger,
  serialize,
  type CacheBackend,
  type CacheLogger,
  type CacheStats,
  type Ttl,
} from '@cache/core';
import type { Stats } from 'node:fs';
import { writeFileAtomic, writeFileAtomicSync } from './atomic-write.js';
import { DiskIndex, HASH_BYTES, NO_SLOT } from './disk-index.js';
import { HEADER_BYTES, encodeEntry, encodedSize, type EntryHeader } from './entry-file.js';
import { TEMP_FOLDER, entryPath, entryPathForHash } from './entry-path.js';
import {
  claimSync,
  headerBytes,
  readEntry,
  readEntrySync,
  readHeaderSync,
  readSummarySync,
  removeSync,
  type EntrySummary,
  type ReadResult,
} from './entry-read.js';
import { listEntryHashes, listFanOutFolders, listFolderEntries } from './folder-list.js';
import { Newcomers } from './newcomers.js';
import { ReadCache } from './read-cache.js';
import { SNAPSHOT_FILE, readSnapshot, writeSnapshot } from './index-snapshot.js';
import { errorCode, nodeFs, type FsLayer } from './fs-layer.js';
import { resolveDiskOptions, type DiskBackendOptions, type DiskClock } from './options.js';
import { prepareFolder } from './prepare-folder.js';
import { ITEMS_PER_CHECK, Slicer } from './slicer.js';
import { HeaderReader } from './header-reader.js';
import { removeStaleTemps } from './temp-files.js';

/** `stats()` of a disk backend: the common figures plus what only a disk can go through. */
export interface DiskBackendStats extends CacheStats {
  /** `set` calls refused because the entry was over `maxEntryBytes` (or `maxBytes`). */
  oversized: number;
  /** Damaged or foreign files found (each read as a miss, or skipped by a scan) and removed. */
  damaged: number;
  /** Entries in the index: the whole folder once `indexed()` resolved, as of the last sweep. */
  entries: number;
  /** Sum of their file sizes. */
  bytes: number;
  /** `get`/`exists` calls answered from the read cache (a `stat` proved the file unchanged). */
  readCacheHits: number;
}

/**
 * Entries up to this size are read and written with synchronous calls: a page-cache read of
 * a small file takes a few microseconds, far less than the thread-pool round trip of the
 * promise API, and 256 KiB is still well under a millisecond of event-loop time. Larger
 * entries use the promise API so a 16 MiB value never holds the loop.
 */
const SYNC_LIMIT = 256 * 1024;

type Verdict = { readonly ok: true; readonly value: unknown } | { readonly ok: false };
const NOT_FOUND: Verdict = Object.freeze({ ok: false });

/** The sweep rewrites the index snapshot at most this often (disconnect() always does). */
const SNAPSHOT_EVERY_MS = 5 * 60_000;

/** What `#cachedValue` answers when the read cache cannot answer. */
const NOT_CACHED: unique symbol = Symbol('not cached');

/** A first scan that had to read at least this many headers writes a fresh snapshot at once. */
const SNAPSHOT_AFTER_HEADERS = 1024;

/** What the steps of one folder scan share. */
interface ScanRound {
  /** Number of this scan: files it finds are marked with it. */
  readonly mark: number;
  /** The clock when the scan began: entries expired by then are removed. */
  readonly now: number;
  readonly newcomers: Newcomers;
  readonly slicer: Slicer;
  readonly headers: HeaderReader;
  /** True once clear() or disconnect() made the scan obsolete. */
  stopped(): boolean;
}

/**
 * A cache in a folder: one file per entry, named by the SHA-256 of its key, written to a temp
 * file and renamed into place, with an in-memory index for LRU order, sizes and expiries.
 * The files are the truth: every read opens the file, so several processes can share one
 * folder. See `DiskBackendOptions` and the package README.
 */
export class DiskBackend implements CacheBackend {
  readonly name: string = 'disk';
  /** The cache folder, absolute. */
  readonly dir: string;
  readonly #fs: FsLayer;
  readonly #tempDir: string;
  readonly #maxBytes: number;
  readonly #maxEntryBytes: number;
  readonly #defaultTtlMs: number | undefined;
  readonly #sweepIntervalMs: number;
  readonly #fsync: boolean;
  readonly #clock: DiskClock;
  readonly #logger: CacheLogger;
  readonly #index: DiskIndex;
  readonly #readCache: ReadCache;
  readonly #stats = new StatsCounter();
  #oversized = 0;
  #damaged = 0;
  #readCacheHits = 0;
  #connected = false;
  /** Set once the index holds the whole folder: only then is eviction by size sound. */
  #indexComplete = false;
  #indexBuilt: Promise<void> = Promise.resolve();
  /** The scan in progress, if any (one at a time). */
  #scan: Promise<void> | undefined;
  /** Bumped by clear() and disconnect(): a scan begun under an older generation stops and drops its findings. */
  #generation = 0;
  #scanCount = 0;
  /** Keys removed while a scan runs, so the scan does not bring them back into the index. */
  readonly #removedWhileScanning = new Set<string>();
  #scanning = false;
  #bytesSinceScan = 0;
  /** When the snapshot was last written (or connect() ran), by the wall clock. */
  #snapshotAt = 0;
  #snapshotWrite: Promise<void> = Promise.resolve();
  /** Where a scan parses a file name into a digest. */
  readonly #digestScratch: Buffer = Buffer.alloc(HASH_BYTES);
  #sweepTimer: ReturnType<typeof setInterval> | undefined;

  /**
   * @param options see `DiskBackendOptions`.
   * @param fsLayer the file system; tests pass one that fails on purpose. Default: `node:fs`.
   */
  constructor(options: DiskBackendOptions, fsLayer: FsLayer = nodeFs) {
    const resolved = resolveDiskOptions(options);
    this.dir = resolved.dir;
    this.#fs = fsLayer;
    this.#tempDir = path.join(resolved.dir, TEMP_FOLDER);
    this.#maxBytes = resolved.maxBytes;
    this.#maxEntryBytes = resolved.maxEntryBytes;
    this.#defaultTtlMs = resolved.defaultTtlMs;
    this.#sweepIntervalMs = resolved.sweepIntervalMs;
    this.#fsync = resolved.fsync;
    this.#clock = resolved.clock;
    this.#readCache = new ReadCache(resolved.readCacheBytes);
    // Until connect() has probed the file system, assume whole-second timestamps (the cautious side).
    this.#readCache.setTimestampResolution(false);
    this.#index = new DiskIndex(resolved.dir, (slot) => this.#readCache.drop(slot));
    this.#logger = rateLimitLogger(resolved.logger ?? createDefaultLogger());
    if (resolved.unknownKeys.length > 0) {
      this.#logger.warn(
        `[disk] unknown option${resolved.unknownKeys.length > 1 ? 's' : ''} ${resolved.unknownKeys.map((k) => `'${k}'`).join(', ')} ignored ` +
          '(known: dir, maxBytes, maxEntryBytes, defaultTtl, sweepIntervalMs, fsync, readCacheBytes, logger, clock)',
      );
    }
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    assertCacheKey(key);
    let slot = this.#index.find(key);
    if (slot !== NO_SLOT && this.#readCache.holds(slot)) {
      const cached = this.#cachedValue(slot);
      if (cached !== NOT_CACHED) {
        this.#stats.hits++;
        this.#readCacheHits++;
        this.#index.touch(slot);
        return cached as T;
      }
    }
    const file = slot === NO_SLOT ? entryPath(this.dir, key) : this.#index.pathOf(slot);
    let result: ReadResult;
    try {
      result = readEntrySync(this.#fs, file, SYNC_LIMIT, this.#readCache.enabled);
      if (result.status === 'large') {
        result = await readEntry(this.#fs, file);
        slot = this.#index.find(key); // the slot may have been freed or reused meanwhile
      }
    } catch (error) {
      this.#failed('read', file, error);
      this.#stats.misses++;
      return undefined;
    }
    if (result.status === 'found') {
      const entry = result.entry;
      if (entry.key === key && (entry.expiresAt === 0 || entry.expiresAt > this.#clock.now())) {
        const value = deserialize(entry.text);
        if (value !== undefined) {
          this.#stats.hits++;
          const index = this.#index;
          if (
            slot !== NO_SLOT &&
            index.sizeOf(slot) === entry.totalBytes &&
            index.expiresAtOf(slot) === entry.expiresAt
          ) {
            index.touch(slot);
          } else {
            slot = index.record(key, file, entry.totalBytes, entry.expiresAt);
          }
          if (result.identity !== undefined) {
            this.#readCache.store(slot, result.identity, entry.expiresAt, entry.text, value, Date.now());
          }
          return value as T;
        }
      }
    }
    this.#stats.misses++;
    this.#dismiss(key, file, slot, result);
    return undefined;
  }

  async set(key: string, value: unknown, ttl?: Ttl): Promise<boolean> {
    assertCacheKey(key);
    const ttlMs = ttl === undefined ? this.#defaultTtlMs : parseTtl(ttl);
    const text = serialize(value);
    const keyBytes = Buffer.byteLength(key, 'utf8');
    const valueBytes = Buffer.byteLength(text, 'utf8');
    const size = encodedSize(keyBytes, valueBytes);
    const known = this.#index.find(key);
    const file = known === NO_SLOT ? entryPath(this.dir, key) : this.#index.pathOf(known);
    if (size > this.#maxEntryBytes) {
      this.#oversized++;
      // The caller meant to replace the value: the old one must not stay readable.
      this.#removeQuietly(key, file, known);
      return false;
    }
    const now = this.#clock.now();
    const expiresAt = ttlMs === undefined ? 0 : now + ttlMs;
    const data = encodeEntry(key, keyBytes, text, valueBytes, expiresAt, now);
    try {
      if (size <= SYNC_LIMIT && !this.#fsync) {
        writeFileAtomicSync(this.#fs, this.#tempDir, file, data, known !== NO_SLOT);
      } else await writeFileAtomic(this.#fs, this.#tempDir, file, data, this.#fsync);
    } catch (error) {
      this.#failed('write', file, error);
      this.#removeQuietly(key, file, this.#index.find(key));
      return false;
    }
    this.#stats.sets++;
    const slot = this.#index.record(key, file, size, expiresAt);
    // The file was replaced: a value read from the old one must go (the stat check would
    // catch it too; this frees the memory at once).
    this.#readCache.drop(slot);
    this.#bytesSinceScan += size;
    this.#enforceMaxBytes(slot);
    // Other processes' writes are only seen by re-reading the folder: do it after every
    // maxBytes/8 written here. A caller that never lets the event loop turn (a bulk-load
    // loop of awaited sets that complete synchronously) would starve that re-read, so after
    // maxBytes/4 this set waits for it: the overshoot per writing process stays bounded.
    if (this.#bytesSinceScan > this.#maxBytes / 8 && this.#connected) {
      const scan = this.#scan ?? this.#startScan(false);
      if (this.#bytesSinceScan > this.#maxBytes / 4) await scan;
    }
    return true;
  }

  async getAndDelete<T = unknown>(key: string): Promise<T | undefined> {
    assertCacheKey(key);
    const known = this.#index.find(key);
    const file = known === NO_SLOT ? entryPath(this.dir, key) : this.#index.pathOf(known);
    // Claim by rename: of all processes racing for this file, exactly one gets it.
    let claimed: string | undefined;
    try {
      claimed = claimSync(this.#fs, file, this.#tempDir);
    } catch (error) {
      this.#failed('claim', file, error);
      this.#stats.misses++;
      return undefined;
    }
    this.#forget(key, known);
    if (claimed === undefined) {
      this.#stats.misses++;
      return undefined;
    }
    let verdict: Verdict = NOT_FOUND;
    try {
      let result = readEntrySync(this.#fs, claimed, SYNC_LIMIT);
      if (result.status === 'large') result = await readEntry(this.#fs, claimed);
      verdict = this.#judge(key, result);
    } catch (error) {
      this.#failed('read', claimed, error);
    } finally {
      this.#removeFileQuietly(claimed);
    }
    if (!verdict.ok) {
      this.#stats.misses++;
      return undefined;
    }
    this.#stats.hits++;
    this.#stats.deletes++;
    return verdict.value as T;
  }

  async delete(key: string): Promise<boolean> {
    assertCacheKey(key);
    return this.#deleteKey(key);
  }

  async deletePattern(pattern: string): Promise<number> {
    const compiled = compilePattern(pattern);
    if (compiled.isLiteral) {
      const key = compiled.literalPrefix;
      if (key === '' || Buffer.byteLength(key) > MAX_KEY_BYTES) return 0;
      return this.#deleteKey(key) ? 1 : 0;
    }
    // The folder, not the index, is the truth: other processes' entries match too.
    let hashes: string[];
    try {
      hashes = await listEntryHashes(this.dir, new Slicer());
    } catch (error) {
      this.#failed('list', this.dir, error);
      return 0;
    }
    let deleted = 0;
    const slicer = new Slicer();
    for (const hash of hashes) {
      if (slicer.due()) await slicer.pause();
      const known = this.#index.findByName(hash);
      const file = known === NO_SLOT ? entryPathForHash(this.dir, hash) : this.#index.pathOf(known);
      let key = known === NO_SLOT ? undefined : this.#index.keyOf(known);
      if (key === undefined) {
        const summary = this.#summarize(file, this.#clock.now());
        if (summary === undefined) continue;
        key = summary.key;
      }
      if (compiled.matches(key) && this.#deleteOne(key, file, known)) deleted++;
    }
    return deleted;
  }

  async exists(key: string): Promise<boolean> {
    assertCacheKey(key);
    const known = this.#index.find(key);
    if (known !== NO_SLOT && this.#readCache.holds(known) && this.#cachedValue(known, false) !== NOT_CACHED) {
      this.#readCacheHits++;
      return true;
    }
    const file = known === NO_SLOT ? entryPath(this.dir, key) : this.#index.pathOf(known);
    let result: ReadResult;
    try {
      result = readEntrySync(this.#fs, file, SYNC_LIMIT);
      if (result.status === 'large') {
        // Checking a 16 MiB checksum to answer a yes/no is not worth it: trust the header.
        const summary = readSummarySync(this.#fs, file);
        return (
          typeof summary === 'object' &&
          summary.key === key &&
          (summary.expiresAt === 0 || summary.expiresAt > this.#clock.now())
        );
      }
    } catch (error) {
      this.#failed('read', file, error);
      return false;
    }
    if (result.status === 'found') {
      const entry = result.entry;
      if (entry.key === key && (entry.expiresAt === 0 || entry.expiresAt > this.#clock.now())) return true;
    }
    this.#dismiss(key, file, known, result);
    return false;
  }

  async clear(): Promise<void> {
    // A scan in progress would re-add what is about to be removed: make it stop.
    this.#generation++;
    this.#scanning = false;
    this.#removedWhileScanning.clear();
    this.#index.clear();
    this.#readCache.clear();
    if (this.#connected) this.#indexComplete = true;
    let hashes: string[];
    try {
      hashes = await listEntryHashes(this.dir, new Slicer());
    } catch (error) {
      this.#failed('list', this.dir, error);
      return;
    }
    await this.#snapshotWrite;
    this.#removeFileQuietly(path.join(this.dir, SNAPSHOT_FILE));
    const slicer = new Slicer();
    for (const hash of hashes) {
      if (slicer.due()) await slicer.pause();
      this.#removeFileQuietly(entryPathForHash(this.dir, hash));
    }
    // Entries written while the folder was being emptied stay, and stay known.
  }

  /**
   * Checks the folder (creating it if its parent exists), removes temp files abandoned by
   * dead processes, and starts rebuilding the index in the background: it resolves before
   * the index is complete (reads never need the index), see `indexed()`. Rejects with a
   * `CacheBackendError` naming the folder when it cannot be created or written. Idempotent.
   */
  async connect(): Promise<void> {
    if (this.#connected) return;
    const traits = prepareFolder(this.#fs, this.dir, this.#tempDir);
    this.#readCache.setTimestampResolution(traits.subSecondTimestamps);
    await removeStaleTemps(this.#fs, this.#tempDir, Date.now());
    if (this.#connected) return;
    this.#connected = true;
    this.#indexComplete = false;
    this.#snapshotAt = Date.now();
    this.#indexBuilt = this.#startScan(true);
    if (this.#sweepIntervalMs > 0) {
      this.#sweepTimer = setInterval(() => void this.sweep(), this.#sweepIntervalMs);
      this.#sweepTimer.unref();
    }
  }

  /**
   * Stops the sweep and any scan, saves the index snapshot (so the next `connect()` need not
   * read every file's header), and forgets the index. Files stay. Idempotent.
   */
  async disconnect(): Promise<void> {
    const wasComplete = this.#connected && this.#indexComplete;
    this.#connected = false;
    if (this.#sweepTimer !== undefined) clearInterval(this.#sweepTimer);
    this.#sweepTimer = undefined;
    this.#generation++;
    const scan = this.#scan;
    if (scan !== undefined) await scan;
    await this.#snapshotWrite;
    if (wasComplete) await this.#saveSnapshot();
    this.#index.clear();
    this.#readCache.clear();
    this.#indexComplete = false;
  }

  /** True between a successful `connect()` and `disconnect()`. */
  isAvailable(): boolean {
    return this.#connected;
  }

  stats(): DiskBackendStats {
    const snapshot = this.#stats.snapshot({ entries: this.#index.size, bytes: this.#index.bytes });
    return Object.assign(snapshot, {
      oversized: this.#oversized,
      damaged: this.#damaged,
      entries: this.#index.size,
      bytes: this.#index.bytes,
      readCacheHits: this.#readCacheHits,
    });
  }

  /**
   * Resolves when the index built by `connect()` holds the whole folder (until then reads
   * and writes work, but eviction by `maxBytes` waits). Never rejects.
   */
  indexed(): Promise<void> {
    return this.#indexBuilt;
  }

  /**
   * Runs one sweep now (the timer runs it every `sweepIntervalMs`): re-reads the folder,
   * learns entries other processes wrote, forgets those they removed, deletes expired files
   * and evicts down to `maxBytes`. Never rejects.
   */
  async sweep(): Promise<void> {
    if (this.#scan !== undefined) await this.#scan;
    if (!this.#connected) return;
    await this.#startScan(false);
    if (this.#indexComplete && this.#connected && Date.now() - this.#snapshotAt >= SNAPSHOT_EVERY_MS) {
      await this.#saveSnapshot();
    }
  }

  // ---- internals ----

  #startScan(initial: boolean): Promise<void> {
    const scan = this.#scanFolder(initial)
      .catch((error: unknown) => this.#failed('scan', this.dir, error))
      .finally(() => {
        if (this.#scan === scan) this.#scan = undefined;
      });
    this.#scan = scan;
    return scan;
  }

  /*
   * A scan, in slices of a millisecond on this thread. The first scan after connect() first
   * reads the index snapshot into the index (at the old end: anything touched since connect()
   * is newer). Then, one fan-out folder at a time (listed with readdir):
   *   for each file: in the index → mark it seen; else read its header (key, expiry, size,
   *     write time), removing it if damaged or expired, and file it in the index detached;
   *   for each index entry: not seen and not written since the scan began → its file is
   *     gone, forget it; expired → re-read its header (another process may have rewritten
   *     it) and remove it if it is still expired;
   *   place the detached newcomers by write time: on the first scan at the old end (their
   *     recency is unknown), on later scans at the new end (other processes wrote them lately);
   *   evict down to maxBytes.
   * clear() and disconnect() bump the generation, which makes a running scan stop.
   */
  async #scanFolder(initial: boolean): Promise<void> {
    const generation = this.#generation;
    const mark = ++this.#scanCount;
    const index = this.#index;
    const startStamp = index.stamp;
    this.#scanning = true;
    this.#removedWhileScanning.clear();
    const stopped = (): boolean => generation !== this.#generation;
    const slicer = new Slicer();
    const removed = this.#removedWhileScanning;
    let scan: ScanRound | undefined;
    try {
      const listing = listFanOutFolders(this.#fs, this.dir);
      if (initial) {
        const now = this.#clock.now();
        await readSnapshot(
          this.#fs,
          this.dir,
          slicer,
          (count) => index.reserve(index.size + count),
          (bytes, digestStart, keyStart, keyLength, size, expiresAt) => {
            if ((expiresAt !== 0 && expiresAt <= now) || stopped()) return;
            if (removed.size !== 0 && removed.has(bytes.toString('utf8', keyStart, keyStart + keyLength)))
              return;
            index.addOldest(bytes, keyStart, keyLength, bytes, digestStart, size, expiresAt);
          },
        ).catch((error: unknown) => this.#failed('snapshot', this.dir, error));
      }
      const folders = await listing;
      if (stopped()) return;
      scan = {
        mark,
        now: this.#clock.now(),
        newcomers: new Newcomers(),
        slicer,
        headers: new HeaderReader(this.#fs),
        stopped,
      };
      if (folders.length > 0) {
        await this.#scanFolderHere(folders[0] as string, scan);
        if (stopped()) return;
        const rest = folders.slice(1);
        // Files spread evenly over the fan-out folders (they are named by a hash), so the
        // first folder predicts the whole scan.
        const expectedNew = Math.ceil(scan.newcomers.count * folders.length * 1.25);
        // Growing the index for 100k entries costs a few ms: each part gets a turn of its own.
        await slicer.pause();
        if (stopped()) return;
        scan.newcomers.reserve(expectedNew);
        for (const _ of index.reserving(index.size + expectedNew)) await slicer.pause();
        await slicer.pause();
        for (const folder of rest) {
          if (stopped()) return;
          await this.#scanFolderHere(folder, scan);
        }
      }
      if (stopped()) return;
      const { now, newcomers } = scan;
      for (let slot = 0; slot < index.slotLimit; slot++) {
        if (slot % ITEMS_PER_CHECK === 0 && slicer.due()) {
          await slicer.pause();
          if (stopped()) return;
        }
        if (!index.isLive(slot)) continue;
        if (index.seenOf(slot) !== mark && index.stampOf(slot) <= startStamp) {
          index.delete(slot); // its file is gone (deleted by another process)
        } else {
          const expiresAt = index.expiresAtOf(slot);
          if (expiresAt !== 0 && expiresAt <= now) this.#purgeIfExpired(slot, now);
        }
      }
      const headersRead = newcomers.count;
      await newcomers.place(index, initial, slicer);
      if (stopped()) return;
      if (initial) this.#indexComplete = true;
      this.#bytesSinceScan = 0;
      this.#enforceMaxBytes(NO_SLOT);
      // After a crash (no snapshot, or an old one) write one now rather than at the next
      // periodic save, so that a process that crashes again soon does not read them all again.
      if (initial && headersRead >= SNAPSHOT_AFTER_HEADERS) void this.#saveSnapshot();
    } finally {
      // A scan that failed half-way must not leave entries outside the LRU order (they would
      // count in bytes but never be evicted).
      scan?.newcomers.placeUnordered(index);
      if (!stopped()) {
        this.#scanning = false;
        this.#removedWhileScanning.clear();
      }
      if (initial && stopped() && this.#connected) this.#indexComplete = true;
    }
  }

  /**
   * One fan-out folder of a scan, on this thread: marks the files the index knows as seen,
   * reads the headers of the others (removing damaged and expired ones) into the newcomers.
   */
  async #scanFolderHere(folder: string, scan: ScanRound): Promise<void> {
    const index = this.#index;
    const names = listFolderEntries(this.#fs, this.dir, folder);
    const headers = scan.headers;
    for (const name of names) {
      if (scan.slicer.due()) {
        await scan.slicer.pause();
        if (scan.stopped()) break;
      }
      const slot = index.findByName(name);
      if (slot !== NO_SLOT) {
        index.markSeen(slot, scan.mark);
        continue;
      }
      const file = this.dir + path.sep + folder + path.sep + name;
      if (headers.pooled) {
        await headers.read(
          file,
          (header, key) => this.#fileScanned(scan, file, name, header, key),
          (error) => this.#failed('read', file, error),
        );
        if (scan.stopped()) break;
        continue;
      }
      // No closure per file here: this is the hot loop of a 100k-file scan.
      let header: EntryHeader | 'damaged' | undefined;
      try {
        header = headers.readSync(file);
      } catch (error) {
        this.#failed('read', file, error);
        continue;
      }
      this.#fileScanned(scan, file, name, header, headerBytes);
    }
    await headers.drain();
  }

  /** Files what a scan read of the file `name` (its key's bytes after the header in `key`). */
  #fileScanned(
    scan: ScanRound,
    file: string,
    name: string,
    header: EntryHeader | 'damaged' | undefined,
    key: Buffer,
  ): void {
    const live = this.#judged(file, header, scan.now);
    if (live === undefined || scan.stopped()) return;
    const digest = this.#digestScratch;
    digest.write(name, 0, HASH_BYTES, 'hex');
    this.#file(scan, live, key, HEADER_BYTES, digest, 0);
  }

  /**
   * Files an entry a scan found (its header decoded, its key's bytes at `key[keyStart…]`, its
   * name at `digest[digestStart…]`) in the index, detached until the scan orders it by age;
   * unless this process removed that key while the scan ran (the scan saw the file before).
   */
  #file(
    scan: ScanRound,
    header: EntryHeader,
    key: Buffer,
    keyStart: number,
    digest: Uint8Array,
    digestStart: number,
  ): void {
    const removed = this.#removedWhileScanning;
    if (removed.size !== 0 && removed.has(key.toString('utf8', keyStart, keyStart + header.keyBytes))) return;
    const slot = this.#index.addDetached(
      key,
      keyStart,
      header.keyBytes,
      digest,
      digestStart,
      header.totalBytes,
      header.expiresAt,
    );
    if (slot === NO_SLOT) return;
    this.#index.markSeen(slot, scan.mark);
    scan.newcomers.push(this.#index, slot, header.writtenAt);
  }

  /** Writes the index snapshot; a failure is logged and counted, never thrown. */
  #saveSnapshot(): Promise<void> {
    const write = (async () => {
      this.#snapshotAt = Date.now();
      try {
        await writeSnapshot(this.#fs, this.dir, this.#tempDir, this.#index, new Slicer());
      } catch (error) {
        this.#failed('snapshot', this.dir, error);
      }
    })();
    this.#snapshotWrite = write;
    return write;
  }

  /**
   * Header of a file a scan found (its key's bytes then in `headerBytes`); removes (and
   * counts) the file when damaged or expired.
   */
  #scanHeader(file: string, now: number): EntryHeader | undefined {
    let header: EntryHeader | 'damaged' | undefined;
    try {
      header = readHeaderSync(this.#fs, file);
    } catch (error) {
      this.#failed('read', file, error);
      return undefined;
    }
    return this.#judged(file, header, now);
  }

  /** A header a scan read, if its entry is live; a damaged or expired file is removed. */
  #judged(file: string, header: EntryHeader | 'damaged' | undefined, now: number): EntryHeader | undefined {
    if (header === undefined) return undefined;
    if (header === 'damaged') {
      this.#damagedFile(file);
      return undefined;
    }
    if (header.expiresAt !== 0 && header.expiresAt <= now) {
      if (this.#removeFileQuietly(file)) this.#stats.expirations++;
      return undefined;
    }
    return header;
  }

  /** `#scanHeader` with the key decoded. */
  #summarize(file: string, now: number): EntrySummary | undefined {
    const header = this.#scanHeader(file, now);
    if (header === undefined) return undefined;
    return {
      key: headerBytes.toString('utf8', HEADER_BYTES, HEADER_BYTES + header.keyBytes),
      expiresAt: header.expiresAt,
      totalBytes: header.totalBytes,
      writtenAt: header.writtenAt,
    };
  }

  /** An index entry that looked expired: check the file itself before removing it. */
  #purgeIfExpired(slot: number, now: number): void {
    const key = this.#index.keyOf(slot) as string;
    const summary = this.#summarize(this.#index.pathOf(slot), now);
    if (summary === undefined || summary.key !== key) {
      this.#forget(key, slot);
      return;
    }
    // Rewritten by another process with a later expiry: keep it, with what the file says.
    this.#index.update(slot, summary.totalBytes, summary.expiresAt);
  }

  /** Only a complete index knows the folder's size; until then eviction waits. */
  #enforceMaxBytes(justWritten: number): void {
    if (!this.#indexComplete) return;
    const index = this.#index;
    const now = this.#clock.now();
    while (index.bytes > this.#maxBytes) {
      const victim = index.oldest();
      if (victim === NO_SLOT || victim === justWritten) break;
      const key = index.keyOf(victim) as string;
      const file = index.pathOf(victim);
      const expiresAt = index.expiresAtOf(victim);
      index.delete(victim);
      if (this.#scanning) this.#removedWhileScanning.add(key);
      if (this.#removeFileQuietly(file)) {
        if (expiresAt !== 0 && expiresAt <= now) this.#stats.expirations++;
        else this.#stats.evictions++;
      }
    }
  }

  #deleteKey(key: string): boolean {
    const known = this.#index.find(key);
    return this.#deleteOne(
      key,
      known === NO_SLOT ? entryPath(this.dir, key) : this.#index.pathOf(known),
      known,
    );
  }

  /** Delete through a claim, so that of several processes deleting one key, one answers true. */
  #deleteOne(key: string, file: string, known: number): boolean {
    let claimed: string | undefined;
    try {
      claimed = claimSync(this.#fs, file, this.#tempDir);
    } catch (error) {
      this.#failed('delete', file, error);
      return false;
    }
    this.#forget(key, known);
    if (claimed === undefined) return false;
    let summary: EntrySummary | 'damaged' | undefined;
    try {
      summary = readSummarySync(this.#fs, claimed);
    } catch {
      summary = undefined;
    }
    this.#removeFileQuietly(claimed);
    const live =
      typeof summary === 'object' &&
      summary.key === key &&
      (summary.expiresAt === 0 || summary.expiresAt > this.#clock.now());
    if (live) this.#stats.deletes++;
    return live;
  }

  /**
   * The read cache's value for `slot` if a `stat` of its file shows the very file the value
   * was read from and the value has not expired; else drops it and answers `NOT_CACHED`.
   * With `decode` false, answers `true` instead of the value (for `exists`).
   */
  #cachedValue(slot: number, decode = true): unknown {
    const cache = this.#readCache;
    let current: Stats | undefined;
    try {
      current = this.#fs.statIfExistsSync(this.#index.pathOf(slot));
    } catch {
      current = undefined; // the read that follows meets the error again and reports it
    }
    if (current !== undefined && cache.matches(slot, current)) {
      const expiresAt = cache.expiresAtOf(slot);
      if (expiresAt === 0 || expiresAt > this.#clock.now()) return decode ? cache.value(slot) : true;
    }
    cache.drop(slot);
    return NOT_CACHED;
  }

  /** What a claimed file holds, for `getAndDelete`. */
  #judge(key: string, result: ReadResult): Verdict {
    if (result.status !== 'found') {
      if (result.status === 'damaged') this.#damaged++;
      return NOT_FOUND;
    }
    const entry = result.entry;
    if (entry.key !== key) {
      this.#damaged++;
      return NOT_FOUND;
    }
    if (entry.expiresAt !== 0 && entry.expiresAt <= this.#clock.now()) {
      this.#stats.expirations++;
      return NOT_FOUND;
    }
    const value = deserialize(entry.text);
    if (value === undefined) {
      this.#damaged++;
      return NOT_FOUND;
    }
    return { ok: true, value };
  }

  /** After a read that did not produce a value: clean up what it found. */
  #dismiss(key: string, file: string, known: number, result: ReadResult): void {
    if (result.status === 'missing') {
      this.#forget(key, known);
      return;
    }
    if (result.status === 'found') {
      const entry = result.entry;
      if (entry.key === key && entry.expiresAt !== 0 && entry.expiresAt <= this.#clock.now()) {
        this.#forget(key, known);
        if (this.#removeFileQuietly(file)) this.#stats.expirations++;
        return;
      }
      // Otherwise: a key mismatch (a foreign file under this name) or text that does not decode.
    }
    this.#forget(key, known);
    this.#damagedFile(file);
  }

  #damagedFile(file: string): void {
    this.#damaged++;
    this.#logger.warn('[disk] removed a damaged or foreign file from the cache folder', { path: file });
    this.#removeFileQuietly(file);
  }

  /** Drops `key` (at `known`, or `NO_SLOT`) from the index, and keeps a running scan from re-adding it. */
  #forget(key: string, known: number): void {
    if (known !== NO_SLOT) this.#index.delete(known);
    if (this.#scanning) this.#removedWhileScanning.add(key);
  }

  /**
   * Removes a key's file after a refused or failed write. Not counted as an error: when the
   * folder is unusable the write failure already was.
   */
  #removeQuietly(key: string, file: string, known: number): void {
    this.#forget(key, known);
    try {
      removeSync(this.#fs, file);
    } catch {
      // See above.
    }
  }

  /** Answers whether this call removed the file. Failures are counted, never thrown. */
  #removeFileQuietly(file: string): boolean {
    try {
      return removeSync(this.#fs, file);
    } catch (error) {
      this.#failed('remove', file, error);
      return false;
    }
  }

  #failed(operation: string, file: string, error: unknown): void {
    this.#stats.errors++;
    const code = errorCode(error) ?? (error instanceof Error ? error.name : 'error');
    this.#logger.warn(`[disk] ${operation} failed (${code}); the operation answered a miss/false`, {
      path: file,
      error,
    });
  }
}
