import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { hasPermission, Permission } from '@hearth/permissions';
import type { Member } from '@hearth/protocol';
import {
  ALL_INTENTS,
  ApplicationFlags,
  GatewayClose,
  GatewayLimits,
  GatewayOp,
  Intent,
  isValidIntents,
  jsonNestingExceeds,
  Limits,
  PRIVILEGED_INTENTS,
  parseJsonKeepingIds,
} from '@hearth/protocol';
import type { Logger } from 'pino';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Principal } from '../domain/auth/auth.service';
import { tokenOwner } from '../domain/auth/tokens';
import type { GuildStart } from '../domain/gateway/session-data.service';
import type { PresenceWire } from '../domain/presence/presence.service';
import type { Services } from '../domain/services';
import { BUS_GAP, type Bus, type BusEvent, comparePositions } from '../events/bus';
import type { RateLimiter } from '../events/rate-limiter';
import type { SessionStore } from '../events/session-store';
import { guildCreateParts } from './guild-create';
import { ResumeRecords } from './resume-records';
import { Outbox, Session, type SessionSnapshot, textFrame } from './session';
import { type EventData, SessionState } from './session-state';

/** IDENTIFY budget per user: `identifyLimit` per this window (Discord's max_concurrency window). */
const IDENTIFY_WINDOW_MS = 5000;

/** The answer to every heartbeat, encoded once, and framed once (most of what a gateway writes when idle). */
const HEARTBEAT_ACK = JSON.stringify({ op: GatewayOp.HeartbeatAck });
const HEARTBEAT_ACK_FRAME = textFrame(HEARTBEAT_ACK);

/** A client payload as far as the gateway reads it before looking at `d`. */
interface ClientPayload {
  op?: unknown;
  d?: unknown;
}

/** One open socket, as the heartbeat sweep sees it. */
interface Connection {
  outbox: Outbox;
  session: Session | null;
  lastBeat: number;
  beatRequested: boolean;
  /** Since when the socket has had no session and no IDENTIFY or RESUME under way; null while it has or does. */
  unauthenticatedSince: number | null;
}

type Fields = Record<string, unknown>;
const asFields = (d: unknown): Fields => (d && typeof d === 'object' ? (d as Fields) : {});

const CHUNK = 1000;

/** Events after which a session may be in other guilds or DMs than before (its audience index is updated). */
const MEMBERSHIP_EVENTS = new Set([
  'GUILD_DELETE',
  'GUILD_MEMBER_REMOVE',
  'CHANNEL_CREATE',
  'CHANNEL_DELETE',
  'DM_RECIPIENT',
]);

/**
 * Frames up to this size are read so that an oversized payload gets Discord's 4002 (past 4096 bytes); larger ones
 * are refused by `ws` itself (1009) without buffering them.
 */
const SOCKET_MAX_PAYLOAD = 1024 * 1024;

/** IDENTIFY's `large_threshold`: 50 by default, clamped to Discord's 50–250. */
function largeThreshold(v: unknown): number {
  return typeof v === 'number' && Number.isInteger(v) ? Math.min(Math.max(v, 50), 250) : 50;
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
  if (t === 'GUILD_EMOJIS_UPDATE' || t === 'GUILD_STICKERS_UPDATE') return Intent.GuildExpressions;
  if (t.startsWith('GUILD_SCHEDULED_EVENT_')) return Intent.GuildScheduledEvents;
  if (t === 'WEBHOOKS_UPDATE') return Intent.GuildWebhooks;
  if (t.startsWith('INVITE_')) return Intent.GuildInvites;
  if (t === 'PRESENCE_UPDATE') return Intent.GuildPresences;
  return Intent.Guilds;
}

/** The keys a session is listed under in the gateway's audience index (see Gateway.reindex). */
function audienceKeys(session: Session): Set<string> {
  const keys = new Set([...session.state.guilds.keys(), ...session.state.dms]);
  for (const id of session.state.guilds.keys())
    if (session.receivesPresences(id)) keys.add(`presences:${id}`);
  return keys;
}

/**
 * One event as routed: its topic split once, its `d`, and `d` as JSON encoded at most once for all its recipients
 * (and once blanked, for bots without MESSAGE_CONTENT).
 */
class Encoded {
  readonly kind: string;
  readonly id: string;
  readonly d: EventData;
  private full: Buffer | undefined;
  private blank: Buffer | undefined;

  constructor(event: BusEvent) {
    const at = event.topic.indexOf(':');
    this.kind = event.topic.slice(0, at);
    this.id = event.topic.slice(at + 1);
    this.d = asFields(event.d) as EventData;
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
const eventEncodings = new WeakMap<BusEvent, Encoded>();
function encodedOf(event: BusEvent): Encoded {
  let encoded = eventEncodings.get(event);
  if (!encoded) {
    encoded = new Encoded(event);
    eventEncodings.set(event, encoded);
  }
  return encoded;
}

/** Discord Gateway v10 over `ws`, fed by the bus. One per process. */
export class Gateway {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: SOCKET_MAX_PAYLOAD });
  private readonly sessions = new Map<string, Session>();
  private readonly byUser = new Map<string, Set<Session>>();
  /** Sessions by guild id and by DM channel id: who a guild or channel event can concern. */
  private readonly byAudience = new Map<string, Set<Session>>();
  /** Sessions whose events are held (see `held`): every event goes into their backlog. */
  private readonly holding = new Set<Session>();
  /** Payloads being handled and sessions being loaded: `close` lets them finish before the database closes. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly outboxes = new WeakMap<WebSocket, Outbox>();
  /** This process's name on the bus, for session handoff. */
  private readonly tag = randomBytes(8).toString('hex');
  /** Events seen since another process announced a handoff, by that process's tag. */
  private readonly recordings = new Map<string, BusEvent[]>();
  private onOwnHandoff: (() => void) | null = null;
  private presenceTimer: NodeJS.Timeout | null = null;
  private readonly connections = new Set<Connection>();
  private watchdog: NodeJS.Timeout | null = null;
  private closing = false;
  private unsubscribe: (() => void) | null = null;
  /** With Redis: each session's resume record, for another process to resume it if this one dies. */
  private readonly records: ResumeRecords | null;

