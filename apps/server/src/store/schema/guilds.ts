import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { permissionBits, snowflake, timestamptz } from './types';

export const guilds = pgTable(
  'guilds',
  {
    id: snowflake('id').primaryKey(),
    name: text('name').notNull(),
    icon: text('icon'),
    /** A group's banner (ADR 0031): the image hash, served at /banners/:guild_id/:hash. */
    banner: text('banner'),
    description: text('description'),
    ownerId: snowflake('owner_id').notNull(),
    systemChannelId: snowflake('system_channel_id'),
    systemChannelFlags: integer('system_channel_flags').notNull().default(0),
    afkChannelId: snowflake('afk_channel_id'),
    afkTimeout: integer('afk_timeout').notNull().default(300),
    verificationLevel: smallint('verification_level').notNull().default(0),
    defaultMessageNotifications: smallint('default_message_notifications').notNull().default(0),
    explicitContentFilter: smallint('explicit_content_filter').notNull().default(0),
    preferredLocale: text('preferred_locale').notNull().default('en-US'),
    /** Listed in server discovery. */
    public: boolean('public').notNull().default(false),
    features: jsonb('features').$type<string[]>().notNull().default([]),
    /** A group's join mode (ADR 0031): 'public', 'approval' or 'private'; null when the guild is not a group. */
    groupJoinMode: text('group_join_mode').$type<'public' | 'approval' | 'private'>(),
    /** A group's rules, shown before joining. */
    groupRules: text('group_rules'),
    /** A group's topics, lowercase, searchable in the directory. */
    groupTags: jsonb('group_tags').$type<string[]>().notNull().default([]),
    /**
     * A group's handle (ADR 0031): its Mastodon account's username, mentioned as @handle. One namespace with users'
     * usernames, kept by a trigger on both tables (migration 0025); null: the group has no Mastodon account.
     */
    groupHandle: text('group_handle'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('guilds_owner_idx').on(t.ownerId),
    uniqueIndex('guilds_group_handle_key').on(sql`lower(${t.groupHandle})`),
  ],
);

/** The @everyone role has id = guild id. */
export const roles = pgTable(
  'roles',
  {
    guildId: snowflake('guild_id').notNull(),
    id: snowflake('id').notNull(),
    name: text('name').notNull(),
    color: integer('color').notNull().default(0),
    hoist: boolean('hoist').notNull().default(false),
    icon: text('icon'),
    unicodeEmoji: text('unicode_emoji'),
    position: integer('position').notNull().default(0),
    permissions: permissionBits('permissions').notNull(),
    managed: boolean('managed').notNull().default(false),
    mentionable: boolean('mentionable').notNull().default(false),
    /** The bot a managed role belongs to. */
    botId: snowflake('bot_id'),
    flags: integer('flags').notNull().default(0),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.id] })],
);

export const members = pgTable(
  'members',
  {
    guildId: snowflake('guild_id').notNull(),
    userId: snowflake('user_id').notNull(),
    nick: text('nick'),
    avatar: text('avatar'),
    joinedAt: timestamptz('joined_at').notNull().defaultNow(),
    premiumSince: timestamptz('premium_since'),
    deaf: boolean('deaf').notNull().default(false),
    mute: boolean('mute').notNull().default(false),
    pending: boolean('pending').notNull().default(false),
    communicationDisabledUntil: timestamptz('communication_disabled_until'),
    flags: integer('flags').notNull().default(0),
    /** Joined through a temporary invite: removed when they disconnect without a role. */
    temporary: boolean('temporary').notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.userId] }), index('members_user_idx').on(t.userId)],
);

export const memberRoles = pgTable(
  'member_roles',
  {
    guildId: snowflake('guild_id').notNull(),
    userId: snowflake('user_id').notNull(),
    roleId: snowflake('role_id').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.guildId, t.userId, t.roleId] }),
    index('member_roles_role_idx').on(t.guildId, t.roleId),
  ],
);

export const bans = pgTable(
  'bans',
  {
    guildId: snowflake('guild_id').notNull(),
    userId: snowflake('user_id').notNull(),
    reason: text('reason'),
    moderatorId: snowflake('moderator_id'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.userId] })],
);

/**
 * A request to join an approval-required group (Discord's guild join requests). One row per guild and user: a new
 * request after a rejection replaces the old one; an approved request is deleted once its member row exists.
 */
export const guildJoinRequests = pgTable(
  'guild_join_requests',
  {
    guildId: snowflake('guild_id').notNull(),
    id: snowflake('id').notNull(),
    userId: snowflake('user_id').notNull(),
    /** 'SUBMITTED', 'APPROVED' or 'REJECTED'. */
    status: text('status').$type<'SUBMITTED' | 'APPROVED' | 'REJECTED'>().notNull(),
    rejectionReason: text('rejection_reason'),
    actionedBy: snowflake('actioned_by'),
    actionedAt: timestamptz('actioned_at'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.guildId, t.id] }),
    uniqueIndex('guild_join_requests_user_idx').on(t.guildId, t.userId),
  ],
);

/**
 * A member's report of a message (a group's post or comment) to the guild's moderators (MANAGE_MESSAGES or
 * KICK_MEMBERS). One report per reporter and message.
 */
