import { silentLogger } from '@cache/core';
import { MemoryBackend, type MemoryBackendOptions } from '@cache/memory';
import { describeBackendContract } from '@cache/test-suite';
import { ManualClock } from './helpers.js';

// Each instance is its own cache, so a separate namespace is simply another instance.
function contractFor(name: string, options: MemoryBackendOptions, clonesValues: boolean): void {
  const clock = new ManualClock();
  const create = (): MemoryBackend =>
    new MemoryBackend({ ...options, clock, maxEntryBytes: 4096, logger: silentLogger });
  describeBackendContract(name, create, {
    advanceTime: (ms) => clock.advance(ms),
    clonesValues,
    maxEntryBytes: 4096,
    namespaces: { create },
  });
}

contractFor('memory (clone: true)', {}, true);
contractFor('memory (clone: false)', { clone: false }, false);

// The default clock (performance.now through lru-cache), with short real waits.
describeBackendContract('memory (real clock)', () => new MemoryBackend(), {
  ttlGranularityMs: 250,
  concerns: ['ttl'],
});
