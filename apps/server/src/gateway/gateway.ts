import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { hasPermission, Permission } from '@hearth/permissions';
import {
  ALL_INTENTS,
  ApplicationFlags,
  GatewayClose,
  GatewayLimits,
  GatewayOp,
  Intent,
  PRIVILEGED_INTENTS,
} from '@hearth/protocol';
import type { Logger } from 'pino';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Principal } from '../domain/auth/auth.service';
import { tokenOwner } from '../domain/auth/tokens';
import type { Services } from '../domain/services';
import type { Bus, BusEvent } from '../events/bus';
import { SessionState } from './session-state';

const RESUME_BUFFER = 1000;
const OUTGOING_CAP_BYTES = 8 * 1024 * 1024;

interface Frame {
  s: number;
  text: string;
}

/** One gateway session: survives its socket for the resume window. */
class Session {
  readonly id = randomBytes(16).toString('hex');
  seq = 0;
  /** Presence updates in the current 20-second window (Discord allows 5). */
  presenceUpdates = { count: 0, since: Date.now() };
  readonly buffer: Frame[] = [];
  socket: WebSocket | null = null;
  expiry: NodeJS.Timeout | null = null;

  constructor(
    readonly principal: Principal,
    readonly token: string,
    readonly intents: number,
    readonly state: SessionState,
  ) {}

  /** Sends a dispatch with the next sequence number, and keeps it for RESUME. */
  dispatch(t: string, d: unknown): void {
    this.seq++;
    const text = JSON.stringify({ op: GatewayOp.Dispatch, t, s: this.seq, d });
    this.buffer.push({ s: this.seq, text });
    if (this.buffer.length > RESUME_BUFFER) this.buffer.shift();
    this.write(text);
  }

  write(text: string): void {
    const ws = this.socket;
    if (!ws || ws.readyState !== ws.OPEN) return;
    // A consumer that cannot keep up is dropped rather than allowed to hold memory; it can resume.
    if (ws.bufferedAmount > OUTGOING_CAP_BYTES) {
      ws.close(GatewayClose.UnknownError, 'Outgoing buffer full');
      return;
    }
    ws.send(text);
  }
}

/** Which intent an event needs for a bot, by where it happened. */
function intentFor(t: string, inGuild: boolean): number {
  if (t.startsWith('MESSAGE_REACTION'))
    return inGuild ? Intent.GuildMessageReactions : Intent.DirectMessageReactions;
  if (t.startsWith('MESSAGE_')) return inGuild ? Intent.GuildMessages : Intent.DirectMessages;
  if (t === 'TYPING_START') return inGuild ? Intent.GuildMessageTyping : Intent.DirectMessageTyping;
  if (t === 'CHANNEL_PINS_UPDATE') return inGuild ? Intent.Guilds : Intent.DirectMessages;
  if (t.startsWith('GUILD_MEMBER') || t === 'THREAD_MEMBERS_UPDATE') return Intent.GuildMembers;
  if (t.startsWith('GUILD_BAN') || t === 'GUILD_AUDIT_LOG_ENTRY_CREATE') return Intent.GuildModeration;
  if (t === 'GUILD_EMOJIS_UPDATE') return Intent.GuildExpressions;
  if (t.startsWith('INVITE_')) return Intent.GuildInvites;
  if (t === 'PRESENCE_UPDATE') return Intent.GuildPresences;
  return Intent.Guilds;
}

