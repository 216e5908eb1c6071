import { ErrorCode, type FieldError, fieldErrorTree } from '@hearth/protocol';
import type { FastifyError, FastifyInstance } from 'fastify';
import { ApiError, invalidField } from '../domain/errors';
import { RateLimitedError } from './rate-limit';

export interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Maps an ajv error to Discord's field-error code and message. */
function fieldError(e: AjvError): { path: string[]; error: FieldError } {
  const path = e.instancePath.split('/').filter(Boolean);
  const p = e.params;
  switch (e.keyword) {
    case 'required': {
      const missing = p.missingProperty ?? (p.requiredProperties as string[] | undefined)?.[0];
      return {
        path: [...path, String(missing)],
        error: { code: 'BASE_TYPE_REQUIRED', message: 'This field is required' },
      };
    }
    case 'minLength':
    case 'maxLength':
      return {
        path,
        error: {
          code: 'BASE_TYPE_BAD_LENGTH',
          message: `Must be ${e.keyword === 'minLength' ? 'at least' : 'at most'} ${p.limit} in length.`,
        },
      };
    case 'minItems':
    case 'maxItems':
      return {
        path,
        error: {
          code: 'BASE_TYPE_BAD_LENGTH',
          message: `Must have ${e.keyword === 'minItems' ? 'at least' : 'at most'} ${p.limit} items.`,
        },
      };
    case 'minimum':
    case 'exclusiveMinimum':
      return { path, error: { code: 'NUMBER_TYPE_MIN', message: `Must be ${e.message ?? 'larger'}.` } };
    case 'maximum':
    case 'exclusiveMaximum':
      return { path, error: { code: 'NUMBER_TYPE_MAX', message: `Must be ${e.message ?? 'smaller'}.` } };
    case 'pattern':
      return {
        path,
        error: { code: 'STRING_TYPE_REGEX', message: 'String value did not match validation regex.' },
      };
    case 'format':
      return p.format === 'email'
        ? { path, error: { code: 'EMAIL_TYPE_INVALID_EMAIL', message: 'Not a well formed email address.' } }
        : { path, error: { code: 'STRING_TYPE_FORMAT', message: `Must be a valid ${p.format}.` } };
    case 'enum':
    case 'const':
      return {
        path,
        error: { code: 'BASE_TYPE_CHOICES', message: 'Value must be one of the allowed choices.' },
      };
    case 'additionalProperties':
      return {
        path: [...path, String(p.additionalProperty)],
        error: { code: 'UNKNOWN_FIELD', message: 'This field is not allowed.' },
      };
    case 'type':
      return { path, error: { code: typeCode(String(p.type)), message: `Must be of type ${p.type}.` } };
    default:
      return { path, error: { code: 'BASE_TYPE_INVALID', message: e.message ?? 'Invalid value.' } };
  }
}

function typeCode(type: string): string {
  if (type.includes('integer') || type.includes('number')) return 'NUMBER_TYPE_COERCE';
  if (type.includes('boolean')) return 'BOOLEAN_TYPE_COERCE';
  if (type.includes('object')) return 'DICT_TYPE_CONVERT';
  if (type.includes('array')) return 'LIST_TYPE_CONVERT';
  return 'BASE_TYPE_INVALID';
}

/** A 400 Invalid Form Body from schema errors (ajv's, or TypeBox's for multipart payload_json). */
export function invalidFormBody(errors: AjvError[]): ApiError {
  // Deduplicate: allErrors reports type errors once per union branch.
  const seen = new Set<string>();
  const entries = errors.map(fieldError).filter((f) => {
    const key = f.path.join('.');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return new ApiError(400, ErrorCode.InvalidFormBody, 'Invalid Form Body', fieldErrorTree(entries));
}

/** Every error leaves as Discord's `{code, message, errors?}`; no stack trace or internal message reaches a client. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof RateLimitedError) {
      reply.headers(err.headers).code(429);
      return {
        message: 'You are being rate limited.',
        retry_after: err.retryAfterSeconds,
        global: err.global,
        code: 0,
      };
    }
    if (err instanceof ApiError) {
      if (err.headers) reply.headers(err.headers);
      reply.code(err.status);
      return {
        ...err.extra,
        code: err.code,
        message: err.message,
        ...(err.errors ? { errors: err.errors } : {}),
      };
    }
    if (err.validation) {
      const invalid = invalidFormBody(err.validation as AjvError[]);
      reply.code(400);
      return { code: invalid.code, message: invalid.message, errors: invalid.errors };
    }
    const status = err.statusCode ?? 500;
    if (status === 413 || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      reply.code(413);
      return { code: ErrorCode.RequestTooLarge, message: 'Request entity too large' };
    }
    if (
      err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
      err instanceof SyntaxError ||
      err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
    ) {
      reply.code(400);
      return { code: ErrorCode.InvalidJson, message: 'The request body contains invalid JSON.' };
    }
    if (status >= 400 && status < 500) {
      reply.code(status);
      return { code: ErrorCode.General, message: `${status}: ${shortMessage(status, err)}` };
    }
    request.log.error({ err }, 'unhandled error');
    reply.code(500);
    return { code: ErrorCode.General, message: '500: Internal Server Error' };
  });
}

function shortMessage(status: number, err: FastifyError): string {
  if (status === 415) return 'Unsupported Media Type';
  if (status === 405) return 'Method Not Allowed';
  // Fastify's own client-error messages are safe and useful (they describe the request, not the server).
  return err.message || 'Bad Request';
}

/**
 * The path of the first string (or key) in `value` holding U+0000, which PostgreSQL cannot store; null if none.
 * Every request's input passes here, so nothing is allocated unless something is found.
 */
function nulCharacterPath(value: unknown): Array<string | number> | null {
  if (typeof value === 'string') return value.includes('\u0000') ? [] : null;
  if (typeof value !== 'object' || value === null || Buffer.isBuffer(value)) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nulCharacterPath(value[i]);
      if (found) return [i, ...found];
    }
    return null;
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (key.includes('\u0000')) return [key];
    const found = nulCharacterPath((value as Record<string, unknown>)[key]);
    if (found) return [key, ...found];
  }
  return null;
}

/** 400 50035 naming the first field of `value` that holds U+0000; text with it could not be stored. */
export function rejectNulCharacters(value: unknown): void {
  const path = nulCharacterPath(value);
  if (path) throw invalidField(path, 'BASE_TYPE_INVALID', 'Must not contain the NUL character (U+0000).');
}
