import {
  type CallWire,
  ChannelType,
  ErrorCode,
  isDmType,
  MessageType,
  type StreamCreate,
  type StreamDelete,
  type VoiceServerUpdate,
  type VoiceStateEvent,
} from '@hearth/protocol';
import { and, eq, inArray, ne, type SQL } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import { SfuError } from '../../media/sfu';
import type { DbOrTx } from '../../store/db';
import type { MessageCallRow } from '../../store/schema';
import {
  calls,
  callVoiceStates,
  channelRecipients,
  channels,
  dmPairs,
  messages,
  relationships,
} from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { ApiError, invalidField, notFound, unauthorized } from '../errors';
import { lockChannels } from '../guilds/guild-access';
import { hydrateMessages, messageColumns } from '../messages/messages.wire';
import { PendingEvents } from '../pending-events';
import { RelationshipType } from '../relationships/relationships.service';
import { streamAnswer } from './voice.wire';
import { checkVoiceGrant, voiceGrant } from './voice-grant';

/**
 * The SFU's scope of every call room (rooms of guild channels are scoped by their guild): one scope for all calls, so
 * a person's joining one call closes their connection to another (one call at a time).
 */
export const CALL_ROOMS = 'calls';

/** op 4 with `guild_id: null`: join (or change mute/deafen/camera in) a DM's call, or leave the call (null). */
export interface CallStateRequest {
  channel_id: string | null;
  self_mute: boolean;
  self_deaf: boolean;
  self_video: boolean;
}

type CallStateRow = typeof callVoiceStates.$inferSelect;
type CallRow = typeof calls.$inferSelect;

const unknownChannel = () => notFound(ErrorCode.UnknownChannel, 'Channel');

/** A call's voice state on the wire (no guild, no member; nobody is server-muted in a DM). */
function toCallStateWire(row: CallStateRow, opts: { left?: boolean } = {}): VoiceStateEvent {
  return {
    guild_id: null,
    channel_id: opts.left ? null : row.channelId,
    user_id: row.userId,
    session_id: row.sessionId,
    deaf: false,
    mute: false,
    self_deaf: row.selfDeaf,
    self_mute: row.selfMute,
    self_stream: row.selfStream,
    self_video: row.selfVideo,
    suppress: false,
    request_to_speak_timestamp: null,
  };
}

/** A call's stream key (Go Live in a call), as Discord's user clients spell it. */
function callStreamKey(channelId: string, userId: string): string {
  return `call:${channelId}:${userId}`;
}

/**
 * DM and group DM calls (issue 24; ADR 0034's addendum on calls): joining one over op 4 with `guild_id: null`, the
 * ringing of the other recipients (CALL_CREATE / CALL_UPDATE / CALL_DELETE), the media connection to the call's room,
 * and the end of a call when its last person leaves. Every change to a call takes its DM channel's row lock, so a call
 * begins and ends once, whatever the processes.
 */
export class CallsService {
  constructor(private readonly deps: Deps) {}

