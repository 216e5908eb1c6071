import { type Static, Type } from 'typebox';
import { Limits } from '../limits';
import { ImageData, Nullable, Snowflake } from './common';
import { HearthGroup, HearthGroupInput } from './groups';
import { User } from './users';

/** A permission set: a decimal string on the wire. */
export const PermissionString = Type.String({
  pattern: '^[0-9]{1,20}$',
  description: 'permission bit set, decimal',
});

export const Role = Type.Object({
  id: Snowflake,
  name: Type.String(),
  color: Type.Integer(),
  colors: Type.Object({
    primary_color: Type.Integer(),
    secondary_color: Nullable(Type.Integer()),
    tertiary_color: Nullable(Type.Integer()),
  }),
  hoist: Type.Boolean(),
  icon: Nullable(Type.String()),
  unicode_emoji: Nullable(Type.String()),
  position: Type.Integer(),
  permissions: PermissionString,
  managed: Type.Boolean(),
  mentionable: Type.Boolean(),
  flags: Type.Integer(),
  tags: Type.Optional(Type.Object({ bot_id: Type.Optional(Snowflake) })),
});
export type Role = Static<typeof Role>;

export const Overwrite = Type.Object({
  id: Snowflake,
  type: Type.Union([Type.Literal(0), Type.Literal(1)]),
  allow: PermissionString,
  deny: PermissionString,
});
export type Overwrite = Static<typeof Overwrite>;

/** A tag a forum or media channel offers its posts. */
export const ForumTag = Type.Object({
  id: Snowflake,
  name: Type.String(),
  moderated: Type.Boolean(),
  emoji_id: Nullable(Snowflake),
  emoji_name: Nullable(Type.String()),
});
export type ForumTag = Static<typeof ForumTag>;

/** A forum's default reaction: a guild emoji by id or a Unicode emoji by name. */
export const DefaultReaction = Type.Object({
  emoji_id: Nullable(Snowflake),
  emoji_name: Nullable(Type.String()),
});
export type DefaultReaction = Static<typeof DefaultReaction>;

export const Channel = Type.Object({
  id: Snowflake,
  type: Type.Integer(),
  guild_id: Type.Optional(Snowflake),
  position: Type.Optional(Type.Integer()),
  permission_overwrites: Type.Optional(Type.Array(Overwrite)),
  name: Type.Optional(Nullable(Type.String())),
  topic: Type.Optional(Nullable(Type.String())),
  nsfw: Type.Optional(Type.Boolean()),
  last_message_id: Type.Optional(Nullable(Snowflake)),
  bitrate: Type.Optional(Type.Integer()),
  user_limit: Type.Optional(Type.Integer()),
  rate_limit_per_user: Type.Optional(Type.Integer()),
  parent_id: Type.Optional(Nullable(Snowflake)),
  rtc_region: Type.Optional(Nullable(Type.String())),
  last_pin_timestamp: Type.Optional(Nullable(Type.String())),
  default_auto_archive_duration: Type.Optional(Type.Integer()),
  flags: Type.Integer(),
  // Forum and media channels
  available_tags: Type.Optional(Type.Array(ForumTag)),
  default_reaction_emoji: Type.Optional(Nullable(DefaultReaction)),
  default_thread_rate_limit_per_user: Type.Optional(Type.Integer()),
  default_sort_order: Type.Optional(Nullable(Type.Integer())),
  default_forum_layout: Type.Optional(Type.Integer()),
  /** A forum post's tags. */
  applied_tags: Type.Optional(Type.Array(Snowflake)),
  recipients: Type.Optional(Type.Array(User)),
  owner_id: Type.Optional(Snowflake),
  icon: Type.Optional(Nullable(Type.String())),
  // Threads
  message_count: Type.Optional(Type.Integer()),
  member_count: Type.Optional(Type.Integer()),
  total_message_sent: Type.Optional(Type.Integer()),
  thread_metadata: Type.Optional(
    Type.Object({
      archived: Type.Boolean(),
      auto_archive_duration: Type.Integer(),
      archive_timestamp: Type.String(),
      locked: Type.Boolean(),
      invitable: Type.Optional(Type.Boolean()),
      create_timestamp: Type.Optional(Type.String()),
    }),
  ),
  member: Type.Optional(
    Type.Object({ id: Snowflake, user_id: Snowflake, join_timestamp: Type.String(), flags: Type.Integer() }),
  ),
});
export type Channel = Static<typeof Channel>;

