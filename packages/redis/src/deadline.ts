/** A command that did not settle within the backend's `commandTimeout`. */
export class CommandTimeoutError extends Error {
  /**
   * True when no command bounded by the same queue got any answer while this one waited: the
   * connection is hung rather than one command being slow (Redis answers a connection's
   * commands in order, so everything sent after this one is stuck behind it too).
   */
  readonly silent: boolean;

  constructor(timeoutMs: number, silent: boolean) {
    super(`command timed out after ${timeoutMs} ms${silent ? ' (no reply to any command meanwhile)' : ''}`);
    this.name = 'CommandTimeoutError';
    this.silent = silent;
  }
}

/** One command in flight: settled by its reply or by `expire()`, whichever comes first. */
abstract class PendingCommand {
  settled = false;
  constructor(
    readonly deadline: number,
    /** The queue's answer count when the command was sent: unchanged at expiry means silence. */
    readonly answersAtSend: number,
  ) {}
  abstract expire(error: Error): void;
}

/** Of `bound()`: a timeout rejects. */
class RejectingCommand extends PendingCommand {
  constructor(
    deadline: number,
    answersAtSend: number,
    readonly reject: (error: unknown) => void,
  ) {
    super(deadline, answersAtSend);
  }
  expire(error: Error): void {
    this.settled = true;
    this.reject(error);
  }
}

/** Of `run()`: a timeout resolves with what `onError` makes of it. */
class AnsweringCommand<R> extends PendingCommand {
  constructor(
    deadline: number,
    answersAtSend: number,
    readonly resolve: (answer: R) => void,
    readonly onError: (error: unknown) => R,
  ) {
    super(deadline, answersAtSend);
  }
  expire(error: Error): void {
    this.settled = true;
    this.resolve(this.onError(error));
  }
}

/**
 * Bounds promises by one fixed timeout with a single timer for all of them.
 *
 * Every command gets the same timeout, so deadlines are reached in the order commands were
 * issued: a FIFO queue whose head is always the next to expire. The one timer is armed for
 * the head's deadline; when it fires, expired heads are settled and answered ones dropped.
 * Replies arrive roughly in order too, so answered entries are mostly dropped from the head
 * as new ones are pushed, and the queue stays short. This costs a queue slot per command
 * instead of a `setTimeout`/`clearTimeout` pair.
 */
export class DeadlineQueue {
  readonly #timeoutMs: number;
  readonly #now: () => number;
  #queue: PendingCommand[] = [];
  #head = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Commands that settled by themselves (a reply or an error), ever: tells a hang from one slow command. */
  #answers = 0;

  constructor(timeoutMs: number, now: () => number = performance.now.bind(performance)) {
    this.#timeoutMs = timeoutMs;
    this.#now = now;
  }

  /** Commands issued and not yet settled nor expired (for tests and diagnostics). */
  get pending(): number {
    let count = 0;
    for (let i = this.#head; i < this.#queue.length; i++)
      if (!(this.#queue[i] as PendingCommand).settled) count++;
    return count;
  }

  /** True while a command bounded earlier has neither settled nor expired. */
  get busy(): boolean {
    const queue = this.#queue;
    while (this.#head < queue.length && (queue[this.#head] as PendingCommand).settled) this.#head++;
    return this.#head < queue.length;
  }

  /** Queue slots held, settled or not (settled ones are dropped lazily). */
  get slots(): number {
    return this.#queue.length - this.#head;
  }

  /**
   * Settles like `command`, or rejects with `CommandTimeoutError` once the timeout has passed.
   * `command` keeps a rejection handler either way, so a late failure is never unhandled.
   */
  bound<T>(command: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry = new RejectingCommand(this.#now() + this.#timeoutMs, this.#answers, reject);
      this.#push(entry);
      command.then(
        (value) => {
          this.#answers++;
          if (entry.settled) return;
          entry.settled = true;
          resolve(value);
        },
        (error: unknown) => {
          this.#answers++;
          if (entry.settled) return;
          entry.settled = true;
          reject(error);
        },
      );
    });
  }

  /**
   * The hot-path form of `bound`: the answer is `onValue(reply)`, or `onError(error)` when the
   * command fails or times out, so the returned promise never rejects and no second promise is
   * chained on top. If `onValue` throws, its error goes to `onError`.
   */
  run<T, R>(command: Promise<T>, onValue: (value: T) => R, onError: (error: unknown) => R): Promise<R> {
    return new Promise<R>((resolve) => {
      const entry = new AnsweringCommand(this.#now() + this.#timeoutMs, this.#answers, resolve, onError);
      this.#push(entry);
      command.then(
        (value) => {
          this.#answers++;
          if (entry.settled) return;
          entry.settled = true;
          let answer: R;
          try {
            answer = onValue(value);
          } catch (error) {
            answer = onError(error);
          }
          resolve(answer);
        },
        (error: unknown) => {
          this.#answers++;
          if (entry.settled) return;
          entry.settled = true;
          resolve(onError(error));
        },
      );
    });
  }

  #push(entry: PendingCommand): void {
    const queue = this.#queue;
    if (!this.busy) {
      queue.length = 0;
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > queue.length) {
      queue.splice(0, this.#head);
      this.#head = 0;
    }
    queue.push(entry);
    if (this.#timer === undefined) this.#arm(entry.deadline);
  }

  #arm(at: number): void {
    this.#timer = setTimeout(this.#expire, Math.max(0, Math.ceil(at - this.#now())));
  }

  readonly #expire = (): void => {
    this.#timer = undefined;
    const queue = this.#queue;
    const now = this.#now();
    let slow: CommandTimeoutError | undefined;
    let silent: CommandTimeoutError | undefined;
    while (this.#head < queue.length) {
      const entry = queue[this.#head] as PendingCommand;
      if (!entry.settled) {
        if (entry.deadline > now) break;
        entry.expire(
          entry.answersAtSend === this.#answers
            ? (silent ??= new CommandTimeoutError(this.#timeoutMs, true))
            : (slow ??= new CommandTimeoutError(this.#timeoutMs, false)),
        );
      }
      this.#head++;
    }
    if (this.#head === queue.length) {
      queue.length = 0;
      this.#head = 0;
      return;
    }
    this.#arm((queue[this.#head] as PendingCommand).deadline);
  };
}
