/**
 * The outbox on its own, against real stores: a disk folder, and a real redis-server that is
 * paused (SIGSTOP) to make the primary unreachable. See src/invalidation-outbox.ts.
 */
import { CacheManager, silentLogger } from '@cache/core';
import { DiskBackend } from '@cache/disk';
import { MemoryBackend } from '@cache/memory';
import { RedisBackend } from '@cache/redis';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  startRedisServer,
  waitFor,
  type RedisServer,
} from '../../../packages/redis/test/support/redis-server.js';
import { ListingsDatabase } from '../src/db.js';
import { InvalidationOutbox } from '../src/invalidation-outbox.js';
import {
  ALL_DATABASE_ENTRIES,
  listingInvalidations,
  savedSearchInvalidations,
} from '../src/invalidations.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'property-outbox-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A database file with a few listings (ids 1..60), closed after the test. */
function openDatabase(file: string): ListingsDatabase {
  const db = new ListingsDatabase({ file, listings: 60 });
  cleanups.push(() => db.close());
  return db;
}

async function connect(
  primary: DiskBackend | RedisBackend,
  { fallback = true }: { fallback?: boolean } = {},
): Promise<CacheManager> {
  const cache = new CacheManager({
    primary,
    ...(fallback ? { fallback: new MemoryBackend() } : {}),
    logger: silentLogger,
  });
  await cache.connect();
  cleanups.push(() => cache.disconnect());
  return cache;
}

function attach(db: ListingsDatabase, cache: CacheManager): InvalidationOutbox {
  const outbox = new InvalidationOutbox(db, () => undefined);
  outbox.attach(cache);
  cleanups.push(() => outbox.detach());
  return outbox;
}

describe('the invalidation outbox on a disk cache', () => {
  it('replays the rows a killed run left, forgets them, and keeps every entry they do not name', async () => {
    const dir = tempDir();
    const db = openDatabase(join(dir, 'listings.sqlite'));
    const cache = await connect(new DiskBackend({ dir: join(dir, 'cache'), logger: silentLogger }));
    const outbox = attach(db, cache);
    // A database seeded just now owes the drop of whatever an older one left in the cache.
    expect(db.seeded).toBe(true);
    expect(db.pendingInvalidations().map((row) => row.patterns)).toEqual([ALL_DATABASE_ENTRIES]);
    expect(await outbox.replay()).toMatchObject({ rows: 1, delivered: true });

    const entries = {
      detail42: 'property:42:v1',
      detail7: 'property:7:v1',
      list: 'properties:v1:0123abcd:uanon:p1:l20',
      mySearches: 'saved-searches:uuser-7:89ab',
      otherSearches: 'saved-searches:uuser-8:89ab',
      code: 'auth-code:abc',
    };
    for (const key of Object.values(entries)) await cache.set(key, { key });
    // Two writes whose invalidation never ran (the process died after the commits).
    const put = db.update(42, { price: 123_456 })!;
    const saved = db.saveSearch('user-7', 'cheap', { maxPrice: 200_000 });
    expect(db.pendingInvalidations()).toEqual([put.invalidation, saved.invalidation]);
    expect(put.invalidation.patterns).toEqual(listingInvalidations(42));
    expect(saved.invalidation.patterns).toEqual(savedSearchInvalidations('user-7'));

    // The next start, on the same file and folder.
    const restarted = attach(db, cache);
    expect(await restarted.replay()).toEqual({ rows: 2, patterns: 3, deleted: 3, delivered: true });
    expect(db.pendingInvalidations()).toEqual([]);
    expect(await cache.get(entries.detail42)).toBeUndefined();
    expect(await cache.get(entries.list)).toBeUndefined();
    expect(await cache.get(entries.mySearches)).toBeUndefined();
    expect(await cache.get(entries.detail7)).toEqual({ key: entries.detail7 });
    expect(await cache.get(entries.otherSearches)).toEqual({ key: entries.otherSearches });
    expect(await cache.get(entries.code)).toEqual({ key: entries.code });
  });

  it('forgets a row as soon as its invalidation is delivered to the primary', async () => {
    const dir = tempDir();
    const db = openDatabase(join(dir, 'listings.sqlite'));
    const cache = await connect(new DiskBackend({ dir: join(dir, 'cache'), logger: silentLogger }));
    const outbox = attach(db, cache);
    await outbox.replay();
    await cache.set('property:9:v1', { stale: true });

    const { invalidation } = db.delete(9)!;
    expect(db.pendingInvalidations()).toEqual([invalidation]);
    const deleted = await outbox.deliver(invalidation, async () => cache.deletePattern('property:9:*'));
    expect(deleted).toBe(1);
    expect(db.pendingInvalidations()).toEqual([]);
    expect(outbox.owed).toBe(0);
  });

  it("replays a sibling's rows without losing the ones written while it replays", async () => {
    const dir = tempDir();
    const file = join(dir, 'listings.sqlite');
    const db = openDatabase(file);
    const sibling = openDatabase(file); // another process's connection to the same file
    const cache = await connect(new DiskBackend({ dir: join(dir, 'cache'), logger: silentLogger }));
    const outbox = attach(db, cache);
    await outbox.replay();

    const inFlight = sibling.update(3, { bedrooms: 4 })!.invalidation; // committed, invalidation pending
    const replaying = outbox.replay(); // reads the table now, then deletes patterns
    const later = sibling.update(5, { bedrooms: 2 })!.invalidation; // committed during the replay
    expect(await replaying).toMatchObject({ rows: 1, delivered: true });
    expect(db.pendingInvalidations()).toEqual([later]);
    // The sibling's own delivery then finds its row gone: nothing to do, nothing lost.
    sibling.settleInvalidations([inFlight.id]);
    expect(db.pendingInvalidations()).toEqual([later]);
    // Ids are never reused, so a settled id can never name a newer row.
    sibling.settleInvalidations([later.id]);
    expect(sibling.update(5, { bedrooms: 3 })!.invalidation.id).toBe(later.id + 1);
  });
});

