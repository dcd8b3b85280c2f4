/**
 * A throw-away copy of what `changeset version` reads and writes: the root manifest, the
 * workspace file, `.changeset/` and every workspace package's `package.json` (with the root
 * `node_modules` linked in for the changesets CLI and its changelog module). The real tree is
 * never touched.
 */
import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { run, runNode } from './exec.js';
import { listTarball, readPackedManifest, type PackedManifest } from './tarball.js';
import { ROOT, TOOLS } from './workspace.js';

interface WorkspaceManifest {
  name: string;
  version?: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** Workspace package folders (relative to `root`) from the globs in its pnpm-workspace.yaml. */
export function workspacePackageDirs(root: string): string[] {
  const yaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const globs = [...yaml.matchAll(/^\s*-\s*['"]?([^'"\s#]+)['"]?\s*$/gm)].map((match) => match[1] as string);
  const dirs: string[] = [];
  for (const glob of globs) {
    if (glob.endsWith('/*')) {
      const parent = glob.slice(0, -2);
      if (!existsSync(join(root, parent))) continue;
      for (const entry of readdirSync(join(root, parent))) {
        if (existsSync(join(root, parent, entry, 'package.json'))) dirs.push(`${parent}/${entry}`);
      }
    } else if (existsSync(join(root, glob, 'package.json'))) {
      dirs.push(glob);
    }
  }
  return dirs.sort();
}

export class ReleaseSandbox {
  private constructor(
    readonly dir: string,
    readonly packageDirs: readonly string[],
  ) {}

  /** Copies the release inputs of the real workspace into a new temp folder. */
  static async fromWorkspace(): Promise<ReleaseSandbox> {
    const dir = await mkdtemp(join(tmpdir(), 'cache-release-'));
    const packageDirs = workspacePackageDirs(ROOT);
    const files = ['package.json', 'pnpm-workspace.yaml', ...packageDirs.map((p) => `${p}/package.json`)];
    for (const file of files) {
      await mkdir(dirname(join(dir, file)), { recursive: true });
      await cp(join(ROOT, file), join(dir, file));
    }
    await cp(join(ROOT, '.changeset'), join(dir, '.changeset'), { recursive: true });
    await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    return new ReleaseSandbox(dir, packageDirs);
  }

  /** A second, independent sandbox in this one's current state (CHANGELOGs included). */
  async copy(): Promise<ReleaseSandbox> {
    const dir = await mkdtemp(join(tmpdir(), 'cache-release-'));
    await cp(this.dir, dir, {
      recursive: true,
      verbatimSymlinks: true,
      filter: (source) => !relative(this.dir, source).split('/').includes('node_modules'),
    });
    await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    return new ReleaseSandbox(dir, this.packageDirs);
  }

  manifest(packageDir: string): WorkspaceManifest {
    return JSON.parse(readFileSync(join(this.dir, packageDir, 'package.json'), 'utf8')) as WorkspaceManifest;
  }

  /** `name → version` of every workspace package that has a version. */
  versions(): Record<string, string | undefined> {
    return Object.fromEntries(
      this.packageDirs.map((p) => {
        const manifest = this.manifest(p);
        return [manifest.name, manifest.version];
      }),
    );
  }

  changelog(packageDir: string): string | undefined {
    const file = join(this.dir, packageDir, 'CHANGELOG.md');
    return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  }

  /** Names of the pending changesets (`.changeset/*.md` other than the README). */
  async pendingChangesets(): Promise<string[]> {
    const entries = await readdir(join(this.dir, '.changeset'));
    return entries.filter((entry) => entry.endsWith('.md') && entry !== 'README.md').sort();
  }

  async addChangeset(
    name: string,
    bumps: Record<string, 'major' | 'minor' | 'patch'>,
    summary: string,
  ): Promise<void> {
    const front = Object.entries(bumps)
      .map(([pkg, bump]) => `'${pkg}': ${bump}`)
      .join('\n');
    await writeFile(join(this.dir, '.changeset', `${name}.md`), `---\n${front}\n---\n\n${summary}\n`);
  }

  /** Edits `.changeset/config.json`. */
  async editConfig(edit: (config: Record<string, unknown>) => void): Promise<void> {
    const file = join(this.dir, '.changeset', 'config.json');
    const config = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    edit(config);
    await writeFile(file, JSON.stringify(config, null, 2));
  }

  /** `changeset version` with the workspace's changesets CLI. */
  async version(): Promise<string> {
    const { stdout, stderr } = await runNode(TOOLS.changeset, ['version'], {
      cwd: this.dir,
      env: { CI: 'true' },
    });
    return stdout + stderr;
  }

  /**
   * `pnpm pack` of the given packages (as published: `workspace:` ranges rewritten to the
   * current versions) and their manifests and file lists. pnpm reads a workspace dependency's
   * version through the package's `node_modules`, so the links `pnpm install` would make are
   * made first, to the sandbox's copies.
   */
  async pack(
    packageDirs: readonly string[],
  ): Promise<Record<string, { manifest: PackedManifest; files: string[] }>> {
    const byName = new Map(this.packageDirs.map((p) => [this.manifest(p).name, p]));
    for (const packageDir of packageDirs) {
      const manifest = this.manifest(packageDir);
      const ranges = { ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.devDependencies };
      for (const [dep, range] of Object.entries(ranges)) {
        const target = byName.get(dep);
        if (!range.startsWith('workspace:') || target === undefined) continue;
        const link = join(this.dir, packageDir, 'node_modules', dep);
        if (existsSync(link)) continue;
        await mkdir(dirname(link), { recursive: true });
        await symlink(join(this.dir, target), link, 'dir');
      }
    }
    const out = join(this.dir, '.packed');
    await mkdir(out, { recursive: true });
    await run(
      'pnpm',
      [...packageDirs.flatMap((p) => ['--filter', `./${p}`]), 'pack', '--pack-destination', out],
      {
        cwd: this.dir,
      },
    );
    const result: Record<string, { manifest: PackedManifest; files: string[] }> = {};
    for (const entry of await readdir(out)) {
      const file = join(out, entry);
      const { manifest } = await readPackedManifest(file);
      result[manifest.name] = { manifest, files: await listTarball(file) };
    }
    return result;
  }

  remove(): Promise<void> {
    return rm(this.dir, { recursive: true, force: true });
  }
}
