import { describe, expect, test } from 'vitest';
import { cached, CacheConfigError, CacheKeyPatterns, matchesPattern, type CachedOptions } from '@cache/core';
import { argumentsDigest, digestArguments, encodeArguments } from '../src/decorator-key.js';
import { FaultyBackend } from './fixtures/decorators/faulty-backend.js';

type LooseOptions = CachedOptions<readonly unknown[], unknown>;

/** The key a call reads, observed at the backend. */
async function keyOf(
  args: unknown[],
  options: LooseOptions = {},
  prefix = 'p',
  thisArg?: unknown,
): Promise<string> {
  const cache = new FaultyBackend();
  const fn = cached(prefix, { ...options, cache })(async function (this: unknown, ...received: unknown[]) {
    void received;
    return 'value';
  });
  await fn.apply(thisArg, args);
  const [key] = cache.keys('get');
  if (key === undefined) throw new Error('the call did not read the cache');
  return key;
}

class Pool {
  connected = true;
  query(): string {
    return 'rows';
  }
  readonly onError = (): void => {};
}

class SearchQuery {
  constructor(
    readonly city: string,
    readonly page = 1,
  ) {}
}

class Price {
  readonly #cents: number;
  constructor(cents: number) {
    this.#cents = cents;
  }
  toJSON(): string {
    return `${this.#cents / 100} EUR`;
  }
}

describe('key shape', () => {
  test('prefix, then a 32-character digest of the arguments', async () => {
    expect(await keyOf([{ city: 'x' }], {}, 'search')).toMatch(/^search:[0-9a-f]{32}$/);
  });

  test('a call without arguments still has a digest, so forPrefix(prefix) matches it', async () => {
    const key = await keyOf([], {}, 'all');
    expect(key).toMatch(/^all:[0-9a-f]{32}$/);
    expect(matchesPattern(CacheKeyPatterns.forPrefix('all'), key)).toBe(true);
  });

  test('includeUser puts u{id} after the prefix, which CacheKeyPatterns.forUser(id) matches', async () => {
    const key = await keyOf([{ currentUser: { id: 7 }, city: 'x' }], { includeUser: true }, 'search');
    expect(key).toMatch(/^search:u7:[0-9a-f]{32}$/);
    expect(matchesPattern(CacheKeyPatterns.forUser(7), key)).toBe(true);
    expect(matchesPattern(CacheKeyPatterns.forUser(8), key)).toBe(false);
    expect(matchesPattern(CacheKeyPatterns.forUser(77), key)).toBe(false);
  });

  test('a user id with pattern characters is encoded, and only its own pattern matches it', async () => {
    const key = await keyOf([{ userId: 'a:b*' }], { includeUser: true }, 'search');
    expect(key.startsWith('search:ua%3Ab%2A:')).toBe(true);
    expect(matchesPattern(CacheKeyPatterns.forUser('a:b*'), key)).toBe(true);
    expect(matchesPattern(CacheKeyPatterns.forUser('a'), key)).toBe(false);
  });

  test('the key option replaces the digest; prefix and user segment stay', async () => {
    expect(await keyOf(['42'], { key: (id: unknown) => `${String(id)}:detail` }, 'property')).toBe(
      'property:42:detail',
    );
    expect(
      await keyOf(
        [{ userId: 3 }],
        { includeUser: true, key: (q: unknown) => `q${(q as { userId: number }).userId}` },
        'list',
      ),
    ).toBe('list:u3:q3');
  });

  test('the key option sees `this`, which is otherwise not part of the key', async () => {
    const a = { tenant: 'a' };
    const b = { tenant: 'b' };
    expect(await keyOf(['x'], {}, 'p', a)).toBe(await keyOf(['x'], {}, 'p', b));
    const byTenant: LooseOptions = {
      key(this: unknown, id: unknown) {
        return `${(this as { tenant: string }).tenant}:${String(id)}`;
      },
    };
    expect(await keyOf(['x'], byTenant, 'p', a)).toBe('p:a:x');
    expect(await keyOf(['x'], byTenant, 'p', b)).toBe('p:b:x');
  });
});

