import { CacheKeyError } from '@cache/core';

/** The filters of a list query, as the route parsed them: `{ city: 'Lyon', minPrice: 100_000 }`. */
export type PropertyFilters = Record<string, unknown>;

/**
 * Throws a `CacheKeyError` naming the member when `filters` holds something that JSON would
 * silently collapse: `NaN`/`±Infinity` become `null`, a `Map`/`Set`/class instance becomes `{}`,
 * a `bigint` or a cycle makes `JSON.stringify` throw a `TypeError` that names nothing.
 * Collapsing is the dangerous case: `{ ids: new Set([1]) }` and `{ ids: new Set([2]) }` would
 * hash alike and two different queries would share one cached page.
 *
 * Everything JSON represents faithfully passes unchanged, so for ordinary filters the key's
 * hash is exactly `generateHash(filters)`. `Date` (and anything else with `toJSON`) is accepted:
 * it hashes as what `toJSON()` returns, so a `Date` and its ISO string give the same key.
 */
export function assertHashableFilters(filters: unknown): asserts filters is PropertyFilters {
  if (typeof filters !== 'object' || filters === null || Array.isArray(filters)) {
    throw new CacheKeyError(`filters must be a plain object (got ${describe(filters)})`);
  }
  check(filters, 'filters', new Set());
}

function check(value: unknown, path: string, ancestors: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return;
    case 'number':
      if (!Number.isFinite(value)) {
        throw new CacheKeyError(
          `${path} must be a finite number (got ${String(value)}): JSON would turn it into null`,
        );
      }
      return;
    case 'object':
      break;
    default:
      throw new CacheKeyError(`${path} cannot be part of a cache key (got a ${typeof value})`);
  }
  if (value === null) return;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return;
  if (ancestors.has(value))
    throw new CacheKeyError(`${path} refers back to itself (a cycle cannot be hashed)`);
  const proto: unknown = Object.getPrototypeOf(value);
  const isArray = Array.isArray(value);
  if (!isArray && proto !== Object.prototype && proto !== null) {
    throw new CacheKeyError(
      `${path} must be a string, number, boolean, null, array or plain object (got ${describe(value)}): ` +
        'JSON would turn it into {} and different filters would share one key',
    );
  }
  ancestors.add(value);
  if (isArray) {
    value.forEach((item: unknown, index) => check(item, `${path}[${index}]`, ancestors));
  } else {
    for (const [name, member] of Object.entries(value)) check(member, `${path}.${name}`, ancestors);
  }
  ancestors.delete(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `a ${(value as object).constructor?.name ?? 'null-prototype object'}`;
  return `a ${typeof value}`;
}
