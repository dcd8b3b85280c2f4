import { CacheConfigError } from './errors.js';
import { parseTtl, type Ttl } from './ttl.js';

/** The environment as `process.env` gives it. */
export type EnvSource = Record<string, string | undefined>;

/**
 * The variable's text, trimmed, or `undefined` when it is unset or blank. A blank value is
 * treated as unset because that is what an empty `.env` line or `FOO=` in a compose file means
 * in practice, never "configure this to the empty string".
 */
export function readEnvString(env: EnvSource, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const text = raw.trim();
  return text === '' ? undefined : text;
}

const TRUE_WORDS: ReadonlySet<string> = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS: ReadonlySet<string> = new Set(['false', '0', 'no', 'off']);

/** `true/false/1/0/yes/no/on/off` in any case; unset or blank → `undefined`; anything else names the variable. */
export function readEnvBoolean(env: EnvSource, name: string): boolean | undefined {
  const text = readEnvString(env, name);
  if (text === undefined) return undefined;
  const word = text.toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new CacheConfigError(
    `${name} must be true/false/1/0/yes/no/on/off (got ${JSON.stringify(env[name])})`,
  );
}

/** Bounds of `readEnvInteger`. */
export interface EnvIntegerOptions {
  /** Smallest accepted value. @default 0 */
  min?: number | undefined;
  /** Largest accepted value. @default Number.MAX_SAFE_INTEGER */
  max?: number | undefined;
}

/** A decimal integer within `[min, max]` (default: non-negative); unset or blank → `undefined`. */
export function readEnvInteger(
  env: EnvSource,
  name: string,
  options?: EnvIntegerOptions,
): number | undefined {
  const text = readEnvString(env, name);
  if (text === undefined) return undefined;
  const min = options?.min ?? 0;
  const max = options?.max ?? Number.MAX_SAFE_INTEGER;
  const value = Number(text);
  if (!/^[+-]?\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new CacheConfigError(
      `${name} must be an integer ${describeRange(min, max)} (got ${JSON.stringify(env[name])})`,
    );
  }
  return value;
}

function describeRange(min: number, max: number): string {
  if (max === Number.MAX_SAFE_INTEGER) return min === 0 ? '>= 0' : `>= ${min}`;
  return `from ${min} to ${max}`;
}

/**
 * Multipliers of the size units. `k`/`m`/`g` (with or without `b`, and the `KiB` spellings)
 * are all powers of 1024: this is how Node tools read `'1mb'` (body-parser, the `bytes`
 * package), and a cache bound that is 5 % larger than a decimal reading is never what
 * someone writing `512MB` for a RAM budget meant to avoid.
 */
const BYTE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};
const BYTE_SIZE = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/;

/**
 * A size in bytes: a plain integer (`'1048576'`) or a number with a unit (`'512MiB'`, `'1mb'`,
 * `'64 KB'`, `'1.5g'`; units are binary, see above). Answers whole bytes, at least `min`
 * (default 1). Unset or blank → `undefined`; anything else is a `CacheConfigError` naming `name`.
 */
export function parseBytes(text: string, name: string, min = 1): number {
  const match = BYTE_SIZE.exec(text.trim().toLowerCase());
  const unit = match === null ? undefined : BYTE_UNITS[match[2] as string];
  const value = match === null || unit === undefined ? NaN : Math.floor(Number(match[1]) * unit);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new CacheConfigError(
      `${name} must be a size in bytes of at least ${min}, like '1048576', '64KiB', '512MB' or '1g' (got ${JSON.stringify(text)})`,
    );
  }
  return value;
}

/** `parseBytes` of a variable; unset or blank → `undefined`. */
export function readEnvBytes(env: EnvSource, name: string, min = 1): number | undefined {
  const text = readEnvString(env, name);
  return text === undefined ? undefined : parseBytes(env[name] as string, name, min);
}

/**
 * A TTL variable: a plain number is seconds (returned as a number), anything else must be a
 * duration (`'5m'`, returned as written). Validated with `parseTtl`, so the error names `name`.
 */
export function readEnvTtl(env: EnvSource, name: string): Ttl | undefined {
  const text = readEnvString(env, name);
  if (text === undefined) return undefined;
  const ttl: Ttl = /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : text;
  parseTtl(ttl, name);
  return ttl;
}
