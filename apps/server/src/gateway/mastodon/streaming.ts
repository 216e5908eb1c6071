import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { asHearthEvent, type HearthEvent } from '@hearth/protocol';
import type { Logger } from 'pino';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Principal } from '../../domain/auth/auth.service';
import type { Services } from '../../domain/services';
import { scopesAllow } from '../../domain/social/scopes';
import type { StreamTimeline } from '../../domain/social/streams.service';
import type { Bus, BusEvent } from '../../events/bus';
import { type FrameSink, Outbox, type Rest } from '../core/outbox';
import { type RegisteredSession, SessionRegistry } from '../core/registry';
import { WebSocketSink } from '../ws-sink';

// Mastodon's streaming API over WebSocket (ADR 0035-mastodon-streaming): `GET /api/v1/streaming`, streams `user`,
// `user:notification`, `public` (and `:local`, `:media`, `:remote` variants), `hashtag` (and `hashtag:local`), `list`
// and `direct`,
// fed by the social events on the bus. It reuses the gateway's transport-neutral parts (core/: the registry, the
// outbox and its WebSocket sink); what a reader may get is decided by the domain (StreamsService), per event.

/** Bounds of one connection and of one account's connections on a process. */
export const StreamingLimits = {
  /** Streams one connection may be subscribed to at once. */
  streamsPerConnection: 32,
  /** Open streaming connections of one account (one token or several) on one process. */
  connectionsPerAccount: 16,
  /** A client message (subscribe, unsubscribe): Mastodon's are under 200 bytes. Larger ones close with 1009. */
  clientMessageBytes: 4096,
  /** Client messages per window before the connection is closed (1008). */
  clientMessagesPerWindow: 60,
  clientWindowMs: 10_000,
  /** A hashtag's length in a subscription. */
  tagChars: 100,
  /** Bus events waiting for their readers to be checked; past it new ones are dropped (and logged). */
  queuedEvents: 10_000,
  /** Pings: a connection that has not answered the last one by the next is cut off. */
  pingIntervalMs: 30_000,
} as const;

export interface StreamingOptions {
  services: Services;
  bus: Bus;
  log: Logger;
  /** A connection whose unsent bytes exceed this is cut off (a slow consumer). */
  outgoingCapBytes: number;
  /** Overrides StreamingLimits (tests). */
  limits?: Partial<typeof StreamingLimits>;
}

/** The public timelines' stream names; `:media` and `:remote` ones get nothing until there is media and federation. */
const PUBLIC_STREAMS = new Set([
  'public',
  'public:local',
  'public:media',
  'public:local:media',
  'public:remote',
  'public:remote:media',
]);

/** One WebSocket connection: its reader (null: signed out) and the streams it is subscribed to. */
interface StreamSession extends RegisteredSession {
  readonly outbox: Outbox;
  readonly principal: Principal | null;
  /** How its messages are written: WebSocket text messages (JSON) or Server-Sent Events. */
  readonly transport: 'ws' | 'sse';
  /** Checks the client is still there: a WebSocket ping (answered by a pong), or an SSE comment line. */
  readonly ping: () => void;
  /**
   * Subscribed streams by key (`user`, `user:notification`, `public…`, `hashtag:<tag>`, `hashtag:local:<tag>`, the
   * tag in lower case), each with the names its messages carry (the tag as the client wrote it, as Mastodon echoes it).
   */
  readonly streams: Map<string, string[]>;
  /** The accounts the reader follows (while `user` is subscribed): listed as `account:<id>` in the registry. */
  followed: Set<string>;
  /** The hashtags the reader follows (while `user` is subscribed): listed as `followed-tag:<tag>` in the registry. */
  followedTags: Set<string>;
  /** The members of each list subscribed to (`list:<id>`), by list id: listed as `account:<member>` too. */
  lists: Map<string, Set<string>>;
  alive: boolean;
  /** The client's messages are handled in order, one after another (a `user` subscribe reads the database). */
  work: Promise<void>;
}

