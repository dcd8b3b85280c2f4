import * as crypto from 'node:crypto';
import type { CachedOptions } from './decorators.js';
import { CacheKeyError } from './errors.js';
import { encodeKeyPart } from './keys.js';

/**
 * Property names of object arguments that never enter a decorator's key: they carry a
 * connection, the caller's identity or the request, not the question being asked.
 */
export const EXCLUDED_KEY_NAMES: ReadonlySet<string> = new Set([
  'db',
  'currentUser',
  'request',
  'req',
  'res',
  'session',
  'signal',
]);

/** Which top-level property names of an object argument enter the key. */
export interface ArgumentNameFilter {
  /** `keyParams` as a set; when present only these names enter. */
  readonly keep: ReadonlySet<string> | undefined;
}

/** Nesting deeper than this is taken for a cycle: the call runs uncached. */
const MAX_DEPTH = 64;

/*
 * The canonical, type-tagged encoding of a call's arguments. Every token is self-delimiting
 * (strings and names carry their length, numbers end with ';', compounds end with ']' or '}'),
 * so a concatenation of tokens parses one way only and distinct argument lists never collide:
 *
 *   s<len>:<text>  string          d<num>;  number (d-0; for -0, dNaN;, dInfinity;)
 *   b<int>;        bigint          T F U N  true, false, undefined, null
 *   x              a skipped slot (function, symbol, service object), so later positions keep their place
 *   [ … ]          array           { <name><value> … }  plain object, names sorted, skipped members dropped
 *   D<ms>;         Date            M <key><value> … }   Map, entries sorted
 *   S … }          Set, sorted     B<type><base64>      typed array / Buffer / DataView; A<base64> ArrayBuffer
 *   R<source>      RegExp          J<value>             what toJSON() returned
 *   C<class>{ … }  a class instance that holds only data (a DTO), read like a plain object
 *
 * A value returns `null` when it does not enter the key. Inside a class instance ("strict"),
 * any such member means the instance is a service, not data, and the whole instance is skipped.
 */

const text = (value: string): string => `s${value.length}:${value}`;

function encodeValue(value: unknown, depth: number, strict: boolean): string | null {
  switch (typeof value) {
    case 'string':
      return `s${value.length}:${value}`;
    case 'number':
      return Object.is(value, -0) ? 'd-0;' : `d${value};`;
    case 'boolean':
      return value ? 'T' : 'F';
    case 'undefined':
      return 'U';
    case 'bigint':
      return `b${value};`;
    case 'object':
      if (value === null) return 'N';
      if (depth >= MAX_DEPTH) {
        if (strict) return null;
        throw new CacheKeyError(
          `an argument is nested deeper than ${MAX_DEPTH} levels or is cyclic, so it cannot be part of a cache key`,
        );
      }
      return encodeObject(value, depth + 1, strict, undefined);
    default:
      // functions and symbols
      return null;
  }
}

function encodeObject(
  value: object,
  depth: number,
  strict: boolean,
  names: ArgumentNameFilter | undefined,
): string | null {
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const item = encodeValue(value[i], depth, strict);
      if (item === null) {
        if (strict) return null;
        out += 'x';
      } else out += item;
    }
    return out + ']';
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return encodeMembers('{', value, depth, strict, names);
  if (value instanceof Date) return `D${value.getTime()};`;
  if (value instanceof Map) return encodeEntries('M', value, depth, strict);
  if (value instanceof Set) return encodeEntries('S', value, depth, strict);
  if (ArrayBuffer.isView(value)) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
    return `B${text(value.constructor.name)}${text(bytes)}`;
  }
  if (value instanceof ArrayBuffer) return `A${text(Buffer.from(value).toString('base64'))}`;
  if (value instanceof RegExp) return `R${text(String(value))}`;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    // ObjectId, Decimal, URL, Luxon/dayjs dates…: their JSON form is their identity.
    const json = encodeValue(toJSON.call(value, ''), depth, strict);
    return json === null ? null : `J${json}`;
  }
  const constructor = (proto as { constructor?: unknown } | undefined)?.constructor;
  const className = typeof constructor === 'function' ? constructor.name : '';
  return encodeMembers(`C${text(className)}{`, value, depth, true, names);
}

function encodeMembers(
  open: string,
  value: object,
  depth: number,
  strict: boolean,
  names: ArgumentNameFilter | undefined,
): string | null {
  const keys = Object.keys(value);
  if (keys.length > 1) keys.sort();
  let out = open;
  for (let i = 0; i < keys.length; i++) {
    const name = keys[i] as string;
    if (names !== undefined && !admits(names, name)) continue;
    const member = encodeValue((value as Record<string, unknown>)[name], depth, strict);
    if (member === null) {
      if (strict) return null;
      continue;
    }
    out += `s${name.length}:${name}${member}`;
  }
  return out + '}';
}

function encodeEntries(
  tag: string,
  collection: Map<unknown, unknown> | Set<unknown>,
  depth: number,
  strict: boolean,
): string | null {
  const entries: string[] = [];
  for (const [key, item] of collection.entries()) {
    const encodedKey = encodeValue(key, depth, strict);
    const encodedItem = collection instanceof Map ? encodeValue(item, depth, strict) : '';
    if (encodedKey === null || encodedItem === null) {
      if (strict) return null;
      continue;
    }
    entries.push(encodedKey + encodedItem);
  }
  // Insertion order is not part of a Map's or Set's meaning; sorted self-delimiting entries are canonical.
  entries.sort();
  return `${tag}${entries.join('')}}`;
}

