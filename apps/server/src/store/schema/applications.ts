import { boolean, index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { snowflake, timestamptz } from './types';

export const applications = pgTable(
  'applications',
  {
    id: snowflake('id').primaryKey(),
    ownerId: snowflake('owner_id').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    icon: text('icon'),
    botUserId: snowflake('bot_user_id').notNull(),
    botPublic: boolean('bot_public').notNull().default(true),
    flags: integer('flags').notNull().default(0),
    /** Hash of the bot token; null until the first reset. */
    botTokenHash: text('bot_token_hash'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('applications_owner_idx').on(t.ownerId),
    uniqueIndex('applications_bot_user_key').on(t.botUserId),
  ],
);

/** Emojis an application owns (Discord's application emojis): usable by its bot anywhere. Images as guild emojis'. */
export const applicationEmojis = pgTable(
  'application_emojis',
  {
    applicationId: snowflake('application_id').notNull(),
    id: snowflake('id').notNull(),
    name: text('name').notNull(),
    animated: boolean('animated').notNull().default(false),
    userId: snowflake('user_id'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.applicationId, t.id] }), index('application_emojis_id_idx').on(t.id)],
);
