import type { PropertyCacheManager } from '@cache/property';
import type { FastifyInstance } from 'fastify';
import { markLoaded, sendCacheStatus } from '../cache-status.js';
import type { Listing, ListingFilters, ListingsDatabase } from '../db.js';
import { filterProperties, normaliseFilters } from '../filters.js';
import { HttpError } from '../http-errors.js';
import type { InvalidationOutbox } from '../invalidation-outbox.js';
import { AMENITIES, PROPERTY_TYPES, type NewListing } from '../seed.js';
import { optionalUser, requireUser } from '../user.js';

export interface PropertyRouteDeps {
  db: ListingsDatabase;
  properties: PropertyCacheManager;
  outbox: InvalidationOutbox;
}

/** One page as the list route answers it (and as it is cached, per filters, user and page). */
export interface ListingPageResponse {
  items: (Listing & { mine: boolean })[];
  page: number;
  limit: number;
  total: number;
  totalPages: number;
  averagePrice: number | null;
  dataVersion: number;
  filters: ListingFilters;
}

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1 } },
} as const;

const listingFields = {
  title: { type: 'string', minLength: 1, maxLength: 200 },
  city: { type: 'string', minLength: 1, maxLength: 64 },
  price: { type: 'integer', minimum: 0, maximum: 1_000_000_000 },
  bedrooms: { type: 'integer', minimum: 0, maximum: 20 },
  type: { type: 'string', enum: [...PROPERTY_TYPES] },
  amenities: {
    type: 'array',
    maxItems: AMENITIES.length,
    uniqueItems: true,
    items: { enum: [...AMENITIES] },
  },
} as const;

export function registerPropertyRoutes(
  app: FastifyInstance,
  { db, properties, outbox }: PropertyRouteDeps,
): void {
  app.get<{ Querystring: ListingFilters & { page: number; limit: number } }>(
    '/properties',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...filterProperties,
            page: { type: 'integer', minimum: 1, maximum: 10_000, default: 1 },
            limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
          },
        },
      },
    },
    async (request, reply) => {
      const { page, limit, ...raw } = request.query;
      const filters = normaliseFilters(raw);
      const user = optionalUser(request);
      const body = await properties.getOrSetList(
        filters,
        user,
        page,
        limit,
        async (): Promise<ListingPageResponse> => {
          markLoaded(request);
          const result = db.search(filters, page, limit);
          return {
            items: result.items.map((listing) => ({ ...listing, mine: listing.ownerId === user })),
            page,
            limit,
            total: result.total,
            totalPages: Math.ceil(result.total / limit),
            averagePrice: result.averagePrice,
            dataVersion: result.dataVersion,
            filters,
          };
        },
      );
      sendCacheStatus(request, reply);
      return body;
    },
  );

  app.get<{ Params: { id: number } }>(
    '/properties/:id',
    { schema: { params: idParams } },
    async (request, reply) => {
      const { id } = request.params;
      // A missing listing is `undefined`: not cached, so a listing created later is found at once.
      const listing = await properties.getOrSetDetail(id, async () => {
        markLoaded(request);
        return db.get(id);
      });
      if (listing === undefined) throw new HttpError(404, `no property with id ${id}`);
      sendCacheStatus(request, reply);
      return listing;
    },
  );

  app.post<{ Body: Omit<NewListing, 'ownerId'> }>(
    '/properties',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['title', 'city', 'price', 'bedrooms', 'type'],
          properties: listingFields,
        },
      },
    },
    async (request, reply) => {
      const ownerId = requireUser(request);
      const { listing, dataVersion, invalidation } = db.insert({
        ...request.body,
        amenities: request.body.amenities ?? [],
        ownerId,
      });
      const invalidated = await outbox.deliver(invalidation, () => invalidate(properties, listing.id));
      return reply.code(201).send({ property: listing, dataVersion, invalidated });
    },
  );

  app.put<{ Params: { id: number }; Body: Partial<Omit<NewListing, 'ownerId'>> }>(
    '/properties/:id',
    {
      schema: {
        params: idParams,
        body: { type: 'object', additionalProperties: false, minProperties: 1, properties: listingFields },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const { id } = request.params;
      assertOwner(db.get(id), id, user);
      const updated = db.update(id, request.body);
      if (updated === undefined) throw new HttpError(404, `no property with id ${id}`);
      const invalidated = await outbox.deliver(updated.invalidation, () => invalidate(properties, id));
      return { property: updated.listing, dataVersion: updated.dataVersion, invalidated };
    },
  );

  app.delete<{ Params: { id: number } }>(
    '/properties/:id',
    { schema: { params: idParams } },
    async (request) => {
      const user = requireUser(request);
      const { id } = request.params;
      assertOwner(db.get(id), id, user);
      const deleted = db.delete(id);
      if (deleted === undefined) throw new HttpError(404, `no property with id ${id}`);
      const invalidated = await outbox.deliver(deleted.invalidation, () => invalidate(properties, id));
      return { deleted: id, dataVersion: deleted.dataVersion, invalidated };
    },
  );
}

function assertOwner(listing: Listing | undefined, id: number, user: string): void {
  if (listing === undefined) throw new HttpError(404, `no property with id ${id}`);
  if (listing.ownerId !== user) throw new HttpError(403, `property ${id} belongs to another user`);
}

/**
 * After the write is committed: the patterns `listingInvalidations(id)` recorded in the outbox
 * (every list page and the listing's detail), through PropertyCacheManager, so that loads which
 * read the old row before the commit do not store it after this.
 */
async function invalidate(
  properties: PropertyCacheManager,
  id: number,
): Promise<{ listEntries: number; detailEntries: number }> {
  const [listEntries, detailEntries] = await Promise.all([
    properties.invalidatePropertyCaches(),
    properties.invalidatePropertyDetailCache(id),
  ]);
  return { listEntries, detailEntries };
}
