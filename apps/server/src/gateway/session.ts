import { randomBytes } from 'node:crypto';
import { GatewayOp } from '@hearth/protocol';
import type { Principal } from '../domain/auth/auth.service';
import type { BusEvent } from '../events/bus';
import type { Status } from '../state/presence-store';
import type { Outbox } from './core/outbox';
import { type KeptMessage, type KeptText, ResumeBuffer } from './core/resume-buffer';
import { SessionState } from './session-state';

const RESUME_BUFFER = 1000;

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
  /** Members whose presences it follows by id, per guild (op 14 `members`, op 8). */
  watching?: Array<[string, string[]]>;
  buffer: KeptText[];
}

/** Large guilds whose presences one session may subscribe to at once (op 14); the oldest goes first. */
const MAX_SUBSCRIBED_GUILDS = 10;

/** A session's own presence (the user's is the aggregate over their sessions). */
export type SessionPresence = { status: Status; activities: unknown[] };

/**
 * One Discord gateway session: survives its socket for the resume window. Its dispatches are numbered and kept by a
 * transport-neutral resume buffer; each is written as its own head (`{"op":0,"t":…,"s":…,"d":`) and a `rest` (the
 * event's `d` and closing brace) shared with every other session that gets the event (see core/resume-buffer.ts).
 */
export class Session {
  /** Events held while the session's caches or an answer load (see Router.held), routed once they are. */
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
  /** Members whose presences it follows by id, per guild (op 14 `members`, ADR 0041); most sessions never do. */
  watching: Map<string, Set<string>> | null = null;
  /** The bus position when its events began to be held: a checkpoint of a held session is taken there. */
  heldAt = '0-0';
  /** The guild and DM channel ids the gateway's audience index lists this session under. */
  indexed = new Set<string>();
  outbox: Outbox | null = null;
  expiry: NodeJS.Timeout | null = null;
  private readonly resume = new ResumeBuffer(RESUME_BUFFER, (head, rest) => this.outbox?.send(head, rest));

  constructor(
    readonly principal: Principal,
    readonly token: string,
    readonly intents: number,
    readonly state: SessionState,
    readonly id = randomBytes(16).toString('hex'),
  ) {}

  /** Whose session it is (the registry lists sessions by user). */
  get userId(): string {
    return this.principal.userId;
  }

  /** The sequence number of its last dispatch. */
  get seq(): number {
    return this.resume.seq;
  }

  /** The dispatches kept for RESUME, oldest first. */
  get buffer(): readonly KeptMessage[] {
    return this.resume.kept;
  }

  /** The highest sequence the client said it has (heartbeats, RESUME). */
  get acked(): number {
    return this.resume.acked;
  }

  /**
   * Set when the session's resume record is kept in Redis (ADR 0020): told of every dispatch not derived from a bus
   * event alone (READY, GUILD_CREATE, member chunks, RESUMED…), which another process could not rebuild from the
   * stream. Frames from such a dispatch on are withheld from the socket until `persisted` says a checkpoint covers it.
   */
  get onBarrier(): (() => void) | null {
    return this.resume.onBarrier;
  }

  set onBarrier(listener: (() => void) | null) {
    this.resume.onBarrier = listener;
  }

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
      watching: [...(this.watching ?? [])].map(([guildId, ids]) => [guildId, [...ids]]),
      buffer: withBuffer ? this.resume.texts() : [],
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

  /**
   * op 14 `members`: the presences of these members of a guild from now on, replacing the ones named before; with
   * `add` (op 8 with `presences`) added to them, the oldest going past `max`.
   */
  watch(guildId: string, userIds: string[], opts: { add?: boolean; max?: number } = {}): void {
    this.watching ??= new Map();
    const ids = opts.add ? [...(this.watching.get(guildId) ?? []), ...userIds] : userIds;
    const kept = opts.max !== undefined ? [...new Set(ids)].slice(-opts.max) : ids;
    this.watching.delete(guildId);
    if (kept.length) this.watching.set(guildId, new Set(kept));
    // As many guilds as op 14 subscriptions; the oldest goes first.
    if (this.watching.size > MAX_SUBSCRIBED_GUILDS) this.watching.delete(this.watching.keys().next().value!);
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
    session.largeThreshold = snap.largeThreshold;
    session.presence = snap.presence;
    for (const id of snap.presenceGuilds ?? []) session.presenceGuilds.add(id);
    for (const id of snap.subscribedGuilds ?? []) session.subscribe(id);
    for (const [guildId, ids] of snap.watching ?? []) session.watch(guildId, ids);
    session.resume.restore(snap.seq, snap.buffer);
    session.adopted = true;
    return session;
  }

  /** Sends a dispatch with the next sequence number, and keeps it for RESUME. */
  dispatch(t: string, d: unknown): void {
    this.dispatchJson(t, JSON.stringify(d) ?? 'null');
  }

  /** The same with `d` already encoded; the message is what JSON.stringify would make of the whole payload. */
  dispatchJson(t: string, d: string): void {
    this.resume.push(`${dispatchHead(t, this.resume.next)}${d}}`, null, true);
  }

  /** The same for an event many sessions get: `rest` is its `d` and the closing brace, encoded once for all. */
  dispatchShared(t: string, rest: Buffer): void {
    this.resume.push(dispatchHead(t, this.resume.next), rest);
  }

  /**
   * The same for a message made for this session from `parts` (its `d` and closing brace): kept and written as
   * parts, so a session holds only its own few bytes of a GUILD_CREATE until the client has it.
   */
  dispatchParts(t: string, parts: Buffer[]): void {
    this.resume.push(dispatchHead(t, this.resume.next), parts, true);
  }

  /**
   * Forgets the kept dispatches up to `seq`, which the client has (it heartbeats with its last sequence, and
   * resumes from it or later): READY and the GUILD_CREATEs, tens of kilobytes, are not held for the whole session.
   */
  acknowledge(seq: number): void {
    this.resume.acknowledge(seq);
  }

  /** Sends the dispatches after `seq` again (RESUME). */
  replay(seq: number): void {
    this.resume.replay(seq);
  }

  /** Whether a dispatch waits for its checkpoint (see onBarrier). */
  get awaitingCheckpoint(): boolean {
    return this.resume.awaitingCheckpoint;
  }

  /** A checkpoint up to `seq` is stored: the frames withheld for it go out. */
  persisted(seq: number): void {
    this.resume.persisted(seq);
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
