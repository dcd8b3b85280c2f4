import { expect } from 'vitest';
import { check, type ConcernDefinition } from '../concern.js';

/** get / set / delete / exists / getAndDelete on single keys: misses, null, overwrite. */
export const basicConcern: ConcernDefinition = {
  concern: 'basic',
  title: 'basic operations',
  cases: () => [
    check(
      'a key that was never set is a miss: get answers undefined, exists false',
      async ({ backend, key }) => {
        const k = key('never-set');
        expect(await backend.get(k)).toBeUndefined();
        expect(await backend.exists(k)).toBe(false);
      },
    ),

    check('set answers true, then get returns the value and exists is true', async ({ backend, key }) => {
      const k = key('greeting');
      expect(await backend.set(k, 'hello')).toBe(true);
      expect(await backend.get(k)).toBe('hello');
      expect(await backend.exists(k)).toBe(true);
    }),

    check('overwriting a key replaces its value', async ({ backend, key }) => {
      const k = key('overwrite');
      await backend.set(k, { version: 1 });
      expect(await backend.set(k, { version: 2 })).toBe(true);
      expect(await backend.get(k)).toEqual({ version: 2 });
    }),

    check(
      'null is a value: stored, read back as null (not undefined), exists is true',
      async ({ backend, key }) => {
        const k = key('null');
        expect(await backend.set(k, null)).toBe(true);
        expect(await backend.get(k)).toBeNull();
        expect(await backend.exists(k)).toBe(true);
      },
    ),

    check('false, 0 and the empty string are values, not misses', async ({ backend, key }) => {
      const values: unknown[] = [false, 0, ''];
      for (const [index, value] of values.entries()) {
        const k = key(`falsy-${index}`);
        expect(await backend.set(k, value)).toBe(true);
        expect(await backend.get(k)).toBe(value);
        expect(await backend.exists(k)).toBe(true);
      }
    }),

    check(
      'delete answers true when it removed an entry, and the key then misses',
      async ({ backend, key }) => {
        const k = key('to-delete');
        await backend.set(k, 'x');
        expect(await backend.delete(k)).toBe(true);
        expect(await backend.get(k)).toBeUndefined();
        expect(await backend.exists(k)).toBe(false);
      },
    ),

    check('delete of a key that is not there answers false', async ({ backend, key }) => {
      const k = key('absent');
      expect(await backend.delete(k)).toBe(false);
      await backend.set(k, 1);
      await backend.delete(k);
      expect(await backend.delete(k)).toBe(false);
    }),

    check(
      'getAndDelete returns the value and removes the entry; the next call misses',
      async ({ backend, key }) => {
        const k = key('take');
        await backend.set(k, { n: 1 });
        expect(await backend.getAndDelete(k)).toEqual({ n: 1 });
        expect(await backend.exists(k)).toBe(false);
        expect(await backend.get(k)).toBeUndefined();
        expect(await backend.getAndDelete(k)).toBeUndefined();
      },
    ),

    check('getAndDelete of a stored null returns null, then misses', async ({ backend, key }) => {
      const k = key('take-null');
      await backend.set(k, null);
      expect(await backend.getAndDelete(k)).toBeNull();
      expect(await backend.getAndDelete(k)).toBeUndefined();
    }),

    check(
      'keys are exact: case, Unicode normalisation and surrounding spaces make different keys',
      async ({ backend, key }) => {
        const variants = ['Key', 'key', 'KEY', 'caf\u00e9', 'cafe\u0301', 'key ', ' key'];
        for (const [index, name] of variants.entries()) await backend.set(key(name), index);
        for (const [index, name] of variants.entries())
          expect(await backend.get(key(name)), name).toBe(index);
      },
    ),

    check(
      'keys with separators, path characters, control characters and emoji are stored as they are',
      async ({ backend, key }) => {
        const names = [
          'a:b:c',
          'a/b/../../c',
          '..',
          'a\\b',
          'line\nbreak',
          'tab\there',
          'nul\u0000byte',
          '🚀 rocket',
          '%41',
        ];
        for (const name of names) expect(await backend.set(key(name), `value of ${name}`), name).toBe(true);
        for (const name of names) expect(await backend.get(key(name)), name).toBe(`value of ${name}`);
        // '%41' must not alias 'A': a backend that decodes or normalises keys would mix them up.
        expect(await backend.get(key('A'))).toBeUndefined();
      },
    ),

    check('200 keys written concurrently each keep their own value', async ({ backend, key }) => {
      const names = Array.from({ length: 200 }, (_, index) => `many-${index}`);
      const stored = await Promise.all(names.map((name, index) => backend.set(key(name), { index })));
      expect(stored.every((ok) => ok === true)).toBe(true);
      const read = await Promise.all(names.map((name) => backend.get(key(name))));
      expect(read).toEqual(names.map((_, index) => ({ index })));
    }),
  ],
};
