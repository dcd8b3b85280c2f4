/*
 * The hand-written Markdown the doc checks read, and the pieces of it they need: fenced code
 * blocks (with the line they start on) and link targets outside code. Line-based on purpose:
 * the docs use only plain CommonMark fences and inline links, and a parser dependency would
 * cost more than these forty lines.
 */
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

export const ROOT: string = path.resolve(import.meta.dirname, '..');

function markdownIn(dir: string): string[] {
  const full = path.join(ROOT, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full)
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => path.join(dir, name));
}

function readmesUnder(dir: string): string[] {
  const full = path.join(ROOT, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(full, entry.name, 'README.md')))
    .map((entry) => path.join(dir, entry.name, 'README.md'))
    .sort();
}

/** Repository-relative paths of every Markdown file whose code and links are checked. */
export function docFiles(): string[] {
  return [
    'README.md',
    ...markdownIn('docs'),
    ...readmesUnder('packages'),
    ...readmesUnder('examples'),
    ...(existsSync(path.join(ROOT, 'bench/README.md')) ? ['bench/README.md'] : []),
  ];
}

export interface CodeBlock {
  /** The info string's first word (`ts`), lower-cased; `''` for a bare fence. */
  lang: string;
  /** The info string's other words (`fragment`). */
  flags: string[];
  /** 1-based line of the first line of code (the line after the opening fence). */
  line: number;
  code: string;
  /** Text of an HTML comment `<!-- doc-block-prelude … -->` right above the fence, if any. */
  prelude: string | undefined;
}

const FENCE = /^( {0,3})(`{3,}|~{3,})\s*([^`]*)$/;
const PRELUDE = /<!--\s*doc-block-prelude\b([\s\S]*?)-->\s*$/;

/** Fenced code blocks of a Markdown text, in order. */
export function codeBlocks(text: string): CodeBlock[] {
  const lines = text.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] as string);
    if (open === null) continue;
    const [, indent, marker, info] = open as unknown as [string, string, string, string];
    const words = info.trim().split(/\s+/).filter(Boolean);
    const start = i + 1;
    let end = start;
    while (end < lines.length) {
      const close = (lines[end] as string).trim();
      if (close.startsWith(marker) && /^[`~]+$/.test(close) && close.length >= marker.length) break;
      end++;
    }
    const code = lines
      .slice(start, end)
      .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line.trimStart()))
      .join('\n');
    const before = lines.slice(Math.max(0, i - 30), i).join('\n');
    blocks.push({
      lang: (words[0] ?? '').toLowerCase(),
      flags: words.slice(1).map((word) => word.toLowerCase()),
      line: start + 1,
      code,
      prelude: PRELUDE.exec(before)?.[1]?.trim(),
    });
    i = end;
  }
  return blocks;
}

/** The text with fenced blocks and inline code spans blanked (same line count), so links in code are not links. */
export function withoutCode(text: string): string {
  const lines = text.split('\n');
  let fence: string | undefined;
  return lines
    .map((line) => {
      const open = FENCE.exec(line);
      if (fence === undefined && open !== null) {
        fence = open[2] as string;
        return '';
      }
      if (fence !== undefined) {
        const close = line.trim();
        if (close.startsWith(fence) && /^[`~]+$/.test(close)) fence = undefined;
        return '';
      }
      return line.replace(/(`+)[\s\S]*?\1/g, (span) => ' '.repeat(span.length));
    })
    .join('\n');
}
