import { describe, expect, it } from 'vitest';
import { BackendRegistry, defaultRegistry } from '@cache/core';
import { MemoryBackend, memoryBackend } from '@cache/memory';
import { recordingLogger } from './helpers.js';

describe('memoryBackend definition', () => {
  it('importing the package registers nothing', () => {
    expect(defaultRegistry.has('memory')).toBe(false);
  });

  it('registers as type "memory" and creates a MemoryBackend with the given options', async () => {
    const registry = new BackendRegistry().register(memoryBackend);
    expect(registry.types()).toEqual(['memory']);
    const backend = registry.create('memory', { maxEntries: 1 });
    expect(backend).toBeInstanceOf(MemoryBackend);
    expect(backend.name).toBe('memory');
    await backend.set('a', 1);
    await backend.set('b', 2);
    expect(await backend.get('a')).toBeUndefined();
  });

  it('creates with no options', () => {
    expect(memoryBackend.create(undefined, { logger: console })).toBeInstanceOf(MemoryBackend);
  });

  it('logs through the context logger unless the options bring their own', async () => {
    const contextLogger = recordingLogger();
    const ownLogger = recordingLogger();
    const viaContext = memoryBackend.create({ maxEntryBytes: 4 }, { logger: contextLogger });
    const viaOptions = memoryBackend.create(
      { maxEntryBytes: 4, logger: ownLogger },
      { logger: contextLogger },
    );
    await viaContext.set('k', 'too long');
    expect(contextLogger.lines).toHaveLength(1);
    await viaOptions.set('k', 'too long');
    expect(ownLogger.lines).toHaveLength(1);
    expect(contextLogger.lines).toHaveLength(1);
  });

  it('each instance is its own cache: clear empties only that one', async () => {
    const one = new MemoryBackend();
    const two = new MemoryBackend();
    await one.set('k', 1);
    await two.set('k', 2);
    await one.clear();
    expect(await one.get('k')).toBeUndefined();
    expect(await two.get('k')).toBe(2);
  });

  it('is available from construction until disconnect, keeps its entries, and reopens on connect', async () => {
    const cache = new MemoryBackend();
    expect(cache.isAvailable()).toBe(true);
    await cache.connect();
    await cache.set('k', 1);
    await cache.disconnect();
    await cache.disconnect();
    expect(cache.isAvailable()).toBe(false);
    expect(await cache.get('k')).toBe(1);
    await cache.connect();
    expect(cache.isAvailable()).toBe(true);
  });
});
