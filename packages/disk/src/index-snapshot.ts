import * as path from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import type { IndexEntry } from './disk-index.js';
import { isMissing, type FsLayer } from './fs-layer.js';
import type { Slicer } from './slicer.js';

/*
 * A snapshot of the index, so a restart with 100k entries does not have to open 100k files:
 * `<dir>/.index`, written atomically on disconnect() and now and then by the sweep. It is a
 * hint, never the truth: connect() still lists the folder and drops hinted entries whose file
 * is gone, reads the headers of files the snapshot does not know (written since, or by other
 * processes), and every read still checks the file itself.
 *
 *   cache-toolkit-disk-index 2
 *   <sha256 hex>\t<size>\t<expiresAt>\t<key as JSON>      one line per entry, newest first
 *
 * Newest first, so that a reader can add each line at the old end of its LRU list as it
 * parses, without holding 100k intermediate objects.
 */

export const SNAPSHOT_FILE = '.index';
const FIRST_LINE = 'cache-toolkit-disk-index 2\n';

/** Writes the snapshot of `entries` (given oldest first), building its text in event-loop slices. */
export async function writeSnapshot(
  fs: FsLayer,
  dir: string,
  tempDir: string,
  entries: readonly IndexEntry[],
  slicer: Slicer,
): Promise<void> {
  const lines: string[] = [FIRST_LINE];
  for (let i = entries.length - 1; i >= 0; i--) {
    if (slicer.due()) await slicer.pause();
    const entry = entries[i] as IndexEntry;
    if (entry.live)
      lines.push(`${entry.hash}\t${entry.size}\t${entry.expiresAt}\t${JSON.stringify(entry.key)}\n`);
  }
  await writeFileAtomic(fs, tempDir, path.join(dir, SNAPSHOT_FILE), Buffer.from(lines.join('')), false);
}

/** Receives each entry of a snapshot, newest first. */
export type SnapshotVisitor = (hash: string, key: string, size: number, expiresAt: number) => void;

const HEX64 = /^[0-9a-f]{64}$/;
const NUMBER = /^\d+(?:\.\d+)?$/;
const NEWLINE = 0x0a;
const TAB = 0x09;

/**
 * Reads the snapshot and hands each entry to `visit`, newest first. Missing, foreign or
 * damaged: whatever could be read up to the first bad line (possibly nothing). Never throws
 * for the file's content. Lines are decoded one by one from the buffer, never as one 10 MB
 * string whose slices would keep all of it alive as long as any entry lives.
 */
export async function readSnapshot(
  fs: FsLayer,
  dir: string,
  slicer: Slicer,
  visit: SnapshotVisitor,
): Promise<void> {
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(path.join(dir, SNAPSHOT_FILE));
  } catch (error) {
    if (isMissing(error)) return;
    throw error;
  }
  if (bytes.toString('latin1', 0, FIRST_LINE.length) !== FIRST_LINE) return;
  let start = FIRST_LINE.length;
  while (start < bytes.length) {
    if (slicer.due()) await slicer.pause();
    const end = bytes.indexOf(NEWLINE, start);
    const tab1 = start + 64;
    const tab2 = bytes.indexOf(TAB, tab1 + 1);
    const tab3 = tab2 === -1 ? -1 : bytes.indexOf(TAB, tab2 + 1);
    if (end === -1 || bytes[tab1] !== TAB || tab2 === -1 || tab3 === -1 || tab3 > end) return;
    const hash = bytes.toString('latin1', start, tab1);
    const size = bytes.toString('latin1', tab1 + 1, tab2);
    const expiresAt = bytes.toString('latin1', tab2 + 1, tab3);
    let key: unknown;
    try {
      key = JSON.parse(bytes.toString('utf8', tab3 + 1, end));
    } catch {
      return;
    }
    if (
      !HEX64.test(hash) ||
      !NUMBER.test(size) ||
      !NUMBER.test(expiresAt) ||
      typeof key !== 'string' ||
      key === ''
    ) {
      return;
    }
    visit(hash, key, Number(size), Number(expiresAt));
    start = end + 1;
  }
}
