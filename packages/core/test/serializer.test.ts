import { describe, expect, it } from 'vitest';
import { assertCacheable, deserialize, isCacheError, serialize, TAGGED_PREFIX } from '@cache/core';

/** Runs `fn`, expects a CacheValueError, returns its message. */
function valueErrorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(isCacheError(error, 'E_CACHE_VALUE'), String(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a CacheValueError, nothing was thrown');
}

const roundTrip = (value: unknown): unknown => deserialize(serialize(value));

const nest = (depth: number, leaf: unknown, asArray = false): unknown => {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = asArray ? [value] : { v: value };
  return value;
};

describe('serialize: JSON values stay plain JSON text', () => {
  it.each<[string, unknown]>([
    ['a string', 'hello'],
    ['an empty string', ''],
    ['a string that looks like the tagged prefix', '~cache1:["n","NaN"]'],
    ['non-ASCII text and a lone surrogate', 'é😀 \uD800'],
    ['zero', 0],
    ['a fraction', -1.5e-7],
    ['a large number', 1e21],
    ['MAX_SAFE_INTEGER', Number.MAX_SAFE_INTEGER],
    ['true', true],
    ['false', false],
    ['null', null],
    ['an empty array', []],
    ['an empty object', {}],
    [
      'nested data',
      { id: 7, tags: ['a', 'b'], owner: { name: 'Ann', admin: false, score: null }, list: [[1], [{}]] },
    ],
  ])('%s', (_name, value) => {
    const text = serialize(value);
    expect(text).toBe(JSON.stringify(value));
    expect(text.startsWith('~')).toBe(false);
    expect(roundTrip(value)).toEqual(value);
  });

  it('leaves out object members that are undefined, as JSON does', () => {
    expect(serialize({ a: 1, b: undefined, c: { d: undefined } })).toBe('{"a":1,"c":{}}');
  });

  it('ignores symbol keys, as JSON does', () => {
    expect(serialize({ [Symbol('hidden')]: 1, shown: 2 })).toBe('{"shown":2}');
  });

  it('writes an object without a prototype as JSON and reads it back as a plain object', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    expect(serialize(bare)).toBe('{"a":1}');
    const back = roundTrip(bare) as object;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(back).toEqual({ a: 1 });
  });

  it('stores what toJSON() returns, as plain JSON when that is JSON', () => {
    class Money {
      constructor(
        readonly amount: number,
        readonly currency: string,
      ) {}
      toJSON(): { amount: number; currency: string } {
        return { amount: this.amount, currency: this.currency };
      }
    }
    expect(serialize(new Money(5, 'EUR'))).toBe('{"amount":5,"currency":"EUR"}');
    expect(serialize({ price: new Money(5, 'EUR'), list: [new Money(1, 'USD')] })).toBe(
      '{"price":{"amount":5,"currency":"EUR"},"list":[{"amount":1,"currency":"USD"}]}',
    );
    expect(serialize({ toJSON: () => 'replaced' })).toBe('"replaced"');
    expect(roundTrip({ price: new Money(5, 'EUR') })).toEqual({ price: { amount: 5, currency: 'EUR' } });
  });

  it('stores what toJSON() returns in the tagged format when that is not JSON', () => {
    const custom = { toJSON: () => new Map([['k', 1n]]) };
    const text = serialize({ custom });
    expect(text.startsWith(TAGGED_PREFIX)).toBe(true);
    expect(deserialize(text)).toEqual({ custom: new Map([['k', 1n]]) });
  });

  it('returns a new object on every read', () => {
    const text = serialize({ a: [1] });
    const first = deserialize(text) as { a: number[] };
    first.a.push(2);
    expect(deserialize(text)).toEqual({ a: [1] });
  });
});

