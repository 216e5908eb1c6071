import { type Static, Type } from 'typebox';
import { Limits } from '../limits';
import { Email, Password, Snowflake, Username } from './common';

export const Register = Type.Object(
  { email: Email, username: Username, password: Password },
  { additionalProperties: false },
);
export type Register = Static<typeof Register>;

export const Login = Type.Object(
  {
    login: Type.String({ minLength: 1, maxLength: Limits.emailMax, description: 'email or username' }),
    password: Type.String({ minLength: 1, maxLength: Limits.passwordMax }),
  },
  { additionalProperties: false },
);
export type Login = Static<typeof Login>;

export const TokenPair = Type.Object(
  {
    user_id: Snowflake,
    token: Type.String({ description: 'access token; send as `Authorization: <token>`' }),
    refresh_token: Type.String(),
    expires_in: Type.Integer({ description: 'seconds until the access token expires' }),
  },
  {},
);
export type TokenPair = Static<typeof TokenPair>;

export const Refresh = Type.Object(
  { refresh_token: Type.String({ minLength: 1, maxLength: 512 }) },
  { additionalProperties: false },
);
export const TokenBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 512 }) },
  { additionalProperties: false },
);
export const Forgot = Type.Object(
  { login: Type.String({ minLength: 1, maxLength: Limits.emailMax }) },
  { additionalProperties: false },
);
export const Reset = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 512 }), password: Password },
  { additionalProperties: false },
);
export const ChangePassword = Type.Object(
  { password: Type.String({ minLength: 1, maxLength: Limits.passwordMax }), new_password: Password },
  { additionalProperties: false },
);

export const Session = Type.Object(
  {
    id: Snowflake,
    client: Type.Union([Type.String(), Type.Null()]),
    ip: Type.Union([Type.String(), Type.Null()]),
    created_at: Type.String({ format: 'date-time' }),
    last_used_at: Type.String({ format: 'date-time' }),
    current: Type.Boolean(),
  },
  {},
);
export type Session = Static<typeof Session>;
