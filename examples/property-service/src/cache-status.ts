import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Requests whose own loader ran (a database query). Every other answer of a cached route came
 * without querying: from the cache, or from an identical request's load already in flight.
 */
const loaded = new WeakSet<FastifyRequest>();

export function markLoaded(request: FastifyRequest): void {
  loaded.add(request);
}

/** Sets `x-cache: miss` when this request queried the database, else `x-cache: hit`. */
export function sendCacheStatus(request: FastifyRequest, reply: FastifyReply): void {
  void reply.header('x-cache', loaded.has(request) ? 'miss' : 'hit');
}
