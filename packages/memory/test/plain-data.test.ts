import { describe, expect, it } from 'vitest';
import { serialize } from '@cache/core';
import { isPlainData } from '../src/plain-data.js';

const plain: unknown[] = [
  'text',
  '',
  '\ud800 lone surrogate',
  0,
  1.5,
  -3,
  true,
  false,
  null,
  [],
  {},
  [1, 'a', null, [true], { b: [] }],
  { a: { b: { c: [1, 2, { d: 'e' }] } } },
  JSON.parse('{"__proto__": {"polluted": true}}'),
];

const notPlain: Array<[string, unknown]> = [
  ['-0', -0],
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['bigint', 1n],
  ['a member that is undefined', { a: undefined }],
  ['undefined in an array', [1, undefined]],
  ['a hole in an array', [1, , 3]], // eslint-disable-line no-sparse-arrays
  ['a Date', new Date(0)],
  ['a Map', new Map()],
  ['a Uint8Array', new Uint8Array(1)],
  ['an object with toJSON', { toJSON: () => 1 }],
  ['a class instance', new (class Point {})()],
  ['an Array subclass', new (class List extends Array {})()],
  ['a null-prototype object', Object.create(null)],
  ['a function', () => 1],
  ['a symbol', Symbol('s')],
  ['nesting deeper than the walk goes', JSON.parse('['.repeat(100) + ']'.repeat(100))],
];

describe('isPlainData', () => {
  it.each(plain.map((value) => [JSON.stringify(value), value]))(
    '%s is plain: JSON writes it exactly as the serializer does and reads it back strictly equal',
    (_name, value) => {
      expect(isPlainData(value)).toBe(true);
      expect(JSON.stringify(value)).toBe(serialize(value));
      expect(JSON.parse(JSON.stringify(value))).toStrictEqual(value);
    },
  );

  it.each(notPlain)('%s is not plain', (_name, value) => {
    expect(isPlainData(value)).toBe(false);
  });

  it('a cycle ends the walk (the serializer then reports it)', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(isPlainData(cycle)).toBe(false);
  });
});
