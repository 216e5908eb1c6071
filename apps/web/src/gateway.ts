// The Gateway v10 client: HELLO → IDENTIFY (or RESUME after a drop), heartbeats with ack tracking,
// and reconnects with backoff. Events replayed on RESUME arrive once, in order, by sequence number.

import type { Dispatch, Events } from './types';

const Op = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  PresenceUpdate: 3,
  VoiceStateUpdate: 4,
  Resume: 6,
  Reconnect: 7,
  RequestGuildMembers: 8,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
  GuildSubscriptions: 14,
  StreamCreate: 18,
  StreamDelete: 19,
} as const;

/** Members asked for when a large guild is opened: one GUILD_MEMBERS_CHUNK. */
const OPENED_GUILD_MEMBERS = 1000;

/** Close codes after which reconnecting cannot help. */
const fatalCloses = new Set([4004, 4010, 4011, 4012, 4013, 4014]);

export type ConnectionStatus = 'connecting' | 'ready' | 'reconnecting' | 'offline';

/** A gateway frame as it arrives; a dispatch's payload is trusted to match its event's type. */
interface Payload {
  op: number;
  d: unknown;
  s?: number | null;
  t?: string;
}

export interface GatewayOptions {
  /** The gateway URL from GET /gateway. */
  url: string;
  /** A current access token (IDENTIFY and RESUME authenticate with it). */
  token: () => Promise<string | null>;
  /** Every dispatch, as the server sent it: the app trusts the wire to match its event types. */
  onDispatch: (...dispatch: Dispatch) => void;
  onStatus: (s: ConnectionStatus) => void;
  /** The token was refused: the user must sign in again. */
  onAuthFailed: () => void;
}

export class GatewayClient {
  private ws: WebSocket | null = null;
  private seq: number | null = null;
  private sessionId: string | null = null;
  private resumeUrl: string | null = null;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private awaitingAck = false;
  private attempts = 0;
  private stopped = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** The status this client reports (op 3 and IDENTIFY). */
  status = 'online';
  /** READY or RESUMED came on the current socket: the server takes session commands. */
  private identified = false;
  /** A large guild opened while not identified, to subscribe to on RESUMED (after READY its GUILD_CREATE does). */
  private pendingGuild: string | null = null;

  constructor(private readonly opts: GatewayOptions) {}

  start(): void {
    this.stopped = false;
    this.opts.onStatus('connecting');
    this.open(this.opts.url);
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.teardown(1000);
  }

  /** op 3: the user's status (online, idle, dnd, invisible), kept for reconnects. */
  setStatus(status: string): void {
    this.status = status;
    this.ws?.send(
      JSON.stringify({ op: Op.PresenceUpdate, d: { since: null, activities: [], status, afk: false } }),
    );
  }

  /** The current gateway session's id (voice connections are bound to it), once READY came. */
  get session(): string | null {
    return this.identified ? this.sessionId : null;
  }

  /** op 4: join (a channel), move, change self mute/deaf/video in, or leave (null) a guild's voice channel. */
  voiceState(d: {
    guild_id: string | null;
    channel_id: string | null;
    self_mute: boolean;
    self_deaf: boolean;
    self_video: boolean;
  }): boolean {
    if (!this.identified || this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify({ op: Op.VoiceStateUpdate, d }));
    return true;
  }

  /** Go Live: op 18 STREAM_CREATE (a guild's voice channel) or op 19 STREAM_DELETE (a stream key). */
  stream(d: { guild_id: string | null; channel_id: string } | { stream_key: string }): boolean {
    if (!this.identified || this.ws?.readyState !== WebSocket.OPEN) return false;
    const payload =
      'stream_key' in d
        ? { op: Op.StreamDelete, d }
        : { op: Op.StreamCreate, d: { type: d.guild_id ? 'guild' : 'call', ...d, preferred_region: null } };
    this.ws.send(JSON.stringify(payload));
    return true;
  }

  /**
   * A large guild was opened: ask for its members (op 8), which GUILD_CREATE listed only in part. Its member list
   * and the presences in it come from following the list (`followList`, ADR 0041).
   */
  openLargeGuild(guildId: string): void {
    if (!this.identified || this.ws?.readyState !== WebSocket.OPEN) {
      this.pendingGuild = guildId;
      return;
    }
    this.ws.send(
      JSON.stringify({
        op: Op.RequestGuildMembers,
        d: { guild_id: guildId, query: '', limit: OPENED_GUILD_MEMBERS, presences: true },
      }),
    );
  }