  /**
   * op 4 from gateway session `sessionId` with `guild_id: null`. A recipient of the DM joins its call (the first one
   * begins it and rings everyone else), or changes their self mute/deafen/camera; `channel_id: null` leaves whatever
   * call they are in. Not a recipient, or in a DM with someone either blocked: 404/403 (the gateway drops it).
   * Resolves to VOICE_SERVER_UPDATE's payload on a join (or an op 4 that changes nothing: asking again), else null.
   */
  async update(
    principal: Principal,
    sessionId: string,
    req: CallStateRequest,
  ): Promise<VoiceServerUpdate | null> {
    const { db } = this.deps;
    const userId = principal.userId;
    const pending = new PendingEvents();
    if (req.channel_id === null) {
      const mine = eq(callVoiceStates.userId, userId);
      await db.transaction(async (tx) => {
        await this.lockCallsOf(tx, mine);
        await this.end(tx, pending, mine);
      });
      pending.publish(this.deps.events);
      return null;
    }
    const channelId = req.channel_id;
    const channel = await this.dmOf(db, channelId, userId);
    const others = await this.recipients(db, channelId, userId);
    if (channel.type === ChannelType.DM && (await this.blocked(db, userId, others)).length)
      throw unknownChannel();
    const connect: { connect: boolean; region: string | null } = await db.transaction(async (tx) => {
      await lockChannels(tx, eq(channels.id, channelId));
      const [current] = await tx
        .select()
        .from(callVoiceStates)
        .where(and(eq(callVoiceStates.channelId, channelId), eq(callVoiceStates.userId, userId)))
        .for('update');
      // One call at a time: joining this one leaves another.
      if (!current)
        await this.end(
          tx,
          pending,
          and(eq(callVoiceStates.userId, userId), ne(callVoiceStates.channelId, channelId)),
        );
      const selfVideo = req.self_video && (current?.selfVideo || (await this.videoRoom(tx, channelId)));
      const values = { sessionId, selfMute: req.self_mute, selfDeaf: req.self_deaf, selfVideo };
      const [row] = await tx
        .insert(callVoiceStates)
        .values({ channelId, userId, ...values })
        .onConflictDoUpdate({ target: [callVoiceStates.channelId, callVoiceStates.userId], set: values })
        .returning();
      pending.add('VOICE_STATE_UPDATE', Topic.channel(channelId), toCallStateWire(row));
      const [call] = await tx.select().from(calls).where(eq(calls.channelId, channelId)).for('update');
      if (!call) {
        // The call begins: everyone else is rung, but nobody in a block with the caller.
        const blocked = new Set(await this.blocked(tx, userId, others));
        const ringing = await this.ringFor(
          tx,
          channelId,
          others.filter((id) => !blocked.has(id)),
        );
        const messageId = await this.callMessage(tx, pending, channel, userId);
        const [begun] = await tx.insert(calls).values({ channelId, ringing, messageId }).returning();
        pending.add('CALL_CREATE', Topic.channel(channelId), await this.callWire(tx, begun));
      } else {
        // Someone new took part: the call's message lists them.
        if (!current)
          await this.updateCallMessage(tx, pending, call, (c) =>
            c.participants.includes(userId) ? null : { ...c, participants: [...c.participants, userId] },
          );
        if (userId in call.ringing) {
          // Joining answers the ring.
          const { [userId]: _answered, ...ringing } = call.ringing;
          await tx.update(calls).set({ ringing }).where(eq(calls.channelId, channelId));
          pending.add('CALL_UPDATE', Topic.channel(channelId), this.updateWire({ ...call, ringing }));
        }
      }
      const unchanged =
        current?.sessionId === sessionId &&
        current.selfMute === req.self_mute &&
        current.selfDeaf === req.self_deaf &&
        current.selfVideo === req.self_video;
      return {
        connect: !current || current.sessionId !== sessionId || unchanged,
        region: call?.region ?? null,
      };
    });
    pending.publish(this.deps.events);
    if (!connect.connect) return null;
    const holder = await this.deps.voicePlacement.place(channelId, connect.region);
    return {
      token: voiceGrant(this.deps.secret, { guildId: `dm:${channelId}`, userId, sessionId }),
      guild_id: null,
      channel_id: channelId,
      endpoint: holder.endpoint,
    };
  }

  /**
   * POST /channels/:id/call/ring: rings recipients of the DM (`recipients`, or null: everyone not in the call) while
   * its call goes on. Only a recipient may ring (404 otherwise, as for any DM they are not in); those in the call, not
   * recipients, or in a block with the ringer are skipped, silently.
   */
  async ring(principal: Principal, channelId: string, recipients: string[] | null): Promise<void> {
    const { db } = this.deps;
    const userId = principal.userId;
    await this.dmOf(db, channelId, userId);
    const others = await this.recipients(db, channelId, userId);
    const blocked = new Set(await this.blocked(db, userId, others));
    const wanted = others.filter(
      (id) => !blocked.has(id) && (recipients === null || recipients.includes(id)),
    );
    const pending = new PendingEvents();
    await db.transaction(async (tx) => {
      await lockChannels(tx, eq(channels.id, channelId));
      const [call] = await tx.select().from(calls).where(eq(calls.channelId, channelId)).for('update');
      if (!call) throw notFound(ErrorCode.UnknownChannel, 'Call');
      const inCall = new Set(await this.inCall(tx, channelId));
      const fresh = wanted.filter((id) => !inCall.has(id) && !(id in call.ringing));
      if (!fresh.length) return;
      const ringing = { ...call.ringing, ...(await this.ringFor(tx, channelId, fresh)) };
      await tx.update(calls).set({ ringing }).where(eq(calls.channelId, channelId));
      pending.add('CALL_UPDATE', Topic.channel(channelId), this.updateWire({ ...call, ringing }));
    });
    pending.publish(this.deps.events);
  }

