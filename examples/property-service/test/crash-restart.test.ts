/**
 * A service killed between a database commit and its cache invalidation must not serve the old
 * entries after a restart on the same database file and disk cache folder.
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

async function getJson<T>(url: string): Promise<{ body: T; cache: string | null }> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return { body: (await response.json()) as T, cache: response.headers.get('x-cache') };
}

describe('restart after the service was killed mid-write', () => {
  it('drops the entries a SIGKILLed run left on disk, then serves from the cache again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'property-service-crash-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'listings.sqlite');
    const cacheDir = join(dir, 'cache');
    const env = { CACHE_BACKEND: 'disk', CACHE_DISK_DIR: cacheDir, DATABASE_FILE: file, LISTINGS: '10000' };

    const { child, url } = await startProcess(env);
    const detail = `${url}/properties/42`;
    const list = `${url}/properties?city=Lyon`;
    expect((await getJson<Listing>(detail)).cache).toBe('miss');
    const cached = await getJson<Listing>(detail);
    expect(cached).toMatchObject({ cache: 'hit', body: { id: 42, version: 1 } });
    await getJson(list);

    // The crash window: a write committed to the database while the service runs, whose
    // invalidation never happens because the process is killed right after (no hook runs).
    const writer = new ListingsDatabase({ file });
    const updated = writer.update(42, { price: cached.body.price + 1 })!.listing;
    writer.close();
    expect(updated.version).toBe(2);
    child.kill('SIGKILL');
    await once(child, 'exit');

    const restart = async (): Promise<RunningService> => {
      const database = new ListingsDatabase({ file });
      expect(database.seeded).toBe(false);
      const service = await startService({ CACHE_BACKEND: 'disk', CACHE_DISK_DIR: cacheDir }, { database });
      cleanups.push(() => database.close());
      cleanups.push(() => service.close());
      return service;
    };
    const second = await restart();
    const fresh = await second.call<Listing>('GET', '/properties/42');
    expect(fresh.headers.get('x-cache')).toBe('miss');
    expect(fresh.body).toMatchObject({ id: 42, version: 2, price: updated.price });
    const page = await second.call<{ items: Listing[] }>('GET', '/properties?city=Lyon');
    expect(page.headers.get('x-cache')).toBe('miss');
    await second.close();

    // The killed run is forgotten once its entries are gone: after a clean close, a restart
    // serves what the previous run cached, as usual.
    const third = await restart();
    const again = await third.call<Listing>('GET', '/properties/42');
    expect(again.headers.get('x-cache')).toBe('hit');
    expect(again.body).toMatchObject({ id: 42, version: 2, price: updated.price });
  });

  it('keeps the entries of a run that closed cleanly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'property-service-clean-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'listings.sqlite');
    const env = {
      CACHE_BACKEND: 'disk',
      CACHE_DISK_DIR: join(dir, 'cache'),
      DATABASE_FILE: file,
      LISTINGS: '10000',
    };

    const { child, url } = await startProcess(env);
    await getJson(`${url}/properties/42`);
    child.kill('SIGTERM'); // main.ts closes the app (and the cache) on SIGTERM, then exits
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);

    const database = new ListingsDatabase({ file });
    const service = await startService(
      { CACHE_BACKEND: 'disk', CACHE_DISK_DIR: join(dir, 'cache') },
      { database },
    );
    cleanups.push(() => database.close());
    cleanups.push(() => service.close());
    expect((await service.call('GET', '/properties/42')).headers.get('x-cache')).toBe('hit');
  });
});
