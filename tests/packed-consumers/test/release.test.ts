/**
 * The release flow, run on a throw-away copy of the workspace's manifests and `.changeset/`
 * (never the real tree): `changeset version` of the pending changesets gives sensible versions
 * and changelogs, `pnpm pack` turns `workspace:^` peers into `^1.0.0`, and a later minor of
 * `@cache/core` does not drag every backend to a new major (the changesets peer-dependency
 * trap that `onlyUpdatePeerDependentsWhenOutOfRange` avoids; shown by turning it off too).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReleaseSandbox } from './support/release-sandbox.js';
import { CUSTOM_BACKEND, PUBLISHED } from './support/workspace.js';

const BACKENDS = PUBLISHED.filter((pkg) => pkg.name !== '@cache/core');
const PEER_OPTION = 'onlyUpdatePeerDependentsWhenOutOfRange';

const sandboxes: ReleaseSandbox[] = [];
let released: ReleaseSandbox;
let before: Record<string, string | undefined>;

/** A copy of the released state with one more changeset for @cache/core, versioned. */
async function releaseCoreAgain(
  bump: 'minor' | 'major',
  editConfig?: (config: Record<string, unknown>) => void,
): Promise<ReleaseSandbox> {
  const next = await released.copy();
  sandboxes.push(next);
  if (editConfig !== undefined) await next.editConfig(editConfig);
  await next.addChangeset(`core-${bump}`, { '@cache/core': bump }, `A ${bump} change in core.`);
  await next.version();
  return next;
}

const versionsOf = (
  sandbox: ReleaseSandbox,
  names: readonly string[],
): Record<string, string | undefined> => {
  const all = sandbox.versions();
  return Object.fromEntries(names.map((name) => [name, all[name]]));
};

beforeAll(async () => {
  released = await ReleaseSandbox.fromWorkspace();
  sandboxes.push(released);
  before = released.versions();
  await released.version();
}, 120_000);

afterAll(async () => {
  await Promise.all(sandboxes.map((sandbox) => sandbox.remove()));
});

describe('changeset version of the pending changesets', () => {
  it('releases every published package at 1.0.0', () => {
    expect(
      versionsOf(
        released,
        PUBLISHED.map((p) => p.name),
      ),
    ).toEqual(Object.fromEntries(PUBLISHED.map((p) => [p.name, '1.0.0'])));
  });

  it('leaves private packages (examples, tests, bench) unversioned and without a CHANGELOG', () => {
    const after = released.versions();
    const privateDirs = released.packageDirs.filter((dir) => !PUBLISHED.some((p) => p.dir === dir));
    expect(privateDirs).toContain(CUSTOM_BACKEND.dir);
    for (const dir of privateDirs) {
      const name = released.manifest(dir).name;
      expect(after[name], `${name} keeps its version`).toBe(before[name]);
      expect(released.changelog(dir), `${dir}/CHANGELOG.md`).toBeUndefined();
    }
  });

  it('writes each package a CHANGELOG.md with the release under "## 1.0.0"', () => {
    for (const pkg of PUBLISHED) {
      const changelog = released.changelog(pkg.dir);
      expect(changelog, pkg.dir).toMatch(
        new RegExp(`^# ${pkg.name}\\n\\n## 1\\.0\\.0\\n\\n### Major Changes\\n\\n- First release`),
      );
    }
  });

  it('consumes the changesets', async () => {
    expect(await released.pendingChangesets()).toEqual([]);
  });

  it('packs every backend with a ^1.0.0 peer on @cache/core, as pnpm publish would', async () => {
    const packed = await released.pack(PUBLISHED.map((p) => p.dir));
    expect(Object.keys(packed).sort()).toEqual(PUBLISHED.map((p) => p.name).sort());
    for (const pkg of PUBLISHED) {
      const manifest = packed[pkg.name]?.manifest;
      expect(manifest?.version, pkg.name).toBe('1.0.0');
      expect(JSON.stringify(manifest), pkg.name).not.toContain('workspace:');
    }
    for (const pkg of BACKENDS) {
      expect(packed[pkg.name]?.manifest.peerDependencies?.['@cache/core'], pkg.name).toBe('^1.0.0');
    }
  });
});

describe('a later release of @cache/core', () => {
  it('a minor takes core to 1.1.0 and leaves every backend at 1.0.0 (its ^1.0.0 peer still holds)', async () => {
    const next = await releaseCoreAgain('minor');
    expect(
      versionsOf(
        next,
        PUBLISHED.map((p) => p.name),
      ),
    ).toEqual({
      ...Object.fromEntries(BACKENDS.map((p) => [p.name, '1.0.0'])),
      '@cache/core': '1.1.0',
    });
    expect(next.changelog('packages/core')).toMatch(
      /^# @cache\/core\n\n## 1\.1\.0\n\n### Minor Changes\n\n- A minor change in core\./,
    );
    for (const pkg of BACKENDS) expect(next.changelog(pkg.dir), pkg.dir).toBe(released.changelog(pkg.dir));
  });

  it(`the trap, with ${PEER_OPTION} turned off: the same minor would release every backend as 2.0.0`, async () => {
    expect(released.versions()['@cache/core']).toBe('1.0.0');
    const next = await releaseCoreAgain('minor', (config) => {
      delete config.___experimentalUnsafeOptions_WILL_CHANGE_IN_PATCH;
    });
    expect(
      versionsOf(
        next,
        BACKENDS.map((p) => p.name),
      ),
    ).toEqual(Object.fromEntries(BACKENDS.map((p) => [p.name, '2.0.0'])));
  });

  it('a major takes core to 2.0.0 and every backend to a new major too (their peer range has to move)', async () => {
    const next = await releaseCoreAgain('major');
    expect(
      versionsOf(
        next,
        PUBLISHED.map((p) => p.name),
      ),
    ).toEqual(Object.fromEntries(PUBLISHED.map((p) => [p.name, '2.0.0'])));
  });
});
