/** The README's opening example runs as written and prints what its comments say. */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it, vi } from 'vitest';

const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
const example = /```ts\n([\s\S]*?)```/.exec(readme)![1]!;
const dir = fileURLToPath(new URL('./.readme-example/', import.meta.url));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('runs the opening example', async () => {
  mkdirSync(dir, { recursive: true });
  const file = `${dir}example-${process.pid}.ts`;
  writeFileSync(file, example);
  // Copied at call time: the example mutates its listing after logging it.
  const calls: unknown[][] = [];
  const log = vi
    .spyOn(console, 'log')
    .mockImplementation((...args: unknown[]) => calls.push(structuredClone(args)));
  try {
    await import(/* @vite-ignore */ file);
    expect(calls[0]![0]).toEqual([{ id: 42, city: 'Lyon', price: 250_000 }]);
    expect(calls[0]![1]).toEqual(calls[0]![0]);
    expect(calls[0]![2]).toMatch(/^properties:v1:[0-9a-f]{32}:uuser-7:p1:l20$/);
    expect(calls[1]).toEqual([1, 1]);
  } finally {
    log.mockRestore();
  }
});