/** What a subscribe or unsubscribe names. */
interface StreamRequest {
  stream?: unknown;
  tag?: unknown;
  list?: unknown;
}

class StreamError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/**
 * The message Mastodon sends for an event: over WebSocket a JSON object whose payload is itself a JSON string (or a
 * bare id for `delete`); as Server-Sent Events the event's name and its payload as data (one line: JSON has none).
 */
const frame = (transport: 'ws' | 'sse', stream: string[], event: string, payload: string) =>
  transport === 'sse' ? `event: ${event}\ndata: ${payload}\n\n` : JSON.stringify({ stream, event, payload });

/** The streams of `/api/v1/streaming/<path>` (Server-Sent Events), by path. */
const SSE_STREAMS: Record<string, string> = {
  user: 'user',
  'user/notification': 'user:notification',
  public: 'public',
  'public/local': 'public:local',
  'public/remote': 'public:remote',
  'public/media': 'public:media',
  'public/local/media': 'public:local:media',
  'public/remote/media': 'public:remote:media',
  hashtag: 'hashtag',
  'hashtag/local': 'hashtag:local',
  list: 'list',
  direct: 'direct',
};

/** A status as streams carry it: one rendering for every reader, without any reader's own flags (as Mastodon). */
function neutral(status: unknown): unknown {
  if (!status || typeof status !== 'object') return status;
  const s = status as Record<string, unknown>;
  return {
    ...s,
    favourited: false,
    reblogged: false,
    bookmarked: false,
    pinned: false,
    muted: false,
    reblog: s.reblog ? neutral(s.reblog) : null,
  };
}

/** Mastodon's streaming API: the WebSocket upgrade on `/api/v1/streaming` and the routing of social bus events. */
export class MastodonStreaming {
  private readonly limits: typeof StreamingLimits;
  private readonly wss: WebSocketServer;
  private readonly registry = new SessionRegistry<StreamSession>();
  /** Sessions of signed-out readers are registered under this user id. */
  private static readonly ANONYMOUS = '';
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  private unsubscribe: (() => void) | null = null;
  private pinger: NodeJS.Timeout | null = null;
  private closing = false;

