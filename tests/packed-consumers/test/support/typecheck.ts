import { join } from 'node:path';
import { runNode } from './exec.js';
import type { ScratchApp } from './scratch-app.js';
import { TOOLS } from './workspace.js';

/** What a strict consumer's tsconfig has, whatever its module resolution. */
const STRICT = {
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  target: 'ES2022',
  lib: ['ES2023'],
  noEmit: true,
  // The packages' own .d.ts are checked by attw/publint; here the question is what the
  // consumer's code sees through them. @types/node comes from the workspace (no download).
  skipLibCheck: true,
  typeRoots: [TOOLS.nodeTypes],
  types: ['node'],
};

/**
 * Type-checks one consumer source the way apps compile it, with the workspace's TypeScript:
 * under `node16` as an ES module (`consumer.mts`, resolved through the `import` condition to
 * `index.d.ts`) and as CommonJS (`consumer.cts`, the `require` condition, `index.d.cts`), and
 * under `bundler` (`consumer.ts`, `module: preserve`). The source must not use top-level await
 * (a `.cts` file cannot). `esmOnly` sources (by base name, e.g. a README example with top-level
 * await) are checked as ES modules only: `<name>.mts` under node16, `<name>.ts` under bundler.
 * Rejects with tsc's output when any of them fails.
 */
export async function typecheckConsumer(
  app: ScratchApp,
  source: string,
  esmOnly: Record<string, string> = {},
): Promise<void> {
  const extra = Object.keys(esmOnly);
  await Promise.all([
    app.write('consumer.mts', source),
    app.write('consumer.cts', source),
    app.write('consumer.ts', source),
    ...Object.entries(esmOnly).flatMap(([name, text]) => [
      app.write(`${name}.mts`, text),
      app.write(`${name}.ts`, text),
    ]),
    app.write(
      'tsconfig.node16.json',
      JSON.stringify({
        compilerOptions: { ...STRICT, module: 'node16', moduleResolution: 'node16' },
        files: ['consumer.mts', 'consumer.cts', ...extra.map((name) => `${name}.mts`)],
      }),
    ),
    app.write(
      'tsconfig.bundler.json',
      JSON.stringify({
        compilerOptions: { ...STRICT, module: 'preserve', moduleResolution: 'bundler' },
        files: ['consumer.ts', ...extra.map((name) => `${name}.ts`)],
      }),
    ),
  ]);
  await Promise.all(
    ['tsconfig.node16.json', 'tsconfig.bundler.json'].map((config) =>
      runNode(TOOLS.tsc, ['-p', join(app.dir, config), '--pretty', 'false'], { cwd: app.dir }),
    ),
  );
}