function admits(names: ArgumentNameFilter, name: string): boolean {
  return names.keep !== undefined ? names.keep.has(name) : !EXCLUDED_KEY_NAMES.has(name);
}

/**
 * The canonical encoding of a call's arguments (see the grammar above). Object arguments are
 * read by property name through `names`; positions whose value does not enter the key are
 * marked, so `f(db, 'x')` and `f('x', db)` differ. Throws `CacheKeyError` for cyclic or
 * absurdly deep arguments (the caller then runs uncached).
 */
export function encodeArguments(args: readonly unknown[], names: ArgumentNameFilter): string {
  let out = '';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const encoded =
      typeof arg === 'object' && arg !== null
        ? encodeObject(arg, 1, false, names)
        : encodeValue(arg, 0, false);
    out += encoded === null ? 'x' : encoded;
  }
  return out;
}

const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

/**
 * 128 bits of SHA-256 in hex (32 characters, the length of `generateHash`). Not MD5: argument
 * values can be chosen by an attacker, and MD5 collisions can be manufactured; SHA-256 also
 * works on FIPS runtimes.
 */
export const digestArguments: (encoded: string) => string =
  typeof oneShotHash === 'function'
    ? (encoded) => oneShotHash('sha256', encoded, 'hex').slice(0, 32)
    : (encoded) => crypto.createHash('sha256').update(encoded).digest('hex').slice(0, 32);

/** Encodings up to this many characters have their digest remembered. */
const REMEMBERED_ENCODING_LENGTH = 256;
/** At most this many digests are remembered (about 0.5 MB at worst); when full, they are forgotten at once. */
const REMEMBERED_DIGESTS = 1024;
const rememberedDigests = new Map<string, string>();

/**
 * `digestArguments(encodeArguments(args, names))`, remembering the digests of short encodings:
 * a hit repeats the arguments of an earlier call, and a map lookup costs far less than hashing.
 */
export function argumentsDigest(args: readonly unknown[], names: ArgumentNameFilter): string {
  const encoded = encodeArguments(args, names);
  if (encoded.length > REMEMBERED_ENCODING_LENGTH) return digestArguments(encoded);
  let digest = rememberedDigests.get(encoded);
  if (digest === undefined) {
    digest = digestArguments(encoded);
    if (rememberedDigests.size >= REMEMBERED_DIGESTS) rememberedDigests.clear();
    rememberedDigests.set(encoded, digest);
  }
  return digest;
}

/** A user id that may enter a key: a non-empty string or a finite number. */
export function isUsableUserId(id: unknown): id is string | number {
  return (typeof id === 'string' && id.length > 0) || (typeof id === 'number' && Number.isFinite(id));
}

/**
 * The caller's user as the SPEC finds it without a `userId` option: `currentUser.id`, or a
 * `userId` property, in the first object argument that has one. `undefined` when there is none.
 */
export function findUserInArguments(args: readonly unknown[]): string | number | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (typeof arg !== 'object' || arg === null) continue;
    const currentUser = (arg as { currentUser?: unknown }).currentUser;
    if (typeof currentUser === 'object' && currentUser !== null) {
      const id = (currentUser as { id?: unknown }).id;
      if (isUsableUserId(id)) return id;
    }
    const userId = (arg as { userId?: unknown }).userId;
    if (isUsableUserId(userId)) return userId;
  }
  return undefined;
}

/** Builds `prefix:[u{user}:]{digest or key(...)}`; `undefined` = no user for a per-user cache, run uncached. */
export type KeyBuilder = (thisArg: unknown, args: unknown[]) => string | undefined;

export function compileKeyBuilder(
  label: string,
  prefix: string,
  options: CachedOptions<readonly unknown[], unknown>,
): KeyBuilder {
  const head = `${prefix}:`;
  const names: ArgumentNameFilter = {
    keep: options.keyParams !== undefined ? new Set(options.keyParams) : undefined,
  };
  const custom = options.key as ((this: unknown, ...args: unknown[]) => unknown) | undefined;
  const tail: (thisArg: unknown, args: unknown[]) => string =
    custom === undefined
      ? (_thisArg, args) => argumentsDigest(args, names)
      : (thisArg, args) => {
          const part = custom.apply(thisArg, args);
          if (typeof part !== 'string' || part.length === 0) {
            throw new CacheKeyError(
              `${label}: options.key() must return a non-empty string (got ${typeof part === 'string' ? 'an empty string' : typeof part})`,
            );
          }
          return part;
        };
  if (options.includeUser !== true) return (thisArg, args) => head + tail(thisArg, args);
  const userOf = options.userId as ((this: unknown, ...args: unknown[]) => unknown) | undefined;
  return (thisArg, args) => {
    const user = userOf !== undefined ? userOf.apply(thisArg, args) : findUserInArguments(args);
    if (!isUsableUserId(user)) return undefined;
    return `${head}u${encodeKeyPart(user)}:${tail(thisArg, args)}`;
  };
}
