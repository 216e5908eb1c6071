import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { GatewayOp } from '@hearth/protocol';
import type { WebSocket } from 'ws';
import type { Principal } from '../domain/auth/auth.service';
import type { BusEvent } from '../events/bus';
import type { Status } from '../state/presence-store';
import { SessionState } from './session-state';

const RESUME_BUFFER = 1000;

/**
 * The head of a server-to-client WebSocket text frame whose payload is `length` bytes, with `room` bytes left after
 * it: FIN and the text opcode, then the length in 7, 16 or 64 bits; server frames are not masked (RFC 6455, 5.2).
 */
function frameHead(length: number, room = 0): { bytes: Buffer; size: number } {
  const size = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const bytes = Buffer.allocUnsafe(size + room);
  bytes[0] = 0x81;
  if (length < 126) bytes[1] = length;
  else if (length < 65536) {
    bytes[1] = 126;
    bytes.writeUInt16BE(length, 2);
  } else {
    bytes[1] = 127;
    bytes.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    bytes.writeUInt32BE(length >>> 0, 6);
  }
  return { bytes, size };
}

/** A short text message (under 126 bytes) as one whole frame, to be written as is to every socket. */
export function textFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  if (payload.length > 125) throw new RangeError('textFrame is for payloads under 126 bytes');
  const { bytes, size } = frameHead(payload.length, payload.length);
  payload.copy(bytes, size);
  return bytes;
}

/**
 * A dispatch as sent and kept for RESUME. For an event that goes to many sessions, `head` is this session's
 * `{"op":0,"t":…,"s":…,"d":` and `rest` the event's `d` and closing brace, encoded once and shared by every
 * session's frame and resume buffer, and never joined into a copy: the two are written one after the other as one
 * WebSocket frame. A message assembled for one session (GUILD_CREATE) has its `rest` in parts, most of them shared
 * with other sessions' (a guild's channels and member lists). Otherwise `head` is the whole message.
 */
type Rest = Buffer | Buffer[] | null;

interface Frame {
  s: number;
  head: string;
  rest: Rest;
}

const restBytes = (rest: Rest) =>
  !rest ? 0 : Array.isArray(rest) ? rest.reduce((n, part) => n + part.length, 0) : rest.length;
const restText = (rest: Rest) => (!rest ? '' : Array.isArray(rest) ? Buffer.concat(rest) : rest).toString();

/**
 * Writes one text message made of a session's `head` (ASCII) and a shared `rest` as one frame, past `ws` (see
 * Outbox.reply): the frame's head and `head` in one small buffer, then the shared bytes as they are, so nothing is
 * copied per session to join them.
 */
function writeJoined(raw: Duplex, head: string, rest: Buffer | Buffer[]): void {
  const { bytes, size } = frameHead(head.length + restBytes(rest), head.length);
  bytes.write(head, size, 'latin1');
  raw.write(bytes);
  if (Array.isArray(rest)) for (const part of rest) raw.write(part);
  else raw.write(rest);
}

/** A kept dispatch as it travels to another process: one string. */
interface FrameText {
  s: number;
  text: string;
}

/** A session as it travels to another process on shutdown. */
export interface SessionSnapshot {
  id: string;
  principal: Principal;
  token: string;
  intents: number;
  seq: number;
  largeThreshold: number;
  presence: SessionPresence;
  presenceGuilds: string[];
  subscribedGuilds: string[];
  buffer: FrameText[];
}

/** Large guilds whose presences one session may subscribe to at once (op 14); the oldest goes first. */
const MAX_SUBSCRIBED_GUILDS = 10;

/** A session's own presence (the user's is the aggregate over their sessions). */
export type SessionPresence = { status: Status; activities: unknown[] };

/** Outboxes with something to write this tick: one setImmediate writes them all (an event reaches thousands). */
let toFlush: Outbox[] = [];
function flushAll(): void {
  const due = toFlush;
  toFlush = [];
  for (const outbox of due) {
    try {
      outbox.flush();
    } catch {
      // A socket that cannot be written to is cut off (its session may resume); the others still get theirs.
      outbox.ws.terminate();
    }
  }
}

/**
 * One socket's outgoing frames: everything sent during an event-loop tick goes out in one corked write, and a
 * consumer whose unsent backlog exceeds the byte cap is cut off (it may resume) instead of holding memory.
 */
export class Outbox {
  /** Messages waiting for the tick's write: a text, or a head and a shared rest (see Frame). */
  private pending: Array<string | Rest> = [];
  private pendingBytes = 0;
  private scheduled = false;

