import { hasPermission, Permission } from '@hearth/permissions';
import {
  AuditLogEvent,
  ChannelType,
  ErrorCode,
  invalidates,
  isVoiceType,
  type ModifyCurrentVoiceState,
  parseStreamKey,
  type StreamCreate,
  type StreamDelete,
  streamKey,
  type VoiceServerUpdate,
  type VoiceState,
  type VoiceStateEvent,
} from '@hearth/protocol';
import { and, count, eq, inArray, ne, or, sql } from 'drizzle-orm';
import { SfuError } from '../../media/sfu';
import type { DbOrTx } from '../../store/db';
import { channels, guilds, voiceStates } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { ApiError, invalidField, missingPermissions, notFound, unauthorized } from '../errors';
import { writeAudit } from '../guilds/audit';
import { loadChannelContext } from '../guilds/channel-context';
import {
  type ChannelForActor,
  channelForActor,
  type GuildActor,
  loadChannelForActor,
  loadGuildActor,
  lockChannels,
} from '../guilds/guild-access';
import { PendingEvents } from '../pending-events';
import { CALL_ROOMS, type CallsService } from './calls.service';
import { streamAnswer } from './voice.wire';
import { checkVoiceGrant, voiceGrant } from './voice-grant';
import { announceVoiceState, endVoiceStates, readVoiceStates } from './voice-states';

/** What op 4 VOICE_STATE_UPDATE asks for, validated by the gateway. */
export interface VoiceStateRequest {
  guild_id: string;
  /** Null leaves the guild's voice channel. */
  channel_id: string | null;
  self_mute: boolean;
  self_deaf: boolean;
  self_video: boolean;
}

/** POST /voice/connect's body. */
export interface VoiceConnect {
  /** Null for a DM or group DM call (CallsService.connect), named by `channel_id`. */
  guild_id: string | null;
  channel_id?: string;
  session_id: string;
  token: string;
  sdp: string;
}

/** op 18 STREAM_CREATE (Go Live), validated by the gateway. */
export interface StreamRequest {
  guild_id: string;
  channel_id: string;
}

/** Voice states checked per sweep (the oldest sessions first); the next sweep takes the rest. */
const SWEEP_BATCH = 1000;

/** Refused because the channel is full (the gateway drops the request, as Discord does). */
const channelFull = () => new ApiError(403, ErrorCode.MissingPermissions, 'The voice channel is full');

/**
 * Voice states (ADR 0034): joining, moving and leaving voice channels over the gateway (op 4), what moderators do to
 * them, the reads, and their end with the session that made them or with the member's right to connect.
 */
export class VoiceService {
  /** Guilds whose rooms' SPEAK is about to be rechecked (observe). */
  private readonly speakDue = new Set<string>();

  constructor(
    private readonly deps: Deps,
    private readonly calls: CallsService,
  ) {}

