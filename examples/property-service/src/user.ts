import type { FastifyRequest } from 'fastify';
import { HttpError } from './http-errors.js';

/** The header that says who is calling (a real service would read a session or a token). */
export const USER_HEADER = 'x-user-id';
const USER_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/** The caller's id, `undefined` for an anonymous request; a malformed header is a 400. */
export function optionalUser(request: FastifyRequest): string | undefined {
  const value = request.headers[USER_HEADER];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !USER_ID.test(value) || value === 'anon') {
    throw new HttpError(
      400,
      `header '${USER_HEADER}' must be 1 to 64 letters, digits, '.', '_' or '-', and not 'anon' (got ${JSON.stringify(value)})`,
    );
  }
  return value;
}

/** The caller's id; a missing header is a 401. */
export function requireUser(request: FastifyRequest): string {
  const user = optionalUser(request);
  if (user === undefined) throw new HttpError(401, `this route needs a '${USER_HEADER}' header`);
  return user;
}
