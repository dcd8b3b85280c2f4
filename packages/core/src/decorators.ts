import type { CacheBackend } from './backend.js';
import { compileKeyBuilder, EXCLUDED_KEY_NAMES } from './decorator-key.js';
import {
  cacheResolver,
  checkBoolean,
  checkFunction,
  checkLogger,
  checkOptionNames,
  createReporter,
  invoke,
  unavailable,
} from './decorator-support.js';
import { CacheConfigError } from './errors.js';
import type { CacheLogger } from './logger.js';
import type { CacheManager } from './manager.js';
import { toDecorator, type AnyCallable } from './method-decorator.js';
import { parseOptionalTtl, type Ttl } from './ttl.js';

/** Any async function the decorators can wrap. */
export type AsyncFunction = (...args: never[]) => Promise<unknown>;

/**
 * The arguments as an unannotated `key`, `userId` or pattern function sees them. A decorator
 * cannot see the types of the method it will be applied to when its options are checked, so
 * each position is `never`: it can be passed wherever the method's own parameter type is
 * accepted (`(args) => CacheKeyPatterns.forProperty(args[0])`). Annotate the parameters to
 * read properties: `key: (query: SearchQuery) => …`; the method must then accept them.
 */
export type UnannotatedArgs = readonly [never, never, never, never, never, never, never, never, ...never[]];

/**
 * Where a decorator finds its cache: at call time, so decorating before `initializeCache` is
 * fine. A `CacheManager` (or any `CacheBackend`), or a function returning one. Without it,
 * the global `getCacheManager()`.
 */
export type CacheSource = CacheManager | CacheBackend | (() => CacheManager | CacheBackend);

/**
 * Options of `cached`. `Args` and `Result` are inferred from annotated `key`, `userId` and
 * `condition` functions, and the decorated function must then match them.
 */
export interface CachedOptions<Args extends readonly unknown[] = UnannotatedArgs, Result = unknown> {
  /** Time to live: seconds, or a duration string (`'30s'`, `'5m'`). Default: the backend's `defaultTtl`. */
  ttl?: Ttl | undefined;
  /**
   * Only these property names of object arguments enter the key (other arguments still do).
   * The names `db`, `currentUser`, `request`, `req`, `res`, `session`, `signal` never enter
   * and may not be listed.
   */
  keyParams?: readonly string[] | undefined;
  /**
   * Adds `u{userId}` after the prefix. The user comes from `userId`, else from `currentUser.id`
   * or `userId` in an object argument; when none is found the call runs uncached and stores
   * nothing (never a shared entry).
   */
  includeUser?: boolean | undefined;
  /** Finds the caller's user id; called with the method's `this` and arguments. */
  userId?: ((...args: Args) => string | number | undefined) | undefined;
  /** Store `null` results too. Default `false`. (`undefined` is never stored.) */
  cacheNull?: boolean | undefined;
  /** Store a result only when this answers `true`. */
  condition?: ((result: Result) => boolean) | undefined;
  /**
   * Replaces the argument digest with your own key part, called with the method's `this` and
   * arguments: the key is `prefix:[u{user}:]key(...)`. Encode user input with `encodeKeyPart`.
   */
  key?: ((...args: Args) => string) | undefined;
  /** The cache to use; default `getCacheManager()`, resolved at every call. */
  cache?: CacheSource | undefined;
  /** Where cache failures are reported (rate-limited: one line per kind per 30 s). Default: `console`. */
  logger?: CacheLogger | undefined;
}

/** Options of `invalidateCache`. */
export interface InvalidateCacheOptions {
  /** The cache to use; default `getCacheManager()`, resolved at every call. */
  cache?: CacheSource | undefined;
  /** Where invalidation failures are reported (rate-limited). Default: `console`. */
  logger?: CacheLogger | undefined;
}

/** Patterns to delete after a successful call: fixed, or computed from the call's arguments and result. */
export type InvalidationPatterns<Args extends readonly unknown[] = UnannotatedArgs, Result = unknown> =
  string | readonly string[] | ((args: Args, result: Result) => string | readonly string[]);

/**
 * What `cached` and `invalidateCache` return. It works three ways:
 * `cached('p')(asyncFn)` returns a function of the same type; `@cached('p')` on a method is a
 * TC39 standard decorator (TypeScript 5 default) or, with `experimentalDecorators`, a legacy one.
 */
