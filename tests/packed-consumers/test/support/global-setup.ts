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
import { listTarball } from './tarball.js';
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

function build(packages: readonly PackedPackage[]): Promise<unknown> {
  return run('pnpm', [...packages.flatMap((p) => ['--filter', `./${p.dir}`]), 'build'], {
    cwd: ROOT,
    timeoutMs: 600_000,
  });
}

function pack(packages: readonly PackedPackage[], destination: string): Promise<unknown> {
  return run(
    'pnpm',
    [...packages.flatMap((p) => ['--filter', `./${p.dir}`]), 'pack', '--pack-destination', destination],
    { cwd: ROOT },
  );
}

/** Packages whose tarball is missing or lacks one of the build outputs. */
async function incompleteTarballs(packed: PackedTarballs): Promise<PackedPackage[]> {
  const incomplete: PackedPackage[] = [];
  for (const pkg of PACKED) {
    const file = packed.tarballs[pkg.name] as string;
    const files = existsSync(file) ? await listTarball(file) : [];
    if (BUILD_OUTPUTS.some((output) => !files.includes(`package/${output}`))) incomplete.push(pkg);
  }
  return incomplete;
}

let workDir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  const stale = PACKED.filter(needsBuild);
  if (stale.length > 0) {
    console.log(`[packed-consumers] building ${stale.map((p) => p.name).join(', ')} (dist missing or stale)`);
    await build(stale);
  }

  workDir = await mkdtemp(join(tmpdir(), 'cache-packed-'));
  const tarballDir = join(workDir, 'tarballs');
  await mkdir(tarballDir);
  const packed: PackedTarballs = { dir: tarballDir, tarballs: {}, versions: {} };
  for (const pkg of PACKED) {
    const manifest = JSON.parse(readFileSync(join(ROOT, pkg.dir, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
    };
    if (manifest.name !== pkg.name)
      throw new Error(`${pkg.dir} is named ${manifest.name}, expected ${pkg.name}`);
    packed.tarballs[pkg.name] = join(tarballDir, tarballName(pkg.name, manifest.version));
    packed.versions[pkg.name] = manifest.version;
  }

  await pack(PACKED, tarballDir);
  // A build running elsewhere (tsup empties dist first) can leave a package half-built while
  // it is packed: rebuild and repack those once, so a busy machine does not fail every file.
  const incomplete = await incompleteTarballs(packed);
  if (incomplete.length > 0) {
    console.log(
      `[packed-consumers] ${incomplete.map((p) => p.name).join(', ')} packed without a full dist: rebuilding`,
    );
    await build(incomplete);
    await pack(incomplete, tarballDir);
  }
  project.provide('packed', packed);
}

export async function teardown(): Promise<void> {
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
}
