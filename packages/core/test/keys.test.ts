import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  buildCacheKey,
  CacheKeyPatterns,
  canonicalJson,
  compilePattern,
  encodeKeyPart,
  generateHash,
  isCacheError,
  matchesPattern,
} from '@cache/core';
import { chooseDigestAlgorithm, createDigest32 } from '../src/key-digest.js';

const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');
const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** Runs `fn`, expects a CacheKeyError, returns its message. */
function keyErrorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(isCacheError(error, 'E_CACHE_KEY')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a CacheKeyError, nothing was thrown');
}

describe('canonicalJson', () => {
  it('sorts object keys recursively, keeps array order and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('sorts keys as strings, integer-like keys included (JSON.stringify would put those first)', () => {
    expect(canonicalJson({ b: 1, 10: 2, 9: 3, a: 4 })).toBe('{"10":2,"9":3,"a":4,"b":1}');
  });

  it('is JSON.stringify for values whose keys are already sorted', () => {
    const values: unknown[] = [
      'text "quoted" \\ \n',
      42,
      -1.5e-7,
      1e21,
      true,
      null,
      [],
      {},
      [1, 'two', [3], { a: null }],
      { a: 1, b: { c: [true, false], d: 'é😀' } },
      'lone \uD800 surrogate',
    ];
    for (const value of values) expect(canonicalJson(value)).toBe(JSON.stringify(value));
  });

  it('follows JSON for toJSON, Dates, non-finite numbers, -0 and members JSON leaves out', () => {
    expect(canonicalJson({ when: new Date('2024-05-01T12:00:00.000Z') })).toBe(
      '{"when":"2024-05-01T12:00:00.000Z"}',
    );
    expect(canonicalJson({ money: { toJSON: () => ({ eur: 5, cents: 0 }) } })).toBe(
      '{"money":{"cents":0,"eur":5}}',
    );
    expect(canonicalJson([NaN, Infinity, -Infinity, -0])).toBe('[null,null,null,0]');
    expect(canonicalJson({ f: () => 1, s: Symbol('x'), u: undefined, k: 1 })).toBe('{"k":1}');
    expect(canonicalJson([undefined, () => 1, Symbol('x')])).toBe('[null,null,null]');
    expect(canonicalJson({ [Symbol('hidden')]: 1, shown: 2 })).toBe('{"shown":2}');
  });

  it('decides what JSON cannot: top-level undefined, BigInt, Map and Set', () => {
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson(12345678901234567890n)).toBe('12345678901234567890');
    expect(canonicalJson({ id: 10n })).toBe('{"id":10}');
    expect(
      canonicalJson(
        new Map<unknown, unknown>([
          ['b', 2],
          ['a', { y: 1, x: 2 }],
        ]),
      ),
    ).toBe('[["a",{"x":2,"y":1}],["b",2]]');
    expect(canonicalJson(new Set([3, 1, 2]))).toBe('[1,2,3]');
    expect(generateHash(new Map([['a', 1]]))).not.toBe(generateHash(new Map([['a', 2]])));
  });

  it('reports a cycle as a CacheKeyError naming where it closes', () => {
    const value: { items: unknown[] } = { items: [1, {}] };
    (value.items[1] as Record<string, unknown>)['back'] = value;
    expect(keyErrorOf(() => canonicalJson(value))).toBe(
      'cannot hash a value with a cycle: value.items[1].back refers back to value',
    );
    const list: unknown[] = [];
    list.push({ 'odd key': list });
    expect(keyErrorOf(() => canonicalJson(list))).toContain('value[0]["odd key"] refers back to value');
  });

  it('handles shared (non-cyclic) references', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });

  it('handles nesting 1000 deep and refuses absurd depth with a CacheKeyError, not a stack overflow', () => {
    const nest = (depth: number): unknown => {
      let value: unknown = 'leaf';
      for (let i = 0; i < depth; i++) value = { v: value };
      return value;
    };
    expect(canonicalJson(nest(1000))).toBe('{"v":'.repeat(1000) + '"leaf"' + '}'.repeat(1000));
    expect(keyErrorOf(() => canonicalJson(nest(100_000)))).toContain('nested deeper than 1024 levels');
  });
});

