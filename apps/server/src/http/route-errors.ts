import { ApiError } from '@hearth/protocol';
import { type TAny, Type } from 'typebox';

/** The error statuses a route documents. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 429;

/** The schema of the body answered with `status`: Discord's `{code, message, errors?}`, or anything for a 429. */
type ErrorBody<S extends ErrorStatus> = S extends 429 ? TAny : typeof ApiError;

/**
 * The error part of a route's `response` schemas, one entry per status: Discord's error body for each, except 429,
 * whose body the rate limiter writes (`retry_after`, `global`) and is documented as any.
 */
export function errorResponses<const S extends ErrorStatus>(...statuses: S[]): { [K in S]: ErrorBody<K> } {
  return Object.fromEntries(statuses.map((s) => [s, s === 429 ? Type.Any() : ApiError])) as {
    [K in S]: ErrorBody<K>;
  };
}