  /**
   * POST /channels/:id/call/stop-ringing: a recipient declines (no `recipients`, or only themselves), or someone in the
   * call stops ringing others. A caller who is not a recipient: 404. No call, or nobody of those rung: nothing happens.
   */
  async stopRinging(
    principal: Principal,
    channelId: string,
    recipients: string[] | undefined,
  ): Promise<void> {
    const { db } = this.deps;
    const userId = principal.userId;
    await this.dmOf(db, channelId, userId);
    const pending = new PendingEvents();
    await db.transaction(async (tx) => {
      await lockChannels(tx, eq(channels.id, channelId));
      const [call] = await tx.select().from(calls).where(eq(calls.channelId, channelId)).for('update');
      if (!call) return;
      const mayStopOthers = (await this.inCall(tx, channelId)).includes(userId);
      const stop = (recipients ?? [userId]).filter((id) => id === userId || mayStopOthers);
      await this.unring(tx, pending, call, stop);
    });
    pending.publish(this.deps.events);
  }

  /**
   * PATCH /channels/:id/call: a recipient sets the call's voice region (one a live process declares; 400 otherwise),
   * announced with CALL_UPDATE. It applies when the call's room is next placed (a live room does not move, as for a
   * voice channel's `rtc_region`). Not a recipient: 404; no call going on: 404.
   */
  async setRegion(principal: Principal, channelId: string, region: string): Promise<void> {
    const { db } = this.deps;
    await this.dmOf(db, channelId, principal.userId);
    const known = new Set((await this.deps.voicePlacement.processes()).map((p) => p.region));
    if (!known.has(region))
      throw invalidField(
        ['region'],
        'BASE_TYPE_CHOICES',
        `Value must be one of {${[...known].sort().join(', ')}}.`,
      );
    const pending = new PendingEvents();
    await db.transaction(async (tx) => {
      await lockChannels(tx, eq(channels.id, channelId));
      const [call] = await tx.select().from(calls).where(eq(calls.channelId, channelId)).for('update');
      if (!call) throw notFound(ErrorCode.UnknownChannel, 'Call');
      if (call.region === region) return;
      const [changed] = await tx
        .update(calls)
        .set({ region })
        .where(eq(calls.channelId, channelId))
        .returning();
      pending.add('CALL_UPDATE', Topic.channel(channelId), this.updateWire(changed));
    });
    pending.publish(this.deps.events);
  }

  /** A ring's time ran out (the `calls.ring-timeout` job): it stops, unless it was answered or rung again since. */
  async ringTimeout(channelId: string, userId: string, at: string): Promise<void> {
    const pending = new PendingEvents();
    await this.deps.db.transaction(async (tx) => {
      await lockChannels(tx, eq(channels.id, channelId));
      const [call] = await tx.select().from(calls).where(eq(calls.channelId, channelId)).for('update');
      if (call && call.ringing[userId] === at) await this.unring(tx, pending, call, [userId]);
    });
    pending.publish(this.deps.events);
  }

  /** The calls going on in these DMs (for a session's CALL_CREATE after READY). */
  async active(channelIds: string[]): Promise<CallWire[]> {
    if (!channelIds.length) return [];
    const { db } = this.deps;
    const rows = await db.select().from(calls).where(inArray(calls.channelId, channelIds));
    return Promise.all(rows.map((c) => this.callWire(db, c)));
  }

  /** The session ended (or its process died: `sweep`): its call voice state goes, and the call if it was the last. */
  async sessionEnded(userId: string, sessionId: string): Promise<number> {
    const pending = new PendingEvents();
    const theirs = and(eq(callVoiceStates.userId, userId), eq(callVoiceStates.sessionId, sessionId));
    const ended = await this.deps.db.transaction(async (tx) => {
      await this.lockCallsOf(tx, theirs);
      return this.end(tx, pending, theirs);
    });
    pending.publish(this.deps.events);
    return ended;
  }

  /** The oldest call voice states' users and sessions (the voice sweep checks whether those sessions live). */
  sessionsOf(limit: number): Promise<Array<{ userId: string; sessionId: string }>> {
    return this.deps.db
      .select({ userId: callVoiceStates.userId, sessionId: callVoiceStates.sessionId })
      .from(callVoiceStates)
      .orderBy(callVoiceStates.joinedAt)
      .limit(limit);
  }

