import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createDefaultLogger,
  isCacheLogger,
  rateLimitLogger,
  silentLogger,
  type CacheLogger,
} from '@cache/core';

function recording() {
  const lines: [string, string, ...unknown[]][] = [];
  const logger = {
    warn: (message: string, ...meta: unknown[]) => void lines.push(['warn', message, ...meta]),
    error: (message: string, ...meta: unknown[]) => void lines.push(['error', message, ...meta]),
  };
  return { logger, lines };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('rateLimitLogger', () => {
  it('writes a message once per interval and reports how many were suppressed', () => {
    const { logger, lines } = recording();
    let now = 0;
    const limited = rateLimitLogger(logger, 1000, () => now);
    limited.warn('redis down', { attempt: 1 });
    limited.warn('redis down', { attempt: 2 });
    now = 999;
    limited.warn('redis down', { attempt: 3 });
    expect(lines).toEqual([['warn', 'redis down', { attempt: 1 }]]);
    now = 1000;
    limited.warn('redis down', { attempt: 4 });
    expect(lines.at(-1)).toEqual(['warn', 'redis down (2 similar suppressed)', { attempt: 4 }]);
    now = 2500;
    limited.warn('redis down');
    expect(lines.at(-1)).toEqual(['warn', 'redis down']);
  });

  it('limits each message and each level separately', () => {
    const { logger, lines } = recording();
    const limited = rateLimitLogger(logger, 1000, () => 0);
    limited.warn('a');
    limited.warn('b');
    limited.error('a');
    limited.warn('a');
    limited.error('a');
    expect(lines).toEqual([
      ['warn', 'a'],
      ['warn', 'b'],
      ['error', 'a'],
    ]);
  });

  it('passes info and debug through unlimited when the logger has them, and omits them otherwise', () => {
    const info = vi.fn();
    const limited = rateLimitLogger({ warn() {}, error() {}, info }, 1000, () => 0);
    limited.info?.('x', 1);
    limited.info?.('x', 2);
    expect(info.mock.calls).toEqual([
      ['x', 1],
      ['x', 2],
    ]);
    expect(limited.debug).toBeUndefined();
    expect(rateLimitLogger(recording().logger).info).toBeUndefined();
  });

  it('defaults to a 30 s interval', () => {
    const { logger, lines } = recording();
    let now = 0;
    const limited = rateLimitLogger(logger, undefined, () => now);
    limited.warn('m');
    now = 29_999;
    limited.warn('m');
    now = 30_000;
    limited.warn('m');
    expect(lines.map((line) => line[1])).toEqual(['m', 'm (1 similar suppressed)']);
  });
});

describe('default and silent loggers', () => {
  it('createDefaultLogger writes to console.warn / console.error with a [cache] prefix, rate-limited', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const logger = createDefaultLogger();
    logger.warn('slow', 1);
    logger.warn('slow', 2);
    logger.error('broken');
    expect(warn.mock.calls).toEqual([['[cache] slow', 1]]);
    expect(error.mock.calls).toEqual([['[cache] broken']]);
  });

  it('createDefaultLogger is silent below warn', () => {
    const logger = createDefaultLogger();
    expect(logger.info).toBeUndefined();
    expect(logger.debug).toBeUndefined();
  });

  it('silentLogger logs nothing', () => {
    const warn = vi.spyOn(console, 'warn');
    silentLogger.warn('x');
    silentLogger.error('x');
    expect(warn).not.toHaveBeenCalled();
  });

  it('console satisfies CacheLogger', () => {
    const logger: CacheLogger = console;
    expect(typeof logger.warn).toBe('function');
  });
});

describe('isCacheLogger', () => {
  it('accepts console, the silent logger and any object with warn() and error()', () => {
    expect(isCacheLogger(console)).toBe(true);
    expect(isCacheLogger(silentLogger)).toBe(true);
    expect(isCacheLogger({ warn() {}, error() {} })).toBe(true);
  });

  it('rejects what lacks either method', () => {
    expect(isCacheLogger(undefined)).toBe(false);
    expect(isCacheLogger(null)).toBe(false);
    expect(isCacheLogger({ warn() {} })).toBe(false);
    expect(isCacheLogger({ warn: 'x', error() {} })).toBe(false);
  });
});
