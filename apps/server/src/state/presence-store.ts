import { Redis } from 'ioredis';

export type Status = 'online' | 'idle' | 'dnd' | 'invisible' | 'offline';

export interface SessionPresence {
  status: Status;
  activities: unknown[];
  /** Milliseconds since the epoch, for expiry of sessions of a process that died. */
  at: number;
}

interface PresenceEntry {
  userId: string;
  sessionId: string;
  presence: SessionPresence;
}

/** Each user's presence per gateway session, shared by every process when Redis is used. */
export interface PresenceStore {
  set(userId: string, sessionId: string, presence: SessionPresence): Promise<void>;
  /** Writes many sessions' presences at once (the periodic refresh of a process's live sessions). */
  setMany(entries: PresenceEntry[]): Promise<void>;
  remove(userId: string, sessionId: string): Promise<void>;
  /** Every live session's presence of each user. */
  get(userIds: string[]): Promise<Map<string, SessionPresence[]>>;
  /** The ids of each user's live sessions (voice states live no longer than their session, ADR 0034). */
  sessionIds(userIds: string[]): Promise<Map<string, Set<string>>>;
  close(): Promise<void>;
}

export function createMemoryPresenceStore(): PresenceStore {
  const byUser = new Map<string, Map<string, SessionPresence>>();
  return {
    async set(userId, sessionId, presence) {
      if (!byUser.has(userId)) byUser.set(userId, new Map());
      byUser.get(userId)!.set(sessionId, presence);
    },
    async setMany(entries) {
      for (const e of entries) await this.set(e.userId, e.sessionId, e.presence);
    },
    async remove(userId, sessionId) {
      byUser.get(userId)?.delete(sessionId);
      if (byUser.get(userId)?.size === 0) byUser.delete(userId);
    },
    async get(userIds) {
      return new Map(userIds.map((id) => [id, [...(byUser.get(id)?.values() ?? [])]]));
    },
    async sessionIds(userIds) {
      return new Map(userIds.map((id) => [id, new Set(byUser.get(id)?.keys() ?? [])]));
    },
    async close() {
      byUser.clear();
    },
  };
}

/**
 * A session of a process that died without cleaning up stops counting after `staleMs` without a refresh; live
 * processes refresh their sessions well within it.
 */
export async function createRedisPresenceStore(url: string, staleMs: number): Promise<PresenceStore> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  await redis.connect();
  const key = (userId: string) => `hearth:presence:${userId}`;
  const setMany = async (entries: PresenceEntry[]) => {
    if (!entries.length) return;
    const batch = redis.pipeline();
    for (const e of entries)
      batch.hset(key(e.userId), e.sessionId, JSON.stringify(e.presence)).pexpire(key(e.userId), staleMs);
    await batch.exec();
  };
  return {
    set: (userId, sessionId, presence) => setMany([{ userId, sessionId, presence }]),
    setMany,
    async remove(userId, sessionId) {
      await redis.hdel(key(userId), sessionId);
    },
    async get(userIds) {
      const out = new Map<string, SessionPresence[]>();
      if (!userIds.length) return out;
      const pipeline = redis.pipeline();
      for (const id of userIds) pipeline.hvals(key(id));
      const results = (await pipeline.exec()) ?? [];
      const now = Date.now();
      userIds.forEach((id, i) => {
        const values = (results[i]?.[1] as string[] | undefined) ?? [];
        out.set(
          id,
          values.map((v) => JSON.parse(v) as SessionPresence).filter((p) => now - p.at < staleMs),
        );
      });
      return out;
    },
    async sessionIds(userIds) {
      const out = new Map<string, Set<string>>();
      if (!userIds.length) return out;
      const pipeline = redis.pipeline();
      for (const id of userIds) pipeline.hgetall(key(id));
      const results = (await pipeline.exec()) ?? [];
      const now = Date.now();
      userIds.forEach((id, i) => {
        const fields = (results[i]?.[1] as Record<string, string> | undefined) ?? {};
        const live = Object.entries(fields).filter(
          ([, v]) => now - (JSON.parse(v) as SessionPresence).at < staleMs,
        );
        out.set(id, new Set(live.map(([sessionId]) => sessionId)));
      });
      return out;
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** A user's status across sessions: the most present one wins; invisible counts as offline to others. */
export function aggregateStatus(sessions: SessionPresence[]): {
  status: Exclude<Status, 'invisible'>;
  activities: unknown[];
} {
  const rank: Record<Status, number> = { online: 4, dnd: 3, idle: 2, invisible: 0, offline: 0 };
  const best = sessions.reduce<SessionPresence | null>(
    (a, b) => (!a || rank[b.status] > rank[a.status] ? b : a),
    null,
  );
  if (!best || rank[best.status] === 0) return { status: 'offline', activities: [] };
  return { status: best.status as Exclude<Status, 'invisible'>, activities: best.activities };
}