describe('serialize: other supported values go through the tagged format and come back deep-equal', () => {
  const bytes = [0, 1, 127, 128, 255];
  it.each<[string, unknown]>([
    ['a Date', new Date('2024-05-01T12:34:56.789Z')],
    ['an invalid Date', new Date(NaN)],
    [
      'a Map with object keys and undefined values',
      new Map<unknown, unknown>([
        ['a', 1],
        [{ k: 1 }, undefined],
        [2, [3]],
      ]),
    ],
    ['a Set', new Set([1, 'two', { three: 3 }])],
    ['a BigInt', 12345678901234567890123n],
    ['a negative BigInt', -42n],
    ['BigInt zero', 0n],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['undefined inside an array', [1, undefined, 3]],
    ['Int8Array', new Int8Array([-128, 0, 127])],
    ['Uint8Array', new Uint8Array(bytes)],
    ['Uint8ClampedArray', new Uint8ClampedArray(bytes)],
    ['Int16Array', new Int16Array([-32768, 1, 32767])],
    ['Uint16Array', new Uint16Array([0, 65535])],
    ['Int32Array', new Int32Array([-(2 ** 31), 2 ** 31 - 1])],
    ['Uint32Array', new Uint32Array([0, 2 ** 32 - 1])],
    ['Float32Array', new Float32Array([1.5, -0, NaN, Infinity])],
    ['Float64Array', new Float64Array([Math.PI, -0, NaN, -Infinity])],
    ['BigInt64Array', new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n])],
    ['BigUint64Array', new BigUint64Array([0n, 2n ** 64n - 1n])],
    ['an empty Uint8Array', new Uint8Array(0)],
    [
      'a nested mix',
      [
        { when: new Date(0), tags: new Set(['x']), index: new Map([['k', new Set([1n, new Date(1)])]]) },
        { nan: NaN, inf: -Infinity, big: 1n, bytes: new Uint8Array([1, 2]), missing: [undefined] },
      ],
    ],
  ])('%s', (_name, value) => {
    const text = serialize(value);
    expect(text.startsWith(TAGGED_PREFIX)).toBe(true);
    expect(() => JSON.parse(text)).toThrow();
    const back = deserialize(text);
    expect(back).toEqual(value);
    if (value !== null && typeof value === 'object') {
      expect(back).not.toBe(value);
      expect(Object.getPrototypeOf(back)).toBe(Object.getPrototypeOf(value));
    }
  });

  it('keeps -0 apart from 0, at the top and inside', () => {
    expect(serialize(-0).startsWith(TAGGED_PREFIX)).toBe(true);
    expect(Object.is(roundTrip(-0), -0)).toBe(true);
    expect(Object.is((roundTrip({ x: -0 }) as { x: number }).x, -0)).toBe(true);
    expect(Object.is(roundTrip(0), 0)).toBe(true);
  });

  it('reads a hole in an array back as undefined', () => {
    // eslint-disable-next-line no-sparse-arrays
    const back = roundTrip([1, , 3]) as unknown[];
    expect(back).toHaveLength(3);
    expect(1 in back).toBe(true);
    expect(back[1]).toBeUndefined();
  });

  it('gives back a Buffer as a Buffer that owns its bytes', () => {
    const back = roundTrip({ file: Buffer.from('héllo') }) as { file: Buffer };
    expect(Buffer.isBuffer(back.file)).toBe(true);
    expect(back.file.toString()).toBe('héllo');
    expect(back.file.buffer.byteLength).toBe(back.file.length);
  });

  it('stores only the viewed part of a typed array', () => {
    const whole = new Uint16Array([1, 2, 3, 4, 5]);
    const back = roundTrip(whole.subarray(1, 3)) as Uint16Array;
    expect(back).toBeInstanceOf(Uint16Array);
    expect([...back]).toEqual([2, 3]);
    expect(back.byteOffset).toBe(0);
  });

  it('gives back ArrayBuffer and DataView with their bytes', () => {
    const source = new Uint8Array([9, 8, 7]);
    const buffer = roundTrip(source.buffer) as ArrayBuffer;
    expect(buffer).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(buffer)]).toEqual([9, 8, 7]);
    const view = roundTrip(new DataView(source.buffer, 1, 2)) as DataView;
    expect(view).toBeInstanceOf(DataView);
    expect([view.getUint8(0), view.getUint8(1)]).toEqual([8, 7]);
  });

  it('keeps a Date a Date when it sits inside JSON data', () => {
    const back = roundTrip({ post: { at: new Date(5) } }) as { post: { at: Date } };
    expect(back.post.at).toBeInstanceOf(Date);
    expect(back.post.at.getTime()).toBe(5);
  });
});

