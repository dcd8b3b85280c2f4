import type { BackendDefinition } from '@cache/core';
import { latencyMapOptionsFromEnv } from './env.js';
import { LatencyMapBackend } from './latency-map-backend.js';
import type { LatencyMapBackendOptions } from './options.js';

export { LatencyMapBackend } from './latency-map-backend.js';
export { LatencyMapStore } from './latency-map-store.js';
export type { StoredEntry } from './latency-map-store.js';
export type { LatencyMapBackendOptions, LatencyMapClock } from './options.js';
export { latencyMapOptionsFromEnv } from './env.js';

// Joins the toolkit's config: `{ backend: 'latency-map', 'latency-map': { latencyMs: 5 } }` is type-checked.
declare module '@cache/core' {
  interface CacheBackendOptions {
    'latency-map': LatencyMapBackendOptions;
  }
}

/**
 * The `'latency-map'` backend type. Register it in the app's bootstrap:
 * `new BackendRegistry().register(latencyMapBackend)`; importing this package registers nothing.
 */
export const latencyMapBackend: BackendDefinition<LatencyMapBackendOptions> = {
  type: 'latency-map',
  create: (options, context) =>
    new LatencyMapBackend({ ...options, logger: options?.logger ?? context.logger }),
  fromEnv: latencyMapOptionsFromEnv,
};
