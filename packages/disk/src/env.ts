import * as os from 'node:os';
import * as path from 'node:path';
import { CacheConfigError, readEnvBytes, readEnvString, type EnvSource } from '@cache/core';
import type { DiskBackendOptions } from './options.js';

/**
 * The folder used when neither the `dir` option nor `CACHE_DISK_DIR` names one:
 * `<os.tmpdir()>/cache-toolkit-<uid>`. Per user, so two accounts on one machine never share
 * (or fight over) one folder, and under the temp folder, which exists and is writable on
 * every platform and container image (a path relative to the working directory is not, in
 * serverless and read-only deployments). It does not survive a reboot on systems that clear
 * /tmp: set `CACHE_DISK_DIR` for a cache that should.
 */
export function defaultDiskDir(): string {
  const user =
    typeof process.getuid === 'function' ? String(process.getuid()) : (os.userInfo().username ?? 'user');
  return path.join(os.tmpdir(), `cache-toolkit-${user}`);
}

/**
 * Disk options from `CACHE_DISK_DIR` (default `defaultDiskDir()`), `CACHE_MAX_BYTES` and
 * `CACHE_MAX_ENTRY_BYTES` (bytes, or a size such as `512MB`, `64KiB`: units are powers of
 * 1024). A malformed variable is a `CacheConfigError` naming it.
 */
export function diskOptionsFromEnv(env: EnvSource): DiskBackendOptions {
  const dir = readEnvString(env, 'CACHE_DISK_DIR');
  if (dir?.includes('\0')) throw new CacheConfigError('CACHE_DISK_DIR must not contain a NUL character');
  const options: DiskBackendOptions = { dir: dir ?? defaultDiskDir() };
  const maxBytes = readEnvBytes(env, 'CACHE_MAX_BYTES');
  const maxEntryBytes = readEnvBytes(env, 'CACHE_MAX_ENTRY_BYTES');
  if (maxBytes !== undefined) options.maxBytes = maxBytes;
  if (maxEntryBytes !== undefined) options.maxEntryBytes = maxEntryBytes;
  return options;
}