describe('generateHash', () => {
  it('is the md5 hex of canonicalJson', () => {
    expect(generateHash({ city: 'x' })).toBe('10b611e1d54c9b12d2c9d6c5f828429c');
    expect(generateHash({ city: 'x' })).toBe(md5('{"city":"x"}'));
    expect(generateHash({ b: [1, 2], a: 1 })).toBe(md5('{"a":1,"b":[1,2]}'));
    expect(generateHash('é😀')).toBe(md5('"é😀"'));
  });

  it('is the same for data that differs only in key order or undefined members', () => {
    expect(generateHash({ a: 1, b: { c: 2, d: 3 } })).toBe(
      generateHash({ b: { d: 3, c: 2 }, a: 1, z: undefined }),
    );
    expect(generateHash({ a: 1 })).not.toBe(generateHash({ a: '1' }));
  });

  it('falls back to sha256 cut to 32 hex characters where md5 is refused (FIPS)', () => {
    const refuseMd5 = (algorithm: string): void => {
      if (algorithm === 'md5') throw new Error('error:0308010C:digital envelope routines::unsupported');
    };
    expect(chooseDigestAlgorithm(refuseMd5)).toBe('sha256');
    expect(chooseDigestAlgorithm(() => undefined)).toBe('md5');
    const text = canonicalJson({ city: 'x' });
    expect(createDigest32('sha256')(text)).toBe(sha256(text).slice(0, 32));
    expect(createDigest32('sha256')(text)).toMatch(/^[0-9a-f]{32}$/);
    expect(createDigest32('md5')(text)).toBe(md5(text));
  });
});

describe('encodeKeyPart', () => {
  it.each([
    ['a:b', 'a%3Ab'],
    ['100%', '100%25'],
    ['a*b?c', 'a%2Ab%3Fc'],
    ['[x]', '%5Bx%5D'],
    ['back\\slash', 'back%5Cslash'],
    ['two words', 'two%20words'],
    ['tab\tnew\nline\r', 'tab%09new%0Aline%0D'],
    ['nbsp\u00a0ideographic\u3000', 'nbsp%C2%A0ideographic%E3%80%80'],
    ['日本-_.~/#@!^', '日本-_.~/#@!^'],
    ['', ''],
  ])('%j → %j', (part, encoded) => {
    expect(encodeKeyPart(part)).toBe(encoded);
  });

  it('stringifies numbers, booleans and bigints', () => {
    expect(encodeKeyPart(1)).toBe('1');
    expect(encodeKeyPart(-2.5)).toBe('-2.5');
    expect(encodeKeyPart(true)).toBe('true');
    expect(encodeKeyPart(10n)).toBe('10');
  });

  it('marks null, undefined and objects so that no string can produce the same part', () => {
    expect(encodeKeyPart(null)).toBe('%null');
    expect(encodeKeyPart(undefined)).toBe('%undefined');
    expect(encodeKeyPart({ b: 2, a: 1 })).toBe('%h' + md5('{"a":1,"b":2}'));
    expect(encodeKeyPart([1, 2])).toBe('%h' + md5('[1,2]'));
    // The strings that look most like those markers stay different.
    expect(encodeKeyPart('%null')).toBe('%25null');
    expect(encodeKeyPart('null')).toBe('null');
    expect(encodeKeyPart('%h' + md5('[1,2]'))).toBe('%25h' + md5('[1,2]'));
  });

  it('never gives two different strings the same part, and every part is a literal pattern', () => {
    const inputs = [
      'a:b',
      'a%3Ab',
      'a%253Ab',
      'a b',
      'a%20b',
      'a\u00a0b',
      'a*',
      'a%2A',
      'a\\*',
      '%',
      '%25',
      '',
      ' ',
    ];
    const parts = inputs.map(encodeKeyPart);
    expect(new Set(parts).size).toBe(inputs.length);
    for (const part of parts) {
      expect(part).not.toMatch(/[:*?[\]\\\s]/);
      expect(compilePattern(part).isLiteral).toBe(true);
    }
  });

  it('rejects functions and symbols with a CacheKeyError', () => {
    expect(keyErrorOf(() => encodeKeyPart(() => 1))).toContain('key part is a function');
    expect(keyErrorOf(() => encodeKeyPart(Symbol('s')))).toContain('key part is a symbol');
  });
});

