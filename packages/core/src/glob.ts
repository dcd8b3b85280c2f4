import { CacheKeyError } from './errors.js';
import type { GlobAtom } from './glob-syntax.js';
import { atomAccepts, parseGlob } from './glob-syntax.js';

/**
 * Redis `MATCH` globs, matched in linear time.
 *
 * Semantics are Redis' `stringmatchlen` (util.c): `*` any run, `?` one character, `[abc]`,
 * `[^a]`, `[a-z]` (a reversed range `[z-a]` means `[a-z]`), `\x` a literal x inside and outside
 * classes, an unterminated `[` is a class that runs to the end of the pattern, a trailing `\`
 * is a literal backslash. Matching is case-sensitive.
 *
 * Decided where Redis and JS strings differ:
 * - Redis compares bytes; keys here are JS strings, so `?` and a class match one **code point**
 *   (a surrogate pair counts as one character) and ranges compare code points. For ASCII keys
 *   and patterns this is exactly Redis; for other text `?` matches `é` where Redis would need
 *   `??` (two UTF-8 bytes). Backends that run the pattern on a Redis server follow Redis.
 * - The empty key: a pattern of only `*` matches it (as `SCAN … MATCH *` does); keys are never
 *   empty in this toolkit anyway.
 * - Redis recurses once per `*` and gives up (no match) past 1000 levels, so a pattern with more
 *   than 1000 stars that are followed by something never matches there. Nothing recurses here,
 *   but the same rule is kept so that every backend agrees with Redis.
 *
 * Algorithm: the pattern is cut at its stars into segments of one-character atoms. The first
 * segment must match at the start, the last at the end (its start is found by stepping back
 * its length in code points), and each middle segment is taken at its leftmost occurrence
 * after the previous one — leftmost is always safe, because it leaves the most key for what
 * follows. A literal segment is found with `indexOf`; a segment with `?` or classes of up to 31
 * atoms with a bit-parallel Shift-And scan (one pass over the key); a longer one by trying each
 * start (key length × segment length, the only case that is not linear). No backtracking across
 * stars, so `'a*'.repeat(30) + 'b'` against 10k `a`s is one pass.
 */

/** A glob compiled once, matched many times in linear time. */
export interface CompiledPattern {
  /** The pattern as given. */
  readonly source: string;
  /** The literal text every matching key starts with (escapes resolved), e.g. `'user:'` for `'user:*'`. */
  readonly literalPrefix: string;
  /** True when the pattern has no wildcard or class: it matches exactly one key, `literalPrefix`. */
  readonly isLiteral: boolean;
  /** Whether `key` matches, with exactly Redis `MATCH` semantics. */
  matches(key: string): boolean;
}

/** A run of one-character atoms between stars. */
interface Segment {
  readonly atoms: readonly GlobAtom[];
  /** The segment as text when it is all literals (and free of lone surrogates): matched with string search. */
  readonly literal: string | undefined;
  /** Otherwise: its leading literal run as text (compared with `startsWith`), and the atoms after it. */
  readonly lead: string;
  readonly afterLead: readonly GlobAtom[];
  /** Shift-And bit masks for ASCII code points, when the segment has 1..31 atoms and is not literal. */
  readonly asciiMasks: Uint32Array | undefined;
}

const SHIFT_AND_MAX_ATOMS = 31;

function isLiteralAtom(atom: GlobAtom): atom is { kind: 'literal'; codePoint: number } {
  return atom.kind === 'literal';
}

function literalText(atoms: readonly GlobAtom[]): string {
  let text = '';
  for (const atom of atoms) if (isLiteralAtom(atom)) text += String.fromCodePoint(atom.codePoint);
  return text;
}

function shiftAndMask(atoms: readonly GlobAtom[], cp: number): number {
  let mask = 0;
  for (let a = 0; a < atoms.length; a++) if (atomAccepts(atoms[a] as GlobAtom, cp)) mask |= 1 << a;
  return mask;
}

