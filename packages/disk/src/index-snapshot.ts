import * as path from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import type { IndexEntry } from './disk-index.js';
import { isMissing, type FsLayer } from './fs-layer.js';
import type { Slicer } from './slicer.js';

/*
 * A snapshot of the index, so a restart with 100k entries does not have to open 100k files:
 * `<dir>/.index`, written atomically on disconnect() and now and then by the sweep. It is a
 * hint, never the truth: connect() still lists the folder, keeps only hinted entries whose
 * file is there, reads the headers of files the snapshot does not know (written since, or by
 * other processes), and every read still checks the file itself.
 *
 *   cache-toolkit-disk-index 1
 *   <sha256 hex>\t<size>\t<expiresAt>\t<key as JSON>      one line per entry, oldest first
 */

export const SNAPSHOT_FILE = '.index';
const FIRST_LINE = 'cache-toolkit-disk-index 1\n';

/** One entry as the snapshot remembers it. */
export interface SnapshotEntry {
  /** The file name: SHA-256 hex of the key. */
  readonly hash: string;
  readonly key: string;
  readonly size: number;
  readonly expiresAt: number;
  /** Set by the scan that finds its file (a flag here costs less than a set of 100k paths). */
  listed: boolean;
}

/** Writes the snapshot of `entries` (oldest first), building its text in event-loop slices. */
export async function writeSnapshot(
  fs: FsLayer,
  dir: string,
  tempDir: string,
  entries: readonly IndexEntry[],
  slicer: Slicer,
): Promise<void> {
  const lines: string[] = [FIRST_LINE];
  for (const entry of entries) {
    if (slicer.due()) await slicer.pause();
    if (!entry.live) continue;
    lines.push(`${path.basename(entry.path)}\t${entry.size}\t${entry.expiresAt}\t${JSON.stringify(entry.key)}\n`);
  }
  await writeFileAtomic(fs, tempDir, path.join(dir, SNAPSHOT_FILE), Buffer.from(lines.join('')), false);
}

const HEX64 = /^[0-9a-f]{64}$/;
const NUMBER = /^\d+(?:\.\d+)?$/;

/**
 * Reads the snapshot, oldest entry first. Missing, foreign or damaged: what could be read up
 * to the first bad line (possibly nothing). Never throws for the file's content.
 */
export async function readSnapshot(fs: FsLayer, dir: string, slicer: Slicer): Promise<SnapshotEntry[]> {
  let text: string;
  try {
    text = (await fs.promises.readFile(path.join(dir, SNAPSHOT_FILE))).toString('utf8');
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
  if (!text.startsWith(FIRST_LINE)) return [];
  const entries: SnapshotEntry[] = [];
  let start = FIRST_LINE.length;
  while (start < text.length) {
    if (slicer.due()) await slicer.pause();
    const end = text.indexOf('\n', start);
    const tab1 = start + 64;
    const tab2 = text.indexOf('\t', tab1 + 1);
    const tab3 = text.indexOf('\t', tab2 + 1);
    if (end === -1 || text.charCodeAt(tab1) !== 9 || tab2 === -1 || tab3 === -1 || tab3 > end) break;
    const hash = text.slice(start, tab1);
    const size = text.slice(tab1 + 1, tab2);
    const expiresAt = text.slice(tab2 + 1, tab3);
    let key: unknown;
    try {
      key = JSON.parse(text.slice(tab3 + 1, end));
    } catch {
      break;
    }
    if (!HEX64.test(hash) || !NUMBER.test(size) || !NUMBER.test(expiresAt) || typeof key !== 'string' || key === '') {
      break;
    }
    entries.push({ hash, key, size: Number(size), expiresAt: Number(expiresAt), listed: false });
    start = end + 1;
  }
  return entries;
}
