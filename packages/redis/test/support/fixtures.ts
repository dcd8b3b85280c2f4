/** Small helpers shared by this package's tests. */
import { randomBytes } from 'node:crypto';
import type { CacheLogger } from '@cache/core';

/** A key prefix no other test (or concurrent run) uses. */
export function uniquePrefix(label = 't'): string {
  return `${label}-${randomBytes(4).toString('hex')}:`;
}

export interface RecordingLogger extends CacheLogger {
  readonly lines: Array<{ level: string; message: string }>;
  /** Lines whose message contains `text`. */
  matching(text: string): string[];
}

/** A logger that keeps every line (no rate limit of its own), so tests can count them. */
export function recordingLogger(): RecordingLogger {
  const lines: Array<{ level: string; message: string }> = [];
  const record =
    (level: string) =>
    (message: string): void => {
      lines.push({ level, message });
    };
  return {
    lines,
    warn: record('warn'),
    error: record('error'),
    info: record('info'),
    debug: record('debug'),
    matching: (text) => lines.filter((l) => l.message.includes(text)).map((l) => l.message),
  };
}

/** Collects unhandled rejections while `body` runs (and for a short while after). */
export async function withUnhandledRejections<T>(
  body: () => Promise<T>,
): Promise<{ result: T; unhandled: unknown[] }> {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  try {
    const result = await body();
    await new Promise((resolve) => setTimeout(resolve, 50));
    return { result, unhandled };
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
}

/** Runs `operation` and answers its result with how long it took to settle (ms). */
export async function timed<T>(operation: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await operation();
  return { value, ms: performance.now() - start };
}
