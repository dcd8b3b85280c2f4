// STUB: signatures are binding; the implementation is being written (issue 2).

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

/** Compiles a Redis `MATCH` glob (`*`, `?`, `[abc]`, `[^a]`, `[a-z]`, `\x`). */
export function compilePattern(pattern: string): CompiledPattern {
  void pattern;
  throw new Error('compilePattern: not implemented yet');
}

/** `compilePattern(pattern).matches(key)`, with recently used patterns kept compiled. */
export function matchesPattern(pattern: string, key: string): boolean {
  return compilePattern(pattern).matches(key);
}

/** Escapes `*`, `?`, `[`, `]` and `\` so `text` matches only itself inside a pattern. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
