import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '@cache/memory';
import { recordingLogger } from './helpers.js';

// JSON.stringify('x'.repeat(n)) is n + 2 bytes: the quotes count, as stored.
const text = (bytes: number): string => 'x'.repeat(bytes - 2);

describe('byte accounting', () => {
  it('sizes an entry as the UTF-8 bytes of its serialized form', async () => {
    const cache = new MemoryBackend();
    await cache.set('ascii', { a: 1 }); // {"a":1} = 7 bytes
    expect(cache.stats().bytes).toBe(7);
    await cache.set('multi', 'é€😀'); // quotes 2 + é 2 + € 3 + 😀 4 bytes
    expect(cache.stats().bytes).toBe(7 + 11);
    await cache.set('ascii', [1, 2, 3]); // replacing: [1,2,3] = 7 bytes
    expect(cache.stats().bytes).toBe(7 + 11);
    await cache.delete('multi');
    expect(cache.stats().bytes).toBe(7);
    await cache.clear();
    expect(cache.stats()).toMatchObject({ bytes: 0, entries: 0 });
  });

  it('counts the serialized size with clone: false too', async () => {
    const cache = new MemoryBackend({ clone: false });
    await cache.set('k', { a: 1 });
    expect(cache.stats().bytes).toBe(7);
  });
});

describe('maxBytes', () => {
  it('evicts least recently used entries so the total never exceeds maxBytes', async () => {
    const cache = new MemoryBackend({ maxBytes: 1000, maxEntries: 1000 });
    for (let i = 0; i < 50; i++) {
      await cache.set(`k${i}`, text(100 + (i % 7) * 10));
      expect(cache.stats().bytes).toBeLessThanOrEqual(1000);
    }
    const stats = cache.stats();
    expect(stats.evictions).toBe(50 - stats.entries);
    expect(stats.evictions).toBeGreaterThan(0);
    expect(await cache.get('k49')).toBe(text(100 + (49 % 7) * 10));
    expect(await cache.get('k0')).toBeUndefined();
  });

  it('evicts as many least recently used entries as a large entry needs, and no more', async () => {
    const cache = new MemoryBackend({ maxBytes: 300 });
    await cache.set('a', text(100));
    await cache.set('b', text(100));
    await cache.set('c', text(100));
    await cache.get('a'); // order, oldest first: b, c, a
    await cache.set('big', text(150));
    expect(await cache.exists('b')).toBe(false);
    expect(await cache.exists('c')).toBe(false);
    expect(await cache.exists('a')).toBe(true);
    expect(await cache.exists('big')).toBe(true);
    expect(cache.stats()).toMatchObject({ bytes: 250, entries: 2, evictions: 2 });
  });

  it('an entry of exactly maxBytes fits', async () => {
    const cache = new MemoryBackend({ maxBytes: 64 });
    expect(await cache.set('k', text(64))).toBe(true);
    expect(cache.stats().bytes).toBe(64);
  });
});

describe('oversized entries', () => {
  it('answers false over maxEntryBytes, stores nothing and counts it', async () => {
    const cache = new MemoryBackend({ maxEntryBytes: 100, logger: recordingLogger() });
    expect(await cache.set('k', text(100))).toBe(true);
    expect(await cache.set('big', text(101))).toBe(false);
    expect(await cache.get('big')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ oversized: 1, sets: 1, entries: 1, bytes: 100 });
  });

  it('removes the older value under the key, so no stale value is read back', async () => {
    const cache = new MemoryBackend({ maxEntryBytes: 100, logger: recordingLogger() });
    await cache.set('k', 'old');
    expect(await cache.set('k', text(500))).toBe(false);
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.exists('k')).toBe(false);
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0, oversized: 1 });
  });

  it('does the same with clone: false', async () => {
    const cache = new MemoryBackend({ clone: false, maxEntryBytes: 100, logger: recordingLogger() });
    await cache.set('k', { v: 'old' });
    expect(await cache.set('k', { v: text(500) })).toBe(false);
    expect(await cache.get('k')).toBeUndefined();
  });

  it('uses maxBytes as the limit when it is smaller than maxEntryBytes', async () => {
    const cache = new MemoryBackend({ maxBytes: 50, logger: recordingLogger() });
    await cache.set('a', 'kept');
    expect(await cache.set('k', text(51))).toBe(false);
    expect(await cache.get('a')).toBe('kept');
    expect(cache.stats().oversized).toBe(1);
  });

  it('defaults to a 1 MiB entry limit', async () => {
    const cache = new MemoryBackend({ logger: recordingLogger() });
    expect(await cache.set('fits', text(1024 * 1024))).toBe(true);
    expect(await cache.set('over', text(1024 * 1024 + 1))).toBe(false);
  });

  it('warns once, naming the key and the limit, then logs further ones at debug level', async () => {
    const logger = recordingLogger();
    const cache = new MemoryBackend({ maxEntryBytes: 10, logger });
    await cache.set('first', text(20));
    await cache.set('second', text(30));
    await cache.set('third', text(40));
    const warnings = logger.lines.filter((line) => line.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toBe(
      "[memory] value for 'first' is 20 bytes, over the 10-byte entry limit: not cached (raise maxEntryBytes to cache it)" +
        '; later ones are counted in stats().oversized and logged at debug level',
    );
    expect(logger.lines.filter((line) => line.level === 'debug').map((line) => line.message)).toEqual([
      "[memory] value for 'second' is 30 bytes, over the 10-byte entry limit: not cached (raise maxEntryBytes to cache it)",
      "[memory] value for 'third' is 40 bytes, over the 10-byte entry limit: not cached (raise maxEntryBytes to cache it)",
    ]);
    expect(cache.stats().oversized).toBe(3);
  });
});