/** Discord Gateway v10 over `ws`, fed by the bus. One per process. */
export class Gateway {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly sessions = new Map<string, Session>();
  private readonly byUser = new Map<string, Set<Session>>();
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly opts: {
      services: Services;
      bus: Bus;
      log: Logger;
      publicUrl: string;
      resumeWindowMs?: number;
      heartbeatIntervalMs?: number;
    },
  ) {}

  get url(): string {
    return `${this.opts.publicUrl.replace(/^http/, 'ws')}/gateway`;
  }

  /** Handles WebSocket upgrades on `/gateway` and starts receiving bus events. */
  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (url.pathname !== '/gateway' && url.pathname !== '/gateway/') return socket.destroy();
      this.wss.handleUpgrade(request, socket, head, (ws) => this.connect(ws, url.searchParams));
    });
    this.unsubscribe = this.opts.bus.subscribe((event) => this.route(event));
  }

  /** Drops the sockets of a user's sessions without ending the sessions (for tests of resuming). */
  dropConnections(userId: string): void {
    for (const session of this.byUser.get(userId) ?? []) session.socket?.terminate();
  }

  /** On shutdown every client is told to reconnect (op 7) and resumes elsewhere. */
  async close(): Promise<void> {
    this.unsubscribe?.();
    for (const ws of this.wss.clients) {
      ws.send(JSON.stringify({ op: GatewayOp.Reconnect, d: null }));
      ws.close(4000, 'Reconnect');
    }
    for (const s of this.sessions.values()) if (s.expiry) clearTimeout(s.expiry);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private connect(ws: WebSocket, query: URLSearchParams): void {
    const version = query.get('v') ?? '10';
    if (version !== '10' && version !== '9') {
      ws.close(GatewayClose.InvalidApiVersion, 'Invalid API version');
      return;
    }
    if ((query.get('encoding') ?? 'json') !== 'json') {
      ws.close(GatewayClose.DecodeError, 'Only JSON encoding is supported');
      return;
    }
    const interval = this.opts.heartbeatIntervalMs ?? GatewayLimits.heartbeatIntervalMs;
    let session: Session | null = null;
    let lastBeat = Date.now();
    let events = 0;
    let windowStart = Date.now();
    let identifying = false;
    const send = (payload: unknown) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(payload));
    const close = (code: number, reason: string) => ws.readyState === ws.OPEN && ws.close(code, reason);

    send({ op: GatewayOp.Hello, d: { heartbeat_interval: interval } });
    const watchdog = setInterval(
      () => {
        if (Date.now() - lastBeat > interval * 1.5 + 5000)
          close(GatewayClose.SessionTimedOut, 'Session timed out');
      },
      Math.min(interval, 10_000),
    );

    ws.on('message', async (raw, isBinary) => {
      const size = Array.isArray(raw) ? raw.reduce((n, b) => n + b.length, 0) : (raw as Buffer).byteLength;
      if (size > GatewayLimits.payloadBytes) return close(GatewayClose.DecodeError, 'Payload too large');
      if (Date.now() - windowStart > GatewayLimits.eventWindowMs) {
        windowStart = Date.now();
        events = 0;
      }
      if (++events > GatewayLimits.eventsPerWindow) return close(GatewayClose.RateLimited, 'Rate limited');
      let payload: { op?: unknown; d?: any };
      try {
        payload = JSON.parse(isBinary ? Buffer.from(raw as Buffer).toString('utf8') : raw.toString());
      } catch {
        return close(GatewayClose.DecodeError, 'Error while decoding payload');
      }
      if (!payload || typeof payload !== 'object')
        return close(GatewayClose.DecodeError, 'Error while decoding payload');
      switch (payload.op) {
        case GatewayOp.Heartbeat:
          lastBeat = Date.now();
          return send({ op: GatewayOp.HeartbeatAck });
        case GatewayOp.Identify: {
          if (session || identifying)
            return close(GatewayClose.AlreadyAuthenticated, 'Already authenticated');
          identifying = true;
          try {
            session = await this.identify(ws, payload.d);
          } catch (err) {
            const code = (err as { gatewayClose?: number }).gatewayClose;
            if (code) return close(code, (err as Error).message);
            this.opts.log.error({ err }, 'identify failed');
            return close(GatewayClose.UnknownError, 'Unknown error');
          } finally {
            identifying = false;
          }
          lastBeat = Date.now();
          return;
        }
        case GatewayOp.Resume: {
          if (session) return close(GatewayClose.AlreadyAuthenticated, 'Already authenticated');
          session = await this.resume(ws, payload.d);
          lastBeat = Date.now();
          return;
        }
        case GatewayOp.PresenceUpdate:
          if (!session) return close(GatewayClose.NotAuthenticated, 'Not authenticated');
          return this.presence(session, payload.d);
        case GatewayOp.VoiceStateUpdate:
          if (!session) return close(GatewayClose.NotAuthenticated, 'Not authenticated');
          return;
        case GatewayOp.RequestGuildMembers:
          if (!session) return close(GatewayClose.NotAuthenticated, 'Not authenticated');
          return this.requestMembers(session, payload.d).catch((err) =>
            this.opts.log.warn({ err }, 'member request failed'),
          );
        default:
          return close(GatewayClose.UnknownOpcode, 'Unknown opcode');
      }
    });

    ws.on('close', (code) => {
      clearInterval(watchdog);
      if (!session || session.socket !== ws) return;
      // As on Discord, a client closing with 1000 or 1001 (a closed tab) ends its session: it cannot resume.
      if (code === 1000 || code === 1001) this.destroy(session);
      else this.detach(session);
    });
    ws.on('error', () => {});
  }

  private async identify(ws: WebSocket, d: any): Promise<Session> {
    const fail = (code: number, message: string) => Object.assign(new Error(message), { gatewayClose: code });
    if (!d || typeof d.token !== 'string') throw fail(GatewayClose.DecodeError, 'Invalid identify payload');
    const principal = await this.authenticate(d.token);
    if (!principal) throw fail(GatewayClose.AuthenticationFailed, 'Authentication failed');
    let intents = ALL_INTENTS;
    if (principal.bot) {
      if (!Number.isInteger(d.intents) || d.intents < 0 || (d.intents & ~ALL_INTENTS) !== 0)
        throw fail(GatewayClose.InvalidIntents, 'Invalid intent(s)');
      intents = d.intents;
    }
    const data = await this.opts.services.sessionData.load(principal);
    if (principal.bot) {
      const allowed =
        (data.applicationFlags &
        (ApplicationFlags.GatewayGuildMembers | ApplicationFlags.GatewayGuildMembersLimited)
          ? Intent.GuildMembers
          : 0) |
        (data.applicationFlags & (ApplicationFlags.GatewayPresence | ApplicationFlags.GatewayPresenceLimited)
          ? Intent.GuildPresences
          : 0) |
        (data.applicationFlags &
        (ApplicationFlags.GatewayMessageContent | ApplicationFlags.GatewayMessageContentLimited)
          ? Intent.MessageContent
          : 0);
      if (intents & PRIVILEGED_INTENTS & ~allowed)
        throw fail(GatewayClose.DisallowedIntents, 'Disallowed intent(s)');
    }
    const state = new SessionState(principal.userId);
    for (const g of data.guilds) state.guilds.set(g.id, g);
    for (const id of data.dmChannelIds) state.dms.add(id);
    const session = new Session(principal, d.token, intents, state);
    this.sessions.set(session.id, session);
    if (!this.byUser.has(principal.userId)) this.byUser.set(principal.userId, new Set());
    this.byUser.get(principal.userId)!.add(session);
    session.socket = ws;
    await this.opts.services.presence.set(
      principal.userId,
      session.id,
      this.opts.services.presence.parse(d.presence) ?? { status: 'online', activities: [] },
      [...state.guilds.keys()],
    );
    session.dispatch('READY', { ...data.ready, session_id: session.id, resume_gateway_url: this.url });
    for (const g of data.guilds) await this.sendGuildCreate(session, g.id);
    return session;
  }

  private async resume(ws: WebSocket, d: any): Promise<Session | null> {
    const session = d && typeof d.session_id === 'string' ? this.sessions.get(d.session_id) : undefined;
    const principal = d && typeof d.token === 'string' ? await this.authenticate(d.token) : null;
    if (!session || !principal || principal.userId !== session.principal.userId) {
      ws.send(JSON.stringify({ op: GatewayOp.InvalidSession, d: false }));
      return null;
    }
    const seq = Number(d.seq ?? 0);
    if (!Number.isInteger(seq) || seq > session.seq) {
      ws.close(GatewayClose.InvalidSeq, 'Invalid seq');
      return null;
    }
    const oldest = session.buffer[0]?.s ?? session.seq + 1;
    if (seq < oldest - 1) {
      // The missed events are no longer held: start afresh.
      ws.send(JSON.stringify({ op: GatewayOp.InvalidSession, d: false }));
      return null;
    }
    if (session.expiry) clearTimeout(session.expiry);
    session.expiry = null;
    if (session.socket && session.socket !== ws) session.socket.close(4000, 'Resumed elsewhere');
    session.socket = ws;
    for (const frame of session.buffer) if (frame.s > seq) session.write(frame.text);
    session.dispatch('RESUMED', {});
    return session;
  }

  /** Keeps a disconnected session for the resume window, then forgets it. */
  private detach(session: Session): void {
    session.socket = null;
    session.expiry = setTimeout(() => this.destroy(session), this.opts.resumeWindowMs ?? 120_000);
    session.expiry.unref();
  }

  private destroy(session: Session): void {
    if (session.expiry) clearTimeout(session.expiry);
    this.opts.services.presence
      .set(session.principal.userId, session.id, null, [...session.state.guilds.keys()])
      .catch((err) => this.opts.log.warn({ err }, 'could not clear presence'));
    this.sessions.delete(session.id);
    this.byUser.get(session.principal.userId)?.delete(session);
    session.socket?.close(GatewayClose.AuthenticationFailed, 'Session revoked');
    session.socket = null;
  }

  private async authenticate(token: string): Promise<Principal | null> {
    const auth = this.opts.services.auth;
    if (/^(bot|bearer) /i.test(token)) return auth.authenticate(token);
    return (await auth.authenticate(token)) ?? (tokenOwner(token) ? auth.authenticate(`Bot ${token}`) : null);
  }

  private async sendGuildCreate(session: Session, guildId: string): Promise<void> {
    const guild = await this.opts.services.sessionData.guildCreate(guildId, session.principal.userId);
    const channels = (guild.channels as Array<{ id: string }>).filter((c) =>
      session.state.canView(guildId, c.id),
    );
    const memberIds = (guild.members as Array<{ user?: { id: string } }>)
      .map((m) => m.user?.id)
      .filter((id): id is string => !!id);
    const wantsPresences = !session.principal.bot || !!(session.intents & Intent.GuildPresences);
    const presences = wantsPresences
      ? (await this.opts.services.presence.many(memberIds)).filter((p) => p.status !== 'offline')
      : [];
    session.dispatch('GUILD_CREATE', { ...guild, channels, presences });
  }

  /** op 3: a new presence for this session, at most 5 per 20 seconds (extra updates are dropped). */
  private async presence(session: Session, d: unknown): Promise<void> {
    const now = Date.now();
    if (now - session.presenceUpdates.since > 20_000) session.presenceUpdates = { count: 0, since: now };
    if (++session.presenceUpdates.count > 5) return;
    const parsed = this.opts.services.presence.parse(d);
    if (!parsed) return;
    await this.opts.services.presence.set(session.principal.userId, session.id, parsed, [
      ...session.state.guilds.keys(),
    ]);
  }

  /** op 8: GUILD_MEMBERS_CHUNK pages of at most 1000, echoing the nonce. */
  private async requestMembers(session: Session, d: any): Promise<void> {
    const guildId = d?.guild_id;
    if (typeof guildId !== 'string' || !session.state.guilds.has(guildId)) return;
    if (session.principal.bot && !(session.intents & Intent.GuildMembers)) {
      session.socket?.close(
        GatewayClose.DisallowedIntents,
        'Requesting members needs the GUILD_MEMBERS intent',
      );
      return;
    }
    const limit = Math.min(Math.max(Number(d.limit) || 1000, 1), 1000);
    const members = this.opts.services.members;
    let list =
      typeof d.query === 'string' && d.query
        ? await members.search(session.principal, guildId, d.query, limit)
        : await members.list(session.principal, guildId, { limit: Array.isArray(d.user_ids) ? 1000 : limit });
    if (Array.isArray(d.user_ids)) list = list.filter((m) => d.user_ids.includes(m.user?.id));
    session.dispatch('GUILD_MEMBERS_CHUNK', {
      guild_id: guildId,
      members: list,
      chunk_index: 0,
      chunk_count: 1,
      ...(d.presences ? { presences: [] } : {}),
      ...(d.nonce !== undefined ? { nonce: d.nonce } : {}),
    });
  }

  /** Delivers one bus event to every session entitled to it, from the sessions' own caches. */
  private route(event: BusEvent): void {
    const [kind, id] = event.topic.split(':');
    const d = event.d as Record<string, any>;
    if (kind === 'user') {
      for (const session of [...(this.byUser.get(id) ?? [])]) void this.toUser(session, event.t, d);
      return;
    }
    const guildId: string | undefined = kind === 'guild' ? id : d?.guild_id;
    for (const session of this.sessions.values()) {
      if (guildId) {
        if (!session.state.guilds.has(guildId)) continue;
        this.toGuildMember(session, event.t, d, guildId, kind === 'channel' ? id : undefined);
      } else if (kind === 'channel' && session.state.dms.has(id)) {
        this.deliver(session, event.t, d, false);
      }
    }
  }

  private async toUser(session: Session, t: string, d: Record<string, any>): Promise<void> {
    switch (t) {
      case 'SESSIONS_REVOKED':
        if (d.all || (session.principal.sessionId && d.session_ids?.includes(session.principal.sessionId)))
          this.destroy(session);
        return;
      case 'GUILD_CREATE':
        // Joined a guild: load its cache for this session (a per-user event, not the fan-out path).
        for (const g of await this.opts.services.sessionData.guildStates(session.principal.userId, [d.id]))
          session.state.guilds.set(g.id, g);
        await this.sendGuildCreate(session, d.id);
        return this.opts.services.presence.announce(session.principal.userId, d.id);
      case 'GUILD_DELETE':
        session.state.guilds.delete(d.id);
        break;
      case 'CHANNEL_CREATE':
        if (d.type === 1 || d.type === 3) session.state.dms.add(d.id);
        break;
      case 'CHANNEL_DELETE':
        if (d.type === 1 || d.type === 3) session.state.dms.delete(d.id);
        break;
      case 'DM_RECIPIENT':
        // Internal: the user became a recipient of a DM; later messages there reach them.
        session.state.dms.add(d.channel_id);
        return;
    }
    this.deliver(session, t, d, !!d.guild_id);
  }

  private toGuildMember(
    session: Session,
    t: string,
    d: Record<string, any>,
    guildId: string,
    channelId?: string,
  ): void {
    const state = session.state;
    const viewedBefore = (id: string) => state.canView(guildId, id);
    if (t === 'CHANNEL_DELETE' || t === 'THREAD_DELETE') {
      const could = viewedBefore(d.id);
      state.apply(t, d);
      if (could) this.deliver(session, t, d, true);
      return;
    }
    const couldView = t === 'CHANNEL_UPDATE' && viewedBefore(d.id);
    state.apply(t, d);
    if (t === 'GUILD_DELETE' || (t === 'GUILD_MEMBER_REMOVE' && d.user?.id === state.userId)) return;
    if (t.startsWith('CHANNEL_') || t === 'THREAD_CREATE' || t === 'THREAD_UPDATE') {
      const canView = state.canView(guildId, d.id);
      // An overwrite change that hides a channel deletes it for this user; one that reveals it creates it.
      if (t === 'CHANNEL_UPDATE' && couldView !== canView)
        this.deliver(session, canView ? 'CHANNEL_CREATE' : 'CHANNEL_DELETE', d, true);
      else if (canView) this.deliver(session, t, d, true);
      return;
    }
    const target = channelId ?? d.channel_id;
    if (target) {
      if (!state.canView(guildId, target)) return;
      if (
        t.startsWith('INVITE_') &&
        !hasPermission(state.channelPermissions(guildId, target), Permission.MANAGE_CHANNELS)
      )
        return;
    }
    if (
      t === 'GUILD_AUDIT_LOG_ENTRY_CREATE' &&
      !hasPermission(state.guildPermissions(guildId), Permission.VIEW_AUDIT_LOG)
    )
      return;
    this.deliver(session, t, d, true);
  }

  /** Applies intents (bots) and MESSAGE_CONTENT, then dispatches. */
  private deliver(session: Session, t: string, d: Record<string, any>, inGuild: boolean): void {
    if (!session.principal.bot) {
      session.dispatch(t, d);
      return;
    }
    if (!(session.intents & intentFor(t, inGuild))) return;
    if (
      (t === 'MESSAGE_CREATE' || t === 'MESSAGE_UPDATE') &&
      inGuild &&
      !(session.intents & Intent.MessageContent)
    ) {
      const me = session.principal.userId;
      const mentioned = (d.mentions as Array<{ id: string }> | undefined)?.some((u) => u.id === me);
      if (d.author?.id !== me && !mentioned) {
        session.dispatch(t, { ...d, content: '', embeds: [], attachments: [], components: [] });
        return;
      }
    }
    session.dispatch(t, d);
  }
}
