import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DiskIndex, HASH_BYTES, NO_SLOT } from '../src/disk-index.js';
import { entryPath, entryPathForHash, hashKey } from '../src/entry-path.js';
import { KeyArena } from '../src/key-arena.js';
import { SlotTable } from '../src/slot-table.js';

/** A small deterministic PRNG, so a failure names a reproducible sequence. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 0x1_0000_0000;
  };
}

const DIR = '/cache';

describe('SlotTable', () => {
  it('finds, inserts and removes like a Map through many collisions and growths', () => {
    const names = new Map<number, string>(); // slot -> name: what `matches` compares
    const table = new SlotTable<string>((slot, probe) => names.get(slot) === probe);
    const model = new Map<string, number>();
    // Few distinct hashes: long probe runs, so backward-shift deletion is exercised hard.
    const hashOf = (name: string): number => (name.length * 7 + (name.charCodeAt(name.length - 1) % 5)) >>> 0;
    const next = random(7);
    let nextSlot = 0;
    for (let step = 0; step < 20_000; step++) {
      const name = `k${Math.floor(next() * 600)}`;
      const known = model.get(name);
      if (known === undefined) {
        const slot = nextSlot++;
        names.set(slot, name);
        table.insert(hashOf(name), slot);
        model.set(name, slot);
      } else if (next() < 0.6) {
        table.remove(hashOf(name), known);
        names.delete(known);
        model.delete(name);
      }
      if (step % 500 === 0) {
        for (let i = 0; i < 600; i++) {
          const probe = `k${i}`;
          expect(table.find(hashOf(probe), probe)).toBe(model.get(probe) ?? -1);
        }
        expect(table.size).toBe(model.size);
      }
    }
  });
});

describe('KeyArena', () => {
  it('reuses the cell of a removed key for the next key of its size', () => {
    const arena = new KeyArena();
    const a = Buffer.from('a'.repeat(20));
    const first = arena.store(a, 0, 20);
    const second = arena.store(a, 0, 20);
    expect(second).not.toBe(first);
    arena.release(first, 20);
    expect(arena.store(Buffer.from('b'.repeat(30)), 0, 30)).toBe(first); // 20 and 30 share the 32-byte cell
    expect(arena.buffer.toString('utf8', first, first + 30)).toBe('b'.repeat(30));
  });
});

/** The obvious implementation of the index's contract, to compare against. */
class ModelIndex {
  readonly order: string[] = []; // oldest first
  readonly entries = new Map<string, { size: number; expiresAt: number }>();

  record(key: string, size: number, expiresAt: number): void {
    this.#unlink(key);
    this.order.push(key);
    this.entries.set(key, { size, expiresAt });
  }

  addOldest(key: string, size: number, expiresAt: number): boolean {
    if (this.entries.has(key)) return false;
    this.order.unshift(key);
    this.entries.set(key, { size, expiresAt });
    return true;
  }

  addNewest(key: string, size: number, expiresAt: number): boolean {
    if (this.entries.has(key)) return false;
    this.order.push(key);
    this.entries.set(key, { size, expiresAt });
    return true;
  }

  touch(key: string): void {
    if (!this.entries.has(key)) return;
    this.#unlink(key);
    this.order.push(key);
  }

  delete(key: string): void {
    this.#unlink(key);
    this.entries.delete(key);
  }

  get bytes(): number {
    let sum = 0;
    for (const entry of this.entries.values()) sum += entry.size;
    return sum;
  }

  #unlink(key: string): void {
    const at = this.order.indexOf(key);
    if (at >= 0) this.order.splice(at, 1);
  }
}

