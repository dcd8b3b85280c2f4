/**
 * The app a user writes, as plain JavaScript in both module systems: register the installed
 * backends, bootstrap from the environment, and run a miss → hit → invalidate round trip.
 * It prints one JSON report; the tests assert on it (so a failure shows the whole report).
 */

/** A backend package the app installed and the name of its exported definition. */
export interface InstalledBackend {
  readonly pkg: string;
  readonly definition: string;
}

export type ModuleKind = 'esm' | 'cjs';

/** How the app builds its manager: explicitly, or through the global lifecycle. */
export type BootstrapStyle = 'createFromConfig' | 'initializeCache';

/** What the script prints. */
export interface BootstrapReport {
  module: ModuleKind;
  primary: string;
  fallback: string | null;
  usingFallback: boolean;
  /** `kept` as the previous run left it (a store shared between runs keeps it). */
  keptBefore: unknown;
  firstRead: 'miss' | 'hit';
  factoryCalls: number;
  hit: { name: string; joinedIsDate: boolean; joined: number; roles: string[] } | null;
  freshCopy: boolean;
  nullIsValue: boolean;
  invalidated: number;
  afterInvalidate: { user1: 'miss' | 'hit'; user2Exists: boolean };
  badKey: { name: string; code: string; instanceOfCacheKeyError: boolean };
  stats: { hits: number; misses: number; sets: number; errors: number; hitRate: number };
  sameGlobalManager: boolean | null;
  warnings: string[];
}

/**
 * What the script's cache round trip reports on every backend: a miss that runs the factory once,
 * a hit with the Date and array intact, invalidation of two keys, a typed key error, three sets
 * and no store error. Each test adds what depends on its backend and module system.
 */
export const ROUND_TRIP = {
  firstRead: 'miss',
  factoryCalls: 1,
  hit: { name: 'Ada', joinedIsDate: true, joined: 86_400_000, roles: ['admin', 'editor'] },
  freshCopy: true,
  nullIsValue: true,
  invalidated: 2,
  afterInvalidate: { user1: 'miss', user2Exists: false },
  badKey: { name: 'CacheKeyError', code: 'E_CACHE_KEY', instanceOfCacheKeyError: true },
  stats: { sets: 3, errors: 0 },
} as const;

const CORE_NAMES =
  'BackendRegistry, CacheManager, CacheKeyError, loadConfigFromEnv, initializeCache, getCacheManager, shutdownCache';

function header(kind: ModuleKind, backends: readonly InstalledBackend[]): string {
  if (kind === 'esm') {
    return [
      `import { ${CORE_NAMES} } from '@cache/core';`,
      ...backends.map((b) => `import { ${b.definition} } from '${b.pkg}';`),
    ].join('\n');
  }
  return [
    `const { ${CORE_NAMES} } = require('@cache/core');`,
    ...backends.map((b) => `const { ${b.definition} } = require('${b.pkg}');`),
  ].join('\n');
}

/** The script's source for one module system (`.mjs` or `.cjs`). */
export function bootstrapScript(
  kind: ModuleKind,
  backends: readonly InstalledBackend[],
  style: BootstrapStyle,
): string {
  const create =
    style === 'initializeCache'
      ? 'const cache = await initializeCache(config, { registry, logger });'
      : 'const cache = CacheManager.createFromConfig(config, { registry, logger });\n  await cache.connect();';
  const close = style === 'initializeCache' ? 'await shutdownCache();' : 'await cache.disconnect();';
  return `${header(kind, backends)}

async function main() {
  const warnings = [];
  const logger = { warn: (m) => warnings.push(String(m)), error: (m) => warnings.push(String(m)) };
  const registry = new BackendRegistry()${backends.map((b) => `.register(${b.definition})`).join('')};
  const config = loadConfigFromEnv(process.env, registry);
  ${create}
  const report = {
    module: '${kind}',
    primary: cache.primary.name,
    fallback: cache.fallback === undefined ? null : cache.fallback.name,
    usingFallback: cache.usingFallback,
    sameGlobalManager: ${style === 'initializeCache' ? 'getCacheManager() === cache' : 'null'},
  };
  const kept = await cache.get('kept');
  report.keptBefore = kept === undefined ? null : kept;
  report.firstRead = (await cache.get('user:1')) === undefined ? 'miss' : 'hit';

  let calls = 0;
  const load = async () => {
    calls++;
    return { name: 'Ada', joined: new Date(86400000), roles: new Set(['admin', 'editor']) };
  };
  const loaded = await cache.getOrSet('user:1', load, { ttl: '10m' });
  await cache.getOrSet('user:1', load, { ttl: '10m' });
  report.factoryCalls = calls;
  const hit = await cache.get('user:1');
  report.hit = hit === undefined ? null : {
    name: hit.name,
    joinedIsDate: hit.joined instanceof Date,
    joined: hit.joined.getTime(),
    roles: [...hit.roles],
  };
  report.freshCopy = hit !== loaded;
  await cache.set('user:2', null);
  report.nullIsValue = (await cache.get('user:2')) === null;

  report.invalidated = await cache.deletePattern('user:*');
  report.afterInvalidate = {
    user1: (await cache.get('user:1')) === undefined ? 'miss' : 'hit',
    user2Exists: await cache.exists('user:2'),
  };
  try {
    await cache.get('');
    report.badKey = { name: 'none', code: 'none', instanceOfCacheKeyError: false };
  } catch (error) {
    report.badKey = { name: error.name, code: error.code, instanceOfCacheKeyError: error instanceof CacheKeyError };
  }
  await cache.set('kept', '${kind}');
  const stats = cache.stats();
  report.stats = { hits: stats.hits, misses: stats.misses, sets: stats.sets, errors: stats.errors, hitRate: stats.hitRate };
  report.warnings = warnings;
  ${close}
  console.log(JSON.stringify(report));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;
}
