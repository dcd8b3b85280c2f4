import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePattern, escapeGlob, isCacheError, matchesPattern } from '@cache/core';

/** [pattern, key, expected]. Every row with an ASCII key is also checked against a real redis-server below. */
const TABLE: readonly (readonly [string, string, boolean])[] = [
  ['*', 'anything', true],
  ['*', 'a', true],
  ['**', 'a', true],
  ['user:*', 'user:1', true],
  ['user:*', 'user:', true],
  ['user:*', 'use', false],
  ['user:*', 'xuser:1', false],
  ['*:u7:*', 'props:a:1:u7:abc', true],
  ['*:u7:*', 'props:a:1:u77:abc', false],
  ['*:u7:*', 'props:a:1:u7', false],
  ['abc', 'abc', true],
  ['abc', 'abcd', false],
  ['abc', 'ab', false],
  ['h?llo', 'hello', true],
  ['h?llo', 'hllo', false],
  ['h*llo', 'hllo', true],
  ['h*llo', 'heeeello', true],
  ['h[ae]llo', 'hello', true],
  ['h[ae]llo', 'hallo', true],
  ['h[ae]llo', 'hillo', false],
  ['h[^e]llo', 'hallo', true],
  ['h[^e]llo', 'hello', false],
  ['h[a-b]llo', 'hbllo', true],
  ['h[a-b]llo', 'hcllo', false],
  ['h[b-a]llo', 'hallo', true],
  ['[z-a]', 'm', true],
  ['[z-a]', 'A', false],
  ['[a-cx-z]', 'y', true],
  ['[a-cx-z]', 'm', false],
  ['[a^]', '^', true],
  ['*?', 'a', true],
  ['*??', 'a', false],
  ['a*b*c', 'aXbYc', true],
  ['a*b*c', 'aXcYb', false],
  ['*a*b', 'ab', true],
  ['a**', 'a', true],
  ['**a', 'ba', true],
  ['*a', 'aaab', false],
  ['*ab*ab*', 'xabyabz', true],
  ['*ab*ab*', 'xabyz', false],
  // Escapes, outside and inside classes.
  ['\\*', '*', true],
  ['\\*', 'a', false],
  ['a\\?b', 'a?b', true],
  ['a\\?b', 'axb', false],
  ['\\a\\b', 'ab', true],
  ['\\[a]', '[a]', true],
  ['\\[a]', 'a', false],
  ['[\\]]', ']', true],
  ['[\\-]', '-', true],
  ['[a\\-z]', '-', true],
  ['[a\\-z]', 'b', false],
  ['[\\^a]', '^', true],
  ['[\\\\]', '\\', true],
  // A trailing backslash is a literal backslash.
  ['a\\', 'a\\', true],
  ['a\\', 'a', false],
  // Empty and odd classes, as Redis reads them.
  ['[]', ']', false],
  ['[]]', ']', false],
  ['[]]', ']]', false],
  ['[^]', 'x', true],
  ['[^]a', 'xa', true],
  ['[^]a', 'x', false],
  // Unterminated `[`: the class runs to the end of the pattern.
  ['[abc', 'b', true],
  ['[abc', 'd', false],
  ['[abc', 'bc', false],
  ['a[', 'a', false],
  ['a[', 'ab', false],
  ['a[^', 'ab', true],
  ['[a-', 'a', true],
  ['[a-', '-', true],
  ['[a-', 'b', false],
  ['[a-b', 'b', true],
  ['[\\', '\\', true],
  // `[a-]` is the range `]`..`a` (Redis takes the range end raw), and it is unterminated.
  ['[a-]', ']', true],
  ['[a-]', '_', true],
  ['[a-]', 'a', true],
  ['[a-]', 'b', false],
  ['[a-]', '-', false],
  // `[a-\]x`: the range `\`..`a` (the backslash is the range end, not an escape), then `]`, then x.
  ['[a-\\]x', '\\x', true],
  ['[a-\\]x', '\\', false],
  ['[a-\\]x', '_x', true],
  // Redis' regression patterns (tests/unit/keyspace.tcl).
  ['a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(95), false],
  ['foo*', 'foo_a', true],
  ['foo*', 'key_x', false],
];

describe('compilePattern: the Redis MATCH table', () => {
  it.each(TABLE)('%j against %j is %s', (pattern, key, expected) => {
    expect(compilePattern(pattern).matches(key)).toBe(expected);
    expect(matchesPattern(pattern, key)).toBe(expected);
  });
});

describe('compilePattern: what it reports', () => {
  it.each([
    ['user:*', 'user:', false],
    ['user:42', 'user:42', true],
    ['\\*abc', '*abc', true],
    ['a\\[b\\]c', 'a[b]c', true],
    ['a[b]c', 'a', false],
    ['a?c', 'a', false],
    ['*x', '', false],
    ['', '', true],
  ])('%j: literalPrefix %j, isLiteral %s', (pattern, literalPrefix, isLiteral) => {
    const compiled = compilePattern(pattern);
    expect(compiled).toMatchObject({ source: pattern, literalPrefix, isLiteral });
  });

  it('matches the empty key only with an empty or all-star pattern (decided; as SCAN MATCH * does)', () => {
    expect(compilePattern('*').matches('')).toBe(true);
    expect(compilePattern('**').matches('')).toBe(true);
    expect(compilePattern('').matches('')).toBe(true);
    expect(compilePattern('a*').matches('')).toBe(false);
    expect(compilePattern('?').matches('')).toBe(false);
    expect(compilePattern('*?*').matches('')).toBe(false);
  });

  it('gives a matches() that works detached from its object', () => {
    const { matches } = compilePattern('k:[0-9]*');
    expect(['k:1', 'k:x', 'k:22'].filter(matches)).toEqual(['k:1', 'k:22']);
  });

  it('matches a literal pattern only against that one key', () => {
    const compiled = compilePattern('a\\*b');
    expect(compiled.matches('a*b')).toBe(true);
    expect(compiled.matches('axb')).toBe(false);
    expect(compiled.matches('a\\*b')).toBe(false);
  });

  it('rejects a pattern that is not a string with a CacheKeyError', () => {
    let caught: unknown;
    try {
      compilePattern(42 as unknown as string);
    } catch (error) {
      caught = error;
    }
    expect(isCacheError(caught, 'E_CACHE_KEY')).toBe(true);
    expect((caught as Error).message).toContain('number');
  });
});

describe('compilePattern: characters beyond ASCII (decided: one code point per `?` or class)', () => {
  it.each([
    ['caf?', 'café', true],
    ['caf??', 'café', false],
    ['?', '😀', true],
    ['??', '😀', false],
    ['a?b', 'a😀b', true],
    ['[😀-😂]', '😁', true],
    ['[😀-😂]', '😃', false],
    ['[^😀]', '😀', false],
    ['[^😀]', '😁', true],
    ['*😀', 'ab😀', true],
    ['*?😀', '😀😀', true],
    ['*[é]*', 'cafés', true],
    ['*?', '😀', true],
    ['a*?', 'a😀', true],
    ['a*??', 'a😀', false],
    ['日本*', '日本語', true],
    ['*語', '日本語', true],
    ['?本?', '日本語', true],
    // Middle segments with `?` or a class are found by the bit-parallel scan, pairs included.
    ['*?😀*', 'ab😀c', true],
    ['*?😀*', '😀', false],
    ['*[😀-😂]?*', 'x😁yz', true],
    ['*[😀-😂]?*', 'x😃yz', false],
    ['*é?*', 'xéyz', true],
    ['*?😀?*', '😀😀', false],
    ['*?😀?*', '😀😀😀', true],
  ])('%j against %j is %s', (pattern, key, expected) => {
    expect(compilePattern(pattern).matches(key)).toBe(expected);
  });

  it('never lets a lone surrogate in the pattern match half of a pair in the key', () => {
    expect(compilePattern('a\uD83D*').matches('a😀')).toBe(false);
    expect(compilePattern('a\uD83D*').matches('a\uD83Dx')).toBe(true);
    expect(compilePattern('*\uDE00').matches('a😀')).toBe(false);
    expect(compilePattern('*\uDE00').matches('a\uDE00')).toBe(true);
    expect(compilePattern('\uD83D').matches('\uD83D')).toBe(true);
  });
});

/**
 * Redis' stringmatchlen, rule for rule, over code points instead of bytes: the reference for
 * characters beyond ASCII (where a real Redis compares bytes). Recursive and slow; tests only.
 */
function referenceMatch(pattern: string, key: string): boolean {
  const p = [...pattern].map((char) => char.codePointAt(0) as number);
  const s = [...key].map((char) => char.codePointAt(0) as number);
  const [STAR, QUESTION, OPEN, CLOSE, CARET, BACKSLASH, DASH] = [42, 63, 91, 93, 94, 92, 45];
  const match = (pi: number, si: number): boolean => {
    while (pi < p.length && si < s.length) {
      const c = p[pi] as number;
      if (c === STAR) {
        while (p[pi + 1] === STAR) pi++;
        if (pi === p.length - 1) return true;
        for (let start = si; start < s.length; start++) if (match(pi + 1, start)) return true;
        return false;
      } else if (c === QUESTION) {
        si++;
      } else if (c === OPEN) {
        pi++;
        const not = p[pi] === CARET;
        if (not) pi++;
        let matched = false;
        for (;;) {
          if (p[pi] === BACKSLASH && p.length - pi >= 2) {
            pi++;
            if (p[pi] === s[si]) matched = true;
          } else if (p[pi] === CLOSE) {
            break;
          } else if (pi >= p.length) {
            pi--;
            break;
          } else if (p.length - pi >= 3 && p[pi + 1] === DASH) {
            const [low, high] = [p[pi] as number, p[pi + 2] as number].sort((a, b) => a - b) as [
              number,
              number,
            ];
            if ((s[si] as number) >= low && (s[si] as number) <= high) matched = true;
            pi += 2;
          } else if (p[pi] === s[si]) {
            matched = true;
          }
          pi++;
        }
        if (not) matched = !matched;
        if (!matched) return false;
        si++;
      } else {
        if (c === BACKSLASH && p.length - pi >= 2) pi++;
        if (p[pi] !== s[si]) return false;
        si++;
      }
      pi++;
      if (si === s.length) {
        while (p[pi] === STAR) pi++;
        break;
      }
    }
    return pi >= p.length && si === s.length;
  };
  return match(0, 0);
}

describe('compilePattern agrees with Redis rules over code points (non-ASCII, surrogates)', () => {
  it('on 5000 random patterns and keys mixing ASCII, é, emoji and lone surrogates', () => {
    const random = randomSource(99);
    const pick = (alphabet: readonly string[], min: number, max: number): string => {
      let text = '';
      const length = min + random(max - min + 1);
      for (let i = 0; i < length; i++) text += alphabet[random(alphabet.length)];
      return text;
    };
    const keyAlphabet = ['a', 'b', 'é', '😀', '😁', '-', ']', '\uD83D', '\uDE00'];
    const patternAlphabet = [...keyAlphabet, '*', '*', '*', '?', '?', '[', '^', '\\'];
    let matched = 0;
    for (let i = 0; i < 5000; i++) {
      const pattern = pick(patternAlphabet, 0, 8);
      const key = pick(keyAlphabet, 0, 6);
      const expected = referenceMatch(pattern, key) || (key === '' && /^\**$/.test(pattern));
      expect({ pattern, key, matches: compilePattern(pattern).matches(key) }).toEqual({
        pattern,
        key,
        matches: expected,
      });
      if (expected) matched++;
    }
    expect(matched).toBeGreaterThan(250);
  });
});

describe('compilePattern: no catastrophic backtracking', () => {
  // These run in one pass; a backtracking matcher would not finish within the test timeout.
  const longKey = 'a'.repeat(10_000);

  it("answers 'a*'.repeat(30) + 'b' against 10k a's", () => {
    expect(compilePattern('a*'.repeat(30) + 'b').matches(longKey)).toBe(false);
    expect(compilePattern('a*'.repeat(30) + 'a').matches(longKey)).toBe(true);
  });

  it('answers class and ? segments against a long key', () => {
    expect(compilePattern('*' + '[a]?'.repeat(15) + 'b*').matches(longKey)).toBe(false);
    expect(compilePattern('*' + '[a]?'.repeat(15) + '*').matches(longKey)).toBe(true);
    // A segment too long for the bit-parallel scan is tried at each start.
    expect(compilePattern('*' + 'a?'.repeat(40) + 'b*').matches(longKey)).toBe(false);
    expect(compilePattern('*[ab]' + '?'.repeat(200) + 'x*' + '?*'.repeat(20)).matches(longKey)).toBe(false);
  });

  it('follows Redis past 1000 nested stars: no match (Redis gives up there)', () => {
    const key = 'a'.repeat(50_000);
    expect(compilePattern('*?'.repeat(50_000)).matches(key)).toBe(false);
    expect(compilePattern('*?'.repeat(1000) + '*').matches(key)).toBe(true);
    expect(compilePattern('*?'.repeat(1001)).matches(key)).toBe(false);
  });
});

describe('matchesPattern', () => {
  it('gives the same answers when far more patterns pass through it than it keeps compiled', () => {
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 600; i++) {
        expect(matchesPattern(`item:${i}:*`, `item:${i}:x`)).toBe(true);
        expect(matchesPattern(`item:${i}:*`, `item:${i + 1}:x`)).toBe(false);
      }
    }
  });
});

