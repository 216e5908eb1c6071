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
    /** Shown in the profile (Discord's user_profile.pronouns); '' when unset. */
    pronouns: Type.String(),
    /**
     * Hearth's addition: the most bytes one file of this user may have (a multipart message's files together), so a
     * client can refuse a file before uploading it. Discord's clients derive theirs from premium_type.
     */
    upload_limit: Type.Integer(),
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
    pronouns: Type.Optional(Type.String({ maxLength: Limits.pronounsMax })),
    accent_color: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 0xffffff }))),
  },
  { additionalProperties: false },
);
export type ModifyCurrentUser = Static<typeof ModifyCurrentUser>;

/** Discord's GET /users/:id/profile answer: the user, their profile, and what the caller shares with them. */
export const UserProfile = Type.Object(
  {
    user: User,
    user_profile: Type.Object({
      bio: Type.String(),
      pronouns: Type.String(),
      accent_color: Nullable(Type.Integer()),
      banner: Nullable(Type.String()),
    }),
    /** Servers both are in, with the user's nickname there (omitted when `with_mutual_guilds=false`). */
    mutual_guilds: Type.Optional(Type.Array(Type.Object({ id: Snowflake, nick: Nullable(Type.String()) }))),
    /** Friends of both (with `with_mutual_friends=true`), at most Limits.mutualFriendsMax. */
    mutual_friends: Type.Optional(Type.Array(User)),
    /** With `with_mutual_friends_count=true`. */
    mutual_friends_count: Type.Optional(Type.Integer()),
    /** Hearth links no outside accounts: always empty. */
    connected_accounts: Type.Array(Type.Never()),
    badges: Type.Array(Type.Never()),
    premium_type: Type.Null(),
  },
  {},
);
export type UserProfile = Static<typeof UserProfile>;

export const UserProfileQuery = Type.Object(
  {
    with_mutual_guilds: Type.Optional(Type.Boolean({ default: true })),
    with_mutual_friends: Type.Optional(Type.Boolean({ default: false })),
    with_mutual_friends_count: Type.Optional(Type.Boolean({ default: false })),
    /** Discord's member profile of one server: accepted, not answered (the popout has the member already). */
    guild_id: Type.Optional(Snowflake),
  },
  {},
);
export type UserProfileQuery = Static<typeof UserProfileQuery>;

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

/** A mute's end: `end_time` null mutes until unmuted; `selected_time_window` is the length chosen, in seconds. */
export const MuteConfig = Type.Object({
  end_time: Nullable(Type.String({ format: 'date-time' })),
  selected_time_window: Type.Integer({ minimum: -1, maximum: 31_536_000 }),
});
export type MuteConfig = Static<typeof MuteConfig>;

/** 0 all messages, 1 only mentions, 2 nothing, 3 the guild's default (channels: the guild's setting). */
const NotificationLevel = Type.Integer({ minimum: 0, maximum: 3 });

export const ChannelNotificationOverride = Type.Object({
  channel_id: Snowflake,
  message_notifications: NotificationLevel,
  muted: Type.Boolean(),
  mute_config: Nullable(MuteConfig),
  collapsed: Type.Boolean(),
});
export type ChannelNotificationOverride = Static<typeof ChannelNotificationOverride>;

/** Discord's user guild settings: how the user is notified in one guild (READY's user_guild_settings entries). */
export const UserGuildSettings = Type.Object({
  guild_id: Snowflake,
  message_notifications: NotificationLevel,
  /** Muted now: a timed mute that has ended reads false. */
  muted: Type.Boolean(),
  mute_config: Nullable(MuteConfig),
  suppress_everyone: Type.Boolean(),
  suppress_roles: Type.Boolean(),
  mute_scheduled_events: Type.Boolean(),
  mobile_push: Type.Boolean(),
  hide_muted_channels: Type.Boolean(),
  notify_highlights: Type.Integer(),
  flags: Type.Integer(),
  channel_overrides: Type.Array(ChannelNotificationOverride),
  version: Type.Integer(),
});
export type UserGuildSettings = Static<typeof UserGuildSettings>;

/** The most channels one guild's settings override (Discord's channel limit). */
export const maxChannelOverrides = 500;

/** PATCH /users/@me/guilds/:guild_id/settings: what changes; `channel_overrides` is keyed by channel id. */
export const ModifyUserGuildSettings = Type.Object(
  {
    message_notifications: Type.Optional(NotificationLevel),
    muted: Type.Optional(Type.Boolean()),
    mute_config: Type.Optional(Nullable(MuteConfig)),
    suppress_everyone: Type.Optional(Type.Boolean()),
    suppress_roles: Type.Optional(Type.Boolean()),
    mute_scheduled_events: Type.Optional(Type.Boolean()),
    mobile_push: Type.Optional(Type.Boolean()),
    hide_muted_channels: Type.Optional(Type.Boolean()),
    channel_overrides: Type.Optional(
      Type.Record(
        Type.String({ pattern: '^[0-9]{1,20}$' }),
        Type.Object(
          {
            message_notifications: Type.Optional(NotificationLevel),
            muted: Type.Optional(Type.Boolean()),
            mute_config: Type.Optional(Nullable(MuteConfig)),
            collapsed: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        { maxProperties: maxChannelOverrides },
      ),
    ),
  },
  { additionalProperties: false },
);
export type ModifyUserGuildSettings = Static<typeof ModifyUserGuildSettings>;
