import { CacheBackendError, compilePattern, parseOptionalTtl, serialize, type Ttl } from '@cache/core';
import { ReferenceBackend } from './reference-backend.js';

// Each class below is the reference backend with exactly one defect, of the kind real
// backends ship with. The contract must catch every one of them.

/** Hands out the very object that was stored (a memory cache without copies). */
export class AliasingBackend extends ReferenceBackend {
  readonly #objects = new Map<string, unknown>();

  override async set(key: string, value: unknown, ttl?: Ttl): Promise<boolean> {
    const stored = await super.set(key, value, ttl);
    if (stored) this.#objects.set(key, value);
    return stored;
  }

  override async get<T = unknown>(key: string): Promise<T | undefined> {
    const value = await super.get<T>(key);
    return value === undefined ? undefined : (this.#objects.get(key) as T);
  }
}

/** Validates the TTL, then forgets it: nothing ever expires. */
export class TtlDroppingBackend extends ReferenceBackend {
  override async set(key: string, value: unknown, ttl?: Ttl): Promise<boolean> {
    parseOptionalTtl(ttl);
    return super.set(key, value);
  }
}

/** Takes a number TTL as milliseconds instead of seconds. */
export class MillisecondTtlBackend extends ReferenceBackend {
  override async set(key: string, value: unknown, ttl?: Ttl): Promise<boolean> {
    return super.set(key, value, typeof ttl === 'number' ? `${ttl}ms` : ttl);
  }
}

/** getAndDelete as a read followed by a delete: two callers can both win. */
export class NonAtomicBackend extends ReferenceBackend {
  override async getAndDelete<T = unknown>(key: string): Promise<T | undefined> {
    const value = await this.get<T>(key);
    if (value !== undefined) await this.delete(key);
    return value;
  }
}

/** Drops backslashes before matching, so an escaped `*` becomes a wildcard again. */
export class UnescapedPatternBackend extends ReferenceBackend {
  override async deletePattern(pattern: string): Promise<number> {
    return super.deletePattern(pattern.replaceAll('\\', ''));
  }
}

/** Counts every key the pattern's literal prefix selects, deleted or not. */
export class PatternMiscountBackend extends ReferenceBackend {
  override async deletePattern(pattern: string): Promise<number> {
    const prefix = compilePattern(pattern).literalPrefix;
    const selected = [...this.store.keys()].filter((full) => full.startsWith(this.namespace + prefix)).length;
    await super.deletePattern(pattern);
    return selected;
  }
}

/** clear() empties the whole store: every namespace on the "server" (a FLUSHDB). */
export class FlushAllBackend extends ReferenceBackend {
  override async clear(): Promise<void> {
    this.store.clear();
  }
}

/** Reads a stored null back as a miss. */
export class NullAsMissBackend extends ReferenceBackend {
  override async get<T = unknown>(key: string): Promise<T | undefined> {
    const value = await super.get<T>(key);
    return value ?? undefined;
  }
}

/** Never counts misses. */
export class UncountedMissBackend extends ReferenceBackend {
  override async get<T = unknown>(key: string): Promise<T | undefined> {
    const misses = this.counters.misses;
    const value = await super.get<T>(key);
    this.counters.misses = misses;
    return value;
  }
}

/** Throws once disconnected instead of answering like a down store. */
export class RejectsWhenClosedBackend extends ReferenceBackend {
  override async get<T = unknown>(key: string): Promise<T | undefined> {
    if (!this.isAvailable()) throw new CacheBackendError('reference backend is closed');
    return super.get<T>(key);
  }
}

/** Checks keys by character count, so multi-byte keys over 1024 bytes slip through `set`. */
export class CharacterCountKeyBackend extends ReferenceBackend {
  override async set(key: string, value: unknown, ttl?: Ttl): Promise<boolean> {
    if (typeof key === 'string' && key.length <= 1024 && Buffer.byteLength(key, 'utf8') > 1024) {
      return super.set(key.slice(0, 256), value, ttl);
    }
    return super.set(key, value, ttl);
  }
}

/** Falls back to JSON.stringify when the serializer refuses: functions vanish, instances become {}. */
export class SilentJsonBackend extends ReferenceBackend {
  override async set(key: string, value: unknown, ttl?: Ttl): Promise<boolean> {
    try {
      serialize(value);
    } catch (error) {
      if (value === undefined) throw error;
      const lossy: unknown = JSON.parse(JSON.stringify(value) ?? 'null');
      return super.set(key, lossy, ttl);
    }
    return super.set(key, value, ttl);
  }
}

/** Stores everything as plain JSON: Dates become strings, Maps become {}, NaN becomes null. */
export class JsonOnlyBackend extends ReferenceBackend {
  override async set(key: string, value: unknown, ttl?: Ttl): Promise<boolean> {
    serialize(value);
    const text = JSON.stringify(value, (_, member: unknown) =>
      typeof member === 'bigint' ? String(member) : member,
    );
    return super.set(key, JSON.parse(text) as unknown, ttl);
  }
}