  /**
   * op 4 from gateway session `sessionId`: joins, moves within the guild, changes self mute/deaf/video, or (channel
   * null) leaves. Joining needs VIEW_CHANNEL and CONNECT, and room under the channel's `user_limit` unless the member
   * has MOVE_MEMBERS there. Resolves to VOICE_SERVER_UPDATE's payload when this session now holds a new voice
   * connection (a join or a move) or asks for it again (an op 4 that changes nothing), else null.
   */
  async update(
    principal: Principal,
    sessionId: string,
    req: VoiceStateRequest,
  ): Promise<VoiceServerUpdate | null> {
    const { db } = this.deps;
    const userId = principal.userId;
    const pending = new PendingEvents();
    if (req.channel_id === null) {
      await endVoiceStates(
        db,
        pending,
        and(eq(voiceStates.guildId, req.guild_id), eq(voiceStates.userId, userId)),
      );
      pending.publish(this.deps.events);
      return null;
    }
    const channelId = req.channel_id;
    const target = await this.voiceChannel(db, req.guild_id, channelId, userId);
    if (!hasPermission(target.permissions, Permission.CONNECT)) throw missingPermissions();
    const joined = await db.transaction(async (tx) => {
      // Joins of one channel take turns, so that `user_limit` holds.
      await lockChannels(tx, eq(channels.id, channelId));
      const [current] = await tx
        .select()
        .from(voiceStates)
        .where(and(eq(voiceStates.guildId, req.guild_id), eq(voiceStates.userId, userId)))
        .for('update');
      const moving = current?.channelId !== channelId;
      // A camera turned on (or carried into another channel) needs STREAM there and room under VOICE_MAX_VIDEO; else
      // it stays off, and the client learns it from its own VOICE_STATE_UPDATE.
      const selfVideo =
        req.self_video &&
        ((current?.selfVideo && !moving) || (await this.videoAllowed(tx, target, userId)) === null);
      if (moving && target.channel.userLimit && !hasPermission(target.permissions, Permission.MOVE_MEMBERS)) {
        const [{ n }] = await tx
          .select({ n: count() })
          .from(voiceStates)
          .where(eq(voiceStates.channelId, channelId));
        if (n >= target.channel.userLimit) throw channelFull();
      }
      const values = {
        channelId,
        sessionId,
        selfMute: req.self_mute,
        selfDeaf: req.self_deaf,
        selfVideo,
        // Leaving a channel ends a stream; a stage's audience starts suppressed.
        ...(moving
          ? {
              selfStream: false,
              suppress: target.channel.type === ChannelType.GuildStageVoice,
              requestToSpeakAt: null,
              joinedAt: new Date(),
            }
          : {}),
      };
      await tx
        .insert(voiceStates)
        .values({ guildId: req.guild_id, userId, ...values })
        .onConflictDoUpdate({ target: [voiceStates.guildId, voiceStates.userId], set: values });
      await announceVoiceState(tx, pending, req.guild_id, userId);
      // An op 4 that changes nothing asks for the connection again (a client reconnecting, e.g. after a moderator's
      // move outlived its grant): it gets a fresh VOICE_SERVER_UPDATE, as a join or a move does. (Compared with what
      // was asked: a camera refused is a change asked for, not a request for the connection.)
      const unchanged =
        current?.sessionId === sessionId &&
        current.selfMute === req.self_mute &&
        current.selfDeaf === req.self_deaf &&
        current.selfVideo === req.self_video;
      return moving || current?.sessionId !== sessionId || unchanged;
    });
    pending.publish(this.deps.events);
    return joined ? this.serverFor(req.guild_id, userId, sessionId, target.channel) : null;
  }

  /**
   * op 18 STREAM_CREATE (Go Live) from gateway session `sessionId`: the member shares their screen in the voice
   * channel that session is in. Needs STREAM there (never in the AFK channel) and room under VOICE_MAX_VIDEO in the
   * channel. Resolves to what the session is told: STREAM_CREATE, or STREAM_DELETE with why it was refused; null when
   * the session is not in that channel (dropped, as a refused op 4 is).
   */
  async streamCreate(
    principal: Principal,
    sessionId: string,
    req: StreamRequest,
  ): Promise<{ t: 'STREAM_CREATE'; d: StreamCreate } | { t: 'STREAM_DELETE'; d: StreamDelete } | null> {
    const { db } = this.deps;
    const userId = principal.userId;
    const key = streamKey(req.guild_id, req.channel_id, userId);
    const target = await this.voiceChannel(db, req.guild_id, req.channel_id, userId).catch((err) => {
      if (err instanceof ApiError) return null;
      throw err;
    });
    if (!target) return null;
    const pending = new PendingEvents();
    const outcome = await db.transaction(async (tx) => {
      await lockChannels(tx, eq(channels.id, req.channel_id));
      const [current] = await tx
        .select()
        .from(voiceStates)
        .where(and(eq(voiceStates.guildId, req.guild_id), eq(voiceStates.userId, userId)))
        .for('update');
      if (current?.channelId !== req.channel_id || current.sessionId !== sessionId) return null;
      if (current.selfStream) return 'live' as const;
      const refused = await this.videoAllowed(tx, target, userId);
      if (refused) return refused;
      await tx
        .update(voiceStates)
        .set({ selfStream: true })
        .where(and(eq(voiceStates.guildId, req.guild_id), eq(voiceStates.userId, userId)));
      await announceVoiceState(tx, pending, req.guild_id, userId);
      return 'live' as const;
    });
    pending.publish(this.deps.events);
    if (outcome === null) return null;
    return streamAnswer(outcome, key, req.channel_id, this.deps.config.voiceRegion);
  }

