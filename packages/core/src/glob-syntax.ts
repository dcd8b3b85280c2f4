/**
 * Reads a Redis `MATCH` glob into atoms, following Redis' `stringmatchlen` (util.c) rule by rule,
 * so odd patterns (`[a-]`, `[^`, `[]`, a trailing `\`, an unterminated `[`) mean what Redis makes
 * of them. The one deliberate difference: Redis walks bytes, we walk code points (see glob.ts).
 */

/** One pattern element. Every atom except `star` consumes exactly one code point of the key. */
export type GlobAtom =
  | { readonly kind: 'star' }
  | { readonly kind: 'literal'; readonly codePoint: number }
  | { readonly kind: 'any' }
  | {
      readonly kind: 'class';
      readonly negated: boolean;
      /** Members as inclusive `[low, high]` pairs, flattened; a single character is `[c, c]`. */
      readonly ranges: readonly number[];
    };

/** Result of parsing: the atoms (consecutive stars collapsed) and whether a lone surrogate occurs. */
export interface ParsedGlob {
  readonly atoms: readonly GlobAtom[];
  /** A lone UTF-16 surrogate in the pattern: string fast paths could then split a pair, so they are off. */
  readonly hasLoneSurrogate: boolean;
}

const STAR = 42; // *
const QUESTION = 63; // ?
const OPEN = 91; // [
const CLOSE = 93; // ]
const CARET = 94; // ^
const BACKSLASH = 92; // \
const DASH = 45; // -

const STAR_ATOM: GlobAtom = { kind: 'star' };
const ANY_ATOM: GlobAtom = { kind: 'any' };

export function parseGlob(pattern: string): ParsedGlob {
  const cps: number[] = [];
  let hasLoneSurrogate = false;
  for (const char of pattern) {
    const cp = char.codePointAt(0) as number;
    if (cp >= 0xd800 && cp <= 0xdfff) hasLoneSurrogate = true;
    cps.push(cp);
  }
  const n = cps.length;
  const atoms: GlobAtom[] = [];
  let i = 0;
  while (i < n) {
    const c = cps[i] as number;
    if (c === STAR) {
      while (cps[i] === STAR) i++;
      atoms.push(STAR_ATOM);
    } else if (c === QUESTION) {
      atoms.push(ANY_ATOM);
      i++;
    } else if (c === OPEN) {
      i++;
      const negated = cps[i] === CARET;
      if (negated) i++;
      const ranges: number[] = [];
      // Redis' order of tests inside a class: escape, closing bracket, end of pattern, range, literal.
      for (;;) {
        if (cps[i] === BACKSLASH && n - i >= 2) {
          const escaped = cps[i + 1] as number;
          ranges.push(escaped, escaped);
          i += 2;
        } else if (cps[i] === CLOSE) {
          i++;
          break;
        } else if (i >= n) {
          // Unterminated: Redis keeps what it read as the class and ends the pattern there.
          break;
        } else if (n - i >= 3 && cps[i + 1] === DASH) {
          // The range end is taken raw, even when it is `]` or `\` (`[a-]` is the range `]`..`a`).
          const start = cps[i] as number;
          const end = cps[i + 2] as number;
          ranges.push(Math.min(start, end), Math.max(start, end));
          i += 3;
        } else {
          const single = cps[i] as number;
          ranges.push(single, single);
          i++;
        }
      }
      atoms.push({ kind: 'class', negated, ranges });
    } else if (c === BACKSLASH) {
      // `\x` is a literal x; a trailing backslash is a literal backslash.
      atoms.push({ kind: 'literal', codePoint: n - i >= 2 ? (cps[i + 1] as number) : BACKSLASH });
      i += n - i >= 2 ? 2 : 1;
    } else {
      atoms.push({ kind: 'literal', codePoint: c });
      i++;
    }
  }
  return { atoms, hasLoneSurrogate };
}

/** Whether a class or `?` or literal atom accepts the code point `cp`. */
export function atomAccepts(atom: GlobAtom, cp: number): boolean {
  switch (atom.kind) {
    case 'literal':
      return atom.codePoint === cp;
    case 'any':
      return true;
    case 'class': {
      const ranges = atom.ranges;
      let inside = false;
      for (let r = 0; r < ranges.length; r += 2) {
        if (cp >= (ranges[r] as number) && cp <= (ranges[r + 1] as number)) {
          inside = true;
          break;
        }
      }
      return inside !== atom.negated;
    }
    case 'star':
      return false;
  }
}
