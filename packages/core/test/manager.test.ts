import { describe, expect, it, vi } from 'vitest';
import {
  CacheConfigError,
  CacheKeyError,
  CacheManager,
  type CacheManagerEvent,
  type CacheManagerOptions,
  type ErrorEventInfo,
  type FallbackEventInfo,
  type RecoveredEventInfo,
} from '@cache/core';
import { MapBackend, recordingLogger } from './support/map-backend.js';

function setup(options: Partial<CacheManagerOptions> & { withFallback?: boolean } = {}) {
  const primary = new MapBackend('primary');
  const fallback = options.withFallback === false ? undefined : new MapBackend('fallback');
  const logger = recordingLogger();
  let time = 1_000;
  const manager = new CacheManager({ primary, fallback, logger, now: () => time, ...options });
  const events: { event: CacheManagerEvent; info: unknown }[] = [];
  for (const event of ['fallback', 'recovered', 'error'] as const) {
    manager.on(event, (info: unknown) => void events.push({ event, info }));
  }
  const names = (): CacheManagerEvent[] => events.map((e) => e.event);
  const advance = (ms: number): void => void (time += ms);
  return { primary, fallback: fallback as MapBackend, manager, logger, events, names, advance };
}

/** A promise and the functions that settle it, for factories that finish when the test says so. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('CacheManager routing', () => {
  it('sends every operation to the primary while it is available', async () => {
    const { primary, fallback, manager } = setup();
    expect(manager.backend).toBe(primary);
    expect(manager.usingFallback).toBe(false);
    expect(await manager.set('a', 1)).toBe(true);
    expect(await manager.get('a')).toBe(1);
    expect(await manager.exists('a')).toBe(true);
    expect(await manager.getAndDelete('a')).toBe(1);
    await manager.set('user:1', 'x');
    expect(await manager.deletePattern('user:*')).toBe(1);
    await manager.set('b', 2);
    expect(await manager.delete('b')).toBe(true);
    await manager.clear();
    expect(fallback.calls).toEqual([]);
    expect(primary.calls).toEqual([
      'set a',
      'get a',
      'exists a',
      'getAndDelete a',
      'set user:1',
      'deletePattern user:*',
      'set b',
      'delete b',
      'clear',
    ]);
  });

  it('switches to the fallback when the primary becomes unavailable, and says so once', async () => {
    const { primary, fallback, manager, events, logger } = setup();
    primary.setUp(false);
    expect(manager.backend).toBe(fallback);
    expect(manager.usingFallback).toBe(true);
    await manager.set('a', 1);
    expect(await manager.get('a')).toBe(1);
    await manager.get('b');
    expect(primary.calls).toEqual([]);
    expect(fallback.calls).toEqual(['set a', 'get a', 'get b']);
    expect(events).toEqual([
      {
        event: 'fallback',
        info: { reason: 'unavailable', primary: 'primary', fallback: 'fallback' } satisfies FallbackEventInfo,
      },
    ]);
    expect(manager.stats().fallbackActivations).toBe(1);
    expect(logger.warnings).toEqual([
      "primary backend 'primary' is unavailable: serving from fallback 'fallback' until it recovers",
    ]);
  });

  it('routes back to the primary when it recovers, and clears the fallback', async () => {
    const { primary, fallback, manager, names, advance } = setup();
    primary.setUp(false);
    await manager.set('during', 1);
    advance(250);
    primary.setUp(true);
    expect(await manager.get('other')).toBeUndefined();
    expect(manager.usingFallback).toBe(false);
    expect(fallback.data.size).toBe(0);
    expect(fallback.calls.at(-1)).toBe('clear');
    expect(names()).toEqual(['fallback', 'recovered']);
    expect(primary.calls).toEqual(['delete during', 'get other']);
  });

  it('reports the outage in the recovered event', async () => {
    const { primary, manager, events, advance } = setup();
    primary.setUp(false);
    await manager.set('a', 1);
    await manager.set('b', 1);
    await manager.deletePattern('user:*');
    advance(1234);
    primary.setUp(true);
    await manager.get('x');
    expect(events.at(-1)).toEqual({
      event: 'recovered',
      info: {
        primary: 'primary',
        outageMs: 1234,
        replayed: { keys: 2, patterns: 1, cleared: false },
      } satisfies RecoveredEventInfo,
    });
  });

  it('counts each outage once in fallbackActivations', async () => {
    const { primary, manager } = setup();
    for (let outage = 0; outage < 3; outage++) {
      primary.setUp(false);
      await manager.get('a');
      await manager.get('a');
      primary.setUp(true);
      await manager.get('a');
    }
    expect(manager.stats().fallbackActivations).toBe(3);
  });

  it('without a fallback: misses and refusals during the outage, never a read from the failing primary', async () => {
    const { primary, manager, names, logger } = setup({ withFallback: false });
    await manager.set('a', 'old');
    primary.setUp(false);
    expect(manager.backend).toBe(primary);
    expect(manager.usingFallback).toBe(false);
    expect(await manager.get('a')).toBeUndefined();
    expect(await manager.set('a', 'new')).toBe(false);
    expect(await manager.exists('a')).toBe(false);
    expect(primary.calls).toEqual(['set a']);
    expect(logger.warnings).toEqual([
      "primary backend 'primary' is unavailable and there is no fallback: caching is off until it recovers",
    ]);
    primary.setUp(true);
    // The refused overwrite is owed to the primary: the old value must not come back.
    expect(await manager.get('a')).toBeUndefined();
    expect(names()).toEqual(['recovered']);
    expect(manager.stats().fallbackActivations).toBe(0);
  });

  it('reports the active backend in stats()', async () => {
    const { primary, manager } = setup();
    await manager.set('a', 1);
    await manager.get('a');
    await manager.get('zz');
    expect(manager.stats()).toMatchObject({ hits: 1, misses: 1, sets: 1, entries: 1, hitRate: 0.5 });
    primary.setUp(false);
    await manager.get('a');
    expect(manager.stats()).toMatchObject({ hits: 0, misses: 1, sets: 0, fallbackActivations: 1 });
    expect(manager.isAvailable()).toBe(true);
  });

  it('is available when the fallback is, and not when neither is', () => {
    const { primary, fallback, manager } = setup();
    primary.setUp(false);
    expect(manager.isAvailable()).toBe(true);
    fallback.setUp(false);
    expect(manager.isAvailable()).toBe(false);
  });
});

describe('CacheManager: no stale read after an outage', () => {
  async function withOldValues() {
    const context = setup();
    await context.manager.set('k', 'old');
    await context.manager.set('user:1', 'old');
    await context.manager.set('user:2', 'old');
    await context.manager.set('team:1', 'kept');
    context.primary.setUp(false);
    return context;
  }

  it('a value overwritten during the outage does not resurface', async () => {
    const { primary, manager } = await withOldValues();
    await manager.set('k', 'new');
    expect(await manager.get('k')).toBe('new');
    primary.setUp(true);
    expect(await manager.get('k')).toBeUndefined();
    expect(primary.data.has('k')).toBe(false);
  });

  it('a value deleted during the outage does not resurface', async () => {
    const { primary, manager } = await withOldValues();
    expect(await manager.delete('k')).toBe(false);
    primary.setUp(true);
    expect(await manager.get('k')).toBeUndefined();
    expect(await manager.exists('k')).toBe(false);
  });

  it('values pattern-invalidated during the outage do not resurface', async () => {
    const { primary, manager } = await withOldValues();
    await manager.deletePattern('user:*');
    primary.setUp(true);
    expect(await manager.get('user:1')).toBeUndefined();
    expect(await manager.get('user:2')).toBeUndefined();
    expect(await manager.get('team:1')).toBe('kept');
  });

  it('a value consumed with getAndDelete during the outage cannot be consumed again', async () => {
    const { primary, manager } = await withOldValues();
    await manager.getAndDelete('k');
    primary.setUp(true);
    expect(await manager.getAndDelete('k')).toBeUndefined();
  });

  it('clear() during the outage clears the primary on recovery', async () => {
    const { primary, manager, events } = await withOldValues();
    await manager.clear();
    primary.setUp(true);
    expect(await manager.get('team:1')).toBeUndefined();
    expect(primary.data.size).toBe(0);
    expect((events.at(-1)?.info as RecoveredEventInfo).replayed).toEqual({
      keys: 0,
      patterns: 0,
      cleared: true,
    });
  });

  it('a pattern of * is replayed as a clear', async () => {
    const { primary, manager } = await withOldValues();
    await manager.deletePattern('*');
    primary.setUp(true);
    await manager.get('x');
    expect(primary.calls.slice(-2)).toEqual(['clear', 'get x']);
  });

  it('replays every invalidation before the first read is served', async () => {
    const { primary, manager } = await withOldValues();
    await manager.set('k', 'new');
    await manager.delete('team:1');
    await manager.deletePattern('user:*');
    const before = primary.calls.length;
    primary.setUp(true);
    await manager.get('k');
    expect(primary.calls.slice(before)).toEqual([
      'delete k',
      'delete team:1',
      'deletePattern user:*',
      'get k',
    ]);
  });

  it('reads arriving together at recovery wait for one replay', async () => {
    const { primary, manager, names } = await withOldValues();
    await manager.set('k', 'new');
    await manager.deletePattern('user:*');
    primary.setUp(true);
    const reads = await Promise.all([
      manager.get('k'),
      manager.get('user:1'),
      manager.get('user:2'),
      manager.exists('k'),
    ]);
    expect(reads).toEqual([undefined, undefined, undefined, false]);
    expect(primary.calls.filter((call) => call === 'delete k')).toHaveLength(1);
    expect(names()).toEqual(['fallback', 'recovered']);
  });

  it('writes arriving during recovery land on the primary after the replay', async () => {
    const { primary, manager } = await withOldValues();
    await manager.set('k', 'outage');
    primary.setUp(true);
    const release = primary.hold();
    const read = manager.get('k');
    const write = manager.set('k', 'after');
    await Promise.resolve();
    release();
    expect(await read).toBeUndefined();
    expect(await write).toBe(true);
    expect(await manager.get('k')).toBe('after');
  });

  it('past the journal limit, clears the primary namespace instead of remembering keys', async () => {
    const context = setup({ outageJournalLimit: 2 });
    const { primary, manager, events } = context;
    await manager.set('keep?', 'old');
    primary.setUp(false);
    await manager.set('a', 1);
    await manager.set('b', 1);
    await manager.set('c', 1);
    primary.setUp(true);
    expect(await manager.get('keep?')).toBeUndefined();
    expect(primary.calls).not.toContain('delete a');
    expect(primary.calls).toContain('clear');
    expect((events.at(-1)?.info as RecoveredEventInfo).replayed.cleared).toBe(true);
  });

  it('a journal limit of 0 clears on any write during the outage, and not when nothing was written', async () => {
    const { primary, manager } = setup({ outageJournalLimit: 0 });
    await manager.set('a', 'old');
    primary.setUp(false);
    await manager.get('a');
    primary.setUp(true);
    expect(await manager.get('a')).toBe('old');
    primary.setUp(false);
    await manager.set('b', 1);
    primary.setUp(true);
    expect(await manager.get('a')).toBeUndefined();
  });

  it('a later outage does not serve what the fallback held in an earlier one', async () => {
    const { primary, manager } = setup();
    primary.setUp(false);
    await manager.set('k', 'first outage');
    primary.setUp(true);
    await manager.set('k', 'primary');
    primary.setUp(false);
    expect(await manager.get('k')).toBeUndefined();
  });

  it('a write sent to the primary just as it failed is replayed after recovery', async () => {
    const { primary, manager } = setup();
    await manager.set('k', 'old');
    const release = primary.hold();
    const write = manager.set('k', 'new');
    primary.setUp(false); // the store goes down with the write in flight: it is lost
    release();
    expect(await write).toBe(false);
    expect(manager.usingFallback).toBe(true);
    expect(primary.data.get('k')).toBe('old');
    primary.setUp(true);
    expect(await manager.get('k')).toBeUndefined();
  });

  it('a write that straddled a whole outage is replayed too', async () => {
    const { primary, manager } = setup();
    await manager.set('k', 'old');
    const release = primary.hold();
    const slowDelete = manager.delete('k');
    // While it hangs, an outage opens (seen by another call) and the primary comes back.
    primary.available = false;
    await manager.get('other');
    primary.available = true;
    primary.failing = true;
    release();
    await slowDelete;
    primary.failing = false;
    expect(await manager.get('k')).toBeUndefined();
  });

  it('waits for fallback writes still in flight before replaying', async () => {
    const { primary, fallback, manager } = setup();
    await manager.set('k', 'old');
    primary.setUp(false);
    const release = fallback.hold();
    const write = manager.set('k', 'outage');
    primary.setUp(true);
    const read = manager.get('k');
    await Promise.resolve();
    expect(primary.calls).not.toContain('delete k');
    release();
    expect(await write).toBe(true);
    expect(await read).toBeUndefined();
    expect(primary.calls.slice(-2)).toEqual(['delete k', 'get k']);
    expect(fallback.data.size).toBe(0);
  });

  it('does not journal calls rejected for the caller’s own mistakes', async () => {
    const { primary, manager } = setup();
    await manager.set('k', 'old');
    primary.setUp(false);
    await expect(manager.set('k', 'x', 0)).rejects.toBeInstanceOf(CacheConfigError);
    await expect(manager.set('', 'x')).rejects.toBeInstanceOf(CacheKeyError);
    await expect(manager.delete('')).rejects.toBeInstanceOf(CacheKeyError);
    primary.setUp(true);
    expect(await manager.get('k')).toBe('old');
  });

  it('keeps serving from the fallback when the replay fails, and retries after recoveryRetryMs', async () => {
    const { primary, fallback, manager, events, advance, logger } = setup({ recoveryRetryMs: 5_000 });
    await manager.set('k', 'old');
    primary.setUp(false);
    await manager.set('k', 'outage');
    // It says it is available, but its commands still fail.
    primary.available = true;
    expect(await manager.get('k')).toBe('outage');
    expect(events.map((e) => e.event)).toEqual(['fallback', 'error']);
    expect((events[1]?.info as ErrorEventInfo).operation).toBe('recover');
    expect(logger.warnings.at(-1)).toMatch(/replaying the outage journal failed.*retrying in 5000 ms/);
    primary.failing = false;
    advance(4_999);
    expect(await manager.get('k')).toBe('outage');
    expect(fallback.calls.at(-1)).toBe('get k');
    advance(1);
    expect(await manager.get('k')).toBeUndefined();
    expect(primary.data.has('k')).toBe(false);
    expect(events.at(-1)?.event).toBe('recovered');
    expect(manager.stats().fallbackActivations).toBe(1);
  });

  it('treats a primary that drops again during the replay as not recovered', async () => {
    const { primary, manager, names, advance } = setup();
    await manager.set('k', 'old');
    primary.setUp(false);
    await manager.set('k', 'outage');
    primary.setUp(true);
    const release = primary.hold();
    const read = manager.get('k');
    await Promise.resolve();
    primary.setUp(false);
    release();
    expect(await read).toBe('outage');
    expect(names()).toEqual(['fallback', 'error']);
    primary.setUp(true);
    advance(1000); // the default recoveryRetryMs
    expect(await manager.get('k')).toBeUndefined();
  });

  it('operations wait for a slow replay only recoveryWaitMs, then use the fallback, which stays current', async () => {
    const { primary, fallback, manager, names } = await withOldValues();
    await manager.set('k', 'outage');
    primary.setUp(true);
    const release = primary.hold(); // the replay's `delete k` hangs
    const first = manager.get('k');
    // Real time: the wait is a timer. The read gets the outage's value from the fallback,
    // never the primary's old one.
    expect(await first).toBe('outage');
    expect(await manager.get('team:1')).toBeUndefined(); // fallback: the primary's value is not trusted yet
    expect(await manager.set('k', 'during replay')).toBe(true);
    expect(fallback.data.get('k')).toBe('during replay');
    expect(primary.calls.filter((call) => call.startsWith('get'))).toEqual([]);
    release();
    await vi.waitFor(() => expect(names()).toEqual(['fallback', 'recovered']));
    // The write made during the replay went to the fallback and was replayed in a second round.
    expect(primary.calls.filter((call) => call === 'delete k')).toHaveLength(2);
    expect(fallback.data.size).toBe(0);
    expect(await manager.get('k')).toBeUndefined();
    expect(await manager.get('team:1')).toBe('kept');
  });

  it('a replay outpaced by writes to the fallback gives up and retries after recoveryRetryMs', async () => {
    const { primary, manager, names, advance } = setup({ recoveryWaitMs: 0, recoveryRetryMs: 1_000 });
    await manager.set('k0', 'old');
    primary.setUp(false);
    await manager.set('k0', 'outage');
    primary.setUp(true);
    // Every replayed delete is slow enough for one more write to reach the fallback.
    const realDelete = primary.delete.bind(primary);
    let writes = 0;
    primary.delete = async (key) => {
      const done = realDelete(key);
      await manager.set(`k${++writes}`, 'new');
      return done;
    };
    await manager.get('k0');
    await vi.waitFor(() => expect(names()).toEqual(['fallback', 'error']));
    expect(writes).toBeGreaterThanOrEqual(5);
    primary.delete = realDelete;
    advance(1_000);
    expect(await manager.get('k0')).toBeUndefined();
    expect(names()).toEqual(['fallback', 'error', 'recovered']);
  });

  it('a replay that rejects keeps the journal', async () => {
    const { primary, manager, names } = setup({ recoveryRetryMs: 0 });
    await manager.set('k', 'old');
    primary.setUp(false);
    await manager.delete('k');
    primary.setUp(true);
    const realDelete = primary.delete.bind(primary);
    primary.delete = () => Promise.reject(new Error('boom'));
    expect(await manager.get('k')).toBeUndefined(); // from the fallback
    primary.delete = realDelete;
    expect(await manager.get('k')).toBeUndefined();
    expect(primary.data.has('k')).toBe(false);
    expect(names()).toEqual(['fallback', 'error', 'recovered']);
  });
});

describe('CacheManager connect and disconnect', () => {
  it('connects the primary and the fallback', async () => {
    const { primary, fallback, manager } = setup();
    await manager.connect();
    expect([primary.connects, fallback.connects]).toEqual([1, 1]);
  });

  it('resolves on the fallback when the primary cannot connect', async () => {
    const { primary, fallback, manager, events } = setup();
    const failure = new Error('ECONNREFUSED');
    primary.connectError = failure;
    primary.setUp(false);
    await expect(manager.connect()).resolves.toBeUndefined();
    expect(manager.usingFallback).toBe(true);
    expect(events).toEqual([
      { event: 'error', info: { operation: 'connect', backend: 'primary', error: failure } },
      {
        event: 'fallback',
        info: { reason: 'connect-failed', primary: 'primary', fallback: 'fallback', error: failure },
      },
    ]);
    await manager.set('a', 1);
    expect(fallback.data.get('a')).toBe(1);
    expect(manager.stats().fallbackActivations).toBe(1);
  });

  it('rejects when the primary cannot connect and there is no fallback', async () => {
    const { primary, manager } = setup({ withFallback: false });
    const failure = new Error('ECONNREFUSED');
    primary.connectError = failure;
    await expect(manager.connect()).rejects.toBe(failure);
  });

  it('resolves when only the fallback cannot connect, and reports it', async () => {
    const { fallback, manager, events, logger } = setup();
    fallback.connectError = new Error('nope');
    await manager.connect();
    expect(events).toEqual([
      { event: 'error', info: { operation: 'connect', backend: 'fallback', error: fallback.connectError } },
    ]);
    expect(logger.warnings).toEqual(["fallback backend 'fallback' could not connect"]);
    expect(manager.usingFallback).toBe(false);
  });

  it('after a failed connect, returns to the primary once it is available and replays what changed', async () => {
    const { primary, manager, names } = setup();
    primary.data.set('k', 'from a previous run');
    primary.connectError = new Error('down');
    primary.setUp(false);
    await manager.connect();
    await manager.set('k', 'now');
    primary.setUp(true);
    expect(await manager.get('k')).toBeUndefined();
    expect(names()).toEqual(['error', 'fallback', 'recovered']);
  });

  it('disconnects both, once, however often it is called', async () => {
    const { primary, fallback, manager } = setup();
    await manager.connect();
    await Promise.all([manager.disconnect(), manager.disconnect()]);
    await manager.disconnect();
    expect([primary.disconnects, fallback.disconnects]).toEqual([1, 1]);
  });

  it('disconnect reports a backend that fails to close, closes the other, and resolves', async () => {
    const { primary, fallback, manager, events } = setup();
    primary.disconnectError = new Error('stuck');
    await expect(manager.disconnect()).resolves.toBeUndefined();
    expect(fallback.disconnects).toBe(1);
    expect(events).toEqual([
      {
        event: 'error',
        info: { operation: 'disconnect', backend: 'primary', error: primary.disconnectError },
      },
    ]);
  });

  it('can connect again after a disconnect', async () => {
    const { primary, manager } = setup();
    await manager.connect();
    await manager.disconnect();
    await manager.connect();
    await manager.disconnect();
    expect([primary.connects, primary.disconnects]).toEqual([2, 2]);
  });
});

describe('CacheManager events', () => {
  it('a listener that throws breaks nothing, the next listeners still run, and it is logged', async () => {
    const { primary, manager, logger } = setup();
    const later = vi.fn();
    manager.on('fallback', () => {
      throw new Error('listener bug');
    });
    manager.on('fallback', later);
    primary.setUp(false);
    expect(await manager.set('a', 1)).toBe(true);
    expect(later).toHaveBeenCalledTimes(1);
    expect(logger.errors).toEqual(["a CacheManager 'fallback' listener threw"]);
  });

  it('a listener that rejects is logged, not an unhandled rejection', async () => {
    const { primary, manager, logger } = setup();
    manager.on('fallback', async () => {
      throw new Error('async listener bug');
    });
    primary.setUp(false);
    expect(await manager.set('a', 1)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(logger.errors).toEqual(["a CacheManager 'fallback' listener threw"]);
  });

  it('even with a logger that throws', async () => {
    const primary = new MapBackend('primary');
    const throwing = () => {
      throw new Error('logger bug');
    };
    const manager = new CacheManager({
      primary,
      fallback: new MapBackend(),
      logger: { warn: throwing, error: throwing },
    });
    manager.on('fallback', throwing);
    primary.setUp(false);
    await expect(manager.get('a')).resolves.toBeUndefined();
    primary.setUp(true);
    await expect(manager.get('a')).resolves.toBeUndefined();
    expect(manager.usingFallback).toBe(false);
  });

  it('off removes a listener', async () => {
    const { primary, manager } = setup();
    const listener = vi.fn();
    manager.on('fallback', listener).off('fallback', listener);
    primary.setUp(false);
    await manager.get('a');
    expect(listener).not.toHaveBeenCalled();
  });

  it('rejects an unknown event name', () => {
    const { manager } = setup();
    expect(() => manager.on('recover' as CacheManagerEvent, () => {})).toThrow(
      new CacheConfigError(`unknown CacheManager event "recover": use 'fallback', 'recovered' or 'error'`),
    );
  });
});

describe('CacheManager.getOrSet', () => {
  it('answers a hit without running the factory', async () => {
    const { manager } = setup();
    await manager.set('k', { a: 1 });
    const factory = vi.fn(() => 'never');
    expect(await manager.getOrSet('k', factory)).toEqual({ a: 1 });
    expect(factory).not.toHaveBeenCalled();
  });

  it('on a miss, runs the factory and stores its result with the TTL', async () => {
    const { primary, manager } = setup();
    expect(await manager.getOrSet('k', async () => 42, { ttl: '5m' })).toBe(42);
    expect(primary.data.get('k')).toBe(42);
    expect(primary.ttls.get('k')).toBe('5m');
    expect(await manager.getOrSet('k', () => 0)).toBe(42);
  });

  it('stores null but not undefined', async () => {
    const { primary, manager } = setup();
    expect(await manager.getOrSet('n', () => null)).toBeNull();
    expect(await manager.getOrSet('u', () => undefined)).toBeUndefined();
    expect(primary.data.has('n')).toBe(true);
    expect(primary.data.has('u')).toBe(false);
  });

  it('runs the factory once for concurrent misses, and every caller gets its result', async () => {
    const { manager } = setup();
    const gate = deferred<{ n: number }>();
    const factory = vi.fn(() => gate.promise);
    const callers = Array.from({ length: 20 }, () => manager.getOrSet('k', factory));
    await new Promise((resolve) => setTimeout(resolve, 0));
    gate.resolve({ n: 7 });
    const results = await Promise.all(callers);
    expect(factory).toHaveBeenCalledTimes(1);
    expect(results).toEqual(Array.from({ length: 20 }, () => ({ n: 7 })));
  });

  it('runs separate factories for separate keys', async () => {
    const { manager } = setup();
    const results = await Promise.all([manager.getOrSet('a', () => 'A'), manager.getOrSet('b', () => 'B')]);
    expect(results).toEqual(['A', 'B']);
  });

  it('a factory error reaches every waiter and nothing is cached', async () => {
    const { primary, manager } = setup();
    const gate = deferred<string>();
    const factory = vi.fn(() => gate.promise);
    const callers = Array.from({ length: 5 }, () => manager.getOrSet('k', factory));
    await new Promise((resolve) => setTimeout(resolve, 0));
    const failure = new Error('db down');
    gate.reject(failure);
    const settled = await Promise.allSettled(callers);
    expect(settled).toEqual(Array.from({ length: 5 }, () => ({ status: 'rejected', reason: failure })));
    expect(factory).toHaveBeenCalledTimes(1);
    expect(primary.data.has('k')).toBe(false);
    expect(await manager.getOrSet('k', () => 'second try')).toBe('second try');
  });

  it('a synchronous throw in the factory rejects', async () => {
    const { manager } = setup();
    await expect(
      manager.getOrSet('k', () => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
  });

  it('a cache that cannot read never fails getOrSet', async () => {
    const { primary, manager, events } = setup();
    primary.get = () => Promise.reject(new Error('broken backend'));
    expect(await manager.getOrSet('k', () => 'fresh')).toBe('fresh');
    expect(events.map((e) => e.event)).toEqual(['error', 'error']); // the read outside and inside the flight
    expect((events[0]?.info as ErrorEventInfo).operation).toBe('getOrSet');
  });

  it('a value the cache cannot store is still returned, with a warning', async () => {
    const { manager, logger } = setup();
    const fn = () => 'a function is not cacheable';
    expect(await manager.getOrSet('k', () => fn)).toBe(fn);
    expect(logger.warnings).toEqual([
      'getOrSet could not store the factory result: the value is not cacheable (it is still returned)',
    ]);
  });

  it('a store that is down answers through the factory', async () => {
    const { primary, manager } = setup({ withFallback: false });
    primary.setUp(false);
    expect(await manager.getOrSet('k', () => 'fresh')).toBe('fresh');
  });

  it('rejects a bad key or TTL before running the factory', async () => {
    const { manager } = setup();
    const factory = vi.fn(() => 1);
    await expect(manager.getOrSet('', factory)).rejects.toBeInstanceOf(CacheKeyError);
    await expect(manager.getOrSet('k', factory, { ttl: -1 })).rejects.toBeInstanceOf(CacheConfigError);
    expect(factory).not.toHaveBeenCalled();
  });

  it('uses the fallback during an outage', async () => {
    const { primary, fallback, manager } = setup();
    primary.setUp(false);
    expect(await manager.getOrSet('k', () => 'v')).toBe('v');
    expect(fallback.data.get('k')).toBe('v');
  });
});

describe('CacheManager constructor', () => {
  const primary = new MapBackend();
  it.each([
    ['no options', undefined, 'CacheManager options must be an object with a `primary` backend'],
    ['no primary', {}, 'CacheManager: primary must be a CacheBackend (an object with get/set/isAvailable…)'],
    [
      'a fallback that is not a backend',
      { primary, fallback: {} },
      'CacheManager: fallback must be a CacheBackend or undefined',
    ],
    [
      'the primary as fallback',
      { primary, fallback: primary },
      'CacheManager: fallback must be a different backend object than primary',
    ],
    [
      'a negative journal limit',
      { primary, outageJournalLimit: -1 },
      'CacheManager: outageJournalLimit must be a non-negative integer (got -1)',
    ],
    [
      'a fractional journal limit',
      { primary, outageJournalLimit: 1.5 },
      'CacheManager: outageJournalLimit must be a non-negative integer (got 1.5)',
    ],
    [
      'a NaN retry delay',
      { primary, recoveryRetryMs: Number.NaN },
      'CacheManager: recoveryRetryMs must be a non-negative number (got NaN)',
    ],
    [
      'a negative recovery wait',
      { primary, recoveryWaitMs: -1 },
      'CacheManager: recoveryWaitMs must be a non-negative number (got -1)',
    ],
    [
      'a function as logger',
      { primary, logger: console.log },
      'CacheManager: logger must have warn() and error() methods',
    ],
    ['a number as clock', { primary, now: 5 }, 'CacheManager: now must be a function returning milliseconds'],
  ])('rejects %s', (_label, options, message) => {
    expect(() => new CacheManager(options as unknown as CacheManagerOptions)).toThrow(
      new CacheConfigError(message),
    );
  });

  it('exposes primary and fallback', () => {
    const fallback = new MapBackend();
    const manager = new CacheManager({ primary, fallback });
    expect(manager.primary).toBe(primary);
    expect(manager.fallback).toBe(fallback);
    expect(manager.name).toBe('manager');
    expect(new CacheManager({ primary }).fallback).toBeUndefined();
  });
});
