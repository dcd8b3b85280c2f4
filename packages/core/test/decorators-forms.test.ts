import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cached, CacheConfigError, invalidateCache } from '@cache/core';
import { FaultyBackend, settle } from './fixtures/decorators/faulty-backend.js';
import * as legacyFixture from './fixtures/decorators/legacy/property-service.js';

const legacyDir = fileURLToPath(new URL('./fixtures/decorators/legacy/', import.meta.url));

type FixtureModule = typeof legacyFixture;

/**
 * The same service behaves the same whatever compiled it: cached reads, per-user search,
 * invalidation after an update, a static method.
 */
async function exerciseService(fixture: FixtureModule): Promise<void> {
  const cache = new FaultyBackend();
  fixture.fixtureCache.current = cache;
  const repository = new fixture.PropertyRepository();
  const service = new fixture.PropertyService(repository);

  expect(await service.findById('1')).toEqual({ id: '1', city: 'Pune', price: 100 });
  await settle();
  expect(await service.findById('1')).toEqual({ id: '1', city: 'Pune', price: 100 });
  expect(repository.reads).toBe(1);
  expect(cache.keys('get')[0]).toBe('property:1:detail');

  const asAlice = { city: 'Pune', currentUser: { id: 1 }, db: repository };
  expect((await service.search(asAlice)).map((row) => row.id)).toEqual(['1', '2']);
  await settle();
  await service.search({ ...asAlice, db: 'another connection' });
  expect(repository.reads).toBe(2);
  await service.search({ city: 'Pune' }); // no user: uncached
  await service.search({ city: 'Pune' });
  expect(repository.reads).toBe(4);

  expect(await service.updatePrice('1', 150)).toEqual({ id: '1', city: 'Pune', price: 150 });
  expect(cache.keys('deletePattern')).toEqual(['property:1:*', 'properties:*']);
  expect(await service.findById('1')).toEqual({ id: '1', city: 'Pune', price: 150 });
  expect(await service.search(asAlice)).toContainEqual({ id: '1', city: 'Pune', price: 150 });
  expect(repository.reads).toBe(6);

  const failure = await service.updatePrice('9', 1).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(RangeError);
  expect(cache.keys('deletePattern')).toHaveLength(2);

  expect(await fixture.PropertyService.count({ db: repository })).toBe(3);
  await settle();
  expect(await fixture.PropertyService.count({ db: repository })).toBe(3);
  expect(repository.reads).toBe(7);
  expect(fixture.PropertyService.prototype.findById.name).toBe('findById');
}

describe('function wrapper', () => {
  test('wraps an async function, keeps its name and passes `this` through', async () => {
    const cache = new FaultyBackend();
    async function loadUser(this: { base: number }, id: number): Promise<number> {
      return this.base + id;
    }
    const wrapped = cached('user', { cache })(loadUser);
    expect(wrapped.name).toBe('loadUser');
    expect(await wrapped.call({ base: 10 }, 1)).toBe(11);
  });

  test('called with something other than a function: CacheConfigError', () => {
    const decorator = cached('p') as unknown as (value: unknown) => unknown;
    expect(() => decorator('not a function')).toThrow(CacheConfigError);
    expect(() => decorator('not a function')).toThrow("cached('p') must wrap an async function (got string)");
    const invalidator = invalidateCache('p:*') as unknown as (value: unknown) => unknown;
    expect(() => invalidator(42)).toThrow('invalidateCache("p:*") must wrap an async function (got number)');
  });
});

