/** How long this process trusts a session it has checked in the database. */
const TTL_MS = 5_000;
const MAX_USERS = 100_000;

/**
 * Live sessions this process checked a moment ago, so that a burst of requests on one access token reads the session
 * row once every few seconds rather than once per request. `forget` drops a user's entries at once: it is called
 * where sessions are revoked and on every SESSIONS_REVOKED event from the bus (so on every process). A check that
 * started before a `forget` is not remembered, so a read racing a revocation cannot bring the session back.
 */
export class SessionCache {
  /** userId → sessionId → until (ms). */
  private readonly users = new Map<string, Map<string, number>>();
  private generation = 0;

  /** True while `userId`'s `sessionId` was seen live less than a few seconds ago. */
  has(userId: string, sessionId: string, now = Date.now()): boolean {
    const sessions = this.users.get(userId);
    const until = sessions?.get(sessionId);
    if (until === undefined) return false;
    if (until > now) return true;
    sessions!.delete(sessionId);
    if (!sessions!.size) this.users.delete(userId);
    return false;
  }

  /** Marks the start of a database check; pass the result to `remember`. */
  begin(): number {
    return this.generation;
  }

  /** Remembers a live session until `expiresAt` or a few seconds, unless a `forget` ran since `begin`. */
  remember(started: number, userId: string, sessionId: string, expiresAt: Date): void {
    if (started !== this.generation) return;
    if (this.users.size >= MAX_USERS) this.users.clear();
    const sessions = this.users.get(userId) ?? new Map<string, number>();
    this.users.set(userId, sessions);
    sessions.set(sessionId, Math.min(Date.now() + TTL_MS, expiresAt.getTime()));
  }

  /** Drops every remembered session of `userId`. */
  forget(userId: string): void {
    this.generation++;
    this.users.delete(userId);
  }

  /** Drops every remembered session (revocations may have been missed). */
  forgetAll(): void {
    this.generation++;
    this.users.clear();
  }
}
