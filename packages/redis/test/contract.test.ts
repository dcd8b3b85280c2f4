import { silentLogger } from '@cache/core';
import { afterAll, beforeAll } from 'vitest';
import { describeBackendContract } from '@cache/test-suite';
import { RedisBackend } from '@cache/redis';
import { startRedisServer, type RedisServer } from './support/redis-server.js';
import { uniquePrefix } from './support/fixtures.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server?.stop();
});

// Every instance of one run shares a prefix, so they share a namespace (cross-instance cases);
// namespaces are other prefixes on the same server.
const prefix = uniquePrefix('contract');
const MAX_ENTRY_BYTES = 64 * 1024;

describeBackendContract(
  'redis standalone',
  () =>
    new RedisBackend({
      url: server.url,
      keyPrefix: prefix,
      maxEntryBytes: MAX_ENTRY_BYTES,
      logger: silentLogger,
    }),
  {
    ttlGranularityMs: 50,
    supportsCrossInstance: true,
    namespaces: {
      create: (namespace) =>
        new RedisBackend({ url: server.url, keyPrefix: `${namespace}:`, logger: silentLogger }),
    },
    maxEntryBytes: MAX_ENTRY_BYTES,
  },
);

// The same contract through the Lua fallback that servers older than 6.2 get for getAndDelete.
describeBackendContract(
  'redis standalone, getAndDelete by script',
  () =>
    new RedisBackend({
      url: server.url,
      keyPrefix: `${prefix}script:`,
      getAndDeleteMode: 'script',
      logger: silentLogger,
    }),
  { ttlGranularityMs: 50, supportsCrossInstance: true, concerns: ['atomic', 'basic'] },
);

// Without write coalescing (cork per tick), the plain ioredis write path.
describeBackendContract(
  'redis standalone, writes not coalesced',
  () =>
    new RedisBackend({
      url: server.url,
      keyPrefix: `${prefix}plain:`,
      coalesceWrites: false,
      logger: silentLogger,
    }),
  { ttlGranularityMs: 50, supportsCrossInstance: true, concerns: ['basic', 'atomic', 'patterns'] },
);