export const Member = Type.Object({
  user: Type.Optional(User),
  nick: Nullable(Type.String()),
  avatar: Nullable(Type.String()),
  banner: Nullable(Type.String()),
  roles: Type.Array(Snowflake),
  joined_at: Type.String(),
  premium_since: Nullable(Type.String()),
  deaf: Type.Boolean(),
  mute: Type.Boolean(),
  flags: Type.Integer(),
  pending: Type.Boolean(),
  communication_disabled_until: Nullable(Type.String()),
});
export type Member = Static<typeof Member>;

export const Guild = Type.Object({
  id: Snowflake,
  name: Type.String(),
  icon: Nullable(Type.String()),
  icon_hash: Nullable(Type.String()),
  splash: Type.Null(),
  discovery_splash: Type.Null(),
  banner: Nullable(Type.String()),
  description: Nullable(Type.String()),
  owner_id: Snowflake,
  owner: Type.Optional(Type.Boolean()),
  permissions: Type.Optional(PermissionString),
  afk_channel_id: Nullable(Snowflake),
  afk_timeout: Type.Integer(),
  verification_level: Type.Integer(),
  default_message_notifications: Type.Integer(),
  explicit_content_filter: Type.Integer(),
  mfa_level: Type.Integer(),
  nsfw_level: Type.Integer(),
  premium_tier: Type.Integer(),
  premium_subscription_count: Type.Integer(),
  premium_progress_bar_enabled: Type.Boolean(),
  system_channel_id: Nullable(Snowflake),
  system_channel_flags: Type.Integer(),
  rules_channel_id: Type.Null(),
  public_updates_channel_id: Type.Null(),
  safety_alerts_channel_id: Type.Null(),
  vanity_url_code: Type.Null(),
  application_id: Type.Null(),
  preferred_locale: Type.String(),
  features: Type.Array(Type.String()),
  roles: Type.Array(Role),
  emojis: Type.Array(Type.Any()),
  stickers: Type.Array(Type.Any()),
  max_members: Type.Integer(),
  approximate_member_count: Type.Optional(Type.Integer()),
  approximate_presence_count: Type.Optional(Type.Integer()),
  hearth_group: Nullable(HearthGroup),
});
export type Guild = Static<typeof Guild>;

/** What GET /users/@me/guilds lists. */
export const PartialGuild = Type.Object({
  id: Snowflake,
  name: Type.String(),
  icon: Nullable(Type.String()),
  banner: Nullable(Type.String()),
  owner: Type.Boolean(),
  permissions: PermissionString,
  features: Type.Array(Type.String()),
  approximate_member_count: Type.Optional(Type.Integer()),
  approximate_presence_count: Type.Optional(Type.Integer()),
});

const GuildName = Type.String({ minLength: Limits.guildNameMin, maxLength: Limits.guildNameMax });

export const CreateGuild = Type.Object(
  {
    name: GuildName,
    icon: Type.Optional(Nullable(ImageData)),
    description: Type.Optional(Nullable(Type.String({ maxLength: 120 }))),
    verification_level: Type.Optional(Type.Integer({ minimum: 0, maximum: 4 })),
    default_message_notifications: Type.Optional(Type.Integer({ minimum: 0, maximum: 1 })),
    explicit_content_filter: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 })),
  },
  { additionalProperties: false },
);
export type CreateGuild = Static<typeof CreateGuild>;

export const ModifyGuild = Type.Object(
  {
    name: Type.Optional(GuildName),
    icon: Type.Optional(Nullable(ImageData)),
    /** A data URI; shown on a group's page and directory card (ADR 0031). */
    banner: Type.Optional(Nullable(ImageData)),
    description: Type.Optional(Nullable(Type.String({ maxLength: 120 }))),
    verification_level: Type.Optional(Type.Integer({ minimum: 0, maximum: 4 })),
    default_message_notifications: Type.Optional(Type.Integer({ minimum: 0, maximum: 1 })),
    explicit_content_filter: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 })),
    system_channel_id: Type.Optional(Nullable(Snowflake)),
    system_channel_flags: Type.Optional(Type.Integer({ minimum: 0 })),
    afk_channel_id: Type.Optional(Nullable(Snowflake)),
    afk_timeout: Type.Optional(Type.Integer({ minimum: 60, maximum: 3600 })),
    preferred_locale: Type.Optional(Type.String({ maxLength: 16 })),
    owner_id: Type.Optional(Snowflake),
    features: Type.Optional(
      Type.Array(Type.String({ maxLength: 64 }), {
        maxItems: 64,
        description:
          'Discord: COMMUNITY and DISCOVERABLE may be turned on or off; other features are kept as they are',
      }),
    ),
    hearth_group: Type.Optional(Nullable(HearthGroupInput)),
  },
  { additionalProperties: false },
);
export type ModifyGuild = Static<typeof ModifyGuild>;

