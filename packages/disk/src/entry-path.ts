import { createHash } from 'node:crypto';
import * as path from 'node:path';

/*
 * Layout under the cache directory:
 *
 *   <dir>/<h0h1>/<sha256 hex of the key>   one file per entry, 256 fan-out folders
 *   <dir>/.tmp/<host>.<pid>.<nonce>.<n>    files being written, claimed or probed
 *
 * The file name is only ever the hex digest, so no key (`../../etc/passwd`, NUL, 1 KB of
 * emoji) can name a path: every path is `dir` + 2 hex + 64 hex. One fan-out level keeps a
 * rebuild to 257 directory listings; with a million entries a folder holds ~4k names, which
 * ext4/xfs index without trouble.
 */

/** The folder, under `dir`, that holds temp and claimed files (same file system, so rename is atomic). */
export const TEMP_FOLDER = '.tmp';

/** The fast-glob pattern of the fan-out folders, relative to `dir`. */
export const FAN_OUT_GLOB = '[0-9a-f][0-9a-f]';

const HASH = /^[0-9a-f]{64}$/;

/** Hex SHA-256 of the key's UTF-8 bytes. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Where an entry with this hash lives. */
export function entryPathForHash(dir: string, hash: string): string {
  return dir + path.sep + hash.slice(0, 2) + path.sep + hash;
}

/** Where the entry for `key` lives under `dir` (an absolute, normalized directory). */
export function entryPath(dir: string, key: string): string {
  return entryPathForHash(dir, hashKey(key));
}

/** Whether `name`, found in the fan-out folder `folder`, is an entry file's name. */
export function isEntryFileName(folder: string, name: string): boolean {
  return name.length === 64 && name.startsWith(folder) && HASH.test(name);
}
