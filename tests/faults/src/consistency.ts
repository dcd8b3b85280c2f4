/**
 * The stale-read checker. It knows only what the service acknowledged: the version every PUT/POST
 * answered, the deletes it confirmed, and the data version every write produced. A read is
 * compared with what had been acknowledged *when the read was sent* (a read racing a write may
 * legitimately see either side of it), so any read older than that is stale, whatever served it.
 */
export interface Expectation {
  /** Acknowledged version of each tracked listing when the read was sent (absent: unknown). */
  version: number | undefined;
  /** The listing's delete had been acknowledged when the read was sent. */
  deleted: boolean;
  /** A delete of the listing was in flight (a 404 is then fine either way). */
  deleting: boolean;
  /** Highest data version any write had answered when the read was sent. */
  dataVersion: number;
}

export interface StaleRead {
  at: number;
  what: string;
}

interface TrackedListing {
  version: number;
  deleted: boolean;
  deleting: boolean;
}

export class ConsistencyTracker {
  readonly #listings = new Map<number, TrackedListing>();
  #dataVersion = 0;
  readonly stale: StaleRead[] = [];
  /** Reads checked against an acknowledged state (detail reads of tracked listings and list items). */
  checkedReads = 0;

  /** Tracked listings that exist (acknowledged created, not deleted or being deleted). */
  liveIds(): number[] {
    const ids: number[] = [];
    for (const [id, listing] of this.#listings) if (!listing.deleted && !listing.deleting) ids.push(id);
    return ids;
  }
  allIds(): number[] {
    return [...this.#listings.keys()];
  }
  ackedVersion(id: number): number | undefined {
    return this.#listings.get(id)?.version;
  }
  isDeleted(id: number): boolean {
    return this.#listings.get(id)?.deleted === true;
  }

  expect(id: number | undefined): Expectation {
    const listing = id === undefined ? undefined : this.#listings.get(id);
    return {
      version: listing?.version,
      deleted: listing?.deleted ?? false,
      deleting: listing?.deleting ?? false,
      dataVersion: this.#dataVersion,
    };
  }

  /** A PUT/POST answered this listing version and data version. */
  acknowledgeWrite(id: number, version: number, dataVersion: number): void {
    const listing = this.#listings.get(id);
    if (listing === undefined) this.#listings.set(id, { version, deleted: false, deleting: false });
    else listing.version = Math.max(listing.version, version);
    this.#dataVersion = Math.max(this.#dataVersion, dataVersion);
  }
  beginDelete(id: number): void {
    const listing = this.#listings.get(id);
    if (listing !== undefined) listing.deleting = true;
  }
  acknowledgeDelete(id: number, dataVersion: number): void {
    const listing = this.#listings.get(id);
    if (listing !== undefined) {
      listing.deleted = true;
      listing.deleting = false;
    }
    this.#dataVersion = Math.max(this.#dataVersion, dataVersion);
  }
  /** A delete that failed or whose answer was lost: the listing may or may not exist now. */
  abandonDelete(id: number): void {
    const listing = this.#listings.get(id);
    if (listing !== undefined) listing.deleting = true;
  }

  /** A detail read of `id` answered `status` and (on 200) `version`. */
  checkDetail(
    id: number,
    expected: Expectation,
    status: number,
    version: number | undefined,
    at: number,
  ): void {
    if (expected.version === undefined) return;
    this.checkedReads++;
    if (status === 200 && expected.deleted) {
      this.stale.push({
        at,
        what: `GET /properties/${id} answered version ${version} after its delete was acknowledged`,
      });
    } else if (status === 200 && version !== undefined && version < expected.version) {
      this.stale.push({
        at,
        what: `GET /properties/${id} answered version ${version}, acknowledged ${expected.version}`,
      });
    }
  }

  /** A list page: its data version, and every tracked listing on it. */
  checkList(
    path: string,
    expected: Map<number, Expectation>,
    globalDataVersion: number,
    page: { dataVersion: number; items: { id: number; version: number }[] },
    at: number,
    complete: boolean,
  ): void {
    this.checkedReads++;
    if (page.dataVersion < globalDataVersion) {
      this.stale.push({
        at,
        what: `GET ${path} answered dataVersion ${page.dataVersion}, a write had acknowledged ${globalDataVersion}`,
      });
    }
    const seen = new Set<number>();
    for (const item of page.items) {
      seen.add(item.id);
      const expectation = expected.get(item.id);
      if (expectation?.version === undefined) continue;
      if (expectation.deleted)
        this.stale.push({ at, what: `GET ${path} listed ${item.id} after its delete was acknowledged` });
      else if (item.version < expectation.version)
        this.stale.push({
          at,
          what: `GET ${path} listed ${item.id} at version ${item.version}, acknowledged ${expectation.version}`,
        });
    }
    if (!complete) return;
    for (const [id, expectation] of expected) {
      // A delete that began while the read was in flight may legitimately have removed it.
      const now = this.#listings.get(id);
      if (now === undefined || now.deleted || now.deleting) continue;
      if (expectation.version !== undefined && !expectation.deleted && !expectation.deleting && !seen.has(id))
        this.stale.push({ at, what: `GET ${path} did not list ${id}, whose creation was acknowledged` });
    }
  }
}
