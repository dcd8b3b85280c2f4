export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker. */
  failureThreshold: number;
  /** Time after opening (or after a failed probe) before a probe may run. */
  cooldownMs: number;
  /** Clock, injectable for tests. Default `Date.now`. */
  now?: (() => number) | undefined;
  /** Called once per transition, never per command. */
  onStateChange?: ((state: BreakerState, reason: unknown) => void) | undefined;
}

/**
 * Closed → (failureThreshold consecutive failures) → open → (cooldown) → half-open: one probe
 * → closed on success, open again on failure. While not closed, normal traffic is refused so
 * a stalled server costs callers nothing; only the probe reaches it.
 */
export class CircuitBreaker {
  #state: BreakerState = 'closed';
  #failures = 0;
  #openedAt = 0;
  readonly #threshold: number;
  readonly #cooldownMs: number;
  readonly #now: () => number;
  readonly #onStateChange: ((state: BreakerState, reason: unknown) => void) | undefined;

  constructor(options: CircuitBreakerOptions) {
    this.#threshold = options.failureThreshold;
    this.#cooldownMs = options.cooldownMs;
    this.#now = options.now ?? Date.now;
    this.#onStateChange = options.onStateChange;
  }

  get state(): BreakerState {
    return this.#state;
  }

  /** True while normal operations may be sent. */
  get closed(): boolean {
    return this.#state === 'closed';
  }

  /** Consecutive failures counted so far while closed. */
  get failures(): number {
    return this.#failures;
  }

  /** Time until a probe may start (0 when it may start now or the breaker is closed). */
  get msUntilProbe(): number {
    if (this.#state !== 'open') return 0;
    return Math.max(0, this.#openedAt + this.#cooldownMs - this.#now());
  }

  recordSuccess(): void {
    if (this.#failures === 0 && this.#state === 'closed') return;
    this.#failures = 0;
    this.#transition('closed', undefined);
  }

  recordFailure(reason: unknown): void {
    if (this.#state === 'open') return;
    if (this.#state === 'half-open' || ++this.#failures >= this.#threshold) {
      this.#openedAt = this.#now();
      this.#transition('open', reason);
    }
  }

  /** Moves an open breaker whose cooldown has passed to half-open and answers true: the caller then sends one probe. */
  tryStartProbe(): boolean {
    if (this.#state !== 'open' || this.#now() - this.#openedAt < this.#cooldownMs) return false;
    this.#transition('half-open', undefined);
    return true;
  }

  /** Forces the breaker open (e.g. the connection closed), without waiting for failures. */
  trip(reason: unknown): void {
    if (this.#state === 'open') return;
    this.#openedAt = this.#now();
    this.#transition('open', reason);
  }

  #transition(state: BreakerState, reason: unknown): void {
    if (this.#state === state) return;
    if (state === 'closed') this.#failures = 0;
    this.#state = state;
    this.#onStateChange?.(state, reason);
  }
}