describe('serialize: what the cache refuses is a CacheValueError that says what and where', () => {
  it('undefined at the top', () => {
    expect(valueErrorOf(() => serialize(undefined))).toBe(
      'cannot cache undefined: it is what a miss returns (cache null instead)',
    );
  });

  it('a function, at the top or deep inside (never a silent {})', () => {
    expect(valueErrorOf(() => serialize(() => 1))).toBe('cannot cache a function (at value); it is not data');
    expect(valueErrorOf(() => serialize({ items: [1, 2, { fn() {} }] }))).toBe(
      'cannot cache a function (at value.items[2].fn); it is not data',
    );
    expect(valueErrorOf(() => serialize({ 'odd key': [() => 1] }))).toContain('(at value["odd key"][0])');
    expect(valueErrorOf(() => serialize(new Map([['k', () => 1]])))).toContain('(at value.get("k"))');
  });

  it('a symbol as a value', () => {
    expect(valueErrorOf(() => serialize({ s: Symbol('x') }))).toBe(
      'cannot cache a symbol (at value.s); it is not data',
    );
    expect(valueErrorOf(() => serialize(new Set([Symbol('x')])))).toContain('(at value.values()[…])');
  });

  it('a cycle, through objects, arrays, Maps and Sets (not a stack overflow)', () => {
    const object: Record<string, unknown> = { a: { b: {} } };
    (object['a'] as { b: Record<string, unknown> }).b['back'] = object;
    expect(valueErrorOf(() => serialize(object))).toBe(
      'cannot cache a value with a cycle: value.a.b.back refers back to value',
    );
    const list: unknown[] = [1];
    list.push({ inner: list });
    expect(valueErrorOf(() => serialize(list))).toBe(
      'cannot cache a value with a cycle: value[1].inner refers back to value',
    );
    const map = new Map<string, unknown>();
    map.set('self', { map });
    expect(valueErrorOf(() => serialize({ when: new Date(0), map }))).toBe(
      'cannot cache a value with a cycle: value.map.get("self").map refers back to value.map',
    );
    const set = new Set<unknown>();
    set.add([set]);
    expect(valueErrorOf(() => serialize(set))).toContain('cannot cache a value with a cycle');
  });

  it('a class instance without toJSON, naming the class', () => {
    class Point {
      x = 1;
    }
    expect(valueErrorOf(() => serialize({ p: new Point() }))).toBe(
      'cannot cache an instance of Point (at value.p): only plain objects, arrays, Date, Map, Set, typed arrays, ' +
        'Buffer, ArrayBuffer and DataView are stored; give Point a toJSON() or convert it to plain data',
    );
    expect(valueErrorOf(() => serialize(new Error('x')))).toContain('instance of Error');
    expect(valueErrorOf(() => serialize([/re/]))).toContain('instance of RegExp (at value[0])');
    expect(valueErrorOf(() => serialize(Promise.resolve(1)))).toContain('instance of Promise');
    expect(valueErrorOf(() => serialize(new WeakMap()))).toContain('instance of WeakMap');
  });

  it('a toJSON() that throws or returns nothing', () => {
    const message = valueErrorOf(() =>
      serialize({
        bad: {
          toJSON() {
            throw new Error('boom');
          },
        },
      }),
    );
    expect(message).toBe('toJSON() of value.bad threw: Error: boom');
    expect(valueErrorOf(() => serialize({ none: { toJSON: () => undefined } }))).toBe(
      'cannot cache undefined (at value.none.toJSON())',
    );
  });

  it('assertCacheable applies the same rules without building the text', () => {
    expect(() => assertCacheable({ a: [1, new Date(0), new Map()] })).not.toThrow();
    expect(() => assertCacheable(null)).not.toThrow();
    expect(valueErrorOf(() => assertCacheable({ fn: () => 1 }))).toContain('(at value.fn)');
    expect(valueErrorOf(() => assertCacheable(undefined))).toContain('cannot cache undefined');
  });
});

