import { describe, expect, it } from 'vitest';
import { CacheConfigError } from '@cache/core';
import { MemoryBackend, type MemoryBackendOptions } from '@cache/memory';
import { recordingLogger } from './helpers.js';

const construct = (options: unknown) => () => new MemoryBackend(options as MemoryBackendOptions);

describe('option validation', () => {
  it.each([
    [{ maxEntries: 0 }, 'memory backend: maxEntries must be a positive integer (got 0)'],
    [{ maxEntries: -5 }, 'memory backend: maxEntries must be a positive integer (got -5)'],
    [{ maxEntries: 1.5 }, 'memory backend: maxEntries must be a positive integer (got 1.5)'],
    [{ maxEntries: Infinity }, 'memory backend: maxEntries must be a positive integer (got Infinity)'],
    [{ maxEntries: NaN }, 'memory backend: maxEntries must be a positive integer (got NaN)'],
    [{ maxEntries: '100' }, 'memory backend: maxEntries must be a positive integer (got "100")'],
    [
      { maxEntries: 2 ** 32 },
      `memory backend: maxEntries must be at most 4294967295, the length limit of the arrays lru-cache preallocates (got ${2 ** 32})`,
    ],
    [{ maxBytes: 0 }, 'memory backend: maxBytes must be a positive integer (got 0)'],
    [{ maxBytes: null }, 'memory backend: maxBytes must be a positive integer (got object)'],
    [{ maxEntryBytes: -1 }, 'memory backend: maxEntryBytes must be a positive integer (got -1)'],
    [{ maxEntryBytes: 2 ** 60 }, `memory backend: maxEntryBytes must be a positive integer (got ${2 ** 60})`],
    [{ defaultTtl: 0 }, 'memory backend: defaultTtl must be greater than zero (got 0)'],
    [
      { defaultTtl: '5 minutes' },
      `memory backend: defaultTtl must be a positive number of seconds or a duration like '250ms', '30s', '5m', '1h', '1d' (got "5 minutes")`,
    ],
    [{ clone: 'yes' }, 'memory backend: clone must be a boolean (got "yes")'],
    [{ logger: {} }, 'memory backend: logger must have warn() and error() methods'],
    [{ clock: Date.now }, 'memory backend: clock must have a now() method returning milliseconds'],
    ['fast', 'memory backend: options must be an object (got "fast")'],
    [null, 'memory backend: options must be an object (got object)'],
  ])('%j → %s', (options, message) => {
    expect(construct(options)).toThrow(CacheConfigError);
    expect(construct(options)).toThrow(new CacheConfigError(message));
  });

  it('the errors carry the stable code', () => {
    try {
      construct({ maxEntries: 0 })();
      expect.unreachable();
    } catch (error) {
      expect((error as CacheConfigError).code).toBe('E_CACHE_CONFIG');
    }
  });

  it('accepts no options, and every option at once', () => {
    expect(() => new MemoryBackend()).not.toThrow();
    expect(
      () =>
        new MemoryBackend({
          maxEntries: 5,
          maxBytes: 1000,
          maxEntryBytes: 100,
          defaultTtl: '1m',
          clone: false,
          logger: console,
          clock: performance,
        }),
    ).not.toThrow();
  });

  it('undefined members mean "use the default"', async () => {
    const cache = new MemoryBackend({ maxEntries: undefined, maxBytes: undefined, clone: undefined });
    const stored = { a: 1 };
    await cache.set('k', stored);
    expect(await cache.get('k')).not.toBe(stored); // clone defaults to true
  });

  it('warns once about unknown options (a typo would otherwise be silently ignored)', () => {
    const logger = recordingLogger();
    new MemoryBackend({ maxEntry: 5, ttl: 3, logger } as MemoryBackendOptions);
    expect(logger.lines).toEqual([
      {
        level: 'warn',
        message:
          "[memory] unknown options 'maxEntry', 'ttl' ignored (known: maxEntries, maxBytes, maxEntryBytes, defaultTtl, clone, logger, clock)",
      },
    ]);
  });

  it('accepts keyPrefix silently: the manager may pass it to every backend', () => {
    const logger = recordingLogger();
    new MemoryBackend({ keyPrefix: 'app:', logger } as MemoryBackendOptions);
    expect(logger.lines).toEqual([]);
  });
});