  /**
   * op 19 STREAM_DELETE: the member stops sharing their screen. Only one's own stream, from the session in voice;
   * resolves to STREAM_DELETE for that session, or null when there was no such stream.
   */
  async streamDelete(
    principal: Principal,
    sessionId: string,
    key: string,
  ): Promise<{ t: 'STREAM_DELETE'; d: StreamDelete } | null> {
    const parts = parseStreamKey(key);
    if (!parts || parts.userId !== principal.userId) return null;
    const pending = new PendingEvents();
    const [row] = await this.deps.db
      .update(voiceStates)
      .set({ selfStream: false })
      .where(
        and(
          eq(voiceStates.guildId, parts.guildId),
          eq(voiceStates.userId, parts.userId),
          eq(voiceStates.channelId, parts.channelId),
          eq(voiceStates.sessionId, sessionId),
          eq(voiceStates.selfStream, true),
        ),
      )
      .returning({ userId: voiceStates.userId });
    if (!row) return null;
    await announceVoiceState(this.deps.db, pending, parts.guildId, parts.userId);
    pending.publish(this.deps.events);
    return { t: 'STREAM_DELETE', d: { stream_key: key, unavailable: false, reason: 'user_requested' } };
  }

  /**
   * Whether `userId` may start one more video stream (a camera or a screen) in `target`, in the caller's transaction
   * (which holds the channel's lock): null when yes, else why not. STREAM is needed, the AFK channel carries no
   * video, and the channel carries at most VOICE_MAX_VIDEO streams at once (those of others; the caller's other one
   * counts too).
   */
  private async videoAllowed(
    tx: DbOrTx,
    target: ChannelForActor,
    userId: string,
  ): Promise<'unauthorized' | 'stream_full' | null> {
    if (!hasPermission(target.permissions, Permission.STREAM)) return 'unauthorized';
    if (target.channel.id === target.actor.guild.afkChannelId) return 'unauthorized';
    const [{ n }] = await tx
      .select({
        n: sql<number>`(count(*) filter (where ${voiceStates.selfVideo}) + count(*) filter (where ${voiceStates.selfStream}))::int`,
      })
      .from(voiceStates)
      .where(and(eq(voiceStates.channelId, target.channel.id), ne(voiceStates.userId, userId)));
    const [mine] = await tx
      .select({ video: voiceStates.selfVideo, stream: voiceStates.selfStream })
      .from(voiceStates)
      .where(
        and(
          eq(voiceStates.guildId, target.channel.guildId ?? ''),
          eq(voiceStates.userId, userId),
          eq(voiceStates.channelId, target.channel.id),
        ),
      );
    const own = mine ? Number(mine.video) + Number(mine.stream) : 0;
    return Number(n) + own >= this.deps.config.voiceMaxVideo ? 'stream_full' : null;
  }

  /** The session ended (closed, revoked, or its resume window ran out): its voice state goes (a call's too). */
  async sessionEnded(userId: string, sessionId: string): Promise<void> {
    await this.calls.sessionEnded(userId, sessionId);
    const pending = new PendingEvents();
    await endVoiceStates(
      this.deps.db,
      pending,
      and(eq(voiceStates.userId, userId), eq(voiceStates.sessionId, sessionId)),
    );
    pending.publish(this.deps.events);
  }

  /**
   * Ends voice states whose gateway session is no longer alive anywhere: the presence store lists every live session
   * (with Redis, refreshed by its process; a dead process's expire), so this catches those of a process that died
   * without ending them (the job `voice.sweep`).
   */
  async sweep(): Promise<number> {
    const { db } = this.deps;
    const rows = await db
      .select({ userId: voiceStates.userId, sessionId: voiceStates.sessionId })
      .from(voiceStates)
      .orderBy(voiceStates.joinedAt)
      .limit(SWEEP_BATCH);
    const inCalls = await this.calls.sessionsOf(SWEEP_BATCH);
    if (!rows.length && !inCalls.length) return 0;
    const live = await this.deps.presence.sessionIds([
      ...new Set([...rows, ...inCalls].map((r) => r.userId)),
    ]);
    const isDead = (r: { userId: string; sessionId: string }) => !live.get(r.userId)?.has(r.sessionId);
    let ended = 0;
    for (const r of inCalls.filter(isDead)) ended += await this.calls.sessionEnded(r.userId, r.sessionId);
    const dead = rows.filter(isDead);
    if (!dead.length) return ended;
    const pending = new PendingEvents();
    for (const { userId, sessionId } of dead)
      ended += await endVoiceStates(
        db,
        pending,
        and(eq(voiceStates.userId, userId), eq(voiceStates.sessionId, sessionId)),
      );
    pending.publish(this.deps.events);
    return ended;
  }

