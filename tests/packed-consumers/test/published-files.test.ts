/**
 * The publish dry run: what `pnpm publish` would upload is what `pnpm pack` wrote (pnpm
 * publishes the same tarball), so the global setup's tarballs are inspected file by file and
 * their manifests as the registry would serve them.
 */
import { describe, expect, inject, it } from 'vitest';
import { listTarball, readPackedManifest } from './support/tarball.js';
import { PACKED, PUBLISHED } from './support/workspace.js';

const REQUIRED = [
  'package/package.json',
  'package/README.md',
  'package/LICENSE',
  'package/dist/index.js',
  'package/dist/index.cjs',
  'package/dist/index.d.ts',
  'package/dist/index.d.cts',
];

/** Nothing but the manifest, the README, the LICENSE and the build. */
const ALLOWED = /^package\/(package\.json|README\.md|LICENSE|dist\/[^/]+\.(js|cjs|d\.ts|d\.cts|map))$/;

describe.each(PACKED.map((pkg) => pkg.name))('the tarball of %s', (name) => {
  const file = (): string => {
    const found = inject('packed').tarballs[name];
    if (found === undefined) throw new Error(`${name} was not packed`);
    return found;
  };

  it('holds dist, README.md and LICENSE, and nothing from src/ or test/', async () => {
    const files = await listTarball(file());
    expect(files).toEqual(expect.arrayContaining(REQUIRED));
    expect(files.filter((entry) => !ALLOWED.test(entry))).toEqual([]);
    expect(files.filter((entry) => /\/(src|test)\//.test(entry))).toEqual([]);
  });

  it('has a manifest with no workspace: ranges left, @cache/core as a caret peer, and the toolkit shape', async () => {
    const { text, manifest } = await readPackedManifest(file());
    const coreVersion = inject('packed').versions['@cache/core'];
    expect(text).not.toContain('workspace:');
    expect(manifest.name).toBe(name);
    expect(manifest.sideEffects).toBe(false);
    expect(manifest.engines).toEqual({ node: '>=20' });
    expect(manifest.exports).toEqual({
      '.': {
        import: { types: './dist/index.d.ts', default: './dist/index.js' },
        require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
      },
      './package.json': './package.json',
    });
    if (name !== '@cache/core') {
      expect(manifest.peerDependencies?.['@cache/core']).toBe(`^${coreVersion}`);
      // A peer, never a dependency: one copy of core, one registry, per app.
      expect(manifest.dependencies?.['@cache/core']).toBeUndefined();
    }
    expect(Object.keys(manifest.dependencies ?? {}).filter((dep) => dep.startsWith('@cache/'))).toEqual([]);
  });
});

describe('what is published', () => {
  it('is the six @cache packages; the custom backend example is private', async () => {
    const packed = inject('packed').tarballs;
    const manifests = await Promise.all(
      PACKED.map(async (pkg) => (await readPackedManifest(packed[pkg.name] as string)).manifest),
    );
    expect(manifests.filter((m) => m.private !== true).map((m) => m.name)).toEqual(
      PUBLISHED.map((p) => p.name),
    );
  });
});