describe('a database written by the example before the outbox', () => {
  /** A database file as the earlier version left it: a `service_runs` table with `runs` rows. */
  function legacyDatabase(runs: number): string {
    const file = join(tempDir(), 'listings.sqlite');
    const current = new ListingsDatabase({ file, listings: 60 });
    current.settleInvalidations(current.pendingInvalidations().map((row) => row.id));
    current.close();
    const raw = new Database(file);
    raw.exec(
      'CREATE TABLE service_runs (id TEXT PRIMARY KEY, pid INTEGER NOT NULL, started_at TEXT NOT NULL)',
    );
    for (let run = 0; run < runs; run++) {
      raw.prepare('INSERT INTO service_runs VALUES (?, ?, ?)').run(`run-${run}`, 1000 + run, 'then');
    }
    raw.close();
    return file;
  }

  const hasRunsTable = (db: ListingsDatabase): boolean => {
    const raw = new Database(db.file, { readonly: true });
    try {
      return raw.prepare(`SELECT name FROM sqlite_master WHERE name = 'service_runs'`).get() !== undefined;
    } finally {
      raw.close();
    }
  };

  it('owes the cache a full drop when a run there never closed cleanly (which writes it cut is unknown)', () => {
    const db = openDatabase(legacyDatabase(1));
    expect(db.pendingInvalidations().map((row) => row.patterns)).toEqual([ALL_DATABASE_ENTRIES]);
    expect(hasRunsTable(db)).toBe(false);
  });

  it('owes nothing when every run there closed cleanly', () => {
    const db = openDatabase(legacyDatabase(0));
    expect(db.pendingInvalidations()).toEqual([]);
    expect(hasRunsTable(db)).toBe(false);
  });
});

