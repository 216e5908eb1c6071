import { ErrorCode, jsonNestingExceeds, Limits } from '@hearth/protocol';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../domain/errors';

/** Discord's answer to a body it cannot read as JSON (50109); a body nested past Limits.jsonDepth is one. */
export const invalidJson = () =>
  new ApiError(400, ErrorCode.InvalidJson, 'The request body contains invalid JSON.');

/**
 * Parses JSON text from a client (multipart payload_json): 50109 when it is malformed or nests deeper than
 * Limits.jsonDepth, which is checked by a linear scan first, so nothing recursive ever sees a deeper value.
 */
export function parseClientJson(text: string): unknown {
  if (jsonNestingExceeds(text, Limits.jsonDepth)) throw invalidJson();
  try {
    return JSON.parse(text);
  } catch {
    throw invalidJson();
  }
}

/**
 * Replaces fastify's JSON body parser with one that first refuses bodies nested deeper than Limits.jsonDepth (a
 * linear scan of the text), then parses as fastify does (`__proto__` and `constructor.prototype` refused). The
 * validators, the U+0000 check and the handlers all walk bodies recursively: 20,000 levels overflowed the stack.
 */
export function registerJsonBody(http: FastifyInstance): void {
  const parse = http.getDefaultJsonParser('error', 'error');
  http.removeContentTypeParser('application/json');
  http.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (jsonNestingExceeds(body as string, Limits.jsonDepth)) return done(invalidJson(), undefined);
    parse(request, body as string, done);
  });
}
