import { fileURLToPath } from 'node:url';
import type { ViteUserConfig } from 'vitest/config';

const source = (name: string): string =>
  fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

/**
 * Tests run against the workspace packages' sources, so a change in core is seen by every
 * backend's tests without a rebuild. Published builds are checked separately (check:package).
 */
export const baseVitestConfig: ViteUserConfig = {
  resolve: {
    alias: {
      '@cache/core': source('core'),
      '@cache/test-suite': source('test-suite'),
      '@cache/memory': source('memory'),
      '@cache/disk': source('disk'),
      '@cache/redis': source('redis'),
      '@cache/property': source('property'),
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'] },
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
};
