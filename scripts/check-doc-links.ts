/*
 * Checks every relative link of the hand-written docs (see doc-markdown.ts for which files)
 * and of the generated API reference in docs/api (when it has been built):
 *
 *   tsx scripts/check-doc-links.ts [--no-api]
 *
 * A link must point to an existing file or folder, and its #anchor to a heading of the target
 * Markdown file (GitHub's slugs), an `id`/`name` in the target HTML file, or `L<n>` line
 * anchors within the file's length. External links (with a scheme) are not fetched: CI has no
 * network. docs/api is gitignored and built by `pnpm docs:api` (which `pnpm docs:check` runs
 * first); its absence is an error unless --no-api is given, which skips it.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT, docFiles, withoutCode } from './doc-markdown.js';

const API_DIR = path.join(ROOT, 'docs', 'api');
const HEADING = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/;

/** GitHub's heading slug (github-slugger): lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/<[^>]+>/g, '') // inline HTML
    .replace(/[`*~]/g, ''); // code and emphasis markers
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

const anchorCache = new Map<string, Set<string>>();

/** Anchors a file defines: heading slugs (with GitHub's -1, -2 for repeats) and explicit ids. */
function anchorsOf(file: string): Set<string> {
  let anchors = anchorCache.get(file);
  if (anchors !== undefined) return anchors;
  anchors = new Set();
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(/\s(?:id|name)="([^"]+)"/g)) anchors.add(match[1] as string);
  if (file.endsWith('.md')) {
    const seen = new Map<string, number>();
    const original = text.split('\n');
    // Headings are read from the original lines, but only where the code-blanked text still
    // has one (so a `# comment` inside a fenced block is not a heading).
    withoutCode(text)
      .split('\n')
      .forEach((blanked, index) => {
        if (!HEADING.test(blanked)) return;
        const base = slug(HEADING.exec(original[index] as string)?.[1] ?? '');
        const count = seen.get(base) ?? 0;
        seen.set(base, count + 1);
        anchors.add(count === 0 ? base : `${base}-${count}`);
      });
  }
  anchorCache.set(file, anchors);
  return anchors;
}

function lineCount(file: string): number {
  return readFileSync(file, 'utf8').split('\n').length;
}

/** Why `target` (as written in `from`) is broken, or `undefined` when it is fine. */
function checkTarget(from: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) return undefined;
  const [rawPath, rawAnchor] = target.split('#', 2) as [string, string | undefined];
  let filePath: string;
  try {
    filePath = rawPath === '' ? from : path.resolve(path.dirname(from), decodeURIComponent(rawPath));
  } catch {
    return `malformed link ${target}`;
  }
  if (!filePath.startsWith(ROOT)) return `${target} leaves the repository`;
  if (!existsSync(filePath)) return `${target}: no such file ${path.relative(ROOT, filePath)}`;
  if (rawAnchor === undefined || rawAnchor === '') return undefined;
  if (statSync(filePath).isDirectory()) return `${target}: an anchor on a folder`;
  const anchor = decodeURIComponent(rawAnchor);
  const line = /^L(\d+)(?:-L(\d+))?$/.exec(anchor);
  if (line !== null) {
    const last = Number(line[2] ?? line[1]);
    return last <= lineCount(filePath) ? undefined : `${target}: ${path.relative(ROOT, filePath)} is shorter`;
  }
  if (!/\.(md|html?)$/i.test(filePath)) return undefined;
  return anchorsOf(filePath).has(anchor)
    ? undefined
    : `${target}: no anchor #${anchor} in ${path.relative(ROOT, filePath)}`;
}

const problems: string[] = [];
let links = 0;

for (const file of docFiles()) {
  const full = path.join(ROOT, file);
  const lines = withoutCode(readFileSync(full, 'utf8')).split('\n');
  lines.forEach((line, index) => {
    const targets = [
      ...[...line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1] as string),
      ...[...line.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/g)].map((m) => m[1] as string),
      ...[...line.matchAll(/<a\s[^>]*href="([^"]+)"/g)].map((m) => m[1] as string),
    ];
    for (const target of targets) {
      links++;
      const problem = checkTarget(full, target);
      if (problem !== undefined) problems.push(`${file}:${index + 1}: ${problem}`);
    }
  });
}

function htmlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return htmlFiles(full);
    return entry.name.endsWith('.html') ? [full] : [];
  });
}

let apiPages = 0;
const skipApi = process.argv.includes('--no-api');
if (!skipApi && existsSync(API_DIR)) {
  for (const page of htmlFiles(API_DIR)) {
    apiPages++;
    const html = readFileSync(page, 'utf8');
    for (const match of html.matchAll(/\s(?:href|src)="([^"]+)"/g)) {
      links++;
      const problem = checkTarget(page, (match[1] as string).replace(/&amp;/g, '&'));
      if (problem !== undefined) problems.push(`${path.relative(ROOT, page)}: ${problem}`);
    }
  }
} else if (!skipApi) {
  problems.push('docs/api does not exist: run `pnpm docs:api` first (or pass --no-api)');
}

for (const problem of problems) console.error(problem);
const summary = `doc links: ${links} checked in ${docFiles().length} Markdown files and ${apiPages} API pages`;
if (problems.length > 0) {
  console.error(`\n${summary}: ${problems.length} broken`);
  process.exitCode = 1;
} else {
  console.log(`${summary}: none broken`);
}
