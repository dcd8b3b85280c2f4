import { lstatSync, readdirSync, existsSync } from 'node:fs';
import { mkdtemp, rm, symlink, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { run, runNode, type RunResult } from './exec.js';
import { tarballsOf } from './packed.js';

/** An app outside the workspace (under the OS temp dir) with only the given tarballs installed. */
export interface ScratchApp {
  readonly dir: string;
  /** Writes a file relative to the app, creating folders. */
  write(file: string, text: string): Promise<void>;
  /** Runs `node <file>` in the app with extra environment variables. */
  node(file: string, env?: Record<string, string>): Promise<RunResult>;
  /** Every package folder under `node_modules` (scoped as `@scope/name`, nested ones too), sorted. */
  installedPackages(): string[];
  remove(): Promise<void>;
}

export interface ScratchAppOptions {
  /**
   * `npm install --legacy-peer-deps`: peers are not installed automatically. For an app that
   * links the workspace's vitest instead of downloading its own.
   */
  legacyPeerDeps?: boolean | undefined;
}

/** Package folders under `modules`, recursing into nested `node_modules`, not into links. */
function listPackages(modules: string, found: string[]): void {
  if (!existsSync(modules)) return;
  for (const entry of readdirSync(modules)) {
    if (entry.startsWith('.')) continue;
    const names = entry.startsWith('@')
      ? readdirSync(join(modules, entry)).map((name) => `${entry}/${name}`)
      : [entry];
    for (const name of names) {
      found.push(name);
      const path = join(modules, name);
      if (!lstatSync(path).isSymbolicLink()) listPackages(join(path, 'node_modules'), found);
    }
  }
}

/**
 * Creates the app and installs `packages` (names of packed packages) from their tarballs with
 * npm, as a user would; their registry dependencies (lru-cache, ioredis, fast-glob) come from
 * the npm registry or npm's cache.
 */
export async function createScratchApp(
  label: string,
  packages: readonly string[],
  options: ScratchAppOptions = {},
): Promise<ScratchApp> {
  const dir = await mkdtemp(join(tmpdir(), `cache-consumer-${label}-`));
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name: `scratch-${label}`, version: '1.0.0', private: true }, null, 2),
  );
  await run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
      ...(options.legacyPeerDeps ? ['--legacy-peer-deps'] : []),
      ...tarballsOf(packages),
    ],
    { cwd: dir, timeoutMs: 180_000 },
  );
  return {
    dir,
    write: async (file, text) => {
      await mkdir(dirname(join(dir, file)), { recursive: true });
      await writeFile(join(dir, file), text);
    },
    node: (file, env = {}) => runNode(file, [], { cwd: dir, env }),
    installedPackages: () => {
      const found: string[] = [];
      listPackages(join(dir, 'node_modules'), found);
      return found.sort();
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Links a package folder from the workspace into the app's `node_modules` (no download). */
export async function linkIntoApp(app: ScratchApp, name: string, target: string): Promise<void> {
  const link = join(app.dir, 'node_modules', name);
  await mkdir(dirname(link), { recursive: true });
  await symlink(target, link, 'dir');
}
