/**
 * A loopback TCP proxy in front of Redis with fault modes:
 * - `pass`: bytes flow both ways.
 * - `blackhole`: connections stay open and new ones are accepted, but nothing flows either way
 *   (reading stops, so bytes wait in the kernel as on a partitioned link; they flow again, in
 *   order, when the mode returns to `pass`, unless the client gave up on the socket).
 * - `reset`: every open connection is reset (RST) and every new one is reset on accept.
 * - `delay`: replies are held for `delayMs` each (in order) before they reach the client.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export type ProxyMode = 'pass' | 'blackhole' | 'reset' | 'delay';

interface Pair {
  client: Socket;
  upstream: Socket;
  /** When the last delayed reply of this pair is due, so replies keep their order. */
  lastDue: number;
}

export class FaultProxy {
  #mode: ProxyMode = 'pass';
  delayMs = 0;
  readonly #pairs = new Set<Pair>();
  readonly #server: Server;
  readonly #targetPort: number;
  #port = 0;
  accepted = 0;

  constructor(targetPort: number) {
    this.#targetPort = targetPort;
    this.#server = createServer((client) => this.#accept(client));
  }

  get port(): number {
    return this.#port;
  }
  get url(): string {
    return `redis://127.0.0.1:${this.#port}`;
  }
  get mode(): ProxyMode {
    return this.#mode;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen({ host: '127.0.0.1', port: 0 }, () => {
        const address = this.#server.address();
        this.#port = typeof address === 'object' && address !== null ? address.port : 0;
        resolve();
      });
    });
  }

  setMode(mode: ProxyMode, delayMs = this.delayMs): void {
    this.#mode = mode;
    this.delayMs = delayMs;
    for (const pair of this.#pairs) {
      if (mode === 'reset') this.#destroy(pair, true);
      else if (mode === 'blackhole') {
        pair.client.pause();
        pair.upstream.pause();
      } else {
        pair.client.resume();
        pair.upstream.resume();
      }
    }
  }

  #accept(client: Socket): void {
    this.accepted++;
    if (this.#mode === 'reset') {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect({ host: '127.0.0.1', port: this.#targetPort });
    const pair: Pair = { client, upstream, lastDue: 0 };
    this.#pairs.add(pair);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    if (this.#mode === 'blackhole') {
      client.pause();
      upstream.pause();
    }
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      if (this.#mode !== 'delay') {
        client.write(chunk);
        return;
      }
      const due = Math.max(Date.now() + this.delayMs, pair.lastDue);
      pair.lastDue = due;
      setTimeout(() => {
        if (!client.destroyed) client.write(chunk);
      }, due - Date.now()).unref();
    });
    const close = (): void => this.#destroy(pair, false);
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
  }

  #destroy(pair: Pair, reset: boolean): void {
    if (!this.#pairs.delete(pair)) return;
    if (reset && !pair.client.destroyed) pair.client.resetAndDestroy();
    else pair.client.destroy();
    pair.upstream.destroy();
  }

  async close(): Promise<void> {
    for (const pair of [...this.#pairs]) this.#destroy(pair, false);
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