  /** A recipient left or was removed from a group DM (in the caller's transaction): they leave its call too. */
  async recipientGone(tx: DbOrTx, pending: PendingEvents, channelId: string, userId: string): Promise<void> {
    await this.end(
      tx,
      pending,
      and(eq(callVoiceStates.channelId, channelId), eq(callVoiceStates.userId, userId)),
    );
    const [call] = await tx.select().from(calls).where(eq(calls.channelId, channelId));
    if (call && userId in call.ringing) await this.unring(tx, pending, call, [userId]);
  }

  /**
   * POST /voice/connect for a call (`guild_id` null): the grant must be for this user, session and DM, and the
   * session's voice state in that call; answered by the call's room (everyone may speak; no server mute in a DM).
   */
  async connect(
    principal: Principal,
    input: { channel_id?: string; session_id: string; token: string; sdp: string },
  ): Promise<{ sdp: string }> {
    const channelId = input.channel_id;
    if (!channelId) throw invalidField(['channel_id'], 'BASE_TYPE_REQUIRED', 'A call needs its channel_id.');
    const who = { guildId: `dm:${channelId}`, userId: principal.userId, sessionId: input.session_id };
    if (!checkVoiceGrant(this.deps.secret, input.token, who)) throw unauthorized();
    const [state] = await this.deps.db
      .select()
      .from(callVoiceStates)
      .where(
        and(
          eq(callVoiceStates.channelId, channelId),
          eq(callVoiceStates.userId, who.userId),
          eq(callVoiceStates.sessionId, who.sessionId),
        ),
      );
    if (!state) throw notFound(ErrorCode.UnknownVoiceState, 'Voice State');
    if (!(await this.deps.voicePlacement.claim(channelId)))
      throw new ApiError(409, ErrorCode.Conflict, 'This call is served by another process');
    try {
      const sdp = await this.deps.sfu.join({ id: channelId, guildId: CALL_ROOMS }, who.userId, input.sdp, {
        permitted: true,
        muted: false,
        deafened: false,
        selfMuted: state.selfMute,
        video: state.selfVideo,
        stream: state.selfStream,
        mayVideo: true,
      });
      return { sdp };
    } catch (err) {
      if (err instanceof SfuError) throw invalidField(['sdp'], 'SDP_INVALID', err.message);
      throw err;
    }
  }

  /**
   * op 18 STREAM_CREATE with `type: 'call'`: share one's screen in the call this session is in (room under
   * VOICE_MAX_VIDEO). Null when the session is not in that call.
   */
  async streamCreate(
    principal: Principal,
    sessionId: string,
    channelId: string,
  ): Promise<{ t: 'STREAM_CREATE'; d: StreamCreate } | { t: 'STREAM_DELETE'; d: StreamDelete } | null> {
    const userId = principal.userId;
    const key = callStreamKey(channelId, userId);
    const pending = new PendingEvents();
    const outcome = await this.deps.db.transaction(async (tx) => {
      await lockChannels(tx, eq(channels.id, channelId));
      const mine = and(eq(callVoiceStates.channelId, channelId), eq(callVoiceStates.userId, userId));
      const [current] = await tx.select().from(callVoiceStates).where(mine).for('update');
      if (current?.sessionId !== sessionId) return null;
      if (current.selfStream) return 'live' as const;
      if (!(await this.videoRoom(tx, channelId))) return 'stream_full' as const;
      const [row] = await tx.update(callVoiceStates).set({ selfStream: true }).where(mine).returning();
      pending.add('VOICE_STATE_UPDATE', Topic.channel(channelId), toCallStateWire(row));
      return 'live' as const;
    });
    pending.publish(this.deps.events);
    if (outcome === null) return null;
    return streamAnswer(outcome, key, channelId, this.deps.config.voiceRegion);
  }

  /** op 19 STREAM_DELETE of one's own call stream (`call:<channel>:<user>`), from the session in the call. */
  async streamDelete(
    principal: Principal,
    sessionId: string,
    key: string,
  ): Promise<{ t: 'STREAM_DELETE'; d: StreamDelete } | null> {
    const m = /^call:(\d{1,20}):(\d{1,20})$/.exec(key);
    if (!m || m[2] !== principal.userId) return null;
    const [row] = await this.deps.db
      .update(callVoiceStates)
      .set({ selfStream: false })
      .where(
        and(
          eq(callVoiceStates.channelId, m[1]),
          eq(callVoiceStates.userId, m[2]),
          eq(callVoiceStates.sessionId, sessionId),
          eq(callVoiceStates.selfStream, true),
        ),
      )
      .returning();
    if (!row) return null;
    this.deps.events.publish('VOICE_STATE_UPDATE', Topic.channel(row.channelId), toCallStateWire(row));
    return { t: 'STREAM_DELETE', d: { stream_key: key, unavailable: false, reason: 'user_requested' } };
  }

