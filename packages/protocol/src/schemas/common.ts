import { type Static, type TSchema, Type } from 'typebox';
import { Limits } from '../limits';
import { SNOWFLAKE_PATTERN } from '../snowflake';

/** A snowflake id: a decimal string on the wire, at most 2^63 − 1 (an id that cannot exist is bad input). */
export const Snowflake = Type.String({ pattern: SNOWFLAKE_PATTERN, description: 'snowflake id' });

export const ApiError = Type.Object(
  {
    code: Type.Integer(),
    message: Type.String(),
    errors: Type.Optional(Type.Object({}, { additionalProperties: true })),
  },
  { description: 'Discord-shaped error' },
);

export const RateLimitError = Type.Object({
  message: Type.String(),
  retry_after: Type.Number(),
  global: Type.Boolean(),
  code: Type.Optional(Type.Integer()),
});

export const Username = Type.String({
  minLength: Limits.usernameMin,
  maxLength: Limits.usernameMax,
  pattern: '^[a-z0-9_.]+$',
  description: 'lowercase letters, digits, underscore and period',
});

export const Password = Type.String({ minLength: Limits.passwordMin, maxLength: Limits.passwordMax });

export const Email = Type.String({ format: 'email', maxLength: Limits.emailMax });

/** Discord's image data: `data:image/png;base64,...`. */
export const ImageData = Type.String({
  pattern: '^data:',
  maxLength: Math.ceil((Limits.imageUploadBytes * 4) / 3) + 64,
});

/**
 * `t` or null. A simple type is marked `nullable`, because ajv's type coercion would turn a null into '' or 0
 * inside an anyOf (clearing `rtc_region` would store ''); other schemas become a union with null.
 */
export function Nullable<T extends TSchema>(t: T) {
  return typeof (t as { type?: unknown }).type === 'string'
    ? Type.Unsafe<Static<T> | null>({ ...t, nullable: true })
    : Type.Union([t, Type.Null()]);
}
