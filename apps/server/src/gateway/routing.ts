import { hasPermission, Permission } from '@hearth/permissions';
import {
  asHearthEvent,
  botIntent,
  type EventName,
  type HearthEvent,
  Intent,
  invalidates,
  isDmType,
  payloadGuildId,
} from '@hearth/protocol';
import type { BusEvent } from '../events/bus';
import { sendGuildCreate } from './guild-create';
import type { MemberLists } from './member-lists';
import type { GatewayOptions } from './options';
import type { Session } from './session';
import type { Sessions } from './sessions';

export type Fields = Record<string, unknown>;
export const asFields = (d: unknown): Fields => (d && typeof d === 'object' ? (d as Fields) : {});

/**
 * One event as routed: its topic split once, and `d` as JSON encoded at most once for all its recipients (and once
 * blanked, for bots without MESSAGE_CONTENT).
 */
class Encoded {
  readonly kind: string;
  readonly id: string;
  private readonly d: HearthEvent['d'];
  private full: Buffer | undefined;
  private blank: Buffer | undefined;

  constructor(event: HearthEvent) {
    const at = event.topic.indexOf(':');
    this.kind = event.topic.slice(0, at);
    this.id = event.topic.slice(at + 1);
    this.d = event.d;
  }

  /** `d` and the payload's closing brace, the part of the message every session shares (Session.dispatchShared). */
  get rest(): Buffer {
    this.full ??= Buffer.from(`${JSON.stringify(this.d)}}`);
    return this.full;
  }

  get blankedRest(): Buffer {
    this.blank ??= Buffer.from(
      `${JSON.stringify({ ...this.d, content: '', embeds: [], attachments: [], components: [] })}}`,
    );
    return this.blank;
  }
}

/** Each event's encoding, shared by the sessions it is routed to now and those that held it meanwhile. */
const eventEncodings = new WeakMap<HearthEvent, Encoded>();
function encodedOf(event: HearthEvent): Encoded {
  let encoded = eventEncodings.get(event);
  if (!encoded) {
    encoded = new Encoded(event);
    eventEncodings.set(event, encoded);
  }
  return encoded;
}

/**
 * Routing and delivery of bus events to this process's sessions: who an event concerns (the audience index), what
 * each of those sessions may see of it (its own permission cache, intents, MESSAGE_CONTENT), and the sessions whose
 * events are held while they load. The domain's caches have seen each event before it gets here (app.ts subscribes
 * them to the bus before the gateway).
 */
export class Router {
  constructor(
    private readonly opts: Pick<GatewayOptions, 'services' | 'bus' | 'log'>,
    private readonly sessions: Sessions,
    private readonly lists: MemberLists,
  ) {}

  /** While a PRESENCE_UPDATE is routed: the sessions that see its member (in their list ranges, or by id). */
  private seeing: Set<Session> | null = null;

  /**
   * Runs `load` with the session's events held: every event routed meanwhile, of any guild or DM, waits in its
   * backlog and is routed to it afterwards, in order. A session that loads its caches or builds an answer
   * (GUILD_CREATE, member chunks) from the database this way never misses an event that the data predates, and
   * never gets an event before the state it applies to.
   */
  async held<T>(session: Session, load: () => Promise<T>): Promise<T> {
    if (session.holds++ === 0) {
      session.heldAt = this.opts.bus.position();
      session.backlog = [];
      this.sessions.holding.add(session);
    }
    try {
      return await load();
    } finally {
      if (--session.holds === 0) this.release(session);
    }
  }

  private release(session: Session): void {
    const backlog = session.backlog ?? [];
    session.backlog = null;
    this.sessions.holding.delete(session);
    if (!this.sessions.has(session.id)) return;
    this.sessions.reindex(session);
    for (const held of backlog) {
      const event = asHearthEvent(held);
      if (event) this.toSession(session, event, encodedOf(event));
    }
  }

