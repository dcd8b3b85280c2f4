/** Bad input gets a 400 (or 401/403) whose message names the parameter; nothing reaches the cache. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from './support/service.js';

interface ErrorResponse {
  statusCode: number;
  message: string;
}

let service: RunningService;
beforeAll(async () => {
  service = await startService({ CACHE_BACKEND: 'memory' });
});
afterAll(async () => {
  await service?.close();
});

describe('query parameters of GET /properties', () => {
  it.each([
    ['minPrice=abc', "query parameter 'minPrice' must be integer"],
    ['maxPrice=-5', "query parameter 'maxPrice' must be >= 0"],
    ['bedrooms=2.5', "query parameter 'bedrooms' must be integer"],
    ['page=0', "query parameter 'page' must be >= 1"],
    ['limit=1000', "query parameter 'limit' must be <= 100"],
    ['type=castle', "query parameter 'type' must be equal to one of the allowed values"],
    ['colour=blue', "unknown query parameter 'colour'"],
    ['city=', "query parameter 'city' must NOT have fewer than 1 characters"],
    ['city=%20%20', "query parameter 'city' must not be blank"],
    ['minPrice=500000&maxPrice=100000', 'minPrice (500000) must not be greater than maxPrice (100000)'],
  ])('?%s → 400 %s', async (query, message) => {
    const response = await service.call<ErrorResponse>('GET', `/properties?${query}`);
    expect(response.status).toBe(400);
    expect(response.body.message).toBe(message);
  });

  it('accepts every filter together', async () => {
    const response = await service.call(
      'GET',
      '/properties?city=Lyon&minPrice=1&maxPrice=900000&bedrooms=1&type=house&amenity=garden&page=1&limit=5',
    );
    expect(response.status).toBe(200);
  });
});

describe('other inputs', () => {
  it('rejects a malformed user header', async () => {
    const response = await service.call<ErrorResponse>('GET', '/properties', { user: 'a b' });
    expect(response.status).toBe(400);
    expect(response.body.message).toBe(
      `header 'x-user-id' must be 1 to 64 letters, digits, '.', '_' or '-', and not 'anon' (got "a b")`,
    );
    expect((await service.call('GET', '/properties', { user: 'anon' })).status).toBe(400);
  });

  it('asks for a user on writes', async () => {
    const response = await service.call<ErrorResponse>('POST', '/auth/code');
    expect(response.status).toBe(401);
    expect(response.body.message).toBe("this route needs a 'x-user-id' header");
    expect((await service.call('DELETE', '/properties/1')).status).toBe(401);
  });

  it('names a bad path parameter and body field', async () => {
    const id = await service.call<ErrorResponse>('GET', '/properties/abc');
    expect(id.status).toBe(400);
    expect(id.body.message).toBe("path parameter 'id' must be integer");
    const body = await service.call<ErrorResponse>('POST', '/properties', {
      user: 'u1',
      body: { title: 'x', city: 'Lyon', price: 1, bedrooms: 1 },
    });
    expect(body.status).toBe(400);
    expect(body.body.message).toBe("missing body field 'type'");
    const empty = await service.call<ErrorResponse>('PUT', '/properties/1', { user: 'u1', body: {} });
    expect(empty.body.message).toBe('body fields must NOT have fewer than 1 properties');
  });

  it('rejects a malformed one-time code without touching the cache', async () => {
    const response = await service.call<ErrorResponse>('POST', '/auth/token', { body: { code: 'short' } });
    expect(response.status).toBe(400);
    expect(response.body.message).toBe(`body field 'code' must match pattern "^[A-Za-z0-9_-]{43}$"`);
  });
});