describe('TC39 standard decorators (TypeScript 5 default), compiled by vitest', () => {
  test('instance, static and private methods', async () => {
    const cache = new FaultyBackend();
    class Catalog {
      static loads = 0;
      loads = 0;

      @cached('item', { cache })
      async item(id: number): Promise<string> {
        this.loads++;
        return this.#label(id);
      }

      @cached('catalog-size', { cache })
      static async size(): Promise<number> {
        Catalog.loads++;
        return 3;
      }

      @cached('private', { cache })
      async #label(id: number): Promise<string> {
        return `item ${id}`;
      }

      @invalidateCache('item:*', { cache })
      async rename(): Promise<void> {}
    }
    const catalog = new Catalog();
    expect(await catalog.item(1)).toBe('item 1');
    await settle();
    expect(await catalog.item(1)).toBe('item 1');
    expect(catalog.loads).toBe(1);
    expect(await Catalog.size()).toBe(3);
    await settle();
    expect(await Catalog.size()).toBe(3);
    expect(Catalog.loads).toBe(1);
    await catalog.rename();
    expect(await catalog.item(1)).toBe('item 1');
    expect(catalog.loads).toBe(2);
    expect(Catalog.prototype.item.name).toBe('item');
  });

  test('instances share entries: `this` is not part of the key unless key adds it', async () => {
    const cache = new FaultyBackend();
    class Tenant {
      constructor(readonly name: string) {}

      @cached('shared', { cache })
      async shared(): Promise<string> {
        return this.name;
      }

      @cached('own', {
        cache,
        key(this: Tenant) {
          return this.name;
        },
      })
      async own(): Promise<string> {
        return this.name;
      }
    }
    const a = new Tenant('a');
    const b = new Tenant('b');
    await a.shared();
    await a.own();
    await settle();
    expect(await b.shared()).toBe('a');
    expect(await b.own()).toBe('b');
  });

  test('a field or an accessor is refused when the class is defined, naming it', () => {
    expect(() => {
      class WithField {
        // @ts-expect-error: a field is not a method
        @cached('f')
        handler = async (): Promise<number> => 1;
      }
      return WithField;
    }).toThrow("cached('f') can only decorate methods, not the field 'handler': use it on an async method");
    expect(() => {
      class WithGetter {
        // @ts-expect-error: a getter is not a method
        @invalidateCache('x:*')
        get total(): Promise<number> {
          return Promise.resolve(1);
        }
      }
      return WithGetter;
    }).toThrow(CacheConfigError);
    expect(() => {
      class WithAccessor {
        // @ts-expect-error: an auto-accessor is not a method
        @cached('a')
        accessor value = async (): Promise<number> => 1;
      }
      return WithAccessor;
    }).toThrow("cached('a') can only decorate methods, not the accessor 'value'");
  });
});

describe('legacy experimentalDecorators (NestJS), compiled by vitest from a folder whose tsconfig enables them', () => {
  test('the fixture really is compiled the legacy way: decorators get (target, key, descriptor)', () => {
    expect(legacyFixture.decoratorCalls).toContainEqual({ argumentCount: 3, second: 'string' });
  });

  test('a NestJS-style service: cached reads, per-user search, invalidation, static methods', async () => {
    await exerciseService(legacyFixture);
  });

  test('a field or a getter is refused when the class is defined, naming it', () => {
    expect(() => legacyFixture.defineClassWithCachedField()).toThrow(CacheConfigError);
    expect(() => legacyFixture.defineClassWithCachedField()).toThrow(
      "cached('field') can only decorate methods, not the property or accessor 'handler'",
    );
    expect(() => legacyFixture.defineClassWithCachedGetter()).toThrow(
      "cached('getter') can only decorate methods, not the property or accessor 'total'",
    );
  });
});

describe('compiled by tsc, as a TypeScript app ships it', () => {
  let outDir: string;
  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'cache-decorators-'));
  });
  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
  });

  async function compileFixture(experimentalDecorators: boolean): Promise<FixtureModule> {
    const source = await readFile(join(legacyDir, 'property-service.ts'), 'utf8');
    const { outputText, diagnostics } = ts.transpileModule(source, {
      compilerOptions: {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        experimentalDecorators,
        emitDecoratorMetadata: experimentalDecorators,
      },
      reportDiagnostics: true,
    });
    expect(diagnostics ?? []).toEqual([]);
    // tsc's own helpers run the decorators, never esbuild's (the output has no decorator syntax left).
    expect(outputText).not.toMatch(/^\s*@/m);
    expect(outputText).toContain(experimentalDecorators ? '__decorate(' : '__esDecorate(');
    const file = join(outDir, `property-service-${experimentalDecorators ? 'legacy' : 'tc39'}.js`);
    await writeFile(file, outputText);
    return (await import(/* @vite-ignore */ pathToFileURL(file).href)) as FixtureModule;
  }

  test('TC39 decorators as tsc emits them (TypeScript 5 default)', async () => {
    const fixture = await compileFixture(false);
    expect(fixture.decoratorCalls).toEqual([{ argumentCount: 2, second: 'object' }]);
    await exerciseService(fixture);
  });

  test('legacy decorators as tsc emits them, with emitDecoratorMetadata (NestJS)', async () => {
    const fixture = await compileFixture(true);
    expect(fixture.decoratorCalls).toEqual([{ argumentCount: 3, second: 'string' }]);
    await exerciseService(fixture);
  });
});

test('the legacy fixture type-checks with experimentalDecorators, misuse included as expected errors', async () => {
  const tsc = fileURLToPath(new URL('../../../node_modules/typescript/bin/tsc', import.meta.url));
  const run = promisify(execFile);
  const { stdout } = await run(process.execPath, [tsc, '-p', join(legacyDir, 'tsconfig.json')]).catch(
    (error: { stdout: string }) => error,
  );
  expect(stdout).toBe('');
}, 60_000);
