import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The repository root. */
export const ROOT: string = fileURLToPath(new URL('../../../../', import.meta.url));

/** A package that is packed: its workspace folder and its published name. */
export interface PackedPackage {
  readonly dir: string;
  readonly name: string;
}

/** The six packages the toolkit publishes. */
export const PUBLISHED: readonly PackedPackage[] = [
  { dir: 'packages/core', name: '@cache/core' },
  { dir: 'packages/memory', name: '@cache/memory' },
  { dir: 'packages/redis', name: '@cache/redis' },
  { dir: 'packages/disk', name: '@cache/disk' },
  { dir: 'packages/property', name: '@cache/property' },
  { dir: 'packages/test-suite', name: '@cache/test-suite' },
];

/** The third-party backend example: packed and installed like the others, never published. */
export const CUSTOM_BACKEND: PackedPackage = {
  dir: 'examples/custom-backend',
  name: 'cache-backend-latency-map',
};

/** Every package the packed-consumer tests install from a tarball. */
export const PACKED: readonly PackedPackage[] = [...PUBLISHED, CUSTOM_BACKEND];

/** The workspace's own tools, run by absolute path so scratch apps download no second copy. */
export const TOOLS = {
  tsc: join(ROOT, 'node_modules/typescript/bin/tsc'),
  vitest: join(ROOT, 'node_modules/vitest/vitest.mjs'),
  changeset: join(ROOT, 'node_modules/@changesets/cli/bin.js'),
  nodeTypes: join(ROOT, 'node_modules/@types'),
} as const;

/** The vitest package folder (real path), linked into a scratch app that runs a contract. */
export const VITEST_PACKAGE: string = join(ROOT, 'node_modules/vitest');