  /**
   * Ends the call voice states `where` selects (each announced with `channel_id: null`, once: DELETE … RETURNING),
   * and each call left empty (CALL_DELETE). In the caller's transaction. Resolves to how many states ended.
   */
  private async end(tx: DbOrTx, pending: PendingEvents, where: SQL | undefined): Promise<number> {
    const removed = await tx.delete(callVoiceStates).where(where).returning();
    for (const row of removed)
      pending.add('VOICE_STATE_UPDATE', Topic.channel(row.channelId), toCallStateWire(row, { left: true }));
    for (const channelId of new Set(removed.map((r) => r.channelId))) {
      if ((await this.inCall(tx, channelId)).length) continue;
      const [gone] = await tx.delete(calls).where(eq(calls.channelId, channelId)).returning();
      if (!gone) continue;
      // The call's message says when it ended (and so how long it lasted).
      const endedAt = new Date().toISOString();
      await this.updateCallMessage(tx, pending, gone, (c) => ({ ...c, ended_timestamp: endedAt }));
      pending.add('CALL_DELETE', Topic.channel(channelId), { channel_id: channelId });
    }
    return removed.length;
  }

  /**
   * Takes the row locks of the DM channels whose call voice states `where` selects (one: a person is in one call at a
   * time), before a leave ends them: so a leave that empties a call waits for a join in progress there and then sees
   * it, instead of deleting the call under the new joiner. Channel first, then voice states, as a join takes them.
   */
  private async lockCallsOf(tx: DbOrTx, where: SQL | undefined): Promise<void> {
    const rows = await tx.select({ id: callVoiceStates.channelId }).from(callVoiceStates).where(where);
    if (rows.length)
      await lockChannels(
        tx,
        inArray(
          channels.id,
          rows.map((r) => r.id),
        ),
      );
  }

  /** Stops ringing `userIds` (those of them rung) and announces who is still rung. */
  private async unring(tx: DbOrTx, pending: PendingEvents, call: CallRow, userIds: string[]): Promise<void> {
    const current = call.ringing;
    const ringing = Object.fromEntries(Object.entries(current).filter(([id]) => !userIds.includes(id)));
    if (Object.keys(ringing).length === Object.keys(current).length) return;
    await tx.update(calls).set({ ringing }).where(eq(calls.channelId, call.channelId));
    pending.add('CALL_UPDATE', Topic.channel(call.channelId), this.updateWire({ ...call, ringing }));
  }

  /**
   * The call's system message (type 3, Discord's CALL), by the one who began it: `call.participants` starts with
   * them and grows as others join; `ended_timestamp` is set when the call ends. A closed 1:1 DM opens again, as for
   * any message. Resolves to the message's id.
   */
  private async callMessage(
    tx: DbOrTx,
    pending: PendingEvents,
    channel: typeof channels.$inferSelect,
    userId: string,
  ): Promise<string> {
    const id = this.deps.ids.next();
    const call: MessageCallRow = { participants: [userId], ended_timestamp: null };
    const [row] = await tx
      .insert(messages)
      .values({ channelId: channel.id, id, authorId: userId, type: MessageType.Call, call })
      .returning(messageColumns);
    if (channel.type === ChannelType.DM)
      await tx
        .update(dmPairs)
        .set({ closed: false })
        .where(and(eq(dmPairs.channelId, channel.id), eq(dmPairs.closed, true)));
    const [message] = await hydrateMessages(tx, this.deps.attachmentUrls, [row]);
    pending.add('MESSAGE_CREATE', Topic.channel(channel.id), { ...message, channel_type: channel.type });
    return id;
  }

  /** Changes the `call` of a call's message (null from `change`: nothing to change) and announces MESSAGE_UPDATE. */
  private async updateCallMessage(
    tx: DbOrTx,
    pending: PendingEvents,
    call: CallRow,
    change: (c: MessageCallRow) => MessageCallRow | null,
  ): Promise<void> {
    if (!call.messageId) return;
    const where = and(eq(messages.channelId, call.channelId), eq(messages.id, call.messageId));
    // Deleted by its author meanwhile: nothing to update.
    const [row] = await tx.select({ call: messages.call }).from(messages).where(where).for('update');
    const next = row?.call && change(row.call);
    if (!next) return;
    const [updated] = await tx.update(messages).set({ call: next }).where(where).returning(messageColumns);
    const [message] = await hydrateMessages(tx, this.deps.attachmentUrls, [updated]);
    pending.add('MESSAGE_UPDATE', Topic.channel(call.channelId), message);
  }

