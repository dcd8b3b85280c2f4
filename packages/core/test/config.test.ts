import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BackendRegistry,
  CacheConfigError,
  CacheManager,
  defaultRegistry,
  loadConfigFromEnv,
  NullCacheBackend,
  parseBytes,
  readEnvBoolean,
  readEnvBytes,
  readEnvInteger,
  readEnvString,
  readEnvTtl,
  UnknownBackendError,
  type BackendContext,
  type BackendDefinition,
  type CacheConfig,
} from '@cache/core';
import { MapBackend, recordingLogger } from './support/map-backend.js';

/** A definition that creates MapBackends and remembers what it was asked. */
function fake(type: string, fromEnv?: BackendDefinition['fromEnv']) {
  const created: { options: unknown; context: BackendContext; backend: MapBackend }[] = [];
  const definition: BackendDefinition = {
    type,
    create(options, context) {
      const backend = new MapBackend(type, options);
      created.push({ options, context, backend });
      return backend;
    },
    ...(fromEnv === undefined ? {} : { fromEnv }),
  };
  return { definition, created };
}

function registryOf(...types: string[]) {
  const registry = new BackendRegistry();
  const fakes = Object.fromEntries(types.map((type) => [type, fake(type)]));
  for (const type of types) registry.register(fakes[type]!.definition);
  return { registry, fakes };
}