export const OverwriteInput = Type.Object({
  id: Snowflake,
  type: Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal('0'), Type.Literal('1')]),
  allow: Type.Optional(Nullable(PermissionString)),
  deny: Type.Optional(Nullable(PermissionString)),
});

const ChannelFields = {
  name: Type.String({ minLength: 1, maxLength: Limits.channelNameMax }),
  type: Type.Integer(),
  topic: Nullable(Type.String({ maxLength: 1024 })),
  bitrate: Nullable(Type.Integer({ minimum: 8000, maximum: 384000 })),
  user_limit: Nullable(Type.Integer({ minimum: 0, maximum: 99 })),
  rate_limit_per_user: Nullable(Type.Integer({ minimum: 0, maximum: 21600 })),
  position: Nullable(Type.Integer({ minimum: 0 })),
  permission_overwrites: Nullable(Type.Array(OverwriteInput, { maxItems: 100 })),
  parent_id: Nullable(Snowflake),
  nsfw: Nullable(Type.Boolean()),
  rtc_region: Nullable(Type.String({ maxLength: 32 })),
  default_auto_archive_duration: Nullable(
    Type.Union([Type.Literal(60), Type.Literal(1440), Type.Literal(4320), Type.Literal(10080)]),
  ),
  flags: Type.Integer({ minimum: 0 }),
  /** A forum's tags: one without an id is new; one left out is removed. */
  available_tags: Nullable(
    Type.Array(
      Type.Object({
        id: Type.Optional(Nullable(Snowflake)),
        name: Type.String({ minLength: 1, maxLength: Limits.forumTagNameMax }),
        moderated: Type.Optional(Nullable(Type.Boolean())),
        emoji_id: Type.Optional(Nullable(Snowflake)),
        emoji_name: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
      }),
      { maxItems: Limits.forumTagsMax },
    ),
  ),
  default_reaction_emoji: Nullable(
    Type.Object({
      emoji_id: Type.Optional(Nullable(Snowflake)),
      emoji_name: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    }),
  ),
  default_thread_rate_limit_per_user: Nullable(Type.Integer({ minimum: 0, maximum: 21600 })),
  default_sort_order: Nullable(Type.Union([Type.Literal(0), Type.Literal(1)])),
  default_forum_layout: Nullable(Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)])),
  applied_tags: Nullable(Type.Array(Snowflake, { maxItems: Limits.appliedTagsMax })),
};

/** The fields of a forum or media channel, in create and modify. */
const ForumFields = {
  available_tags: Type.Optional(ChannelFields.available_tags),
  default_reaction_emoji: Type.Optional(ChannelFields.default_reaction_emoji),
  default_thread_rate_limit_per_user: Type.Optional(ChannelFields.default_thread_rate_limit_per_user),
  default_sort_order: Type.Optional(ChannelFields.default_sort_order),
  default_forum_layout: Type.Optional(ChannelFields.default_forum_layout),
  flags: Type.Optional(ChannelFields.flags),
};

export const CreateChannel = Type.Object(
  {
    name: ChannelFields.name,
    type: Type.Optional(Type.Integer({ minimum: 0 })),
    topic: Type.Optional(ChannelFields.topic),
    bitrate: Type.Optional(ChannelFields.bitrate),
    user_limit: Type.Optional(ChannelFields.user_limit),
    rate_limit_per_user: Type.Optional(ChannelFields.rate_limit_per_user),
    position: Type.Optional(ChannelFields.position),
    permission_overwrites: Type.Optional(ChannelFields.permission_overwrites),
    parent_id: Type.Optional(ChannelFields.parent_id),
    nsfw: Type.Optional(ChannelFields.nsfw),
    rtc_region: Type.Optional(ChannelFields.rtc_region),
    default_auto_archive_duration: Type.Optional(ChannelFields.default_auto_archive_duration),
    ...ForumFields,
  },
  { additionalProperties: false },
);
export type CreateChannel = Static<typeof CreateChannel>;

