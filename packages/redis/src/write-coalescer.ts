import type { Cluster, Redis } from 'ioredis';

interface Corkable {
  cork(): void;
  uncork(): void;
  writable: boolean;
}

/**
 * Coalesces the commands issued within one tick into one socket write.
 *
 * ioredis writes every command to the socket as it is issued: at 64 concurrent operations
 * that is 64 `write` syscalls per round trip. Corking the socket before the first command of
 * a tick and uncorking it on `process.nextTick` turns them into one `writev` (the technique
 * node-redis uses), without ioredis' auto-pipelining, which waits for a pipeline's replies
 * before sending the next one. Commands are only delayed to the end of the current tick.
 *
 * Only while other commands are in flight, though: a caller that waits for each reply before
 * sending the next command has nothing to coalesce with, and corking would only add the
 * cork/uncork and the tick hop to every round trip.
 */
export class WriteCoalescer {
  readonly #client: Redis | Cluster;
  readonly #othersInFlight: () => boolean;
  readonly #corked: Corkable[] = [];
  #scheduled = false;

  /** `othersInFlight` answers whether a command sent earlier still awaits its reply. */
  constructor(client: Redis | Cluster, othersInFlight: () => boolean) {
    this.#client = client;
    this.#othersInFlight = othersInFlight;
  }

  /** Call before issuing a command. */
  hold(): void {
    if (this.#scheduled || !this.#othersInFlight()) return;
    this.#scheduled = true;
    const client = this.#client;
    if (client.isCluster) {
      for (const node of (client as Cluster).nodes()) this.#cork(node.stream as Corkable | undefined);
    } else {
      this.#cork((client as Redis).stream as Corkable | undefined);
    }
    process.nextTick(this.#release);
  }

  #cork(stream: Corkable | undefined): void {
    if (stream === undefined || stream === null || !stream.writable) return;
    stream.cork();
    this.#corked.push(stream);
  }

  readonly #release = (): void => {
    this.#scheduled = false;
    const corked = this.#corked;
    for (let i = 0; i < corked.length; i++) (corked[i] as Corkable).uncork();
    corked.length = 0;
  };
}
