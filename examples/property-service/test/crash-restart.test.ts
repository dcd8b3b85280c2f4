/**
 * Real service processes SIGKILLed on a disk cache, restarted on the same database file and cache
 * folder: a write cut between its commit and its invalidation is never served stale afterwards,
 * and a crash costs only the entries such writes made stale (src/invalidation-outbox.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Listing } from '../src/db.js';
import { ListingsDatabase } from '../src/db.js';
import { EXAMPLE_DIR } from '../src/settings.js';
import { startService, type RunningService } from './support/service.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** `pnpm start` as its own process (`src/main.ts` under tsx), on the given files; answers once it listens. */
async function startProcess(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: EXAMPLE_DIR,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) resolve(match[1]);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) =>
      reject(new Error(`service exited before listening (${code ?? signal}):\n${output}`)),
    );
  });
  return { child, url };
}

async function getJson<T>(url: string, user?: string): Promise<{ body: T; cache: string | null }> {
  const response = await fetch(url, user === undefined ? {} : { headers: { 'x-user-id': user } });
  expect(response.status).toBe(200);
  return { body: (await response.json()) as T, cache: response.headers.get('x-cache') };
}

async function send(method: string, url: string, user: string, body: unknown): Promise<number> {
  const response = await fetch(url, {
    method,
    headers: { 'x-user-id': user, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}

/** A scratch folder with the database file and the cache folder, removed after the test. */
function scratch(label: string): { file: string; cacheDir: string; env: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), `property-service-${label}-`));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'listings.sqlite');
  const cacheDir = join(dir, 'cache');
  return {
    file,
    cacheDir,
    env: { CACHE_BACKEND: 'disk', CACHE_DISK_DIR: cacheDir, DATABASE_FILE: file, LISTINGS: '10000' },
  };
}

async function kill(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL');
  await once(child, 'exit');
}

/** The service again, in this process, on the same database file and cache folder. */
async function restart(file: string, cacheDir: string): Promise<RunningService> {
  const database = new ListingsDatabase({ file });
  expect(database.seeded).toBe(false);
  cleanups.push(() => database.close());
  const service = await startService({ CACHE_BACKEND: 'disk', CACHE_DISK_DIR: cacheDir }, { database });
  cleanups.push(() => service.close());
  return service;
}

describe('restart after the service was killed', () => {
  it('replays a write cut between its commit and its invalidation, and keeps the rest of the cache', async () => {
    const { file, cacheDir, env } = scratch('crash');
    const { child, url } = await startProcess(env);
    const detail = `${url}/properties/42`;
    expect((await getJson<Listing>(detail)).cache).toBe('miss');
    const cached = await getJson<Listing>(detail);
    expect(cached).toMatchObject({ cache: 'hit', body: { id: 42, version: 1 } });
    await getJson(`${url}/properties?city=Lyon`);
    await getJson(`${url}/properties/7`);
    expect(
      await send('POST', `${url}/saved-searches`, 'user-7', { name: 'Lyon', filters: { city: 'Lyon' } }),
    ).toBe(201);
    await getJson(`${url}/saved-searches`, 'user-7');
    expect((await getJson(`${url}/saved-searches`, 'user-7')).cache).toBe('hit');

    // The crash window: a write committed while the service runs (the route's own database call,
    // so with its outbox row), whose invalidation never happens because the process is killed
    // right after (no hook runs).
    const writer = new ListingsDatabase({ file });
    const updated = writer.update(42, { price: cached.body.price + 1 })!;
    expect(writer.pendingInvalidations()).toEqual([updated.invalidation]);
    writer.close();
    expect(updated.listing.version).toBe(2);
    await kill(child);

    const service = await restart(file, cacheDir);
    expect(service.db.pendingInvalidations()).toEqual([]);
    // Not stale: the detail and the list pages the cut write touched are gone.
    const fresh = await service.call<Listing>('GET', '/properties/42');
    expect(fresh.headers.get('x-cache')).toBe('miss');
    expect(fresh.body).toMatchObject({ id: 42, version: 2, price: updated.listing.price });
    const page = await service.call('GET', '/properties?city=Lyon');
    expect(page.headers.get('x-cache')).toBe('miss');
    // Warm: what the write did not touch is still served from the cache the killed run left.
    const other = await service.call<Listing>('GET', '/properties/7');
    expect(other.headers.get('x-cache')).toBe('hit');
    expect(other.body).toMatchObject({ id: 7, version: 1 });
    const searches = await service.call<{ searches: { name: string }[] }>('GET', '/saved-searches', {
      user: 'user-7',
    });
    expect(searches.headers.get('x-cache')).toBe('hit');
    expect(searches.body.searches.map((search) => search.name)).toEqual(['Lyon']);
  });

  it('keeps the whole cache warm, list pages too, when no write was cut', async () => {
    const { file, cacheDir, env } = scratch('idle-crash');
    const { child, url } = await startProcess(env);
    const { ownerId } = (await getJson<Listing>(`${url}/properties/42`)).body;
    // A write that completed: its invalidation ran and its outbox row is gone.
    expect(await send('PUT', `${url}/properties/42`, ownerId, { bedrooms: 5 })).toBe(200);
    const reader = new ListingsDatabase({ file });
    expect(reader.pendingInvalidations()).toEqual([]);
    reader.close();
    await getJson(`${url}/properties/42`);
    await getJson(`${url}/properties?city=Lyon&bedrooms=2`);
    await kill(child);

    const service = await restart(file, cacheDir);
    const detail = await service.call<Listing>('GET', '/properties/42');
    expect(detail.headers.get('x-cache')).toBe('hit');
    expect(detail.body).toMatchObject({ id: 42, version: 2, bedrooms: 5 });
    expect((await service.call('GET', '/properties?city=Lyon&bedrooms=2')).headers.get('x-cache')).toBe(
      'hit',
    );
  });

  it('keeps the entries of a run that closed cleanly', async () => {
    const { file, cacheDir, env } = scratch('clean');
    const { child, url } = await startProcess(env);
    await getJson(`${url}/properties/42`);
    child.kill('SIGTERM'); // main.ts closes the app (and the cache) on SIGTERM, then exits
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);

    const service = await restart(file, cacheDir);
    expect((await service.call('GET', '/properties/42')).headers.get('x-cache')).toBe('hit');
  });

  it('starts a second process beside a running one without dropping the shared cache', async () => {
    const { env } = scratch('siblings');
    const first = await startProcess(env);
    const { ownerId } = (await getJson<Listing>(`${first.url}/properties/42`)).body;
    await getJson(`${first.url}/properties?city=Nice`);

    const second = await startProcess(env);
    expect((await getJson(`${second.url}/properties/42`)).cache).toBe('hit');
    expect((await getJson(`${second.url}/properties?city=Nice`)).cache).toBe('hit');
    // A write through one is seen through the other (they share the cache folder).
    expect(await send('PUT', `${first.url}/properties/42`, ownerId, { bedrooms: 1 })).toBe(200);
    expect((await getJson<Listing>(`${second.url}/properties/42`)).body).toMatchObject({
      version: 2,
      bedrooms: 1,
    });
  });
});
