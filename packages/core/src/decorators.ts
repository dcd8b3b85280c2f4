// STUB: signatures are binding; the implementation is being written (issue 6).
import type { CacheManager } from './manager.js';
import type { Ttl } from './ttl.js';

/** Any async function the decorators can wrap. */
export type AsyncFunction = (...args: never[]) => Promise<unknown>;

/** Where a decorator finds its manager: at call time, so decorating before `initializeCache` is fine. */
export type CacheSource = CacheManager | (() => CacheManager);

/** Options of `cached`. */
export interface CachedOptions {
  ttl?: Ttl | undefined;
  keyParams?: string[] | undefined;
  includeUser?: boolean | undefined;
  userId?: ((...args: never[]) => string | number | undefined) | undefined;
  cacheNull?: boolean | undefined;
  condition?: ((result: unknown) => boolean) | undefined;
  key?: ((...args: never[]) => string) | undefined;
  cache?: CacheSource | undefined;
}

/** Options of `invalidateCache`. */
export interface InvalidateCacheOptions {
  cache?: CacheSource | undefined;
}

/** Works as a function wrapper, a TC39 method decorator and a legacy `experimentalDecorators` method decorator. */
export interface CacheDecorator {
  <F extends AsyncFunction>(fn: F): F;
  <F extends AsyncFunction>(fn: F, context: ClassMethodDecoratorContext): F;
  (target: object, propertyKey: string | symbol, descriptor: PropertyDescriptor): PropertyDescriptor;
}

export function cached(prefix: string, options?: CachedOptions): CacheDecorator {
  void prefix;
  void options;
  throw new Error('not implemented yet');
}

export function invalidateCache(
  patterns: string | string[] | ((args: unknown[], result: unknown) => string | string[]),
  options?: InvalidateCacheOptions,
): CacheDecorator {
  void patterns;
  void options;
  throw new Error('not implemented yet');
}
