import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { silentLogger } from '@cache/core';
import { describeBackendContract } from '@cache/test-suite';
import { afterAll } from 'vitest';
import { DiskBackend } from '../src/index.js';

// One real folder for the run. Every backend from the factory shares it (so the
// cross-instance cases run across instances on one folder); namespaces are sibling folders.
const root = mkdtempSync(path.join(tmpdir(), 'cache-disk-contract-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// Moves only when the suite advances it, as `advanceTime` requires; epoch-based like the real one.
let now = Date.now();
const clock = { now: (): number => now };
const MAX_ENTRY_BYTES = 256 * 1024;

const create = (dir: string): DiskBackend =>
  new DiskBackend({ dir, clock, maxEntryBytes: MAX_ENTRY_BYTES, sweepIntervalMs: 0, logger: silentLogger });

describeBackendContract('disk', () => create(path.join(root, 'shared')), {
  advanceTime: (ms) => {
    now += ms;
  },
  supportsCrossInstance: true,
  namespaces: { create: (namespace) => create(path.join(root, namespace)) },
  maxEntryBytes: MAX_ENTRY_BYTES,
});
