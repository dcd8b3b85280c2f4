import { PropertyCacheManager } from '@cache/property';
import { getCacheManager } from '@cache/core';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { describeCache, wireCache } from './cache-bootstrap.js';
import { ListingsDatabase } from './db.js';
import { formatSchemaErrors } from './http-errors.js';
import { InvalidationOutbox } from './invalidation-outbox.js';
import { registerAuthRoutes } from './routes/auth.js';
import { registerCacheStatsRoute } from './routes/cache-stats.js';
import { registerPropertyRoutes } from './routes/properties.js';
import { registerSavedSearchRoutes } from './routes/saved-searches.js';
import { readSettings } from './settings.js';

export interface AppOptions {
  /** Where settings and cache variables are read from. Default `process.env`. */
  env?: Record<string, string | undefined> | undefined;
  /** An open database (the app then leaves it open on close). Default: `DATABASE_FILE`, seeded if empty. */
  database?: ListingsDatabase | undefined;
  /** Fastify's logger option. Default: pino at `LOG_LEVEL` (warn). */
  logger?: FastifyServerOptions['logger'] | undefined;
}

export interface PropertyService {
  app: FastifyInstance;
  db: ListingsDatabase;
  /** `disk (/path), fallback memory`: valid once the app is ready. */
  describeCache(): string;
}

/**
 * The service, not yet listening: `await service.app.listen(...)` starts it (and connects the
 * cache through the `onReady` hook); `await service.app.close()` stops it and the cache.
 */
export function buildApp(options: AppOptions = {}): PropertyService {
  const env = options.env ?? process.env;
  const settings = readSettings(env);
  const app = Fastify({
    logger: options.logger ?? { level: settings.logLevel },
    ajv: { customOptions: { removeAdditional: false } },
    schemaErrorFormatter: formatSchemaErrors,
  });
  const db =
    options.database ?? new ListingsDatabase({ file: settings.databaseFile, listings: settings.listings });
  if (options.database === undefined) app.addHook('onClose', async () => db.close());

  const properties = new PropertyCacheManager(() => getCacheManager(), {
    listTtl: settings.listTtl,
    detailTtl: settings.detailTtl,
    logger: { warn: (message) => app.log.warn(message), error: (message) => app.log.error(message) },
  });
  const outbox = new InvalidationOutbox(db, (message) => app.log.warn(message));
  const config = wireCache(app, {
    env,
    defaultDiskDir: settings.defaultDiskDir,
    // Before the first request: the invalidations a killed run (or a sibling's write in flight)
    // left in the outbox, and, on a database seeded just now, the drop of every entry an older
    // one left (the seed owes it). One-time codes live only in the cache and are kept.
    onReady: async (cache) => {
      outbox.attach(cache);
      const replay = await outbox.replay();
      if (replay.rows === 0 || (db.seeded && replay.deleted === 0 && replay.delivered)) return;
      const what = db.seeded
        ? 'new database: dropped the entries of an older one'
        : `replayed ${replay.rows} cache invalidation(s) left in the outbox by a run killed between a ` +
          'write and its invalidation (or by a write in flight in another process)';
      app.log.warn(
        `${what}: ${replay.patterns} pattern(s), ${replay.deleted} entries deleted` +
          (replay.delivered ? '' : '; not provably on the primary cache, so kept to retry'),
      );
    },
    onClosed: () => outbox.detach(),
  });

  app.get('/', async () => ({
    service: 'property-service',
    listings: db.count(),
    cache: describeCache(getCacheManager(), config),
    routes: [
      'GET /properties?city=&minPrice=&maxPrice=&bedrooms=&type=&amenity=&page=&limit=',
      'GET /properties/:id',
      'POST /properties',
      'PUT /properties/:id',
      'DELETE /properties/:id',
      'GET /saved-searches',
      'POST /saved-searches',
      'POST /auth/code',
      'POST /auth/token',
      'GET /cache/stats',
    ],
  }));
  registerPropertyRoutes(app, { db, properties, outbox });
  registerSavedSearchRoutes(app, { db, outbox });
  registerAuthRoutes(app);
  registerCacheStatsRoute(app);

  return { app, db, describeCache: () => describeCache(getCacheManager(), config) };
}
