import type { FastifySchemaValidationError } from 'fastify/types/schema.js';

/** An error Fastify answers with `statusCode` and `{ statusCode, error, message }`. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const WHERE: Record<string, string> = {
  querystring: 'query parameter',
  body: 'body field',
  params: 'path parameter',
  headers: 'header',
};

/**
 * Turns Ajv's errors into one sentence that names the parameter and the rule, e.g.
 * `query parameter 'minPrice' must be integer` or `unknown query parameter 'colour'`.
 */
export function formatSchemaErrors(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const where = WHERE[dataVar] ?? dataVar;
  const messages = errors.map((error) => {
    const params = error.params as { additionalProperty?: string; missingProperty?: string };
    const path = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
    if (error.keyword === 'additionalProperties' && params.additionalProperty !== undefined) {
      return `unknown ${where} '${path === '' ? '' : `${path}.`}${params.additionalProperty}'`;
    }
    if (error.keyword === 'required' && params.missingProperty !== undefined) {
      return `missing ${where} '${path === '' ? '' : `${path}.`}${params.missingProperty}'`;
    }
    return path === ''
      ? `${where}s ${error.message ?? 'are invalid'}`
      : `${where} '${path}' ${error.message ?? 'is invalid'}`;
  });
  return new HttpError(400, messages.join('; '));
}
