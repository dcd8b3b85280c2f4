import { CacheManager, type CacheBackend, type Ttl } from '@cache/core';
import { MemoryBackend } from '@cache/memory';

/** One `set` call as the backend received it. */
export interface RecordedSet {
  key: string;
  value: unknown;
  ttl: Ttl | undefined;
}

/**
 * A real `CacheManager` over a real `MemoryBackend`; `sets` lists every `set` the backend
 * received, so tests can check which TTL reached the store without waiting for it to expire.
 * `beforeSet` holds every write before it reaches the store, like a slow disk.
 */
export function createManager(options: { beforeSet?: () => Promise<void> } = {}): {
  cache: CacheManager;
  backend: CacheBackend;
  sets: RecordedSet[];
} {
  const memory = new MemoryBackend({ maxEntries: 1000 });
  const sets: RecordedSet[] = [];
  const backend = new Proxy(memory, {
    get(target, property, receiver) {
      const member: unknown = Reflect.get(target, property, receiver);
      if (property === 'set') {
        return async (key: string, value: unknown, ttl?: Ttl) => {
          sets.push({ key, value, ttl });
          await options.beforeSet?.();
          return target.set(key, value, ttl);
        };
      }
      return typeof member === 'function' ? member.bind(target) : member;
    },
  });
  return { cache: new CacheManager({ primary: backend }), backend, sets };
}

/** A promise with its resolve/reject handles, to hold a loader at a chosen point. */
export function deferred<T>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: Error) => void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
