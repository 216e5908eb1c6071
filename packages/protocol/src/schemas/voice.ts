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
  /** Null for a DM or group DM call, which `channel_id` names. */
  guild_id: string | null;
  channel_id?: string;
  endpoint: string | null;
}

/** A voice state as VOICE_STATE_UPDATE carries it: `guild_id` null in a DM or group DM call. */
export type VoiceStateEvent = Omit<VoiceState, 'guild_id'> & { guild_id: string | null };

/**
 * A DM or group DM call (Discord's CALL_CREATE; issue 24): who is being rung and who is in it, and its system message
 * (`message_id`: the type 3 message written when the call began, null only for a call begun before Hearth wrote them).
 */
export interface CallWire {
  channel_id: string;
  message_id: string | null;
  region: string;
  /** The recipients being rung now (the ring ends when they join, decline, or after a while). */
  ringing: string[];
  voice_states: VoiceStateEvent[];
  embedded_activities: never[];
}

/** POST /channels/:id/call/ring: who to ring (null or absent: every recipient not in the call). */
export const CallRing = Type.Object(
  { recipients: Type.Optional(Nullable(Type.Array(Snowflake, { maxItems: 10 }))) },
  { additionalProperties: false },
);
export type CallRing = Static<typeof CallRing>;

/** PATCH /channels/:id/call (Discord's user clients): the call's voice region, one of GET /voice/regions' ids. */
export const CallModify = Type.Object(
  { region: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);
export type CallModify = Static<typeof CallModify>;

/** POST /channels/:id/call/stop-ringing: whose ringing to stop (absent: one's own, which is declining). */
export const CallStopRinging = Type.Object(
  { recipients: Type.Optional(Type.Array(Snowflake, { maxItems: 10 })) },
  { additionalProperties: false },
);
export type CallStopRinging = Static<typeof CallStopRinging>;

/**
 * Go Live (ADR 0034): a member shares their screen in the voice channel they are in. Discord's user clients' events,
 * sent to the streamer's session only (everyone else sees `self_stream` in VOICE_STATE_UPDATE). The media goes over
 * the streamer's own voice connection (its screen send m-line), so there is no STREAM_SERVER_UPDATE.
 */
export interface StreamCreate {
  /** `guild:<guild id>:<channel id>:<user id>`. */
  stream_key: string;
  rtc_server_id: string;
  viewer_ids: string[];
  region: string;
  paused: boolean;
}
/**
 * Go Live ended (`user_requested`: op 19) or refused (`unauthorized`: no STREAM there; `stream_full`: the channel
 * carries VOICE_MAX_VIDEO streams). A leave or a move ends a stream with no STREAM_DELETE: `self_stream` says it.
 */
export interface StreamDelete {
  stream_key: string;
  unavailable: boolean;
  reason: 'user_requested' | 'unauthorized' | 'stream_full';
}

/** Discord's key of a guild stream. */
export function streamKey(guildId: string, channelId: string, userId: string): string {
  return `guild:${guildId}:${channelId}:${userId}`;
}

/** A stream key's parts, or null when it is not a guild stream's key. */
export function parseStreamKey(key: string): { guildId: string; channelId: string; userId: string } | null {
  const m = /^guild:(\d{1,20}):(\d{1,20}):(\d{1,20})$/.exec(key);
  return m ? { guildId: m[1], channelId: m[2], userId: m[3] } : null;
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
 * POST /voice/connect: the WebRTC offer of the user's voice state, with VOICE_SERVER_UPDATE's token and the gateway
 * session it was sent to. Its m-lines, by kind and in order: the first audio one sends the microphone (Opus); the first
 * video one the camera and the second the screen (VP8; sendonly, with no track until used: no renegotiation); the
 * other audio ones receive the others' microphones (VOICE_AUDIO_SLOTS at most), the other video ones their cameras and
 * screens (VOICE_VIDEO_SLOTS at most). An offer with audio only is a voice-only participant.
 */
export const VoiceConnect = Type.Object(
  {
    /** Null for a DM or group DM call, named by `channel_id`. */
    guild_id: Nullable(Snowflake),
    channel_id: Type.Optional(Snowflake),
    session_id: Type.String({ minLength: 1, maxLength: 64 }),
    token: Type.String({ minLength: 1, maxLength: 128 }),
    sdp: Type.String({ minLength: 1, maxLength: 65_536 }),
  },
  { additionalProperties: false },
);
