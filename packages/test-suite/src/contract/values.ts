import { CacheValueError } from '@cache/core';
import { expect } from 'vitest';
import { check, type ConcernDefinition } from '../concern.js';
import { expectRejection } from '../expect-rejection.js';
import type { ContractCase } from '../harness.js';

/** JSON values: they must come back deep-equal (and are plain JSON text in shared stores). */
const JSON_VALUES: ReadonlyArray<readonly [string, unknown]> = [
  ['a string', 'hello'],
  ['an empty string', ''],
  ['a Unicode string', 'Zürich — 東京 — 🚀'],
  ['a string that looks like JSON', '{"a":1}'],
  ['a string that looks like the tagged format', '~cache1:{"t":"date"}'],
  ['an integer', 42],
  ['a negative float', -3.25],
  ['the largest safe integer', Number.MAX_SAFE_INTEGER],
  ['a very large double', 1e300],
  ['true', true],
  ['an empty array', []],
  ['an empty object', {}],
  ['a nested array', [1, 'two', [3, [4, null]], { five: 5 }]],
  [
    'a nested object',
    { id: 7, name: 'Flat', tags: ['a', 'b'], owner: { id: 1, roles: ['admin'] }, deleted: false, note: null },
  ],
];

/** Non-JSON values the SPEC requires on every backend (the tagged fallback format). */
const TAGGED_VALUES: ReadonlyArray<readonly [string, unknown]> = [
  ['a Date', new Date('2024-02-29T12:34:56.789Z')],
  [
    'a Map with mixed keys',
    new Map<unknown, unknown>([
      ['a', 1],
      [2, 'two'],
      [null, [true]],
    ]),
  ],
  ['a Set', new Set(['x', 1, null])],
  ['a BigInt', 12345678901234567890123456789n],
  ['a negative BigInt', -42n],
  ['a Uint8Array', new Uint8Array([0, 1, 127, 128, 255])],
  ['an empty Uint8Array', new Uint8Array(0)],
  ['a Buffer', Buffer.from('bytes \u0000 and \u00ff', 'latin1')],
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
  ['NaN and infinities inside an array', [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1]],
  [
    'a nested mix',
    {
      when: new Date(0),
      tags: new Set(['a', 'b']),
      counts: new Map<string, bigint>([['big', 2n ** 70n]]),
      bytes: new Uint8Array([9, 8, 7]),
      buffer: Buffer.from('hi'),
      list: [
        Number.NaN,
        Number.POSITIVE_INFINITY,
        null,
        'text',
        { deep: new Map([[new Date(1), new Set([1n])]]) },
      ],
    },
  ],
];

class Money {
  constructor(
    readonly amount: number,
    readonly currency: string,
  ) {}
  toJSON(): { amount: number; currency: string } {
    return { amount: this.amount, currency: this.currency };
  }
}

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

function cyclicObject(): unknown {
  const node: { name: string; self?: unknown } = { name: 'loop' };
  node.self = node;
  return node;
}

function cyclicArray(): unknown {
  const list: unknown[] = [1];
  list.push({ back: list });
  return list;
}

/** Values `set` must reject with `CacheValueError`: never a silent `{}` or a dropped member. */
const REJECTED_VALUES: ReadonlyArray<readonly [string, () => unknown]> = [
  ['undefined', () => undefined],
  ['a function', () => () => 1],
  ['a symbol', () => Symbol('s')],
  ['a class instance without toJSON', () => new Point(1, 2)],
  ['a function nested in an object', () => ({ ok: 1, callback: () => 2 })],
  ['a symbol nested in an array', () => [1, Symbol.iterator]],
  ['a class instance nested in a Map', () => new Map([['p', new Point(0, 0)]])],
  ['an object with a cycle', cyclicObject],
  ['an array with a cycle', cyclicArray],
];

function roundTrip(label: string, value: unknown): ContractCase {
  return check(`${label} comes back deep-equal, with the same types`, async ({ backend, key }) => {
    const k = key('value');
    expect(await backend.set(k, value)).toBe(true);
    expect(await backend.get(k)).toStrictEqual(value);
    expect(await backend.getAndDelete(k)).toStrictEqual(value);
  });
}