  constructor(private readonly opts: StreamingOptions) {
    this.limits = { ...StreamingLimits, ...opts.limits };
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.limits.clientMessageBytes,
      // Mastodon's clients (masto.js) send the access token as the subprotocol; the answer names it, as Mastodon's.
      handleProtocols: (protocols) => protocols.values().next().value ?? false,
    });
  }

  /** Handles WebSocket upgrades under `/api/v1/streaming` and starts receiving bus events. */
  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (url.pathname !== '/api/v1/streaming' && !url.pathname.startsWith('/api/v1/streaming/')) return;
      this.upgrade(request, socket, head, url).catch((err) => {
        this.opts.log.error({ err }, 'streaming upgrade failed');
        socket.destroy();
      });
    });
    this.unsubscribe = this.opts.bus.subscribe((event) => this.enqueue(event));
    this.pinger = setInterval(() => this.ping(), this.limits.pingIntervalMs);
    this.pinger.unref();
  }

  /** How many streaming connections this process holds (tests, diagnostics). */
  get size(): number {
    return this.registry.size;
  }

  /** Closes every connection (1001, going away) and stops routing. */
  async close(): Promise<void> {
    this.closing = true;
    this.unsubscribe?.();
    if (this.pinger) clearInterval(this.pinger);
    for (const s of [...this.registry.values()]) s.outbox.close(1001, 'Server shutting down');
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await this.queue;
  }

  /**
   * The reader a request's token names (null: none given), or the HTTP status refusing it: an unknown token, an
   * OAuth token that may read neither statuses nor notifications (as on Mastodon), too many connections.
   */
  private async reader(request: IncomingMessage, url: URL): Promise<Principal | null | 401 | 429 | 503> {
    if (this.closing) return 503;
    const token = tokenOf(request, url);
    if (!token) return null;
    const principal = await this.opts.services.auth.authenticate(`Bearer ${token}`).catch(() => null);
    if (!principal) return 401;
    if (principal.oauth && !scopesAllow(principal.oauth.scopes, ['read:statuses', 'read:notifications']))
      return 401;
    if ((this.registry.ofUser(principal.userId)?.size ?? 0) >= this.limits.connectionsPerAccount) return 429;
    return principal;
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
    const principal = await this.reader(request, url);
    if (typeof principal === 'number') return refuse(socket, principal, STATUS_TEXT[principal]);
    if (socket.destroyed) return;
    this.wss.handleUpgrade(request, socket, head, (ws) => this.connect(ws, socket, principal, url));
  }

  /** A new session of `principal`'s, registered; its messages go through `sink`. */
  private open(
    principal: Principal | null,
    sink: FrameSink,
    transport: 'ws' | 'sse',
    ping: (session: StreamSession) => void,
  ): StreamSession {
    const session: StreamSession = {
      id: randomBytes(9).toString('base64url'),
      userId: principal?.userId ?? MastodonStreaming.ANONYMOUS,
      indexed: new Set(),
      outbox: new Outbox(sink, this.opts.outgoingCapBytes, () =>
        this.opts.log.warn({ user: principal?.userId }, 'slow streaming consumer disconnected'),
      ),
      principal,
      transport,
      ping: () => ping(session),
      streams: new Map(),
      followed: new Set(),
      followedTags: new Set(),
      lists: new Map(),
      alive: true,
      work: Promise.resolve(),
    };
    this.registry.add(session);
    return session;
  }

  /**
   * `GET /api/v1/streaming/<stream>` as Server-Sent Events (Mastodon's other transport): one stream per request,
   * named by the path (`user`, `user/notification`, `public/local`, `hashtag?tag=`…), the same readers' checks as
   * over WebSocket. A refused request gets its HTTP status and Mastodon's `{error}` body.
   */
  async serveEvents(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const fail = (status: number, error: string) => {
      if (response.headersSent || response.destroyed) return;
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify({ error }));
    };
    const stream = SSE_STREAMS[url.pathname.slice('/api/v1/streaming/'.length).replace(/\/$/, '')];
    if (!stream) return fail(404, 'Unknown stream type');
    const principal = await this.reader(request, url);
    if (typeof principal === 'number') return fail(principal, STATUS_TEXT[principal]);
    const sink = new EventStreamSink(response);
    const session = this.open(principal, sink, 'sse', (s) => {
      if (sink.open) response.write(':thump\n');
      else s.outbox.terminate();
    });
    const ended = () => this.registry.remove(session);
    response.on('close', ended);
    const streamRequest = {
      stream,
      tag: url.searchParams.get('tag') ?? undefined,
      list: url.searchParams.get('list') ?? undefined,
    };
    try {
      const [key] = this.keyOf(session, streamRequest);
      if (key.startsWith('list:')) await this.listMembers(session, key);
    } catch (err) {
      ended();
      const e = err as StreamError;
      return fail(e.status, e.message);
    }
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      'access-control-allow-origin': '*',
      connection: 'keep-alive',
    });
    response.write(':)\n');
    session.work = session.work.then(() => this.subscribe(session, streamRequest));
    await session.work;
  }

  private connect(ws: WebSocket, raw: Duplex, principal: Principal | null, url: URL): void {
    const session = this.open(principal, new WebSocketSink(ws, raw), 'ws', (s) => {
      try {
        ws.ping();
      } catch {
        s.outbox.terminate();
      }
    });
    ws.on('pong', () => {
      session.alive = true;
    });
    ws.on('close', () => this.registry.remove(session));
    ws.on('error', () => {});
    let messages = 0;
    let windowStart = Date.now();
    ws.on('message', (data, isBinary) => {
      if (Date.now() - windowStart > this.limits.clientWindowMs) {
        windowStart = Date.now();
        messages = 0;
      }
      if (++messages > this.limits.clientMessagesPerWindow) return session.outbox.close(1008, 'Rate limited');
      let message: { type?: unknown } & StreamRequest;
      try {
        message = JSON.parse(isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString());
      } catch {
        return this.sendError(session, new StreamError('Could not parse message', 400));
      }
      if (!message || typeof message !== 'object')
        return this.sendError(session, new StreamError('Could not parse message', 400));
      this.handle(session, message);
    });
    // `?stream=` subscribes at once, as Mastodon's does (with `tag` or `list` alongside).
    const stream = url.searchParams.get('stream');
    if (stream)
      this.handle(session, {
        type: 'subscribe',
        stream,
        tag: url.searchParams.get('tag') ?? undefined,
        list: url.searchParams.get('list') ?? undefined,
      });
  }

  /** One client message, after the ones before it. */
  private handle(session: StreamSession, message: { type?: unknown } & StreamRequest): void {
    session.work = session.work
      .then(async () => {
        if (message.type === 'subscribe') await this.subscribe(session, message);
        else if (message.type === 'unsubscribe') this.unsubscribeFrom(session, message);
        else this.sendError(session, new StreamError('Unknown message type', 400));
      })
      .catch((err) => {
        this.opts.log.error({ err }, 'streaming: message failed');
        this.sendError(session, new StreamError('Internal error', 500));
      });
  }

  /** The streams a user's connections on this process are subscribed to (tests, diagnostics). */
  streamsOf(userId: string): string[] {
    return [...(this.registry.ofUser(userId) ?? [])].flatMap((s) => [...s.streams.keys()]);
  }

  /** Subscribes a session to a stream; `user` once the accounts it follows are read. */
  private async subscribe(session: StreamSession, request: StreamRequest): Promise<void> {
    let key: string;
    let names: string[];
    try {
      [key, names] = this.keyOf(session, request);
    } catch (err) {
      return this.sendError(session, err as StreamError);
    }
    if (session.streams.has(key)) return;
    if (session.streams.size >= this.limits.streamsPerConnection)
      return this.sendError(session, new StreamError('Too many streams on this connection', 429));
    if (key === 'user' && session.principal) {
      const { streams } = this.opts.services.social;
      const [followed, tags] = await Promise.all([
        streams.followed(session.principal.userId),
        streams.followedTags(session.principal.userId),
      ]);
      session.followed = new Set(followed);
      session.followedTags = new Set(tags);
    }
    if (key.startsWith('list:')) {
      try {
        session.lists.set(key.slice('list:'.length), await this.listMembers(session, key));
      } catch (err) {
        return this.sendError(session, err as StreamError);
      }
    }
    session.streams.set(key, names);
    this.reindex(session);
  }

  private unsubscribeFrom(session: StreamSession, request: StreamRequest): void {
    let key: string;
    try {
      [key] = this.keyOf(session, request);
    } catch (err) {
      this.sendError(session, err as StreamError);
      return;
    }
    session.streams.delete(key);
    if (key.startsWith('list:')) session.lists.delete(key.slice('list:'.length));
    if (key === 'user') {
      session.followed = new Set();
      session.followedTags = new Set();
    }
    this.reindex(session);
  }

  /** The subscription key a request names and its messages' stream names, or a StreamError in Mastodon's words. */
  private keyOf(session: StreamSession, request: StreamRequest): [string, string[]] {
    const stream = request.stream;
    if (typeof stream !== 'string') throw new StreamError('Unknown stream type', 400);
    const scopes = session.principal?.oauth?.scopes;
    const needed = stream === 'user:notification' ? 'read:notifications' : 'read:statuses';
    if (scopes && !scopesAllow(scopes, [needed]))
      throw new StreamError('Access token does not have the required scopes', 401);
    if (stream === 'user' || stream === 'user:notification' || stream === 'direct') {
      if (!session.principal) throw new StreamError('Missing access token', 401);
      return [stream, [stream]];
    }
    if (stream === 'list') {
      if (!session.principal) throw new StreamError('Missing access token', 401);
      const list =
        typeof request.list === 'string' || typeof request.list === 'number' ? String(request.list) : '';
      if (!/^\d{1,20}$/.test(list)) throw new StreamError('Not authorized to stream this list', 401);
      return [`list:${list}`, [stream, list]];
    }
    if (PUBLIC_STREAMS.has(stream)) return [stream, [stream]];
    if (stream === 'hashtag' || stream === 'hashtag:local') {
      const tag = typeof request.tag === 'string' ? request.tag : '';
      const name = tag.replace(/^#/, '').toLowerCase();
      if (!name || tag.length > this.limits.tagChars)
        throw new StreamError('No tag for stream provided', 400);
      return [`${stream}:${name}`, [stream, tag]];
    }
    throw new StreamError('Unknown stream type', 400);
  }

  /** The members of the reader's list a `list:<id>` key names; a list not theirs is refused as Mastodon refuses it. */
  private async listMembers(session: StreamSession, key: string): Promise<Set<string>> {
    const members = session.principal
      ? await this.opts.services.social.lists.members(session.principal.userId, key.slice('list:'.length))
      : null;
    if (!members) throw new StreamError('Not authorized to stream this list', 401);
    return new Set(members);
  }

  /**
   * Lists a session under what it waits for: its streams, for `user` its own account, those it follows and the
   * hashtags it follows, and for a list its members.
   */
  private reindex(session: StreamSession): void {
    // A connection that ended while its subscribe read the database is listed nowhere again.
    if (this.registry.get(session.id) !== session) return;
    const keys = new Set<string>();
    for (const key of session.streams.keys()) {
      if (key === 'user') {
        keys.add(`account:${session.userId}`);
        for (const id of session.followed) keys.add(`account:${id}`);
        for (const tag of session.followedTags) keys.add(`followed-tag:${tag}`);
      } else if (key.startsWith('list:')) {
        for (const id of session.lists.get(key.slice('list:'.length)) ?? []) keys.add(`account:${id}`);
      } else if (key !== 'user:notification' && key !== 'direct') keys.add(key);
    }
    this.registry.reindex(session, keys);
  }

  private sendError(session: StreamSession, err: StreamError): void {
    // An SSE stream has no message for errors: its request was answered with one before it started.
    if (session.transport === 'ws')
      session.outbox.send(JSON.stringify({ error: err.message, status: err.status }));
  }

  private ping(): void {
    for (const session of this.registry.values()) {
      if (!session.alive) {
        session.outbox.terminate();
        continue;
      }
      // An SSE client answers nothing: a comment line that cannot be written is its end.
      session.alive = session.transport === 'sse';
      session.ping();
    }
  }

  /** Events are handled one after another (their checks are queries), so a reader gets them in bus order. */
  private enqueue(busEvent: BusEvent): void {
    const event = asHearthEvent(busEvent);
    if (!event || !this.wanted(event)) return;
    if (this.queued >= this.limits.queuedEvents) {
      this.opts.log.warn({ t: event.t }, 'streaming: event queue full, event dropped');
      return;
    }
    this.queued++;
    this.queue = this.queue
      .then(() => this.route(event))
      .catch((err) => this.opts.log.error({ err, t: event.t }, 'streaming: routing failed'))
      .finally(() => {
        this.queued--;
      });
  }

  /** Whether this process has anyone an event could be for (most events skip the queue entirely). */
  private wanted(event: HearthEvent): boolean {
    if (this.registry.size === 0) return false;
    switch (event.t) {
      case 'SOCIAL_STATUS_CREATE':
      case 'SOCIAL_STATUS_UPDATE':
      case 'SOCIAL_STATUS_DELETE':
      case 'SOCIAL_NOTIFICATION':
      case 'SESSIONS_REVOKED':
      case 'SOCIAL_GROUP_POST_CREATE':
      case 'SOCIAL_GROUP_POST_UPDATE':
        return true;
      case 'SOCIAL_FOLLOW':
      case 'SOCIAL_UNFOLLOW':
      case 'SOCIAL_TAG_FOLLOW':
      case 'SOCIAL_LIST_UPDATE':
      case 'SOCIAL_CONVERSATION':
        return this.registry.ofUser(event.d.account_id) !== undefined;
      default:
        return false;
    }
  }

  private async route(event: HearthEvent): Promise<void> {
    switch (event.t) {
      case 'SOCIAL_STATUS_CREATE':
      case 'SOCIAL_STATUS_UPDATE':
        return this.status(event.t === 'SOCIAL_STATUS_CREATE' ? 'update' : 'status.update', event.d);
      case 'SOCIAL_STATUS_DELETE':
        return this.deleted(event.d);
      case 'SOCIAL_NOTIFICATION':
        return this.notification(event.d.user_id, event.d.id);
      case 'SOCIAL_GROUP_POST_CREATE':
      case 'SOCIAL_GROUP_POST_UPDATE':
        return this.groupPost(
          event.t === 'SOCIAL_GROUP_POST_CREATE' ? 'update' : 'status.update',
          event.d.id,
          event.d.group_id,
          event.d.forum_id,
        );
      case 'SOCIAL_FOLLOW':
        if (event.d.accepted) this.following(event.d.account_id, 'followed', event.d.target_id, true);
        return;
      case 'SOCIAL_UNFOLLOW':
        return this.following(event.d.account_id, 'followed', event.d.target_id, false);
      case 'SOCIAL_TAG_FOLLOW':
        return this.following(event.d.account_id, 'followedTags', event.d.tag, event.d.following);
      case 'SOCIAL_LIST_UPDATE':
        return this.listChanged(event.d.account_id, event.d.list_id, event.d.deleted);
      case 'SOCIAL_CONVERSATION':
        return this.conversation(event.d.account_id, event.d.id);
      case 'SESSIONS_REVOKED': {
        const userId = event.topic.slice('user:'.length);
        const ended = new Set(event.d.session_ids ?? []);
        for (const s of this.registry.ofUser(userId) ?? [])
          if (event.d.all || (s.principal?.sessionId && ended.has(s.principal.sessionId)))
            s.outbox.close(1008, 'Token revoked');
        return;
      }
    }
  }

  /**
   * A status made or edited: to the `user` streams of its author and their followers, and if public (not a boost)
   * to the public and hashtag streams and the `user` streams of its hashtags' followers. Every signed-in reader is
   * checked by the domain first.
   */
  private async status(
    kind: 'update' | 'status.update',
    d: { id: string; account_id: string; visibility: string; status: unknown; reblog_of_id?: string | null },
  ): Promise<void> {
    const targets: Array<{ session: StreamSession; key: string; timeline: StreamTimeline | 'list' }> = [];
    const home = new Set<StreamSession>(this.registry.audience(`account:${d.account_id}`) ?? []);
    const listIds = new Set<string>();
    for (const session of home)
      for (const [listId, members] of session.lists)
        if (members.has(d.account_id)) {
          targets.push({ session, key: `list:${listId}`, timeline: 'list' });
          listIds.add(listId);
        }
    if (d.visibility === 'public' && !d.reblog_of_id) {
      const status = d.status as { tags?: Array<{ name: string }> } | null;
      const keys = ['public', 'public:local'];
      for (const tag of status?.tags ?? []) {
        keys.push(`hashtag:${tag.name}`, `hashtag:local:${tag.name}`);
        for (const session of this.registry.audience(`followed-tag:${tag.name}`) ?? []) home.add(session);
      }
      for (const key of keys)
        for (const session of this.registry.audience(key) ?? [])
          targets.push({ session, key, timeline: 'public' });
    }
    for (const session of home) targets.push({ session, key: 'user', timeline: 'home' });
    if (targets.length === 0) return;
    const readers = { home: new Set<string>(), public: new Set<string>() };
    for (const t of targets)
      if (t.session.principal && t.timeline !== 'list') readers[t.timeline].add(t.session.userId);
    const { streams } = this.opts.services.social;
    const signedOut = targets.some((t) => !t.session.principal && t.timeline === 'public');
    const [homeReaders, pub, listed, silenced] = await Promise.all([
      streams.readersOf(d.id, [...readers.home], 'home'),
      streams.readersOf(d.id, [...readers.public], 'public'),
      streams.listsOf(d.id, [...listIds]),
      signedOut ? streams.silencedAuthor(d.account_id) : false,
    ]);
    const payload = JSON.stringify(neutral(d.status));
    const frames = new Map<string, string>();
    for (const { session, key, timeline } of targets) {
      const allowed =
        timeline === 'list'
          ? listed.has(key.slice('list:'.length))
          : session.principal
            ? (timeline === 'home' ? homeReaders : pub).has(session.userId)
            : timeline === 'public' && !silenced;
      const names = session.streams.get(key);
      if (!allowed || !names) continue;
      const id = `${session.transport}\n${names.join('\n')}`;
      let text = frames.get(id);
      if (!text) {
        text = frame(session.transport, names, kind, payload);
        frames.set(id, text);
      }
      session.outbox.send(text);
    }
  }

  /**
   * A status deleted: its id to the `user` streams that could have had it (its author's and followers', and if it
   * was public its hashtags' followers'), and to the public and hashtag streams if it was public. Only an id leaves,
   * never a status; each stream gets it once.
   */
  private deleted(d: { id: string; account_id: string; visibility: string; tags?: string[] }): void {
    const user = new Set<StreamSession>(this.registry.audience(`account:${d.account_id}`) ?? []);
    const send = (s: StreamSession, names: string[]) =>
      s.outbox.send(frame(s.transport, names, 'delete', d.id));
    if (d.visibility === 'public') {
      for (const key of ['public', 'public:local']) {
        for (const s of this.registry.audience(key) ?? []) if (s.streams.has(key)) send(s, [key]);
      }
      for (const tag of d.tags ?? []) {
        for (const s of this.registry.audience(`followed-tag:${tag}`) ?? []) user.add(s);
        for (const key of [`hashtag:${tag}`, `hashtag:local:${tag}`])
          for (const s of this.registry.audience(key) ?? []) {
            const names = s.streams.get(key);
            if (names) send(s, names);
          }
      }
    }
    for (const s of user) {
      if (s.streams.has('user')) send(s, ['user']);
      for (const [listId, members] of s.lists) if (members.has(d.account_id)) send(s, ['list', listId]);
    }
  }

  /** A list of `userId`'s changed: its `list` streams on this process re-read its members, or end if it is gone. */
  private async listChanged(userId: string, listId: string, deleted: boolean): Promise<void> {
    const key = `list:${listId}`;
    for (const s of this.registry.ofUser(userId) ?? []) {
      if (!s.streams.has(key)) continue;
      if (deleted) {
        s.streams.delete(key);
        s.lists.delete(listId);
      } else {
        const members = await this.opts.services.social.lists.members(userId, listId);
        if (members) s.lists.set(listId, new Set(members));
      }
      this.reindex(s);
    }
  }

  /** A conversation with a new status: as its participant reads it now, to their `direct` streams (`conversation`). */
  private async conversation(userId: string, id: string): Promise<void> {
    const sessions = [...(this.registry.ofUser(userId) ?? [])].filter((s) => s.streams.has('direct'));
    if (sessions.length === 0) return;
    const rendered = await this.opts.services.social.conversations.get(userId, id);
    if (!rendered) return;
    const payload = JSON.stringify(rendered);
    for (const s of sessions) s.outbox.send(frame(s.transport, ['direct'], 'conversation', payload));
  }

  /**
   * A group's new post (ADR 0031): to the `user` streams of the group's members on this process who may read its
   * forum, as the domain decides in one batch of reads for all of them (membership is not indexed here, so a join
   * made on any route counts at once).
   */
  private async groupPost(
    kind: 'update' | 'status.update',
    id: string,
    groupId: string,
    forumId: string,
  ): Promise<void> {
    const sessions = [...this.registry.values()].filter((s) => s.principal && s.streams.has('user'));
    if (sessions.length === 0) return;
    const found = await this.opts.services.social.groupAccounts.streamed(id, groupId, forumId, [
      ...new Set(sessions.map((s) => s.userId)),
    ]);
    if (!found) return;
    const payload = JSON.stringify(found.status);
    for (const s of sessions)
      if (found.readers.has(s.userId)) s.outbox.send(frame(s.transport, ['user'], kind, payload));
  }

  /** A notification, as its recipient may read it now (else nothing), on their `user` and `user:notification`. */
  private async notification(userId: string, id: string): Promise<void> {
    const sessions = [...(this.registry.ofUser(userId) ?? [])].filter(
      (s) => s.streams.has('user') || s.streams.has('user:notification'),
    );
    if (sessions.length === 0) return;
    const rendered = await this.opts.services.social.streams.notification(userId, id);
    if (!rendered) return;
    const payload = JSON.stringify(rendered);
    for (const s of sessions)
      for (const key of ['user', 'user:notification'])
        if (s.streams.has(key)) s.outbox.send(frame(s.transport, [key], 'notification', payload));
  }

  /**
   * A follow of an account (`followed`) or of a hashtag (`followedTags`) made or ended by one of this process's
   * readers: their `user` stream starts or stops waiting for it.
   */
  private following(userId: string, what: 'followed' | 'followedTags', value: string, on: boolean): void {
    for (const s of this.registry.ofUser(userId) ?? []) {
      if (!s.streams.has('user')) continue;
      if (on) s[what].add(value);
      else s[what].delete(value);
      this.reindex(s);
    }
  }
}

