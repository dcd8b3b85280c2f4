import { buildCacheKey, cached, getCacheManager, invalidateCache } from '@cache/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { markLoaded, sendCacheStatus } from '../cache-status.js';
import type { ListingFilters, ListingsDatabase, SavedSearch } from '../db.js';
import { filtersSchema, normaliseFilters } from '../filters.js';
import { requireUser } from '../user.js';

/** `saved-searches:u{user}`: every cached entry of one user's saved searches starts with it. */
const userPrefix = (userId: string): string =>
  buildCacheKey('saved-searches', [], { includeUser: true, userId });

/**
 * Cached per user: the key is `saved-searches:u{userId}:{hash}`. `db` and `request` never
 * enter the key (the decorator skips those names), so two users can never share an entry.
 */
const listSavedSearches = cached('saved-searches', {
  includeUser: true,
  ttl: '10m',
  cache: () => getCacheManager(),
})(async (query: {
  userId: string;
  db: ListingsDatabase;
  request: FastifyRequest;
}): Promise<{ searches: SavedSearch[] }> => {
  markLoaded(query.request);
  return { searches: query.db.savedSearches(query.userId) };
});

/** Saves, then drops that user's cached list (only that user's). */
const saveSearch = invalidateCache((args) => `${userPrefix((args[0] as { userId: string }).userId)}:*`, {
  cache: () => getCacheManager(),
})(
  async (input: {
    userId: string;
    db: ListingsDatabase;
    name: string;
    filters: ListingFilters;
  }): Promise<SavedSearch> => input.db.saveSearch(input.userId, input.name, input.filters),
);

export function registerSavedSearchRoutes(app: FastifyInstance, { db }: { db: ListingsDatabase }): void {
  app.get('/saved-searches', async (request, reply) => {
    const userId = requireUser(request);
    const body = await listSavedSearches({ userId, db, request });
    sendCacheStatus(request, reply);
    return body;
  });

  app.post<{ Body: { name: string; filters?: ListingFilters } }>(
    '/saved-searches',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, filters: filtersSchema },
        },
      },
    },
    async (request, reply) => {
      const userId = requireUser(request);
      const filters = normaliseFilters(request.body.filters ?? {});
      const saved = await saveSearch({ userId, db, name: request.body.name, filters });
      return reply.code(201).send(saved);
    },
  );
}