/** Round-trip fidelity of every value the SPEC lists, and `CacheValueError` for the rest. */
export const valuesConcern: ConcernDefinition = {
  concern: 'values',
  title: 'values and fidelity',
  cases: (options) => [
    ...JSON_VALUES.map(([label, value]) => roundTrip(`JSON: ${label}`, value)),
    ...TAGGED_VALUES.map(([label, value]) => roundTrip(`non-JSON: ${label}`, value)),

    check('-0 comes back as -0 (Object.is), alone and nested', async ({ backend, key }) => {
      await backend.set(key('alone'), -0);
      await backend.set(key('nested'), { list: [-0, 0], inner: { zero: -0 } });
      expect(Object.is(await backend.get(key('alone')), -0)).toBe(true);
      const nested = (await backend.get(key('nested'))) as { list: number[]; inner: { zero: number } };
      expect(Object.is(nested.list[0], -0)).toBe(true);
      expect(Object.is(nested.list[1], 0)).toBe(true);
      expect(Object.is(nested.inner.zero, -0)).toBe(true);
    }),

    check('a Map keeps its insertion order and a Set its iteration order', async ({ backend, key }) => {
      await backend.set(
        key('map'),
        new Map([
          ['z', 1],
          ['a', 2],
          ['m', 3],
        ]),
      );
      await backend.set(key('set'), new Set([3, 1, 2]));
      expect([...((await backend.get(key('map'))) as Map<string, number>).keys()]).toEqual(['z', 'a', 'm']);
      expect([...((await backend.get(key('set'))) as Set<number>)]).toEqual([3, 1, 2]);
    }),

    check('a Buffer comes back as a Buffer and a Uint8Array as a Uint8Array', async ({ backend, key }) => {
      await backend.set(key('buffer'), Buffer.from([1, 2, 3]));
      await backend.set(key('bytes'), new Uint8Array([1, 2, 3]));
      expect(Buffer.isBuffer(await backend.get(key('buffer')))).toBe(true);
      const bytes = await backend.get(key('bytes'));
      expect(bytes).toBeInstanceOf(Uint8Array);
      expect(Buffer.isBuffer(bytes)).toBe(false);
    }),

    check(
      'an object shared twice in one value (not a cycle) is accepted and comes back deep-equal',
      async ({ backend, key }) => {
        const shared = { id: 1 };
        const value = { first: shared, second: shared, list: [shared, new Map([['m', shared]])] };
        expect(await backend.set(key('shared'), value)).toBe(true);
        expect(await backend.get(key('shared'))).toStrictEqual(value);
      },
    ),

    check('an object with toJSON() is stored as what toJSON() returns', async ({ backend, key }) => {
      await backend.set(key('money'), new Money(5, 'EUR'));
      await backend.set(key('nested'), { price: new Money(7, 'USD'), list: [new Money(1, 'GBP')] });
      await backend.set(key('to-string'), { toJSON: () => 'as text' });
      const money = await backend.get(key('money'));
      expect(money).toStrictEqual({ amount: 5, currency: 'EUR' });
      expect(Object.getPrototypeOf(money)).toBe(Object.prototype);
      expect(await backend.get(key('nested'))).toStrictEqual({
        price: { amount: 7, currency: 'USD' },
        list: [{ amount: 1, currency: 'GBP' }],
      });
      expect(await backend.get(key('to-string'))).toBe('as text');
    }),

    check(
      'a "__proto__" member read back is own data and pollutes no prototype',
      async ({ backend, key }) => {
        const value: unknown = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}');
        await backend.set(key('proto'), value);
        const read = (await backend.get(key('proto'))) as Record<string, unknown>;
        expect(Object.hasOwn(read, '__proto__')).toBe(true);
        expect(read.ok).toBe(1);
        expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      },
    ),

    ...REJECTED_VALUES.map(([label, make]) =>
      check(
        `set of ${label} rejects with CacheValueError and leaves the key as it was`,
        async ({ backend, key }) => {
          const k = key('rejected');
          const fresh = key('rejected-fresh');
          await backend.set(k, 'previous');
          await expectRejection(`set(key, ${label})`, () => backend.set(k, make()), CacheValueError);
          await expectRejection(`set(new key, ${label})`, () => backend.set(fresh, make()), CacheValueError);
          expect(await backend.get(k)).toBe('previous');
          expect(await backend.exists(fresh)).toBe(false);
        },
      ),
    ),

    ...(options.maxEntryBytes === undefined ? [] : oversizeCases(options.maxEntryBytes)),
  ],
};

function oversizeCases(maxEntryBytes: number): ContractCase[] {
  return [
    check(
      `a value of half maxEntryBytes (${Math.floor(maxEntryBytes / 2)} bytes) is stored`,
      async ({ backend, key }) => {
        const value = 'x'.repeat(Math.floor(maxEntryBytes / 2));
        expect(await backend.set(key('half'), value)).toBe(true);
        expect(await backend.get(key('half'))).toBe(value);
      },
    ),

    check(
      `set of a value over maxEntryBytes (${maxEntryBytes}) answers false and stores nothing`,
      async ({ backend, key }) => {
        const k = key('too-big');
        expect(await backend.set(k, 'x'.repeat(maxEntryBytes + 1))).toBe(false);
        expect(await backend.exists(k)).toBe(false);
        expect(await backend.get(k)).toBeUndefined();
      },
    ),

    check('an oversize set drops the previous value of the key (no stale read)', async ({ backend, key }) => {
      const k = key('replaced-by-too-big');
      await backend.set(k, 'small');
      expect(await backend.set(k, 'x'.repeat(maxEntryBytes + 1))).toBe(false);
      expect(await backend.get(k)).toBeUndefined();
    }),
  ];
}