describe('loadConfigFromEnv', () => {
  const empty = new BackendRegistry();

  it('answers an empty config for an empty environment', () => {
    expect(loadConfigFromEnv({}, empty)).toEqual({});
  });

  it('reads every top-level variable', () => {
    const env = {
      CACHE_ENABLED: 'true',
      CACHE_BACKEND: 'redis',
      SERVERLESS_ENABLED: 'no',
      CACHE_FALLBACK: 'memory',
      CACHE_DEFAULT_TTL: '300',
      CACHE_KEY_PREFIX: 'app:',
    };
    expect(loadConfigFromEnv(env, empty)).toEqual({
      enabled: true,
      backend: 'redis',
      serverless: false,
      fallback: 'memory',
      defaultTtl: 300,
      keyPrefix: 'app:',
    } satisfies CacheConfig);
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['On', true],
    [' true ', true],
    ['false', false],
    ['False', false],
    ['0', false],
    ['NO', false],
    ['off', false],
  ])('reads the boolean %j as %s', (text, value) => {
    expect(loadConfigFromEnv({ CACHE_ENABLED: text, SERVERLESS_ENABLED: text }, empty)).toEqual({
      enabled: value,
      serverless: value,
    });
  });

  it.each(['CACHE_ENABLED', 'SERVERLESS_ENABLED'])('a malformed %s is an error naming it', (name) => {
    expect(() => loadConfigFromEnv({ [name]: 'maybe' }, empty)).toThrow(
      new CacheConfigError(`${name} must be true/false/1/0/yes/no/on/off (got "maybe")`),
    );
  });

  it('treats blank variables as unset', () => {
    const env = {
      CACHE_ENABLED: '',
      CACHE_BACKEND: '  ',
      SERVERLESS_ENABLED: '',
      CACHE_FALLBACK: '',
      CACHE_DEFAULT_TTL: ' ',
      CACHE_KEY_PREFIX: '',
      CACHE_MAX_ENTRIES: '',
    };
    expect(loadConfigFromEnv(env, empty)).toEqual({});
  });

  it('lower-cases backend types and checks their form', () => {
    expect(loadConfigFromEnv({ CACHE_BACKEND: ' Redis ', CACHE_FALLBACK: 'MEMORY' }, empty)).toEqual({
      backend: 'redis',
      fallback: 'memory',
    });
    expect(() => loadConfigFromEnv({ CACHE_BACKEND: 'redis disk' }, empty)).toThrow(
      new CacheConfigError(
        `CACHE_BACKEND must be a backend type such as 'disk', 'memory' or 'redis' (got "redis disk")`,
      ),
    );
    expect(() => loadConfigFromEnv({ CACHE_FALLBACK: 'mem/ory' }, empty)).toThrow(
      /^CACHE_FALLBACK must be a backend type/,
    );
  });

  it.each(['none', 'None', 'false', 'off', 'no', '0'])('CACHE_FALLBACK=%s means no fallback', (text) => {
    expect(loadConfigFromEnv({ CACHE_FALLBACK: text }, empty)).toEqual({ fallback: false });
  });

  it.each(['true', 'yes', 'on', '1'])('CACHE_FALLBACK=%s means the default fallback', (text) => {
    expect(loadConfigFromEnv({ CACHE_FALLBACK: text }, empty)).toEqual({});
  });

  it.each([
    ['300', 300],
    ['1.5', 1.5],
    ['250ms', '250ms'],
    ['5m', '5m'],
    [' 1h ', '1h'],
  ])('reads CACHE_DEFAULT_TTL=%j as %j', (text, ttl) => {
    expect(loadConfigFromEnv({ CACHE_DEFAULT_TTL: text }, empty)).toEqual({ defaultTtl: ttl });
  });

  it.each(['0', '-5', 'abc', '5 minutes', 'NaN', 'Infinity', '0s'])(
    'a malformed CACHE_DEFAULT_TTL=%j is an error naming it',
    (text) => {
      expect(() => loadConfigFromEnv({ CACHE_DEFAULT_TTL: text }, empty)).toThrow(
        /^CACHE_DEFAULT_TTL must be/,
      );
      expect(() => loadConfigFromEnv({ CACHE_DEFAULT_TTL: text }, empty)).toThrow(CacheConfigError);
    },
  );

  it('keeps CACHE_KEY_PREFIX as written', () => {
    expect(loadConfigFromEnv({ CACHE_KEY_PREFIX: ' my app:' }, empty)).toEqual({ keyPrefix: ' my app:' });
  });

  it.each([
    ['CACHE_MAX_ENTRIES', 'lots', /^CACHE_MAX_ENTRIES must be an integer >= 0 \(got "lots"\)$/],
    ['CACHE_MAX_ENTRIES', '-1', /^CACHE_MAX_ENTRIES must be an integer/],
    ['CACHE_MAX_BYTES', '12XB', /^CACHE_MAX_BYTES must be a size in bytes/],
    ['CACHE_MAX_ENTRY_BYTES', '0', /^CACHE_MAX_ENTRY_BYTES must be a size in bytes of at least 1/],
  ])('checks %s=%j even when no registered backend reads it', (name, text, message) => {
    expect(() => loadConfigFromEnv({ [name]: text }, empty)).toThrow(message);
  });

  it('accepts well-formed backend variables without adding anything when no definition reads them', () => {
    const env = {
      CACHE_MAX_ENTRIES: '500',
      CACHE_MAX_BYTES: '64MiB',
      CACHE_MAX_ENTRY_BYTES: '1048576',
      CACHE_DISK_DIR: '/tmp/x',
      REDIS_URL: 'redis://127.0.0.1:6379',
    };
    expect(loadConfigFromEnv(env, empty)).toEqual({});
  });

  it("puts each registered definition's fromEnv result under its type", () => {
    const registry = new BackendRegistry()
      .register(fake('redis', (env) => ({ url: env.REDIS_URL, keyPrefix: undefined })).definition)
      .register(fake('disk', (env) => ({ dir: env.CACHE_DISK_DIR })).definition)
      .register(fake('memory').definition);
    const env = { REDIS_URL: 'redis://h:1', CACHE_BACKEND: 'redis' };
    // undefined members are dropped, and a block with nothing in it is left out
    expect(loadConfigFromEnv(env, registry)).toEqual({ backend: 'redis', redis: { url: 'redis://h:1' } });
  });

  it("passes a definition's CacheConfigError through, and wraps any other error naming the type", () => {
    const failing = new CacheConfigError('REDIS_URL must be a redis:// URL (got "http://x")');
    const typed = new BackendRegistry().register(
      fake('redis', () => {
        throw failing;
      }).definition,
    );
    expect(() => loadConfigFromEnv({}, typed)).toThrow(failing);
    const untyped = new BackendRegistry().register(
      fake('odd', () => {
        throw new TypeError('oops');
      }).definition,
    );
    expect(() => loadConfigFromEnv({}, untyped)).toThrow(
      new CacheConfigError("backend 'odd' could not read its environment variables: TypeError: oops"),
    );
  });

  describe('defaults', () => {
    afterEach(() => {
      vi.unstubAllEnvs();
    });

    it('reads process.env and the default registry when given nothing', () => {
      defaultRegistry.register(fake('envtest', (env) => ({ dir: env.CACHE_DISK_DIR })).definition);
      vi.stubEnv('CACHE_BACKEND', 'envtest');
      vi.stubEnv('CACHE_DISK_DIR', '/var/cache/app');
      expect(loadConfigFromEnv()).toMatchObject({ backend: 'envtest', envtest: { dir: '/var/cache/app' } });
    });
  });
});