describe('argument encoding never collides', () => {
  const map = new Map([[1, 2]]);
  const pairs: [string, unknown[], unknown[]][] = [
    ['split strings', ['ab', 'c'], ['a', 'bc']],
    ['number vs string', [1], ['1']],
    ['undefined member vs missing', [{ a: undefined }], [{}]],
    ['-0 vs 0', [-0], [0]],
    ['Map vs object', [map], [{}]],
    ['joined vs split array', [['a,b']], [['a', 'b']]],
    ['separator inside', ['x:y', 'z'], ['x', 'y:z']],
    ['null vs undefined', [null], [undefined]],
    ['null vs "null"', [null], ['null']],
    ['true vs "true"', [true], ['true']],
    ['bigint vs number', [1n], [1]],
    ['NaN vs "NaN"', [NaN], ['NaN']],
    ['Infinity vs -Infinity', [Infinity], [-Infinity]],
    ['array vs object with index keys', [['a']], [{ 0: 'a' }]],
    ['nested split', [{ a: ['b', 'c'] }], [{ a: ['bc'] }]],
    ['one argument vs two', [['a', 'b']], ['a', 'b']],
    ['trailing undefined', ['a'], ['a', undefined]],
    ['Set vs array', [new Set([1])], [[1]]],
    ['Date vs its time', [new Date(0)], [0]],
    ['Date vs ISO string', [new Date(0)], ['1970-01-01T00:00:00.000Z']],
    ['bytes differ', [new Uint8Array([1, 2])], [new Uint8Array([1, 3])]],
    ['Uint8Array vs Int8Array', [new Uint8Array([1])], [new Int8Array([1])]],
    ['member name vs value', [{ ab: 'c' }], [{ a: 'bc' }]],
    ['string that looks like an encoding', ['s1:a'], ['a']],
    ['skipped slot keeps positions', [() => 1, 'x'], ['x', () => 1]],
    ['DTO values differ', [new SearchQuery('a')], [new SearchQuery('b')]],
    ['toJSON values differ', [new Price(100)], [new Price(200)]],
    ['URL values differ', [new URL('https://a.test/1')], [new URL('https://a.test/2')]],
    ['RegExp flags', [/a/g], [/a/i]],
    ['Buffer vs Uint8Array', [Buffer.from([1])], [new Uint8Array([1])]],
  ];

  test.each(pairs)('%s', async (_name, first, second) => {
    expect(encodeArguments(first, { keep: undefined })).not.toBe(
      encodeArguments(second, { keep: undefined }),
    );
    expect(await keyOf(first)).not.toBe(await keyOf(second));
  });

  test('a decorated function answers each side of a pair from its own entry', async () => {
    const cache = new FaultyBackend();
    let runs = 0;
    const echo = cached('echo', { cache })(async (...args: unknown[]) => {
      runs++;
      return JSON.stringify(args);
    });
    expect(await echo('ab', 'c')).toBe('["ab","c"]');
    expect(await echo('a', 'bc')).toBe('["a","bc"]');
    expect(await echo('ab', 'c')).toBe('["ab","c"]');
    expect(runs).toBe(2);
  });
});

describe('remembered digests', () => {
  const names = { keep: undefined };
  test('stay right for every argument list, across the memory filling up and being forgotten', () => {
    const first = argumentsDigest(['a'], names);
    const digests = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const digest = argumentsDigest([i], names);
      expect(digest).toBe(digestArguments(encodeArguments([i], names)));
      digests.add(digest);
    }
    expect(digests.size).toBe(3000);
    expect(argumentsDigest(['a'], names)).toBe(first);
  });

  test('long encodings are hashed every time, to the same digest', () => {
    const long = { text: 'x'.repeat(1000) };
    expect(argumentsDigest([long], names)).toBe(digestArguments(encodeArguments([long], names)));
    expect(argumentsDigest([long], names)).toBe(argumentsDigest([{ text: 'x'.repeat(1000) }], names));
  });
});

describe('equal arguments give equal keys', () => {
  const same: [string, unknown[], unknown[]][] = [
    ['object key order', [{ a: 1, b: 2 }], [{ b: 2, a: 1 }]],
    [
      'nested key order',
      [{ f: { x: 1, y: [1, { p: 1, q: 2 }] } }],
      [{ f: { y: [1, { q: 2, p: 1 }], x: 1 } }],
    ],
    [
      'Map insertion order',
      [
        new Map([
          ['a', 1],
          ['b', 2],
        ]),
      ],
      [
        new Map([
          ['b', 2],
          ['a', 1],
        ]),
      ],
    ],
    ['Set insertion order', [new Set([1, 2])], [new Set([2, 1])]],
    ['null-prototype object', [Object.assign(Object.create(null) as object, { a: 1 })], [{ a: 1 }]],
    ['equal dates', [new Date(5)], [new Date(5)]],
    ['equal Buffers', [Buffer.from('ab')], [Buffer.from('ab')]],
  ];
  test.each(same)('%s', async (_name, first, second) => {
    expect(await keyOf(first)).toBe(await keyOf(second));
  });
});

