import { defineConfig } from 'vitest/config';

// No @cache/* aliases here: these tests never import the packages; they install the packed
// tarballs into apps outside the workspace and run them there.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Files spend most of their time waiting on npm, tsc and child processes, so they run
    // side by side even on two cores.
    maxWorkers: 4,
    testTimeout: 120_000,
    hookTimeout: 240_000,
  },
});
