import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
} from 'drizzle-orm/pg-core';
import { snowflake, timestamptz, tsvector } from './types';

/** Messages are keyed (channel_id, id): history is a keyset scan of one channel. */
/** A sticker as a message shows it. */
export interface StickerItemRow {
  id: string;
  name: string;
  format_type: number;
}

/** Discord's message call object, as stored. */
export interface MessageCallRow {
  participants: string[];
  ended_timestamp: string | null;
}

export const messages = pgTable(
  'messages',
  {
    channelId: snowflake('channel_id').notNull(),
    id: snowflake('id').notNull(),
    guildId: snowflake('guild_id'),
    authorId: snowflake('author_id').notNull(),
    type: smallint('type').notNull().default(0),
    content: text('content').notNull().default(''),
    tts: boolean('tts').notNull().default(false),
    mentionEveryone: boolean('mention_everyone').notNull().default(false),
    mentionUserIds: jsonb('mention_user_ids').$type<string[]>().notNull().default([]),
    mentionRoleIds: jsonb('mention_role_ids').$type<string[]>().notNull().default([]),
    mentionChannelIds: jsonb('mention_channel_ids').$type<string[]>().notNull().default([]),
    flags: integer('flags').notNull().default(0),
    pinned: boolean('pinned').notNull().default(false),
    /** When it was last pinned (null while not pinned): the order and `before` cursor of the pins list. */
    pinnedAt: timestamptz('pinned_at'),
    nonce: text('nonce'),
    editedAt: timestamptz('edited_at'),
    referenceChannelId: snowflake('reference_channel_id'),
    referenceMessageId: snowflake('reference_message_id'),
    referenceGuildId: snowflake('reference_guild_id'),
    /** The thread started from this message. */
    threadId: snowflake('thread_id'),
    webhookId: snowflake('webhook_id'),
    /** A webhook message's author as shown: the name and avatar hash it was sent with, or its avatar_url override. */
    webhookName: text('webhook_name'),
    webhookAvatar: text('webhook_avatar'),
    webhookAvatarUrl: text('webhook_avatar_url'),
    applicationId: snowflake('application_id'),
    /** On an interaction's response or follow-up: Discord's interaction_metadata, as the interaction was. */
    interactionMetadata: jsonb('interaction_metadata').$type<Record<string, unknown>>(),
    embeds: jsonb('embeds').$type<unknown[]>().notNull().default([]),
    components: jsonb('components').$type<unknown[]>().notNull().default([]),
    /** The stickers sent with it, as sent: `[{id, name, format_type}]` (Discord's sticker items). */
    stickerItems: jsonb('sticker_items').$type<StickerItemRow[]>().notNull().default([]),
    /** On a call's system message (type 3): who took part, and when the call ended (null while it goes on). */
    call: jsonb('call').$type<MessageCallRow>(),
    searchVector: tsvector('search_vector').generatedAlwaysAs(sql`to_tsvector('simple', content)`),
  },
  (t) => [
    primaryKey({ columns: [t.channelId, t.id] }),
    index('messages_author_idx').on(t.channelId, t.authorId, t.id),
    index('messages_search_idx').using('gin', t.searchVector),
    // A message by its id alone: a group post's comment is a Mastodon status found by its id (ADR 0031). Not a hot
    // path; under Citus each shard keeps its own part and the lookup asks every shard.
    index('messages_id_idx').on(t.id),
  ],
);

export const attachments = pgTable(
  'attachments',
  {
    channelId: snowflake('channel_id').notNull(),
    messageId: snowflake('message_id').notNull(),
    id: snowflake('id').notNull(),
    filename: text('filename').notNull(),
    description: text('description'),
    contentType: text('content_type').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    width: integer('width'),
    height: integer('height'),
    durationSecs: integer('duration_secs'),
    ephemeral: boolean('ephemeral').notNull().default(false),
    storageKey: text('storage_key').notNull(),
    previewKey: text('preview_key'),
    uploaderId: snowflake('uploader_id').notNull(),
    flags: integer('flags').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.messageId, t.id] })],
);

/**
 * A file announced through Discord's cloud-upload flow (`POST /channels/:id/attachments`): its bytes arrive by a PUT
 * to a signed URL (`pending` → `receiving` → `uploaded`) into the folder its attachment will keep, and a message of the
 * same channel by the same uploader turns it into an attachment row (deleting this one). Never used, it is swept at
 * `expires_at`, files and all. Channel-owned, as attachments are.
 */
export const cloudUploads = pgTable(
  'cloud_uploads',
  {
    channelId: snowflake('channel_id').notNull(),
    id: snowflake('id').notNull(),
    uploaderId: snowflake('uploader_id').notNull(),
    /** The safe name announced with it (a message may rename it). */
    filename: text('filename').notNull(),
    /** The size announced: the PUT may bring at most this many bytes. */
    declaredSize: bigint('declared_size', { mode: 'number' }).notNull(),
    state: text('state').notNull().default('pending'),
    contentType: text('content_type'),
    size: bigint('size', { mode: 'number' }),
    width: integer('width'),
    height: integer('height'),
    previewKey: text('preview_key'),
    expiresAt: timestamptz('expires_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.channelId, t.id] }),
    index('cloud_uploads_uploader_idx').on(t.uploaderId),
    index('cloud_uploads_expires_idx').on(t.expiresAt),
  ],
);

/**
 * One row per user, message and emoji: a user may react with several emoji.
 * emoji_key is the unicode emoji itself or the custom emoji's id.
 */
export const reactions = pgTable(
  'reactions',
  {
    channelId: snowflake('channel_id').notNull(),
    messageId: snowflake('message_id').notNull(),
    emojiKey: text('emoji_key').notNull(),
    userId: snowflake('user_id').notNull(),
    emojiId: snowflake('emoji_id'),
    emojiName: text('emoji_name').notNull(),
    emojiAnimated: boolean('emoji_animated').notNull().default(false),
    burst: boolean('burst').notNull().default(false),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.messageId, t.emojiKey, t.userId] })],
);

/** A user's mentions inbox: who mentioned them where. */
export const mentions = pgTable(
  'mentions',
  {
    userId: snowflake('user_id').notNull(),
    channelId: snowflake('channel_id').notNull(),
    messageId: snowflake('message_id').notNull(),
    guildId: snowflake('guild_id'),
    authorId: snowflake('author_id').notNull(),
    /** 0 direct, 1 role, 2 everyone or here. */
    kind: smallint('kind').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.userId, t.channelId, t.messageId] })],
);

/**
 * Link previews fetched for messages' links (the unfurl job), by URL: one fetch serves every message that links
 * the same page within a day. `embed` is null when the page had nothing to show (or could not be fetched), so a
 * dead link is not fetched again for each message either.
 */
export const linkPreviews = pgTable(
  'link_previews',
  {
    url: text('url').primaryKey(),
    embed: jsonb('embed').$type<object>(),
    fetchedAt: timestamptz('fetched_at').notNull().defaultNow(),
  },
  (t) => [index('link_previews_fetched_idx').on(t.fetchedAt)],
);
