import { defineConfig } from 'vitest/config';
import { baseVitestConfig } from '../../vitest.config.base.js';

export default defineConfig(baseVitestConfig);