  /** Starts ringing `userIds` now: their ring times, each with its timeout queued (in the caller's transaction). */
  private async ringFor(tx: DbOrTx, channelId: string, userIds: string[]): Promise<Record<string, string>> {
    const at = new Date().toISOString();
    for (const userId of userIds)
      await this.deps.jobs.enqueue(
        'calls.ring-timeout',
        { channelId, userId, at },
        { delayMs: this.deps.config.callRingMs },
        tx,
      );
    return Object.fromEntries(userIds.map((id) => [id, at]));
  }

  /** Whether one more camera or screen fits in the call (VOICE_MAX_VIDEO counts every camera and screen in it). */
  private async videoRoom(tx: DbOrTx, channelId: string): Promise<boolean> {
    const rows = await tx
      .select({ video: callVoiceStates.selfVideo, stream: callVoiceStates.selfStream })
      .from(callVoiceStates)
      .where(eq(callVoiceStates.channelId, channelId));
    const n = rows.reduce((sum, r) => sum + Number(r.video) + Number(r.stream), 0);
    return n < this.deps.config.voiceMaxVideo;
  }

  /** The DM or group DM `userId` is a recipient of; 404 otherwise (a guild channel too). */
  private async dmOf(db: DbOrTx, channelId: string, userId: string): Promise<typeof channels.$inferSelect> {
    const [row] = await db
      .select({ channel: channels })
      .from(channels)
      .innerJoin(
        channelRecipients,
        and(eq(channelRecipients.channelId, channels.id), eq(channelRecipients.userId, userId)),
      )
      .where(eq(channels.id, channelId));
    if (!row || !isDmType(row.channel.type)) throw unknownChannel();
    return row.channel;
  }

  /** The other recipients of a DM. */
  private async recipients(db: DbOrTx, channelId: string, userId: string): Promise<string[]> {
    const rows = await db
      .select({ id: channelRecipients.userId })
      .from(channelRecipients)
      .where(and(eq(channelRecipients.channelId, channelId), ne(channelRecipients.userId, userId)));
    return rows.map((r) => r.id);
  }

  /** Those of `others` who blocked `userId` or whom `userId` blocked. */
  private async blocked(db: DbOrTx, userId: string, others: string[]): Promise<string[]> {
    if (!others.length) return [];
    const rows = await db
      .select({ a: relationships.userId, b: relationships.otherId })
      .from(relationships)
      .where(
        and(
          eq(relationships.type, RelationshipType.Blocked),
          inArray(relationships.userId, [userId, ...others]),
          inArray(relationships.otherId, [userId, ...others]),
        ),
      );
    const out = new Set<string>();
    for (const r of rows) {
      if (r.a === userId && others.includes(r.b)) out.add(r.b);
      if (r.b === userId && others.includes(r.a)) out.add(r.a);
    }
    return [...out];
  }

  /** Who is in a call now. */
  private async inCall(db: DbOrTx, channelId: string): Promise<string[]> {
    const rows = await db
      .select({ id: callVoiceStates.userId })
      .from(callVoiceStates)
      .where(eq(callVoiceStates.channelId, channelId));
    return rows.map((r) => r.id);
  }

  /** CALL_CREATE's payload, as Discord's user clients receive it. */
  private async callWire(db: DbOrTx, call: CallRow): Promise<CallWire> {
    const states = await db
      .select()
      .from(callVoiceStates)
      .where(eq(callVoiceStates.channelId, call.channelId));
    return {
      channel_id: call.channelId,
      message_id: call.messageId,
      region: call.region ?? this.deps.config.voiceRegion,
      ringing: Object.keys(call.ringing),
      voice_states: states.map((s) => toCallStateWire(s)),
      embedded_activities: [],
    };
  }

  /** CALL_UPDATE's payload: who is rung, and the region (Discord's has no voice states). */
  private updateWire(call: CallRow) {
    return {
      channel_id: call.channelId,
      message_id: call.messageId,
      region: call.region ?? this.deps.config.voiceRegion,
      ringing: Object.keys(call.ringing),
      guild_id: null,
    };
  }
}
