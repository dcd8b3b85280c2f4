import { getCacheManager } from '@cache/core';
import type { FastifyInstance } from 'fastify';

export function registerCacheStatsRoute(app: FastifyInstance): void {
  app.get('/cache/stats', async () => {
    const cache = getCacheManager();
    const stats = cache.stats();
    return {
      active: cache.backend.name,
      primary: cache.primary.name,
      fallback: cache.fallback?.name ?? null,
      usingFallback: cache.usingFallback,
      stats: { ...stats, hitRate: stats.hitRate },
    };
  });
}
