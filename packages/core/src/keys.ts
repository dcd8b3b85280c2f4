import { canonicalJson } from './canonical-json.js';
import { CacheKeyError } from './errors.js';
import { escapeGlob } from './glob.js';
import { digest32 } from './key-digest.js';
import { MAX_KEY_BYTES } from './key-check.js';

export { canonicalJson } from './canonical-json.js';

/**
 * md5 hex of `canonicalJson(value)` (sha256 hex cut to 32 chars where MD5 is unavailable, e.g.
 * FIPS; which one is decided once when the module loads). Equal data hashes alike whatever its
 * key order, and members that are `undefined` do not count.
 */
export function generateHash(value: unknown): string {
  return digest32(canonicalJson(value));
}

const NEEDS_ENCODING = /[%:*?[\]\\\s]/;
const TO_ENCODE = /[%:*?[\]\\\s]/g;

/** `%XX` for each UTF-8 byte, upper-case hex, as `encodeURIComponent` writes it. */
function percentEncode(char: string): string {
  let encoded = '';
  for (const byte of Buffer.from(char, 'utf8'))
    encoded += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  return encoded;
}

/** The shared body of `encodeKeyPart`; `where` names the part in an error. */
function keyPart(part: unknown, where: string): string {
  switch (typeof part) {
    case 'string':
      return NEEDS_ENCODING.test(part) ? part.replace(TO_ENCODE, percentEncode) : part;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(part);
    case 'undefined':
      return '%undefined';
    case 'object':
      return part === null ? '%null' : '%h' + generateHash(part);
    default:
      throw new CacheKeyError(
        `${where} is a ${typeof part}; a key part must be a string, number, boolean, bigint, null, undefined or plain data`,
      );
  }
}

/**
 * Percent-encodes `%`, `:`, `*`, `?`, `[`, `]`, `\` and whitespace in one key part, so distinct
 * inputs never collide and user input can never widen a pattern: `'a:b'` → `'a%3Ab'`. Every
 * other character is kept as it is; bytes are UTF-8, hex is upper-case (`' '` → `%20`).
 *
 * Other values (decided; the encoded text of a string can never start with a bare `%` that is
 * not followed by two hex digits, so none of these can equal the part of any string):
 * - a number, boolean or bigint: its `String()` form (`1` → `'1'`, as the SPEC's example wants,
 *   so `1` and `'1'` are the same part);
 * - `null` → `'%null'`, `undefined` → `'%undefined'`;
 * - an object or array → `'%h'` + `generateHash(value)` (so equal data is one part whatever its
 *   key order);
 * - a function or symbol → `CacheKeyError`.
 */
export function encodeKeyPart(part: unknown): string {
  return keyPart(part, 'key part');
}

/** Options of `buildCacheKey`. */
export interface BuildCacheKeyOptions {
  /**
   * Adds `u{userId}` after the arguments; without a `userId` it is a `CacheKeyError`, never a
   * shared entry. Default: added when `userId` is given; `false` leaves it out even then.
   */
  includeUser?: boolean | undefined;
  /** The user the entry belongs to; encoded like any key part. */
  userId?: string | number | undefined;
  /** Hashed into the last part; none (or all `undefined`) → no hash part. */
  params?: Record<string, unknown> | undefined;
}

/**
 * Builds `prefix:arg1:arg2:u{userId}:{hash of params}`:
 * `buildCacheKey('props', ['a', 1], { includeUser: true, userId: 7, params: { city: 'x' } })` →
 * `'props:a:1:u7:' + generateHash({ city: 'x' })`.
 *
 * - `prefix` is code, not input: it is kept as written (so `'app:props'` nests) and must be a
 *   non-empty string. Each argument becomes one part through `encodeKeyPart` (see there for
 *   `null`, `undefined` and objects).
 * - The user part is added when `includeUser` is true, or when a `userId` is given and
 *   `includeUser` is not `false` (a given user is never silently dropped). `includeUser` with
 *   no `userId` (or `null`, `''`) is a `CacheKeyError`.
 * - `params` with no member other than `undefined` adds nothing; else `generateHash(params)`.
 * - A key longer than 1024 UTF-8 bytes is a `CacheKeyError`: pass long values in `params`,
 *   where they are hashed.
 */
export function buildCacheKey(
  prefix: string,
  args?: readonly unknown[],
  options?: BuildCacheKeyOptions,
): string {
  if (typeof prefix !== 'string' || prefix === '') {
    throw new CacheKeyError(
      `buildCacheKey: prefix must be a non-empty string (got ${prefix === '' ? "''" : prefix === null ? 'null' : typeof prefix})`,
    );
  }
  let key = prefix;
  if (args !== undefined) {
    for (let i = 0; i < args.length; i++) key += ':' + keyPart(args[i], `buildCacheKey: args[${i}]`);
  }
  if (options !== undefined) {
    const { includeUser, userId, params } = options;
    if (includeUser === true || (includeUser === undefined && userId !== undefined)) {
      if (userId === undefined || userId === null || userId === '') {
        throw new CacheKeyError(
          `buildCacheKey: includeUser is set but userId is ${userId === '' ? "''" : String(userId)}; ` +
            'pass the user id, or leave includeUser out for an entry shared by all users',
        );
      }
      if (typeof userId !== 'string' && typeof userId !== 'number') {
        throw new CacheKeyError(`buildCacheKey: userId must be a string or a number (got ${typeof userId})`);
      }
      key += ':u' + keyPart(userId, 'buildCacheKey: userId');
    }
    if (params !== undefined) {
      if (typeof params !== 'object' || params === null) {
        throw new CacheKeyError(
          `buildCacheKey: params must be an object (got ${params === null ? 'null' : typeof params})`,
        );
      }
      if (Object.values(params).some((member) => member !== undefined)) key += ':' + generateHash(params);
    }
  }
  // A UTF-16 unit is at most 3 UTF-8 bytes, so ordinary keys skip the byte count.
  if (key.length * 3 > MAX_KEY_BYTES) {
    const bytes = Buffer.byteLength(key, 'utf8');
    if (bytes > MAX_KEY_BYTES) {
      throw new CacheKeyError(
        `buildCacheKey: the key for prefix '${prefix.slice(0, 40)}' is ${bytes} UTF-8 bytes, more than ${MAX_KEY_BYTES}; ` +
          'pass long values in options.params, where they are hashed',
      );
    }
  }
  return key;
}

/**
 * Ready-made invalidation patterns; ids are encoded like key parts, so an id can never widen a
 * pattern. `forPrefix` escapes glob characters in the prefix for the same reason
 * (`forPrefix('a*')` is `'a\*:*'`).
 *
 * `forUser(id)` is `*:u{id}:*`: it finds keys where the user part is followed by another part
 * (a `buildCacheKey` key with params, a `PropertyCacheManager` list key). A key that ends with
 * its user part (`buildCacheKey` without params) needs `*:u{id}` as well.
 */
export const CacheKeyPatterns: {
  readonly ALL_PROPERTIES: 'properties:*';
  forProperty(id: string | number): string;
  forUser(id: string | number): string;
  forPrefix(prefix: string): string;
} = {
  ALL_PROPERTIES: 'properties:*',
  forProperty: (id) => `property:${keyPart(id, 'CacheKeyPatterns.forProperty: id')}:*`,
  forUser: (id) => `*:u${keyPart(id, 'CacheKeyPatterns.forUser: id')}:*`,
  forPrefix: (prefix) => `${escapeGlob(prefix)}:*`,
};