  /**
   * Delivers one bus event to every session entitled to it, from the sessions' own caches. Only the catalog's events
   * are dispatched; the gateway handles the bus's own signals and handoff messages before they get here.
   */
  route(busEvent: BusEvent): void {
    const event = asHearthEvent(busEvent);
    if (!event) return;
    const [kind, id] = event.topic.split(':');
    // The lazy member lists follow the guild's events first (ADR 0041); a presence also goes to whoever sees it there.
    const guildId = kind === 'guild' ? id : kind === 'channel' ? payloadGuildId(event) : undefined;
    const listed = guildId && this.lists.has(guildId);
    let seeing = listed ? this.lists.observe(guildId, event) : null;
    if (event.t === 'PRESENCE_UPDATE') {
      const watchers = this.sessions.audience(`member:${id}:${event.d.user.id}`);
      if (watchers?.size) seeing = new Set([...(seeing ?? []), ...watchers]);
    }
    // Routing is proportional to the audience: the user's sessions, or those in the guild (or DM) concerned, or for
    // a presence those of the guild that get its presences.
    const audience =
      event.t === 'PRESENCE_UPDATE' ? `presences:${id}` : (kind === 'channel' && payloadGuildId(event)) || id;
    // A session held while it is already listed (joining a guild, answering op 8) is in both: once is enough.
    const audienceOf = [
      ...((kind === 'user' ? this.sessions.ofUser(id) : this.sessions.audience(audience)) ?? []),
    ];
    const holding = this.sessions.holding;
    const targets =
      kind === 'user' || (!holding.size && !seeing?.size)
        ? audienceOf
        : new Set([...audienceOf, ...holding, ...(seeing ?? [])]);
    const encoded = encodedOf(event);
    this.seeing = seeing;
    try {
      for (const session of targets) this.toSession(session, event, encoded);
    } finally {
      this.seeing = null;
    }
    // Sessions that lost the guild or a channel whose list they follow stop following it.
    if (
      listed &&
      (invalidates(event.t, 'permissions') || event.t === 'GUILD_MEMBER_REMOVE' || event.t === 'GUILD_DELETE')
    )
      this.lists.recheck(guildId);
  }

  private toSession(session: Session, event: HearthEvent, encoded: Encoded): void {
    this.routeToSession(session, event, encoded);
    // Events after which a session may be in other guilds or DMs than before: its audience index is updated.
    if (invalidates(event.t, 'audience') && this.sessions.has(session.id)) this.sessions.reindex(session);
  }

  private routeToSession(session: Session, event: HearthEvent, encoded: Encoded): void {
    if (session.backlog) {
      session.backlog.push(event);
      return;
    }
    const { kind, id } = encoded;
    if (kind === 'user') {
      if (session.principal.userId === id)
        this.toUser(session, event, encoded).catch((err) =>
          this.opts.log.warn({ err, t: event.t }, 'could not deliver a user event'),
        );
      return;
    }
    const guildId = kind === 'guild' ? id : payloadGuildId(event);
    if (guildId) {
      if (session.state.guilds.has(guildId))
        this.toGuildMember(session, event, encoded, guildId, kind === 'channel' ? id : undefined);
    } else if (kind === 'channel' && session.state.dms.has(id)) {
      this.deliver(session, event.t, event, encoded, false);
    }
  }

  private async toUser(session: Session, event: HearthEvent, encoded: Encoded): Promise<void> {
    switch (event.t) {
      case 'SESSIONS_REVOKED': {
        const { all, session_ids } = event.d;
        const mine = session.principal.sessionId;
        if (all || (mine && Array.isArray(session_ids) && session_ids.includes(mine)))
          this.sessions.destroy(session);
        return;
      }
      case 'GUILD_CREATE': {
        // Joined a guild: load its cache for this session (a per-user event, not the fan-out path).
        const guildId = event.d.id;
        if (!guildId) return;
        return this.held(session, async () => {
          const { sessionData, presence } = this.opts.services;
          const [[g], mine] = await Promise.all([
            sessionData.guilds(session.principal.userId, [guildId]),
            presence.of(session.principal.userId),
          ]);
          if (!g) return;
          session.state.guilds.set(guildId, g.state);
          sendGuildCreate(session, g, mine);
        });
      }
      case 'GUILD_DELETE':
        if (event.d.id) session.state.guilds.delete(event.d.id);
        break;
      case 'CHANNEL_CREATE':
        if (event.d.id && isDmType(event.d.type)) session.state.dms.add(event.d.id);
        break;
      case 'CHANNEL_DELETE':
        if (event.d.id && isDmType(event.d.type)) session.state.dms.delete(event.d.id);
        break;
      case 'DM_RECIPIENT':
        // Internal: the user became a recipient of a DM; later messages there reach them.
        if (event.d.channel_id) session.state.dms.add(event.d.channel_id);
        return;
    }
    this.deliver(session, event.t, event, encoded, !!payloadGuildId(event));
  }

