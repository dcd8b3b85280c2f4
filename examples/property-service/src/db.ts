import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
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

/** A service process that started on this database and has not (yet) closed cleanly. */
export interface ServiceRun {
  id: string;
  pid: number;
  startedAt: string;
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
  -- One row per running service process, deleted when it closes cleanly (see unclean-shutdown.ts).
  CREATE TABLE IF NOT EXISTS service_runs (id TEXT PRIMARY KEY, pid INTEGER NOT NULL, started_at TEXT NOT NULL);
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
    };
    const { count } = this.#db.prepare('SELECT COUNT(*) AS count FROM listings').get() as { count: number };
    this.seeded = count === 0;
    if (this.seeded) this.#seed(options.listings ?? 20_000);
  }

  #seed(count: number): void {
    const now = new Date().toISOString();
    this.#db.transaction(() => {
      for (const listing of generateListings(count)) this.#statements.insert.run(toRow(listing, now));
    })();
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

  insert(listing: NewListing): { listing: Listing; dataVersion: number } {
    return this.#db.transaction(() => {
      const { lastInsertRowid } = this.#statements.insert.run(toRow(listing, new Date().toISOString())) as {
        lastInsertRowid: number | bigint;
      };
      this.#statements.bumpWrites.run();
      return { listing: this.get(Number(lastInsertRowid))!, dataVersion: this.dataVersion() };
    })();
  }

  /** Applies `changes` and bumps `version`; `undefined` when there is no such listing. */
  update(id: number, changes: Partial<NewListing>): { listing: Listing; dataVersion: number } | undefined {
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
      return { listing: this.get(id)!, dataVersion: this.dataVersion() };
    })();
  }

  /** The new data version, or `undefined` when there was no such listing. */
  delete(id: number): { dataVersion: number } | undefined {
    return this.#db.transaction(() => {
      const { changes } = this.#statements.remove.run(id);
      if (changes === 0) return undefined;
      this.#statements.bumpWrites.run();
      return { dataVersion: this.dataVersion() };
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

  saveSearch(userId: string, name: string, filters: ListingFilters): SavedSearch {
    const createdAt = new Date().toISOString();
    const { lastInsertRowid } = this.#statements.saveSearch.run(
      userId,
      name,
      JSON.stringify(filters),
      createdAt,
    );
    return { id: Number(lastInsertRowid), name, filters, createdAt };
  }

  /**
   * Records a run of the service as started and answers the runs before it that never
   * finished: each one crashed, or is still running next to this one.
   */
  startRun(id: string, pid: number): ServiceRun[] {
    return this.#db.transaction(() => {
      const unfinished = this.#db
        .prepare('SELECT id, pid, started_at AS startedAt FROM service_runs ORDER BY started_at')
        .all() as ServiceRun[];
      this.#db
        .prepare('INSERT INTO service_runs (id, pid, started_at) VALUES (?, ?, ?)')
        .run(id, pid, new Date().toISOString());
      return unfinished;
    })();
  }

  /** Forgets runs: this one on a clean close, or crashed ones once their cache entries are dropped. */
  finishRuns(ids: readonly string[]): void {
    const remove = this.#db.prepare('DELETE FROM service_runs WHERE id = ?');
    this.#db.transaction(() => {
      for (const id of ids) remove.run(id);
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
