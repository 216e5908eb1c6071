/** What the registry needs of a session, whatever protocol it speaks. */
export interface RegisteredSession {
  readonly id: string;
  readonly userId: string;
  /** The audience keys the registry lists it under now (kept by the registry). */
  indexed: Set<string>;
}

/**
 * One process's sessions of one protocol: by id, by user, and by audience key (a guild, a DM channel, a timeline…:
 * whatever the protocol routes by), so that routing an event costs what its audience is, not what the process holds.
 * Also the sessions whose events are held while they load: those get every event. Transport-neutral: it knows
 * sessions only by the keys they are listed under.
 */
export class SessionRegistry<S extends RegisteredSession> {
  private readonly byId = new Map<string, S>();
  private readonly byUser = new Map<string, Set<S>>();
  private readonly byAudience = new Map<string, Set<S>>();
  /** Sessions whose events are held: every event goes to them (into their backlog). */
  readonly holding = new Set<S>();

  get size(): number {
    return this.byId.size;
  }

  get(id: string): S | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  values(): IterableIterator<S> {
    return this.byId.values();
  }

  /** A user's sessions on this process. */
  ofUser(userId: string): Set<S> | undefined {
    return this.byUser.get(userId);
  }

  /** The sessions listed under an audience key. */
  audience(key: string): Set<S> | undefined {
    return this.byAudience.get(key);
  }

  add(session: S): void {
    this.byId.set(session.id, session);
    if (!this.byUser.has(session.userId)) this.byUser.set(session.userId, new Set());
    this.byUser.get(session.userId)!.add(session);
  }

  /** Forgets the session everywhere it is listed. */
  remove(session: S): void {
    this.byId.delete(session.id);
    this.byUser.get(session.userId)?.delete(session);
    this.holding.delete(session);
    this.reindex(session, new Set());
  }

  /** Lists the session under exactly the audience keys `now`. */
  reindex(session: S, now: Set<string>): void {
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
}
