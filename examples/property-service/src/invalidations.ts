/**
 * What each write makes stale in the cache, as `deletePattern` globs. The database records them
 * in its outbox in the same transaction as the write (see invalidation-outbox.ts), so they live
 * here, next to neither the routes nor the SQL: both need them.
 */
import { buildCacheKey, CacheKeyPatterns } from '@cache/core';

/**
 * Every entry that describes the database: list pages, details, saved searches. Every pattern
 * below falls under one of these (one-time codes live only in the cache and are not here). A new
 * database owes the cache this drop, and so does an outbox too long to replay pattern by pattern.
 */
export const ALL_DATABASE_ENTRIES: readonly string[] = ['properties:*', 'property:*', 'saved-searches:*'];

/**
 * A listing created, changed or deleted: every list page (any of them may hold it, or should)
 * and its detail. On insert too: SQLite reuses the highest id once that row is deleted.
 */
export function listingInvalidations(id: number): string[] {
  return [CacheKeyPatterns.ALL_PROPERTIES, CacheKeyPatterns.forProperty(id)];
}

/** `saved-searches:u{user}`: every cached entry of one user's saved searches starts with it. */
export function savedSearchesPrefix(userId: string): string {
  return buildCacheKey('saved-searches', [], { includeUser: true, userId });
}

/** A saved search added: that user's cached list, and only that user's. */
export function savedSearchInvalidations(userId: string): string[] {
  return [`${savedSearchesPrefix(userId)}:*`];
}
