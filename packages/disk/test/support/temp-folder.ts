import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach } from 'vitest';

const made: string[] = [];
const mounts: string[] = [];

/** A fresh empty folder under the system temp folder, removed after the current test. */
export function tempFolder(label = 'disk'): string {
  const folder = mkdtempSync(path.join(tmpdir(), `cache-${label}-`));
  made.push(folder);
  return folder;
}

afterEach(() => {
  for (const mount of mounts.splice(0).reverse()) execFileSync('umount', ['-l', mount], { stdio: 'ignore' });
  for (const folder of made.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/**
 * Mounts a tmpfs of `bytes` on the (existing, empty) folder `at`, unmounted after the test.
 * Answers false where the sandbox does not allow mounting (not root, no CAP_SYS_ADMIN): the
 * caller then injects the same error through an `FsLayer` instead.
 */
export function mountTmpfs(at: string, bytes: number): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0755`, 'tmpfs', at], { stdio: 'ignore' });
  } catch {
    return false;
  }
  mounts.push(at);
  return true;
}

/** Remounts a tmpfs mounted by `mountTmpfs` read-only. */
export function remountReadOnly(at: string): void {
  execFileSync('mount', ['-o', 'remount,ro', at], { stdio: 'ignore' });
}

/** Every file (not folder) under `root`, as paths relative to it, sorted. */
export function filesUnder(root: string): string[] {
  const found: string[] = [];
  const walk = (folder: string): void => {
    for (const name of readdirSync(folder)) {
      const full = path.join(folder, name);
      if (statSync(full, { throwIfNoEntry: false })?.isDirectory()) walk(full);
      else found.push(path.relative(root, full));
    }
  };
  walk(root);
  return found.sort();
}

/** Entry files (not temp files, not the index snapshot) under a cache folder. */
export function entryFiles(dir: string): string[] {
  return filesUnder(dir).filter((file) => !file.startsWith('.'));
}

/** Sum of entry file sizes under a cache folder. */
export function entryBytes(dir: string): number {
  return entryFiles(dir).reduce((sum, file) => sum + statSync(path.join(dir, file)).size, 0);
}

/** A test clock in epoch ms that moves only when told. */
export class TestClock {
  current: number;
  constructor(start: number = Date.UTC(2030, 0, 1)) {
    this.current = start;
  }
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}
