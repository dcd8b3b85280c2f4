import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { errorCode, type FsLayer } from './fs-layer.js';

// A temp name says who made it: `<host>.<pid>.<nonce>.<n>`. The host hash keeps two machines
// (or containers, each with its own pid 1) on a shared volume from judging each other's pids;
// the per-process nonce tells a live process from an earlier one that had the same pid.
const HOST = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
const NONCE = randomBytes(4).toString('hex');
const OWN_PREFIX = `${HOST}.${process.pid}.${NONCE}.`;
const TEMP_NAME = /^([0-9a-f]{8})\.(\d+)\.([0-9a-f]{8})\.[0-9a-z]+$/;
let counter = 0;

/** A temp file name no other writer (thread, process, machine) can pick. */
export function tempName(): string {
  return OWN_PREFIX + (counter++).toString(36);
}

/** Any temp file older than this is abandoned, whoever made it: writes and claims last milliseconds. */
export const STALE_TEMP_MS: number = 10 * 60_000;

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return errorCode(error) === 'EPERM';
  }
}

/**
 * Whether a temp file was left behind by a writer that can no longer finish it: a dead
 * process on this host, an earlier process that had our pid, or anyone after STALE_TEMP_MS.
 * A live writer's file is left alone, so a second process connecting never breaks a write
 * in flight.
 */
export function isStaleTemp(name: string, modifiedAt: number, now: number): boolean {
  if (now - modifiedAt > STALE_TEMP_MS) return true;
  const match = TEMP_NAME.exec(name);
  if (match === null) return false;
  const [, host, pidText, nonce] = match;
  if (host !== HOST) return false;
  const pid = Number(pidText);
  if (pid === process.pid) return nonce !== NONCE;
  return !processIsAlive(pid);
}

/** Removes abandoned temp files from `tempDir`; answers how many. Missing folder: 0. */
export async function removeStaleTemps(fs: FsLayer, tempDir: string, now: number): Promise<number> {
  let names: string[];
  try {
    names = await fs.promises.readdir(tempDir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const file = path.join(tempDir, name);
    try {
      const stats = await fs.promises.stat(file);
      if (!stats.isFile() || !isStaleTemp(name, stats.mtimeMs, now)) continue;
      await fs.promises.unlink(file);
      removed++;
    } catch {
      // Gone already (another process cleaned it, or its writer renamed it): nothing to do.
    }
  }
  return removed;
}