describe('escapeGlob', () => {
  it.each(['plain', 'a*b', 'a?b', '[x]', 'back\\slash', 'all*?[]\\', '^-', '日本*'])(
    '%j escaped matches only itself',
    (text) => {
      const compiled = compilePattern(escapeGlob(text));
      expect(compiled.isLiteral).toBe(true);
      expect(compiled.literalPrefix).toBe(text);
      expect(compiled.matches(text)).toBe(true);
      expect(compiled.matches(text + 'x')).toBe(false);
      expect(compiled.matches('x' + text.slice(1))).toBe(text.startsWith('x'));
    },
  );

  it('keeps a prefix from widening a pattern', () => {
    expect(matchesPattern(`${escapeGlob('user*')}:*`, 'user*:1')).toBe(true);
    expect(matchesPattern(`${escapeGlob('user*')}:*`, 'users:1')).toBe(false);
  });
});

// --- Agreement with a real redis-server -------------------------------------------------------

/** A minimal RESP client over a unix socket: enough for MSET and KEYS. */
class RespClient {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly waiting: { resolve(value: unknown): void; reject(error: Error): void }[] = [];

  constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      for (;;) {
        const reply = parseReply(this.buffer, 0);
        if (reply === undefined) return;
        this.buffer = this.buffer.subarray(reply.end);
        const waiter = this.waiting.shift();
        if (reply.value instanceof Error) waiter?.reject(reply.value);
        else waiter?.resolve(reply.value);
      }
    });
  }

  send(args: readonly string[]): Promise<unknown> {
    let frame = `*${args.length}\r\n`;
    for (const arg of args) frame += `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`;
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.socket.write(frame);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

function parseReply(buffer: Buffer, at: number): { value: unknown; end: number } | undefined {
  const lineEnd = buffer.indexOf('\r\n', at);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buffer[at] as number);
  const line = buffer.toString('utf8', at + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, end: next };
    case '-':
      return { value: new Error(line), end: next };
    case ':':
      return { value: Number(line), end: next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, end: next };
      if (buffer.length < next + length + 2) return undefined;
      return { value: buffer.toString('utf8', next, next + length), end: next + length + 2 };
    }
    case '*': {
      const items: unknown[] = [];
      let end = next;
      for (let i = 0; i < Number(line); i++) {
        const item = parseReply(buffer, end);
        if (item === undefined) return undefined;
        items.push(item.value);
        end = item.end;
      }
      return { value: items, end };
    }
    default:
      throw new Error(`unexpected RESP reply type ${type}`);
  }
}

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function randomSource(seed: number): (below: number) => number {
  let state = seed >>> 0;
  return (below) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * below);
  };
}