describe('the invalidation outbox when the primary is out of reach (a paused redis-server)', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  const redisBackend = (keyPrefix: string): RedisBackend =>
    new RedisBackend({
      url: redis.url,
      keyPrefix,
      commandTimeout: 100,
      breaker: { failureThreshold: 1, cooldownMs: 100 },
      logger: silentLogger,
    });

  async function pause(cache: CacheManager): Promise<void> {
    redis.pause();
    cleanups.push(() => (redis.paused ? redis.resume() : undefined));
    await cache.get('probe'); // times out and opens the breaker
    await waitFor('the breaker to open', async () => !cache.primary.isAvailable());
  }

  /**
   * A service on Redis (keys under `prefix`) holding property 42 and 7, whose update of 42 is
   * delivered while Redis hangs.
   */
  async function updateDuringHang(prefix: string, options?: { fallback?: boolean }) {
    const db = openDatabase(join(tempDir(), 'listings.sqlite'));
    const cache = await connect(redisBackend(prefix), options);
    const outbox = attach(db, cache);
    await outbox.replay();
    await cache.set('property:42:v1', { version: 1 });
    await cache.set('property:7:v1', { version: 1 });

    await pause(cache);
    const { invalidation } = db.update(42, { price: 1 })!;
    await outbox.deliver(invalidation, () => cache.deletePattern('property:42:*'));
    return { db, cache, outbox, invalidation };
  }

  it('keeps the row while the invalidation went to the fallback, and forgets it once the primary caught up', async () => {
    const { db, cache, outbox, invalidation } = await updateDuringHang('outbox-recover:');
    expect(cache.usingFallback).toBe(true);
    expect(db.pendingInvalidations()).toEqual([invalidation]);
    expect(outbox.owed).toBe(1);

    redis.resume();
    // The manager recovers on its next operation (replaying its outage journal on Redis); the
    // outbox retries what it owes on the 'recovered' event and then forgets the row.
    await waitFor('the manager to recover', async () => {
      await cache.get('probe');
      return !cache.usingFallback && db.pendingInvalidations().length === 0;
    });
    expect(outbox.owed).toBe(0);
    expect(await redis.command('GET', 'outbox-recover:property:42:v1')).toBeNull();
  });

  it('without a fallback (no outage events), runs the invalidation again once the primary is back', async () => {
    const { db, cache, outbox, invalidation } = await updateDuringHang('outbox-nofallback:', {
      fallback: false,
    });
    expect(db.pendingInvalidations()).toEqual([invalidation]);
    expect(outbox.owed).toBe(1);

    redis.resume();
    await waitFor('the row to be delivered again', async () => {
      await cache.get('probe');
      return db.pendingInvalidations().length === 0;
    });
    expect(outbox.owed).toBe(0);
    expect(await redis.command('GET', 'outbox-nofallback:property:42:v1')).toBeNull();
  });

  it('leaves the row to the next start when the process dies before the primary is back', async () => {
    const { db, cache: first, outbox, invalidation } = await updateDuringHang('outbox-crash:');
    // The process dies here: its manager's outage journal (in memory) goes with it, and Redis,
    // which outlives it, still holds the entry the write made stale.
    outbox.detach();
    redis.resume();
    await first.disconnect();
    expect(await redis.command('GET', 'outbox-crash:property:42:v1')).not.toBeNull();
    expect(db.pendingInvalidations()).toEqual([invalidation]);

    const second = await connect(redisBackend('outbox-crash:'));
    expect(await attach(db, second).replay()).toMatchObject({ rows: 1, delivered: true });
    expect(await redis.command('GET', 'outbox-crash:property:42:v1')).toBeNull();
    expect(await redis.command('GET', 'outbox-crash:property:7:v1')).not.toBeNull();
    expect(db.pendingInvalidations()).toEqual([]);
  });

  it('keeps the rows of a start-up replay that could not reach the primary', async () => {
    const db = openDatabase(join(tempDir(), 'listings.sqlite'));
    const cache = await connect(redisBackend('outbox-start:'));
    await attach(db, cache).replay();
    const { invalidation } = db.update(42, { price: 1 })!;

    await pause(cache);
    const outbox = attach(db, cache);
    expect(await outbox.replay()).toMatchObject({ rows: 1, delivered: false });
    expect(db.pendingInvalidations()).toEqual([invalidation]);

    redis.resume();
    await waitFor('the manager to recover', async () => {
      await cache.get('probe');
      return !cache.usingFallback && db.pendingInvalidations().length === 0;
    });
  });
});