describe('what enters the key', () => {
  test.each(['db', 'currentUser', 'request', 'req', 'res', 'session', 'signal'])(
    'a property named %s never does',
    async (name) => {
      expect(await keyOf([{ id: 1, [name]: { a: 1 } }])).toBe(await keyOf([{ id: 1, [name]: { a: 2 } }]));
      expect(await keyOf([{ id: 1, [name]: 'x' }])).toBe(await keyOf([{ id: 1 }]));
    },
  );

  test('excluded names only apply to the top level of an object argument', async () => {
    expect(await keyOf([{ filter: { session: 'a' } }])).not.toBe(await keyOf([{ filter: { session: 'b' } }]));
  });

  test('function values never do, at any depth', async () => {
    expect(await keyOf([{ id: 1, onDone: () => 1 }])).toBe(await keyOf([{ id: 1 }]));
    expect(await keyOf([{ nested: { id: 1, f: () => 2 } }])).toBe(await keyOf([{ nested: { id: 1 } }]));
    expect(await keyOf([{ id: 1, s: Symbol('x') }])).toBe(await keyOf([{ id: 1 }]));
  });

  test('service objects (class instances holding functions or services) never do, but their position counts', async () => {
    const a = new Pool();
    const b = new Pool();
    b.connected = false;
    expect(await keyOf([a, 'x'])).toBe(await keyOf([b, 'x']));
    expect(await keyOf([{ pool: a, id: 1 }])).toBe(await keyOf([{ pool: b, id: 1 }]));
    expect(await keyOf([{ pool: a, id: 1 }])).toBe(await keyOf([{ id: 1 }]));
    expect(await keyOf([a, 'x'])).not.toBe(await keyOf(['x', a]));
    // No visible state: every AbortController encodes alike, so it cannot split or vary the key.
    expect(await keyOf([{ id: 1, signal: new AbortController().signal, c: new AbortController() }])).toBe(
      await keyOf([{ id: 1, c: new AbortController() }]),
    );
  });

  test('class instances that hold only data (DTOs) enter by their properties, with their class name', async () => {
    expect(await keyOf([new SearchQuery('a', 2)])).toBe(await keyOf([new SearchQuery('a', 2)]));
    expect(await keyOf([new SearchQuery('a', 2)])).not.toBe(await keyOf([new SearchQuery('a', 3)]));
    expect(await keyOf([new SearchQuery('a', 2)])).not.toBe(await keyOf([{ city: 'a', page: 2 }]));
  });

  test('objects with toJSON enter as what toJSON returns', async () => {
    expect(await keyOf([new Price(100)])).toBe(await keyOf([new Price(100)]));
    expect(await keyOf([{ price: new Price(100) }])).not.toBe(await keyOf([{ price: new Price(101) }]));
  });

  test('keyParams keeps only the named properties of object arguments; other arguments still count', async () => {
    const options: LooseOptions = { keyParams: ['city'] };
    expect(await keyOf([{ city: 'x', page: 1 }], options)).toBe(
      await keyOf([{ city: 'x', page: 2 }], options),
    );
    expect(await keyOf([{ city: 'x' }], options)).not.toBe(await keyOf([{ city: 'y' }], options));
    expect(await keyOf(['a', { city: 'x' }], options)).not.toBe(await keyOf(['b', { city: 'x' }], options));
    expect(await keyOf([new SearchQuery('x', 1)], options)).toBe(
      await keyOf([new SearchQuery('x', 9)], options),
    );
  });

  test('user ids enter through the user segment, so two users never share an entry', async () => {
    const options: LooseOptions = { includeUser: true };
    expect(await keyOf([{ currentUser: { id: 1 }, q: 'x' }], options)).not.toBe(
      await keyOf([{ currentUser: { id: 2 }, q: 'x' }], options),
    );
  });
});

describe('options are checked when decorating', () => {
  const cases: [string, () => unknown, string][] = [
    ['empty prefix', () => cached(''), 'prefix must be a non-empty string (got an empty string)'],
    ['prefix not a string', () => cached(1n as never), 'prefix must be a non-empty string (got bigint)'],
    ['bad ttl', () => cached('p', { ttl: -1 }), "cached('p') ttl must be greater than zero"],
    ['bad ttl string', () => cached('p', { ttl: '5 minutes' }), "cached('p') ttl must be a positive number"],
    [
      'keyParams not an array',
      () => cached('p', { keyParams: 'city' as never }),
      'keyParams must be an array',
    ],
    [
      'keyParams with an excluded name',
      () => cached('p', { keyParams: ['id', 'db'] }),
      "keyParams lists 'db'",
    ],
    [
      'keyParams and key',
      () => cached('p', { keyParams: ['a'], key: () => 'k' }),
      'keyParams has no effect when key',
    ],
    [
      'userId without includeUser',
      () => cached('p', { userId: () => 1 }),
      'userId is only used with includeUser',
    ],
    ['unknown option', () => cached('p', { cacheNone: true } as never), "unknown option 'cacheNone'"],
    ['key not a function', () => cached('p', { key: 'k' as never }), 'key must be a function'],
    [
      'includeUser not a boolean',
      () => cached('p', { includeUser: 1 as never }),
      'includeUser must be true or false',
    ],
    ['cache not a cache', () => cached('p', { cache: {} as never }), 'cache must be a CacheManager'],
    ['logger without warn', () => cached('p', { logger: {} as never }), 'logger must have a warn'],
  ];
  test.each(cases)('%s', (_name, decorate, message) => {
    expect(decorate).toThrow(CacheConfigError);
    expect(decorate).toThrow(message);
  });
});