describe('buildCacheKey', () => {
  it('builds the SPEC example exactly', () => {
    expect(buildCacheKey('props', ['a', 1], { includeUser: true, userId: 7, params: { city: 'x' } })).toBe(
      'props:a:1:u7:' + md5('{"city":"x"}'),
    );
    expect(buildCacheKey('props', ['a', 1], { includeUser: true, userId: 7, params: { city: 'x' } })).toBe(
      'props:a:1:u7:' + generateHash({ city: 'x' }),
    );
  });

  it('adds no hash part without params or when every param is undefined', () => {
    expect(buildCacheKey('props')).toBe('props');
    expect(buildCacheKey('props', [])).toBe('props');
    expect(buildCacheKey('props', ['a'])).toBe('props:a');
    expect(buildCacheKey('props', ['a'], { params: {} })).toBe('props:a');
    expect(buildCacheKey('props', ['a'], { params: { city: undefined, page: undefined } })).toBe('props:a');
    expect(buildCacheKey('props', ['a'], { params: { city: undefined, page: 2 } })).toBe(
      'props:a:' + md5('{"page":2}'),
    );
  });

  it('encodes each argument as one part and keeps the prefix as written', () => {
    expect(buildCacheKey('app:props', ['a:b', 'x y', 5, false, null, undefined])).toBe(
      'app:props:a%3Ab:x%20y:5:false:%null:%undefined',
    );
    expect(buildCacheKey('search', [{ q: 'x', page: 1 }])).toBe('search:%h' + md5('{"page":1,"q":"x"}'));
    expect(buildCacheKey('p', ['a:b'])).not.toBe(buildCacheKey('p', ['a', 'b']));
  });

  it('needs a userId when includeUser is set: CacheKeyError, never a shared entry', () => {
    expect(keyErrorOf(() => buildCacheKey('props', ['a'], { includeUser: true }))).toBe(
      'buildCacheKey: includeUser is set but userId is undefined; pass the user id, or leave includeUser out for an entry shared by all users',
    );
    expect(keyErrorOf(() => buildCacheKey('props', [], { includeUser: true, userId: '' }))).toContain(
      "userId is ''",
    );
  });

  it('adds a given userId unless includeUser is false, encoded like any part', () => {
    expect(buildCacheKey('props', ['a'], { userId: 7 })).toBe('props:a:u7');
    expect(buildCacheKey('props', ['a'], { includeUser: false, userId: 7 })).toBe('props:a');
    expect(buildCacheKey('props', [], { includeUser: true, userId: 'ann:admin' })).toBe('props:uann%3Aadmin');
  });

  it('rejects a bad prefix, a function argument and a key over 1024 bytes with CacheKeyErrors', () => {
    expect(keyErrorOf(() => buildCacheKey(''))).toBe(
      "buildCacheKey: prefix must be a non-empty string (got '')",
    );
    expect(keyErrorOf(() => buildCacheKey('p', ['ok', () => 1]))).toContain(
      'buildCacheKey: args[1] is a function',
    );
    const message = keyErrorOf(() => buildCacheKey('p', ['x'.repeat(1100)]));
    expect(message).toContain('1102 UTF-8 bytes, more than 1024');
    expect(message).toContain('options.params');
    // Bytes, not characters: 400 three-byte characters are 1200 bytes.
    expect(keyErrorOf(() => buildCacheKey('p', ['語'.repeat(400)]))).toContain('1202 UTF-8 bytes');
    expect(buildCacheKey('p', ['x'.repeat(1022)])).toHaveLength(1024);
    // The same long value is fine as a param: it is hashed.
    expect(buildCacheKey('p', [], { params: { text: 'x'.repeat(5000) } })).toHaveLength(2 + 32);
  });
});

describe('CacheKeyPatterns', () => {
  it('gives the SPEC patterns with ids encoded like key parts', () => {
    expect(CacheKeyPatterns.ALL_PROPERTIES).toBe('properties:*');
    expect(CacheKeyPatterns.forProperty(42)).toBe('property:42:*');
    expect(CacheKeyPatterns.forProperty('a*b')).toBe('property:a%2Ab:*');
    expect(CacheKeyPatterns.forUser(7)).toBe('*:u7:*');
    expect(CacheKeyPatterns.forUser('x?')).toBe('*:ux%3F:*');
    expect(CacheKeyPatterns.forPrefix('props')).toBe('props:*');
  });

  it('escapes glob characters in a prefix so it can never widen the pattern', () => {
    expect(CacheKeyPatterns.forPrefix('a*')).toBe('a\\*:*');
    expect(matchesPattern(CacheKeyPatterns.forPrefix('a*'), 'a*:1')).toBe(true);
    expect(matchesPattern(CacheKeyPatterns.forPrefix('a*'), 'abc:1')).toBe(false);
  });

  it('matches the keys built for that property, user or prefix and no others', () => {
    const withUser = buildCacheKey('props', ['a'], { includeUser: true, userId: 7, params: { city: 'x' } });
    expect(matchesPattern(CacheKeyPatterns.forUser(7), withUser)).toBe(true);
    expect(matchesPattern(CacheKeyPatterns.forUser(77), withUser)).toBe(false);
    expect(matchesPattern(CacheKeyPatterns.forUser(7), 'properties:v1:abc:u7:p2:l50')).toBe(true);
    expect(matchesPattern(CacheKeyPatterns.forProperty(42), 'property:42:v1')).toBe(true);
    expect(matchesPattern(CacheKeyPatterns.forProperty(4), 'property:42:v1')).toBe(false);
    expect(matchesPattern(CacheKeyPatterns.forProperty('*'), 'property:42:v1')).toBe(false);
    expect(matchesPattern(CacheKeyPatterns.forPrefix('props'), withUser)).toBe(true);
    expect(matchesPattern(CacheKeyPatterns.ALL_PROPERTIES, 'properties:v1:abc:uanon:p1:l20')).toBe(true);
    expect(matchesPattern(CacheKeyPatterns.ALL_PROPERTIES, 'property:42:v1')).toBe(false);
  });
});