export const messageReports = pgTable(
  'message_reports',
  {
    guildId: snowflake('guild_id').notNull(),
    id: snowflake('id').notNull(),
    channelId: snowflake('channel_id').notNull(),
    messageId: snowflake('message_id').notNull(),
    authorId: snowflake('author_id').notNull(),
    reporterId: snowflake('reporter_id').notNull(),
    reason: text('reason').notNull(),
    /** 'open', 'resolved' or 'dismissed'. */
    status: text('status').$type<'open' | 'resolved' | 'dismissed'>().notNull().default('open'),
    resolvedBy: snowflake('resolved_by'),
    resolvedAt: timestamptz('resolved_at'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.guildId, t.id] }),
    uniqueIndex('message_reports_reporter_idx').on(t.guildId, t.messageId, t.reporterId),
    index('message_reports_status_idx').on(t.guildId, t.status, t.id),
  ],
);

/** Invites are found by code alone (anyone holding it may preview), so the code is the key. */
export const invites = pgTable(
  'invites',
  {
    code: text('code').primaryKey(),
    guildId: snowflake('guild_id').notNull(),
    channelId: snowflake('channel_id').notNull(),
    inviterId: snowflake('inviter_id'),
    maxAge: integer('max_age').notNull().default(86400),
    maxUses: integer('max_uses').notNull().default(0),
    uses: integer('uses').notNull().default(0),
    temporary: boolean('temporary').notNull().default(false),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    expiresAt: timestamptz('expires_at'),
  },
  (t) => [index('invites_guild_idx').on(t.guildId), index('invites_channel_idx').on(t.channelId)],
);

export const auditLogEntries = pgTable(
  'audit_log_entries',
  {
    guildId: snowflake('guild_id').notNull(),
    id: snowflake('id').notNull(),
    userId: snowflake('user_id'),
    /** A user, role, channel or guild id, or an invite code. */
    targetId: text('target_id'),
    actionType: smallint('action_type').notNull(),
    changes: jsonb('changes').$type<Array<{ key: string; old_value?: unknown; new_value?: unknown }>>(),
    options: jsonb('options').$type<Record<string, string>>(),
    reason: text('reason'),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.id] })],
);

export const emojis = pgTable(
  'emojis',
  {
    guildId: snowflake('guild_id').notNull(),
    id: snowflake('id').notNull(),
    name: text('name').notNull(),
    animated: boolean('animated').notNull().default(false),
    available: boolean('available').notNull().default(true),
    managed: boolean('managed').notNull().default(false),
    requireColons: boolean('require_colons').notNull().default(true),
    userId: snowflake('user_id'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.id] })],
);

/** Roles allowed to use an emoji (empty: everyone). */
export const emojiRoles = pgTable(
  'emoji_roles',
  {
    guildId: snowflake('guild_id').notNull(),
    emojiId: snowflake('emoji_id').notNull(),
    roleId: snowflake('role_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.emojiId, t.roleId] })],
);

/** A guild's own stickers (Discord's GUILD stickers, type 2). The image lives in media_files as `stickers/<id>.<ext>`. */
export const stickers = pgTable(
  'stickers',
  {
    guildId: snowflake('guild_id').notNull(),
    id: snowflake('id').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    tags: text('tags').notNull(),
    /** 1 PNG, 2 APNG, 3 LOTTIE, 4 GIF: the format uploaded. */
    formatType: smallint('format_type').notNull(),
    available: boolean('available').notNull().default(true),
    userId: snowflake('user_id'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  // GET /stickers/:id and message sends find a sticker by its id alone.
  (t) => [primaryKey({ columns: [t.guildId, t.id] }), index('stickers_id_idx').on(t.id)],
);

/** A guild's scheduled events; the recurrence rule is kept as given. */
export const scheduledEvents = pgTable(
  'scheduled_events',
  {
    guildId: snowflake('guild_id').notNull(),
    id: snowflake('id').notNull(),
    /** The stage or voice channel; null for EXTERNAL events. */
    channelId: snowflake('channel_id'),
    creatorId: snowflake('creator_id'),
    name: text('name').notNull(),
    description: text('description'),
    scheduledStartTime: timestamptz('scheduled_start_time').notNull(),
    scheduledEndTime: timestamptz('scheduled_end_time'),
    privacyLevel: smallint('privacy_level').notNull().default(2),
    /** 1 SCHEDULED, 2 ACTIVE, 3 COMPLETED, 4 CANCELED. */
    status: smallint('status').notNull().default(1),
    /** 1 STAGE_INSTANCE, 2 VOICE, 3 EXTERNAL. */
    entityType: smallint('entity_type').notNull(),
    /** entity_metadata.location of an EXTERNAL event. */
    location: text('location'),
    image: text('image'),
    recurrenceRule: jsonb('recurrence_rule').$type<Record<string, unknown>>(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.id] })],
);

/** Who is interested in a scheduled event. */
export const scheduledEventUsers = pgTable(
  'scheduled_event_users',
  {
    guildId: snowflake('guild_id').notNull(),
    eventId: snowflake('event_id').notNull(),
    userId: snowflake('user_id').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.eventId, t.userId] })],
);
