/** What the simulated server keeps per key: the serialized value and its absolute expiry. */
export interface StoredEntry {
  readonly text: string;
  /** Milliseconds on the backend's clock; `undefined`: never expires. */
  readonly expiresAt: number | undefined;
}

/**
 * The "remote" side: a `Map` that several `LatencyMapBackend`s can share, and a switch that
 * simulates an outage. It does no work itself; backends run their commands on `entries`
 * synchronously after the simulated round trip, so each command is atomic, as a Redis command
 * is on its single-threaded server.
 */
export class LatencyMapStore {
  /** Full keys (`keyPrefix + key`) to entries. */
  readonly entries: Map<string, StoredEntry> = new Map();
  #down = false;

  /** `true` while the store simulates an outage (see `setDown`). */
  get down(): boolean {
    return this.#down;
  }

  /**
   * Simulates an outage: until `setDown(false)`, `connect()` rejects, `isAvailable()` is false and
   * every operation of every backend on this store fails softly (a miss, `false` or `0`). The
   * entries survive, as they would on a server that was only unreachable.
   */
  setDown(down: boolean): void {
    this.#down = down;
  }
}
