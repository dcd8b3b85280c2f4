import { expect } from 'vitest';
import { check, type ConcernDefinition } from '../concern.js';

/**
 * Two instances from the factory over one store see the same entries: what one writes,
 * overwrites, deletes or takes, the other reads. Registered when `supportsCrossInstance`.
 */
export const crossInstanceConcern: ConcernDefinition = {
  concern: 'cross-instance',
  title: 'instances sharing one store',
  cases: (options) =>
    !options.supportsCrossInstance
      ? []
      : [
          check(
            'a value set through one instance is read through the other',
            async ({ backend, openBackend, key }) => {
              const other = await openBackend();
              const value = { when: new Date(5), ids: new Set([1, 2]) };
              await backend.set(key('shared'), value);
              expect(await other.exists(key('shared'))).toBe(true);
              expect(await other.get(key('shared'))).toStrictEqual(value);
            },
          ),

          check(
            'an overwrite and a delete through one instance are seen by the other',
            async ({ backend, openBackend, key }) => {
              const other = await openBackend();
              await backend.set(key('k'), 'first');
              expect(await other.get(key('k'))).toBe('first');
              await other.set(key('k'), 'second');
              expect(await backend.get(key('k'))).toBe('second');
              expect(await backend.delete(key('k'))).toBe(true);
              expect(await other.get(key('k'))).toBeUndefined();
              expect(await other.delete(key('k'))).toBe(false);
            },
          ),

          check(
            'deletePattern through one instance removes what the other wrote, counted once',
            async ({ backend, openBackend, key, prefix }) => {
              const other = await openBackend();
              await other.set(key('group:1'), 1);
              await other.set(key('group:2'), 2);
              await backend.set(key('group:3'), 3);
              expect(await backend.deletePattern(`${prefix}group:*`)).toBe(3);
              expect(await other.deletePattern(`${prefix}group:*`)).toBe(0);
              expect(await other.get(key('group:1'))).toBeUndefined();
            },
          ),

          check(
            'getAndDelete through one instance leaves nothing for the other',
            async ({ backend, openBackend, key }) => {
              const other = await openBackend();
              await backend.set(key('once'), 'token');
              expect(await other.getAndDelete(key('once'))).toBe('token');
              expect(await backend.getAndDelete(key('once'))).toBeUndefined();
            },
          ),
        ],
};
