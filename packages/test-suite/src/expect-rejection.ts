import { inspect } from 'node:util';
import { expect } from 'vitest';

/** An error class from `@cache/core` (`CacheKeyError`, …), checked by `instanceof` and by its `code`. */
export interface CacheErrorClass {
  readonly name: string;
  readonly code: string;
  readonly prototype: Error;
}

/**
 * Asserts that `action` returns a promise that rejects with `errorClass`, checked both by
 * class and by the stable `code` (a backend built against another copy of `@cache/core`
 * fails the first check and passes the second: the message then says which one failed).
 * A synchronous throw fails too: the contract is a promise API, and `await x.get('')` inside
 * a `.catch()` chain would otherwise escape. `what` names the call in the failure message.
 */
export async function expectRejection(
  what: string,
  action: () => Promise<unknown>,
  errorClass: CacheErrorClass,
): Promise<void> {
  let pending: Promise<unknown>;
  try {
    pending = action();
  } catch (error) {
    expect.fail(`${what} threw synchronously (${inspect(error)}); it must return a promise that rejects`);
  }
  let outcome: unknown;
  try {
    outcome = await pending;
  } catch (error) {
    expect((error as { code?: unknown } | null)?.code, `${what}: error code of ${inspect(error)}`).toBe(
      errorClass.code,
    );
    expect(error, `${what}: error class`).toBeInstanceOf(errorClass as unknown as new () => Error);
    expect((error as Error).message, `${what}: error message`).not.toBe('');
    return;
  }
  expect.fail(
    `${what} resolved with ${inspect(outcome)}; expected a rejection with ${errorClass.name} (${errorClass.code})`,
  );
}
