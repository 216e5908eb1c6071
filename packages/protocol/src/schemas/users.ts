import { type Static, Type } from 'typebox';
import { Limits } from '../limits';
import { ImageData, Nullable, Snowflake, Username } from './common';

/** Discord's user object, as anyone may see it. */
export const User = Type.Object(
  {
    id: Snowflake,
    username: Type.String(),
    discriminator: Type.String(),
    global_name: Nullable(Type.String()),
    avatar: Nullable(Type.String()),
    banner: Nullable(Type.String()),
    accent_color: Nullable(Type.Integer()),
    bio: Type.String(),
    bot: Type.Boolean(),
    system: Type.Boolean(),
    public_flags: Type.Integer(),
    flags: Type.Integer(),
    avatar_decoration_data: Type.Null(),
    /** Hearth's addition, on webhook message authors only: the avatar_url the message was sent with. */
    avatar_url: Type.Optional(Type.String()),
  },
  {},
);
export type User = Static<typeof User>;

/** The user object of the caller itself: adds the private fields. */
export const PrivateUser = Type.Object(
  {
    ...User.properties,
    email: Nullable(Type.String()),
    verified: Type.Boolean(),
    mfa_enabled: Type.Boolean(),
    locale: Type.String(),
    premium_type: Type.Integer(),
  },
  {},
);
export type PrivateUser = Static<typeof PrivateUser>;

export const ModifyCurrentUser = Type.Object(
  {
    username: Type.Optional(Username),
    global_name: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: Limits.globalNameMax }))),
    avatar: Type.Optional(Nullable(ImageData)),
    banner: Type.Optional(Nullable(ImageData)),
    bio: Type.Optional(Type.String({ maxLength: Limits.bioMax })),
    accent_color: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 0xffffff }))),
  },
  { additionalProperties: false },
);
export type ModifyCurrentUser = Static<typeof ModifyCurrentUser>;

export const UserSettings = Type.Object(
  {
    version: Type.Integer(),
    settings: Type.Object({}, { additionalProperties: true }),
  },
  {},
);
export type UserSettings = Static<typeof UserSettings>;

export const ModifyUserSettings = Type.Object(
  {
    version: Type.Integer({ minimum: 0, description: 'the version the change was based on' }),
    settings: Type.Object({}, { additionalProperties: true, description: 'keys to set; null removes a key' }),
  },
  { additionalProperties: false },
);
export type ModifyUserSettings = Static<typeof ModifyUserSettings>;
