import type { ListingFilters } from './db.js';
import { HttpError } from './http-errors.js';
import { AMENITIES, PROPERTY_TYPES } from './seed.js';

/** JSON schema of the list filters: shared by `GET /properties` and saved searches. */
export const filterProperties = {
  city: { type: 'string', minLength: 1, maxLength: 64 },
  minPrice: { type: 'integer', minimum: 0, maximum: 1_000_000_000 },
  maxPrice: { type: 'integer', minimum: 0, maximum: 1_000_000_000 },
  bedrooms: { type: 'integer', minimum: 0, maximum: 20 },
  type: { type: 'string', enum: [...PROPERTY_TYPES] },
  amenity: { type: 'string', enum: [...AMENITIES] },
} as const;

export const filtersSchema = {
  type: 'object',
  additionalProperties: false,
  properties: filterProperties,
} as const;

/**
 * The filters as the cache key should see them: a city matches case-insensitively and
 * ignoring surrounding spaces in SQL, so `' lyon'` and `'Lyon'` are one query and one cache
 * entry. Everything else is already typed by the schema. Throws a 400 for an empty price range.
 */
export function normaliseFilters(raw: ListingFilters): ListingFilters {
  const city = raw.city?.trim().toLowerCase();
  if (city === '') throw new HttpError(400, `query parameter 'city' must not be blank`);
  if (raw.minPrice !== undefined && raw.maxPrice !== undefined && raw.minPrice > raw.maxPrice) {
    throw new HttpError(
      400,
      `minPrice (${raw.minPrice}) must not be greater than maxPrice (${raw.maxPrice})`,
    );
  }
  return {
    city,
    minPrice: raw.minPrice,
    maxPrice: raw.maxPrice,
    bedrooms: raw.bedrooms,
    type: raw.type,
    amenity: raw.amenity,
  };
}
