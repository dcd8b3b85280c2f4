import { CacheConfigError } from './errors.js';

/** A function as the decorators see it at run time. */
export type AnyCallable = (this: unknown, ...args: unknown[]) => unknown;

/** Builds the replacement for one function; `name` is the method's (or function's) name, for messages. */
export type WrapFunction = (fn: AnyCallable, name: string) => AnyCallable;

const describe = (value: unknown): string =>
  value === null ? 'null' : typeof value === 'function' ? 'a function' : typeof value;

function named(wrapped: AnyCallable, name: string): AnyCallable {
  // Stack traces and profilers then show the method's name instead of the wrapper's.
  Object.defineProperty(wrapped, 'name', { value: name, configurable: true });
  return wrapped;
}

/** How messages name a function: its name, or a placeholder for an anonymous one. */
const nameOf = (name: string): string => (name.length > 0 ? name : '(anonymous function)');

/**
 * One value that works three ways, told apart by how it is called:
 * - `(fn)`: a function wrapper, returns the wrapped function;
 * - `(fn, context)` with a context object: a TC39 standard method decorator (TypeScript 5 default);
 * - `(target, key, descriptor)`: a legacy `experimentalDecorators` method decorator (NestJS, Angular).
 * Anything else (a field, an accessor, a non-function) is a `CacheConfigError` naming it.
 */
export function toDecorator(label: string, wrap: WrapFunction): (...params: unknown[]) => unknown {
  return function decorate(target: unknown, context?: unknown, descriptor?: unknown): unknown {
    if (context === undefined && descriptor === undefined) {
      if (typeof target !== 'function') {
        throw new CacheConfigError(`${label} must wrap an async function (got ${describe(target)})`);
      }
      return named(wrap(target as AnyCallable, nameOf(target.name)), target.name);
    }
    if (typeof context === 'object' && context !== null && 'kind' in context) {
      const { kind, name } = context as { kind: unknown; name: unknown };
      if (kind !== 'method' || typeof target !== 'function') {
        throw new CacheConfigError(
          `${label} can only decorate methods, not the ${String(kind)} '${String(name)}': use it on an async method`,
        );
      }
      return named(wrap(target as AnyCallable, String(name)), String(name));
    }
    if (
      (typeof context === 'string' || typeof context === 'symbol') &&
      (typeof target === 'object' || typeof target === 'function') &&
      target !== null
    ) {
      const name = String(context);
      const method = (descriptor as PropertyDescriptor | undefined)?.value as unknown;
      if (typeof method !== 'function') {
        throw new CacheConfigError(
          `${label} can only decorate methods, not the property or accessor '${name}': use it on an async method`,
        );
      }
      return { ...(descriptor as PropertyDescriptor), value: named(wrap(method as AnyCallable, name), name) };
    }
    throw new CacheConfigError(
      `${label} must wrap an async function or decorate a method (called with ${describe(target)} and ${describe(context)})`,
    );
  };
}