describe('env readers', () => {
  it('readEnvString trims and treats blank as unset', () => {
    expect(readEnvString({ A: ' x ' }, 'A')).toBe('x');
    expect(readEnvString({ A: ' ' }, 'A')).toBeUndefined();
    expect(readEnvString({}, 'A')).toBeUndefined();
  });

  it('readEnvBoolean', () => {
    expect(readEnvBoolean({ A: 'Yes' }, 'A')).toBe(true);
    expect(readEnvBoolean({}, 'A')).toBeUndefined();
    expect(() => readEnvBoolean({ A: '2' }, 'A')).toThrow(
      new CacheConfigError('A must be true/false/1/0/yes/no/on/off (got "2")'),
    );
  });

  it('readEnvInteger with bounds', () => {
    expect(readEnvInteger({ N: '42' }, 'N')).toBe(42);
    expect(readEnvInteger({ N: '+7' }, 'N')).toBe(7);
    expect(readEnvInteger({ N: '0' }, 'N')).toBe(0);
    expect(readEnvInteger({}, 'N')).toBeUndefined();
    expect(readEnvInteger({ N: '5' }, 'N', { min: 1, max: 10 })).toBe(5);
    expect(() => readEnvInteger({ N: '11' }, 'N', { min: 1, max: 10 })).toThrow(
      new CacheConfigError('N must be an integer from 1 to 10 (got "11")'),
    );
    expect(() => readEnvInteger({ N: '0' }, 'N', { min: 1 })).toThrow(
      new CacheConfigError('N must be an integer >= 1 (got "0")'),
    );
    for (const bad of ['1.5', '1e3', '0x10', 'ten', '99999999999999999999']) {
      expect(() => readEnvInteger({ N: bad }, 'N')).toThrow(CacheConfigError);
    }
  });

  it.each([
    ['1048576', 1048576],
    ['512MiB', 512 * 1024 ** 2],
    ['1mb', 1024 ** 2],
    ['1MB', 1024 ** 2],
    ['64 KB', 64 * 1024],
    ['64k', 64 * 1024],
    ['1.5g', 1.5 * 1024 ** 3],
    ['2GiB', 2 * 1024 ** 3],
    ['1tb', 1024 ** 4],
    ['100b', 100],
    [' 10 kib ', 10 * 1024],
  ])('parseBytes(%j) = %d', (text, bytes) => {
    expect(parseBytes(text, 'SIZE')).toBe(bytes);
    expect(readEnvBytes({ SIZE: text }, 'SIZE')).toBe(bytes);
  });

  it.each(['', 'abc', '12XB', '-1', '0', '0.5', '1e6', 'mb', '1 2mb'])(
    'parseBytes(%j) is an error naming the variable',
    (text) => {
      expect(() => parseBytes(text, 'CACHE_MAX_BYTES')).toThrow(
        /^CACHE_MAX_BYTES must be a size in bytes of at least 1/,
      );
    },
  );

  it('readEnvBytes honours min and blank', () => {
    expect(readEnvBytes({ S: '0' }, 'S', 0)).toBe(0);
    expect(readEnvBytes({ S: '' }, 'S')).toBeUndefined();
  });

  it('readEnvTtl: a number is seconds, a duration stays a string, both validated', () => {
    expect(readEnvTtl({ T: '60' }, 'T')).toBe(60);
    expect(readEnvTtl({ T: '30s' }, 'T')).toBe('30s');
    expect(readEnvTtl({}, 'T')).toBeUndefined();
    expect(() => readEnvTtl({ T: '0' }, 'T')).toThrow(
      new CacheConfigError('T must be greater than zero (got 0)'),
    );
  });
});