describe('DiskIndex', () => {
  const digestOf = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();

  it('keeps the same LRU order, sizes and lookups as a plain model through random operations', () => {
    const removed: number[] = [];
    const index = new DiskIndex(DIR, (slot) => removed.push(slot));
    const model = new ModelIndex();
    const next = random(11);
    // Keys of many lengths and scripts: the arena's cells and the UTF-8 comparison both matter.
    const keys = Array.from({ length: 300 }, (_, i) =>
      i % 3 === 0 ? `k${i}` : i % 3 === 1 ? `ключ:${i}:${'x'.repeat(i % 40)}` : `🔑${i}`.repeat(1 + (i % 9)),
    );
    for (let step = 0; step < 30_000; step++) {
      const key = keys[Math.floor(next() * keys.length)] as string;
      const size = 1 + Math.floor(next() * 5000);
      const expiresAt = next() < 0.5 ? 0 : Math.floor(next() * 1e12);
      const action = next();
      const slot = index.find(key);
      if (action < 0.35) {
        index.record(key, entryPath(DIR, key), size, expiresAt);
        model.record(key, size, expiresAt);
      } else if (action < 0.5) {
        const key8 = Buffer.from(key, 'utf8');
        expect(index.addOldest(key8, 0, key8.length, digestOf(key), 0, size, expiresAt)).toBe(
          model.addOldest(key, size, expiresAt),
        );
      } else if (action < 0.6) {
        // A scan's detached entry, placed at the new end straight away.
        const key8 = Buffer.from(`pad${key}`, 'utf8');
        const added = index.addDetached(key8, 3, key8.length - 3, digestOf(key), 0, size, expiresAt);
        expect(added !== NO_SLOT).toBe(model.addNewest(key, size, expiresAt));
        if (added !== NO_SLOT) index.attachNewest(added);
      } else if (action < 0.8) {
        if (slot !== NO_SLOT) index.touch(slot);
        model.touch(key);
      } else if (action < 0.95) {
        if (slot !== NO_SLOT) index.delete(slot);
        model.delete(key);
      } else {
        // Evict the oldest, as the backend does.
        const oldest = index.oldest();
        if (oldest !== NO_SLOT) {
          const oldestKey = index.keyOf(oldest) as string;
          expect(oldestKey).toBe(model.order[0]);
          index.delete(oldest);
          model.delete(oldestKey);
        }
      }
      if (step % 1000 === 0 || step === 29_999) {
        expect(index.size).toBe(model.entries.size);
        expect(index.bytes).toBe(model.bytes);
        const newestFirst = Array.from(index.newestFirst(), (at) => index.keyOf(at));
        expect(newestFirst).toEqual([...model.order].reverse());
        for (const candidate of keys) {
          const at = index.find(candidate);
          const expected = model.entries.get(candidate);
          if (expected === undefined) {
            expect(at).toBe(NO_SLOT);
            continue;
          }
          expect(index.keyOf(at)).toBe(candidate);
          expect(index.sizeOf(at)).toBe(expected.size);
          expect(index.expiresAtOf(at)).toBe(expected.expiresAt);
          expect(index.pathOf(at)).toBe(entryPath(DIR, candidate));
          expect(index.findByName(hashKey(candidate))).toBe(at);
        }
      }
    }
    expect(removed.length).toBeGreaterThan(1000);
  });

  it('a detached entry is found and counted but never evicted before it is placed; a touch places it', () => {
    const index = new DiskIndex(DIR);
    const first = index.record('a', entryPath(DIR, 'a'), 10, 0);
    const key = Buffer.from('b');
    const detached = index.addDetached(key, 0, 1, digestOf('b'), 0, 20, 0);
    expect(index.find('b')).toBe(detached);
    expect(index.bytes).toBe(30);
    expect(index.oldest()).toBe(first);
    expect(Array.from(index.newestFirst())).toEqual([first]);
    index.attachOldest(detached);
    expect(index.oldest()).toBe(detached);
    const other = index.addDetached(Buffer.from('c'), 0, 1, digestOf('c'), 0, 5, 0);
    index.touch(other); // used before the scan placed it: it is the newest, and stays so
    index.attachOldest(other);
    expect(Array.from(index.newestFirst(), (slot) => index.keyOf(slot))).toEqual(['c', 'a', 'b']);
    index.delete(index.find('b'));
    const gone = index.addDetached(Buffer.from('d'), 0, 1, digestOf('d'), 0, 1, 0);
    index.delete(gone); // removed while detached: the list is untouched
    expect(Array.from(index.newestFirst(), (slot) => index.keyOf(slot))).toEqual(['c', 'a']);
  });

  it('finds entries by file name, and a name of no entry (or not hex) finds nothing', () => {
    const index = new DiskIndex(DIR);
    const slot = index.record('a', entryPath(DIR, 'a'), 10, 0);
    expect(index.findByName(hashKey('a'))).toBe(slot);
    expect(index.findByName(hashKey('b'))).toBe(NO_SLOT);
    expect(index.findByName('zz'.repeat(HASH_BYTES))).toBe(NO_SLOT);
    const digest = Buffer.alloc(HASH_BYTES);
    index.copyDigest(slot, digest, 0);
    expect(entryPathForHash(DIR, digest.toString('hex'))).toBe(entryPath(DIR, 'a'));
  });

  it('tells a reused slot by its generation, and clear() forgets everything', () => {
    const index = new DiskIndex(DIR);
    const first = index.record('a', entryPath(DIR, 'a'), 10, 0);
    const generation = index.generationOf(first);
    index.delete(first);
    const reused = index.record('b', entryPath(DIR, 'b'), 20, 0);
    expect(reused).toBe(first);
    expect(index.generationOf(reused)).not.toBe(generation);
    index.clear();
    expect(index.size).toBe(0);
    expect(index.bytes).toBe(0);
    expect(index.find('b')).toBe(NO_SLOT);
    expect(index.oldest()).toBe(NO_SLOT);
    expect(index.newestFirst()).toHaveLength(0);
  });

  it('holds 100k entries in typed arrays and a key arena: lookups by key and by name all agree', () => {
    const index = new DiskIndex(DIR);
    index.reserve(100_000);
    for (let i = 0; i < 100_000; i++) {
      const key = `user:${i}`;
      const key8 = Buffer.from(key);
      index.addOldest(key8, 0, key8.length, digestOf(key), 0, 1000 + (i % 7), 0);
    }
    expect(index.size).toBe(100_000);
    for (let i = 0; i < 100_000; i += 997) {
      const slot = index.find(`user:${i}`);
      expect(index.keyOf(slot)).toBe(`user:${i}`);
      expect(index.findByName(hashKey(`user:${i}`))).toBe(slot);
    }
    // addOldest prepends: the first added is now the newest.
    expect(index.keyOf(index.oldest())).toBe('user:99999');
  });
});
