import type { CacheLogger } from '@cache/core';

/** A clock the test moves by hand; starts away from 0 like a real `performance.now()`. */
export class ManualClock {
  time = 5_000;
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

export interface LogLine {
  level: 'warn' | 'error' | 'info' | 'debug';
  message: string;
}

/** A logger that keeps every line, so tests can assert what was (and was not) logged. */
export function recordingLogger(): CacheLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    warn: (message) => void lines.push({ level: 'warn', message }),
    error: (message) => void lines.push({ level: 'error', message }),
    info: (message) => void lines.push({ level: 'info', message }),
    debug: (message) => void lines.push({ level: 'debug', message }),
  };
}