describe('CacheManager.createFromConfig', () => {
  it('enabled: false gives a NullCacheBackend and creates nothing else', () => {
    const { registry, fakes } = registryOf('memory', 'disk', 'redis');
    const manager = CacheManager.createFromConfig({ enabled: false, backend: 'redis' }, { registry });
    expect(manager.primary).toBeInstanceOf(NullCacheBackend);
    expect(manager.fallback).toBeUndefined();
    expect(Object.values(fakes).flatMap((f) => f.created)).toEqual([]);
  });

  it('enabled: false needs no registered backend', () => {
    expect(
      CacheManager.createFromConfig({ enabled: false }, { registry: new BackendRegistry() }).primary.name,
    ).toBe('null');
  });

  it('serverless: memory only, no fallback, no other client created', () => {
    const { registry, fakes } = registryOf('memory', 'redis');
    const manager = CacheManager.createFromConfig(
      { serverless: true, backend: 'redis', fallback: 'redis' },
      { registry },
    );
    expect(manager.primary.name).toBe('memory');
    expect(manager.fallback).toBeUndefined();
    expect(fakes.redis!.created).toEqual([]);
  });

  it("'memory': memory only, no fallback", () => {
    const { registry } = registryOf('memory', 'disk');
    const manager = CacheManager.createFromConfig({ backend: 'memory', fallback: 'disk' }, { registry });
    expect([manager.primary.name, manager.fallback]).toEqual(['memory', undefined]);
  });

  it.each([
    [{}, 'disk'],
    [{ backend: 'disk' }, 'disk'],
    [{ backend: 'redis' }, 'redis'],
    [{ backend: 'custom' }, 'custom'],
  ])('%j: the primary plus a memory fallback', (config, primary) => {
    const { registry } = registryOf('memory', 'disk', 'redis', 'custom');
    const manager = CacheManager.createFromConfig(config, { registry });
    expect([manager.primary.name, manager.fallback?.name]).toEqual([primary, 'memory']);
  });

  it('fallback: false gives none, and another type is used as asked', () => {
    const { registry } = registryOf('memory', 'redis', 'disk');
    expect(
      CacheManager.createFromConfig({ backend: 'redis', fallback: false }, { registry }).fallback,
    ).toBeUndefined();
    expect(
      CacheManager.createFromConfig({ backend: 'redis', fallback: 'disk' }, { registry }).fallback?.name,
    ).toBe('disk');
  });

  it('a fallback type that is not registered gives a NullCacheBackend fallback and one warning', () => {
    const { registry } = registryOf('redis');
    const logger = recordingLogger();
    const manager = CacheManager.createFromConfig({ backend: 'redis' }, { registry, logger });
    expect(manager.primary.name).toBe('redis');
    expect(manager.fallback).toBeInstanceOf(NullCacheBackend);
    expect(logger.warnings).toEqual([
      "fallback backend 'memory' is not registered (registered: redis): using a NullCacheBackend fallback, so an outage of 'redis' turns caching off",
    ]);
  });

  it('a primary type that is not registered is an UnknownBackendError, and nothing is created', () => {
    const { registry, fakes } = registryOf('memory');
    expect(() => CacheManager.createFromConfig({ backend: 'redis' }, { registry })).toThrow(
      UnknownBackendError,
    );
    expect(() => CacheManager.createFromConfig({}, { registry })).toThrow(
      /^unknown cache backend 'disk': registered types are 'memory'\. Install @cache\/disk/,
    );
    expect(fakes.memory!.created).toEqual([]);
  });

  it('uses the default registry when none is given', () => {
    expect(() => CacheManager.createFromConfig({ backend: 'nothing-here' })).toThrow(UnknownBackendError);
  });

  it('gives each backend its block, with the top-level defaultTtl and keyPrefix where the block lacks them', () => {
    const { registry, fakes } = registryOf('memory', 'redis');
    CacheManager.createFromConfig(
      {
        backend: 'redis',
        defaultTtl: '1m',
        keyPrefix: 'app:',
        redis: { url: 'redis://h:1', defaultTtl: 5 },
        memory: { maxEntries: 10 },
      } as CacheConfig,
      { registry },
    );
    expect(fakes.redis!.created[0]?.options).toEqual({
      url: 'redis://h:1',
      defaultTtl: 5,
      keyPrefix: 'app:',
    });
    expect(fakes.memory!.created[0]?.options).toEqual({
      maxEntries: 10,
      defaultTtl: '1m',
      keyPrefix: 'app:',
    });
  });

  it('gives undefined options to a backend with no block and no top-level settings', () => {
    const { registry, fakes } = registryOf('memory', 'disk');
    CacheManager.createFromConfig({}, { registry });
    expect(fakes.disk!.created[0]?.options).toBeUndefined();
    expect(fakes.memory!.created[0]?.options).toBeUndefined();
  });

  it('passes the logger to every backend it creates', () => {
    const { registry, fakes } = registryOf('memory', 'disk');
    const logger = recordingLogger();
    CacheManager.createFromConfig({}, { registry, logger });
    expect(fakes.disk!.created[0]?.context.logger).toBe(logger);
    expect(fakes.memory!.created[0]?.context.logger).toBe(logger);
  });

  it('disconnects the primary when the fallback cannot be created', () => {
    const registry = new BackendRegistry();
    const disk = fake('disk');
    registry.register(disk.definition).register({
      type: 'memory',
      create: () => {
        throw new CacheConfigError('memory backend: maxEntries must be a positive integer (got 0)');
      },
    });
    expect(() => CacheManager.createFromConfig({}, { registry })).toThrow(/maxEntries/);
    expect(disk.created[0]?.backend.disconnects).toBe(1);
  });

  it.each([
    [null, 'cache config must be an object (got null)'],
    [{ enabled: 'yes' }, 'cache config: enabled must be a boolean (got "yes")'],
    [{ serverless: 1 }, 'cache config: serverless must be a boolean (got 1)'],
    [{ backend: '' }, `cache config: backend must be a backend type such as 'disk' (got "")`],
    [{ fallback: true }, 'cache config: fallback must be a backend type or false (got true)'],
    [{ keyPrefix: 5 }, 'cache config: keyPrefix must be a string (got 5)'],
    [
      { backend: 'redis', fallback: 'redis' },
      "cache config: fallback 'redis' is the same type as backend: use another type, or fallback: false",
    ],
    [
      { backend: 'redis', redis: 'redis://h' },
      `cache config: redis must be an options object for the 'redis' backend (got "redis://h")`,
    ],
  ])('rejects %j', (config, message) => {
    const { registry } = registryOf('memory', 'redis');
    expect(() => CacheManager.createFromConfig(config as CacheConfig, { registry })).toThrow(
      new CacheConfigError(message),
    );
  });

  it('rejects a bad top-level defaultTtl, naming it', () => {
    const { registry } = registryOf('memory', 'disk');
    expect(() => CacheManager.createFromConfig({ defaultTtl: 0 }, { registry })).toThrow(
      new CacheConfigError('cache config: defaultTtl must be greater than zero (got 0)'),
    );
  });

  it('builds a working manager from the environment', async () => {
    const { registry } = registryOf('memory', 'redis');
    const manager = CacheManager.createFromConfig(loadConfigFromEnv({ CACHE_BACKEND: 'redis' }, registry), {
      registry,
    });
    await manager.connect();
    await manager.set('k', 1);
    expect((manager.primary as MapBackend).data.get('k')).toBe(1);
    await manager.disconnect();
  });
});