  /**
   * After an event that can change permissions in a guild (roles, overwrites, a member's roles or timeout, channels):
   * members in voice who can no longer view or connect to their channel are disconnected at once.
   */
  async recheck(guildId: string): Promise<void> {
    const { db } = this.deps;
    const rows = await db.select().from(voiceStates).where(eq(voiceStates.guildId, guildId));
    const lost = [];
    const unseen = [];
    for (const row of rows) {
      const ctx = await loadChannelContext(db, row.channelId, row.userId);
      const permissions = ctx?.member ? safePermissions(ctx) : 0n;
      if (!hasPermission(permissions, Permission.VIEW_CHANNEL | Permission.CONNECT)) lost.push(row);
      else if ((row.selfVideo || row.selfStream) && !hasPermission(permissions, Permission.STREAM))
        unseen.push(row);
    }
    if (!lost.length && !unseen.length) return;
    const pending = new PendingEvents();
    // Without STREAM, the camera and the stream go off (the SFU already stopped forwarding them).
    for (const row of unseen) {
      const [changed] = await db
        .update(voiceStates)
        .set({ selfVideo: false, selfStream: false })
        .where(
          and(
            eq(voiceStates.guildId, guildId),
            eq(voiceStates.userId, row.userId),
            eq(voiceStates.channelId, row.channelId),
            or(eq(voiceStates.selfVideo, true), eq(voiceStates.selfStream, true)),
          ),
        )
        .returning({ userId: voiceStates.userId });
      if (changed) await announceVoiceState(db, pending, guildId, row.userId);
    }
    for (const row of lost)
      await endVoiceStates(
        db,
        pending,
        and(
          eq(voiceStates.guildId, guildId),
          eq(voiceStates.userId, row.userId),
          eq(voiceStates.channelId, row.channelId),
          eq(voiceStates.sessionId, row.sessionId),
        ),
      );
    pending.publish(this.deps.events);
  }

  /** GET /guilds/:id/voice-states/@me and /:user_id: members only; a state in a channel the caller cannot see is unknown. */
  async get(principal: Principal, guildId: string, userId: string): Promise<VoiceState> {
    const { db } = this.deps;
    await loadGuildActor(db, guildId, principal.userId);
    const [state] = await readVoiceStates(
      db,
      and(eq(voiceStates.guildId, guildId), eq(voiceStates.userId, userId)),
    );
    if (!state?.channel_id) throw notFound(ErrorCode.UnknownVoiceState, 'Voice State');
    try {
      await loadChannelForActor(db, state.channel_id, principal.userId);
    } catch {
      throw notFound(ErrorCode.UnknownVoiceState, 'Voice State');
    }
    return state;
  }

