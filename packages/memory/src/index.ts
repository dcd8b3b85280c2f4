import type { BackendDefinition } from '@cache/core';
import { memoryOptionsFromEnv } from './env.js';
import { MemoryBackend } from './memory-backend.js';
import type { MemoryBackendOptions } from './options.js';

export { MemoryBackend } from './memory-backend.js';
export type { MemoryBackendStats } from './memory-backend.js';
export type { MemoryBackendOptions, MemoryClock } from './options.js';

declare module '@cache/core' {
  interface CacheBackendOptions {
    memory: MemoryBackendOptions;
  }
}

/**
 * The memory backend's definition. Register it in the app's bootstrap:
 * `new BackendRegistry().register(memoryBackend)`; importing this package registers nothing.
 */
export const memoryBackend: BackendDefinition<MemoryBackendOptions> = {
  type: 'memory',
  create: (options, context) => new MemoryBackend({ ...options, logger: options?.logger ?? context.logger }),
  fromEnv: memoryOptionsFromEnv,
};
