import type { CacheBackend } from '@cache/core';
import { expect } from 'vitest';
import { check, type ConcernDefinition } from '../concern.js';
import type { ContractEnv } from '../harness.js';

const ROUNDS = 5;

/** The callers of a race: all on the backend under test, or alternating with a peer sharing its store. */
async function racers(env: ContractEnv): Promise<CacheBackend[]> {
  if (!env.options.supportsCrossInstance) return [env.backend];
  return [env.backend, await env.openBackend()];
}

async function race(env: ContractEnv, value: unknown, label: string): Promise<void> {
  const instances = await racers(env);
  const n = env.options.concurrency;
  for (let round = 0; round < ROUNDS; round++) {
    const k = env.key(`race-${round}`);
    expect(await env.backend.set(k, value)).toBe(true);
    const answers = await Promise.all(
      Array.from({ length: n }, (_, caller) =>
        (instances[caller % instances.length] as CacheBackend).getAndDelete(k),
      ),
    );
    const winners = answers.filter((answer) => answer !== undefined);
    expect(winners.length, `round ${round}: callers that got ${label} out of ${n}`).toBe(1);
    expect(winners[0]).toStrictEqual(value);
    expect(await env.backend.exists(k), `round ${round}: key left behind`).toBe(false);
  }
}

/**
 * `getAndDelete` is atomic: of N simultaneous callers exactly one gets the value (across
 * instances when `supportsCrossInstance`). Registered unless `supportsConcurrentGetAndDelete: false`.
 */
export const atomicConcern: ConcernDefinition = {
  concern: 'atomic',
  title: 'atomic getAndDelete',
  cases: (options) => {
    if (!options.supportsConcurrentGetAndDelete) return [];
    const n = options.concurrency;
    const where = options.supportsCrossInstance ? ', split across two instances' : '';
    return [
      check(`of ${n} concurrent getAndDelete callers${where}, exactly one gets the value`, (env) =>
        race(env, { token: 'once', at: new Date(0) }, 'the value'),
      ),
      check(`of ${n} concurrent getAndDelete callers${where}, exactly one gets a stored null`, (env) =>
        race(env, null, 'null'),
      ),
      check(`${n} concurrent getAndDelete callers on a missing key all get undefined`, async (env) => {
        const instances = await racers(env);
        const k = env.key('missing');
        const answers = await Promise.all(
          Array.from({ length: n }, (_, caller) =>
            (instances[caller % instances.length] as CacheBackend).getAndDelete(k),
          ),
        );
        expect(answers.every((answer) => answer === undefined)).toBe(true);
      }),
    ];
  },
};
