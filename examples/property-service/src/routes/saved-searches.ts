import { cached, getCacheManager } from '@cache/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { markLoaded, sendCacheStatus } from '../cache-status.js';
import type { ListingFilters, ListingsDatabase, SavedSearch } from '../db.js';
import { filtersSchema, normaliseFilters } from '../filters.js';
import type { InvalidationOutbox } from '../invalidation-outbox.js';
import { requireUser } from '../user.js';

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

export function registerSavedSearchRoutes(
  app: FastifyInstance,
  { db, outbox }: { db: ListingsDatabase; outbox: InvalidationOutbox },
): void {
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
      const { search, invalidation } = db.saveSearch(userId, request.body.name, filters);
      // Not `invalidateCache`: it logs a failed delete and carries on, so the outbox could not tell
      // whether to keep its row. Here a failure keeps the row (retried, replayed at the next
      // start) and, as with the decorator, never fails the call: the search is saved.
      try {
        await outbox.deliver(invalidation, async () => {
          const cache = getCacheManager();
          await Promise.all(invalidation.patterns.map((pattern) => cache.deletePattern(pattern)));
        });
      } catch (error) {
        request.log.warn(
          `saved search stored, but the cache kept the old list: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      return reply.code(201).send(search);
    },
  );
}
