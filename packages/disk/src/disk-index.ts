/** What the index knows about one entry file. */
export interface IndexEntry {
  readonly key: string;
  readonly path: string;
  /** The file name: SHA-256 hex of the key. */
  readonly hash: string;
  /** File size in bytes (header + key + value). */
  size: number;
  /** Epoch ms; 0 = never. As last seen: another process may have rewritten the file since. */
  expiresAt: number;
  /** Value of the index's write counter when this entry was last written or seen. */
  stamp: number;
  /** Number of the last folder scan that found its file. */
  seen: number;
  /** Neighbours in LRU order (older, newer); `undefined` at the ends. */
  older: IndexEntry | undefined;
  newer: IndexEntry | undefined;
  /** False once removed, so a holder of a stale reference can tell. */
  live: boolean;
}

/**
 * The in-memory picture of the cache folder: LRU order, sizes and expiries, by key and by
 * file path. It is a hint, never the truth: reads always go to the file, because other
 * processes change the folder behind our back. Entries are found by key and by file name
 * (hash). The LRU order is a doubly linked list, so
 * touching an entry and merging a scan (which inserts at the old end) are both O(1) per entry.
 */
export class DiskIndex {
  readonly #byKey = new Map<string, IndexEntry>();
  readonly #byHash = new Map<string, IndexEntry>();
  #oldest: IndexEntry | undefined;
  #newest: IndexEntry | undefined;
  #bytes = 0;
  #stamp = 0;

  /** Number of entries. */
  get size(): number {
    return this.#byKey.size;
  }

  /** Sum of entry sizes. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The write counter: entries stamped at or after a reading were written or seen since. */
  get stamp(): number {
    return this.#stamp;
  }

  get(key: string): IndexEntry | undefined {
    return this.#byKey.get(key);
  }

  /** The entry whose file name is `hash`. */
  getByHash(hash: string): IndexEntry | undefined {
    return this.#byHash.get(hash);
  }

  /** The least recently used entry. */
  oldest(): IndexEntry | undefined {
    return this.#oldest;
  }

  /** Marks an entry most recently used. */
  touch(entry: IndexEntry): void {
    if (this.#newest === entry || !entry.live) return;
    this.#unlink(entry);
    this.#linkNewest(entry);
  }

  /** Records a write (or a read that found a file): the entry becomes most recently used. */
  set(key: string, path: string, size: number, expiresAt: number): IndexEntry {
    const stamp = ++this.#stamp;
    const known = this.#byKey.get(key);
    if (known !== undefined) {
      this.#bytes += size - known.size;
      known.size = size;
      known.expiresAt = expiresAt;
      known.stamp = stamp;
      this.touch(known);
      return known;
    }
    const entry = this.#create(key, path, size, expiresAt, stamp);
    this.#linkNewest(entry);
    return entry;
  }

  /** Corrects what is known of an entry (another process rewrote it) without changing its LRU place. */
  update(entry: IndexEntry, size: number, expiresAt: number): void {
    if (!entry.live) return;
    this.#bytes += size - entry.size;
    entry.size = size;
    entry.expiresAt = expiresAt;
  }

  /**
   * Adds an entry found by a scan at the least recently used end, unless the key is already
   * known (what was learned since the scan started is newer). Answers whether it was added.
   */
  addOldest(key: string, path: string, size: number, expiresAt: number, hash?: string): boolean {
    if (this.#byKey.has(key)) return false;
    const entry = this.#create(key, path, size, expiresAt, this.#stamp, hash);
    entry.newer = this.#oldest;
    if (this.#oldest === undefined) this.#newest = entry;
    else this.#oldest.older = entry;
    this.#oldest = entry;
    return true;
  }

  /** Like `addOldest`, at the most recently used end (files other processes wrote lately). */
  addNewest(key: string, path: string, size: number, expiresAt: number): boolean {
    if (this.#byKey.has(key)) return false;
    this.#linkNewest(this.#create(key, path, size, expiresAt, this.#stamp));
    return true;
  }

  delete(entry: IndexEntry): void {
    if (!entry.live) return;
    entry.live = false;
    this.#byKey.delete(entry.key);
    this.#byHash.delete(entry.hash);
    this.#bytes -= entry.size;
    this.#unlink(entry);
  }

  /** A snapshot of every entry, oldest first (for sweeps that yield between slices). */
  toArray(): IndexEntry[] {
    const all: IndexEntry[] = [];
    for (let entry = this.#oldest; entry !== undefined; entry = entry.newer) all.push(entry);
    return all;
  }

  clear(): void {
    for (const entry of this.#byKey.values()) entry.live = false;
    this.#byKey.clear();
    this.#byHash.clear();
    this.#oldest = this.#newest = undefined;
    this.#bytes = 0;
  }

  #create(
    key: string,
    path: string,
    size: number,
    expiresAt: number,
    stamp: number,
    hash?: string,
  ): IndexEntry {
    const entry: IndexEntry = {
      key,
      path,
      hash: hash ?? path.slice(path.length - 64),
      size,
      expiresAt,
      stamp,
      seen: 0,
      older: undefined,
      newer: undefined,
      live: true,
    };
    this.#byKey.set(key, entry);
    this.#byHash.set(entry.hash, entry);
    this.#bytes += size;
    return entry;
  }

  #linkNewest(entry: IndexEntry): void {
    entry.older = this.#newest;
    entry.newer = undefined;
    if (this.#newest === undefined) this.#oldest = entry;
    else this.#newest.newer = entry;
    this.#newest = entry;
  }

  #unlink(entry: IndexEntry): void {
    if (entry.older === undefined) this.#oldest = entry.newer;
    else entry.older.newer = entry.newer;
    if (entry.newer === undefined) this.#newest = entry.older;
    else entry.newer.older = entry.older;
    entry.older = entry.newer = undefined;
  }
}
