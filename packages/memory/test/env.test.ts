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

  it('reads sizes with binary units', () => {
    expect(fromEnv({ CACHE_MAX_BYTES: '64MiB', CACHE_MAX_ENTRY_BYTES: '512kb' })).toEqual({
      maxBytes: 64 * 1024 * 1024,
      maxEntryBytes: 512 * 1024,
    });
  });

  it.each(['many', '0', '-1', '1.5', '1e3', '99999999999999999999'])(
    'CACHE_MAX_ENTRIES=%s is a CacheConfigError naming the variable',
    (value) => {
      expect(() => fromEnv({ CACHE_MAX_ENTRIES: value })).toThrow(
        new CacheConfigError(`CACHE_MAX_ENTRIES must be an integer >= 1 (got ${JSON.stringify(value)})`),
      );
    },
  );

  it.each([
    ['CACHE_MAX_BYTES', 'lots'],
    ['CACHE_MAX_BYTES', '0'],
    ['CACHE_MAX_BYTES', '-5'],
    ['CACHE_MAX_BYTES', '0x100'],
    ['CACHE_MAX_ENTRY_BYTES', '12 parsecs'],
  ])('%s=%s is a CacheConfigError naming the variable', (name, value) => {
    expect(() => fromEnv({ [name]: value })).toThrow(
      new CacheConfigError(
        `${name} must be a size in bytes of at least 1, like '1048576', '64KiB', '512MB' or '1g' (got ${JSON.stringify(value)})`,
      ),
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
