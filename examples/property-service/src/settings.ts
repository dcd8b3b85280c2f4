import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Ttl } from '@cache/core';

/** The example's own folder: its data lives in `.data/` here unless told otherwise. */
export const EXAMPLE_DIR: string = fileURLToPath(new URL('..', import.meta.url));

/** Settings of the service itself; the cache reads its own `CACHE_*` / `REDIS_URL` variables. */
export interface ServiceSettings {
  /** `PORT`, default 3000 (0: any free port). */
  port: number;
  /** `HOST`, default `127.0.0.1` (loopback: set `0.0.0.0` to serve the network on purpose). */
  host: string;
  /** `DATABASE_FILE`, default `.data/listings.sqlite` in the example's folder; `:memory:` for a throw-away one. */
  databaseFile: string;
  /** `LISTINGS`, listings generated into an empty database; default 20,000, at least 10,000. */
  listings: number;
  /** `CACHE_DISK_DIR` when unset: `.data/cache` in the example's folder. */
  defaultDiskDir: string;
  /** `PROPERTY_LIST_TTL`, default `'60s'`. */
  listTtl: Ttl;
  /** `PROPERTY_DETAIL_TTL`, default `'5m'`. */
  detailTtl: Ttl;
  /** `LOG_LEVEL` of the Fastify logger, default `warn`. */
  logLevel: string;
}

/** Reads the service's variables; a malformed one throws an error that names it. */
export function readSettings(env: Record<string, string | undefined> = process.env): ServiceSettings {
  const dataDir = join(EXAMPLE_DIR, '.data');
  return {
    port: integer(env, 'PORT', 3000, 0, 65_535),
    host: env.HOST ?? '127.0.0.1',
    databaseFile: env.DATABASE_FILE ?? join(dataDir, 'listings.sqlite'),
    listings: integer(env, 'LISTINGS', 20_000, 10_000, 1_000_000),
    defaultDiskDir: join(dataDir, 'cache'),
    listTtl: env.PROPERTY_LIST_TTL ?? '60s',
    detailTtl: env.PROPERTY_DETAIL_TTL ?? '5m',
    logLevel: env.LOG_LEVEL ?? 'warn',
  };
}

function integer(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(text)})`);
  }
  return value;
}