  /**
   * PATCH /guilds/:id/voice-states/@me and /:user_id: a stage channel's speaker state (`suppress`, the request to
   * speak). The channel must be the stage the user is in; any other channel is 400 (50024).
   */
  async modifyStage(
    principal: Principal,
    guildId: string,
    userId: string,
    input: ModifyCurrentVoiceState,
  ): Promise<void> {
    const { db } = this.deps;
    const self = userId === principal.userId;
    await loadGuildActor(db, guildId, principal.userId);
    const [current] = await db
      .select()
      .from(voiceStates)
      .where(and(eq(voiceStates.guildId, guildId), eq(voiceStates.userId, userId)));
    if (!current) throw notFound(ErrorCode.UnknownVoiceState, 'Voice State');
    const channelId = input.channel_id ?? current.channelId;
    const { channel, permissions } = await loadChannelForActor(db, channelId, principal.userId);
    if (channel.guildId !== guildId) throw notFound(ErrorCode.UnknownChannel, 'Channel');
    if (channel.type !== ChannelType.GuildStageVoice)
      throw new ApiError(
        400,
        ErrorCode.CannotExecuteOnChannelType,
        'Cannot execute action on this channel type',
      );
    if (current.channelId !== channelId)
      throw invalidField(['channel_id'], 'VOICE_STATE_CHANNEL', 'The user is not in this channel.');
    const changes: Partial<typeof voiceStates.$inferInsert> = {};
    if (input.suppress !== undefined) {
      // Bringing oneself up to speak, or anyone up or down, is a moderator's; going down oneself is free.
      if (!(self && input.suppress) && !hasPermission(permissions, Permission.MUTE_MEMBERS))
        throw missingPermissions();
      changes.suppress = input.suppress;
    }
    if (input.request_to_speak_timestamp !== undefined) {
      if (!self) throw invalidField(['request_to_speak_timestamp'], 'BASE_TYPE_BAD', 'Only for oneself.');
      if (input.request_to_speak_timestamp && !hasPermission(permissions, Permission.REQUEST_TO_SPEAK))
        throw missingPermissions();
      changes.requestToSpeakAt = input.request_to_speak_timestamp
        ? new Date(input.request_to_speak_timestamp)
        : null;
    }
    if (!Object.keys(changes).length) return;
    const pending = new PendingEvents();
    await db
      .update(voiceStates)
      .set(changes)
      .where(and(eq(voiceStates.guildId, guildId), eq(voiceStates.userId, userId)));
    await announceVoiceState(db, pending, guildId, userId);
    pending.publish(this.deps.events);
  }

  /**
   * PATCH /guilds/:id/members/:user_id's `channel_id`, in its transaction: a channel moves the member there (MOVE_MEMBERS
   * where they are, MOVE_MEMBERS and CONNECT where they go; `user_limit` does not apply to a move), null disconnects
   * them (MOVE_MEMBERS where they are). The member must be in voice (40032). Writes MEMBER_MOVE or MEMBER_DISCONNECT.
   */
  async moveMember(
    tx: DbOrTx,
    pending: PendingEvents,
    actor: GuildActor,
    userId: string,
    channelId: string | null,
    reason: string | null,
  ): Promise<void> {
    const guildId = actor.guild.id;
    const [current] = await tx
      .select()
      .from(voiceStates)
      .where(and(eq(voiceStates.guildId, guildId), eq(voiceStates.userId, userId)))
      .for('update');
    if (!current)
      throw new ApiError(400, ErrorCode.TargetNotConnectedToVoice, 'Target user is not connected to voice.');
    const from = await loadChannelForActor(tx, current.channelId, actor.userId).catch(() => null);
    if (!from || !hasPermission(from.permissions, Permission.MOVE_MEMBERS)) throw missingPermissions();
    const audit = { guildId, userId: actor.userId, targetId: userId, reason };
    if (channelId === null) {
      await endVoiceStates(
        tx,
        pending,
        and(eq(voiceStates.guildId, guildId), eq(voiceStates.userId, userId)),
      );
      await writeAudit(tx, this.deps.ids, pending, {
        ...audit,
        actionType: AuditLogEvent.MemberDisconnect,
        options: { count: '1' },
      });
      return;
    }
    const to = await this.voiceChannel(tx, guildId, channelId, actor.userId, ['channel_id']);
    if (!hasPermission(to.permissions, Permission.CONNECT | Permission.MOVE_MEMBERS))
      throw missingPermissions();
    if (current.channelId === channelId) return;
    await tx
      .update(voiceStates)
      .set({ channelId, selfStream: false, suppress: to.channel.type === ChannelType.GuildStageVoice })
      .where(and(eq(voiceStates.guildId, guildId), eq(voiceStates.userId, userId)));
    await announceVoiceState(tx, pending, guildId, userId);
    await writeAudit(tx, this.deps.ids, pending, {
      ...audit,
      actionType: AuditLogEvent.MemberMove,
      options: { channel_id: channelId, count: '1' },
    });
  }

  /** Queues a member's voice state after their server mute or deafen changed (when they are in voice). */
  announce(db: DbOrTx, pending: PendingEvents, guildId: string, userId: string): Promise<void> {
    return announceVoiceState(db, pending, guildId, userId);
  }

  /** Ends the voice states in these channels (deleted in the caller's transaction). */
  endInChannels(tx: DbOrTx, pending: PendingEvents, channelIds: string[]): Promise<number> {
    return endVoiceStates(tx, pending, inArray(voiceStates.channelId, channelIds));
  }