export const ModifyChannel = Type.Object(
  {
    name: Type.Optional(ChannelFields.name),
    type: Type.Optional(Type.Integer({ minimum: 0 })),
    topic: Type.Optional(ChannelFields.topic),
    bitrate: Type.Optional(ChannelFields.bitrate),
    user_limit: Type.Optional(ChannelFields.user_limit),
    rate_limit_per_user: Type.Optional(ChannelFields.rate_limit_per_user),
    position: Type.Optional(ChannelFields.position),
    permission_overwrites: Type.Optional(ChannelFields.permission_overwrites),
    parent_id: Type.Optional(ChannelFields.parent_id),
    nsfw: Type.Optional(ChannelFields.nsfw),
    rtc_region: Type.Optional(ChannelFields.rtc_region),
    default_auto_archive_duration: Type.Optional(ChannelFields.default_auto_archive_duration),
    /** Group DM name and icon. */
    icon: Type.Optional(Nullable(ImageData)),
    /** Threads. */
    archived: Type.Optional(Type.Boolean()),
    locked: Type.Optional(Type.Boolean()),
    invitable: Type.Optional(Type.Boolean()),
    auto_archive_duration: Type.Optional(
      Type.Union([Type.Literal(60), Type.Literal(1440), Type.Literal(4320), Type.Literal(10080)]),
    ),
    /** A forum post's tags (flags: its PINNED flag). */
    applied_tags: Type.Optional(ChannelFields.applied_tags),
    ...ForumFields,
  },
  { additionalProperties: false },
);
export type ModifyChannel = Static<typeof ModifyChannel>;

export const ChannelPositions = Type.Array(
  Type.Object(
    {
      id: Snowflake,
      position: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
      lock_permissions: Type.Optional(Nullable(Type.Boolean())),
      parent_id: Type.Optional(Nullable(Snowflake)),
    },
    { additionalProperties: false },
  ),
  { minItems: 1, maxItems: 500 },
);
export type ChannelPositions = Static<typeof ChannelPositions>;

export const EditOverwrite = Type.Object(
  {
    type: Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal('0'), Type.Literal('1')]),
    allow: Type.Optional(Nullable(PermissionString)),
    deny: Type.Optional(Nullable(PermissionString)),
  },
  { additionalProperties: false },
);
export type EditOverwrite = Static<typeof EditOverwrite>;

const RoleFields = {
  name: Type.String({ minLength: 1, maxLength: Limits.roleNameMax }),
  permissions: PermissionString,
  color: Type.Integer({ minimum: 0, maximum: 0xffffff }),
  hoist: Type.Boolean(),
  mentionable: Type.Boolean(),
  unicode_emoji: Nullable(Type.String({ maxLength: 32 })),
};

export const CreateRole = Type.Object(
  {
    name: Type.Optional(RoleFields.name),
    permissions: Type.Optional(RoleFields.permissions),
    color: Type.Optional(RoleFields.color),
    hoist: Type.Optional(RoleFields.hoist),
    mentionable: Type.Optional(RoleFields.mentionable),
    unicode_emoji: Type.Optional(RoleFields.unicode_emoji),
  },
  { additionalProperties: false },
);
export type CreateRole = Static<typeof CreateRole>;

export const ModifyRole = Type.Object(
  {
    name: Type.Optional(Nullable(RoleFields.name)),
    permissions: Type.Optional(Nullable(RoleFields.permissions)),
    color: Type.Optional(Nullable(RoleFields.color)),
    hoist: Type.Optional(Nullable(RoleFields.hoist)),
    mentionable: Type.Optional(Nullable(RoleFields.mentionable)),
    unicode_emoji: Type.Optional(RoleFields.unicode_emoji),
  },
  { additionalProperties: false },
);
export type ModifyRole = Static<typeof ModifyRole>;

export const RolePositions = Type.Array(
  Type.Object(
    { id: Snowflake, position: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))) },
    { additionalProperties: false },
  ),
  { minItems: 1, maxItems: 250 },
);
export type RolePositions = Static<typeof RolePositions>;

export const ModifyMember = Type.Object(
  {
    nick: Type.Optional(Nullable(Type.String({ maxLength: 32 }))),
    roles: Type.Optional(Nullable(Type.Array(Snowflake, { maxItems: 250 }))),
    mute: Type.Optional(Nullable(Type.Boolean())),
    deaf: Type.Optional(Nullable(Type.Boolean())),
    channel_id: Type.Optional(Nullable(Snowflake)),
    communication_disabled_until: Type.Optional(Nullable(Type.String({ format: 'date-time' }))),
    flags: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
  },
  { additionalProperties: false },
);
export type ModifyMember = Static<typeof ModifyMember>;

