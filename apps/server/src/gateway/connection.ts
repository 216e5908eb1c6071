import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  GatewayClose,
  GatewayLimits,
  GatewayOp,
  jsonNestingExceeds,
  Limits,
  parseJsonKeepingIds,
} from '@hearth/protocol';
import { type WebSocket, WebSocketServer } from 'ws';
import type { InFlight } from './core/in-flight';
import { Outbox } from './core/outbox';
import type { Handshake } from './identify';
import type { GatewayOptions } from './options';
import type { Requests } from './requests';
import type { Router } from './routing';
import type { Session } from './session';
import type { Sessions } from './sessions';
import type { VoiceRequests } from './voice';
import { textFrame, WebSocketSink } from './ws-sink';

/** The answer to every heartbeat, encoded once, and framed once (most of what a gateway writes when idle). */
const HEARTBEAT_ACK = JSON.stringify({ op: GatewayOp.HeartbeatAck });
const HEARTBEAT_ACK_FRAME = textFrame(HEARTBEAT_ACK);

/**
 * Frames up to this size are read so that an oversized payload gets Discord's 4002 (past 4096 bytes); larger ones
 * are refused by `ws` itself (1009) without buffering them.
 */
const SOCKET_MAX_PAYLOAD = 1024 * 1024;

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

/**
 * The gateway's sockets: the upgrade on `/gateway`, HELLO, what a socket may send (size, rate, nesting, opcodes)
 * and the close codes for the rest, heartbeats and the sweep that ends silent or unauthenticated sockets, and
 * what a closing socket means for its session.
 */
