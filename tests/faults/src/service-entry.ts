/**
 * The example property service as a child process of the harness: the example's own
 * `buildApp` (its cache bootstrap reads `CACHE_*` / `REDIS_URL` as in production), plus one
 * extra route, `GET /__faults/process`, that reports what only the process itself can see:
 * unhandled rejections, uncaught exceptions, and the heap after a forced GC.
 *
 * `FAULTS_CLUSTER_NODES=host:port,…` (there is no environment variable for a Cluster) connects
 * the global manager to a Redis Cluster before the app starts; the app's own `initializeCache`
 * then answers that manager (it is idempotent) and its `onClose` shuts it down.
 */
import { BackendRegistry, initializeCache } from '@cache/core';
import { memoryBackend } from '@cache/memory';
import { redisBackend } from '@cache/redis';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../../../examples/property-service/src/app.js';

let unhandledRejections = 0;
let uncaughtExceptions = 0;
// Counted and reported rather than fatal, so one run shows every occurrence; each one fails the run.
process.on('unhandledRejection', (reason) => {
  unhandledRejections++;
  process.stderr.write(`FAULTS_UNHANDLED_REJECTION ${describe(reason)}\n`);
});
process.on('uncaughtException', (error) => {
  uncaughtExceptions++;
  process.stderr.write(`FAULTS_UNCAUGHT_EXCEPTION ${describe(error)}\n`);
});

function describe(value: unknown): string {
  return value instanceof Error ? (value.stack ?? value.message) : String(value);
}

const clusterNodes = process.env.FAULTS_CLUSTER_NODES;
if (clusterNodes !== undefined && clusterNodes !== '') {
  const nodes = clusterNodes.split(',').map((hostPort) => {
    const [host = '127.0.0.1', port = '0'] = hostPort.split(':');
    return { host, port: Number(port) };
  });
  const registry = new BackendRegistry().register(memoryBackend).register(redisBackend);
  await initializeCache({ backend: 'redis', redis: { cluster: { nodes } } }, { registry });
}

const service = buildApp({ env: process.env });
service.app.get('/__faults/process', async () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  return {
    pid: process.pid,
    heapUsed: process.memoryUsage().heapUsed,
    gcForced: gc !== undefined,
    unhandledRejections,
    uncaughtExceptions,
  };
});

const close = async (): Promise<void> => {
  await service.app.close();
  process.exit(0);
};
process.once('SIGTERM', () => void close());
process.once('SIGINT', () => void close());

await service.app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? '0') });
const { port } = service.app.server.address() as AddressInfo;
process.stdout.write(`FAULTS_SERVICE_READY http://127.0.0.1:${port} ${service.describeCache()}\n`);
