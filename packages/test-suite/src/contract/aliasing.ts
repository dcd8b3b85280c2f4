import { expect } from 'vitest';
import { check, type ConcernDefinition } from '../concern.js';

interface Doc {
  title: string;
  tags: string[];
  meta: { views: number };
}

const doc = (): Doc => ({ title: 'original', tags: ['a'], meta: { views: 1 } });

/**
 * A value read back is never the object that was stored or one handed out before, so no
 * caller can change the cache by mutating what it holds. Registered when `clonesValues`.
 */
export const aliasingConcern: ConcernDefinition = {
  concern: 'aliasing',
  title: 'no aliasing between callers and the cache',
  cases: (options) =>
    !options.clonesValues
      ? []
      : [
          check('mutating an object after set does not change the cached value', async ({ backend, key }) => {
            const value = doc();
            await backend.set(key('doc'), value);
            value.title = 'changed';
            value.tags.push('b');
            value.meta.views = 99;
            expect(await backend.get(key('doc'))).toEqual(doc());
          }),

          check(
            'mutating a value returned by get does not change the cached value',
            async ({ backend, key }) => {
              await backend.set(key('doc'), doc());
              const first = (await backend.get(key('doc'))) as Doc;
              first.title = 'changed';
              first.tags.length = 0;
              first.meta.views = 99;
              expect(await backend.get(key('doc'))).toEqual(doc());
            },
          ),

          check(
            'get returns a new object every time, never the one passed to set',
            async ({ backend, key }) => {
              const value = doc();
              await backend.set(key('doc'), value);
              const first = await backend.get(key('doc'));
              const second = await backend.get(key('doc'));
              expect(first).not.toBe(value);
              expect(second).not.toBe(first);
              expect((second as Doc).meta).not.toBe((first as Doc).meta);
            },
          ),

          check('Map, Set, Date and byte arrays are copied too', async ({ backend, key }) => {
            const map = new Map([['a', { n: 1 }]]);
            const set = new Set([1]);
            const date = new Date(1000);
            const bytes = new Uint8Array([1, 2, 3]);
            const buffer = Buffer.from([4, 5, 6]);
            await backend.set(key('mix'), { map, set, date, bytes, buffer });
            map.set('b', { n: 2 });
            (map.get('a') as { n: number }).n = 99;
            set.add(2);
            date.setTime(5000);
            bytes[0] = 200;
            buffer[0] = 200;
            const read = (await backend.get(key('mix'))) as {
              map: Map<string, { n: number }>;
              set: Set<number>;
              date: Date;
              bytes: Uint8Array;
              buffer: Buffer;
            };
            expect(read).toStrictEqual({
              map: new Map([['a', { n: 1 }]]),
              set: new Set([1]),
              date: new Date(1000),
              bytes: new Uint8Array([1, 2, 3]),
              buffer: Buffer.from([4, 5, 6]),
            });
            read.map.clear();
            read.set.clear();
            read.date.setTime(0);
            read.bytes.fill(0);
            read.buffer.fill(0);
            expect((await backend.get(key('mix'))) as unknown).toStrictEqual({
              map: new Map([['a', { n: 1 }]]),
              set: new Set([1]),
              date: new Date(1000),
              bytes: new Uint8Array([1, 2, 3]),
              buffer: Buffer.from([4, 5, 6]),
            });
          }),

          check(
            'mutating a value returned by getAndDelete does not resurrect or change anything',
            async ({ backend, key }) => {
              const original = doc();
              await backend.set(key('taken'), original);
              const taken = (await backend.getAndDelete(key('taken'))) as Doc;
              expect(taken).not.toBe(original);
              taken.title = 'changed';
              expect(original.title).toBe('original');
              expect(await backend.get(key('taken'))).toBeUndefined();
            },
          ),
        ],
};
