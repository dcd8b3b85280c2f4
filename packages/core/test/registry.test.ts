import { describe, expect, it } from 'vitest';
import {
  BackendRegistry,
  CacheConfigError,
  defaultRegistry,
  UnknownBackendError,
  type BackendContext,
  type BackendDefinition,
  type CacheLogger,
} from '@cache/core';
import { MapBackend, recordingLogger } from './support/map-backend.js';

const definition = (type: string): BackendDefinition => ({ type, create: () => new MapBackend(type) });

describe('BackendRegistry', () => {
  it('registers definitions and lists their types in order; register chains', () => {
    const registry = new BackendRegistry();
    expect(registry.register(definition('memory')).register(definition('redis'))).toBe(registry);
    expect(registry.types()).toEqual(['memory', 'redis']);
    expect(registry.has('redis')).toBe(true);
    expect(registry.has('disk')).toBe(false);
  });

  it('registering a type twice is a CacheConfigError', () => {
    const registry = new BackendRegistry().register(definition('memory'));
    expect(() => registry.register(definition('memory'))).toThrow(
      new CacheConfigError("backend type 'memory' is already registered"),
    );
  });

  it.each([
    [undefined],
    [{ type: '', create: () => new MapBackend() }],
    [{ type: 'x' }],
    [{ type: 5, create: () => new MapBackend() }],
  ])('rejects a malformed definition %#', (bad) => {
    expect(() => new BackendRegistry().register(bad as unknown as BackendDefinition)).toThrow(
      new CacheConfigError('a backend definition needs a non-empty string `type` and a `create` function'),
    );
  });

  it.each(['Redis', 'my store', '-x', 'fallback', 'backend', 'enabled', 'serverless'])(
    'rejects the type name %j (lower case only, not a config setting)',
    (type) => {
      expect(() => new BackendRegistry().register(definition(type))).toThrow(
        /^backend type .* is not allowed/,
      );
    },
  );

  it('accepts dotted, dashed and numbered lower-case types', () => {
    expect(new BackendRegistry().register(definition('my-store.v2_1')).types()).toEqual(['my-store.v2_1']);
  });

  it('an unknown first-party type names the registered types and the package to install', () => {
    const registry = new BackendRegistry().register(definition('memory')).register(definition('disk'));
    expect(() => registry.create('redis')).toThrow(
      new UnknownBackendError(
        "unknown cache backend 'redis': registered types are 'memory', 'disk'. Install @cache/redis (npm i @cache/redis) and register it: registry.register(redisBackend)",
      ),
    );
  });

  it('an unknown third-party type says to register its package, and an empty registry says none', () => {
    expect(() => new BackendRegistry().get('dynamo')).toThrow(
      new UnknownBackendError(
        "unknown cache backend 'dynamo': registered types are none. Install the package that provides it and register its definition: registry.register(definition)",
      ),
    );
    // Object.prototype members are not first-party packages.
    expect(() => new BackendRegistry().get('constructor')).toThrow(/Install the package that provides it/);
  });

  it('create passes the options and the logger to the definition', () => {
    const seen: { options: unknown; context: BackendContext }[] = [];
    const registry = new BackendRegistry().register<{ size: number }>({
      type: 'sized',
      create: (options, context) => {
        seen.push({ options, context });
        return new MapBackend('sized');
      },
    });
    const logger = recordingLogger();
    const backend = registry.create('sized', { size: 3 }, { logger });
    expect(backend.name).toBe('sized');
    expect(seen).toEqual([{ options: { size: 3 }, context: { logger } }]);
  });

  it('create without a context gives the default (rate-limited console) logger', () => {
    let logger: CacheLogger | undefined;
    const registry = new BackendRegistry().register({
      type: 'x',
      create: (_options, context) => {
        logger = context.logger;
        return new MapBackend();
      },
    });
    registry.create('x');
    expect(typeof logger?.warn).toBe('function');
    expect(typeof logger?.error).toBe('function');
  });

  it('get returns the registered definition', () => {
    const def = definition('memory');
    expect(new BackendRegistry().register(def).get('memory')).toBe(def);
  });

  it('defaultRegistry is a BackendRegistry, empty until the app registers backends', () => {
    expect(defaultRegistry).toBeInstanceOf(BackendRegistry);
    expect(defaultRegistry.types()).toEqual([]);
  });
});
