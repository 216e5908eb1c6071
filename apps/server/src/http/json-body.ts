import {
  ErrorCode,
  InexactNumberError,
  jsonMayHoldBigNumbers,
  jsonNestingExceeds,
  Limits,
  parseJsonKeepingIds,
} from '@hearth/protocol';
import type { FastifyInstance } from 'fastify';
import { ApiError, invalidField } from '../domain/errors';

/** Discord's answer to a body it cannot read as JSON (50109); a body nested past Limits.jsonDepth is one. */
export const invalidJson = () =>
  new ApiError(400, ErrorCode.InvalidJson, 'The request body contains invalid JSON.');

/** 400 50035 for a number no value gives back exactly where an id may stand: it must never reach the domain rounded. */
function inexactNumber(err: InexactNumberError): ApiError {
  return invalidField(
    err.path,
    'NUMBER_TYPE_COERCE',
    'This number cannot be read exactly: send ids as strings.',
  );
}

/**
 * Parses JSON text from a client (multipart payload_json): 50109 when it is malformed or nests deeper than
 * Limits.jsonDepth, which is checked by a linear scan first, so nothing recursive ever sees a deeper value.
 * Integers past 2^53 (ids sent as numbers) are read exactly, as strings; other numbers past 2^53 are a 50035.
 */
export function parseClientJson(text: string): unknown {
  if (jsonNestingExceeds(text, Limits.jsonDepth)) throw invalidJson();
  try {
    return parseJsonKeepingIds(text);
  } catch (err) {
    throw err instanceof InexactNumberError ? inexactNumber(err) : invalidJson();
  }
}

/**
 * Replaces fastify's JSON body parser with one that first refuses bodies nested deeper than Limits.jsonDepth (a
 * linear scan of the text), then parses as fastify does (`__proto__` and `constructor.prototype` refused). The
 * validators, the U+0000 check and the handlers all walk bodies recursively: 20,000 levels overflowed the stack.
 * A body holding a long number (discord.py sends ids as numbers) is parsed once more keeping such ids exact.
 */
export function registerJsonBody(http: FastifyInstance): void {
  const parse = http.getDefaultJsonParser('error', 'error');
  http.removeContentTypeParser('application/json');
  http.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (jsonNestingExceeds(body as string, Limits.jsonDepth)) return done(invalidJson(), undefined);
    parse(request, body as string, (err, value) => {
      if (err || !jsonMayHoldBigNumbers(body as string)) return done(err, value);
      try {
        done(null, parseJsonKeepingIds(body as string));
      } catch (e) {
        done(e instanceof InexactNumberError ? inexactNumber(e) : invalidJson(), undefined);
      }
    });
  });
}
