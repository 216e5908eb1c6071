import { type Static, Type } from 'typebox';
import { Nullable, Snowflake } from './common';
import { Member } from './guilds';

/** Discord's voice state: who is in which voice channel of a guild, and how (self and server mute and deafen). */
export const VoiceState = Type.Object({
  guild_id: Type.Optional(Snowflake),
  /** Null in the VOICE_STATE_UPDATE that says the user left. */
  channel_id: Nullable(Snowflake),
  user_id: Snowflake,
  member: Type.Optional(Member),
  session_id: Type.String(),
  deaf: Type.Boolean(),
  mute: Type.Boolean(),
  self_deaf: Type.Boolean(),
  self_mute: Type.Boolean(),
  self_stream: Type.Boolean(),
  self_video: Type.Boolean(),
  suppress: Type.Boolean(),
  request_to_speak_timestamp: Nullable(Type.String()),
});
export type VoiceState = Static<typeof VoiceState>;

/** VOICE_SERVER_UPDATE: where the session that joined negotiates its media, and the grant it presents there. */
export interface VoiceServerUpdate {
  token: string;
  guild_id: string;
  endpoint: string | null;
}

/** PATCH /guilds/:id/voice-states/@me (stage channels). */
export const ModifyCurrentVoiceState = Type.Object(
  {
    channel_id: Type.Optional(Snowflake),
    suppress: Type.Optional(Type.Boolean()),
    request_to_speak_timestamp: Type.Optional(Nullable(Type.String({ format: 'date-time' }))),
  },
  { additionalProperties: false },
);
export type ModifyCurrentVoiceState = Static<typeof ModifyCurrentVoiceState>;

/** PATCH /guilds/:id/voice-states/:user_id (stage channels). */
export const ModifyUserVoiceState = Type.Object(
  {
    channel_id: Snowflake,
    suppress: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type ModifyUserVoiceState = Static<typeof ModifyUserVoiceState>;

/**
 * POST /voice/connect: the WebRTC offer of the user's voice state (one send m-line for their microphone, Opus, then
 * up to 16 receive m-lines for the others), with VOICE_SERVER_UPDATE's token and the gateway session it was sent to.
 */
export const VoiceConnect = Type.Object(
  {
    guild_id: Snowflake,
    session_id: Type.String({ minLength: 1, maxLength: 64 }),
    token: Type.String({ minLength: 1, maxLength: 128 }),
    sdp: Type.String({ minLength: 1, maxLength: 32_768 }),
  },
  { additionalProperties: false },
);
