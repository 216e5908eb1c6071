import { type Static, Type } from 'typebox';
import { Nullable, Snowflake, Username } from './common';
import { User } from './users';

// Groups (ADR 0031): a guild's public face. Discord's own guild fields carry what they can (`description`,
// `features` DISCOVERABLE and COMMUNITY); what Discord has no field for is Hearth's, under `hearth_group`.

export const GroupLimits = {
  rulesMax: 2000,
  tagsMax: 10,
  tagMax: 30,
  directoryPageMax: 48,
  directoryOffsetMax: 10000,
  queryMax: 100,
  joinRequestsPageMax: 100,
  rejectionReasonMax: 160,
  reportReasonMax: 1000,
  reportsPageMax: 100,
} as const;

export const GroupJoinMode = Type.Union(
  [Type.Literal('public'), Type.Literal('approval'), Type.Literal('private')],
  {
    description:
      "'public': anyone signed in joins; 'approval': anyone may request to join and moderators approve; 'private': invite only, never listed",
  },
);
export type GroupJoinMode = Static<typeof GroupJoinMode>;

/** A topic: lowercase letters, digits, '-' and '_'. */
export const GroupTag = Type.String({
  pattern: '^[a-z0-9_-]+$',
  minLength: 1,
  maxLength: GroupLimits.tagMax,
});

/** Hearth's extension of the guild object: the group settings Discord has no field for. */
export const HearthGroup = Type.Object(
  {
    join_mode: GroupJoinMode,
    rules: Nullable(Type.String({ maxLength: GroupLimits.rulesMax })),
    tags: Type.Array(GroupTag, { maxItems: GroupLimits.tagsMax, uniqueItems: true }),
    /** Its Mastodon account's username (@handle), one namespace with users' usernames; null: no account. */
    handle: Nullable(Username),
  },
  { description: "Hearth's own: the guild is a group (ADR 0031); null when it is not" },
);
export type HearthGroup = Static<typeof HearthGroup>;

/** PATCH /guilds/:id `hearth_group`: null stops being a group; omitted fields keep their value. */
export const HearthGroupInput = Type.Object(
  {
    join_mode: Type.Optional(GroupJoinMode),
    rules: Type.Optional(Nullable(Type.String({ maxLength: GroupLimits.rulesMax }))),
    tags: Type.Optional(Type.Array(GroupTag, { maxItems: GroupLimits.tagsMax, uniqueItems: true })),
    handle: Type.Optional(Nullable(Username)),
  },
  { additionalProperties: false },
);
export type HearthGroupInput = Static<typeof HearthGroupInput>;

/** One group in the directory (GET /discoverable-guilds). */
export const DiscoverableGuild = Type.Object({
  id: Snowflake,
  name: Type.String(),
  icon: Nullable(Type.String()),
  /** The group's banner hash (`/banners/:id/:hash.png`). */
  banner: Nullable(Type.String()),
  description: Nullable(Type.String()),
  features: Type.Array(Type.String()),
  approximate_member_count: Type.Integer(),
  approximate_presence_count: Type.Integer(),
  hearth_group: HearthGroup,
  /** Hearth's own: whether the caller is a member. */
  is_member: Type.Boolean(),
  /** Hearth's own: the caller's open join request, if any. */
  join_request_status: Nullable(Type.String()),
});
export type DiscoverableGuild = Static<typeof DiscoverableGuild>;

export const DiscoverableGuilds = Type.Object({
  guilds: Type.Array(DiscoverableGuild),
  total: Type.Integer(),
  offset: Type.Integer(),
  limit: Type.Integer(),
});
export type DiscoverableGuilds = Static<typeof DiscoverableGuilds>;

export const JoinRequestStatus = Type.Union([
  Type.Literal('SUBMITTED'),
  Type.Literal('APPROVED'),
  Type.Literal('REJECTED'),
]);
export type JoinRequestStatus = Static<typeof JoinRequestStatus>;

/** Discord's guild join request object. */
export const GuildJoinRequest = Type.Object({
  id: Snowflake,
  join_request_id: Snowflake,
  guild_id: Snowflake,
  user_id: Snowflake,
  user: Type.Optional(User),
  created_at: Type.String(),
  application_status: JoinRequestStatus,
  rejection_reason: Nullable(Type.String()),
  form_responses: Type.Array(Type.Any()),
  interview_channel_id: Type.Null(),
  last_seen: Nullable(Type.String()),
  actioned_at: Nullable(Type.String()),
  reviewed_at: Type.Optional(Type.String()),
  actioned_by_user: Type.Optional(User),
});
export type GuildJoinRequest = Static<typeof GuildJoinRequest>;

export const GuildJoinRequests = Type.Object({
  guild_join_requests: Type.Array(GuildJoinRequest),
  total: Type.Integer(),
});

export const ActionJoinRequest = Type.Object(
  {
    action: Type.Union([Type.Literal('APPROVED'), Type.Literal('REJECTED')]),
    rejection_reason: Type.Optional(Nullable(Type.String({ maxLength: GroupLimits.rejectionReasonMax }))),
  },
  { additionalProperties: false },
);
export type ActionJoinRequest = Static<typeof ActionJoinRequest>;

/** The guild features a guild's managers may turn on or off with PATCH /guilds/:id, as on Discord. */
export const MUTABLE_GUILD_FEATURES = ['COMMUNITY', 'DISCOVERABLE'] as const;

/** Hearth's own: a member's report of a message to the guild's moderators. */
export const MessageReport = Type.Object({
  id: Snowflake,
  guild_id: Snowflake,
  channel_id: Snowflake,
  message_id: Snowflake,
  author_id: Snowflake,
  reporter: Type.Optional(User),
  reason: Type.String(),
  status: Type.Union([Type.Literal('open'), Type.Literal('resolved'), Type.Literal('dismissed')]),
  /** The message as it is now; null once it has been deleted. */
  content: Nullable(Type.String()),
  created_at: Type.String(),
  resolved_by: Nullable(Snowflake),
  resolved_at: Nullable(Type.String()),
});
export type MessageReport = Static<typeof MessageReport>;

export const CreateMessageReport = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: GroupLimits.reportReasonMax }) },
  { additionalProperties: false },
);

export const UpdateMessageReport = Type.Object(
  { status: Type.Union([Type.Literal('resolved'), Type.Literal('dismissed')]) },
  { additionalProperties: false },
);
