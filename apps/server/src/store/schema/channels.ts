import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, primaryKey, smallint, text } from 'drizzle-orm/pg-core';
import { permissionBits, snowflake, timestamptz } from './types';

/** A forum's tag as stored: the wire's ForumTag. */
export interface StoredForumTag {
  id: string;
  name: string;
  moderated: boolean;
  emoji_id: string | null;
  emoji_name: string | null;
}

/**
 * Every kind of channel: guild text, voice, category, announcement, threads, DMs and group DMs.
 * guild_id is null for DMs. Thread fields are null elsewhere.
 */
export const channels = pgTable(
  'channels',
  {
    id: snowflake('id').primaryKey(),
    type: smallint('type').notNull(),
    guildId: snowflake('guild_id'),
    name: text('name'),
    topic: text('topic'),
    position: integer('position').notNull().default(0),
    parentId: snowflake('parent_id'),
    nsfw: boolean('nsfw').notNull().default(false),
    rateLimitPerUser: integer('rate_limit_per_user').notNull().default(0),
    bitrate: integer('bitrate'),
    userLimit: integer('user_limit'),
    rtcRegion: text('rtc_region'),
    videoQualityMode: smallint('video_quality_mode'),
    defaultAutoArchiveDuration: integer('default_auto_archive_duration'),
    /** Kept by a trigger on messages (migration 0002): the newest message ever written here. */
    lastMessageId: snowflake('last_message_id'),
    lastPinTimestamp: timestamptz('last_pin_timestamp'),
    /** Group DM owner, or the creator of a thread. */
    ownerId: snowflake('owner_id'),
    /** Group DM icon hash. */
    icon: text('icon'),
    // Threads
    archived: boolean('archived'),
    locked: boolean('locked'),
    invitable: boolean('invitable'),
    autoArchiveDuration: integer('auto_archive_duration'),
    archiveTimestamp: timestamptz('archive_timestamp'),
    messageCount: integer('message_count').notNull().default(0),
    totalMessageSent: integer('total_message_sent').notNull().default(0),
    flags: integer('flags').notNull().default(0),
    // Forum and media channels (ADR 0031): their tags (at most 20) and the defaults of their posts
    availableTags: jsonb('available_tags').$type<StoredForumTag[]>(),
    defaultReactionEmoji: jsonb('default_reaction_emoji').$type<{
      emoji_id: string | null;
      emoji_name: string | null;
    }>(),
    defaultThreadRateLimitPerUser: integer('default_thread_rate_limit_per_user'),
    defaultSortOrder: smallint('default_sort_order'),
    defaultForumLayout: smallint('default_forum_layout'),
    /** A forum post's tags (at most 5 of its forum's tag ids). */
    appliedTags: jsonb('applied_tags').$type<string[]>(),
    /** A group post made by mentioning the group in a status (ADR 0031): that status, which edits and deletes it. */
    sourceStatusId: snowflake('source_status_id'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('channels_guild_idx').on(t.guildId),
    index('channels_parent_idx').on(t.parentId),
    index('channels_source_status_idx').on(t.sourceStatusId).where(sql`${t.sourceStatusId} is not null`),
  ],
);

/** Channel permission overwrites: type 0 role, 1 member. */
export const permissionOverwrites = pgTable(
  'permission_overwrites',
  {
    channelId: snowflake('channel_id').notNull(),
    targetId: snowflake('target_id').notNull(),
    guildId: snowflake('guild_id').notNull(),
    type: smallint('type').notNull(),
    allow: permissionBits('allow').notNull(),
    deny: permissionBits('deny').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.channelId, t.targetId] }),
    index('permission_overwrites_guild_idx').on(t.guildId),
  ],
);

/** Recipients of a DM (two) or group DM (up to ten). */
export const channelRecipients = pgTable(
  'channel_recipients',
  {
    channelId: snowflake('channel_id').notNull(),
    userId: snowflake('user_id').notNull(),
    addedAt: timestamptz('added_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.channelId, t.userId] }),
    index('channel_recipients_user_idx').on(t.userId),
  ],
);

/** The one DM channel between two people, stored once per side so each finds it by their own id. */
export const dmPairs = pgTable(
  'dm_pairs',
  {
    userId: snowflake('user_id').notNull(),
    recipientId: snowflake('recipient_id').notNull(),
    channelId: snowflake('channel_id').notNull(),
    /** The DM is hidden from this user's list until a new message arrives. */
    closed: boolean('closed').notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.userId, t.recipientId] })],
);

export const threadMembers = pgTable(
  'thread_members',
  {
    channelId: snowflake('channel_id').notNull(),
    userId: snowflake('user_id').notNull(),
    guildId: snowflake('guild_id').notNull(),
    joinTimestamp: timestamptz('join_timestamp').notNull().defaultNow(),
    flags: integer('flags').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.userId] }), index('thread_members_user_idx').on(t.userId)],
);

/** What a user has read in a channel, and how many mentions of them arrived after it. */
export const readStates = pgTable(
  'read_states',
  {
    userId: snowflake('user_id').notNull(),
    channelId: snowflake('channel_id').notNull(),
    lastMessageId: snowflake('last_message_id'),
    mentionCount: integer('mention_count').notNull().default(0),
    lastPinTimestamp: timestamptz('last_pin_timestamp'),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.channelId] })],
);
