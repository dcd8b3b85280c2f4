/**
 * Collapses concurrent calls for one key into a single execution: while a call for `key` is
 * in flight, later callers receive the same promise (its result or its error). Nothing is
 * remembered after it settles; that is the cache's job.
 */
export class SingleFlight<K = string> {
  readonly #inFlight = new Map<K, Promise<unknown>>();

  /** Runs `fn` unless a call for `key` is already running, in which case its promise is shared. */
  run<V>(key: K, fn: () => Promise<V>): Promise<V> {
    const running = this.#inFlight.get(key);
    if (running !== undefined) return running as Promise<V>;
    const promise = (async () => {
      try {
        return await fn();
      } finally {
        this.#inFlight.delete(key);
      }
    })();
    this.#inFlight.set(key, promise);
    return promise;
  }

  /** Number of keys with a call in flight. */
  get size(): number {
    return this.#inFlight.size;
  }
}
