/**
 * The published shape, not the workspace sources: builds and packs @cache/core and
 * @cache/memory, installs just those two tarballs into a scratch app outside the workspace
 * (lru-cache comes from the npm registry, or npm's cache when offline), and runs a serverless
 * bootstrap from it as ESM and as CommonJS.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const packages = fileURLToPath(new URL('../..', import.meta.url));

// The same steps in both module systems; `load` is the only difference.
const script = (load: string): string => `
${load}
const assert = (ok, what) => { if (!ok) { console.error('FAILED: ' + what); process.exit(1); } };
async function main() {
  const registry = new BackendRegistry().register(memoryBackend);
  const cache = CacheManager.createFromConfig({ serverless: true }, { registry });
  await cache.connect();
  assert(cache.primary.name === 'memory', 'primary is memory, got ' + cache.primary.name);
  assert(cache.fallback === undefined, 'serverless has no fallback');
  assert((await cache.get('user:1')) === undefined, 'first read misses');
  assert((await cache.set('user:1', { name: 'Ada', tags: ['x'] })) === true, 'set answers true');
  assert((await cache.set('user:2', null)) === true, 'null is a value');
  const hit = await cache.get('user:1');
  assert(hit && hit.name === 'Ada' && hit.tags[0] === 'x', 'second read hits: ' + JSON.stringify(hit));
  assert((await cache.get('user:2')) === null, 'null comes back');
  assert((await cache.deletePattern('user:*')) === 2, 'pattern deletes both');
  assert((await cache.get('user:1')) === undefined, 'miss after deletePattern');
  const stats = cache.stats();
  assert(stats.hits === 2 && stats.misses === 2 && stats.sets === 2, 'stats: ' + JSON.stringify(stats));
  await cache.disconnect();
  console.log('ok');
}
main().catch((error) => { console.error(error); process.exit(1); });
`;

let work: string;
let app: string;

/** Runs one step; a failure says which step, with the command's own stderr. */
async function step(label: string, file: string, args: string[], cwd: string): Promise<string> {
  try {
    return (await run(file, args, { cwd, maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`${label} failed in ${cwd}: ${String(error)}\n${stderr}`);
  }
}

const DIST_FILES = ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts'];

/**
 * Builds and packs one workspace package; answers the tarball path. The workspace is shared, so
 * someone else's build may clean `dist` between our build and our pack: a tarball without its
 * dist files is rebuilt and packed again once.
 */
async function buildAndPack(name: string, destination: string): Promise<string> {
  const cwd = join(packages, name);
  for (let attempt = 1; ; attempt++) {
    await step(`tsup (${name})`, 'npx', ['tsup', '--silent'], cwd);
    const before = new Set(readdirSync(destination));
    await step(`pnpm pack (${name})`, 'pnpm', ['pack', '--pack-destination', destination], cwd);
    const tarball = readdirSync(destination).find((file) => file.endsWith('.tgz') && !before.has(file));
    if (tarball === undefined) throw new Error(`pnpm pack (${name}) wrote no tarball`);
    const listing = await step(`tar (${name})`, 'tar', ['-tzf', join(destination, tarball)], destination);
    const missing = DIST_FILES.filter((file) => !listing.includes(`package/${file}`));
    if (missing.length === 0) return join(destination, tarball);
    if (attempt === 2) throw new Error(`the ${name} tarball lacks ${missing.join(', ')} after two builds`);
    await rm(join(destination, tarball));
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'cache-memory-consumer-'));
  const tarballs = join(work, 'tarballs');
  app = join(work, 'app');
  await mkdir(tarballs);
  await mkdir(app);
  const packed = [await buildAndPack('core', tarballs), await buildAndPack('memory', tarballs)];
  await writeFile(
    join(app, 'package.json'),
    JSON.stringify({ name: 'scratch-app', version: '1.0.0', private: true }),
  );
  await step(
    'npm install',
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', ...packed],
    app,
  );
  await writeFile(
    join(app, 'bootstrap.mjs'),
    script(
      "import { CacheManager, BackendRegistry } from '@cache/core';\nimport { memoryBackend } from '@cache/memory';",
    ),
  );
  await writeFile(
    join(app, 'bootstrap.cjs'),
    script(
      "const { CacheManager, BackendRegistry } = require('@cache/core');\nconst { memoryBackend } = require('@cache/memory');",
    ),
  );
}, 300_000);

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

/** Every package directory under node_modules, scoped ones as `@scope/name`, nested ones too. */
function installedPackages(dir: string): string[] {
  const found: string[] = [];
  const walk = (modules: string): void => {
    if (!existsSync(modules)) return;
    for (const entry of readdirSync(modules)) {
      if (entry.startsWith('.')) continue;
      const names = entry.startsWith('@')
        ? readdirSync(join(modules, entry)).map((n) => `${entry}/${n}`)
        : [entry];
      for (const name of names) {
        found.push(name);
        walk(join(modules, name, 'node_modules'));
      }
    }
  };
  walk(join(dir, 'node_modules'));
  return found.sort();
}

describe('a scratch app with only @cache/core and @cache/memory installed', () => {
  it('installs exactly core, memory and lru-cache: no ioredis, no fast-glob', () => {
    const installed = installedPackages(app);
    expect(installed).toEqual(['@cache/core', '@cache/memory', 'lru-cache']);
    expect(installed).not.toContain('ioredis');
    expect(installed).not.toContain('fast-glob');
  });

  it.each(['bootstrap.mjs', 'bootstrap.cjs'])('runs the serverless bootstrap: %s', async (file) => {
    const { stdout } = await run(process.execPath, [file], { cwd: app });
    expect(stdout.trim()).toBe('ok');
  });
});
