import { silentLogger } from '@cache/core';
import { describeBackendContract } from '@cache/test-suite';
import { LatencyMapBackend, LatencyMapStore } from '../src/index.js';

// One store per run, like one server: every backend the factory makes shares it under one
// prefix (so cross-instance cases run), and namespaces are other prefixes on the same store.
const store = new LatencyMapStore();
let now = 0;
const clock = { now: () => now };
const create = (keyPrefix: string) => (): LatencyMapBackend =>
  new LatencyMapBackend({
    store,
    keyPrefix,
    clock,
    latencyMs: 1,
    maxEntryBytes: 64 * 1024,
    logger: silentLogger,
  });

describeBackendContract('latency-map', create('contract:'), {
  advanceTime: (ms) => {
    now += ms;
  },
  supportsCrossInstance: true,
  namespaces: { create: (namespace) => create(`${namespace}:`)() },
  maxEntryBytes: 64 * 1024,
});
