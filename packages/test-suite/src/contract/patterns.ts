import { escapeGlob, type CacheBackend } from '@cache/core';
import { expect } from 'vitest';
import { check, type ConcernDefinition } from '../concern.js';
import type { ContractEnv } from '../harness.js';

/**
 * Writes `names` (under the test prefix), runs `deletePattern(prefix + pattern)` and checks
 * the count and exactly which keys are gone and which are left with their values.
 */
async function expectPatternDeletes(
  env: ContractEnv,
  pattern: string,
  names: readonly string[],
  deleted: readonly string[],
): Promise<void> {
  const { backend, key, prefix } = env;
  for (const name of names) expect(await backend.set(key(name), `value of ${name}`)).toBe(true);
  expect(await backend.deletePattern(prefix + pattern), `deletePattern('${pattern}') count`).toBe(
    deleted.length,
  );
  for (const name of names) {
    const expected = deleted.includes(name) ? undefined : `value of ${name}`;
    expect(await backend.get(key(name)), `'${name}' after deletePattern('${pattern}')`).toBe(expected);
  }
}

async function readAll(backend: CacheBackend, keys: readonly string[]): Promise<unknown[]> {
  return Promise.all(keys.map((k) => backend.get(k)));
}

/** `deletePattern` with Redis `MATCH` globs: `*`, `?`, `[abc]`, `[^a]`, `[a-z]`, `\x`. */
export const patternsConcern: ConcernDefinition = {
  concern: 'patterns',
  title: 'pattern deletes',
  cases: () => [
    check("'*' matches any run of characters, separators and the empty run included", (env) =>
      expectPatternDeletes(
        env,
        'user:*',
        ['user:1', 'user:22', 'user:', 'user:a:b', 'users:1', 'item:1', 'User:1'],
        ['user:1', 'user:22', 'user:', 'user:a:b'],
      ),
    ),

    check("'?' matches exactly one character", (env) =>
      expectPatternDeletes(env, 'a?', ['a1', 'a2', 'a', 'a10', 'b1'], ['a1', 'a2']),
    ),

    check("'[abc]' matches one character of the class", (env) =>
      expectPatternDeletes(env, 'x-[abc]', ['x-a', 'x-b', 'x-c', 'x-d', 'x-ab', 'x-'], ['x-a', 'x-b', 'x-c']),
    ),

    check("'[^a]' matches one character outside the class", (env) =>
      expectPatternDeletes(env, 'y-[^a]', ['y-a', 'y-b', 'y-c', 'y-', 'y-bc'], ['y-b', 'y-c']),
    ),

    check("'[a-z]' matches one character of the range", (env) =>
      expectPatternDeletes(
        env,
        'z-[a-z]',
        ['z-a', 'z-m', 'z-z', 'z-A', 'z-1', 'z-aa'],
        ['z-a', 'z-m', 'z-z'],
      ),
    ),

    check("'\\*', '\\?' and '\\[' match the character itself", (env) =>
      expectPatternDeletes(
        env,
        'lit-\\*-\\?-\\[x]',
        ['lit-*-?-[x]', 'lit-a-b-[x]', 'lit-*-?-x'],
        ['lit-*-?-[x]'],
      ),
    ),

    check('the pattern is anchored at both ends and case-sensitive', (env) =>
      expectPatternDeletes(env, 'mid', ['mid', 'mid-x', 'x-mid', 'MID'], ['mid']),
    ),

    check('an id escaped with escapeGlob stays literal, whatever glob characters it holds', async (env) => {
      const ids = ['a*b', 'a?b', '[ab]', 'a\\b', '*', 'a]b', '[^x]', 'a-z'];
      // Decoys: each would be swept up if some id were read as a pattern instead of literally.
      const decoys = ['axb', 'ab', 'a', 'b', 'x', 'y', 'aab', '[x]', 'm'];
      for (const id of ids) {
        const names = [...ids, ...decoys].map((part) => `item:${part}:detail`);
        await expectPatternDeletes(env, `item:${escapeGlob(id)}:*`, names, [`item:${id}:detail`]);
        // Put the deleted one back for the next id.
        await env.backend.set(env.key(`item:${id}:detail`), `value of item:${id}:detail`);
      }
    }),

    check(
      'keys holding glob characters are plain keys for get, set, exists and delete',
      async ({ backend, key }) => {
        const keys = ['*', '?', '[a]', '\\', 'a*'].map((name) => key(name));
        for (const k of keys) await backend.set(k, k);
        expect(await readAll(backend, keys)).toEqual(keys);
        expect(await backend.get(key('a')), 'a key that only a glob would match').toBeUndefined();
        expect(await backend.exists(key('ab'))).toBe(false);
        expect(await backend.delete(key('a'))).toBe(false);
        expect(await readAll(backend, keys)).toEqual(keys);
      },
    ),

    check('a pattern without wildcards deletes exactly that key', (env) =>
      expectPatternDeletes(env, 'exact', ['exact', 'exact2', 'exac'], ['exact']),
    ),

    check('a pattern that matches nothing answers 0 and changes nothing', (env) =>
      expectPatternDeletes(env, 'nothing-*', ['something', 'nothing'], []),
    ),

    check('600 matching keys are all deleted and counted', async ({ backend, key, prefix }) => {
      const keys = Array.from({ length: 600 }, (_, index) => key(`bulk:${index}`));
      await Promise.all(keys.map((k, index) => backend.set(k, index)));
      await backend.set(key('bulk-other'), 'kept');
      expect(await backend.deletePattern(`${prefix}bulk:*`)).toBe(600);
      expect((await readAll(backend, keys)).filter((value) => value !== undefined)).toEqual([]);
      expect(await backend.get(key('bulk-other'))).toBe('kept');
    }),
  ],
};
