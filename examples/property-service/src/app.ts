import { PropertyCacheManager } from '@cache/property';
import { getCacheManager } from '@cache/core';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { describeCache, wireCache } from './cache-bootstrap.js';
import { ListingsDatabase } from './db.js';
import { formatSchemaErrors } from './http-errors.js';
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
  const config = wireCache(app, {
    env,
    defaultDiskDir: settings.defaultDiskDir,
    // Entries cached from an older database (deleted or re-seeded since) would be served as
    // current, so a freshly seeded database starts with none of this service's entries.
    onReady: async (cache) => {
      if (!db.seeded) return;
      let dropped = 0;
      for (const pattern of ['properties:*', 'property:*', 'saved-searches:*'])
        dropped += await cache.deletePattern(pattern);
      if (dropped > 0) app.log.warn(`new database: dropped ${dropped} cache entries from an older one`);
    },
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
  registerPropertyRoutes(app, { db, properties });
  registerSavedSearchRoutes(app, { db });
  registerAuthRoutes(app);
  registerCacheStatsRoute(app);

  return { app, db, describeCache: () => describeCache(getCacheManager(), config) };
}
