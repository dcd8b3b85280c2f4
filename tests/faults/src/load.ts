/**
 * Steady open-loop load on the service: `rate` requests per second, at most `maxInFlight` at
 * once (a tick that finds the limit reached skips, and the skip is counted), every answer
 * checked by the ConsistencyTracker. The mix: detail reads of the harness's own listings and of
 * seeded ones, list pages of the harness's city (every item checked) and of seeded cities, and
 * PUT / DELETE / POST on the harness's listings (each invalidates every list page and a detail).
 */
import type { ConsistencyTracker } from './consistency.js';
import { type Expectation } from './consistency.js';

export const FAULT_CITY = 'Faultville';
export const OWNER = 'faults-owner';
const SEEDED_CITIES = ['Lyon', 'Paris', 'Marseille', 'Toulouse', 'Nice', 'Nantes', 'Bordeaux', 'Lille'];
/** The harness's listings stay on one page of its city's list, so a missing one is noticed. */
const MAX_TRACKED = 80;
const LIST_LIMIT = 100;

export interface Sample {
  /** ms since the driver started, when the request was sent */
  at: number;
  ms: number;
  phase: string;
  kind: string;
  /** HTTP status, or 0 when no answer came (connection refused/reset, timeout). */
  status: number;
  /** An answer that counts as a failure (5xx, unexpected 4xx, no answer while the service was up). */
  failure: boolean;
}

export interface LoadOptions {
  url: () => string;
  tracker: ConsistencyTracker;
  /** Requests per second. */
  rate: number;
  maxInFlight: number;
  /** Per-request timeout; an answer later than this counts as a failure. */
  requestTimeoutMs: number;
  /** Share of requests that are writes (PUT mostly, some DELETE/POST). */
  writeShare: number;
  /** Seeded listing ids read by detail requests (1..n). */
  seededIds: number;
}

/** xorshift32: the same mix on every run. */
function prng(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
}

export class LoadDriver {
  readonly samples: Sample[] = [];
  readonly failures: string[] = [];
  phase = 'warmup';
  skipped = 0;
  /** Set while the service is down on purpose (scenario 6): requests without an answer are expected. */
  serviceDown = false;
  connectionErrorsWhileDown = 0;
  readonly #options: LoadOptions;
  readonly #random = prng(0x5eed);
  readonly #origin = Date.now();
  #inFlight = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #pending = new Set<Promise<void>>();
  #writesInPhase = new Map<string, number>();

  constructor(options: LoadOptions) {
    this.#options = options;
  }

  now(): number {
    return Date.now() - this.#origin;
  }

  writesIn(phase: string): number {
    return this.#writesInPhase.get(phase) ?? 0;
  }

