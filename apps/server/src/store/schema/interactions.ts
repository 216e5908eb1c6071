import { boolean, index, jsonb, pgTable, primaryKey, smallint, text } from 'drizzle-orm/pg-core';
import { snowflake, timestamptz } from './types';

/**
 * Interactions while their token lives (15 minutes, ADR 0039): who invoked what where, the payload the application
 * got, and the state of its one initial response. Channel-owned (deleted with the channel); swept when expired.
 */
export const interactions = pgTable(
  'interactions',
  {
    channelId: snowflake('channel_id').notNull(),
    id: snowflake('id').notNull(),
    guildId: snowflake('guild_id'),
    applicationId: snowflake('application_id').notNull(),
    /** The person who invoked it. */
    userId: snowflake('user_id').notNull(),
    type: smallint('type').notNull(),
    /** sha256 of the token (the token itself is only ever told to the application). */
    tokenHash: text('token_hash').notNull(),
    /** `pending` until the initial response; then `acknowledged`; `failed` once its deadline passed unanswered. */
    state: text('state').notNull().default('pending'),
    /** The callback type of the initial response. */
    responseType: smallint('response_type'),
    /** `@original`: the response message (types 4, 5), or the component's message (types 3 with 6, 7). */
    originalMessageId: snowflake('original_message_id'),
    /** Whether `@original` is an ephemeral message (kept in ephemeral_messages). */
    originalEphemeral: boolean('original_ephemeral').notNull().default(false),
    /** A component interaction's message. */
    messageId: snowflake('message_id'),
    /** The invoker's nonce, echoed in INTERACTION_SUCCESS / FAILURE. */
    nonce: text('nonce'),
    /** A modal's custom_id, for the submit that answers it. */
    modalCustomId: text('modal_custom_id'),
    /** The payload the application got (INTERACTION_CREATE). */
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.channelId, t.id] }),
    index('interactions_id_idx').on(t.id),
    index('interactions_created_idx').on(t.createdAt),
  ],
);

/**
 * Ephemeral messages: an interaction's answers seen by its invoker alone. Never in `messages`, so no history, search
 * or other member ever reads them; they live as long as their interaction's token.
 */
export const ephemeralMessages = pgTable(
  'ephemeral_messages',
  {
    channelId: snowflake('channel_id').notNull(),
    id: snowflake('id').notNull(),
    interactionId: snowflake('interaction_id').notNull(),
    userId: snowflake('user_id').notNull(),
    /** The message object as the invoker sees it. */
    message: jsonb('message').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.channelId, t.id] }),
    index('ephemeral_messages_interaction_idx').on(t.interactionId),
  ],
);
