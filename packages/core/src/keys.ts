// STUB: signatures are binding; the implementation is being written (issue 2).

/** `JSON.stringify` form with object keys sorted recursively and `undefined` members dropped. */
export function canonicalJson(value: unknown): string {
  void value;
  throw new Error('not implemented yet');
}

/** md5 hex of `canonicalJson(value)` (sha256 hex cut to 32 chars where MD5 is unavailable, e.g. FIPS). */
export function generateHash(value: unknown): string {
  void value;
  throw new Error('not implemented yet');
}

/**
 * Percent-encodes `%`, `:`, `*`, `?`, `[`, `]`, `\` and whitespace in one key part, so distinct
 * inputs never collide and user input can never widen a pattern: `'a:b'` → `'a%3Ab'`.
 */
export function encodeKeyPart(part: unknown): string {
  void part;
  throw new Error('not implemented yet');
}

/** Options of `buildCacheKey`. */
export interface BuildCacheKeyOptions {
  /** Adds `u{userId}`; without a `userId` it is a `CacheKeyError`. */
  includeUser?: boolean | undefined;
  userId?: string | number | undefined;
  /** Hashed into the last part; none (or all `undefined`) → no hash part. */
  params?: Record<string, unknown> | undefined;
}

/** `buildCacheKey('props', ['a', 1], { includeUser: true, userId: 7, params: { city: 'x' } })` → `props:a:1:u7:<hash>`. */
export function buildCacheKey(prefix: string, args?: readonly unknown[], options?: BuildCacheKeyOptions): string {
  void prefix;
  void args;
  void options;
  throw new Error('not implemented yet');
}

/** Ready-made invalidation patterns; ids are encoded like key parts. */
export const CacheKeyPatterns: {
  readonly ALL_PROPERTIES: 'properties:*';
  forProperty(id: string | number): string;
  forUser(id: string | number): string;
  forPrefix(prefix: string): string;
} = {
  ALL_PROPERTIES: 'properties:*',
  forProperty: (id) => `property:${encodeKeyPart(id)}:*`,
  forUser: (id) => `*:u${encodeKeyPart(id)}:*`,
  forPrefix: (prefix) => `${prefix}:*`,
};
