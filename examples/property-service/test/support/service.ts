import type { AddressInfo } from 'node:net';
import { buildApp, type PropertyService } from '../../src/app.js';
import { ListingsDatabase } from '../../src/db.js';

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RunningService extends PropertyService {
  url: string;
  /** One HTTP request; `user` sets the `x-user-id` header. */
  call<T = unknown>(
    method: string,
    path: string,
    options?: { user?: string; body?: unknown },
  ): Promise<HttpResponse<T>>;
  close(): Promise<void>;
}

/**
 * The real service on 127.0.0.1 and a free port, with the given cache variables. The database
 * is an in-memory SQLite seeded with 10,000 listings unless one is passed.
 */
export async function startService(
  env: Record<string, string | undefined>,
  options: { database?: ListingsDatabase } = {},
): Promise<RunningService> {
  const database = options.database ?? new ListingsDatabase({ listings: 10_000 });
  const ownDatabase = options.database === undefined;
  let service: PropertyService;
  try {
    service = buildApp({ env: { LOG_LEVEL: 'error', ...env }, database, logger: false });
    await service.app.listen({ host: '127.0.0.1', port: 0 });
  } catch (error) {
    if (ownDatabase) database.close();
    throw error;
  }
  const { port } = service.app.server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  let closed = false;
  return {
    ...service,
    url,
    async call<T>(method: string, path: string, { user, body }: { user?: string; body?: unknown } = {}) {
      const headers: Record<string, string> = {};
      if (user !== undefined) headers['x-user-id'] = user;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(url + path, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return {
        status: response.status,
        headers: response.headers,
        body: (text === '' ? undefined : JSON.parse(text)) as T,
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      await service.app.close();
      if (ownDatabase) database.close();
    },
  };
}
