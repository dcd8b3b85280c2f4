import { describe, expect, it } from 'vitest';
import type * as ErrorsModule from '../src/errors.js';
import {
  CacheBackendError,
  CacheConfigError,
  CacheError,
  CacheKeyError,
  CacheNotInitializedError,
  CacheValueError,
  isCacheError,
  UnknownBackendError,
} from '@cache/core';

const classes = [
  [CacheError, 'E_CACHE'],
  [CacheKeyError, 'E_CACHE_KEY'],
  [CacheValueError, 'E_CACHE_VALUE'],
  [CacheConfigError, 'E_CACHE_CONFIG'],
  [CacheBackendError, 'E_CACHE_BACKEND'],
  [UnknownBackendError, 'E_CACHE_UNKNOWN_BACKEND'],
  [CacheNotInitializedError, 'E_CACHE_NOT_INITIALIZED'],
] as const;

describe('error classes', () => {
  it.each(classes)('%o has its name, a stable code, and is a CacheError and an Error', (Class, code) => {
    const error = new Class('bad thing');
    expect(error.message).toBe('bad thing');
    expect(error.name).toBe(Class.name);
    expect(error.code).toBe(code);
    expect(Class.code).toBe(code);
    expect(error).toBeInstanceOf(Class);
    expect(error).toBeInstanceOf(CacheError);
    expect(error).toBeInstanceOf(Error);
    expect(String(error)).toBe(`${Class.name}: bad thing`);
    expect(isCacheError(error)).toBe(true);
    expect(isCacheError(error, code)).toBe(true);
  });

  it('codes are distinct', () => {
    expect(new Set(classes.map(([, code]) => code)).size).toBe(classes.length);
  });

  it('keeps the cause', () => {
    const cause = new Error('ENOSPC');
    expect(new CacheBackendError('disk full', { cause }).cause).toBe(cause);
  });

  it('a subclass is not another sibling', () => {
    expect(new CacheKeyError('x')).not.toBeInstanceOf(CacheValueError);
    expect(isCacheError(new CacheKeyError('x'), 'E_CACHE_VALUE')).toBe(false);
  });
});

describe('isCacheError', () => {
  it('recognises errors from another copy of @cache/core, where instanceof fails', async () => {
    // A second module instance: what a duplicated dependency in node_modules gives.
    // (A variable specifier, so TypeScript does not try to resolve the query string.)
    const specifier = '../src/errors.ts?copy';
    const copy = (await import(/* @vite-ignore */ specifier)) as typeof ErrorsModule;
    const foreign = new copy.CacheKeyError('from the other copy');
    expect(copy.CacheKeyError).not.toBe(CacheKeyError);
    expect(foreign).not.toBeInstanceOf(CacheKeyError);
    expect(isCacheError(foreign)).toBe(true);
    expect(isCacheError(foreign, 'E_CACHE_KEY')).toBe(true);
    expect(isCacheError(foreign, CacheKeyError.code)).toBe(true);
    expect(isCacheError(foreign, 'E_CACHE_VALUE')).toBe(false);
    expect(copy.isCacheError(new CacheKeyError('x'), 'E_CACHE_KEY')).toBe(true);
  });

  it.each([
    ['a plain Error', new Error('x')],
    ['an error with a foreign code', Object.assign(new Error('x'), { code: 'ENOENT' })],
    ['a numeric code', { code: 42 }],
    ['null', null],
    ['undefined', undefined],
    ['a string', 'E_CACHE_KEY'],
  ])('is false for %s', (_label, value) => {
    expect(isCacheError(value)).toBe(false);
  });
});
