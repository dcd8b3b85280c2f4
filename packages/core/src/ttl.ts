import { CacheConfigError } from './errors.js';

/**
 * A time to live. A number is **seconds** (as Redis `EX`); a string is a duration with a unit:
 * `'250ms'`, `'30s'`, `'5m'`, `'1h'`, `'1d'`. Zero, negative, `NaN` or malformed is a
 * `CacheConfigError`.
 */
export type Ttl = number | string;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/;

/**
 * Converts a TTL to whole milliseconds (at least 1). `name` is used in the error message, so
 * that a bad `CACHE_DEFAULT_TTL` or `defaultTtl` option says which setting was wrong.
 */
export function parseTtl(ttl: Ttl, name = 'ttl'): number {
  let ms: number;
  if (typeof ttl === 'number') {
    ms = ttl * 1000;
  } else if (typeof ttl === 'string') {
    const match = DURATION.exec(ttl);
    if (match === null) {
      throw new CacheConfigError(
        `${name} must be a positive number of seconds or a duration like '250ms', '30s', '5m', '1h', '1d' (got ${JSON.stringify(ttl)})`,
      );
    }
    ms = Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  } else {
    throw new CacheConfigError(
      `${name} must be a number of seconds or a duration string (got ${typeof ttl})`,
    );
  }
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new CacheConfigError(`${name} must be greater than zero (got ${String(ttl)})`);
  }
  return Math.max(1, Math.round(ms));
}

/** `parseTtl` for an optional TTL: `undefined` stays `undefined` (no expiry / the backend's default). */
export function parseOptionalTtl(ttl: Ttl | undefined, name = 'ttl'): number | undefined {
  return ttl === undefined ? undefined : parseTtl(ttl, name);
}
