import type { CacheBackend } from './backend.js';
import type { CacheConfig } from './config.js';
import { CacheConfigError } from './errors.js';
import { createDefaultLogger, type CacheLogger } from './logger.js';
import type { CacheManagerOptions, CreateFromConfigOptions } from './manager.js';
import { NullCacheBackend } from './null-backend.js';
import { defaultRegistry, type BackendDefinition } from './registry.js';
import { parseTtl } from './ttl.js';

const describe = (value: unknown): string =>
  typeof value === 'string' ? JSON.stringify(value) : String(value);

/** Eager checks of the top-level settings, each message naming the setting. */
function checkConfig(config: CacheConfig): void {
  if (typeof config !== 'object' || config === null) {
    throw new CacheConfigError(`cache config must be an object (got ${describe(config)})`);
  }
  for (const name of ['enabled', 'serverless'] as const) {
    if (config[name] !== undefined && typeof config[name] !== 'boolean') {
      throw new CacheConfigError(`cache config: ${name} must be a boolean (got ${describe(config[name])})`);
    }
  }
  if (config.backend !== undefined && (typeof config.backend !== 'string' || config.backend === '')) {
    throw new CacheConfigError(
      `cache config: backend must be a backend type such as 'disk' (got ${describe(config.backend)})`,
    );
  }
  if (
    config.fallback !== undefined &&
    config.fallback !== false &&
    (typeof config.fallback !== 'string' || config.fallback === '')
  ) {
    throw new CacheConfigError(
      `cache config: fallback must be a backend type or false (got ${describe(config.fallback)})`,
    );
  }
  if (config.defaultTtl !== undefined) parseTtl(config.defaultTtl, 'cache config: defaultTtl');
  if (config.keyPrefix !== undefined && typeof config.keyPrefix !== 'string') {
    throw new CacheConfigError(
      `cache config: keyPrefix must be a string (got ${describe(config.keyPrefix)})`,
    );
  }
}

/**
 * The options a backend of `type` is created with: its own block `config[type]`, plus the
 * top-level `defaultTtl` and `keyPrefix` where the block does not set them. Backends ignore
 * what they have no use for (memory has no key prefix). `undefined` when there is nothing.
 */
export function backendOptions(config: CacheConfig, type: string): Record<string, unknown> | undefined {
  const block: unknown = (config as Record<string, unknown>)[type];
  if (block !== undefined && (typeof block !== 'object' || block === null || Array.isArray(block))) {
    throw new CacheConfigError(
      `cache config: ${type} must be an options object for the '${type}' backend (got ${describe(block)})`,
    );
  }
  const options: Record<string, unknown> = { ...(block as Record<string, unknown> | undefined) };
  if (config.defaultTtl !== undefined && options.defaultTtl === undefined)
    options.defaultTtl = config.defaultTtl;
  if (config.keyPrefix !== undefined && options.keyPrefix === undefined) options.keyPrefix = config.keyPrefix;
  return block === undefined && Object.keys(options).length === 0 ? undefined : options;
}

/** Which types a config selects, before anything is created. */
export function selectBackendTypes(config: CacheConfig): { primary: string; fallback: string | undefined } {
  const primary = config.serverless === true ? 'memory' : (config.backend ?? 'disk');
  // Serverless and memory never get a fallback: there is no network or disk to lose.
  if (config.serverless === true || primary === 'memory') return { primary, fallback: undefined };
  const fallback =
    config.fallback === undefined ? 'memory' : config.fallback === false ? undefined : config.fallback;
  if (fallback === primary) {
    throw new CacheConfigError(
      `cache config: fallback '${fallback}' is the same type as backend: use another type, or fallback: false`,
    );
  }
  return { primary, fallback };
}

/** `CacheManager.createFromConfig`; `build` is the manager constructor (kept out to avoid an import cycle). */
export function createFromConfig<M>(
  config: CacheConfig,
  options: CreateFromConfigOptions | undefined,
  build: (options: CacheManagerOptions) => M,
): M {
  checkConfig(config);
  const logger: CacheLogger = options?.logger ?? createDefaultLogger();
  if (config.enabled === false) return build({ primary: new NullCacheBackend(), logger: options?.logger });

  const registry = options?.registry ?? defaultRegistry;
  const types = selectBackendTypes(config);
  // Resolve both definitions before creating anything, so an unknown primary leaves no client behind.
  const primaryDefinition = registry.get(types.primary);
  let fallbackDefinition: BackendDefinition<unknown> | undefined;
  if (types.fallback !== undefined) {
    if (registry.has(types.fallback)) {
      fallbackDefinition = registry.get(types.fallback);
    } else {
      logger.warn(
        `fallback backend '${types.fallback}' is not registered (registered: ${registry.types().join(', ') || 'none'}): ` +
          `using a NullCacheBackend fallback, so an outage of '${types.primary}' turns caching off`,
      );
    }
  }
  const primaryOptions = backendOptions(config, types.primary);
  const fallbackOptions = types.fallback === undefined ? undefined : backendOptions(config, types.fallback);

  const primary = primaryDefinition.create(primaryOptions, { logger });
  let fallback: CacheBackend | undefined;
  try {
    if (fallbackDefinition !== undefined) fallback = fallbackDefinition.create(fallbackOptions, { logger });
    else if (types.fallback !== undefined) fallback = new NullCacheBackend();
    // The manager rate-limits a logger it is given; the default one already is.
    return build({ primary, fallback, logger: options?.logger });
  } catch (error) {
    // The primary may already hold a client (a Redis connection that keeps retrying).
    primary.disconnect().catch(() => {});
    throw error;
  }
}