export const ModifyCurrentMember = Type.Object(
  {
    nick: Type.Optional(Nullable(Type.String({ maxLength: 32 }))),
  },
  { additionalProperties: false },
);

export const Emoji = Type.Object({
  id: Snowflake,
  name: Type.String(),
  roles: Type.Array(Snowflake),
  user: Type.Optional(User),
  require_colons: Type.Boolean(),
  managed: Type.Boolean(),
  animated: Type.Boolean(),
  available: Type.Boolean(),
});
export type Emoji = Static<typeof Emoji>;

export const Ban = Type.Object({ reason: Nullable(Type.String()), user: User });
export type Ban = Static<typeof Ban>;

export const CreateBan = Type.Object(
  {
    delete_message_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 604800 })),
    delete_message_days: Type.Optional(Type.Integer({ minimum: 0, maximum: 7 })),
  },
  { additionalProperties: false },
);

export const CreateInvite = Type.Object(
  {
    max_age: Type.Optional(Type.Integer({ minimum: 0, maximum: 604800 })),
    max_uses: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    temporary: Type.Optional(Type.Boolean()),
    unique: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type CreateInvite = Static<typeof CreateInvite>;

export const Invite = Type.Object({
  type: Type.Integer(),
  code: Type.String(),
  guild: Type.Optional(
    Type.Object({
      id: Snowflake,
      name: Type.String(),
      icon: Nullable(Type.String()),
      description: Nullable(Type.String()),
      features: Type.Array(Type.String()),
      verification_level: Type.Integer(),
      nsfw_level: Type.Integer(),
      splash: Type.Null(),
      banner: Type.Null(),
      vanity_url_code: Type.Null(),
    }),
  ),
  guild_id: Type.Optional(Snowflake),
  channel: Nullable(Type.Object({ id: Snowflake, name: Nullable(Type.String()), type: Type.Integer() })),
  inviter: Type.Optional(User),
  approximate_member_count: Type.Optional(Type.Integer()),
  approximate_presence_count: Type.Optional(Type.Integer()),
  expires_at: Nullable(Type.String()),
  uses: Type.Optional(Type.Integer()),
  max_uses: Type.Optional(Type.Integer()),
  max_age: Type.Optional(Type.Integer()),
  temporary: Type.Optional(Type.Boolean()),
  created_at: Type.Optional(Type.String()),
});
export type Invite = Static<typeof Invite>;

export const AuditLogEntry = Type.Object({
  id: Snowflake,
  guild_id: Type.Optional(Snowflake),
  user_id: Nullable(Snowflake),
  target_id: Nullable(Type.String()),
  action_type: Type.Integer(),
  changes: Type.Optional(
    Type.Array(
      Type.Object({
        key: Type.String(),
        old_value: Type.Optional(Type.Any()),
        new_value: Type.Optional(Type.Any()),
      }),
    ),
  ),
  options: Type.Optional(Type.Record(Type.String(), Type.String())),
  reason: Type.Optional(Type.String()),
});
export type AuditLogEntry = Static<typeof AuditLogEntry>;

/** Discord's audit log event numbers. */
export const AuditLogEvent = {
  GuildUpdate: 1,
  ChannelCreate: 10,
  ChannelUpdate: 11,
  ChannelDelete: 12,
  ChannelOverwriteCreate: 13,
  ChannelOverwriteUpdate: 14,
  ChannelOverwriteDelete: 15,
  MemberKick: 20,
  MemberPrune: 21,
  MemberBanAdd: 22,
  MemberBanRemove: 23,
  MemberUpdate: 24,
  MemberRoleUpdate: 25,
  MemberMove: 26,
  MemberDisconnect: 27,
  BotAdd: 28,
  RoleCreate: 30,
  RoleUpdate: 31,
  RoleDelete: 32,
  InviteCreate: 40,
  InviteUpdate: 41,
  InviteDelete: 42,
  WebhookCreate: 50,
  WebhookUpdate: 51,
  WebhookDelete: 52,
  EmojiCreate: 60,
  EmojiUpdate: 61,
  EmojiDelete: 62,
  MessageDelete: 72,
  MessageBulkDelete: 73,
  MessagePin: 74,
  MessageUnpin: 75,
  StickerCreate: 90,
  StickerUpdate: 91,
  StickerDelete: 92,
  GuildScheduledEventCreate: 100,
  GuildScheduledEventUpdate: 101,
  GuildScheduledEventDelete: 102,
  ThreadCreate: 110,
  ThreadUpdate: 111,
  ThreadDelete: 112,
} as const;
