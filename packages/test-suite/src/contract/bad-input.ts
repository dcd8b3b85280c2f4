import { CacheConfigError, CacheKeyError, type CacheBackend } from '@cache/core';
import { expect } from 'vitest';
import { check, type ConcernDefinition } from '../concern.js';
import { expectRejection } from '../expect-rejection.js';

/** Every keyed operation, called with `key` (and a harmless value for `set`). */
function keyedOperations(
  backend: CacheBackend,
  key: unknown,
): ReadonlyArray<readonly [string, () => Promise<unknown>]> {
  const k = key as string;
  return [
    ['get', () => backend.get(k)],
    ['set', () => backend.set(k, 'value')],
    ['getAndDelete', () => backend.getAndDelete(k)],
    ['delete', () => backend.delete(k)],
    ['exists', () => backend.exists(k)],
  ];
}

const BAD_KEYS: ReadonlyArray<readonly [string, unknown]> = [
  ['an empty key', ''],
  ['a number key', 42],
  ['a null key', null],
  ['an undefined key', undefined],
  ['an object key', { id: 1 }],
  ['an array key', ['a']],
];

const BAD_TTLS: ReadonlyArray<readonly [string, unknown]> = [
  ['0', 0],
  ['-1', -1],
  ['NaN', Number.NaN],
  ["'abc'", 'abc'],
  ["''", ''],
  ["'0s'", '0s'],
  ["'-5s'", '-5s'],
  ["'10x'", '10x'],
  ["'5 minutes'", '5 minutes'],
];

/**
 * The caller's own mistakes reject, checked by class and by `code`: bad keys with
 * `CacheKeyError`, bad TTLs with `CacheConfigError`. Nothing is stored by a rejected call.
 */
export const badInputConcern: ConcernDefinition = {
  concern: 'bad-input',
  title: 'bad input',
  cases: () => [
    ...BAD_KEYS.map(([label, badKey]) =>
      check(
        `${label} rejects every keyed operation with CacheKeyError (E_CACHE_KEY)`,
        async ({ backend }) => {
          for (const [operation, call] of keyedOperations(backend, badKey)) {
            await expectRejection(`${operation}(${label})`, call, CacheKeyError);
          }
        },
      ),
    ),

    check(
      'keys of exactly 1024 UTF-8 bytes are accepted, in ASCII, 2-byte and 4-byte characters',
      async ({ backend, key, prefix }) => {
        for (const unit of ['a', 'é', '😀']) {
          const unitBytes = Buffer.byteLength(unit, 'utf8');
          const head = key(`limit-${unitBytes}-`);
          const room = 1024 - Buffer.byteLength(head, 'utf8');
          const k = head + '.'.repeat(room % unitBytes) + unit.repeat(Math.floor(room / unitBytes));
          key(k.slice(prefix.length));
          expect(Buffer.byteLength(k, 'utf8')).toBe(1024);
          expect(await backend.set(k, unit), `set of a 1024-byte key of '${unit}'`).toBe(true);
          expect(await backend.get(k)).toBe(unit);
        }
      },
    ),

    check(
      'keys over 1024 UTF-8 bytes reject with CacheKeyError, counted in bytes not characters',
      async ({ backend, prefix }) => {
        const tooLong: ReadonlyArray<readonly [string, string]> = [
          ['1025 ASCII bytes', prefix + 'a'.repeat(1025 - prefix.length)],
          // 2-byte characters: 513 of them are 1026 bytes but only 513 characters.
          ['513 two-byte characters', 'é'.repeat(513)],
          // 4-byte characters (surrogate pairs): 257 of them are 1028 bytes, 514 UTF-16 units.
          ['257 four-byte characters', '😀'.repeat(257)],
        ];
        for (const [label, badKey] of tooLong) {
          expect(Buffer.byteLength(badKey, 'utf8')).toBeGreaterThan(1024);
          for (const [operation, call] of keyedOperations(backend, badKey)) {
            await expectRejection(`${operation}(${label})`, call, CacheKeyError);
          }
        }
      },
    ),

    ...BAD_TTLS.map(([label, ttl]) =>
      check(
        `a TTL of ${label} rejects set with CacheConfigError (E_CACHE_CONFIG) and stores nothing`,
        async ({ backend, key }) => {
          const k = key('bad-ttl');
          await expectRejection(
            `set(key, value, ${label})`,
            () => backend.set(k, 'value', ttl as number),
            CacheConfigError,
          );
          expect(await backend.exists(k)).toBe(false);
        },
      ),
    ),

    check('a rejected TTL leaves a previous value of the key in place', async ({ backend, key }) => {
      const k = key('keep');
      await backend.set(k, 'previous');
      await expectRejection('set(key, value, 0)', () => backend.set(k, 'next', 0), CacheConfigError);
      expect(await backend.get(k)).toBe('previous');
    }),
  ],
};