function randomText(
  random: (below: number) => number,
  alphabet: string,
  minLength: number,
  maxLength: number,
): string {
  const length = minLength + random(maxLength - minLength + 1);
  let text = '';
  for (let i = 0; i < length; i++) text += alphabet[random(alphabet.length)];
  return text;
}

describe('compilePattern agrees with a real redis-server (KEYS)', () => {
  let dir: string;
  let server: ChildProcess;
  let client: RespClient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cache-glob-'));
    const socketPath = join(dir, 'redis.sock');
    server = spawn(
      'redis-server',
      ['--port', '0', '--unixsocket', socketPath, '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        const socket = await new Promise<Socket>((resolve, reject) => {
          const attempt = createConnection(socketPath);
          attempt.once('connect', () => resolve(attempt));
          attempt.once('error', reject);
        });
        client = new RespClient(socket);
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
  });

  afterAll(() => {
    client?.close();
    server?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  async function redisMatches(pattern: string, keys: readonly string[]): Promise<string[]> {
    await client.send(['FLUSHALL']);
    await client.send(['MSET', ...keys.flatMap((key) => [key, '1'])]);
    return ((await client.send(['KEYS', pattern])) as string[]).sort();
  }

  it('on every ASCII row of the table', async () => {
    for (const [pattern, key, expected] of TABLE) {
      expect([pattern, key, await redisMatches(pattern, [key])]).toEqual([
        pattern,
        key,
        expected ? [key] : [],
      ]);
    }
  });

  it.each([
    // Short keys and patterns over every character with a meaning: classes, escapes, odd brackets.
    {
      seed: 20240601,
      keyAlphabet: 'ab-]^\\[*?zc',
      keyLength: 7,
      patternAlphabet: 'ab-*?[]^\\z',
      patternLength: 8,
    },
    // Longer keys over two letters and star-heavy patterns: several segments, classes between stars.
    { seed: 7, keyAlphabet: 'ab', keyLength: 16, patternAlphabet: 'ab**?[]^-', patternLength: 12 },
  ])(
    'on 400 random patterns against 400 random keys (seed $seed)',
    async ({ seed, keyAlphabet, keyLength, patternAlphabet, patternLength }) => {
      const random = randomSource(seed);
      const keys = [
        ...new Set(Array.from({ length: 400 }, () => randomText(random, keyAlphabet, 1, keyLength))),
      ];
      await client.send(['FLUSHALL']);
      await client.send(['MSET', ...keys.flatMap((key) => [key, '1'])]);
      let matched = 0;
      for (let p = 0; p < 400; p++) {
        const pattern = randomText(random, patternAlphabet, 0, patternLength);
        const fromRedis = ((await client.send(['KEYS', pattern])) as string[]).sort();
        const compiled = compilePattern(pattern);
        const ours = keys.filter((key) => compiled.matches(key)).sort();
        expect({ pattern, matched: ours }).toEqual({ pattern, matched: fromRedis });
        matched += ours.length;
      }
      // The comparison means something only if many patterns do match.
      expect(matched).toBeGreaterThan(1000);
    },
  );
});
