import { createServer, connect, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultProxy } from '../src/tcp-proxy.js';

/** An echo server: the proxy's upstream. */
async function echoServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.on('data', (chunk) => socket.write(chunk)));
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address !== null ? address.port : 0 };
}

function client(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

function nextData(socket: Socket, within: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.off('data', onData);
      resolve(undefined);
    }, within);
    const onData = (chunk: Buffer): void => {
      clearTimeout(timer);
      resolve(chunk.toString('utf8'));
    };
    socket.once('data', onData);
  });
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(): Promise<{ proxy: FaultProxy; socket: Socket }> {
  const echo = await echoServer();
  cleanups.push(() => new Promise<void>((resolve) => echo.server.close(() => resolve())));
  const proxy = new FaultProxy(echo.port);
  await proxy.listen();
  cleanups.push(() => proxy.close());
  const socket = await client(proxy.port);
  socket.on('error', () => undefined);
  cleanups.push(() => void socket.destroy());
  return { proxy, socket };
}

describe('FaultProxy', () => {
  it('passes bytes both ways', async () => {
    const { socket } = await setup();
    socket.write('ping');
    expect(await nextData(socket, 2000)).toBe('ping');
  });

  it('blackholes: nothing comes back, then the held bytes arrive in order once it passes again', async () => {
    const { proxy, socket } = await setup();
    proxy.setMode('blackhole');
    socket.write('held');
    expect(await nextData(socket, 300)).toBeUndefined();
    const arrived = nextData(socket, 2000);
    proxy.setMode('pass');
    expect(await arrived).toBe('held');
  });

  it('resets open connections and refuses new ones while in reset mode', async () => {
    const { proxy, socket } = await setup();
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    proxy.setMode('reset');
    await closed;
    const second = await client(proxy.port).catch(() => undefined);
    if (second !== undefined) {
      second.on('error', () => undefined);
      await new Promise<void>((resolve) => second.once('close', () => resolve()));
      expect(second.destroyed).toBe(true);
    }
  });

  it('delays replies by delayMs, keeping their order', async () => {
    const { proxy, socket } = await setup();
    proxy.setMode('delay', 300);
    socket.write('a');
    expect(await nextData(socket, 150)).toBeUndefined();
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
    socket.write('b');
    await sleep(600);
    expect(received).toBe('ab');
  });
});
