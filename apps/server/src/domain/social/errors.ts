import { ErrorCode } from '@hearth/protocol';
import { ApiError } from '../errors';

// Mastodon's answers for the social layer; the Mastodon route block sends `{error: message}`.

/** What a missing record and one the caller may not see both answer: they learn nothing. */
export const recordNotFound = () => new ApiError(404, ErrorCode.General, 'Record not found');
export const notAllowed = () => new ApiError(403, ErrorCode.General, 'This action is not allowed');
/** A request Mastodon refuses with 422 (valid JSON, invalid record). */
export const unprocessable = (message: string) =>
  new ApiError(422, ErrorCode.General, `Validation failed: ${message}`);
