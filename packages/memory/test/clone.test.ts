import { describe, expect, it } from 'vitest';
import { CacheValueError } from '@cache/core';
import { MemoryBackend } from '@cache/memory';

describe('clone: true (default)', () => {
  it('mutating a returned value does not change the cache', async () => {
    const cache = new MemoryBackend();
    await cache.set('k', { list: [1, 2], nested: { a: 1 } });
    const first = await cache.get<{ list: number[]; nested: { a: number } }>('k');
    first!.list.push(3);
    first!.nested.a = 99;
    expect(await cache.get('k')).toEqual({ list: [1, 2], nested: { a: 1 } });
    expect(await cache.get('k')).not.toBe(await cache.get('k'));
  });

  it('mutating the stored object after set does not change the cache', async () => {
    const cache = new MemoryBackend();
    const value = { count: 1 };
    await cache.set('k', value);
    value.count = 2;
    expect(await cache.get('k')).toEqual({ count: 1 });
  });

  it('getAndDelete returns a copy too', async () => {
    const cache = new MemoryBackend();
    const value = { a: [1] };
    await cache.set('k', value);
    const taken = await cache.getAndDelete('k');
    expect(taken).toEqual(value);
    expect(taken).not.toBe(value);
  });

  it('round-trips non-JSON values through the tagged format', async () => {
    const cache = new MemoryBackend();
    const value = { when: new Date(0), tags: new Set(['a']), big: 10n, nan: NaN };
    await cache.set('k', value);
    expect(await cache.get('k')).toEqual(value);
  });

  it('stores what toJSON returns', async () => {
    const cache = new MemoryBackend();
    await cache.set('k', { toJSON: () => ({ shown: true }) });
    expect(await cache.get('k')).toEqual({ shown: true });
  });
});

describe('clone: false', () => {
  it('returns the very object that was stored (the documented aliasing)', async () => {
    const cache = new MemoryBackend({ clone: false });
    const value = { count: 1 };
    await cache.set('k', value);
    const read = await cache.get<{ count: number }>('k');
    expect(read).toBe(value);
    read!.count = 2;
    expect(await cache.get('k')).toEqual({ count: 2 });
  });

  it('holds the decoded stored form when the value is not plain data, exactly as other backends return it', async () => {
    const cache = new MemoryBackend({ clone: false });
    class Money {
      constructor(
        readonly amount: number,
        readonly currency: string,
      ) {}
      toJSON(): { amount: number; currency: string } {
        return { amount: this.amount, currency: this.currency };
      }
    }
    await cache.set('money', new Money(5, 'EUR'));
    const money = await cache.get('money');
    expect(money).toStrictEqual({ amount: 5, currency: 'EUR' });
    expect(Object.getPrototypeOf(money)).toBe(Object.prototype);

    await cache.set('sparse', { a: 1, gone: undefined });
    expect(await cache.get('sparse')).toStrictEqual({ a: 1 });

    const when = new Date(1000);
    await cache.set('date', { when });
    const read = await cache.get<{ when: Date }>('date');
    expect(read).toEqual({ when: new Date(1000) });
    expect(read?.when).not.toBe(when);
    expect(await cache.get('date')).toBe(read); // held once, shared by readers
  });

  it('stores null, primitives and falsy values', async () => {
    const cache = new MemoryBackend({ clone: false });
    for (const [key, value] of [
      ['null', null],
      ['zero', 0],
      ['empty', ''],
      ['false', false],
      ['s', 'x'],
    ] as const) {
      expect(await cache.set(key, value)).toBe(true);
      expect(await cache.get(key)).toBe(value);
      expect(await cache.exists(key)).toBe(true);
    }
    expect(await cache.getAndDelete('null')).toBeNull();
  });

  it('still rejects what no backend can store, so code that works here works on Redis', async () => {
    const cache = new MemoryBackend({ clone: false });
    await expect(cache.set('k', undefined)).rejects.toThrow(CacheValueError);
    await expect(cache.set('k', () => 1)).rejects.toThrow(CacheValueError);
    await expect(cache.set('k', { f: Symbol('s') })).rejects.toThrow(CacheValueError);
    class Point {
      constructor(readonly x: number) {}
    }
    await expect(cache.set('k', new Point(1))).rejects.toThrow(CacheValueError);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    await expect(cache.set('k', cycle)).rejects.toThrow(CacheValueError);
    expect(cache.stats()).toMatchObject({ sets: 0, entries: 0 });
  });
});

describe('null and undefined (both modes)', () => {
  it.each([true, false])('clone: %s caches null and never stores undefined', async (clone) => {
    const cache = new MemoryBackend({ clone });
    await cache.set('n', null);
    expect(await cache.get('n')).toBeNull();
    await cache.set('k', 'before');
    await expect(cache.set('k', undefined)).rejects.toThrow(CacheValueError);
    expect(await cache.get('k')).toBe('before');
  });
});
