import { describeBackendContract } from '@cache/test-suite';
import { ReferenceBackend, type ReferenceStore } from './reference-backend.js';

// Every capability declared: one store shared by all instances (like a Redis server), an
// injected clock, namespaces, a size limit, a new backend per test.
let now = 1_700_000_000_000;
const server: ReferenceStore = new Map();
const clock = (): number => now;
describeBackendContract(
  'reference, shared store, injected clock',
  () => new ReferenceBackend({ store: server, namespace: 'main:', now: clock, maxEntryBytes: 4096 }),
  {
    advanceTime: (ms) => {
      now += ms;
    },
    supportsCrossInstance: true,
    namespaces: {
      create: (namespace) => new ReferenceBackend({ store: server, namespace: `${namespace}:`, now: clock }),
    },
    maxEntryBytes: 4096,
  },
);

// The defaults a plain in-process backend gets: its own store per instance, the real clock
// (short real waits), one backend for the whole block.
describeBackendContract('reference, own store, real clock', () => new ReferenceBackend(), {
  ttlGranularityMs: 100,
  isolation: 'file',
});
