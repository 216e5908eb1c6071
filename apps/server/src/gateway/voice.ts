import { GatewayClose, isSnowflake } from '@hearth/protocol';
import { ApiError } from '../domain/errors';
import type { StreamRequest, VoiceStateRequest } from '../domain/voice/voice.service';
import type { GatewayOptions } from './options';
import { asFields } from './routing';
import type { Session } from './session';

/**
 * op 4 VOICE_STATE_UPDATE (ADR 0034): join, move, leave or change self mute/deaf/video in a guild's voice channel.
 * The domain decides (CONNECT, `user_limit`); what it refuses is dropped without an answer, as Discord does. The
 * session that joined gets VOICE_SERVER_UPDATE; everyone concerned gets VOICE_STATE_UPDATE over the bus.
 */
export class VoiceRequests {
  constructor(private readonly opts: Pick<GatewayOptions, 'services' | 'log'>) {}

  async update(
    session: Session,
    payload: unknown,
    close: (code: number, reason: string) => void,
  ): Promise<void> {
    const request = parseVoiceState(payload);
    if (!request) return close(GatewayClose.DecodeError, 'Invalid voice state update');
    // A guild the session is not in (or not yet loaded): nothing to do.
    if (request.guild_id !== null && !session.state.guilds.has(request.guild_id)) return;
    try {
      const { voice, calls } = this.opts.services;
      // No guild: a DM or group DM call (the domain checks that the session's user is a recipient).
      const server =
        request.guild_id === null
          ? await calls.update(session.principal, session.id, request)
          : await voice.update(session.principal, session.id, { ...request, guild_id: request.guild_id });
      if (server) session.dispatch('VOICE_SERVER_UPDATE', server);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      this.opts.log.debug({ code: err.code, guild: request.guild_id }, 'voice state update refused');
    }
  }

  /**
   * op 18 STREAM_CREATE (Go Live): share one's screen in the voice channel this session is in. The session gets
   * STREAM_CREATE, or STREAM_DELETE saying why not; the others see `self_stream` in VOICE_STATE_UPDATE.
   */
  async streamCreate(
    session: Session,
    payload: unknown,
    close: (code: number, reason: string) => void,
  ): Promise<void> {
    const d = asFields(payload);
    const { type, guild_id, channel_id } = d;
    // Go Live in a DM or group DM call.
    if (type === 'call') {
      if (typeof channel_id !== 'string' || !isSnowflake(channel_id))
        return close(GatewayClose.DecodeError, 'Invalid stream create');
      const answer = await this.opts.services.calls.streamCreate(session.principal, session.id, channel_id);
      if (answer) session.dispatch(answer.t, answer.d);
      return;
    }
    if (
      type !== 'guild' ||
      typeof guild_id !== 'string' ||
      !isSnowflake(guild_id) ||
      typeof channel_id !== 'string' ||
      !isSnowflake(channel_id)
    )
      return close(GatewayClose.DecodeError, 'Invalid stream create');
    if (!session.state.guilds.has(guild_id)) return;
    const request: StreamRequest = { guild_id, channel_id };
    const answer = await this.opts.services.voice.streamCreate(session.principal, session.id, request);
    if (answer) session.dispatch(answer.t, answer.d);
  }

  /** op 19 STREAM_DELETE: stop sharing one's screen (`stream_key`). */
  async streamDelete(
    session: Session,
    payload: unknown,
    close: (code: number, reason: string) => void,
  ): Promise<void> {
    const { stream_key } = asFields(payload);
    if (typeof stream_key !== 'string' || stream_key.length > 100)
      return close(GatewayClose.DecodeError, 'Invalid stream delete');
    const { voice, calls } = this.opts.services;
    const answer = stream_key.startsWith('call:')
      ? await calls.streamDelete(session.principal, session.id, stream_key)
      : await voice.streamDelete(session.principal, session.id, stream_key);
    if (answer) session.dispatch(answer.t, answer.d);
  }
}

/**
 * op 4's `d`, or null when it is not one (Discord's fields; `self_video` may be left out). `guild_id` null (or absent)
 * is a DM or group DM call.
 */
function parseVoiceState(
  payload: unknown,
): (Omit<VoiceStateRequest, 'guild_id'> & { guild_id: string | null }) | null {
  const d = asFields(payload);
  const { channel_id, self_mute, self_deaf, self_video } = d;
  const guild_id = d.guild_id ?? null;
  if (guild_id !== null && (typeof guild_id !== 'string' || !isSnowflake(guild_id))) return null;
  if (channel_id !== null && (typeof channel_id !== 'string' || !isSnowflake(channel_id))) return null;
  if (typeof self_mute !== 'boolean' || typeof self_deaf !== 'boolean') return null;
  if (self_video !== undefined && typeof self_video !== 'boolean') return null;
  return { guild_id, channel_id, self_mute, self_deaf, self_video: self_video ?? false };
}
