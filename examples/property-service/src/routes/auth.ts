import { getCacheManager } from '@cache/core';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http-errors.js';
import { requireUser } from '../user.js';

/** How long an issued code can be exchanged. */
export const CODE_TTL_SECONDS = 60;
const codeKey = (code: string): string => `auth-code:${code}`;

interface IssuedCode {
  userId: string;
  issuedAt: string;
}

/**
 * A one-time code exchange, as in OAuth's authorization-code grant: the code lives only in
 * the cache and is taken out with `getAndDelete`, so of any number of concurrent exchanges
 * (across processes too, on Redis or a shared disk dir) exactly one succeeds.
 */
export function registerAuthRoutes(app: FastifyInstance): void {
  app.post('/auth/code', async (request, reply) => {
    const userId = requireUser(request);
    const code = randomBytes(32).toString('base64url');
    const issued: IssuedCode = { userId, issuedAt: new Date().toISOString() };
    if (!(await getCacheManager().set(codeKey(code), issued, CODE_TTL_SECONDS))) {
      throw new HttpError(503, 'cannot issue a code right now: the cache did not store it');
    }
    return reply.code(201).send({ code, expiresIn: CODE_TTL_SECONDS });
  });

  app.post<{ Body: { code: string } }>(
    '/auth/token',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['code'],
          properties: { code: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' } },
        },
      },
    },
    async (request, reply) => {
      const issued = await getCacheManager().getAndDelete<IssuedCode>(codeKey(request.body.code));
      if (issued === undefined) {
        return reply
          .code(400)
          .send({ error: 'invalid_grant', message: 'unknown, expired or already used code' });
      }
      return {
        access_token: randomBytes(32).toString('base64url'),
        token_type: 'Bearer',
        user_id: issued.userId,
      };
    },
  );
}
