import { index, pgTable, smallint, text } from 'drizzle-orm/pg-core';
import { snowflake, timestamptz } from './types';

/**
 * Incoming webhooks: found by their own id alone (`/webhooks/:id/:token`), so keyed by it (ADR 0002). The token is
 * kept as issued, because Discord shows it again to members who may manage webhooks (ADR 0018).
 */
export const webhooks = pgTable(
  'webhooks',
  {
    id: snowflake('id').primaryKey(),
    /** 1 incoming (the only type Hearth makes). */
    type: smallint('type').notNull().default(1),
    guildId: snowflake('guild_id').notNull(),
    channelId: snowflake('channel_id').notNull(),
    /** Who created it; null once that account is gone. */
    creatorId: snowflake('creator_id'),
    name: text('name').notNull(),
    /** Avatar hash, served at /avatars/<webhook id>/<hash>.png like a user's. */
    avatar: text('avatar'),
    token: text('token').notNull(),
    applicationId: snowflake('application_id'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [index('webhooks_channel_idx').on(t.channelId), index('webhooks_guild_idx').on(t.guildId)],
);
