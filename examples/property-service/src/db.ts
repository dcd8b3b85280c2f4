import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ALL_DATABASE_ENTRIES, listingInvalidations, savedSearchInvalidations } from './invalidations.js';
import { generateListings, type NewListing, type PropertyType } from './seed.js';

/** A listing as the API returns it. `version` starts at 1 and grows by one on every write. */
export interface Listing extends NewListing {
  id: number;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** List filters after the route parsed them; every member optional. (A type alias, not an interface, so it is a `Record<string, unknown>`.) */
export type ListingFilters = {
  /** Exact city, case-insensitive. */
  city?: string | undefined;
  minPrice?: number | undefined;
  maxPrice?: number | undefined;
  /** At least this many bedrooms. */
  bedrooms?: number | undefined;
  type?: PropertyType | undefined;
  /** Listings that have this amenity. */
  amenity?: string | undefined;
};

export interface ListingPage {
  items: Listing[];
  total: number;
  averagePrice: number | null;
  /** The database's write counter when the page was read: a page older than the last write is stale. */
  dataVersion: number;
}

export interface SavedSearch {
  id: number;
  name: string;
  filters: ListingFilters;
  createdAt: string;
}

/**
 * A `cache_outbox` row: cache patterns a committed write made stale, recorded in the write's
 * own transaction and deleted once the cache has provably dropped them (invalidation-outbox.ts).
 */
export interface PendingInvalidation {
  id: number;
  patterns: readonly string[];
}

export interface DatabaseOptions {
  /** SQLite file, or `':memory:'`. Default `':memory:'`. */
  file?: string | undefined;
  /** Listings generated into an empty database. Default 20,000. */
  listings?: number | undefined;
}

interface ListingRow {
  id: number;
  title: string;
  city: string;
  price: number;
  bedrooms: number;
  type: PropertyType;
  amenities: string;
  owner_id: string;
  version: number;
  created_at: string;
  updated_at: string;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS listings (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    city TEXT NOT NULL,
    price INTEGER NOT NULL,
    bedrooms INTEGER NOT NULL,
    type TEXT NOT NULL,
    amenities TEXT NOT NULL,          -- ',pool,gym,': one LIKE finds an amenity
    owner_id TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS saved_searches (
    id INTEGER PRIMARY KEY,
    user_id TEXT NOT NULL,
    name TEXT NOT NULL,
    filters TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS saved_searches_user ON saved_searches (user_id);
  CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
  INSERT OR IGNORE INTO meta (name, value) VALUES ('writes', 0);
  -- Invalidations owed to the cache (see invalidation-outbox.ts). AUTOINCREMENT: an id is never
  -- reused, so a process that still holds the id of a row another process settled can never
  -- settle a newer row by mistake.
  CREATE TABLE IF NOT EXISTS cache_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    patterns TEXT NOT NULL,           -- JSON array of deletePattern globs
    created_at TEXT NOT NULL
  );
`;

const COLUMNS =
  'id, title, city, price, bedrooms, type, amenities, owner_id, version, created_at, updated_at';

/**
 * The listings store. Searches deliberately have no index on city/price/bedrooms: every
 * search scans the table and counts its matches, which is what an unindexed, filterable
 * listing search costs and what the cache saves.
 */
export class ListingsDatabase {
  readonly file: string;
  /** True when this open created and seeded the data (a cache from an older database must be dropped). */
  readonly seeded: boolean;
  readonly #db: Database.Database;
  readonly #statements: {
    get: Database.Statement<[number], ListingRow>;
    insert: Database.Statement<[NewListingRow], unknown>;
    bumpWrites: Database.Statement<[], unknown>;
    writes: Database.Statement<[], { value: number }>;
    remove: Database.Statement<[number], unknown>;
    savedSearches: Database.Statement<
      [string],
      { id: number; name: string; filters: string; created_at: string }
    >;
    saveSearch: Database.Statement<[string, string, string, string], unknown>;
    owe: Database.Statement<[string, string], unknown>;
    owed: Database.Statement<[], { id: number; patterns: string }>;
    settle: Database.Statement<[number], unknown>;
  };

  constructor(options: DatabaseOptions = {}) {
    this.file = options.file ?? ':memory:';
    if (this.file !== ':memory:') mkdirSync(dirname(this.file), { recursive: true });
    this.#db = new Database(this.file);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.exec(SCHEMA);
    this.#statements = {
      get: this.#db.prepare(`SELECT ${COLUMNS} FROM listings WHERE id = ?`),
      insert: this.#db.prepare(
        `INSERT INTO listings (title, city, price, bedrooms, type, amenities, owner_id, version, created_at, updated_at)
         VALUES (@title, @city, @price, @bedrooms, @type, @amenities, @ownerId, 1, @now, @now)`,
      ),
      bumpWrites: this.#db.prepare(`UPDATE meta SET value = value + 1 WHERE name = 'writes'`),
      writes: this.#db.prepare(`SELECT value FROM meta WHERE name = 'writes'`),
      remove: this.#db.prepare('DELETE FROM listings WHERE id = ?'),
      savedSearches: this.#db.prepare(
        'SELECT id, name, filters, created_at FROM saved_searches WHERE user_id = ? ORDER BY id',
      ),
      saveSearch: this.#db.prepare(
        'INSERT INTO saved_searches (user_id, name, filters, created_at) VALUES (?, ?, ?, ?)',
      ),
      owe: this.#db.prepare('INSERT INTO cache_outbox (patterns, created_at) VALUES (?, ?)'),
      owed: this.#db.prepare('SELECT id, patterns FROM cache_outbox ORDER BY id'),
      settle: this.#db.prepare('DELETE FROM cache_outbox WHERE id = ?'),
    };
    this.#forgetServiceRuns();
    const { count } = this.#db.prepare('SELECT COUNT(*) AS count FROM listings').get() as { count: number };
    this.seeded = count === 0;
    if (this.seeded) this.#seed(options.listings ?? 20_000);
  }

  /** The seed, and the drop of whatever an older database left in the cache, in one transaction. */
  #seed(count: number): void {
    const now = new Date().toISOString();
    this.#db.transaction(() => {
      for (const listing of generateListings(count)) this.#statements.insert.run(toRow(listing, now));
      this.#owe(ALL_DATABASE_ENTRIES);
    })();
  }

  /**
   * Databases of earlier versions of the example recorded each run in `service_runs` and dropped
   * the cache after a run that did not close cleanly. A row left there is such a run, and which
   * of its writes were cut is not known: the outbox then owes the cache the same full drop.
   */
  #forgetServiceRuns(): void {
    const legacy = this.#db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'service_runs'`)
      .get();
    if (legacy === undefined) return;
    this.#db.transaction(() => {
      const { count } = this.#db.prepare('SELECT COUNT(*) AS count FROM service_runs').get() as {
        count: number;
      };
      if (count > 0) this.#owe(ALL_DATABASE_ENTRIES);
      this.#db.exec('DROP TABLE service_runs');
    })();
  }

  /** Records, inside the caller's transaction, the cache patterns its write makes stale. */
  #owe(patterns: readonly string[]): PendingInvalidation {
    const { lastInsertRowid } = this.#statements.owe.run(JSON.stringify(patterns), new Date().toISOString());
    return { id: Number(lastInsertRowid), patterns };
  }

  /** Number of listings. */
  count(): number {
    return (this.#db.prepare('SELECT COUNT(*) AS count FROM listings').get() as { count: number }).count;
  }

  /** One page of listings matching `filters`, cheapest first, with the total and average price of all matches. */
  search(filters: ListingFilters, page: number, limit: number): ListingPage {
    const where: string[] = [];
    const params: Record<string, string | number> = {};
    if (filters.city !== undefined) {
      where.push('city = @city COLLATE NOCASE');
      params.city = filters.city;
    }
    if (filters.minPrice !== undefined) {
      where.push('price >= @minPrice');
      params.minPrice = filters.minPrice;
    }
    if (filters.maxPrice !== undefined) {
      where.push('price <= @maxPrice');
      params.maxPrice = filters.maxPrice;
    }
    if (filters.bedrooms !== undefined) {
      where.push('bedrooms >= @bedrooms');
      params.bedrooms = filters.bedrooms;
    }
    if (filters.type !== undefined) {
      where.push('type = @type');
      params.type = filters.type;
    }
    if (filters.amenity !== undefined) {
      where.push(`amenities LIKE @amenity ESCAPE '\\'`);
      params.amenity = `%,${filters.amenity.replace(/[\\%_]/g, (c) => `\\${c}`)},%`;
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    // Prepared per call on purpose: the filter combination decides the SQL, and SQLite's own
    // statement preparation is part of what an uncached request costs.
    const read = this.#db.transaction(() => {
      const summary = this.#db
        .prepare(`SELECT COUNT(*) AS total, AVG(price) AS averagePrice FROM listings ${clause}`)
        .get(params) as { total: number; averagePrice: number | null };
      const rows = this.#db
        .prepare(`SELECT ${COLUMNS} FROM listings ${clause} ORDER BY price, id LIMIT @limit OFFSET @offset`)
        .all({ ...params, limit, offset: (page - 1) * limit }) as ListingRow[];
      return {
        items: rows.map(fromRow),
        total: summary.total,
        averagePrice: summary.averagePrice === null ? null : Math.round(summary.averagePrice),
        dataVersion: this.#statements.writes.get()!.value,
      };
    });
    return read();
  }

  get(id: number): Listing | undefined {
    const row = this.#statements.get.get(id);
    return row === undefined ? undefined : fromRow(row);
  }

  /** Database write counter (bumped in the same transaction as every write). */
  dataVersion(): number {
    return this.#statements.writes.get()!.value;
  }

  /** Every write below also records, in its transaction, the cache entries it makes stale (`invalidation`). */
  insert(listing: NewListing): { listing: Listing; dataVersion: number; invalidation: PendingInvalidation } {
    return this.#db.transaction(() => {
      const { lastInsertRowid } = this.#statements.insert.run(toRow(listing, new Date().toISOString())) as {
        lastInsertRowid: number | bigint;
      };
      const id = Number(lastInsertRowid);
      this.#statements.bumpWrites.run();
      const invalidation = this.#owe(listingInvalidations(id));
      return { listing: this.get(id)!, dataVersion: this.dataVersion(), invalidation };
    })();
  }

  /** Applies `changes` and bumps `version`; `undefined` when there is no such listing. */
  update(
    id: number,
    changes: Partial<NewListing>,
  ): { listing: Listing; dataVersion: number; invalidation: PendingInvalidation } | undefined {
    const assignments: string[] = [];
    const params: Record<string, string | number> = { id, now: new Date().toISOString() };
    for (const [name, column] of [
      ['title', 'title'],
      ['city', 'city'],
      ['price', 'price'],
      ['bedrooms', 'bedrooms'],
      ['type', 'type'],
      ['ownerId', 'owner_id'],
    ] as const) {
      const value = changes[name];
      if (value !== undefined) {
        assignments.push(`${column} = @${name}`);
        params[name] = value;
      }
    }
    if (changes.amenities !== undefined) {
      assignments.push('amenities = @amenities');
      params.amenities = encodeAmenities(changes.amenities);
    }
    return this.#db.transaction(() => {
      const sql = `UPDATE listings SET ${[...assignments, 'version = version + 1', 'updated_at = @now'].join(', ')} WHERE id = @id`;
      if (this.#db.prepare(sql).run(params).changes === 0) return undefined;
      this.#statements.bumpWrites.run();
      const invalidation = this.#owe(listingInvalidations(id));
      return { listing: this.get(id)!, dataVersion: this.dataVersion(), invalidation };
    })();
  }

  /** The new data version, or `undefined` when there was no such listing. */
  delete(id: number): { dataVersion: number; invalidation: PendingInvalidation } | undefined {
    return this.#db.transaction(() => {
      const { changes } = this.#statements.remove.run(id);
      if (changes === 0) return undefined;
      this.#statements.bumpWrites.run();
      return { dataVersion: this.dataVersion(), invalidation: this.#owe(listingInvalidations(id)) };
    })();
  }

  savedSearches(userId: string): SavedSearch[] {
    return this.#statements.savedSearches.all(userId).map((row) => ({
      id: row.id,
      name: row.name,
      filters: JSON.parse(row.filters) as ListingFilters,
      createdAt: row.created_at,
    }));
  }

  saveSearch(
    userId: string,
    name: string,
    filters: ListingFilters,
  ): { search: SavedSearch; invalidation: PendingInvalidation } {
    const createdAt = new Date().toISOString();
    return this.#db.transaction(() => {
      const { lastInsertRowid } = this.#statements.saveSearch.run(
        userId,
        name,
        JSON.stringify(filters),
        createdAt,
      );
      return {
        search: { id: Number(lastInsertRowid), name, filters, createdAt },
        invalidation: this.#owe(savedSearchInvalidations(userId)),
      };
    })();
  }

  /** Every invalidation still owed to the cache, oldest first (left by any process on this file). */
  pendingInvalidations(): PendingInvalidation[] {
    return this.#statements.owed.all().map((row) => ({
      id: row.id,
      patterns: JSON.parse(row.patterns) as string[],
    }));
  }

  /** Forgets invalidations the cache has provably applied (an id already gone is ignored). */
  settleInvalidations(ids: readonly number[]): void {
    if (ids.length === 1) {
      this.#statements.settle.run(ids[0]!);
      return;
    }
    this.#db.transaction(() => {
      for (const id of ids) this.#statements.settle.run(id);
    })();
  }

  close(): void {
    this.#db.close();
  }
}

interface NewListingRow {
  title: string;
  city: string;
  price: number;
  bedrooms: number;
  type: string;
  amenities: string;
  ownerId: string;
  now: string;
}

function toRow(listing: NewListing, now: string): NewListingRow {
  return { ...listing, amenities: encodeAmenities(listing.amenities), now };
}

function encodeAmenities(amenities: readonly string[]): string {
  return amenities.length === 0 ? ',' : `,${amenities.join(',')},`;
}

function fromRow(row: ListingRow): Listing {
  return {
    id: row.id,
    title: row.title,
    city: row.city,
    price: row.price,
    bedrooms: row.bedrooms,
    type: row.type,
    amenities: row.amenities.split(',').filter(Boolean),
    ownerId: row.owner_id,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