describe('serialize: depth', () => {
  it('handles 1000 levels of objects and of arrays, on both paths', () => {
    for (const asArray of [false, true]) {
      const plain = nest(1000, 'leaf', asArray);
      expect(serialize(plain)).toBe(JSON.stringify(plain));
      expect(roundTrip(plain)).toEqual(plain);
      const tagged = nest(1000, new Date(7), asArray);
      expect(serialize(tagged).startsWith(TAGGED_PREFIX)).toBe(true);
      expect(roundTrip(tagged)).toEqual(tagged);
    }
  });

  it('refuses absurd depth with a CacheValueError, not a stack overflow', () => {
    expect(valueErrorOf(() => serialize(nest(100_000, 1)))).toContain('nested deeper than 1024 levels');
    expect(valueErrorOf(() => serialize(nest(100_000, 1, true)))).toContain('nested deeper than 1024 levels');
  });
});

describe('deserialize: undefined (a miss) for anything it did not write or that is damaged, never a throw', () => {
  it.each<[string, unknown]>([
    ['not a string', 42],
    ['null', null],
    ['a Buffer', Buffer.from('{}')],
    ['the empty string', ''],
    ['text that is not JSON', 'hello'],
    ['truncated JSON', '{"a":'],
    ['a lone tilde', '~'],
    ['the prefix alone', TAGGED_PREFIX],
    ['another version of the format', '~cache2:["n","NaN"]'],
    ['a tilde that is not the prefix', '~cachex:["n","NaN"]'],
    ['tagged text that is not JSON', `${TAGGED_PREFIX}["n",`],
    ['a raw object in tagged text', `${TAGGED_PREFIX}{"a":1}`],
    ['an unknown tag', `${TAGGED_PREFIX}["Function","return 1"]`],
    ['an empty node', `${TAGGED_PREFIX}[]`],
    ['tagged text without any tag', `${TAGGED_PREFIX}["a",1,2]`],
    ['a plain string in tagged text', `${TAGGED_PREFIX}"x"`],
    ['a Date with a string', `${TAGGED_PREFIX}["D","2024-01-01"]`],
    ['a Date with extra elements', `${TAGGED_PREFIX}["D",0,1]`],
    ['a BigInt that is not an integer', `${TAGGED_PREFIX}["B","1.5"]`],
    ['an empty BigInt', `${TAGGED_PREFIX}["B",""]`],
    ['a BigInt given as a number', `${TAGGED_PREFIX}["B",1]`],
    ['an unknown non-finite name', `${TAGGED_PREFIX}["n","nope"]`],
    ['a number JSON turns into Infinity', `${TAGGED_PREFIX}["a",1e400,["n","NaN"]]`],
    ['an object with an odd member list', `${TAGGED_PREFIX}["o","a",["n","NaN"],"b"]`],
    ['an object with a non-string key', `${TAGGED_PREFIX}["o",1,["n","NaN"]]`],
    ['an object with a key twice', `${TAGGED_PREFIX}["o","a",["n","NaN"],"a",1]`],
    ['an object member that is undefined', `${TAGGED_PREFIX}["o","a",["u"],"b",["n","NaN"]]`],
    ['a Map with an odd entry list', `${TAGGED_PREFIX}["M","a"]`],
    ['a Map with a key twice', `${TAGGED_PREFIX}["M","a",1,"a",2]`],
    ['a Set with an item twice', `${TAGGED_PREFIX}["S",1,1]`],
    ['undefined with arguments', `${TAGGED_PREFIX}["u",1]`],
    ['a typed array that is not whitelisted', `${TAGGED_PREFIX}["T","Function","AAAA"]`],
    ['a typed array named after an Object.prototype key', `${TAGGED_PREFIX}["T","constructor","AAAA"]`],
    ['a typed array with a length that does not fit', `${TAGGED_PREFIX}["T","Uint16Array","AAAA"]`],
    ['bad base64', `${TAGGED_PREFIX}["Buf","!!!!"]`],
    ['base64 of the wrong length', `${TAGGED_PREFIX}["AB","AAA"]`],
    ['a damaged node deep inside', `${TAGGED_PREFIX}["a",["a",["o","k",["zz"]]],["n","NaN"]]`],
    [
      'nesting deeper than the writer ever writes',
      TAGGED_PREFIX + '["a",'.repeat(5000) + '["n","NaN"]' + ']'.repeat(5000),
    ],
  ])('%s', (_name, text) => {
    expect(deserialize(text as string)).toBeUndefined();
  });

  it('answers undefined for every truncation of a tagged text', () => {
    const text = serialize({
      when: new Date(0),
      map: new Map([['k', new Set([1n, NaN])]]),
      bytes: Buffer.from('xy'),
    });
    for (let end = 0; end < text.length; end++) expect(deserialize(text.slice(0, end))).toBeUndefined();
    expect(deserialize(text)).toBeDefined();
  });

  it('never throws on damaged bytes (1000 single-character corruptions)', () => {
    const text = serialize([{ a: new Date(0), b: new Uint32Array([1, 2]), c: new Map([[1, -0]]) }, 'x', 5n]);
    const replacements = ['"', '[', ']', ',', '{', '}', '0', 'a', '\\', '~', 'D', 'T'];
    for (let i = 0; i < 1000; i++) {
      const at = (i * 7919) % text.length;
      const damaged =
        text.slice(0, at) + (replacements[i % replacements.length] as string) + text.slice(at + 1);
      expect(() => deserialize(damaged)).not.toThrow();
    }
  });

  it('reads plain JSON written by another tool', () => {
    expect(deserialize(' {"a": [1, 2.5, "x"]} ')).toEqual({ a: [1, 2.5, 'x'] });
  });
});

