import {
  CacheConfigError,
  CacheKeyError,
  CacheKeyPatterns,
  SingleFlight,
  createDefaultLogger,
  encodeKeyPart,
  generateHash,
  parseTtl,
  type CacheLogger,
  type CacheManager,
  type Ttl,
} from '@cache/core';
import { assertHashableFilters, type PropertyFilters } from './filters.js';

/** Options of `new PropertyCacheManager(cache, options)`. */
export interface PropertyCacheManagerOptions {
  /**
   * Schema version baked into every key (`properties:v1:…`, `property:42:v1`). Bump it when the
   * shape of a cached list or detail changes, so old entries are never read as the new shape.
   * Letters, digits, `.`, `_` and `-` only. Default `'v1'`.
   */
  version?: string | undefined;
  /** TTL of cached list pages. Default: the backend's `defaultTtl` (none = until invalidated). */
  listTtl?: Ttl | undefined;
  /** TTL of cached property details. Default: the backend's `defaultTtl`. */
  detailTtl?: Ttl | undefined;
  /**
   * Where a cache failure during a read is reported (the loader's result is still returned).
   * Default: the toolkit's rate-limited console logger.
   */
  logger?: CacheLogger | undefined;
}

/** The user part of a list key when there is no user. */
const ANONYMOUS = 'anon';
const VERSION = /^[A-Za-z0-9._-]+$/;

/**
 * Cache keys, read-through helpers and invalidation for a property-listing service:
 * list pages under `properties:{version}:{filterHash}:u{user}:p{page}:l{limit}`, details under
 * `property:{id}:{version}`.
 */
export class PropertyCacheManager {
  readonly #cache: () => CacheManager;
  readonly #version: string;
  readonly #listTtl: Ttl | undefined;
  readonly #detailTtl: Ttl | undefined;
  readonly #logger: CacheLogger;
  readonly #flights = new SingleFlight<string>();
  /**
   * Bumped by every invalidation, before it deletes. A load that started under an older
   * generation may have read the database before the write, so its result is returned to its
   * callers but never stored, and later callers never join its flight: see `#readThrough`.
   */
  #listGeneration = 0;
  #detailGeneration = 0;

  constructor(cache: CacheManager | (() => CacheManager), options: PropertyCacheManagerOptions = {}) {
    if (typeof cache === 'function') {
      this.#cache = cache;
    } else if (typeof cache === 'object' && cache !== null && typeof cache.getOrSet === 'function') {
      this.#cache = () => cache;
    } else {
      throw new CacheConfigError('PropertyCacheManager needs a CacheManager or a function returning one');
    }
    const version = options.version ?? 'v1';
    if (typeof version !== 'string' || !VERSION.test(version)) {
      throw new CacheConfigError(
        `version must be a non-empty string of letters, digits, '.', '_' or '-' (got ${JSON.stringify(version)})`,
      );
    }
    this.#version = version;
    if (options.listTtl !== undefined) parseTtl(options.listTtl, 'listTtl');
    if (options.detailTtl !== undefined) parseTtl(options.detailTtl, 'detailTtl');
    this.#listTtl = options.listTtl;
    this.#detailTtl = options.detailTtl;
    this.#logger = options.logger ?? createDefaultLogger();
  }

  /** The key version, e.g. `'v1'`. */
  get version(): string {
    return this.#version;
  }

  /**
   * `properties:{version}:{generateHash(filters)}:u{userId}:p{page}:l{limit}`; `uanon` without a
   * user. Filters differing only in key order or `undefined` members give the same key.
   */
  generateCacheKey(filters: PropertyFilters, userId?: string | number, page = 1, limit = 20): string {
    assertHashableFilters(filters);
    const user = userPart(userId);
    assertPositiveInteger(page, 'page');
    assertPositiveInteger(limit, 'limit');
    return `properties:${this.#version}:${generateHash(filters)}:u${user}:p${page}:l${limit}`;
  }

  /** `property:{id}:{version}`, the id encoded like every key part (`'a:b'` → `a%3Ab`). */
  detailCacheKey(id: string | number): string {
    assertId(id);
    return `property:${encodeKeyPart(id)}:${this.#version}`;
  }