  constructor(
    private readonly opts: {
      services: Services;
      bus: Bus;
      log: Logger;
      /** This process's own gateway URL, given as READY's `resume_gateway_url`. */
      resumeUrl: string;
      /** IDENTIFY budget, shared across processes when the limiter is Redis. */
      limiter: RateLimiter;
      /** How long a disconnected session can be resumed. */
      sessionTtlMs: number;
      heartbeatIntervalMs: number;
      /** A session whose unsent outgoing bytes exceed this is disconnected. */
      outgoingCapBytes: number;
      /** IDENTIFYs per user per 5 seconds. */
      identifyLimit: number;
      /** How often the presences of this process's sessions are refreshed in the (expiring) shared store. */
      presenceRefreshMs: number;
      /** Where sessions' resume records are kept (Redis), so that they outlive this process (ADR 0020). */
      sessionStore?: SessionStore<SessionSnapshot>;
    },
  ) {
    this.records = opts.sessionStore
      ? new ResumeRecords({
          store: opts.sessionStore,
          bus: opts.bus,
          tag: this.tag,
          ttlMs: opts.sessionTtlMs,
          log: opts.log,
        })
      : null;
  }

  /** Handles WebSocket upgrades on `/gateway` and starts receiving bus events. */
  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (this.closing || (url.pathname !== '/gateway' && url.pathname !== '/gateway/'))
        return socket.destroy();
      this.wss.handleUpgrade(request, socket, head, (ws) => this.connect(ws, socket, url.searchParams));
    });
    this.unsubscribe = this.opts.bus.subscribe((event) => this.route(event));
    this.records?.start(() => this.sessions.values());
    this.presenceTimer = setInterval(() => this.refreshPresences(), this.opts.presenceRefreshMs);
    this.presenceTimer.unref();
    const interval = this.opts.heartbeatIntervalMs;
    this.watchdog = setInterval(() => this.sweepHeartbeats(), Math.max(Math.min(interval / 4, 10_000), 10));
    this.watchdog.unref();
  }

  /**
   * One sweep over every connection: a late heartbeat is asked for once (server op 1); none within the grace
   * closes the connection with 4009. A socket that has not identified (or resumed) within one heartbeat interval
   * of HELLO, or of a failed attempt, is closed with 4003, heartbeats or not: an open socket costs memory.
   */
  private sweepHeartbeats(): void {
    const interval = this.opts.heartbeatIntervalMs;
    const grace = Math.min(interval, 5000);
    const now = Date.now();
    for (const conn of this.connections) {
      if (conn.unauthenticatedSince !== null && now - conn.unauthenticatedSince > interval) {
        conn.outbox.close(GatewayClose.NotAuthenticated, 'Not authenticated');
        continue;
      }
      const silent = now - conn.lastBeat;
      if (silent > interval * 1.5 + grace)
        conn.outbox.close(GatewayClose.SessionTimedOut, 'Session timed out');
      else if (silent > interval && !conn.beatRequested) {
        conn.beatRequested = true;
        conn.outbox.send(JSON.stringify({ op: GatewayOp.Heartbeat, d: conn.session?.seq ?? null }));
      }
    }
  }

  /** One batched write keeps the presence of every session this process holds from expiring in the store. */
  private refreshPresences(): void {
    // A session whose events are held is mid-load: an identifying one has set no presence yet (writing it first
    // would hide its arrival from presence.set); the others are refreshed next time, well within the TTL.
    const live = [...this.sessions.values()]
      .filter((s) => !s.backlog)
      .map((s) => ({
        userId: s.principal.userId,
        sessionId: s.id,
        presence: s.presence,
      }));
    this.opts.services.presence
      .refresh(live)
      .catch((err) => this.opts.log.warn({ err }, 'could not refresh presences'));
  }

  /** Drops the sockets of a user's sessions without ending the sessions (for tests of resuming). */
  dropConnections(userId: string): void {
    for (const session of this.byUser.get(userId) ?? []) session.outbox?.ws.terminate();
  }

  /** Whether a session currently has a live socket (for tests and diagnostics). */
  isConnected(sessionId: string): boolean {
    return !!this.sessions.get(sessionId)?.outbox?.open;
  }

  /**
   * On shutdown the sessions are handed to the other processes through the bus, then every client is told to
   * reconnect (op 7) and resumes on any process without loss. The handoff is in two steps so that nothing falls
   * between them: this process announces it, keeps delivering until its own announcement comes back (so it has seen
   * every event before it), then publishes its sessions; the others record events from the announcement on and
   * replay them into the sessions they adopt.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.presenceTimer) clearInterval(this.presenceTimer);
    if (this.watchdog) clearInterval(this.watchdog);
    const handedOff = new Promise<void>((resolve) => {
      this.onOwnHandoff = resolve;
      setTimeout(resolve, 2000).unref();
    });
    await this.publishControl('HANDOFF_BEGIN', {}).catch((err) =>
      this.opts.log.warn({ err }, 'could not announce the session handoff'),
    );
    await handedOff;
    this.unsubscribe?.();
    // A session mid-load (events held) is not handed off: its client resumes nowhere and identifies afresh.
    const snapshots = [...this.sessions.values()].filter((s) => !s.backlog).map((s) => s.snapshot());
    await this.publishControl('HANDOFF', { sessions: snapshots }).catch((err) =>
      this.opts.log.warn({ err }, 'could not hand off sessions'),
    );
    for (const ws of this.wss.clients) {
      const outbox = this.outboxes.get(ws);
      outbox?.send(JSON.stringify({ op: GatewayOp.Reconnect, d: null }));
      outbox?.close(GatewayClose.UnknownError, 'Reconnect');
    }
    for (const s of this.sessions.values()) if (s.expiry) clearTimeout(s.expiry);
    await this.records?.stop();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    // Identifies and loads still running use the database, which closes next: let them end (for a bounded time).
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      new Promise((resolve) => setTimeout(resolve, 2000).unref()),
    ]);
  }

  private publishControl(t: string, d: unknown): Promise<void> {
    return this.opts.bus.publish({ t, topic: `gateway:${this.tag}`, d });
  }

  /** Handoff messages between gateway processes (topic `gateway:<process tag>`). */
  private control(from: string, event: BusEvent): void {
    const mine = from === this.tag;
    switch (event.t) {
      case 'HANDOFF_BEGIN':
        if (mine) {
          this.onOwnHandoff?.();
          this.onOwnHandoff = null;
        } else this.recordings.set(from, []);
        return;
      case 'HANDOFF': {
        const recorded = this.recordings.get(from) ?? [];
        this.recordings.delete(from);
        if (mine) return;
        const sessions = (asFields(event.d).sessions ?? []) as SessionSnapshot[];
        for (const snap of sessions) this.adopt(snap, recorded);
        return;
      }
      case 'SESSION_WANTED': {
        // A client resumes on another process: a session held here that waits for no checkpoint is let go of.
        const session = this.sessions.get(String(asFields(event.d).session_id));
        if (mine || !session || session.adopted || session.backlog || session.awaitingCheckpoint) return;
        if (session.expiry) clearTimeout(session.expiry);
        this.forget(session);
        this.records?.release(session);
        session.outbox?.close(GatewayClose.UnknownError, 'Resumed elsewhere');
        session.outbox = null;
        return;
      }
      case 'SESSION_CLAIMED': {
        // Another process resumed a session this one adopted too: forget the copy quietly.
        const session = this.sessions.get(String(asFields(event.d).session_id));
        if (mine || !session?.adopted || session.outbox) return;
        if (session.expiry) clearTimeout(session.expiry);
        this.forget(session);
        return;
      }
    }
  }

  /** Keeps a session handed off by a process that shut down, resumable here; events since the handoff are kept. */
  private adopt(snap: SessionSnapshot, recorded: BusEvent[]): void {
    if (this.sessions.has(snap.id)) return;
    const session = Session.restore(snap);
    this.track(session);
    this.detach(session);
    session.loading = this.awaitedOnClose(
      this.held(session, async () => {
        session.backlog!.push(...recorded);
        const { guilds, dmChannelIds } = await this.opts.services.sessionData.caches(
          session.principal.userId,
        );
        for (const g of guilds) session.state.guilds.set(g.id, g);
        for (const id of dmChannelIds) session.state.dms.add(id);
      }),
    )
      .catch((err) => this.opts.log.warn({ err }, 'could not load an adopted session'))
      .finally(() => {
        session.loading = null;
      });
  }

  /** Keeps `work` in flight until it settles; `close` waits for what is still in flight. */
  private awaitedOnClose<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    const done = () => this.inFlight.delete(work);
    work.then(done, done);
    return work;
  }

  /**
   * Runs `load` with the session's events held: every event routed meanwhile, of any guild or DM, waits in its
   * backlog and is routed to it afterwards, in order. A session that loads its caches or builds an answer
   * (GUILD_CREATE, member chunks) from the database this way never misses an event that the data predates, and
   * never gets an event before the state it applies to.
   */
  private async held<T>(session: Session, load: () => Promise<T>): Promise<T> {
    if (session.holds++ === 0) {
      session.heldAt = this.opts.bus.position();
      session.backlog = [];
      this.holding.add(session);
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
    this.holding.delete(session);
    if (!this.sessions.has(session.id)) return;
    this.reindex(session);
    for (const event of backlog) this.toSession(session, event, encodedOf(event));
  }

  private connect(ws: WebSocket, raw: Duplex, query: URLSearchParams): void {
    const version = query.get('v') ?? '10';
    if (version !== '10' && version !== '9') {
      ws.close(GatewayClose.InvalidApiVersion, 'Invalid API version');
      return;
    }
    if ((query.get('encoding') ?? 'json') !== 'json') {
      ws.close(GatewayClose.DecodeError, 'Only JSON encoding is supported');
      return;
    }
    // `compress=zlib-stream` is ignored: frames are plain JSON text, which every client parses (ADR 0006).
    const interval = this.opts.heartbeatIntervalMs;
    let session: Session | null = null;
    const outbox = new Outbox(ws, raw, this.opts.outgoingCapBytes, () =>
      this.opts.log.warn({ session: session?.id }, 'slow gateway consumer disconnected'),
    );
    this.outboxes.set(ws, outbox);
    const conn: Connection = {
      outbox,
      session: null,
      lastBeat: Date.now(),
      beatRequested: false,
      unauthenticatedSince: Date.now(),
    };
    this.connections.add(conn);
    let events = 0;
    let windowStart = Date.now();
    let identifying = false;
    const send = (payload: unknown) => outbox.send(JSON.stringify(payload));
    const close = (code: number, reason: string) => outbox.close(code, reason);

    send({ op: GatewayOp.Hello, d: { heartbeat_interval: interval } });
    // Heartbeats are most of what a gateway receives: they are answered synchronously, the rest in `handle`.
    ws.on('message', (data, isBinary) => {
      const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer).byteLength;
      if (size > GatewayLimits.payloadBytes) return close(GatewayClose.DecodeError, 'Payload too large');
      if (Date.now() - windowStart > GatewayLimits.eventWindowMs) {
        windowStart = Date.now();
        events = 0;
      }
      if (++events > GatewayLimits.eventsPerWindow) return close(GatewayClose.RateLimited, 'Rate limited');
      let payload: ClientPayload;
      try {
        const text = isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString();
        // Nothing deeper than any real payload reaches code that walks it (the same bound as HTTP bodies).
        if (jsonNestingExceeds(text, Limits.jsonDepth)) throw new Error('nested too deep');
        // Ids sent as JSON numbers (discord.py's op 8 guild_id) come back exact, as strings; a rounded one closes.
        payload = parseJsonKeepingIds(text) as ClientPayload;
      } catch {
        return close(GatewayClose.DecodeError, 'Error while decoding payload');
      }
      if (!payload || typeof payload !== 'object')
        return close(GatewayClose.DecodeError, 'Error while decoding payload');
      if (payload.op === GatewayOp.Heartbeat) {
        conn.lastBeat = Date.now();
        conn.beatRequested = false;
        // A heartbeat carries the last sequence the client received: a RESUME never asks for those again.
        if (typeof payload.d === 'number') conn.session?.acknowledge(payload.d);
        return outbox.reply(HEARTBEAT_ACK, HEARTBEAT_ACK_FRAME);
      }
      // A failure (the presence store unreachable, say) is logged; the session goes on.
      this.awaitedOnClose(handle(payload)).catch((err) =>
        this.opts.log.error({ err, op: payload.op }, 'gateway payload failed'),
      );
    });
    const handle = async (payload: ClientPayload): Promise<void> => {
      switch (payload.op) {
        case GatewayOp.Identify: {
          if (session || identifying)
            return close(GatewayClose.AlreadyAuthenticated, 'Already authenticated');
          identifying = true;
          conn.unauthenticatedSince = null;
          try {
            session = await this.identify(outbox, payload.d);
          } catch (err) {
            const code = (err as { gatewayClose?: number }).gatewayClose;
            if (code) return close(code, (err as Error).message);
            this.opts.log.error({ err }, 'identify failed');
            return close(GatewayClose.UnknownError, 'Unknown error');
          } finally {
            identifying = false;
            // Op 9 (over the IDENTIFY budget): the client may try again, within a fresh interval.
            if (!session) conn.unauthenticatedSince = Date.now();
          }
          conn.session = session;
          conn.lastBeat = Date.now();
          // The socket closed while the session was being built: it waits for RESUME like any other.
          if (session && !outbox.open && session.outbox === outbox) this.detach(session);
          return;
        }
        case GatewayOp.Resume: {
          if (session) return close(GatewayClose.AlreadyAuthenticated, 'Already authenticated');
          conn.unauthenticatedSince = null;
          try {
            session = await this.resume(outbox, payload.d);
          } finally {
            if (!session) conn.unauthenticatedSince = Date.now();
          }
          conn.session = session;
          conn.lastBeat = Date.now();
          return;
        }
        case GatewayOp.PresenceUpdate:
          if (!session) return close(GatewayClose.NotAuthenticated, 'Not authenticated');
          return this.presence(session, payload.d);
        case GatewayOp.VoiceStateUpdate:
          if (!session) return close(GatewayClose.NotAuthenticated, 'Not authenticated');
          return;
        case GatewayOp.RequestGuildMembers: {
          if (!session) return close(GatewayClose.NotAuthenticated, 'Not authenticated');
          const asking = session;
          return this.held(asking, () => this.requestMembers(asking, payload.d)).catch((err) =>
            this.opts.log.warn({ err }, 'member request failed'),
          );
        }
        case GatewayOp.GuildSubscriptions:
          if (!session) return close(GatewayClose.NotAuthenticated, 'Not authenticated');
          return this.subscribe(session, payload.d);
        default:
          return close(GatewayClose.UnknownOpcode, 'Unknown opcode');
      }
    };

    ws.on('close', (code) => {
      this.connections.delete(conn);
      // Sessions of a process that is shutting down live on elsewhere.
      if (!session || session.outbox !== outbox || this.closing) return;
      // As on Discord, a client closing with 1000 or 1001 (a closed tab) ends its session: it cannot resume.
      if (code === 1000 || code === 1001) this.destroy(session);
      else this.detach(session);
    });
    ws.on('error', () => {});
  }

  /** IDENTIFY: a new session, or null when the user is over the IDENTIFY rate limit (answered with op 9). */
  private async identify(outbox: Outbox, payload: unknown): Promise<Session | null> {
    const fail = (code: number, message: string) => Object.assign(new Error(message), { gatewayClose: code });
    const d = asFields(payload);
    if (typeof d.token !== 'string') throw fail(GatewayClose.DecodeError, 'Invalid identify payload');
    const { auth, sessionData, presence } = this.opts.services;
    // A user's token is checked here for its signature, and for its login session by the statement that loads the
    // session's data (one statement per IDENTIFY); any other token is authenticated first.
    const user = auth.userPrincipal(d.token);
    const principal: Principal | null = user ?? (await this.authenticate(d.token));
    if (!principal) throw fail(GatewayClose.AuthenticationFailed, 'Authentication failed');
    let intents = ALL_INTENTS;
    if (principal.bot) {
      if (!isValidIntents(d.intents)) throw fail(GatewayClose.InvalidIntents, 'Invalid intent(s)');
      intents = d.intents;
    } else if (d.intents != null && !isValidIntents(d.intents)) {
      // Users need not send intents (they get every event they may see), but what they send must be intents.
      throw fail(GatewayClose.InvalidIntents, 'Invalid intent(s)');
    }
    const { applicationFlags } = principal;
    if (principal.bot) {
      const allowed =
        (applicationFlags &
        (ApplicationFlags.GatewayGuildMembers | ApplicationFlags.GatewayGuildMembersLimited)
          ? Intent.GuildMembers
          : 0) |
        (applicationFlags & (ApplicationFlags.GatewayPresence | ApplicationFlags.GatewayPresenceLimited)
          ? Intent.GuildPresences
          : 0) |
        (applicationFlags &
        (ApplicationFlags.GatewayMessageContent | ApplicationFlags.GatewayMessageContentLimited)
          ? Intent.MessageContent
          : 0);
      if (intents & PRIVILEGED_INTENTS & ~allowed)
        throw fail(GatewayClose.DisallowedIntents, 'Disallowed intent(s)');
    }
    const session = new Session(principal, d.token, intents, new SessionState(principal.userId));
    session.largeThreshold = largeThreshold(d.large_threshold);
    session.presence = presence.parse(d.presence) ?? session.presence;
    this.track(session);
    let limited = false;
    try {
      // Held from before the first read: READY and every GUILD_CREATE come first, then whatever happened meanwhile.
      await this.held(session, async () => {
        const data = await sessionData.load(principal, user);
        if (!data) throw fail(GatewayClose.AuthenticationFailed, 'Authentication failed');
        // Counted once the token is known to be good: a revoked one cannot spend its user's IDENTIFY budget.
        const budget = await this.opts.limiter.hit(
          `identify:${principal.userId}`,
          this.opts.identifyLimit,
          IDENTIFY_WINDOW_MS,
        );
        if (!budget.allowed) {
          limited = true;
          this.forget(session);
          return;
        }
        for (const g of data.guilds) session.state.guilds.set(g.state.id, g.state);
        for (const id of data.dmChannelIds) session.state.dms.add(id);
        session.outbox = outbox;
        const mine = await presence.set(principal.userId, session.id, session.presence, [
          ...session.state.guilds.keys(),
        ]);
        session.dispatch('READY', {
          ...data.ready,
          session_id: session.id,
          resume_gateway_url: this.opts.resumeUrl,
        });
        for (const g of data.guilds) this.sendGuildCreate(session, g, mine);
      });
    } catch (err) {
      this.forget(session);
      presence.set(principal.userId, session.id, null, [...session.state.guilds.keys()]).catch(() => {});
      throw err;
    }
    // Over the budget, or invalidated while loading (events were lost, see invalidateAll).
    if (limited || !this.sessions.has(session.id)) {
      outbox.send(JSON.stringify({ op: GatewayOp.InvalidSession, d: false }));
      return null;
    }
    return session;
  }

  private async resume(outbox: Outbox, payload: unknown): Promise<Session | null> {
    const d = asFields(payload);
    const id = typeof d.session_id === 'string' ? d.session_id : '';
    let session = this.sessions.get(id);
    const principal = typeof d.token === 'string' ? await this.authenticate(d.token) : null;
    const seq = Number(d.seq ?? 0);
    // Not here: perhaps a session of a process that died, rebuilt from its record.
    if (!session && principal && this.records && Number.isInteger(seq))
      session = await this.rebuild(id, principal.userId, seq);
    await session?.loading;
    if (!session || !principal || principal.userId !== session.principal.userId) {
      outbox.send(JSON.stringify({ op: GatewayOp.InvalidSession, d: false }));
      return null;
    }
    if (!Number.isInteger(seq) || seq > session.seq) {
      outbox.close(GatewayClose.InvalidSeq, 'Invalid seq');
      return null;
    }
    const oldest = session.buffer[0]?.s ?? session.seq + 1;
    if (seq < oldest - 1) {
      // The missed events are no longer held: start afresh.
      outbox.send(JSON.stringify({ op: GatewayOp.InvalidSession, d: false }));
      return null;
    }
    if (session.expiry) clearTimeout(session.expiry);
    session.expiry = null;
    if (session.outbox && session.outbox !== outbox)
      session.outbox.close(GatewayClose.UnknownError, 'Resumed elsewhere');
    session.outbox = outbox;
    if (session.adopted) {
      session.adopted = false;
      this.records?.watch(session);
      void this.publishControl('SESSION_CLAIMED', { session_id: session.id }).catch(() => {});
    }
    session.replay(seq);
    session.dispatch('RESUMED', {});
    return session;
  }

  /**
   * A session of a process that died (ADR 0020), rebuilt here from its record: its identity and sequence at a
   * checkpoint, its caches loaded afresh, and every bus event since the checkpoint routed to it again, which numbers
   * its dispatches as the dead process did. Undefined when it cannot be resumed without loss.
   */
  private async rebuild(id: string, userId: string, clientSeq: number): Promise<Session | undefined> {
    const taken = await this.records!.take(id, userId, clientSeq, () => {
      this.publishControl('SESSION_WANTED', { session_id: id }).catch(() => {});
    });
    if (!taken || this.sessions.has(id)) return this.sessions.get(id);
    const session = Session.restore({ ...taken.snapshot, seq: taken.checkpoint.seq, buffer: [] });
    session.adopted = false;
    this.track(session);
    this.detach(session);
    try {
      await this.held(session, async () => {
        const [events, caches] = await Promise.all([
          this.opts.bus.range(taken.checkpoint.at, session.heldAt),
          this.opts.services.sessionData.caches(userId),
        ]);
        if (!events) throw new Error('the stream no longer holds every event since the checkpoint');
        for (const g of caches.guilds) session.state.guilds.set(g.id, g);
        for (const dm of caches.dmChannelIds) session.state.dms.add(dm);
        // This process may not have read as far as the checkpoint yet: what it holds up to there was delivered.
        const backlog = session.backlog!;
        const fresh = backlog.filter((e) => !e.id || comparePositions(e.id, taken.checkpoint.at) > 0);
        backlog.splice(0, backlog.length, ...events, ...fresh);
      });
    } catch (err) {
      this.opts.log.warn({ err }, 'could not rebuild a session');
      if (session.expiry) clearTimeout(session.expiry);
      this.forget(session);
      return undefined;
    }
    return session;
  }

  /** Keeps a disconnected session for the resume window, then forgets it. */
  private detach(session: Session): void {
    session.outbox = null;
    session.expiry = setTimeout(() => this.destroy(session), this.opts.sessionTtlMs);
    session.expiry.unref();
  }

  private destroy(session: Session): void {
    if (session.expiry) clearTimeout(session.expiry);
    const { presence, members } = this.opts.services;
    const userId = session.principal.userId;
    presence
      .set(userId, session.id, null, [...session.state.guilds.keys()])
      .then(async () => {
        // Gone everywhere: temporary memberships end, as on Discord.
        if (!(await presence.connected(userId))) await members.endTemporaryMemberships(userId);
      })
      .catch((err) => this.opts.log.warn({ err }, 'could not clear presence or temporary memberships'));
    this.forget(session);
    this.records?.forget([session]);
    session.outbox?.close(GatewayClose.AuthenticationFailed, 'Session revoked');
    session.outbox = null;
  }

  /**
   * Events were lost for this process (ADR 0020): no session here can be resumed without missing them, so each is
   * ended with op 9 and its client identifies afresh (and refetches what it shows). Presences expire on their own.
   */
  private invalidateAll(): void {
    this.opts.log.warn(
      { sessions: this.sessions.size },
      'bus events were lost: invalidating gateway sessions',
    );
    this.records?.forget([...this.sessions.values()]);
    for (const session of [...this.sessions.values()]) {
      if (session.expiry) clearTimeout(session.expiry);
      this.forget(session);
      session.outbox?.send(JSON.stringify({ op: GatewayOp.InvalidSession, d: false }));
      session.outbox?.close(GatewayClose.UnknownError, 'Invalid session');
      session.outbox = null;
    }
    this.recordings.clear();
  }

  private track(session: Session): void {
    this.sessions.set(session.id, session);
    if (!session.adopted) this.records?.watch(session);
    const userId = session.principal.userId;
    if (!this.byUser.has(userId)) this.byUser.set(userId, new Set());
    this.byUser.get(userId)!.add(session);
  }

  private forget(session: Session): void {
    this.sessions.delete(session.id);
    this.byUser.get(session.principal.userId)?.delete(session);
    this.holding.delete(session);
    this.reindex(session, new Set());
  }

  /**
   * Lists the session under exactly the guilds and DMs its cache holds now, and under `presences:<guild>` for those
   * whose every presence it gets.
   */
  private reindex(session: Session, now = audienceKeys(session)): void {
    for (const key of session.indexed) {
      if (now.has(key)) continue;
      const audience = this.byAudience.get(key);
      audience?.delete(session);
      if (audience?.size === 0) this.byAudience.delete(key);
    }
    for (const key of now) {
      if (session.indexed.has(key)) continue;
      if (!this.byAudience.has(key)) this.byAudience.set(key, new Set());
      this.byAudience.get(key)!.add(session);
    }
    session.indexed = now;
  }

  private async authenticate(token: string): Promise<Principal | null> {
    const auth = this.opts.services.auth;
    if (/^(bot|bearer) /i.test(token)) return auth.authenticate(token);
    return (await auth.authenticate(token)) ?? (tokenOwner(token) ? auth.authenticate(`Bot ${token}`) : null);
  }

  /**
   * GUILD_CREATE for one session, from the guild's snapshot (see guild-create.ts). Whether the session gets every
   * PRESENCE_UPDATE of the guild from now on is decided here (ADR 0011).
   */
  private sendGuildCreate(
    session: Session,
    { snapshot, member: mine }: GuildStart,
    myPresence: PresenceWire,
  ): void {
    const { principal } = session;
    const guildId = snapshot.id;
    const large = snapshot.memberCount > session.largeThreshold;
    const wantsPresences = !principal.bot || !!(session.intents & Intent.GuildPresences);
    if (wantsPresences && (!large || principal.bot)) session.presenceGuilds.add(guildId);
    else session.presenceGuilds.delete(guildId);
    const parts = guildCreateParts(snapshot, {
      state: session.state,
      userId: principal.userId,
      mine,
      myPresence,
      largeThreshold: session.largeThreshold,
      presences: wantsPresences,
    });
    session.dispatchParts('GUILD_CREATE', parts);
  }

  /** op 14 (guild subscriptions): a session that opens a large guild gets its presences from then on. */
  private subscribe(session: Session, payload: unknown): void {
    const guildId = asFields(payload).guild_id;
    if (typeof guildId !== 'string' || !session.state.guilds.has(guildId) || session.principal.bot) return;
    session.subscribe(guildId);
    if (!session.backlog) this.reindex(session);
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

  /** op 3: a new presence for this session, at most 5 per 20 seconds (extra updates are dropped). */
  private async presence(session: Session, d: unknown): Promise<void> {
    const now = Date.now();
    if (now - session.presenceUpdates.since > 20_000) session.presenceUpdates = { count: 0, since: now };
    if (++session.presenceUpdates.count > 5) return;
    const parsed = this.opts.services.presence.parse(d);
    if (!parsed) return;
    session.presence = parsed;
    await this.opts.services.presence.set(session.principal.userId, session.id, parsed, [
      ...session.state.guilds.keys(),
    ]);
  }

  /** op 8: GUILD_MEMBERS_CHUNK pages of at most 1000, echoing the nonce; `limit` 0 with no query means everyone. */
  private async requestMembers(session: Session, payload: unknown): Promise<void> {
    const d = asFields(payload);
    const guildId = d.guild_id;
    if (typeof guildId !== 'string' || !session.state.guilds.has(guildId)) return;
    if (session.principal.bot && !(session.intents & Intent.GuildMembers)) {
      session.outbox?.close(
        GatewayClose.DisallowedIntents,
        'Requesting members needs the GUILD_MEMBERS intent',
      );
      return;
    }
    const members = this.opts.services.members;
    const query = typeof d.query === 'string' ? d.query : '';
    const userIds = Array.isArray(d.user_ids)
      ? new Set(d.user_ids.filter((id): id is string => typeof id === 'string'))
      : typeof d.user_ids === 'string'
        ? new Set([d.user_ids])
        : null;
    const asked = Number(d.limit);
    const limit = Number.isInteger(asked) && asked > 0 ? asked : query || userIds ? 100 : Infinity;
    let found: Member[] = [];
    if (query) {
      found = await members.search(session.principal, guildId, query, Math.min(limit, CHUNK));
    } else {
      // Everyone (or everyone among user_ids), read in keyset pages.
      for (let after: string | undefined; found.length < limit; ) {
        const page = await members.list(session.principal, guildId, { limit: CHUNK, after });
        found.push(...(userIds ? page.filter((m) => userIds.has(m.user?.id ?? '')) : page));
        if (page.length < CHUNK) break;
        after = page[page.length - 1].user?.id;
      }
      found = found.slice(0, limit);
    }
    const presences =
      d.presences === true ? await this.opts.services.presence.many(found.map((m) => m.user!.id)) : null;
    const chunks = Math.max(1, Math.ceil(found.length / CHUNK));
    for (let i = 0; i < chunks; i++) {
      const part = found.slice(i * CHUNK, (i + 1) * CHUNK);
      const ids = new Set(part.map((m) => m.user?.id));
      session.dispatch('GUILD_MEMBERS_CHUNK', {
        guild_id: guildId,
        members: part,
        chunk_index: i,
        chunk_count: chunks,
        ...(i === chunks - 1 && userIds
          ? { not_found: [...userIds].filter((id) => !found.some((m) => m.user?.id === id)) }
          : {}),
        ...(presences
          ? { presences: presences.filter((p) => ids.has(p.user.id) && p.status !== 'offline') }
          : {}),
        ...(d.nonce !== undefined ? { nonce: d.nonce } : {}),
      });
    }
  }

  /** Delivers one bus event to every session entitled to it, from the sessions' own caches. */
  private route(event: BusEvent): void {
    const [kind, id] = event.topic.split(':');
    if (kind === 'gateway') {
      this.control(id, event);
      return;
    }
    this.opts.services.sessionData.observe(event);
    if (event.t === BUS_GAP) {
      this.invalidateAll();
      return;
    }
    for (const recording of this.recordings.values()) recording.push(event);
    const d = asFields(event.d) as EventData;
    // Routing is proportional to the audience: the user's sessions, or those in the guild (or DM) concerned, or for
    // a presence those of the guild that get its presences.
    const audience =
      event.t === 'PRESENCE_UPDATE' ? `presences:${id}` : (kind === 'channel' && d.guild_id) || id;
    // A session held while it is already listed (joining a guild, answering op 8) is in both: once is enough.
    const listed = [...((kind === 'user' ? this.byUser.get(id) : this.byAudience.get(audience)) ?? [])];
    const targets = kind === 'user' || !this.holding.size ? listed : new Set([...listed, ...this.holding]);
    const encoded = encodedOf(event);
    for (const session of targets) this.toSession(session, event, encoded);
  }

  private toSession(session: Session, event: BusEvent, encoded: Encoded): void {
    this.routeToSession(session, event, encoded);
    if (MEMBERSHIP_EVENTS.has(event.t) && this.sessions.has(session.id)) this.reindex(session);
  }

  private routeToSession(session: Session, event: BusEvent, encoded: Encoded): void {
    if (session.backlog) {
      session.backlog.push(event);
      return;
    }
    const { kind, id, d } = encoded;
    if (kind === 'user') {
      if (session.principal.userId === id)
        this.toUser(session, event.t, d, encoded).catch((err) =>
          this.opts.log.warn({ err, t: event.t }, 'could not deliver a user event'),
        );
      return;
    }
    const guildId = kind === 'guild' ? id : d.guild_id;
    if (guildId) {
      if (session.state.guilds.has(guildId))
        this.toGuildMember(session, event.t, d, encoded, guildId, kind === 'channel' ? id : undefined);
    } else if (kind === 'channel' && session.state.dms.has(id)) {
      this.deliver(session, event.t, d, encoded, false);
    }
  }

  private async toUser(session: Session, t: string, d: EventData, encoded: Encoded): Promise<void> {
    switch (t) {
      case 'SESSIONS_REVOKED':
        if (
          d.all ||
          (session.principal.sessionId &&
            Array.isArray(d.session_ids) &&
            d.session_ids.includes(session.principal.sessionId))
        )
          this.destroy(session);
        return;
      case 'GUILD_CREATE': {
        // Joined a guild: load its cache for this session (a per-user event, not the fan-out path).
        const guildId = d.id;
        if (!guildId) return;
        return this.held(session, async () => {
          const { sessionData, presence } = this.opts.services;
          const [[g], mine] = await Promise.all([
            sessionData.guilds(session.principal.userId, [guildId]),
            presence.of(session.principal.userId),
          ]);
          if (!g) return;
          session.state.guilds.set(guildId, g.state);
          this.sendGuildCreate(session, g, mine);
        });
      }
      case 'GUILD_DELETE':
        if (d.id) session.state.guilds.delete(d.id);
        break;
      case 'CHANNEL_CREATE':
        if (d.id && (d.type === 1 || d.type === 3)) session.state.dms.add(d.id);
        break;
      case 'CHANNEL_DELETE':
        if (d.id && (d.type === 1 || d.type === 3)) session.state.dms.delete(d.id);
        break;
      case 'DM_RECIPIENT':
        // Internal: the user became a recipient of a DM; later messages there reach them.
        if (d.channel_id) session.state.dms.add(d.channel_id);
        return;
    }
    this.deliver(session, t, d, encoded, !!d.guild_id);
  }

  private toGuildMember(
    session: Session,
    t: string,
    d: EventData,
    encoded: Encoded,
    guildId: string,
    channelId?: string,
  ): void {
    const state = session.state;
    const subject = d.id ?? '';
    if (t === 'CHANNEL_DELETE' || t === 'THREAD_DELETE') {
      const could = state.canView(guildId, subject);
      state.apply(t, d);
      if (could) this.deliver(session, t, d, encoded, true);
      return;
    }
    // Events that can change what this session sees: channels it gains bring their active threads.
    const changesAccess =
      t === 'CHANNEL_UPDATE' ||
      t.startsWith('GUILD_ROLE_') ||
      (t === 'GUILD_MEMBER_UPDATE' && d.user?.id === state.userId);
    const before = changesAccess ? state.visibleChannels(guildId) : null;
    const couldView = t === 'CHANNEL_UPDATE' && state.canView(guildId, subject);
    state.apply(t, d);
    if (before && state.guilds.has(guildId)) {
      const gained = [...state.visibleChannels(guildId)].filter((c) => !before.has(c));
      if (gained.length)
        this.syncThreads(session, guildId, gained).catch((err) =>
          this.opts.log.warn({ err }, 'thread list sync failed'),
        );
    }
    if (t === 'GUILD_DELETE' || (t === 'GUILD_MEMBER_REMOVE' && d.user?.id === state.userId)) return;
    if (t === 'PRESENCE_UPDATE' && !session.receivesPresences(guildId)) return;
    if (t === 'CHANNEL_CREATE' || t === 'CHANNEL_UPDATE' || t === 'THREAD_CREATE' || t === 'THREAD_UPDATE') {
      const canView = state.canView(guildId, subject);
      // An overwrite change that hides a channel deletes it for this user; one that reveals it creates it.
      if (t === 'CHANNEL_UPDATE' && couldView !== canView)
        this.deliver(session, canView ? 'CHANNEL_CREATE' : 'CHANNEL_DELETE', d, encoded, true);
      else if (canView) this.deliver(session, t, d, encoded, true);
      return;
    }
    // A thread's member list goes to those who see the thread.
    const target = t === 'THREAD_MEMBERS_UPDATE' ? subject : (channelId ?? d.channel_id);
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
    this.deliver(session, t, d, encoded, true);
  }

  /** Applies intents (bots) and MESSAGE_CONTENT, then dispatches. */
  private deliver(session: Session, t: string, d: EventData, encoded: Encoded, inGuild: boolean): void {
    if (!session.principal.bot) {
      session.dispatchShared(t, encoded.rest);
      return;
    }
    if (!(session.intents & intentFor(t, inGuild))) return;
    if (
      (t === 'MESSAGE_CREATE' || t === 'MESSAGE_UPDATE') &&
      inGuild &&
      !(session.intents & Intent.MessageContent)
    ) {
      const me = session.principal.userId;
      const mentioned = d.mentions?.some((u) => u.id === me);
      if (d.author?.id !== me && !mentioned) {
        session.dispatchShared(t, encoded.blankedRest);
        return;
      }
    }
    session.dispatchShared(t, encoded.rest);
  }
}
