/*
 * Typechecks every ```ts block of the hand-written docs (see doc-markdown.ts for which files).
 *
 *   tsx scripts/check-doc-blocks.ts [--keep] [file.md …]
 *
 * Each block becomes one module in .doc-blocks/ (inside the repository, so `@cache/*` resolve
 * to the workspace sources through the `paths` of tsconfig.base.json), and one TypeScript
 * program checks them all with the repository's compiler settings (isolatedDeclarations off:
 * a snippet is not a library). Errors are reported at their line in the Markdown file.
 *
 * Markers, written after the language on the fence line:
 * - ```ts            a complete module: imports what it uses, typechecked as is (top-level
 *                    await allowed). Prefer this.
 * - ```ts fragment   an excerpt (a signature listing, a method shown outside its class):
 *                    only parsed, so a syntax error still fails.
 * - An HTML comment `<!-- doc-block-prelude … -->` just above a fence is prepended to the block
 *   when it is checked, and stays invisible on the rendered page: for the one `declare` a
 *   block needs to stand alone (`declare function loadUser(id: number): Promise<User>;`).
 *
 * Blocks in other languages (sh, json, plain) are not checked. The folder is removed
 * afterwards unless --keep is given.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { ROOT, codeBlocks, docFiles } from './doc-markdown.js';

const OUT = path.join(ROOT, '.doc-blocks');
const TS_LANGS = new Set(['ts', 'typescript', 'mts']);

/** Third-party packages the docs import, resolved from the package that depends on them. */
const THIRD_PARTY_PATHS: Record<string, string[]> = {
  ioredis: ['../packages/redis/node_modules/ioredis/built/index.d.ts'],
};

interface Extracted {
  source: string;
  markdownLine: number;
  /** Lines added above the block's first line in the generated file. */
  offset: number;
}

const args = process.argv.slice(2);
const keep = args.includes('--keep');
const only = args.filter((arg) => !arg.startsWith('--'));
const files = only.length > 0 ? only.map((file) => path.relative(ROOT, path.resolve(file))) : docFiles();

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });

const generated = new Map<string, Extracted>();
const syntaxErrors: string[] = [];
let checked = 0;
let fragments = 0;

for (const file of files) {
  const blocks = codeBlocks(readFileSync(path.join(ROOT, file), 'utf8')).filter((block) =>
    TS_LANGS.has(block.lang),
  );
  for (const block of blocks) {
    if (block.flags.includes('fragment')) {
      fragments++;
      const result = ts.transpileModule(block.code, {
        reportDiagnostics: true,
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
      });
      for (const diagnostic of result.diagnostics ?? []) {
        const where = diagnostic.start === undefined ? 0 : lineOf(block.code, diagnostic.start);
        syntaxErrors.push(
          `${file}:${block.line + where}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`,
        );
      }
      continue;
    }
    checked++;
    const name = `${file.replace(/[^A-Za-z0-9]+/g, '_')}_L${block.line}.ts`;
    const header = `// ${file}:${block.line}\n`;
    const prelude = block.prelude === undefined ? '' : block.prelude + '\n';
    // `export {}` keeps every block a module of its own, even one without imports.
    writeFileSync(path.join(OUT, name), header + prelude + block.code + '\nexport {};\n');
    generated.set(path.join(OUT, name), {
      source: file,
      markdownLine: block.line,
      offset: 1 + (prelude === '' ? 0 : prelude.split('\n').length - 1),
    });
  }
}

/**
 * Every other workspace package (an example backend such as `cache-backend-latency-map`) by
 * its name, to its `src/index.ts`, as tsconfig.base.json does for `@cache/*`.
 */
function workspaceSourcePaths(): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  for (const group of ['packages', 'examples']) {
    const dir = path.join(ROOT, group);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const manifest = path.join(dir, entry.name, 'package.json');
      const index = path.join(dir, entry.name, 'src', 'index.ts');
      if (!entry.isDirectory() || !existsSync(manifest) || !existsSync(index)) continue;
      const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown };
      if (typeof name === 'string')
        found[name] = [path.posix.join('..', group, entry.name, 'src', 'index.ts')];
    }
  }
  return found;
}

function lineOf(text: string, position: number): number {
  return text.slice(0, position).split('\n').length - 1;
}

const base = ts.readConfigFile(path.join(ROOT, 'tsconfig.base.json'), ts.sys.readFile);
if (base.error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(base.error.messageText, '\n'));
const basePaths = (base.config.compilerOptions?.paths ?? {}) as Record<string, string[]>;
const paths: Record<string, string[]> = { ...THIRD_PARTY_PATHS, ...workspaceSourcePaths() };
for (const [name, targets] of Object.entries(basePaths)) {
  paths[name] = targets.map((target) => path.posix.join('..', target));
}
const tsconfig = {
  extends: '../tsconfig.base.json',
  compilerOptions: { isolatedDeclarations: false, declaration: false, noEmit: true, paths },
  include: ['*.ts'],
};
writeFileSync(path.join(OUT, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2) + '\n');

const parsed = ts.getParsedCommandLineOfConfigFile(path.join(OUT, 'tsconfig.json'), undefined, {
  ...ts.sys,
  onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
    throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
  },
});
if (parsed === undefined) throw new Error('could not read .doc-blocks/tsconfig.json');

const problems: string[] = [...syntaxErrors];
if (generated.size > 0) {
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const file = diagnostic.file;
    if (file === undefined || diagnostic.start === undefined) {
      problems.push(`(program): ${message}`);
      continue;
    }
    const { line } = file.getLineAndCharacterOfPosition(diagnostic.start);
    const block = generated.get(path.resolve(file.fileName));
    if (block === undefined) {
      problems.push(`${path.relative(ROOT, file.fileName)}:${line + 1}: ${message}`);
    } else {
      problems.push(`${block.source}:${block.markdownLine + line - block.offset}: ${message}`);
    }
  }
}

if (!keep) rmSync(OUT, { recursive: true, force: true });

for (const problem of problems) console.error(problem);
const summary = `doc blocks: ${checked} typechecked, ${fragments} fragments parsed, in ${files.length} files`;
if (problems.length > 0) {
  console.error(`\n${summary}: ${problems.length} error(s)`);
  process.exitCode = 1;
} else {
  console.log(`${summary}: no errors`);
}
