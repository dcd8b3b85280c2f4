import { expect } from 'vitest';
import { check, type ConcernDefinition } from '../concern.js';
import type { ContractCase } from '../harness.js';

/**
 * `clear()` empties the backend's own namespace and nothing else. With `namespaces` it runs
 * on two fresh namespaces of one store; without, on the factory's backend (which must then
 * have a namespace of its own, see `ContractOptions.namespaces`).
 */
export const clearConcern: ConcernDefinition = {
  concern: 'clear',
  title: 'clear',
  cases: (options) => {
    const cases: ContractCase[] = [
      check('clear removes every entry of the namespace and the backend keeps working', async (env) => {
        const backend = env.options.namespaces === undefined ? env.backend : await env.openNamespace();
        const keys = ['one', 'two', 'three:nested', '*'].map((name) => env.key(name));
        for (const k of keys) await backend.set(k, k, '1h');
        await backend.clear();
        for (const k of keys) expect(await backend.exists(k), `'${k}' after clear`).toBe(false);
        expect(await backend.get(keys[0] as string)).toBeUndefined();
        expect(await backend.set(env.key('after'), 'after')).toBe(true);
        expect(await backend.get(env.key('after'))).toBe('after');
      }),

      check('clear of an empty namespace resolves, twice', async (env) => {
        const backend = env.options.namespaces === undefined ? env.backend : await env.openNamespace();
        await backend.clear();
        await expect(backend.clear()).resolves.toBeUndefined();
      }),
    ];
    if (options.namespaces !== undefined) {
      cases.push(
        check('clear leaves other namespaces on the same store untouched', async (env) => {
          const cleared = await env.openNamespace();
          const other = await env.openNamespace();
          const k = env.key('same-name');
          await cleared.set(k, 'cleared namespace');
          await other.set(k, 'other namespace');
          await env.backend.set(k, 'factory backend');
          expect(await cleared.get(k), 'namespaces are separate before clear').toBe('cleared namespace');
          await cleared.clear();
          expect(await cleared.get(k)).toBeUndefined();
          expect(await other.get(k), 'other namespace').toBe('other namespace');
          expect(await env.backend.get(k), "the factory's backend").toBe('factory backend');
        }),

        check('deletePattern in one namespace leaves the others untouched', async (env) => {
          const first = await env.openNamespace();
          const second = await env.openNamespace();
          const k = env.key('shared-name');
          await first.set(k, 'first');
          await second.set(k, 'second');
          expect(await first.deletePattern(`${env.prefix}*`)).toBe(1);
          expect(await first.get(k)).toBeUndefined();
          expect(await second.get(k)).toBe('second');
        }),
      );
    }
    return cases;
  },
};
