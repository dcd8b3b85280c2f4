import type { CacheBackend } from './backend.js';
import { CacheConfigError, UnknownBackendError } from './errors.js';
import { createDefaultLogger, type CacheLogger } from './logger.js';

/** What a backend factory receives besides its own options. */
export interface BackendContext {
  logger: CacheLogger;
}

/**
 * The only extension point: a backend package exports one of these (`memoryBackend`,
 * `redisBackend`, …) and the app registers it in its bootstrap.
 */
export interface BackendDefinition<Options = unknown> {
  /** The name used in `CacheConfig.backend` and `CACHE_BACKEND`, e.g. `'redis'`. */
  readonly type: string;
  create(options: Options | undefined, context: BackendContext): CacheBackend;
  /** Reads the backend's own `CACHE_*` / `REDIS_*` variables. Malformed values throw `CacheConfigError` naming the variable. */
  fromEnv?(env: Record<string, string | undefined>): Options;
}

/**
 * Per-type option blocks of `CacheConfig`. Each backend package augments it:
 * `declare module '@cache/core' { interface CacheBackendOptions { redis: RedisBackendOptions } }`
 * so that `{ backend: 'redis', redis: { url } }` is type-checked.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface CacheBackendOptions {}

/**
 * Keys of `CacheConfig` that are settings, so no backend type may take them as its block
 * name (`defaultTtl`/`keyPrefix` cannot collide: types are lower case).
 */
const RESERVED_BACKEND_TYPES: ReadonlySet<string> = new Set(['enabled', 'backend', 'serverless', 'fallback']);

/** Lower case, so `CACHE_BACKEND=Redis` and `redis` name the same thing. */
const BACKEND_TYPE = /^[a-z0-9][a-z0-9._-]*$/;

/** Packages of this toolkit that provide a backend, for the "install it" hint. */
const FIRST_PARTY: Readonly<Record<string, string>> = {
  memory: '@cache/memory',
  redis: '@cache/redis',
  disk: '@cache/disk',
};

/** The backend types a registry can create, keyed by `type`. */
export class BackendRegistry {
  readonly #definitions = new Map<string, BackendDefinition<never>>();

  /** Adds a definition. Registering a type twice is a `CacheConfigError`. */
  register<Options>(definition: BackendDefinition<Options>): this {
    if (
      typeof definition?.type !== 'string' ||
      definition.type === '' ||
      typeof definition.create !== 'function'
    ) {
      throw new CacheConfigError(
        'a backend definition needs a non-empty string `type` and a `create` function',
      );
    }
    if (!BACKEND_TYPE.test(definition.type) || RESERVED_BACKEND_TYPES.has(definition.type)) {
      throw new CacheConfigError(
        `backend type ${JSON.stringify(definition.type)} is not allowed: use lower-case letters, digits, '.', '_' or '-', ` +
          `and none of ${[...RESERVED_BACKEND_TYPES].map((t) => `'${t}'`).join(', ')}`,
      );
    }
    if (this.#definitions.has(definition.type)) {
      throw new CacheConfigError(`backend type '${definition.type}' is already registered`);
    }
    this.#definitions.set(definition.type, definition as BackendDefinition<never>);
    return this;
  }

  has(type: string): boolean {
    return this.#definitions.has(type);
  }

  /** Registered types, in registration order. */
  types(): string[] {
    return [...this.#definitions.keys()];
  }

  /** The definition for `type`, or an `UnknownBackendError` that says what to install. */
  get(type: string): BackendDefinition<unknown> {
    const definition = this.#definitions.get(type);
    if (definition === undefined) {
      const registered = this.types();
      const pkg = Object.hasOwn(FIRST_PARTY, type) ? FIRST_PARTY[type] : undefined;
      const hint =
        pkg === undefined
          ? `Install the package that provides it and register its definition: registry.register(definition)`
          : `Install ${pkg} (npm i ${pkg}) and register it: registry.register(${type}Backend)`;
      throw new UnknownBackendError(
        `unknown cache backend '${type}': registered types are ${registered.length ? registered.map((t) => `'${t}'`).join(', ') : 'none'}. ${hint}`,
      );
    }
    return definition as BackendDefinition<unknown>;
  }

  /** Creates a backend of a registered type. Unknown type: `UnknownBackendError`. */
  create(type: string, options?: unknown, context?: Partial<BackendContext>): CacheBackend {
    const definition = this.get(type);
    return definition.create(options, { logger: context?.logger ?? defaultContextLogger() });
  }
}

let sharedLogger: CacheLogger | undefined;
/** Built on first use, so a registry that is always given a logger never creates one. */
function defaultContextLogger(): CacheLogger {
  return (sharedLogger ??= createDefaultLogger());
}

/** The registry `initializeCache` and `createFromConfig` use when none is given. Empty until the app registers backends. */
export const defaultRegistry: BackendRegistry = new BackendRegistry();
