/** The README's opening example runs as written (against a real server via REDIS_URL) and prints what its comments say. */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startRedisServer, type RedisServer } from './support/redis-server.js';

const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
const dir = fileURLToPath(new URL('./.readme-example/', import.meta.url));

let server: RedisServer;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await server?.stop();
});

it('runs the opening example', async () => {
  mkdirSync(dir, { recursive: true });
  const file = `${dir}example-${process.pid}.ts`;
  writeFileSync(file, example);
  const previousUrl = process.env.REDIS_URL;
  process.env.REDIS_URL = server.url;
  const calls: unknown[][] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void calls.push(args));
  try {
    await import(/* @vite-ignore */ file);
    expect(calls).toEqual([[{ name: 'Ada', roles: ['admin'] }], [1]]);
    // It went to Redis, under the default prefix, as plain JSON (and was deleted again).
    expect(await server.command('EXISTS', 'cache:user:42')).toBe(0);
  } finally {
    log.mockRestore();
    if (previousUrl === undefined) delete process.env.REDIS_URL;
    else process.env.REDIS_URL = previousUrl;
  }
});