  /** op 14 `channels`: follow a channel's member list for `range` (sent again after a new session; see session.ts). */
  followList(guildId: string, channelId: string, range: [number, number]): void {
    if (!this.identified || this.ws?.readyState !== WebSocket.OPEN) return;
    this.ws.send(
      JSON.stringify({
        op: Op.GuildSubscriptions,
        d: { guild_id: guildId, channels: { [channelId]: [range] } },
      }),
    );
  }

  private open(base: string): void {
    const ws = new WebSocket(`${base}?v=10&encoding=json`);
    this.ws = ws;
    ws.onmessage = (e) => this.receive(ws, JSON.parse(String(e.data)));
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.teardown();
      if (this.stopped) return;
      if (fatalCloses.has(e.code)) {
        this.opts.onStatus('offline');
        if (e.code === 4004) this.opts.onAuthFailed();
        return;
      }
      // 4007 (bad seq) and 4009 (timed out) cannot resume: identify afresh.
      if (e.code === 4007 || e.code === 4009) this.forget();
      this.scheduleReconnect();
    };
  }

  private async receive(ws: WebSocket, p: Payload) {
    switch (p.op) {
      case Op.Hello: {
        const interval = (p.d as { heartbeat_interval: number }).heartbeat_interval;
        this.awaitingAck = false;
        this.heartbeat = setInterval(() => this.beat(ws), interval);
        const token = await this.opts.token();
        if (!token) return this.opts.onAuthFailed();
        if (this.sessionId && this.seq !== null) {
          ws.send(JSON.stringify({ op: Op.Resume, d: { token, session_id: this.sessionId, seq: this.seq } }));
        } else {
          ws.send(
            JSON.stringify({
              op: Op.Identify,
              d: {
                token,
                properties: { os: navigator.platform, browser: 'Hearth web', device: 'Hearth web' },
                // The most members GUILD_CREATE lists: the member list is virtualised, so it can show them all.
                large_threshold: 250,
              },
            }),
          );
        }
        return;
      }
      case Op.HeartbeatAck:
        this.awaitingAck = false;
        return;
      case Op.Heartbeat:
        ws.send(JSON.stringify({ op: Op.Heartbeat, d: this.seq }));
        return;
      case Op.Reconnect:
        ws.close(4000, 'Reconnect requested');
        return;
      case Op.InvalidSession:
        if (!p.d) this.forget();
        ws.close(4000, 'Invalid session');
        return;
      case Op.Dispatch: {
        if (typeof p.s === 'number') {
          if (this.seq !== null && p.s <= this.seq) return; // already seen
          this.seq = p.s;
        }
        if (p.t === 'READY') {
          const ready = p.d as Events['READY'];
          this.sessionId = ready.session_id;
          this.resumeUrl = ready.resume_gateway_url ?? null;
        }
        if (p.t === 'READY' || p.t === 'RESUMED') {
          this.attempts = 0;
          this.identified = true;
          this.opts.onStatus('ready');
        }
        this.opts.onDispatch(...([p.t, p.d] as Dispatch));
        const pending = this.pendingGuild;
        if (p.t === 'READY' || p.t === 'RESUMED') this.pendingGuild = null;
        if (p.t === 'RESUMED' && pending) this.openLargeGuild(pending);
      }
    }
  }

  private beat(ws: WebSocket): void {
    if (this.awaitingAck) {
      // No ack for the last beat: the connection is dead even if the socket has not noticed.
      ws.close(4000, 'Heartbeat not acknowledged');
      return;
    }
    this.awaitingAck = true;
    ws.send(JSON.stringify({ op: Op.Heartbeat, d: this.seq }));
  }

  private forget(): void {
    this.sessionId = null;
    this.seq = null;
    this.resumeUrl = null;
  }

  private scheduleReconnect(): void {
    this.opts.onStatus('reconnecting');
    const delay = Math.min(30_000, 500 * 2 ** this.attempts) * (0.5 + Math.random() / 2);
    this.attempts++;
    this.retryTimer = setTimeout(() => this.open(this.resumeUrl ?? this.opts.url), delay);
  }

  private teardown(code?: number): void {
    this.identified = false;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    const ws = this.ws;
    this.ws = null;
    if (ws && code && ws.readyState <= WebSocket.OPEN) ws.close(code);
  }
}