/** The token a client sends: `access_token` in the query, the WebSocket subprotocol (masto.js), or Authorization. */
function tokenOf(request: IncomingMessage, url: URL): string | null {
  const query = url.searchParams.get('access_token');
  if (query) return query;
  const protocol = request.headers['sec-websocket-protocol'];
  if (typeof protocol === 'string' && protocol.trim()) return protocol.split(',')[0].trim();
  const auth = request.headers.authorization;
  if (auth) return auth.replace(/^Bearer\s+/i, '');
  return null;
}

const STATUS_TEXT: Record<number, string> = {
  401: 'Unauthorized',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};

/** An HTTP response carrying Server-Sent Events, as a frame sink: messages arrive already in the SSE format. */
class EventStreamSink implements FrameSink {
  constructor(private readonly response: ServerResponse) {}

  get open(): boolean {
    return !this.response.destroyed && !this.response.writableEnded;
  }

  get bufferedAmount(): number {
    return this.response.writableLength + (this.response.socket?.writableLength ?? 0);
  }

  write(head: string, rest: Rest): void {
    this.response.write(head);
    if (Array.isArray(rest)) for (const part of rest) this.response.write(part);
    else if (rest) this.response.write(rest);
  }

  writeFramed(frame: Buffer): void {
    this.response.write(frame);
  }

  cork(): void {
    this.response.cork();
  }

  uncork(): void {
    this.response.uncork();
  }

  terminate(): void {
    this.response.destroy();
  }

  close(): void {
    this.response.end();
  }
}

/** Answers an upgrade request with an HTTP error and closes the socket. */
function refuse(socket: Duplex, status: number, text: string): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ error: text });
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
  );
}
