import { describe, expect, it } from 'vitest';
import { CacheConfigError, parseOptionalTtl, parseTtl, type Ttl } from '@cache/core';

describe('parseTtl', () => {
  it.each([
    [1, 1000],
    [300, 300_000],
    [0.25, 250],
    [0.0001, 1], // never rounds down to "no expiry"
    ['0.0001ms', 1],
    ['250ms', 250],
    ['30s', 30_000],
    ['1.5s', 1500],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    [' 5m ', 300_000],
    ['10 s', 10_000],
  ] as [Ttl, number][])('parseTtl(%j) = %d ms (numbers are seconds)', (ttl, ms) => {
    expect(parseTtl(ttl)).toBe(ms);
  });

  it.each([0, -1, -0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, '0s', '0ms', '0.0s'])(
    'parseTtl(%j) is a CacheConfigError (zero, negative, NaN, infinite)',
    (ttl) => {
      expect(() => parseTtl(ttl)).toThrow(CacheConfigError);
      expect(() => parseTtl(ttl)).toThrow(/^ttl must be greater than zero/);
    },
  );

  it.each(['', 'abc', '5', '5 minutes', '5M', '-5s', '1w', 's', '5s5', '1e3s'])(
    'parseTtl(%j) is a CacheConfigError (malformed)',
    (ttl) => {
      expect(() => parseTtl(ttl)).toThrow(
        new CacheConfigError(
          `ttl must be a positive number of seconds or a duration like '250ms', '30s', '5m', '1h', '1d' (got ${JSON.stringify(ttl)})`,
        ),
      );
    },
  );

  it.each([null, {}, [], true, 10n])('parseTtl(%o) is a CacheConfigError (not a number or string)', (ttl) => {
    expect(() => parseTtl(ttl as unknown as Ttl)).toThrow(CacheConfigError);
  });

  it('names the setting in the message', () => {
    expect(() => parseTtl(0, 'CACHE_DEFAULT_TTL')).toThrow(
      new CacheConfigError('CACHE_DEFAULT_TTL must be greater than zero (got 0)'),
    );
    expect(() => parseTtl('later', 'defaultTtl')).toThrow(/^defaultTtl must be a positive number of seconds/);
  });

  it('parseOptionalTtl keeps undefined and checks the rest', () => {
    expect(parseOptionalTtl(undefined)).toBeUndefined();
    expect(parseOptionalTtl('2s')).toBe(2000);
    expect(() => parseOptionalTtl(-1, 'ttl')).toThrow(CacheConfigError);
  });
});
