import type { Presence } from '@hearth/protocol';
import { Topic } from '../../events/publisher';
import {
  aggregateStatus,
  type PresenceStore,
  type SessionPresence,
  type Status,
} from '../../state/presence-store';
import type { Deps } from '../deps';

const STATUSES = new Set(['online', 'idle', 'dnd', 'invisible', 'offline']);

/** A presence as the gateway carries it (the event catalog's). */
export type PresenceWire = Presence;

/** Presence is per user across all their sessions; changes reach the members of the guilds they share. */
export class PresenceService {
  constructor(
    private readonly deps: Deps,
    private readonly store: PresenceStore,
  ) {}

  /** Validates an op 3 / IDENTIFY presence; null when it is not one. */
  parse(d: unknown): Pick<SessionPresence, 'status' | 'activities'> | null {
    if (!d || typeof d !== 'object') return null;
    const p = d as { status?: unknown; activities?: unknown };
    const status = typeof p.status === 'string' && STATUSES.has(p.status) ? (p.status as Status) : 'online';
    const activities = Array.isArray(p.activities)
      ? p.activities
          .filter(
            (a): a is { name: string; type?: number; state?: string } =>
              !!a && typeof a === 'object' && typeof (a as { name?: unknown }).name === 'string',
          )
          .slice(0, 5)
          .map((a) => ({
            name: String(a.name).slice(0, 128),
            type: Number.isInteger(a.type) ? a.type : 0,
            ...(typeof a.state === 'string' ? { state: a.state.slice(0, 128) } : {}),
          }))
      : [];
    return { status, activities };
  }

  /**
   * Records one session's presence and tells the user's guilds when the user's overall presence changed; resolves
   * to that overall presence.
   */
  async set(
    userId: string,
    sessionId: string,
    presence: Pick<SessionPresence, 'status' | 'activities'> | null,
    guildIds: string[],
  ): Promise<PresenceWire> {
    const before = await this.of(userId);
    if (presence) await this.store.set(userId, sessionId, { ...presence, at: Date.now() });
    else await this.store.remove(userId, sessionId);
    const after = await this.of(userId);
    if (JSON.stringify(before) !== JSON.stringify(after))
      for (const guildId of guildIds)
        this.deps.events.publish('PRESENCE_UPDATE', Topic.guild(guildId), { ...after, guild_id: guildId });
    return after;
  }

  /** Whether the user has any gateway session left, on any process (invisible ones included). */
  async connected(userId: string): Promise<boolean> {
    return !!(await this.store.get([userId])).get(userId)?.length;
  }

  /** Tells a guild the user just joined how they are (nothing when offline, as then nothing changed). */
  async announce(userId: string, guildId: string): Promise<void> {
    const now = await this.of(userId);
    if (now.status !== 'offline')
      this.deps.events.publish('PRESENCE_UPDATE', Topic.guild(guildId), { ...now, guild_id: guildId });
  }

  /** Re-stamps live sessions' presences so the store keeps them (nothing changes, so nothing is published). */
  async refresh(
    sessions: Array<{
      userId: string;
      sessionId: string;
      presence: Pick<SessionPresence, 'status' | 'activities'>;
    }>,
  ): Promise<void> {
    const at = Date.now();
    await this.store.setMany(
      sessions.map((s) => ({ userId: s.userId, sessionId: s.sessionId, presence: { ...s.presence, at } })),
    );
  }

  async of(userId: string): Promise<PresenceWire> {
    return (await this.many([userId]))[0];
  }

  async many(userIds: string[]): Promise<PresenceWire[]> {
    const sessions = await this.store.get(userIds);
    return userIds.map((id) => {
      const { status, activities } = aggregateStatus(sessions.get(id) ?? []);
      const client_status: Record<string, string> = status === 'offline' ? {} : { desktop: status };
      return { user: { id }, status, activities, client_status };
    });
  }
}
