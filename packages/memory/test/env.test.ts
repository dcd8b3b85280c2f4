import { describe, expect, it } from 'vitest';
import { CacheConfigError } from '@cache/core';
import { memoryBackend } from '@cache/memory';

const fromEnv = (env: Record<string, string | undefined>) => memoryBackend.fromEnv!(env);

describe('memoryBackend.fromEnv', () => {
  it('reads CACHE_MAX_ENTRIES, CACHE_MAX_BYTES and CACHE_MAX_ENTRY_BYTES', () => {
    expect(
      fromEnv({ CACHE_MAX_ENTRIES: '500', CACHE_MAX_BYTES: '67108864', CACHE_MAX_ENTRY_BYTES: ' 4096 ' }),
    ).toEqual({ maxEntries: 500, maxBytes: 67_108_864, maxEntryBytes: 4096 });
  });

  it('leaves out what is unset or blank, so the defaults apply', () => {
    expect(fromEnv({})).toEqual({});
    expect(fromEnv({ CACHE_MAX_ENTRIES: '', CACHE_MAX_BYTES: '  ', OTHER: '1' })).toEqual({});
  });

  it.each([
    ['CACHE_MAX_ENTRIES', 'many'],
    ['CACHE_MAX_ENTRIES', '0'],
    ['CACHE_MAX_ENTRIES', '-1'],
    ['CACHE_MAX_ENTRIES', '1.5'],
    ['CACHE_MAX_ENTRIES', '1e3'],
    ['CACHE_MAX_BYTES', '64MB'],
    ['CACHE_MAX_BYTES', '0x100'],
    ['CACHE_MAX_ENTRY_BYTES', '99999999999999999999'],
  ])('%s=%s is a CacheConfigError naming the variable', (name, value) => {
    expect(() => fromEnv({ [name]: value })).toThrow(
      new CacheConfigError(`${name} must be a positive integer (got ${JSON.stringify(value)})`),
    );
  });

  it('what it reads builds a working backend', async () => {
    const backend = memoryBackend.create(fromEnv({ CACHE_MAX_ENTRIES: '2' }), { logger: console });
    await backend.set('a', 1);
    await backend.set('b', 2);
    await backend.set('c', 3);
    expect(await backend.get('a')).toBeUndefined();
    expect(backend.stats().entries).toBe(2);
  });
});
