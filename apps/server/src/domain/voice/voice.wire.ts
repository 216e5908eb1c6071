import type { StreamCreate, StreamDelete, VoiceState } from '@hearth/protocol';
import type { members, users, voiceStates } from '../../store/schema';
import { toMemberWire } from '../guilds/guilds.wire';

type VoiceRow = typeof voiceStates.$inferSelect;

/** A voice state row with its member (absent once the member is gone), as Discord's VoiceState. */
export function toVoiceStateWire(
  row: VoiceRow,
  member: { member: typeof members.$inferSelect; user: typeof users.$inferSelect; roleIds: string[] } | null,
  opts: { left?: boolean } = {},
): VoiceState & { guild_id: string } {
  return {
    guild_id: row.guildId,
    channel_id: opts.left ? null : row.channelId,
    user_id: row.userId,
    ...(member ? { member: toMemberWire(member.member, member.roleIds, member.user) } : {}),
    session_id: row.sessionId,
    deaf: member?.member.deaf ?? false,
    mute: member?.member.mute ?? false,
    self_deaf: row.selfDeaf,
    self_mute: row.selfMute,
    self_stream: row.selfStream,
    self_video: row.selfVideo,
    suppress: row.suppress,
    request_to_speak_timestamp: row.requestToSpeakAt?.toISOString() ?? null,
  };
}

/** What op 18 STREAM_CREATE answers the streamer's session: STREAM_CREATE when live, else STREAM_DELETE with why not. */
export function streamAnswer(
  outcome: 'live' | 'unauthorized' | 'stream_full',
  key: string,
  channelId: string,
  region: string,
): { t: 'STREAM_CREATE'; d: StreamCreate } | { t: 'STREAM_DELETE'; d: StreamDelete } {
  if (outcome !== 'live')
    return { t: 'STREAM_DELETE', d: { stream_key: key, unavailable: false, reason: outcome } };
  return {
    t: 'STREAM_CREATE',
    d: { stream_key: key, rtc_server_id: channelId, viewer_ids: [], region, paused: false },
  };
}