export class Connections {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: SOCKET_MAX_PAYLOAD });
  private readonly connections = new Set<Connection>();
  private readonly outboxes = new WeakMap<WebSocket, Outbox>();
  /** Set when the process shuts down: no new sockets, and sessions of closing sockets live on elsewhere. */
  closing = false;

  constructor(
    private readonly opts: Pick<GatewayOptions, 'log' | 'heartbeatIntervalMs' | 'outgoingCapBytes'>,
    private readonly parts: {
      sessions: Sessions;
      router: Router;
      handshake: Handshake;
      requests: Requests;
      voice: VoiceRequests;
      inFlight: InFlight;
    },
  ) {}

  /** An HTTP upgrade request: a socket on `/gateway`, refused elsewhere and while shutting down. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://localhost');
    // Mastodon's streaming API has its own upgrade listener (gateway/mastodon/streaming.ts).
    if (url.pathname === '/api/v1/streaming' || url.pathname.startsWith('/api/v1/streaming/')) return;
    if (this.closing || (url.pathname !== '/gateway' && url.pathname !== '/gateway/')) {
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => this.connect(ws, socket, url.searchParams));
  }

  /**
   * One sweep over every connection: a late heartbeat is asked for once (server op 1); none within the grace
   * closes the connection with 4009. A socket that has not identified (or resumed) within one heartbeat interval
   * of HELLO, or of a failed attempt, is closed with 4003, heartbeats or not: an open socket costs memory.
   */
  sweepHeartbeats(): void {
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

  /** Tells every client to reconnect (op 7) and closes its socket: its session lives on elsewhere. */
  reconnectAll(): void {
    for (const ws of this.wss.clients) {
      const outbox = this.outboxes.get(ws);
      outbox?.send(JSON.stringify({ op: GatewayOp.Reconnect, d: null }));
      outbox?.close(GatewayClose.UnknownError, 'Reconnect');
    }
  }

  /** Resolves once the WebSocket server has closed. */
  closeServer(): Promise<void> {
    return new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private connect(ws: WebSocket, raw: Duplex, query: URLSearchParams): void {
    const { sessions, router, handshake: handshakes, requests, inFlight } = this.parts;
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
    const outbox = new Outbox(new WebSocketSink(ws, raw), this.opts.outgoingCapBytes, () =>
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
    // The IDENTIFY or RESUME being answered: READY (or RESUMED) is sent before it settles, and a client may send its
    // next op at once (op 4 right after READY), so other ops wait for it instead of finding no session yet.
    let handshake: Promise<void> | null = null;
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
      inFlight
        .add(handle(payload))
        .catch((err) => this.opts.log.error({ err, op: payload.op }, 'gateway payload failed'));
    });
    const identify = async (d: unknown): Promise<void> => {
      try {
        session = await handshakes.identify(outbox, d);
      } catch (err) {
        const code = (err as { gatewayClose?: number }).gatewayClose;
        if (code) return close(code, (err as Error).message);
        this.opts.log.error({ err }, 'identify failed');
        return close(GatewayClose.UnknownError, 'Unknown error');
      } finally {
        // Op 9 (over the IDENTIFY budget): the client may try again, within a fresh interval.
        if (!session) conn.unauthenticatedSince = Date.now();
      }
      conn.session = session;
      conn.lastBeat = Date.now();
      // The socket closed while the session was being built: it waits for RESUME like any other.
      if (session && !outbox.open && session.outbox === outbox) sessions.detach(session);
    };
    const resume = async (d: unknown): Promise<void> => {
      try {
        session = await handshakes.resume(outbox, d);
      } finally {
        if (!session) conn.unauthenticatedSince = Date.now();
      }
      conn.session = session;
      conn.lastBeat = Date.now();
    };
    const handle = async (payload: ClientPayload): Promise<void> => {
      if (payload.op === GatewayOp.Identify || payload.op === GatewayOp.Resume) {
        if (session || handshake) return close(GatewayClose.AlreadyAuthenticated, 'Already authenticated');
        conn.unauthenticatedSince = null;
        handshake = (payload.op === GatewayOp.Identify ? identify : resume)(payload.d);
        try {
          return await handshake;
        } finally {
          handshake = null;
        }
      }
      // Sent right after READY or RESUMED, before the handshake has finished here: it waits for the session.
      if (handshake) await handshake.catch(() => {});
      switch (payload.op) {
        case GatewayOp.PresenceUpdate:
          if (!session) return close(GatewayClose.NotAuthenticated, 'Not authenticated');
          return requests.presence(session, payload.d);
        case GatewayOp.VoiceStateUpdate:
          if (!session) return close(GatewayClose.NotAuthenticated, 'Not authenticated');
          return this.parts.voice.update(session, payload.d, close);
        case GatewayOp.StreamCreate:
          if (!session) return close(GatewayClose.NotAuthenticated, 'Not authenticated');
          return this.parts.voice.streamCreate(session, payload.d, close);
        case GatewayOp.StreamDelete:
          if (!session) return close(GatewayClose.NotAuthenticated, 'Not authenticated');
          return this.parts.voice.streamDelete(session, payload.d, close);
        case GatewayOp.RequestGuildMembers: {
          if (!session) return close(GatewayClose.NotAuthenticated, 'Not authenticated');
          const asking = session;
          return router
            .held(asking, () => requests.requestMembers(asking, payload.d))
            .catch((err) => this.opts.log.warn({ err }, 'member request failed'));
        }
        case GatewayOp.GuildSubscriptions:
          if (!session) return close(GatewayClose.NotAuthenticated, 'Not authenticated');
          return requests.subscribe(session, payload.d);
        default:
          return close(GatewayClose.UnknownOpcode, 'Unknown opcode');
      }
    };

    ws.on('close', (code) => {
      this.connections.delete(conn);
      // Sessions of a process that is shutting down live on elsewhere.
      if (!session || session.outbox !== outbox || this.closing) return;
      // As on Discord, a client closing with 1000 or 1001 (a closed tab) ends its session: it cannot resume.
      if (code === 1000 || code === 1001) sessions.destroy(session);
      else sessions.detach(session);
    });
    ws.on('error', () => {});
  }
}