  private toGuildMember(
    session: Session,
    event: HearthEvent,
    encoded: Encoded,
    guildId: string,
    channelId?: string,
  ): void {
    const state = session.state;
    const t = event.t;
    if (event.t === 'CHANNEL_DELETE' || event.t === 'THREAD_DELETE') {
      const could = state.canView(guildId, event.d.id ?? '');
      state.apply(event);
      if (could) this.deliver(session, t, event, encoded, true);
      return;
    }
    // Events that can change what this session sees: channels it gains bring their active threads.
    const changesAccess =
      event.t === 'CHANNEL_UPDATE' ||
      event.t === 'GUILD_ROLE_CREATE' ||
      event.t === 'GUILD_ROLE_UPDATE' ||
      event.t === 'GUILD_ROLE_DELETE' ||
      (event.t === 'GUILD_MEMBER_UPDATE' && event.d.user?.id === state.userId);
    const before = changesAccess ? state.visibleChannels(guildId) : null;
    const couldView = event.t === 'CHANNEL_UPDATE' && state.canView(guildId, event.d.id ?? '');
    state.apply(event);
    if (before && state.guilds.has(guildId)) {
      const gained = [...state.visibleChannels(guildId)].filter((c) => !before.has(c));
      if (gained.length)
        this.syncThreads(session, guildId, gained).catch((err) =>
          this.opts.log.warn({ err }, 'thread list sync failed'),
        );
    }
    if (
      event.t === 'GUILD_DELETE' ||
      (event.t === 'GUILD_MEMBER_REMOVE' && event.d.user?.id === state.userId)
    )
      return;
    if (event.t === 'PRESENCE_UPDATE' && !session.receivesPresences(guildId) && !this.seeing?.has(session))
      return;
    if (
      event.t === 'CHANNEL_CREATE' ||
      event.t === 'CHANNEL_UPDATE' ||
      event.t === 'THREAD_CREATE' ||
      event.t === 'THREAD_UPDATE'
    ) {
      const canView = state.canView(guildId, event.d.id ?? '');
      // An overwrite change that hides a channel deletes it for this user; one that reveals it creates it.
      if (event.t === 'CHANNEL_UPDATE' && couldView !== canView)
        this.deliver(session, canView ? 'CHANNEL_CREATE' : 'CHANNEL_DELETE', event, encoded, true);
      else if (canView) this.deliver(session, t, event, encoded, true);
      return;
    }
    // A thread's member list goes to those who see the thread; an event in a channel to those who see the channel.
    const target = event.t === 'THREAD_MEMBERS_UPDATE' ? event.d.id : (channelId ?? payloadChannelId(event));
    if (target) {
      if (!state.canView(guildId, target)) return;
      if (
        (event.t === 'INVITE_CREATE' || event.t === 'INVITE_DELETE') &&
        !hasPermission(state.channelPermissions(guildId, target), Permission.MANAGE_CHANNELS)
      )
        return;
    }
    if (
      event.t === 'GUILD_AUDIT_LOG_ENTRY_CREATE' &&
      !hasPermission(state.guildPermissions(guildId), Permission.VIEW_AUDIT_LOG)
    )
      return;
    // Join requests go to the group's moderators (the requester gets them on their user topic).
    if (
      (event.t === 'GUILD_JOIN_REQUEST_CREATE' ||
        event.t === 'GUILD_JOIN_REQUEST_UPDATE' ||
        event.t === 'GUILD_JOIN_REQUEST_DELETE') &&
      !hasPermission(state.guildPermissions(guildId), Permission.KICK_MEMBERS)
    )
      return;
    // Reports go to those who handle them (reports.service's MODERATORS).
    if (
      (event.t === 'GUILD_MESSAGE_REPORT_CREATE' || event.t === 'GUILD_MESSAGE_REPORT_UPDATE') &&
      (state.guildPermissions(guildId) & (Permission.MANAGE_MESSAGES | Permission.KICK_MEMBERS)) === 0n
    )
      return;
    this.deliver(session, t, event, encoded, true);
  }

  /** THREAD_LIST_SYNC: the active threads of channels this session has just gained access to. */
  private async syncThreads(session: Session, guildId: string, channelIds: string[]): Promise<void> {
    const active = await this.opts.services.threads.active(session.principal, guildId);
    const threads = active.threads.filter(
      (t) => channelIds.includes(t.parent_id ?? '') && session.state.canView(guildId, t.id),
    );
    const ids = new Set(threads.map((t) => t.id));
    session.dispatch('THREAD_LIST_SYNC', {
      guild_id: guildId,
      channel_ids: channelIds,
      threads,
      members: active.members.filter((m) => ids.has(m.id ?? '')),
    });
  }

  /** Applies intents (bots) and MESSAGE_CONTENT, then dispatches `event` as `t` (its name, or what it means here). */
  private deliver(
    session: Session,
    t: EventName,
    event: HearthEvent,
    encoded: Encoded,
    inGuild: boolean,
  ): void {
    if (!session.principal.bot) {
      session.dispatchShared(t, encoded.rest);
      return;
    }
    if (!(session.intents & botIntent(t, inGuild))) return;
    if (
      (event.t === 'MESSAGE_CREATE' || event.t === 'MESSAGE_UPDATE') &&
      inGuild &&
      !(session.intents & Intent.MessageContent)
    ) {
      const me = session.principal.userId;
      const mentioned = event.d.mentions?.some((u) => u.id === me);
      if (event.d.author?.id !== me && !mentioned) {
        session.dispatchShared(t, encoded.blankedRest);
        return;
      }
    }
    session.dispatchShared(t, encoded.rest);
  }
}

/** The channel an event's payload names (`channel_id`), for the events that carry one. */
function payloadChannelId(event: HearthEvent): string | undefined {
  const d = event.d;
  return 'channel_id' in d && typeof d.channel_id === 'string' ? d.channel_id : undefined;
}