  constructor(
    readonly ws: WebSocket,
    private readonly raw: Duplex,
    private readonly capBytes: number,
    private readonly onOverflow: () => void,
  ) {}

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  send(text: string, rest: Rest = null): void {
    if (!this.open) return;
    this.pending.push(text, rest);
    this.pendingBytes += Buffer.byteLength(text) + restBytes(rest);
    if (this.ws.bufferedAmount + this.pendingBytes > this.capBytes) {
      this.pending = [];
      this.pendingBytes = 0;
      this.ws.terminate();
      this.onOverflow();
      return;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      toFlush.push(this);
      if (toFlush.length === 1) setImmediate(flushAll);
    }
  }

  /**
   * An answer to what the client just sent (a heartbeat's ACK), as its text and as its whole WebSocket frame (see
   * `textFrame`: the same bytes for every socket). When nothing is waiting for the tick's write the frame goes
   * straight to the socket in one write: `ws` frames an uncompressed message and writes it synchronously, adding
   * nothing of its own, so the order of what the socket carries holds. Else the text queues behind what waits.
   */
  reply(text: string, frame: Buffer): void {
    if (!this.scheduled && this.open && this.ws.bufferedAmount + frame.length <= this.capBytes)
      this.raw.write(frame);
    else this.send(text);
  }

  flush(): void {
    this.scheduled = false;
    const frames = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    if (!frames.length || !this.open) return;
    this.raw.cork();
    for (let i = 0; i < frames.length; i += 2) {
      const rest = frames[i + 1] as Rest;
      const head = frames[i] as string;
      if (rest) writeJoined(this.raw, head, rest);
      else this.ws.send(head);
    }
    this.raw.uncork();
  }

  /** Sends what is queued, then closes with a gateway close code. */
  close(code: number, reason: string): void {
    this.flush();
    if (this.open) this.ws.close(code, reason);
  }
}

/** One gateway session: survives its socket for the resume window. */
export class Session {
  seq = 0;
  /** Events held while the session's caches or an answer load (see Gateway.held), routed once they are. */
  backlog: BusEvent[] | null = null;
  /** How many loads are holding its events. */
  holds = 0;
  /** Settles once an adopted session's caches are loaded and its backlog routed. */
  loading: Promise<void> | null = null;
  /** Taken over from a process that shut down. */
  adopted = false;
  /** Members beyond this many are left out of GUILD_CREATE (IDENTIFY's `large_threshold`, 50–250). */
  largeThreshold = 50;
  /** Presence updates in the current 20-second window (Discord allows 5). */
  presenceUpdates = { count: 0, since: Date.now() };
  /** This session's presence, kept to refresh it in the shared store and to hand it off. */
  presence: SessionPresence = { status: 'online', activities: [] };
  /** Guilds whose every PRESENCE_UPDATE this session gets: those not large when it got them, or all for a bot with GUILD_PRESENCES. */
  readonly presenceGuilds = new Set<string>();
  /** Large guilds whose presences it subscribed to (op 14), oldest first; most sessions never do. */
  private subscribedGuilds: Set<string> | null = null;
  readonly buffer: Frame[] = [];
  /** The highest sequence the client said it has (heartbeats, RESUME). */
  acked = 0;
  /** The bus position when its events began to be held: a checkpoint of a held session is taken there. */
  heldAt = '0-0';
  /**
   * Set when the session's resume record is kept in Redis (ADR 0020): told of every dispatch not derived from a bus
   * event alone (READY, GUILD_CREATE, member chunks, RESUMED…), which another process could not rebuild from the
   * stream. Frames from such a dispatch on are withheld from the socket until `persisted` says a checkpoint covers it.
   */
  onBarrier: (() => void) | null = null;
  private barriers: number[] = [];
  private withheld: Frame[] = [];
  /** The guild and DM channel ids the gateway's audience index lists this session under. */
  indexed = new Set<string>();
  outbox: Outbox | null = null;
  expiry: NodeJS.Timeout | null = null;

  constructor(
    readonly principal: Principal,
    readonly token: string,
    readonly intents: number,
    readonly state: SessionState,
    readonly id = randomBytes(16).toString('hex'),
  ) {}

  /** What another process needs to continue this session (its resume buffer only `withBuffer`). */
  snapshot(withBuffer = true): SessionSnapshot {
    return {
      id: this.id,
      principal: this.principal,
      token: this.token,
      intents: this.intents,
      seq: this.seq,
      largeThreshold: this.largeThreshold,
      presence: this.presence,
      presenceGuilds: [...this.presenceGuilds],
      subscribedGuilds: [...(this.subscribedGuilds ?? [])],
      buffer: withBuffer ? this.buffer.map((f) => ({ s: f.s, text: f.head + restText(f.rest) })) : [],
    };
  }