describe('prototype pollution: __proto__ keys stay own data on both paths', () => {
  const expectClean = (value: unknown): void => {
    const object = value as Record<string, unknown>;
    expect(Object.getPrototypeOf(object)).toBe(Object.prototype);
    expect(Object.hasOwn(object, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(object, '__proto__')?.value).toEqual({ polluted: 1 });
    expect(object['polluted']).toBeUndefined();
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  };

  it('JSON path: stored JSON text with a __proto__ key', () => {
    expectClean(deserialize('{"__proto__":{"polluted":1}}'));
  });

  it('tagged path: hand-written tagged text with a __proto__ key', () => {
    const value = deserialize(`${TAGGED_PREFIX}["o","__proto__",["o","polluted",1],"at",["D",0]]`);
    expectClean(value);
    expect((value as { at: Date }).at).toEqual(new Date(0));
  });

  it('a value with an own __proto__ key round-trips on both paths', () => {
    const own = JSON.parse('{"__proto__":{"polluted":1}}') as Record<string, unknown>;
    expect(serialize(own)).toBe('{"__proto__":{"polluted":1}}');
    expectClean(roundTrip(own));
    const mixed = JSON.parse('{"__proto__":{"polluted":1}}') as Record<string, unknown>;
    mixed['at'] = new Date(0);
    const text = serialize(mixed);
    expect(text.startsWith(TAGGED_PREFIX)).toBe(true);
    expectClean(deserialize(text));
  });

  it('a __proto__ key inside an object whose toJSON() result is stored', () => {
    const source = { toJSON: () => JSON.parse('{"__proto__":{"polluted":1}}') as unknown };
    const text = serialize(source);
    expect(text).toBe('{"__proto__":{"polluted":1}}');
    expectClean(deserialize(text));
  });
});
