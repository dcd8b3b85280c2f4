import type { BackendDefinition } from '@cache/core';
import { DiskBackend } from './disk-backend.js';
import { defaultDiskDir, diskOptionsFromEnv } from './env.js';
import type { DiskBackendOptions } from './options.js';

export { DiskBackend } from './disk-backend.js';
export type { DiskBackendStats } from './disk-backend.js';
export type { DiskBackendOptions, DiskClock } from './options.js';
export { defaultDiskDir } from './env.js';

declare module '@cache/core' {
  interface CacheBackendOptions {
    disk: DiskBackendOptions;
  }
}

/**
 * The disk backend's definition (the toolkit's default backend). Register it in the app's
 * bootstrap: `new BackendRegistry().register(diskBackend)`; importing this package registers
 * nothing. Without a `dir` (no `disk` block, no `CACHE_DISK_DIR`) it uses `defaultDiskDir()`.
 */
export const diskBackend: BackendDefinition<DiskBackendOptions> = {
  type: 'disk',
  create: (options, context) =>
    new DiskBackend({
      ...options,
      dir: options?.dir ?? defaultDiskDir(),
      logger: options?.logger ?? context.logger,
    }),
  fromEnv: diskOptionsFromEnv,
};
