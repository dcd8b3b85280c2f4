/**
 * The service over real HTTP on a free loopback port, once per cache backend: disk (the
 * default), memory, and Redis (a real redis-server). Each run first proves it is on the
 * backend it names (no silent fallback), then checks hits, isolation, invalidation, one-time
 * codes and validation through the public routes only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../../packages/redis/test/support/redis-server.js';
import type { Listing } from '../src/db.js';
import type { ListingPageResponse } from '../src/routes/properties.js';
import { startService, type RunningService } from './support/service.js';

interface Mutation {
  dataVersion: number;
  invalidated: { listEntries: number; detailEntries: number };
}
interface CacheStatsResponse {
  active: string;
  primary: string;
  fallback: string | null;
  usingFallback: boolean;
  stats: { hits: number; misses: number; hitRate: number };
}
interface ErrorResponse {
  message: string;
}

const newListing = {
  title: 'Tiny studio under the roofs',
  city: 'Lyon',
  price: 1_000,
  bedrooms: 0,
  type: 'studio',
  amenities: ['elevator'],
};

let redis: RedisServer | undefined;
const diskDirs: string[] = [];

const backends: { name: string; env: () => Record<string, string> }[] = [
  {
    name: 'disk',
    env: () => {
      const dir = mkdtempSync(join(tmpdir(), 'property-service-e2e-'));
      diskDirs.push(dir);
      return { CACHE_DISK_DIR: dir }; // the default backend: CACHE_BACKEND unset on purpose
    },
  },
  { name: 'memory', env: () => ({ CACHE_BACKEND: 'memory' }) },
  { name: 'redis', env: () => ({ CACHE_BACKEND: 'redis', REDIS_URL: redis!.url, CACHE_KEY_PREFIX: 'e2e:' }) },
];

beforeAll(async () => {
  redis = await startRedisServer();
});

afterAll(async () => {
  await redis?.stop();
  for (const dir of diskDirs) rmSync(dir, { recursive: true, force: true });
});

describe.each(backends)('property service on the $name cache', ({ name, env }) => {
  let service: RunningService;

  beforeAll(async () => {
    service = await startService(env());
  });
  afterAll(async () => {
    await service?.close();
  });

  /** Drops every cached list page (any committed write does that), so counts below are exact. */
  async function resetLists(): Promise<void> {
    const created = await service.call<{ property: Listing }>('POST', '/properties', {
      user: 'janitor',
      body: newListing,
    });
    await service.call('DELETE', `/properties/${created.body.property.id}`, { user: 'janitor' });
  }

  it(`runs on ${name}, not on a fallback`, async () => {
    const { body } = await service.call<CacheStatsResponse>('GET', '/cache/stats');
    expect(body).toMatchObject({ active: name, primary: name, usingFallback: false });
  });

  it('answers a list with a miss, then the same page from the cache', async () => {
    const path = '/properties?city=Lyon&minPrice=200000&bedrooms=2&page=2&limit=10';
    const first = await service.call<ListingPageResponse>('GET', path);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('miss');
    expect(first.body.items).toHaveLength(10);
    expect(first.body.page).toBe(2);
    for (const item of first.body.items) {
      expect(item).toMatchObject({ city: 'Lyon' });
      expect(item.price).toBeGreaterThanOrEqual(200_000);
      expect(item.bedrooms).toBeGreaterThanOrEqual(2);
    }

    const second = await service.call<ListingPageResponse>('GET', path);
    expect(second.headers.get('x-cache')).toBe('hit');
    expect(second.body).toEqual(first.body);

    // Same query written differently: parameter order and city case/spaces do not matter.
    const reordered = await service.call(
      'GET',
      '/properties?limit=10&page=2&bedrooms=2&minPrice=200000&city=%20lyon',
    );
    expect(reordered.headers.get('x-cache')).toBe('hit');
    // The next page is another entry.
    const page3 = await service.call(
      'GET',
      '/properties?city=Lyon&minPrice=200000&bedrooms=2&page=3&limit=10',
    );
    expect(page3.headers.get('x-cache')).toBe('miss');
  });

  it('answers a detail with a miss, then a hit, and a 404 that is not cached', async () => {
    const first = await service.call<Listing>('GET', '/properties/123');
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('miss');
    expect(first.body).toMatchObject({ id: 123, version: 1 });
    const second = await service.call<Listing>('GET', '/properties/123');
    expect(second.headers.get('x-cache')).toBe('hit');
    expect(second.body).toEqual(first.body);

    if (name === 'redis') {
      // The entry really is in Redis, as plain JSON under the configured prefix.
      expect(JSON.parse(String(await redis!.command('GET', 'e2e:property:123:v1')))).toEqual(first.body);
    }

    const missing = await service.call<ErrorResponse>('GET', '/properties/99999999');
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('no property with id 99999999');
  });

  it('keeps each user’s list apart', async () => {
    const path = '/properties?city=Nice&maxPrice=150000';
    const anonymous = await service.call<ListingPageResponse>('GET', path);
    const owner = anonymous.body.items[0]!.ownerId;
    expect(anonymous.body.items.every((item) => !item.mine)).toBe(true);

    const mine = await service.call<ListingPageResponse>('GET', path, { user: owner });
    expect(mine.headers.get('x-cache')).toBe('miss'); // not the anonymous entry
    expect(mine.body.items[0]).toMatchObject({ ownerId: owner, mine: true });

    const other = await service.call<ListingPageResponse>('GET', path, { user: 'someone-else' });
    expect(other.headers.get('x-cache')).toBe('miss'); // not the owner's entry
    expect(other.body.items[0]).toMatchObject({ ownerId: owner, mine: false });

    const mineAgain = await service.call<ListingPageResponse>('GET', path, { user: owner });
    expect(mineAgain.headers.get('x-cache')).toBe('hit');
    expect(mineAgain.body.items[0]).toMatchObject({ mine: true });
    const otherAgain = await service.call<ListingPageResponse>('GET', path, { user: 'someone-else' });
    expect(otherAgain.headers.get('x-cache')).toBe('hit');
    expect(otherAgain.body.items[0]).toMatchObject({ mine: false });
  });

  it('POST invalidates every list page and serves the new listing at once', async () => {
    await resetLists();
    const cheapLyon = '/properties?city=Lyon&maxPrice=50000';
    for (const user of [undefined, 'alice', 'bob']) {
      expect(
        (await service.call('GET', cheapLyon, { ...(user ? { user } : {}) })).headers.get('x-cache'),
      ).toBe('miss');
    }
    const before = await service.call<ListingPageResponse>('GET', cheapLyon);
    expect(before.headers.get('x-cache')).toBe('hit');

    const created = await service.call<Mutation & { property: Listing }>('POST', '/properties', {
      user: 'alice',
      body: newListing,
    });
    expect(created.status).toBe(201);
    expect(created.body.invalidated.listEntries).toBe(3);
    expect(created.body.property).toMatchObject({ ...newListing, ownerId: 'alice', version: 1 });

    const after = await service.call<ListingPageResponse>('GET', cheapLyon, { user: 'alice' });
    expect(after.headers.get('x-cache')).toBe('miss');
    expect(after.body.dataVersion).toBe(created.body.dataVersion);
    expect(after.body.total).toBe(before.body.total + 1);
    expect(after.body.items[0]).toMatchObject({ id: created.body.property.id, mine: true });

    const detail = await service.call<Listing>('GET', `/properties/${created.body.property.id}`);
    expect(detail.body).toEqual(created.body.property);
  });

  it('PUT invalidates the lists and that detail: the next reads see the new version', async () => {
    const { body: page } = await service.call<ListingPageResponse>(
      'GET',
      '/properties?city=Toulouse&limit=5',
    );
    const target = page.items[0]!;
    await resetLists();
    await service.call('GET', '/properties?city=Toulouse&limit=5');
    await service.call('GET', '/properties?city=Toulouse&limit=5', { user: target.ownerId });
    await service.call('GET', `/properties/${target.id}`);
    expect((await service.call('GET', `/properties/${target.id}`)).headers.get('x-cache')).toBe('hit');

    const forbidden = await service.call<ErrorResponse>('PUT', `/properties/${target.id}`, {
      user: 'not-the-owner',
      body: { price: 1 },
    });
    expect(forbidden.status).toBe(403);

    const updated = await service.call<Mutation & { property: Listing }>('PUT', `/properties/${target.id}`, {
      user: target.ownerId,
      body: { price: target.price - 1, title: 'Renovated' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.invalidated).toEqual({ listEntries: 2, detailEntries: 1 });
    expect(updated.body.property).toMatchObject({ version: target.version + 1, price: target.price - 1 });

    const detail = await service.call<Listing>('GET', `/properties/${target.id}`);
    expect(detail.headers.get('x-cache')).toBe('miss');
    expect(detail.body).toMatchObject({
      version: target.version + 1,
      title: 'Renovated',
      price: target.price - 1,
    });
    const list = await service.call<ListingPageResponse>('GET', '/properties?city=Toulouse&limit=5');
    expect(list.headers.get('x-cache')).toBe('miss');
    expect(list.body.dataVersion).toBe(updated.body.dataVersion);
    expect(list.body.items[0]).toMatchObject({
      id: target.id,
      version: target.version + 1,
      title: 'Renovated',
    });
  });

  it('DELETE invalidates the lists and that detail: the listing is gone everywhere', async () => {
    const created = await service.call<Mutation & { property: Listing }>('POST', '/properties', {
      user: 'carol',
      body: { ...newListing, city: 'Dijon', price: 2 },
    });
    const id = created.body.property.id;
    await service.call('GET', '/properties?city=Dijon&maxPrice=10');
    await service.call('GET', `/properties/${id}`);
    expect((await service.call('GET', `/properties/${id}`)).headers.get('x-cache')).toBe('hit');

    const deleted = await service.call<Mutation>('DELETE', `/properties/${id}`, { user: 'carol' });
    expect(deleted.status).toBe(200);
    expect(deleted.body.invalidated).toEqual({ listEntries: 1, detailEntries: 1 });

    expect((await service.call('GET', `/properties/${id}`)).status).toBe(404);
    const list = await service.call<ListingPageResponse>('GET', '/properties?city=Dijon&maxPrice=10');
    expect(list.body).toMatchObject({ total: 0, items: [], dataVersion: deleted.body.dataVersion });
    expect((await service.call('DELETE', `/properties/${id}`, { user: 'carol' })).status).toBe(404);
  });

  // better-sqlite3 answers synchronously, so a load's read and its cache write are only a few
  // ticks apart here; the interleavings that make a naive read-through store a stale page are
  // forced deterministically in packages/property/test/read-through.test.ts. This checks the
  // whole path over HTTP: invalidation reaches every page and detail, with reads in flight.
  it('never serves a read older than a write that has answered, under concurrent reads', async () => {
    const created = await service.call<{ property: Listing }>('POST', '/properties', {
      user: 'dave',
      body: { ...newListing, city: 'Angers', price: 3 },
    });
    const id = created.body.property.id;
    const list = '/properties?city=Angers&maxPrice=1000000&limit=50';
    for (let round = 1; round <= 15; round++) {
      // Readers racing the write: their loads may read the row before it changes.
      const readers = Array.from({ length: 8 }, (_, i) =>
        service.call('GET', i % 2 ? list : `/properties/${id}`),
      );
      const write = await service.call<Mutation & { property: Listing }>('PUT', `/properties/${id}`, {
        user: 'dave',
        body: { price: 3 + round },
      });
      const detail = await service.call<Listing>('GET', `/properties/${id}`);
      expect(detail.body.version).toBe(write.body.property.version);
      const page = await service.call<ListingPageResponse>('GET', list);
      expect(page.body.dataVersion).toBeGreaterThanOrEqual(write.body.dataVersion);
      expect(page.body.items.find((item) => item.id === id)).toMatchObject({ price: 3 + round });
      await Promise.all(readers);
    }
  });

  it('lets a one-time code be exchanged exactly once by 50 concurrent requests', async () => {
    for (let round = 0; round < 3; round++) {
      const issued = await service.call<{ code: string; expiresIn: number }>('POST', '/auth/code', {
        user: 'erin',
      });
      expect(issued.status).toBe(201);
      const exchanges = await Promise.all(
        Array.from({ length: 50 }, () =>
          service.call<{ user_id?: string; error?: string }>('POST', '/auth/token', {
            body: { code: issued.body.code },
          }),
        ),
      );
      const winners = exchanges.filter((response) => response.status === 200);
      expect(winners).toHaveLength(1);
      expect(winners[0]!.body).toMatchObject({ user_id: 'erin', token_type: 'Bearer' });
      const losers = exchanges.filter((response) => response.status === 400);
      expect(losers).toHaveLength(49);
      for (const loser of losers) expect(loser.body).toMatchObject({ error: 'invalid_grant' });
      const late = await service.call('POST', '/auth/token', { body: { code: issued.body.code } });
      expect(late.status).toBe(400);
    }
  });

  it('caches saved searches per user and drops only that user’s entry when they save', async () => {
    const save = (user: string, name: string) =>
      service.call('POST', '/saved-searches', {
        user,
        body: { name, filters: { city: 'Lyon', bedrooms: 2 } },
      });
    const list = (user: string) =>
      service.call<{ searches: { name: string }[] }>('GET', '/saved-searches', { user });

    expect((await save('frank', 'family flat')).status).toBe(201);
    const first = await list('frank');
    expect(first.headers.get('x-cache')).toBe('miss');
    expect(first.body.searches.map((s) => s.name)).toEqual(['family flat']);
    expect((await list('frank')).headers.get('x-cache')).toBe('hit');

    const other = await list('grace');
    expect(other.headers.get('x-cache')).toBe('miss');
    expect(other.body.searches).toEqual([]);
    expect((await list('grace')).headers.get('x-cache')).toBe('hit');

    await save('frank', 'second');
    const updated = await list('frank');
    expect(updated.headers.get('x-cache')).toBe('miss');
    expect(updated.body.searches.map((s) => s.name)).toEqual(['family flat', 'second']);
    const untouched = await list('grace');
    expect(untouched.headers.get('x-cache')).toBe('hit');
    expect(untouched.body.searches).toEqual([]);
  });

  it('reports hits and misses in /cache/stats', async () => {
    const before = (await service.call<CacheStatsResponse>('GET', '/cache/stats')).body.stats;
    await service.call('GET', '/properties?city=Reims&page=4');
    await service.call('GET', '/properties?city=Reims&page=4');
    const after = (await service.call<CacheStatsResponse>('GET', '/cache/stats')).body.stats;
    expect(after.misses).toBeGreaterThan(before.misses);
    expect(after.hits).toBeGreaterThan(before.hits);
    expect(after.hitRate).toBeGreaterThan(0);
  });
});
