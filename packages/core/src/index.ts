export type { CacheBackend, CacheStats } from './backend.js';
export { StatsCounter, createStats } from './backend.js';
export {
  CacheError,
  CacheKeyError,
  CacheValueError,
  CacheConfigError,
  CacheBackendError,
  UnknownBackendError,
  CacheNotInitializedError,
  isCacheError,
} from './errors.js';
export type { Ttl } from './ttl.js';
export { parseTtl, parseOptionalTtl } from './ttl.js';
export type { CacheLogger } from './logger.js';
export { silentLogger, rateLimitLogger, createDefaultLogger, isCacheLogger } from './logger.js';
export { assertCacheKey, MAX_KEY_BYTES } from './key-check.js';
export { serialize, deserialize, assertCacheable, TAGGED_PREFIX } from './serializer.js';
export type { CompiledPattern } from './glob.js';
export { compilePattern, matchesPattern, escapeGlob } from './glob.js';
export type { BuildCacheKeyOptions } from './keys.js';
export { canonicalJson, generateHash, encodeKeyPart, buildCacheKey, CacheKeyPatterns } from './keys.js';
export { NullCacheBackend } from './null-backend.js';
export { SingleFlight } from './single-flight.js';
export type { BackendDefinition, BackendContext, CacheBackendOptions } from './registry.js';
export { BackendRegistry, defaultRegistry } from './registry.js';
export type { CacheConfig } from './config.js';
export { loadConfigFromEnv } from './config.js';
export type { EnvSource, EnvIntegerOptions } from './env.js';
export {
  readEnvString,
  readEnvBoolean,
  readEnvInteger,
  readEnvBytes,
  readEnvTtl,
  parseBytes,
} from './env.js';
export type {
  CacheManagerOptions,
  CreateFromConfigOptions,
  CacheManagerStats,
  CacheManagerEvent,
  FallbackEventInfo,
  RecoveredEventInfo,
  ErrorEventInfo,
} from './manager.js';
export type { JournalReplay } from './outage-journal.js';
export { CacheManager } from './manager.js';
export { initializeCache, getCacheManager, shutdownCache } from './lifecycle.js';
export type {
  AsyncFunction,
  CacheSource,
  CachedOptions,
  InvalidateCacheOptions,
  CacheDecorator,
  UnannotatedArgs,
  InvalidationPatterns,
} from './decorators.js';
export { cached, invalidateCache } from './decorators.js';
