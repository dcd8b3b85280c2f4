import { defineConfig } from 'vitest/config';
import { baseVitestConfig } from '../../vitest.config.base.js';

// The e2e files each start a service with the process-wide cache; files run in separate workers.
export default defineConfig({
  ...baseVitestConfig,
  test: { ...baseVitestConfig.test, testTimeout: 60_000 },
});
