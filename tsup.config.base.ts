import type { Options } from 'tsup';

/**
 * Shared build: ESM + CJS + .d.ts/.d.cts from `src/index.ts`. Each package's
 * `tsup.config.ts` spreads this so every published package has the same shape.
 */
export const baseTsupConfig: Options = {
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  splitting: false,
  treeshake: true,
};
