import {
  BackendRegistry,
  CacheBackendError,
  CacheManager,
  loadConfigFromEnv,
  CacheConfigError,
  TAGGED_PREFIX,
  silentLogger,
} from '@cache/core';
import { RedisBackend, redisBackend, type RedisBackendOptions } from '@cache/redis';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { recordingLogger, timed, uniquePrefix, withUnhandledRejections } from './support/fixtures.js';
import { findFreePort, startRedisServer, type RedisServer } from './support/redis-server.js';

let server: RedisServer;
const opened: RedisBackend[] = [];

beforeAll(async () => {
  server = await startRedisServer();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((backend) => backend.disconnect()));
});
afterAll(async () => {
  await server?.stop();
});

/** A connected backend on the file's server with a prefix of its own. */
async function open(options: RedisBackendOptions = {}): Promise<RedisBackend> {
  const backend = new RedisBackend({
    url: server.url,
    keyPrefix: uniquePrefix(),
    logger: silentLogger,
    ...options,
  });
  opened.push(backend);
  await backend.connect();
  return backend;
}

async function raw(...args: string[]): Promise<unknown> {
  return server.command(...args);
}

describe('options', () => {
  const cases: Array<[string, RedisBackendOptions, string]> = [
    [
      'url and cluster',
      { url: 'redis://x', cluster: { nodes: [{ host: 'a', port: 1 }] } },
      'redis options url and cluster exclude each other',
    ],
    [
      'a url without scheme',
      { url: 'localhost:6379' },
      'redis url must start with redis:// or rediss:// (got "localhost:6379")',
    ],
    [
      'commandTimeout 0',
      { commandTimeout: 0 },
      'redis commandTimeout option must be a positive integer (got 0)',
    ],
    ['scanCount 1.5', { scanCount: 1.5 }, 'redis scanCount option must be a positive integer (got 1.5)'],
    [
      'breaker threshold -1',
      { breaker: { failureThreshold: -1 } },
      'redis breaker.failureThreshold option must be a positive integer (got -1)',
    ],
    ['a bad defaultTtl', { defaultTtl: 0 }, 'redis defaultTtl must be greater than zero (got 0)'],
    [
      'an ioredis keyPrefix',
      { redis: { keyPrefix: 'x:' } },
      'the ioredis keyPrefix option ("x:") is not supported',
    ],
    [
      'an empty cluster',
      { cluster: { nodes: [] } },
      'redis cluster.nodes must list at least one startup node',
    ],
    [
      'a nameless sentinel',
      { sentinel: { name: '', sentinels: [{ host: 'a', port: 1 }] } },
      'redis sentinel.name must be a non-empty string',
    ],
    [
      'an unknown getAndDeleteMode',
      { getAndDeleteMode: 'lua' as 'script' },
      `redis getAndDeleteMode option must be 'auto', 'getdel' or 'script' (got "lua")`,
    ],
  ];
  for (const [what, options, message] of cases) {
    it(`rejects ${what} with CacheConfigError naming the option`, () => {
      let thrown: unknown;
      try {
        new RedisBackend(options);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(CacheConfigError);
      expect((thrown as Error).message).toContain(message);
    });
  }

  it("rejects a caller's client that uses ioredis keyPrefix (SCAN would not see it)", () => {
    const client = new Redis({ lazyConnect: true, keyPrefix: 'theirs:' });
    expect(() => new RedisBackend({ client })).toThrow(CacheConfigError);
    client.disconnect();
  });
});

describe('connect', () => {
  it('rejects within connectTimeout with a CacheBackendError that says what to do when nothing listens', async () => {
    const port = await findFreePort();
    const backend = new RedisBackend({
      url: `redis://127.0.0.1:${port}`,
      logger: silentLogger,
      connectTimeout: 1000,
    });
    const { value: error, ms } = await timed(() =>
      backend.connect().then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    await backend.disconnect();
    expect(error).toBeInstanceOf(CacheBackendError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^\\[cache\\] \\[redis\\] cannot connect to 127\\.0\\.0\\.1:${port} — is redis-server running\\? \\(set REDIS_URL\\)`,
      ),
    );
    expect(ms).toBeLessThan(1000 + 100);
    expect(backend.isAvailable()).toBe(false);
  });

  it('rejects within connectTimeout when the server accepts the connection but never answers', async () => {
    const hung = await startRedisServer();
    hung.pause();
    try {
      const backend = new RedisBackend({ url: hung.url, logger: silentLogger, connectTimeout: 300 });
      const { value: error, ms } = await timed(() =>
        backend.connect().then(
          () => undefined,
          (e: unknown) => e,
        ),
      );
      await backend.disconnect();
      expect(error).toBeInstanceOf(CacheBackendError);
      expect((error as Error).message).toContain('no answer within 300 ms');
      expect(ms).toBeLessThan(300 + 100);
    } finally {
      await hung.stop();
    }
  });

  it('keeps reconnecting after a failed connect and becomes available when the server appears', async () => {
    const port = await findFreePort();
    const backend = new RedisBackend({
      url: `redis://127.0.0.1:${port}`,
      logger: silentLogger,
      connectTimeout: 500,
    });
    opened.push(backend);
    await expect(backend.connect()).rejects.toBeInstanceOf(CacheBackendError);
    const late = await startRedisServer({ port });
    try {
      await expect.poll(() => backend.isAvailable(), { timeout: 5000, interval: 50 }).toBe(true);
      expect(await backend.set('k', 1)).toBe(true);
      expect(await backend.get('k')).toBe(1);
    } finally {
      await backend.disconnect();
      await late.stop();
    }
  });

  it('answers without touching Redis before connect(), and does not connect by itself', async () => {
    const backend = new RedisBackend({ url: server.url, logger: silentLogger });
    expect(backend.isAvailable()).toBe(false);
    expect(await backend.get('k')).toBeUndefined();
    expect(await backend.set('k', 1)).toBe(false);
    expect(backend.client.status).toBe('wait');
    expect(backend.stats().errors).toBe(2);
  });

  it('connect() twice at once shares one connection attempt', async () => {
    const backend = new RedisBackend({ url: server.url, logger: silentLogger });
    opened.push(backend);
    await Promise.all([backend.connect(), backend.connect()]);
    expect(backend.isAvailable()).toBe(true);
  });
});

describe('storage format', () => {
  it('stores JSON values as plain JSON text at keyPrefix + key, readable by any client', async () => {
    const backend = await open({ keyPrefix: 'fmt-json:' });
    await backend.set('user:1', { name: 'Ada', tags: ['x'], n: 1.5, ok: true, none: null });
    expect(await raw('GET', 'fmt-json:user:1')).toBe(
      '{"name":"Ada","tags":["x"],"n":1.5,"ok":true,"none":null}',
    );
    await backend.set('s', 'plain');
    expect(await raw('GET', 'fmt-json:s')).toBe('"plain"');
    await backend.clear();
  });

  it("stores non-JSON values in core's tagged format and reads them back", async () => {
    const backend = await open({ keyPrefix: 'fmt-tagged:' });
    const value = { when: new Date('2020-01-02T03:04:05Z'), ids: new Set([1, 2]), big: 10n };
    await backend.set('mixed', value);
    const stored = (await raw('GET', 'fmt-tagged:mixed')) as string;
    expect(stored.startsWith(TAGGED_PREFIX)).toBe(true);
    expect(await backend.get('mixed')).toEqual(value);
    await backend.clear();
  });

  it('sets the TTL with millisecond precision (SET … PX)', async () => {
    const backend = await open({ keyPrefix: 'fmt-ttl:' });
    await backend.set('a', 1, '1500ms');
    await backend.set('b', 1, 60);
    await backend.set('c', 1);
    const pttlA = (await raw('PTTL', 'fmt-ttl:a')) as number;
    const pttlB = (await raw('PTTL', 'fmt-ttl:b')) as number;
    expect(pttlA).toBeGreaterThan(1000);
    expect(pttlA).toBeLessThanOrEqual(1500);
    expect(pttlB).toBeGreaterThan(59_000);
    expect(pttlB).toBeLessThanOrEqual(60_000);
    expect(await raw('PTTL', 'fmt-ttl:c')).toBe(-1);
    await backend.clear();
  });

  it('applies defaultTtl when set gives no TTL', async () => {
    const backend = await open({ keyPrefix: 'fmt-default-ttl:', defaultTtl: '5m' });
    await backend.set('a', 1);
    const pttl = (await raw('PTTL', 'fmt-default-ttl:a')) as number;
    expect(pttl).toBeGreaterThan(299_000);
    expect(pttl).toBeLessThanOrEqual(300_000);
    await backend.clear();
  });
});

describe('untrusted data under our keys', () => {
  const garbage: Array<[string, string]> = [
    ['binary junk', '\u0000\u00ff\u0001junk'],
    ['a tagged header with a damaged body', `${TAGGED_PREFIX}{{{not valid`],
    ['a future format version', '~cache9:whatever'],
    ['truncated JSON', '{"a":1'],
    ['a node-serialize function payload', '{"x":"_$$ND_FUNC$$_function(){globalThis.pwnedByCache=1}()"}'],
  ];
  for (const [what, bytes] of garbage) {
    it(`reads ${what} as a counted miss, never an exception or code`, async () => {
      const backend = await open({ keyPrefix: 'untrusted:' });
      await raw('SET', 'untrusted:k', bytes);
      const before = backend.stats();
      const value = await backend.get('k');
      const after = backend.stats();
      if (what === 'a node-serialize function payload') {
        // Valid JSON is data: it comes back as a plain string, and nothing ran.
        expect(value).toEqual({ x: '_$$ND_FUNC$$_function(){globalThis.pwnedByCache=1}()' });
        expect((globalThis as { pwnedByCache?: number }).pwnedByCache).toBeUndefined();
        return;
      }
      expect(value).toBeUndefined();
      expect(after.misses).toBe(before.misses + 1);
      expect(after.hits).toBe(before.hits);
      await raw('DEL', 'untrusted:k');
    });
  }

  it('keeps __proto__ in stored JSON as data, not as a prototype', async () => {
    const backend = await open({ keyPrefix: 'proto:' });
    await raw('SET', 'proto:k', '{"__proto__":{"polluted":1},"a":1}');
    const value = (await backend.get('k')) as Record<string, unknown>;
    expect(value.a).toBe(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    await raw('DEL', 'proto:k');
  });

  it('a key of another type (WRONGTYPE) is a counted error and a miss, and does not trip the breaker', async () => {
    const backend = await open({ keyPrefix: 'wrongtype:', breaker: { failureThreshold: 1 } });
    await raw('HSET', 'wrongtype:h', 'f', 'v');
    expect(await backend.get('h')).toBeUndefined();
    expect(backend.stats().errors).toBe(1);
    expect(backend.isAvailable()).toBe(true);
    await raw('DEL', 'wrongtype:h');
  });
});

describe('clear and deletePattern', () => {
  it('clear deletes only keys under this prefix', async () => {
    const backend = await open({ keyPrefix: 'app:' });
    await backend.set('a', 1);
    await backend.set('nested:b', 2);
    for (const key of ['app2:x', 'ap:p', 'other', 'app', 'APP:x', 'xapp:y']) await raw('SET', key, 'keep');
    await backend.clear();
    expect(await raw('EXISTS', 'app:a', 'app:nested:b')).toBe(0);
    for (const key of ['app2:x', 'ap:p', 'other', 'app', 'APP:x', 'xapp:y']) {
      expect(await raw('GET', key), key).toBe('keep');
      await raw('DEL', key);
    }
  });

  it('escapes glob characters of the prefix, so a prefix never widens the match', async () => {
    const backend = await open({ keyPrefix: 't[12]*?\\:' });
    await backend.set('mine', 1);
    for (const key of ['t1x:mine', 't2:mine', 't[12]xyz:mine']) await raw('SET', key, 'keep');
    await backend.clear();
    expect(await backend.exists('mine')).toBe(false);
    for (const key of ['t1x:mine', 't2:mine', 't[12]xyz:mine']) {
      expect(await raw('GET', key), key).toBe('keep');
      await raw('DEL', key);
    }
  });

  it('deletePattern has Redis MATCH semantics inside the prefix and answers the count', async () => {
    const backend = await open();
    for (const key of ['user:1:a', 'user:1:b', 'user:10:a', 'user:2:a', 'user:*:x', 'user:1'])
      await backend.set(key, key);
    expect(await backend.deletePattern('user:1:*')).toBe(2);
    expect(await backend.exists('user:10:a')).toBe(true);
    expect(await backend.deletePattern('user:\\*:*')).toBe(1);
    expect(await backend.exists('user:10:a')).toBe(true);
    expect(await backend.deletePattern('user:[0-9]:?')).toBe(1);
    expect(await backend.deletePattern('user:1')).toBe(1);
    expect(await backend.deletePattern('nothing*')).toBe(0);
    expect(await backend.get('user:10:a')).toBe('user:10:a');
  });

  it('deletes more keys than one SCAN step returns, in batches', async () => {
    const backend = await open({ scanCount: 50 });
    await Promise.all(Array.from({ length: 1200 }, (_, i) => backend.set(`bulk:${i}`, i)));
    await backend.set('keep', 1);
    expect(await backend.deletePattern('bulk:*')).toBe(1200);
    expect(backend.stats().deletes).toBe(1200);
    expect(await backend.get('keep')).toBe(1);
  });

  it('never sends KEYS or FLUSHDB', async () => {
    const monitor = new Redis(server.url);
    const seen: string[] = [];
    const feed = await monitor.monitor();
    feed.on('monitor', (_time: string, args: string[]) => seen.push(String(args[0]).toUpperCase()));
    try {
      const backend = await open();
      await backend.set('a:1', 1);
      await backend.deletePattern('a:*');
      await backend.clear();
      await expect.poll(() => seen.includes('SCAN'), { timeout: 2000 }).toBe(true);
      expect(seen).not.toContain('KEYS');
      expect(seen).not.toContain('FLUSHDB');
      expect(seen).not.toContain('FLUSHALL');
      expect(seen).toContain('UNLINK');
    } finally {
      feed.disconnect();
      monitor.disconnect();
    }
  });
});

describe('write coalescing', () => {
  it('sends a lone command at once and corks the socket for commands issued while others are in flight', async () => {
    const backend = await open();
    const stream = (backend.client as Redis).stream;
    // Nothing in flight: nothing to coalesce with, so the command goes straight out.
    const lone = backend.get('lone');
    expect(stream.writableCorked).toBe(0);
    await lone;
    const first = backend.set('a', 1);
    expect(stream.writableCorked).toBe(0);
    // The first one awaits its reply: the rest of the tick's commands share one write.
    const rest = Array.from({ length: 63 }, (_, i) => backend.get(`k${i}`));
    expect(stream.writableCorked).toBe(1);
    expect(await first).toBe(true);
    expect(await Promise.all(rest)).toEqual(Array.from({ length: 63 }, () => undefined));
    expect(stream.writableCorked).toBe(0);
  });

  it('coalesceWrites: false never corks', async () => {
    const backend = await open({ coalesceWrites: false });
    const stream = (backend.client as Redis).stream;
    const commands = Array.from({ length: 8 }, (_, i) => backend.set(`k${i}`, i));
    expect(stream.writableCorked).toBe(0);
    expect(await Promise.all(commands)).toEqual(Array.from({ length: 8 }, () => true));
  });
});

describe('maxEntryBytes', () => {
  it('does not send a value over the limit: set answers false, counted, and the old value is gone', async () => {
    const backend = await open({ maxEntryBytes: 1000 });
    await backend.set('k', 'small');
    expect(await backend.set('k', 'x'.repeat(2000))).toBe(false);
    // Multi-byte characters count in UTF-8 bytes: 400 × 3 bytes > 1000.
    expect(await backend.set('k2', '€'.repeat(400))).toBe(false);
    expect(await backend.get('k')).toBeUndefined();
    expect(backend.stats().oversized).toBe(2);
    expect(backend.stats().errors).toBe(0);
    expect(await backend.set('k', 'x'.repeat(900))).toBe(true);
  });
});

describe('getAndDelete', () => {
  it('answers the value to exactly one of many concurrent callers', async () => {
    const backend = await open();
    await backend.set('code', { once: true });
    const answers = await Promise.all(Array.from({ length: 50 }, () => backend.getAndDelete('code')));
    expect(answers.filter((a) => a !== undefined)).toEqual([{ once: true }]);
  });

  describe('on a server that does not know GETDEL (renamed, as behind some proxies)', () => {
    let old: RedisServer;
    beforeAll(async () => {
      old = await startRedisServer({ config: ['rename-command GETDEL ""'] });
    });
    afterAll(async () => {
      await old?.stop();
    });

    it('\'auto\' switches to the script after the first "unknown command" reply, logs it once, and stays atomic', async () => {
      const logger = recordingLogger();
      const backend = new RedisBackend({ url: old.url, keyPrefix: uniquePrefix(), logger });
      opened.push(backend);
      await backend.connect();
      await backend.set('a', 1);
      await backend.set('b', 2);
      expect(await backend.getAndDelete('a')).toBe(1);
      expect(await backend.getAndDelete('b')).toBe(2);
      expect(await backend.exists('a')).toBe(false);
      expect(logger.matching('does not know GETDEL')).toHaveLength(1);
      expect(backend.stats().errors).toBe(0);
      await backend.set('race', 'v');
      const answers = await Promise.all(Array.from({ length: 30 }, () => backend.getAndDelete('race')));
      expect(answers.filter((a) => a !== undefined)).toEqual(['v']);
    });

    it("'script' works there from the start", async () => {
      const backend = await open({ url: old.url, getAndDeleteMode: 'script' });
      await backend.set('a', [1]);
      expect(await backend.getAndDelete('a')).toEqual([1]);
      expect(await backend.getAndDelete('a')).toBeUndefined();
    });

    it("'getdel' forced there fails like a broken server: a miss and a counted error, no rejection", async () => {
      const backend = await open({ url: old.url, getAndDeleteMode: 'getdel' });
      await backend.set('a', 1);
      expect(await backend.getAndDelete('a')).toBeUndefined();
      expect(backend.stats().errors).toBe(1);
      expect(await backend.get('a')).toBe(1);
    });
  });
});

describe("a caller's client", () => {
  it('is used as it is and left open by disconnect()', async () => {
    const client = new Redis(server.url, { enableOfflineQueue: false, lazyConnect: true });
    const backend = new RedisBackend({ client, keyPrefix: uniquePrefix(), logger: silentLogger });
    await backend.connect();
    expect(await backend.set('k', 'v')).toBe(true);
    await backend.disconnect();
    expect(backend.isAvailable()).toBe(false);
    expect(client.status).toBe('ready');
    expect(await client.ping()).toBe('PONG');
    expect(client.listenerCount('error')).toBe(0);
    client.disconnect();
  });
});

describe('definition', () => {
  it('fromEnv reads REDIS_URL and CACHE_MAX_ENTRY_BYTES; blank means unset', () => {
    expect(redisBackend.fromEnv?.({ REDIS_URL: 'redis://h:1' })).toEqual({ url: 'redis://h:1' });
    expect(redisBackend.fromEnv?.({ REDIS_URL: ' ', CACHE_MAX_ENTRY_BYTES: '' })).toEqual({});
    expect(redisBackend.fromEnv?.({ CACHE_MAX_ENTRY_BYTES: '512KiB' })).toEqual({
      maxEntryBytes: 512 * 1024,
    });
    expect(redisBackend.fromEnv?.({})).toEqual({});
  });

  it('fromEnv rejects a malformed REDIS_URL naming the variable, without echoing a password', () => {
    let thrown: unknown;
    try {
      redisBackend.fromEnv?.({ REDIS_URL: 'http://user:secret@h:1' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CacheConfigError);
    expect((thrown as Error).message).toBe(
      'REDIS_URL must start with redis:// or rediss:// (got "http://***@h:1")',
    );
  });

  it('loadConfigFromEnv + createFromConfig build a redis primary with the top-level prefix', async () => {
    const registry = new BackendRegistry().register(redisBackend);
    const config = loadConfigFromEnv(
      { CACHE_BACKEND: 'redis', REDIS_URL: server.url, CACHE_KEY_PREFIX: 'env-prefix:' },
      registry,
    );
    expect(config.redis).toEqual({ url: server.url });
    const manager = CacheManager.createFromConfig(
      { ...config, fallback: false },
      { registry, logger: silentLogger },
    );
    await manager.connect();
    try {
      expect(manager.primary).toBeInstanceOf(RedisBackend);
      expect(await manager.set('k', 1)).toBe(true);
      expect(await raw('GET', 'env-prefix:k')).toBe('1');
      await manager.clear();
    } finally {
      await manager.disconnect();
    }
  });

  it('a registry creates a RedisBackend with the context logger; nothing is registered on import', async () => {
    const logger = recordingLogger();
    const registry = new BackendRegistry();
    expect(registry.has('redis')).toBe(false);
    registry.register(redisBackend);
    const backend = registry.create(
      'redis',
      { url: `redis://127.0.0.1:${await findFreePort()}`, connectTimeout: 300 },
      { logger },
    );
    expect(backend).toBeInstanceOf(RedisBackend);
    await expect(backend.connect()).rejects.toBeInstanceOf(CacheBackendError);
    await backend.disconnect();
  });
});

describe('after disconnect', () => {
  it('answers without Redis and leaves no unhandled rejection', async () => {
    const { unhandled } = await withUnhandledRejections(async () => {
      const backend = await open();
      await backend.disconnect();
      expect(await backend.get('k')).toBeUndefined();
      expect(await backend.set('k', 1)).toBe(false);
      expect(await backend.deletePattern('*')).toBe(0);
      expect(backend.isAvailable()).toBe(false);
    });
    expect(unhandled).toEqual([]);
  });
});