  /** Deletes every cached list page (`properties:*`, all versions, all users); answers how many. */
  async invalidatePropertyCaches(): Promise<number> {
    this.#listGeneration++;
    return this.#cache().deletePattern(CacheKeyPatterns.ALL_PROPERTIES);
  }

  /** Deletes every cached version of one property's detail (`property:{id}:*`); answers how many. */
  async invalidatePropertyDetailCache(id: string | number): Promise<number> {
    assertId(id);
    const pattern = CacheKeyPatterns.forProperty(id);
    this.#detailGeneration++;
    return this.#cache().deletePattern(pattern);
  }

  /**
   * The cached page for these filters, user and page, or `loader()`'s result, stored with
   * `listTtl`. Concurrent misses for one key run `loader` once. A loader error reaches every
   * waiter and nothing is cached; a loader result of `undefined` is returned but not cached.
   */
  async getOrSetList<T>(
    filters: PropertyFilters,
    userId: string | number | undefined,
    page: number | undefined,
    limit: number | undefined,
    loader: () => Promise<T>,
  ): Promise<T> {
    const key = this.generateCacheKey(filters, userId, page, limit);
    return this.#readThrough(key, loader, this.#listTtl, 'list');
  }

  /** The cached detail of property `id`, or `loader()`'s result stored with `detailTtl`; as `getOrSetList`. */
  async getOrSetDetail<T>(id: string | number, loader: () => Promise<T>): Promise<T> {
    return this.#readThrough(this.detailCacheKey(id), loader, this.#detailTtl, 'detail');
  }

  /**
   * Like `CacheManager.getOrSet`, plus one guarantee it cannot give: no value read before an
   * invalidation is stored after it. Without that, a GET that reads the database just before a
   * PUT commits and stores its page just after the PUT invalidated would serve the old row
   * until the TTL ends. The generation goes into the flight key too, so a caller arriving after
   * an invalidation starts a fresh load instead of joining one that may have read stale rows.
   */
  async #readThrough<T>(key: string, loader: () => Promise<T>, ttl: Ttl | undefined, kind: Kind): Promise<T> {
    let cache: CacheManager;
    try {
      cache = this.#cache();
      const hit = await cache.get<T>(key);
      if (hit !== undefined) return hit;
    } catch (error) {
      this.#logger.warn(`property ${kind} cache read failed, loading uncached: ${message(error)}`);
      return loader();
    }
    const generation = this.#generation(kind);
    return this.#flights.run(`${generation}\u0000${key}`, async () => {
      const value = await loader();
      if (value === undefined || this.#generation(kind) !== generation) return value;
      try {
        await cache.set(key, value, ttl);
        // An invalidation that began while the write was in flight may have scanned before the
        // entry landed (a disk write is several steps); it bumped the generation first, so undo.
        if (this.#generation(kind) !== generation) await cache.delete(key);
      } catch (error) {
        this.#logger.warn(`property ${kind} cache write failed for ${key}: ${message(error)}`);
      }
      return value;
    });
  }

  #generation(kind: Kind): number {
    return kind === 'list' ? this.#listGeneration : this.#detailGeneration;
  }
}

type Kind = 'list' | 'detail';

function userPart(userId: unknown): string {
  if (userId === undefined || userId === null) return ANONYMOUS;
  if (userId === ANONYMOUS) {
    // `uanon` is the anonymous page; a real user named 'anon' would read and fill it.
    throw new CacheKeyError(`userId 'anon' is reserved for anonymous requests`);
  }
  if (
    (typeof userId === 'string' && userId !== '') ||
    (typeof userId === 'number' && Number.isFinite(userId))
  ) {
    return encodeKeyPart(userId);
  }
  throw new CacheKeyError(
    `userId must be a non-empty string or a finite number (got ${JSON.stringify(userId)})`,
  );
}

function assertId(id: unknown): void {
  if ((typeof id === 'string' && id !== '') || (typeof id === 'number' && Number.isFinite(id))) return;
  throw new CacheKeyError(
    `property id must be a non-empty string or a finite number (got ${JSON.stringify(id)})`,
  );
}

function assertPositiveInteger(value: unknown, name: string): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new CacheKeyError(`${name} must be a positive integer (got ${JSON.stringify(value)})`);
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
