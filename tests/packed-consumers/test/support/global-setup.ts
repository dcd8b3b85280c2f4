/**
 * Runs once before every test file: makes sure each packed package's `dist` is up to date
 * (under turbo, `^build` already did it), then packs all of them with one `pnpm pack` into a
 * temp folder the test files share (`inject('packed')`). pnpm rewrites `workspace:` ranges at
 * pack time exactly as it does when publishing, so these are the files a user would install.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { run } from './exec.js';
import type { PackedTarballs } from './packed.js';
import { PACKED, ROOT, type PackedPackage } from './workspace.js';

const BUILD_OUTPUTS = ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts'];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** True when an output is missing or older than the package's sources or manifest. */
function needsBuild(pkg: PackedPackage): boolean {
  const dir = join(ROOT, pkg.dir);
  const sources = Math.max(newestMtime(join(dir, 'src')), statSync(join(dir, 'package.json')).mtimeMs);
  return BUILD_OUTPUTS.some((file) => {
    const path = join(dir, file);
    return !existsSync(path) || statSync(path).mtimeMs < sources;
  });
}

/** The file name `pnpm pack` gives a package: `@cache/core@1.2.3` → `cache-core-1.2.3.tgz`. */
function tarballName(name: string, version: string): string {
  return `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`;
}

let workDir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  const stale = PACKED.filter(needsBuild);
  if (stale.length > 0) {
    console.log(`[packed-consumers] building ${stale.map((p) => p.name).join(', ')} (dist missing or stale)`);
    await run('pnpm', [...stale.flatMap((p) => ['--filter', `./${p.dir}`]), 'build'], {
      cwd: ROOT,
      timeoutMs: 600_000,
    });
  }

  workDir = await mkdtemp(join(tmpdir(), 'cache-packed-'));
  const tarballDir = join(workDir, 'tarballs');
  await mkdir(tarballDir);
  await run(
    'pnpm',
    [...PACKED.flatMap((p) => ['--filter', `./${p.dir}`]), 'pack', '--pack-destination', tarballDir],
    {
      cwd: ROOT,
    },
  );

  const packed: PackedTarballs = { dir: tarballDir, tarballs: {}, versions: {} };
  for (const pkg of PACKED) {
    const manifest = JSON.parse(readFileSync(join(ROOT, pkg.dir, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
    };
    if (manifest.name !== pkg.name)
      throw new Error(`${pkg.dir} is named ${manifest.name}, expected ${pkg.name}`);
    const file = join(tarballDir, tarballName(pkg.name, manifest.version));
    if (!existsSync(file))
      throw new Error(`pnpm pack did not write ${file} (found: ${readdirSync(tarballDir).join(', ')})`);
    packed.tarballs[pkg.name] = file;
    packed.versions[pkg.name] = manifest.version;
  }
  project.provide('packed', packed);
}

export async function teardown(): Promise<void> {
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
}
