import type { BackendDefinition } from '@cache/core';
import { redisOptionsFromEnv } from './env.js';
import { RedisBackend } from './redis-backend.js';
import type { RedisBackendOptions } from './options.js';

export { RedisBackend } from './redis-backend.js';
export type { RedisBackendStats } from './redis-backend.js';
export type {
  RedisBackendOptions,
  RedisBreakerOptions,
  RedisClusterConnectionOptions,
  RedisSentinelOptions,
} from './options.js';
export type { BreakerState } from './circuit-breaker.js';

declare module '@cache/core' {
  interface CacheBackendOptions {
    redis: RedisBackendOptions;
  }
}

/**
 * The `'redis'` backend type. Register it in the app's bootstrap:
 * `new BackendRegistry().register(redisBackend)`. `fromEnv` reads `REDIS_URL` and `CACHE_MAX_ENTRY_BYTES`.
 */
export const redisBackend: BackendDefinition<RedisBackendOptions> = {
  type: 'redis',
  create: (options, context) => new RedisBackend({ ...options, logger: options?.logger ?? context.logger }),
  fromEnv: redisOptionsFromEnv,
};
