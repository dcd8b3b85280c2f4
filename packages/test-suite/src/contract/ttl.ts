import { expect } from 'vitest';
import { check, type ConcernDefinition } from '../concern.js';
import type { ContractCase } from '../harness.js';

const DAY_MS = 86_400_000;

/** The SPEC's duration units, longest last, each with its length. */
const UNITS: ReadonlyArray<readonly [ttl: string | number, ms: number]> = [
  ['250ms', 250],
  [2, 2000],
  ['30s', 30_000],
  ['5m', 300_000],
  ['1h', 3_600_000],
  ['1d', DAY_MS],
];

/**
 * Expiry. `G` is `ttlGranularityMs`; every timed case uses a TTL of `3G`, reads at `0`, `G`,
 * `2G` (still there: margin `G` before expiry) and at `4G` (gone: margin `G` after). With
 * `advanceTime` the same timeline runs on the injected clock, instantly.
 */
export const ttlConcern: ConcernDefinition = {
  concern: 'ttl',
  title: 'time to live',
  cases: (options) => {
    const g = options.ttlGranularityMs;
    const ttlMs = 3 * g;
    const waits = options.advanceTime === undefined ? 5 * g : 0;
    const cases: ContractCase[] = [
      check(
        `a string duration ('${ttlMs}ms') expires, and reads do not extend it`,
        async ({ backend, key, elapse }) => {
          const k = key('string-ttl');
          expect(await backend.set(k, 'v', `${ttlMs}ms`)).toBe(true);
          expect(await backend.get(k), 'read right after set').toBe('v');
          await elapse(g);
          expect(await backend.get(k), `read ${g}ms after set`).toBe('v');
          await elapse(g);
          expect(await backend.exists(k), `exists ${2 * g}ms after set`).toBe(true);
          expect(await backend.get(k), `read ${2 * g}ms after set`).toBe('v');
          await elapse(2 * g);
          expect(await backend.get(k), `read ${4 * g}ms after set (TTL ${ttlMs}ms)`).toBeUndefined();
          expect(await backend.exists(k)).toBe(false);
        },
        waits,
      ),

      check(
        `a number TTL is seconds (${ttlMs / 1000} expires after ${ttlMs}ms; ${ttlMs} does not)`,
        async ({ backend, key, elapse }) => {
          const short = key('seconds-short');
          const long = key('seconds-long');
          expect(await backend.set(short, 'short', ttlMs / 1000)).toBe(true);
          expect(await backend.set(long, 'long', ttlMs)).toBe(true);
          await elapse(2 * g);
          expect(await backend.get(short), `read ${2 * g}ms after set`).toBe('short');
          await elapse(2 * g);
          expect(
            await backend.get(short),
            `read ${4 * g}ms after set with TTL ${ttlMs / 1000} (seconds)`,
          ).toBeUndefined();
          // A backend that took the number as milliseconds would have dropped this one too.
          expect(await backend.get(long), `read ${4 * g}ms after set with TTL ${ttlMs} (seconds)`).toBe(
            'long',
          );
        },
        waits,
      ),

      check(
        'no TTL means no expiry; a set without TTL removes an earlier TTL; a set with one adds it',
        async ({ backend, key, elapse }) => {
          const plain = key('no-ttl');
          const lostTtl = key('ttl-then-none');
          const gainedTtl = key('none-then-ttl');
          await backend.set(plain, 'plain');
          await backend.set(lostTtl, 'first', `${ttlMs}ms`);
          await backend.set(lostTtl, 'second');
          await backend.set(gainedTtl, 'first');
          await backend.set(gainedTtl, 'second', `${ttlMs}ms`);
          await elapse(4 * g);
          expect(await backend.get(plain), 'set without TTL').toBe('plain');
          expect(await backend.get(lostTtl), 'set with TTL, then again without').toBe('second');
          expect(await backend.get(gainedTtl), 'set without TTL, then again with one').toBeUndefined();
          if (options.advanceTime !== undefined) {
            await elapse(400 * DAY_MS);
            expect(await backend.get(plain), 'set without TTL, 400 days later').toBe('plain');
          }
        },
        waits,
      ),

      check(
        'an expired entry is a miss everywhere: exists, getAndDelete, delete and deletePattern',
        async ({ backend, key, prefix, elapse }) => {
          for (const name of ['exists', 'take', 'delete', 'pattern-expired']) {
            await backend.set(key(name), name, `${ttlMs}ms`);
          }
          await backend.set(key('pattern-live'), 'live');
          await elapse(4 * g);
          expect(await backend.exists(key('exists')), 'exists').toBe(false);
          expect(await backend.getAndDelete(key('take')), 'getAndDelete').toBeUndefined();
          expect(await backend.delete(key('delete')), 'delete').toBe(false);
          expect(await backend.deletePattern(`${prefix}pattern-*`), 'deletePattern count').toBe(1);
          expect(await backend.get(key('pattern-live'))).toBeUndefined();
        },
        waits,
      ),

      check('every duration unit and a number of seconds is accepted', async ({ backend, key }) => {
        // Shortest last, so the '250ms' entry is read as soon as possible after its set.
        for (const [ttl] of [...UNITS].reverse()) {
          expect(await backend.set(key(`unit-${ttl}`), ttl, ttl), `set with TTL ${JSON.stringify(ttl)}`).toBe(
            true,
          );
        }
        for (const [ttl] of UNITS) expect(await backend.get(key(`unit-${ttl}`))).toBe(ttl);
      }),
    ];
    if (options.advanceTime !== undefined) {
      cases.push(
        check(
          'each duration unit expires at its length (injected clock)',
          async ({ backend, key, elapse }) => {
            // Units shorter than 4G cannot be told apart on this clock's step.
            const units = UNITS.filter(([, ms]) => ms >= 4 * g);
            for (const [ttl] of units) await backend.set(key(`unit-${ttl}`), ttl, ttl);
            let now = 0;
            for (const [index, [ttl, ms]] of units.entries()) {
              await elapse(ms - g - now);
              now = ms - g;
              for (const [later] of units.slice(index)) {
                expect(
                  await backend.get(key(`unit-${later}`)),
                  `TTL ${JSON.stringify(later)} at ${now}ms`,
                ).toBe(later);
              }
              await elapse(2 * g);
              now += 2 * g;
              expect(
                await backend.get(key(`unit-${ttl}`)),
                `TTL ${JSON.stringify(ttl)} at ${now}ms`,
              ).toBeUndefined();
            }
          },
        ),
      );
    }
    return cases;
  },
};