function makeSegment(atoms: readonly GlobAtom[], stringSearchSafe: boolean): Segment {
  const allLiteral = atoms.every(isLiteralAtom);
  const literal = allLiteral && stringSearchSafe ? literalText(atoms) : undefined;
  let leadLength = 0;
  while (stringSearchSafe && leadLength < atoms.length && isLiteralAtom(atoms[leadLength] as GlobAtom))
    leadLength++;
  const lead = literalText(atoms.slice(0, leadLength));
  const afterLead = atoms.slice(leadLength);
  let asciiMasks: Uint32Array | undefined;
  if (literal === undefined && atoms.length > 0 && atoms.length <= SHIFT_AND_MAX_ATOMS) {
    asciiMasks = new Uint32Array(128);
    for (let cp = 0; cp < 128; cp++) asciiMasks[cp] = shiftAndMask(atoms, cp);
  }
  return { atoms, literal, lead, afterLead, asciiMasks };
}

/** Matches `segment` starting exactly at `start`; answers where it ends, or -1. Never reads at or past `limit`. */
function matchSegmentAt(segment: Segment, key: string, start: number, limit: number): number {
  const literal = segment.literal;
  if (literal !== undefined) {
    const end = start + literal.length;
    return end <= limit && key.startsWith(literal, start) ? end : -1;
  }
  let i = start;
  const lead = segment.lead;
  if (lead !== '') {
    if (start + lead.length > limit || !key.startsWith(lead, start)) return -1;
    i += lead.length;
  }
  for (const atom of segment.afterLead) {
    if (i >= limit) return -1;
    const cp = key.codePointAt(i) as number;
    if (!atomAccepts(atom, cp)) return -1;
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}

/** The leftmost occurrence of `segment` in `key[from, limit)`: answers where it ends, or -1. */
function findSegment(segment: Segment, key: string, from: number, limit: number): number {
  const literal = segment.literal;
  if (literal !== undefined) {
    const at = key.indexOf(literal, from);
    return at >= 0 && at + literal.length <= limit ? at + literal.length : -1;
  }
  const masks = segment.asciiMasks;
  if (masks !== undefined) {
    // Shift-And: bit a of `state` is set when atoms 0..a match the text that ends here.
    const atoms = segment.atoms;
    const done = 1 << (atoms.length - 1);
    let state = 0;
    for (let i = from; i < limit;) {
      const cp = key.codePointAt(i) as number;
      state = ((state << 1) | 1) & (cp < 128 ? (masks[cp] as number) : shiftAndMask(atoms, cp));
      i += cp > 0xffff ? 2 : 1;
      if ((state & done) !== 0) return i;
    }
    return -1;
  }
  for (let start = from; start < limit;) {
    const end = matchSegmentAt(segment, key, start, limit);
    if (end >= 0) return end;
    start += (key.codePointAt(start) as number) > 0xffff ? 2 : 1;
  }
  return -1;
}

/** Steps back `count` code points from `end`, not below `floor`: the start of the last segment, or -1. */
function stepBack(key: string, end: number, count: number, floor: number): number {
  let p = end;
  for (let k = 0; k < count; k++) {
    if (p <= floor) return -1;
    p--;
    const unit = key.charCodeAt(p);
    if (unit >= 0xdc00 && unit <= 0xdfff && p > floor) {
      const before = key.charCodeAt(p - 1);
      if (before >= 0xd800 && before <= 0xdbff) p--;
    }
  }
  return p;
}

function generalMatcher(atoms: readonly GlobAtom[], stringSearchSafe: boolean): (key: string) => boolean {
  const segments: Segment[] = [];
  let current: GlobAtom[] = [];
  for (const atom of atoms) {
    if (atom.kind === 'star') {
      segments.push(makeSegment(current, stringSearchSafe));
      current = [];
    } else {
      current.push(atom);
    }
  }
  segments.push(makeSegment(current, stringSearchSafe));

  const head = segments[0] as Segment;
  if (segments.length === 1) {
    return (key) => matchSegmentAt(head, key, 0, key.length) === key.length;
  }
  const tail = segments[segments.length - 1] as Segment;
  const middles = segments.slice(1, -1).filter((segment) => segment.atoms.length > 0);
  const headLength = head.atoms.length;
  const tailLength = tail.atoms.length;
  const tailLiteral = tailLength > 0 ? tail.literal : undefined;
  return (key) => {
    const n = key.length;
    let cur = 0;
    if (headLength > 0) {
      cur = matchSegmentAt(head, key, 0, n);
      if (cur < 0) return false;
    }
    let limit = n;
    if (tailLiteral !== undefined) {
      limit = n - tailLiteral.length;
      if (limit < cur || !key.endsWith(tailLiteral)) return false;
    } else if (tailLength > 0) {
      limit = stepBack(key, n, tailLength, cur);
      if (limit < 0 || matchSegmentAt(tail, key, limit, n) !== n) return false;
    }
    for (const segment of middles) {
      cur = findSegment(segment, key, cur, limit);
      if (cur < 0) return false;
    }
    return true;
  };
}

/** Redis' recursion limit: its matcher answers "no match" once more than this many stars are nested. */
const REDIS_MAX_STAR_NESTING = 1000;

/** Stars that Redis recurses into on the way to a match: every star except one that ends the pattern. */
function countInnerStars(atoms: readonly GlobAtom[]): number {
  let stars = 0;
  for (let a = 0; a < atoms.length - 1; a++) if ((atoms[a] as GlobAtom).kind === 'star') stars++;
  return stars;
}

/** Compiles a Redis `MATCH` glob (`*`, `?`, `[abc]`, `[^a]`, `[a-z]`, `\x`). */
export function compilePattern(pattern: string): CompiledPattern {
  if (typeof pattern !== 'string') {
    throw new CacheKeyError(`pattern must be a string (got ${pattern === null ? 'null' : typeof pattern})`);
  }
  const { atoms, hasLoneSurrogate } = parseGlob(pattern);
  const firstNonLiteral = atoms.findIndex((atom) => atom.kind !== 'literal');
  const isLiteral = firstNonLiteral === -1;
  const literalPrefix = literalText(isLiteral ? atoms : atoms.slice(0, firstNonLiteral));
  // String search could match half of a surrogate pair against a lone surrogate in the pattern.
  const stringSearchSafe = !hasLoneSurrogate;
  const rest = isLiteral ? [] : atoms.slice(firstNonLiteral);

  let matches: (key: string) => boolean;
  if (countInnerStars(atoms) > REDIS_MAX_STAR_NESTING) {
    matches = () => false;
  } else if (isLiteral) {
    matches = (key) => key === literalPrefix;
  } else if (stringSearchSafe && rest.length === 1 && rest[0]?.kind === 'star') {
    matches = literalPrefix === '' ? () => true : (key) => key.startsWith(literalPrefix);
  } else if (
    stringSearchSafe &&
    atoms[0]?.kind === 'star' &&
    atoms.length > 1 &&
    atoms.slice(1).every(isLiteralAtom)
  ) {
    const suffix = literalText(atoms.slice(1));
    matches = (key) => key.endsWith(suffix);
  } else {
    matches = generalMatcher(atoms, stringSearchSafe);
  }
  return Object.freeze({ source: pattern, literalPrefix, isLiteral, matches });
}

const COMPILED_CACHE_SIZE = 256;
const compiledCache = new Map<string, CompiledPattern>();

/** `compilePattern(pattern).matches(key)`, with recently used patterns kept compiled. */
export function matchesPattern(pattern: string, key: string): boolean {
  let compiled = compiledCache.get(pattern);
  if (compiled === undefined) {
    compiled = compilePattern(pattern);
    // Oldest first out: patterns come from code, so a few hundred cover any working set.
    if (compiledCache.size >= COMPILED_CACHE_SIZE)
      compiledCache.delete(compiledCache.keys().next().value as string);
    compiledCache.set(pattern, compiled);
  }
  return compiled.matches(key);
}

/** Escapes `*`, `?`, `[`, `]` and `\` so `text` matches only itself inside a pattern. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
