import { bigint, index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { snowflake, timestamptz } from './types';

/** A stored file: avatars, banners, icons, emojis. Attachments have their own table. */
export const mediaFiles = pgTable(
  'media_files',
  {
    storageKey: text('storage_key').primaryKey(),
    ownerId: snowflake('owner_id'),
    /** 'avatar' | 'banner' | 'guild_icon' | 'member_avatar' | 'emoji' | 'group_icon' */
    purpose: text('purpose').notNull(),
    contentType: text('content_type').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    width: integer('width'),
    height: integer('height'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [index('media_files_owner_idx').on(t.ownerId)],
);