  /** Ends a member's voice state in a guild (they are leaving it, in the caller's transaction). */
  endForMember(tx: DbOrTx, pending: PendingEvents, guildId: string, userId: string): Promise<number> {
    return endVoiceStates(tx, pending, and(eq(voiceStates.guildId, guildId), eq(voiceStates.userId, userId)));
  }

  /** A voice or stage channel of the guild that `userId` can see; 404 otherwise, 400 for another type. */
  private async voiceChannel(
    db: DbOrTx,
    guildId: string,
    channelId: string,
    userId: string,
    field: string[] = ['channel_id'],
  ): Promise<ChannelForActor> {
    const found = await loadChannelForActor(db, channelId, userId);
    if (found.channel.guildId !== guildId) throw notFound(ErrorCode.UnknownChannel, 'Channel');
    if (!isVoiceType(found.channel.type))
      throw invalidField(field, 'CHANNEL_TYPE_INVALID', 'Not a voice channel.');
    return found;
  }

  /**
   * VOICE_SERVER_UPDATE: where to negotiate media (the public host of the process holding the channel's room, placed
   * now if nobody holds it: `POST /api/v10/voice/connect` there), with a grant for this session's voice state.
   */
  private async serverFor(
    guildId: string,
    userId: string,
    sessionId: string,
    channel: { id: string; rtcRegion: string | null },
  ): Promise<VoiceServerUpdate> {
    const holder = await this.deps.voicePlacement.place(channel.id, channel.rtcRegion);
    return {
      token: voiceGrant(this.deps.secret, { guildId, userId, sessionId }),
      guild_id: guildId,
      endpoint: holder.endpoint,
    };
  }

  /**
   * POST /voice/connect: a WebRTC offer from the user whose session holds a voice state, with VOICE_SERVER_UPDATE's
   * token;
   * answered by the SFU's room of that voice channel. What the participant sends is forwarded only with SPEAK there,
   * and not while server-muted or suppressed; nothing is forwarded to a server-deafened one. A token not for this user and session, or stale: 401; no such voice
   * state: 404; the channel's room held by another live process: 409 (op 4 again gets its endpoint).
   */
  async connect(principal: Principal, input: VoiceConnect): Promise<{ sdp: string }> {
    if (input.guild_id === null) return this.calls.connect(principal, input);
    const { db, secret, sfu } = this.deps;
    const who = { guildId: input.guild_id, userId: principal.userId, sessionId: input.session_id };
    if (!checkVoiceGrant(secret, input.token, who)) throw unauthorized();
    const [state] = await readVoiceStates(
      db,
      and(
        eq(voiceStates.guildId, who.guildId),
        eq(voiceStates.userId, who.userId),
        eq(voiceStates.sessionId, who.sessionId),
      ),
    );
    if (!state?.channel_id) throw notFound(ErrorCode.UnknownVoiceState, 'Voice State');
    const { permissions, actor } = await loadChannelForActor(db, state.channel_id, who.userId);
    // The room lives on one process: a connection sent elsewhere (a stale endpoint) asks again with op 4.
    if (!(await this.deps.voicePlacement.claim(state.channel_id)))
      throw new ApiError(409, ErrorCode.Conflict, 'This voice channel is served by another process');
    try {
      const sdp = await sfu.join({ id: state.channel_id, guildId: who.guildId }, who.userId, input.sdp, {
        permitted: maySpeak(permissions, state.channel_id, actor.guild.afkChannelId),
        muted: state.mute || state.suppress,
        deafened: state.deaf,
        selfMuted: state.self_mute,
        video: state.self_video,
        stream: state.self_stream,
        mayVideo: mayVideo(permissions, state.channel_id, actor.guild.afkChannelId),
      });
      return { sdp };
    } catch (err) {
      if (err instanceof SfuError) throw invalidField(['sdp'], 'SDP_INVALID', err.message);
      throw err;
    }
  }