export interface CacheDecorator<Args extends readonly unknown[] = UnannotatedArgs, Result = unknown> {
  /** Function wrapper: the result has exactly the type of `fn`. */
  <F extends (...args: Args) => Promise<Result>>(fn: F, context?: undefined): F;
  /** TC39 standard method decorator. */
  <This, F extends (...args: Args) => Promise<Result>>(
    method: F,
    context: ClassMethodDecoratorContext<This, F>,
  ): F;
  /** Legacy `experimentalDecorators` method decorator. */
  <F extends (...args: Args) => Promise<Result>>(
    target: object,
    propertyKey: string | symbol,
    descriptor: TypedPropertyDescriptor<F>,
  ): TypedPropertyDescriptor<F>;
}

const CACHED_OPTION_NAMES: ReadonlySet<string> = new Set([
  'ttl',
  'keyParams',
  'includeUser',
  'userId',
  'cacheNull',
  'condition',
  'key',
  'cache',
  'logger',
]);
const INVALIDATE_OPTION_NAMES: ReadonlySet<string> = new Set(['cache', 'logger']);

/**
 * Caches an async function's results under `prefix` plus a digest of its arguments.
 *
 * On a hit the cached value is returned; on a miss the function runs (concurrent identical
 * calls share one run) and its result is stored unless it is `undefined`, or `null` without
 * `cacheNull`, or `condition(result)` is false. A cache that is down, slow, not initialized or
 * cannot store the value never changes the result: the failure is logged once and the function
 * runs normally. The function's own errors reach the caller unchanged and are never cached.
 */
export function cached<Args extends readonly unknown[] = UnannotatedArgs, Result = unknown>(
  prefix: string,
  options: CachedOptions<Args, Result> = {},
): CacheDecorator<Args, Result> {
  if (typeof prefix !== 'string' || prefix.length === 0) {
    throw new CacheConfigError(
      `cached(prefix): prefix must be a non-empty string (got ${typeof prefix === 'string' ? 'an empty string' : typeof prefix})`,
    );
  }
  const label = `cached('${prefix}')`;
  if (typeof options !== 'object' || options === null) {
    throw new CacheConfigError(`${label}: options must be an object`);
  }
  checkOptionNames(label, options, CACHED_OPTION_NAMES);
  parseOptionalTtl(options.ttl, `${label} ttl`);
  const keyParams: unknown = options.keyParams;
  if (keyParams !== undefined) {
    if (
      !Array.isArray(keyParams) ||
      keyParams.some((name) => typeof name !== 'string' || name.length === 0)
    ) {
      throw new CacheConfigError(`${label}: keyParams must be an array of property names`);
    }
    const excluded = (keyParams as string[]).find((name) => EXCLUDED_KEY_NAMES.has(name));
    if (excluded !== undefined) {
      throw new CacheConfigError(
        `${label}: keyParams lists '${excluded}', one of the names that never enter a key (${[...EXCLUDED_KEY_NAMES].join(', ')}); use the key option to build such a key yourself`,
      );
    }
    if (options.key !== undefined) {
      throw new CacheConfigError(
        `${label}: keyParams has no effect when key is given; pass one or the other`,
      );
    }
  }
  checkBoolean(label, 'includeUser', options.includeUser);
  checkBoolean(label, 'cacheNull', options.cacheNull);
  checkFunction(label, 'userId', options.userId);
  checkFunction(label, 'condition', options.condition);
  checkFunction(label, 'key', options.key);
  if (options.userId !== undefined && options.includeUser !== true) {
    throw new CacheConfigError(`${label}: userId is only used with includeUser: true`);
  }
  checkLogger(label, options.logger);

  const keyOf = compileKeyBuilder(label, prefix, options as CachedOptions<readonly unknown[], unknown>);
  const resolveCache = cacheResolver(label, options.cache);
  const report = createReporter(label, options.logger);
  const ttl = options.ttl;
  const cacheNull = options.cacheNull === true;
  const condition = options.condition as ((result: unknown) => unknown) | undefined;

  const wrap = (fn: AnyCallable, name: string): AnyCallable => {
    const inFlight = new Map<string, Promise<unknown>>();

    const store = async (cache: CacheBackend, key: string, result: unknown): Promise<void> => {
      if (result === undefined || (result === null && !cacheNull)) return;
      try {
        if (condition !== undefined && condition(result) !== true) return;
      } catch (error) {
        report(`condition threw for ${name}, so its result was not stored`, error);
        return;
      }
      try {
        await cache.set(key, result, ttl);
      } catch (error) {
        report(`could not store the result of ${name}`, error);
      }
    };

    // A miss: one run per key at a time. The run is forgotten as soon as it settles, not when
    // its store finishes: a store that is slow or never settles must not pin an old result in
    // memory past a TTL or an invalidation (a call in that gap runs the function again).
    const run = (cache: CacheBackend, key: string, thisArg: unknown, args: unknown[]): Promise<unknown> => {
      const running = inFlight.get(key);
      if (running !== undefined) return running;
      const execution = invoke(fn, thisArg, args);
      inFlight.set(key, execution);
      const release = (): void => {
        if (inFlight.get(key) === execution) inFlight.delete(key);
      };
      execution.then((result) => {
        release();
        void store(cache, key, result);
      }, release);
      return execution;
    };

    const lookup = async (
      cache: CacheBackend,
      key: string,
      thisArg: unknown,
      args: unknown[],
    ): Promise<unknown> => {
      let hit: unknown;
      try {
        hit = await cache.get(key);
      } catch (error) {
        report(`could not read the cache for ${name}`, error);
      }
      return hit !== undefined ? hit : run(cache, key, thisArg, args);
    };

    return function cachedCall(this: unknown, ...args: unknown[]): Promise<unknown> {
      let key: string | undefined;
      try {
        key = keyOf(this, args);
      } catch (error) {
        report(`could not build a cache key for ${name}`, error);
        return invoke(fn, this, args);
      }
      // No user for a per-user entry: never a shared entry, so no cache at all.
      if (key === undefined) return invoke(fn, this, args);
      let cache: CacheBackend;
      try {
        cache = resolveCache();
      } catch (error) {
        report(unavailable(error, `${name} ran uncached`), error);
        return invoke(fn, this, args);
      }
      return lookup(cache, key, this, args);
    };
  };
  return toDecorator(label, wrap) as unknown as CacheDecorator<Args, Result>;
}

