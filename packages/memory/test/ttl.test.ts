import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '@cache/memory';
import { ManualClock } from './helpers.js';

const setup = (options: { defaultTtl?: number | string; maxEntries?: number } = {}) => {
  const clock = new ManualClock();
  return { clock, cache: new MemoryBackend({ ...options, clock }) };
};

describe('TTL with an injected clock', () => {
  it('a number is seconds: the entry lives through its TTL and is gone 1 ms after', async () => {
    const { clock, cache } = setup();
    await cache.set('k', 'v', 2);
    clock.advance(2000);
    expect(await cache.get('k')).toBe('v');
    clock.advance(1);
    expect(await cache.get('k')).toBeUndefined();
  });

  it('a string is a duration', async () => {
    const { clock, cache } = setup();
    await cache.set('ms', 1, '250ms');
    await cache.set('m', 2, '5m');
    clock.advance(251);
    expect(await cache.get('ms')).toBeUndefined();
    expect(await cache.get('m')).toBe(2);
    clock.advance(5 * 60_000);
    expect(await cache.get('m')).toBeUndefined();
  });

  it('defaultTtl applies to sets without a TTL; a per-call TTL overrides it', async () => {
    const { clock, cache } = setup({ defaultTtl: '1s' });
    await cache.set('default', 1);
    await cache.set('longer', 2, 10);
    clock.advance(1001);
    expect(await cache.get('default')).toBeUndefined();
    expect(await cache.get('longer')).toBe(2);
  });

  it('without any TTL an entry never expires', async () => {
    const { clock, cache } = setup();
    await cache.set('k', 'v');
    clock.advance(365 * 86_400_000);
    expect(await cache.get('k')).toBe('v');
  });

  it('a set without TTL replaces an earlier TTL (as Redis SET does)', async () => {
    const { clock, cache } = setup();
    await cache.set('k', 'first', 1);
    await cache.set('k', 'second');
    clock.advance(5000);
    expect(await cache.get('k')).toBe('second');
  });

  it('overwriting restarts the TTL', async () => {
    const { clock, cache } = setup();
    await cache.set('k', 1, 1);
    clock.advance(800);
    await cache.set('k', 2, 1);
    clock.advance(800);
    expect(await cache.get('k')).toBe(2);
  });

  it('reads do not extend a TTL', async () => {
    const { clock, cache } = setup();
    await cache.set('k', 1, 1);
    clock.advance(600);
    expect(await cache.get('k')).toBe(1);
    clock.advance(600);
    expect(await cache.get('k')).toBeUndefined();
  });

  it('an expired entry does not exist, cannot be deleted and is not returned by getAndDelete', async () => {
    const { clock, cache } = setup();
    await cache.set('a', 1, 1);
    await cache.set('b', 2, 1);
    await cache.set('c', 3, 1);
    clock.advance(1001);
    expect(await cache.exists('a')).toBe(false);
    expect(await cache.delete('a')).toBe(false);
    expect(await cache.getAndDelete('b')).toBeUndefined();
    expect(await cache.deletePattern('*')).toBe(0);
    expect(cache.stats().deletes).toBe(0);
  });

  it('a clock that starts at 0 works', async () => {
    let time = 0;
    const cache = new MemoryBackend({ clock: { now: () => time } });
    await cache.set('k', 'v', '10ms');
    time = 10;
    expect(await cache.get('k')).toBe('v');
    time = 11;
    expect(await cache.get('k')).toBeUndefined();
  });
});

describe('expirations are counted when lru-cache notices them', () => {
  it('on a read, once', async () => {
    const { clock, cache } = setup();
    await cache.set('k', 'v', 1);
    clock.advance(1001);
    expect(cache.stats().expirations).toBe(0); // not noticed yet
    await cache.get('k');
    await cache.get('k');
    expect(cache.stats()).toMatchObject({ expirations: 1, misses: 2, hits: 0, entries: 0 });
  });

  it('on delete and getAndDelete', async () => {
    const { clock, cache } = setup();
    await cache.set('a', 1, 1);
    await cache.set('b', 2, 1);
    clock.advance(1001);
    await cache.delete('a');
    await cache.getAndDelete('b');
    expect(cache.stats()).toMatchObject({ expirations: 2, deletes: 0, entries: 0 });
  });

  it('when LRU pushes out an entry that had already expired: an expiration, not an eviction', async () => {
    const { clock, cache } = setup({ maxEntries: 2 });
    await cache.set('short', 1, 1);
    await cache.set('long', 2, 100);
    clock.advance(1001);
    await cache.set('new', 3);
    expect(cache.stats()).toMatchObject({ expirations: 1, evictions: 0 });
    await cache.set('newer', 4);
    expect(cache.stats()).toMatchObject({ expirations: 1, evictions: 1 });
  });

  it('purgeExpired drops every expired entry now and answers how many', async () => {
    const { clock, cache } = setup();
    for (let i = 0; i < 5; i++) await cache.set(`short${i}`, i, 1);
    await cache.set('forever', 'x');
    clock.advance(1001);
    expect(cache.stats().entries).toBe(6);
    expect(cache.purgeExpired()).toBe(5);
    expect(cache.stats()).toMatchObject({ entries: 1, expirations: 5, bytes: 3 });
    expect(cache.purgeExpired()).toBe(0);
  });
});