  /** Whether every PRESENCE_UPDATE of a guild goes to this session. */
  receivesPresences(guildId: string): boolean {
    return this.presenceGuilds.has(guildId) || !!this.subscribedGuilds?.has(guildId);
  }

  /** op 14 for a large guild: its presences from now on; past the limit the oldest subscription ends. */
  subscribe(guildId: string): void {
    this.subscribedGuilds ??= new Set();
    const subscribed = this.subscribedGuilds;
    subscribed.delete(guildId);
    subscribed.add(guildId);
    if (subscribed.size > MAX_SUBSCRIBED_GUILDS) subscribed.delete(subscribed.values().next().value!);
  }

  /** A session continued from another process's snapshot; its caches are filled by the caller. */
  static restore(snap: SessionSnapshot): Session {
    const session = new Session(
      snap.principal,
      snap.token,
      snap.intents,
      new SessionState(snap.principal.userId),
      snap.id,
    );
    session.seq = snap.seq;
    session.largeThreshold = snap.largeThreshold;
    session.presence = snap.presence;
    for (const id of snap.presenceGuilds ?? []) session.presenceGuilds.add(id);
    for (const id of snap.subscribedGuilds ?? []) session.subscribe(id);
    session.buffer.push(...snap.buffer.map((f) => ({ s: f.s, head: f.text, rest: null })));
    session.adopted = true;
    return session;
  }

  /** Sends a dispatch with the next sequence number, and keeps it for RESUME. */
  dispatch(t: string, d: unknown): void {
    this.dispatchJson(t, JSON.stringify(d) ?? 'null');
  }

  /** The same with `d` already encoded; the message is what JSON.stringify would make of the whole payload. */
  dispatchJson(t: string, d: string): void {
    this.keep({ s: ++this.seq, head: `${dispatchHead(t, this.seq)}${d}}`, rest: null }, true);
  }

  /** The same for an event many sessions get: `rest` is its `d` and the closing brace, encoded once for all. */
  dispatchShared(t: string, rest: Buffer): void {
    this.keep({ s: ++this.seq, head: dispatchHead(t, this.seq), rest });
  }

  /**
   * The same for a message made for this session from `parts` (its `d` and closing brace, see Frame): kept and
   * written as parts, so a session holds only its own few bytes of a GUILD_CREATE until the client has it.
   */
  dispatchParts(t: string, parts: Buffer[]): void {
    const s = ++this.seq;
    this.keep({ s, head: dispatchHead(t, s), rest: parts }, true);
  }

  /**
   * Forgets the kept dispatches up to `seq`, which the client has (it heartbeats with its last sequence, and
   * resumes from it or later): READY and the GUILD_CREATEs, tens of kilobytes, are not held for the whole session.
   */
  acknowledge(seq: number): void {
    if (seq <= this.seq) this.acked = Math.max(this.acked, seq);
    let n = 0;
    while (n < this.buffer.length && this.buffer[n].s <= seq) n++;
    if (n) this.buffer.splice(0, n);
  }

  /** Sends the dispatches after `seq` again (RESUME). */
  replay(seq: number): void {
    const fence = this.barriers[0] ?? Infinity;
    for (const frame of this.buffer)
      if (frame.s > seq && frame.s < fence) this.outbox?.send(frame.head, frame.rest);
  }

  /** Whether a dispatch waits for its checkpoint (see onBarrier). */
  get awaitingCheckpoint(): boolean {
    return this.barriers.length > 0;
  }

  /** A checkpoint up to `seq` is stored: the frames withheld for it go out. */
  persisted(seq: number): void {
    while (this.barriers.length && this.barriers[0] <= seq) this.barriers.shift();
    const fence = this.barriers[0] ?? Infinity;
    while (this.withheld.length && this.withheld[0].s < fence) {
      const frame = this.withheld.shift()!;
      this.outbox?.send(frame.head, frame.rest);
    }
  }

  /** `barrier`: made for this session, not derived from a bus event alone (see onBarrier). */
  private keep(frame: Frame, barrier = false): void {
    this.buffer.push(frame);
    if (this.buffer.length > RESUME_BUFFER) this.buffer.shift();
    if (barrier && this.onBarrier) {
      this.barriers.push(frame.s);
      this.onBarrier();
    }
    if (this.barriers.length) this.withheld.push(frame);
    else this.outbox?.send(frame.head, frame.rest);
  }
}

/** `{"op":0,"t":"<t>","s":` by event name (a few dozen names). */
const headStarts = new Map<string, string>();

function dispatchHead(t: string, seq: number): string {
  let start = headStarts.get(t);
  if (start === undefined) {
    start = `{"op":${GatewayOp.Dispatch},"t":${JSON.stringify(t)},"s":`;
    headStarts.set(t, start);
  }
  return `${start}${seq},"d":`;
}
