import type { ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { silentLogger } from '@cache/core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DiskBackend } from '../src/index.js';
import { CRASH_KEYS, crashKey, crashValueProblem } from './fixtures/crash-values.js';
import { exited, spawnWorker, whenReady } from './support/child-process.js';
import { tempFolder } from './support/temp-folder.js';

const ROUNDS = 24;
const AHEAD = 4;

describe('a writer killed at random moments', () => {
  it(`(SIGKILL, ${ROUNDS} rounds) never leaves an entry that reads back torn or wrong`, async () => {
    const dir = tempFolder();
    const options = { dir, sweepIntervalMs: 0 };
    let complete = 0;
    const start = (round: number): ChildProcess =>
      spawnWorker(['crash-writer', JSON.stringify(options), String(round)]);
    // Writers are started a few rounds early (each waits for 'go'), so that their start-up
    // (seconds on a loaded machine) overlaps the rounds before.
    const waiting = Array.from({ length: Math.min(AHEAD, ROUNDS) }, (_, round) => start(round));
    onTestFinished(() => {
      for (const child of waiting) child.kill('SIGKILL');
    });
    for (let round = 0; round < ROUNDS; round++) {
      const child = waiting.shift() as ChildProcess;
      const ready = whenReady(child);
      child.stdin!.write('go\n');
      await ready;
      // Anywhere from right after the first write to well into the loop.
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 120));
      child.kill('SIGKILL');
      await exited(child);
      expect(child.signalCode).toBe('SIGKILL');
      if (round + AHEAD < ROUNDS) waiting.push(start(round + AHEAD));

      const reader = new DiskBackend({ ...options, logger: silentLogger });
      await reader.connect();
      // The killed writer's temp file, if it left one, is gone after connect().
      expect(readdirSync(path.join(dir, '.tmp')), `round ${round}: temp files`).toEqual([]);
      await reader.indexed();
      for (let i = 0; i < CRASH_KEYS; i++) {
        const key = crashKey(i);
        const value = await reader.get(key);
        if (value === undefined) continue;
        complete++;
        expect(crashValueProblem(key, value, round), `round ${round}, ${key}`).toBeUndefined();
      }
      expect(reader.stats().damaged, `round ${round}: damaged files`).toBe(0);
      await reader.disconnect();
    }
    // The kills must have landed while values existed, or the test proved nothing.
    expect(complete).toBeGreaterThan(ROUNDS);
  }, 300_000);
});
