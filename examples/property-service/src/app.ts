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
import { ServiceRuns } from './service-runs.js';
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
  const runs = new ServiceRuns(db);
  const config = wireCache(app, {
    env,
    defaultDiskDir: settings.defaultDiskDir,
    // Before the first request, drop this service's entries when they may describe rows that
    // are no longer what the database holds: entries of an older database (deleted or re-seeded
    // since), or entries a run that did not close cleanly may have left behind (killed between a
    // commit and its invalidation: see service-runs.ts). One-time codes live only in the cache
    // and are kept.
    onReady: async (cache) => {
      const unfinished = runs.start();
      if (!db.seeded && unfinished.length === 0) return;
      let dropped = 0;
      for (const pattern of ['properties:*', 'property:*', 'saved-searches:*'])
        dropped += await cache.deletePattern(pattern);
      if (db.seeded) {
        if (dropped > 0) app.log.warn(`new database: dropped ${dropped} cache entries from an older one`);
        return;
      }
      const pids = unfinished.map((run) => run.pid).join(', ');
      app.log.warn(
        `an earlier run (pid ${pids}) did not close cleanly and may have been killed between a database ` +
          `write and its cache invalidation: dropped ${dropped} cache entries`,
      );
      // On the fallback, the drop did not reach the primary: keep the rows, so the next start retries.
      if (!cache.usingFallback) runs.forgetEnded(unfinished);
    },
    onClosed: () => {
      try {
        runs.finish();
      } catch (error) {
        // The database was closed first: the row stays, and the next start drops the cache (safe).
        app.log.warn(
          `could not record a clean close: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
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
