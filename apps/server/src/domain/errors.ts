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
  ) {
    super(message);
  }
}

export const unauthorized = () => new ApiError(401, ErrorCode.Unauthorized, '401: Unauthorized');
export const missingAccess = () => new ApiError(403, ErrorCode.MissingAccess, 'Missing Access');
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