  start(): void {
    const perTick = this.#options.rate / 100;
    let credit = 0;
    this.#timer = setInterval(() => {
      credit += perTick;
      while (credit >= 1) {
        credit -= 1;
        if (this.#inFlight >= this.#options.maxInFlight) {
          this.skipped++;
          continue;
        }
        const request = this.#one();
        this.#pending.add(request);
        void request.finally(() => this.#pending.delete(request));
      }
    }, 10);
  }

  /** Stops sending and waits for every request in flight. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await Promise.allSettled([...this.#pending]);
  }

  /** Creates `count` listings owned by the harness (before the load starts). */
  async createListings(count: number): Promise<void> {
    for (let i = 0; i < count; i++) await this.#post('setup');
  }

  async #one(): Promise<void> {
    this.#inFlight++;
    try {
      const roll = this.#random();
      const writeShare = this.#options.writeShare;
      if (roll < writeShare) {
        const kind = this.#random();
        const live = this.#options.tracker.liveIds();
        if (kind < 0.12 && live.length > 20)
          await this.#delete(live[Math.floor(this.#random() * live.length)] as number);
        else if ((kind < 0.24 || live.length === 0) && this.#options.tracker.allIds().length < MAX_TRACKED)
          await this.#post(this.phase);
        else if (live.length > 0) await this.#put(live[Math.floor(this.#random() * live.length)] as number);
        return;
      }
      const read = (roll - writeShare) / (1 - writeShare);
      if (read < 0.55) {
        const ids = this.#options.tracker.allIds();
        if (ids.length > 0)
          await this.readDetail(ids[Math.floor(this.#random() * ids.length)] as number, 'detail');
      } else if (read < 0.7) {
        await this.readDetail(1 + Math.floor(this.#random() * this.#options.seededIds), 'detail-seeded');
      } else if (read < 0.82) {
        await this.readFaultCity();
      } else {
        const city = SEEDED_CITIES[Math.floor(this.#random() * SEEDED_CITIES.length)] as string;
        const page = 1 + Math.floor(this.#random() * 25);
        await this.#readList(`/properties?city=${city}&page=${page}&limit=20`, 'list-seeded', false);
      }
    } finally {
      this.#inFlight--;
    }
  }

  async #request(
    method: string,
    path: string,
    kind: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown; sentAt: number }> {
    const sentAt = this.now();
    const phase = this.phase;
    const down = this.serviceDown;
    let status = 0;
    let json: unknown;
    let error: unknown;
    try {
      const headers: Record<string, string> = {};
      if (method !== 'GET') headers['x-user-id'] = OWNER;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(this.#options.url() + path, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.#options.requestTimeoutMs),
      });
      status = response.status;
      const text = await response.text();
      json = text === '' ? undefined : JSON.parse(text);
    } catch (caught) {
      error = caught;
    }
    const ms = this.now() - sentAt;
    let failure = false;
    if (status === 0) {
      if (down || this.serviceDown) this.connectionErrorsWhileDown++;
      else {
        failure = true;
        this.failures.push(
          `${method} ${path}: no answer (${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)})`,
        );
      }
    } else if (status >= 500 || (status >= 400 && status !== 404)) {
      failure = true;
      this.failures.push(`${method} ${path}: ${status} ${JSON.stringify(json).slice(0, 200)}`);
    }
    // A 404 is a failure unless the listing is (being) deleted: decided by the caller.
    this.samples.push({ at: sentAt, ms, phase, kind, status, failure });
    return { status, json, sentAt };
  }

  #flagUnexpected404(method: string, path: string, sentAt: number): void {
    const sample = this.samples.findLast((s) => s.at === sentAt && s.status === 404);
    if (sample !== undefined) sample.failure = true;
    this.failures.push(`${method} ${path}: 404 for a listing that exists`);
  }

  async readDetail(id: number, kind: string): Promise<void> {
    const tracker = this.#options.tracker;
    const expected = tracker.expect(id);
    const path = `/properties/${id}`;
    const { status, json, sentAt } = await this.#request('GET', path, kind);
    if (
      status === 404 &&
      expected.version !== undefined &&
      !expected.deleted &&
      !expected.deleting &&
      !tracker.isDeleted(id)
    )
      this.#flagUnexpected404('GET', path, sentAt);
    if (status === 404 && kind === 'detail-seeded') this.#flagUnexpected404('GET', path, sentAt);
    tracker.checkDetail(
      id,
      expected,
      status,
      (json as { version?: number } | undefined)?.version,
      this.now(),
    );
  }

  async readFaultCity(): Promise<void> {
    await this.#readList(`/properties?city=${FAULT_CITY}&limit=${LIST_LIMIT}`, 'list', true);
  }

  async #readList(path: string, kind: string, checkItems: boolean): Promise<void> {
    const tracker = this.#options.tracker;
    const expected = new Map<number, Expectation>();
    if (checkItems) for (const id of tracker.allIds()) expected.set(id, tracker.expect(id));
    const globalVersion = tracker.expect(undefined).dataVersion;
    const { status, json } = await this.#request('GET', path, kind);
    if (status !== 200) return;
    const page = json as { dataVersion: number; items: { id: number; version: number }[] };
    tracker.checkList(path, expected, globalVersion, page, this.now(), checkItems);
  }

  async #put(id: number): Promise<void> {
    const price = 100_000 + Math.floor(this.#random() * 900_000);
    const { status, json } = await this.#request('PUT', `/properties/${id}`, 'put', { price });
    this.#countWrite();
    if (status !== 200) return;
    const answer = json as { property: { id: number; version: number }; dataVersion: number };
    this.#options.tracker.acknowledgeWrite(answer.property.id, answer.property.version, answer.dataVersion);
  }

  async #post(phase: string): Promise<void> {
    const body = {
      title: `fault listing ${this.#random().toString(36).slice(2, 8)}`,
      city: FAULT_CITY,
      price: 100_000 + Math.floor(this.#random() * 900_000),
      bedrooms: 1 + Math.floor(this.#random() * 4),
      type: 'apartment',
    };
    const { status, json } = await this.#request(
      'POST',
      '/properties',
      phase === 'setup' ? 'setup' : 'post',
      body,
    );
    if (phase !== 'setup') this.#countWrite();
    if (status !== 201) {
      if (phase === 'setup')
        throw new Error(`creating a listing answered ${status}: ${JSON.stringify(json)}`);
      return;
    }
    const answer = json as { property: { id: number; version: number }; dataVersion: number };
    this.#options.tracker.acknowledgeWrite(answer.property.id, answer.property.version, answer.dataVersion);
  }

  async #delete(id: number): Promise<void> {
    const tracker = this.#options.tracker;
    tracker.beginDelete(id);
    const { status, json } = await this.#request('DELETE', `/properties/${id}`, 'delete');
    this.#countWrite();
    if (status === 200) tracker.acknowledgeDelete(id, (json as { dataVersion: number }).dataVersion);
    else tracker.abandonDelete(id);
  }

  #countWrite(): void {
    this.#writesInPhase.set(this.phase, this.writesIn(this.phase) + 1);
  }

  /** Explicit writes (scenario 5): PUT `puts` live listings and DELETE `deletes` others, now. */
  async writeBurst(puts: number, deletes: number): Promise<number[]> {
    const live = this.#options.tracker.liveIds();
    const touched = live.slice(0, puts + deletes);
    await Promise.all(touched.map((id, index) => (index < puts ? this.#put(id) : this.#delete(id))));
    return touched;
  }
}