function checkPatterns(label: string, patterns: unknown, from: string): readonly string[] {
  const list = typeof patterns === 'string' ? [patterns] : patterns;
  if (!Array.isArray(list) || list.some((pattern) => typeof pattern !== 'string' || pattern.length === 0)) {
    throw new CacheConfigError(`${label}: ${from} must be a non-empty pattern string or an array of them`);
  }
  return list as readonly string[];
}

/**
 * Runs the function, then deletes every key matching `patterns` (globs with Redis `MATCH`
 * rules). Patterns may be computed from the call: `(args, result) => CacheKeyPatterns.forProperty(args[0])`.
 * If the function throws, nothing is invalidated and the error reaches the caller unchanged. An
 * invalidation that fails (cache down) is logged and never fails the call.
 */
export function invalidateCache<Args extends readonly unknown[] = UnannotatedArgs, Result = unknown>(
  patterns: InvalidationPatterns<Args, Result>,
  options: InvalidateCacheOptions = {},
): CacheDecorator<Args, Result> {
  const label =
    typeof patterns === 'string' || (Array.isArray(patterns) && patterns.every((p) => typeof p === 'string'))
      ? `invalidateCache(${JSON.stringify(patterns)})`
      : `invalidateCache(<${typeof patterns}>)`;
  if (typeof options !== 'object' || options === null) {
    throw new CacheConfigError(`${label}: options must be an object`);
  }
  checkOptionNames(label, options, INVALIDATE_OPTION_NAMES);
  checkLogger(label, options.logger);
  const computePatterns =
    typeof patterns === 'function'
      ? (patterns as unknown as (this: unknown, args: unknown[], result: unknown) => unknown)
      : undefined;
  const fixed = computePatterns === undefined ? checkPatterns(label, patterns, 'patterns') : [];
  const resolveCache = cacheResolver(label, options.cache);
  const report = createReporter(label, options.logger);

  const invalidate = async (
    name: string,
    thisArg: unknown,
    args: unknown[],
    result: unknown,
  ): Promise<void> => {
    let list: readonly string[];
    try {
      list =
        computePatterns === undefined
          ? fixed
          : checkPatterns(
              label,
              computePatterns.call(thisArg, args, result),
              "the patterns function's result",
            );
    } catch (error) {
      report(`the patterns function failed, so nothing was invalidated after ${name}`, error);
      return;
    }
    let cache: CacheBackend;
    try {
      cache = resolveCache();
    } catch (error) {
      report(unavailable(error, `nothing was invalidated after ${name}`), error);
      return;
    }
    await Promise.all(
      list.map(async (pattern) => {
        try {
          await cache.deletePattern(pattern);
        } catch (error) {
          report(`could not invalidate a pattern after ${name}`, error);
        }
      }),
    );
  };

  const wrap = (fn: AnyCallable, name: string): AnyCallable =>
    async function invalidatingCall(this: unknown, ...args: unknown[]): Promise<unknown> {
      const result = await fn.apply(this, args);
      await invalidate(name, this, args, result);
      return result;
    };
  return toDecorator(label, wrap) as unknown as CacheDecorator<Args, Result>;
}
