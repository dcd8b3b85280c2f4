import { CacheConfigError, CacheKeyError, CacheValueError, type CacheBackend } from '@cache/core';
import { expect } from 'vitest';
import { check, type ConcernDefinition } from '../concern.js';
import { expectRejection } from '../expect-rejection.js';

/** Lets pending promise callbacks and timers of the backend run, so stray rejections surface. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

/** Every operation, with the type its answer must have. */
function everyOperation(
  backend: CacheBackend,
  k: string,
): ReadonlyArray<readonly [string, () => Promise<unknown>, string]> {
  return [
    ['get', () => backend.get(k), 'unknown'],
    ['set', () => backend.set(k, 'after'), 'boolean'],
    ['set with TTL', () => backend.set(k, 'after', '1h'), 'boolean'],
    ['getAndDelete', () => backend.getAndDelete(k), 'unknown'],
    ['delete', () => backend.delete(k), 'boolean'],
    ['exists', () => backend.exists(k), 'boolean'],
    ['deletePattern', () => backend.deletePattern(`${k}*`), 'number'],
    ['clear', () => backend.clear(), 'undefined'],
  ];
}

/**
 * connect / disconnect / isAvailable. What the contract says once a backend is disconnected:
 * `isAvailable()` is false; every operation still resolves (never rejects, never throws, leaves
 * no unhandled rejection behind) with an answer of its usual type, whose value is the
 * backend's choice (a closed Redis backend answers like a down store, a memory backend may
 * keep serving); the caller's own mistakes still reject with their typed errors.
 * Reconnecting a disconnected instance is not part of the contract.
 */
export const lifecycleConcern: ConcernDefinition = {
  concern: 'lifecycle',
  title: 'lifecycle',
  cases: () => [
    check(
      'connect resolves and isAvailable() is true afterwards; connecting again is harmless',
      async ({ openBackend, key }) => {
        const backend = await openBackend({ connect: false });
        expect(typeof backend.isAvailable(), 'isAvailable() before connect').toBe('boolean');
        await backend.connect();
        expect(backend.isAvailable()).toBe(true);
        await expect(backend.connect()).resolves.toBeUndefined();
        expect(backend.isAvailable()).toBe(true);
        expect(await backend.set(key('works'), 'yes')).toBe(true);
        expect(await backend.get(key('works'))).toBe('yes');
      },
    ),

    check(
      'disconnect resolves, makes isAvailable() false, and a second disconnect is harmless',
      async ({ openBackend }) => {
        const backend = await openBackend();
        await expect(backend.disconnect()).resolves.toBeUndefined();
        expect(backend.isAvailable()).toBe(false);
        await expect(backend.disconnect()).resolves.toBeUndefined();
        expect(backend.isAvailable()).toBe(false);
      },
    ),

    check(
      'after disconnect every operation resolves with an answer of its type, and nothing rejects later',
      async ({ openBackend, key }) => {
        const stray: unknown[] = [];
        const onUnhandled = (reason: unknown): void => {
          stray.push(reason);
        };
        process.on('unhandledRejection', onUnhandled);
        try {
          const backend = await openBackend();
          const k = key('after-disconnect');
          await backend.set(k, 'before');
          await backend.disconnect();
          for (const [operation, call, type] of everyOperation(backend, k)) {
            let answer: unknown;
            try {
              answer = await call();
            } catch (error) {
              expect.fail(`${operation} after disconnect rejected: ${String(error)}`);
            }
            if (type !== 'unknown') expect(typeof answer, `${operation} after disconnect`).toBe(type);
          }
          expect(typeof backend.stats().hits).toBe('number');
          await settle();
          expect(stray, 'unhandled rejections after disconnect').toEqual([]);
        } finally {
          process.off('unhandledRejection', onUnhandled);
        }
      },
    ),

    check(
      "after disconnect the caller's own mistakes still reject with their typed errors",
      async ({ openBackend, key }) => {
        const backend = await openBackend();
        await backend.disconnect();
        await expectRejection("get('') after disconnect", () => backend.get(''), CacheKeyError);
        await expectRejection(
          'set(key, function) after disconnect',
          () => backend.set(key('k'), () => 1),
          CacheValueError,
        );
        await expectRejection(
          'set(key, value, 0) after disconnect',
          () => backend.set(key('k'), 1, 0),
          CacheConfigError,
        );
      },
    ),
  ],
};