  /**
   * Moves to the guild's AFK channel the members connected to this process's rooms who sent no speech for the
   * guild's `afk_timeout` (VOICE_AFK_TIMEOUT replaces it when set). Runs on every process, for the rooms it holds:
   * only the SFU holding a room hears who speaks. The move is conditional on the member still being in that room's
   * channel, so a move or leave meanwhile wins. Returns how many were moved.
   */
  async moveIdle(): Promise<number> {
    const { db, sfu, config } = this.deps;
    let moved = 0;
    for (const guildId of sfu.guildIds()) {
      // Calls have no AFK channel.
      if (guildId === CALL_ROOMS) continue;
      const [guild] = await db
        .select({ afkChannelId: guilds.afkChannelId, afkTimeout: guilds.afkTimeout })
        .from(guilds)
        .where(eq(guilds.id, guildId));
      const afk = guild?.afkChannelId;
      if (!afk) continue;
      const idle = sfu
        .idle(guildId, (config.voiceAfkTimeoutSeconds ?? guild.afkTimeout) * 1000)
        .filter(([roomId]) => roomId !== afk);
      if (!idle.length) continue;
      const pending = new PendingEvents();
      for (const [roomId, userId] of idle) {
        const [row] = await db
          .update(voiceStates)
          .set({ channelId: afk, selfStream: false, suppress: false })
          .where(
            and(
              eq(voiceStates.guildId, guildId),
              eq(voiceStates.userId, userId),
              eq(voiceStates.channelId, roomId),
            ),
          )
          .returning({ userId: voiceStates.userId });
        if (!row) continue;
        await announceVoiceState(db, pending, guildId, userId);
        moved++;
      }
      pending.publish(this.deps.events);
    }
    return moved;
  }

  /** Recomputes SPEAK for every participant of the guild's rooms on this process (the SFU forwards only theirs). */
  private async refreshSpeak(guildId: string): Promise<void> {
    for (const [roomId, userId] of this.deps.sfu.participants(guildId)) {
      const ctx = await loadChannelContext(this.deps.db, roomId, userId);
      const permissions = ctx?.member ? safePermissions(ctx) : 0n;
      const afk = ctx?.guild?.afkChannelId ?? null;
      this.deps.sfu.permit(roomId, userId, {
        speak: maySpeak(permissions, roomId, afk),
        video: mayVideo(permissions, roomId, afk),
      });
    }
  }

  /**
   * Keeps this process's SFU rooms in step with voice states (app.ts subscribes it to the bus): who left, moved or
   * was server-muted; and after an event that can change permissions in a guild with rooms here, who may still speak.
   */
  observe(event: { t: string; topic: string; d: unknown }): void {
    // GUILD_UPDATE: the AFK channel may have changed.
    if (
      (invalidates(event.t, 'permissions') || event.t === 'GUILD_UPDATE') &&
      event.topic.startsWith('guild:')
    ) {
      const guildId = event.topic.slice('guild:'.length);
      if (this.speakDue.has(guildId) || !this.deps.sfu.participants(guildId).length) return;
      // Several such events of one guild in one turn of the event loop cost one pass.
      this.speakDue.add(guildId);
      setImmediate(() => {
        this.speakDue.delete(guildId);
        this.refreshSpeak(guildId).catch((err) =>
          this.deps.log.warn({ err, guildId }, 'voice SPEAK recheck failed'),
        );
      });
      return;
    }
    if (event.t !== 'VOICE_STATE_UPDATE') return;
    const d = event.d as VoiceStateEvent;
    this.deps.sfu.follow(d.guild_id ?? CALL_ROOMS, d.user_id, d.channel_id, {
      muted: d.mute || d.suppress,
      deafened: d.deaf,
      selfMuted: d.self_mute,
      video: d.self_video,
      stream: d.self_stream,
    });
  }
}

/** Whether what a participant sends is forwarded: SPEAK in the channel, and never in the guild's AFK channel. */
function maySpeak(permissions: bigint, channelId: string, afkChannelId: string | null): boolean {
  return hasPermission(permissions, Permission.SPEAK) && channelId !== afkChannelId;
}

/** Whether a participant's camera and screen are forwarded: STREAM in the channel, and never in the AFK channel. */
function mayVideo(permissions: bigint, channelId: string, afkChannelId: string | null): boolean {
  return hasPermission(permissions, Permission.STREAM) && channelId !== afkChannelId;
}

/** A member's permissions in a channel context, or none where the channel is not theirs to see. */
function safePermissions(ctx: Parameters<typeof channelForActor>[0]): bigint {
  try {
    return channelForActor(ctx).permissions;
  } catch {
    return 0n;
  }
}
