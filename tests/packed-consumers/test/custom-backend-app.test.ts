/**
 * The third-party backend as its users get it: the packed cache-backend-latency-map,
 * @cache/core and @cache/test-suite installed in an app outside the workspace. The example's
 * own contract test runs there (importing the package by name, with the workspace's vitest
 * linked in rather than downloaded), the README's opening example runs and prints what it
 * says, and the typed config augmentation is checked through the packed .d.ts files.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNode } from './support/exec.js';
import { createScratchApp, linkIntoApp, type ScratchApp } from './support/scratch-app.js';
import { typecheckConsumer } from './support/typecheck.js';
import { CUSTOM_BACKEND, ROOT, TOOLS, VITEST_PACKAGE } from './support/workspace.js';

const EXAMPLE = join(ROOT, CUSTOM_BACKEND.dir);

const CONSUMER = `
import { BackendRegistry, CacheManager, type CacheBackend, type CacheConfig } from '@cache/core';
import { LatencyMapBackend, LatencyMapStore, latencyMapBackend, type LatencyMapBackendOptions } from 'cache-backend-latency-map';

export function main(): CacheManager {
  const registry = new BackendRegistry().register(latencyMapBackend);
  const config: CacheConfig = {
    backend: 'latency-map',
    fallback: false,
    'latency-map': { latencyMs: 5, store: new LatencyMapStore(), defaultTtl: '5m' },
  };
  const backend: CacheBackend = new LatencyMapBackend({ keyPrefix: 'a:' });
  const options: LatencyMapBackendOptions = { maxEntryBytes: 1024, clock: Date };
  // @ts-expect-error latencyMs is a number
  const wrongType: CacheConfig = { 'latency-map': { latencyMs: '5' } };
  // @ts-expect-error not an option of this backend
  const unknownOption: CacheConfig = { 'latency-map': { url: 'redis://127.0.0.1' } };
  void [backend, options, wrongType, unknownOption];
  return CacheManager.createFromConfig(config, { registry });
}
`;

// The contract from the ESM side only: vitest loads test files as ES modules.
const CONTRACT_CONSUMER = `
import type { CacheBackend } from '@cache/core';
import { describeBackendContract, type ContractOptions } from '@cache/test-suite';
import { LatencyMapBackend } from 'cache-backend-latency-map';

const options: ContractOptions = { supportsCrossInstance: true, ttlGranularityMs: 50 };
const create = (): CacheBackend => new LatencyMapBackend({ latencyMs: 0 });
describeBackendContract('latency-map', create, options);
// @ts-expect-error not a contract option
describeBackendContract('latency-map', create, { ttlGranularity: 50 });
`;

/** The first \`\`\`ts block of the README: its opening example. */
function readmeExample(): string {
  const readme = readFileSync(join(EXAMPLE, 'README.md'), 'utf8');
  const match = /```ts\n([\s\S]*?)```/.exec(readme);
  if (match?.[1] === undefined) throw new Error('the custom backend README has no ```ts block');
  return match[1];
}

let app: ScratchApp;

beforeAll(async () => {
  // --legacy-peer-deps: vitest (a peer of @cache/test-suite) is linked from the workspace below.
  app = await createScratchApp('custom-backend', ['@cache/core', '@cache/test-suite', CUSTOM_BACKEND.name], {
    legacyPeerDeps: true,
  });
  await linkIntoApp(app, 'vitest', realpathSync(VITEST_PACKAGE));
}, 240_000);

afterAll(async () => {
  await app?.remove();
});

describe('the custom backend installed from its tarball', () => {
  it('brings in nothing but core and the test suite: no ioredis, fast-glob or lru-cache', () => {
    expect(app.installedPackages()).toEqual([
      '@cache/core',
      '@cache/test-suite',
      'cache-backend-latency-map',
      'vitest',
    ]);
  });

  it("passes @cache/test-suite's contract, run by its own test file against the package", async () => {
    const source = readFileSync(join(EXAMPLE, 'test/contract.test.ts'), 'utf8');
    const byName = source.replace("from '../src/index.js'", `from '${CUSTOM_BACKEND.name}'`);
    expect(byName, 'the contract test imports the backend from ../src/index.js').not.toBe(source);
    await app.write('test/contract.test.ts', byName);
    await runNode(TOOLS.vitest, ['run', '--reporter=json', '--outputFile=contract-report.json'], {
      cwd: app.dir,
      timeoutMs: 150_000,
    });
    const report = JSON.parse(readFileSync(join(app.dir, 'contract-report.json'), 'utf8')) as {
      success: boolean;
      numTotalTests: number;
      numPassedTests: number;
      numFailedTests: number;
      numPendingTests: number;
      testResults: Array<{ name: string }>;
    };
    expect(report.testResults.map((file) => file.name)).toEqual([join(app.dir, 'test/contract.test.ts')]);
    expect(report).toMatchObject({ success: true, numFailedTests: 0, numPendingTests: 0 });
    expect(report.numPassedTests).toBe(report.numTotalTests);
    // Every concern, cross-instance and namespaces included (118 cases when this was written).
    expect(report.numPassedTests).toBeGreaterThan(100);
  });

  it("runs the README's opening example and prints what its comments say", async () => {
    const { outputText } = ts.transpileModule(readmeExample(), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    await app.write('readme-example.mjs', outputText);
    const { stdout } = await app.node('readme-example.mjs');
    expect(stdout.trim().split('\n')).toEqual(['undefined', "{ name: 'Ada' }", '1', 'undefined']);
  });

  it('type-checks the typed config, the README example and a contract file under node16 and bundler', async () => {
    await typecheckConsumer(app, CONSUMER, {
      'readme-example': readmeExample(),
      contract: CONTRACT_CONSUMER,
    });
  });
});
