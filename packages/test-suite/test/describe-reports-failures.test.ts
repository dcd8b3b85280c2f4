import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createVitest } from 'vitest/node';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/** Runs the fixture file in a separate vitest, as a third-party backend's CI would, and reads the outcome. */
async function runFixture(file: string): Promise<Map<string, string>> {
  const vitest = await createVitest('test', {
    root: packageRoot,
    config: fileURLToPath(new URL('../vitest.config.ts', import.meta.url)),
    include: [`test/fixtures/${file}`],
    typecheck: { enabled: false },
    watch: false,
    // An empty reporter object: the nested run's report would read like failures of this one.
    reporters: [{}],
  });
  // The nested run marks the process failed when its tests fail, as a CLI run should; this
  // process is the outer run's worker, whose outcome is its own tests'.
  const exitCode = process.exitCode;
  try {
    const { testModules, unhandledErrors } = await vitest.start();
    expect(unhandledErrors).toEqual([]);
    const states = new Map<string, string>();
    for (const module of testModules) {
      for (const test of module.children.allTests()) states.set(test.fullName, test.result().state);
    }
    return states;
  } finally {
    await vitest.close();
    process.exitCode = exitCode;
  }
}

describe('describeBackendContract inside vitest', () => {
  it('reports the broken concern as failed tests and the intact one as passed', async () => {
    const states = await runFixture('broken-aliasing.contract.ts');
    const of = (concern: string): string[] =>
      [...states].filter(([name]) => name.includes(`> ${concern} >`)).map(([, state]) => state);
    expect(of('basic operations').length).toBeGreaterThan(5);
    expect(new Set(of('basic operations'))).toEqual(new Set(['passed']));
    expect(of('no aliasing between callers and the cache')).toContain('failed');
    expect(
      states.get(
        'aliasing-broken: backend contract > no aliasing between callers and the cache > ' +
          'mutating an object after set does not change the cached value',
      ),
    ).toBe('failed');
  }, 60_000);
});
