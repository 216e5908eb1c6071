import { ErrorCode, type FieldErrorTree, fieldErrorTree } from '@hearth/protocol';

/** A failure the caller is told about: an HTTP status and a Discord error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors?: FieldErrorTree,
    /** Extra headers for the response, e.g. Retry-After. */
    readonly headers?: Record<string, string>,
    /** Extra body fields, e.g. retry_after on a 429. */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const unauthorized = () => new ApiError(401, ErrorCode.Unauthorized, '401: Unauthorized');
export const missingPermissions = () =>
  new ApiError(403, ErrorCode.MissingPermissions, 'Missing Permissions');
export const notFound = (code: number, what: string) => new ApiError(404, code, `Unknown ${what}`);

/** 400 Invalid Form Body with one field error, as validation would report it. */
export function invalidField(path: Array<string | number>, code: string, message: string): ApiError {
  return new ApiError(
    400,
    ErrorCode.InvalidFormBody,
    'Invalid Form Body',
    fieldErrorTree([{ path, error: { code, message } }]),
  );
}

/** 429 the Discord way: Retry-After header and retry_after in the body. */
export function rateLimited(code: number, message: string, retryAfterMs: number): ApiError {
  const seconds = Math.max(0.001, retryAfterMs / 1000);
  return new ApiError(
    429,
    code,
    message,
    undefined,
    { 'retry-after': String(Math.max(1, Math.ceil(seconds))), 'x-ratelimit-scope': 'user' },
    { retry_after: Number(seconds.toFixed(3)), global: false },
  );
}
