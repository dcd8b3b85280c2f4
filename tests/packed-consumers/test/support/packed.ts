import { inject } from 'vitest';

/** What the global setup packed: one tarball per package name. */
export interface PackedTarballs {
  /** The folder holding every tarball. */
  dir: string;
  /** Package name → absolute path of its `.tgz`. */
  tarballs: Record<string, string>;
  /** Package name → the version in its workspace `package.json`. */
  versions: Record<string, string>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    packed: PackedTarballs;
  }
}

/** The tarballs of `names`, failing loudly if one was not packed. */
export function tarballsOf(names: readonly string[]): string[] {
  const { tarballs } = inject('packed');
  return names.map((name) => {
    const file = tarballs[name];
    if (file === undefined)
      throw new Error(`no tarball for ${name} (packed: ${Object.keys(tarballs).join(', ')})`);
    return file;
  });
}
