import { boolean, index, jsonb, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { snowflake, timestamptz } from './types';

/**
 * Who is in which voice channel (ADR 0034): one row per member in voice per guild, so joining another channel of the
 * guild is a move. Server mute and deafen are the member's (`members.mute`, `members.deaf`). A row lives as long as
 * the gateway session that joined (`session_id`): that session's end, or the voice sweep after its process died,
 * removes it.
 */
export const voiceStates = pgTable(
  'voice_states',
  {
    guildId: snowflake('guild_id').notNull(),
    userId: snowflake('user_id').notNull(),
    channelId: snowflake('channel_id').notNull(),
    sessionId: text('session_id').notNull(),
    selfMute: boolean('self_mute').notNull().default(false),
    selfDeaf: boolean('self_deaf').notNull().default(false),
    selfVideo: boolean('self_video').notNull().default(false),
    selfStream: boolean('self_stream').notNull().default(false),
    suppress: boolean('suppress').notNull().default(false),
    requestToSpeakAt: timestamptz('request_to_speak_timestamp'),
    joinedAt: timestamptz('joined_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.guildId, t.userId] }),
    index('voice_states_channel_idx').on(t.channelId),
    index('voice_states_session_idx').on(t.sessionId),
  ],
);

/**
 * A DM or group DM call (issue 24): exists while someone is in it (`call_voice_states`). `ringing` maps each recipient
 * being rung to when that ring began (ISO), so a ring's timeout ends only that ring, never a later one.
 */
export const calls = pgTable('calls', {
  channelId: snowflake('channel_id').primaryKey(),
  ringing: jsonb('ringing').$type<Record<string, string>>().notNull().default({}),
  /** The call's system message (type 3, CALL), written when the call began; its `call` lists who took part. */
  messageId: snowflake('message_id'),
  /** The region chosen with PATCH /channels/:id/call (null: the joining process's, as for a voice channel). */
  region: text('region'),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
});

/**
 * Who is in a DM or group DM call: one row per person per call, and one call per person at a time (the unique user
 * index; joining another call leaves the first). Like a guild voice state it lives as long as its gateway session.
 */
export const callVoiceStates = pgTable(
  'call_voice_states',
  {
    channelId: snowflake('channel_id').notNull(),
    userId: snowflake('user_id').notNull(),
    sessionId: text('session_id').notNull(),
    selfMute: boolean('self_mute').notNull().default(false),
    selfDeaf: boolean('self_deaf').notNull().default(false),
    selfVideo: boolean('self_video').notNull().default(false),
    selfStream: boolean('self_stream').notNull().default(false),
    joinedAt: timestamptz('joined_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.channelId, t.userId] }),
    uniqueIndex('call_voice_states_user_idx').on(t.userId),
    index('call_voice_states_session_idx').on(t.sessionId),
  ],
);
