import { asHearthEvent, invalidates, isThreadType, type Member, payloadGuildId } from '@hearth/protocol';
import { BUS_GAP, type BusEvent } from '../../events/bus';
import type { GuildSnapshot } from '../guilds/guilds.service';
import type { PresenceWire } from '../presence/presence.service';

/** Guilds whose snapshots one process keeps; the least recently used go first. */
const MAX_GUILDS = 1000;

/**
 * A snapshot older than this is read again: presences that expired from the store because their process died
 * publish nothing, and this bounds how long GUILD_CREATE could still show them.
 */
const MAX_AGE_MS = 60_000;

/**
 * A guild's snapshot as the cache keeps it: with the presences of the members it lists who are online. The objects
 * in it are never changed in place (a change replaces one), so their JSON can be kept with them.
 */
export interface CachedSnapshot extends GuildSnapshot {
  /** `members` by user id. */
  listed: Map<string, Member>;
  /** The presences of the members listed who are online. */
  online: Map<string, PresenceWire>;
  /** The member lists GUILD_CREATE shares between sessions, encoded (see gateway/guild-create.ts), by kind and size. */
  memberLists: Map<string, SharedMembers>;
}

/** Members that many sessions' GUILD_CREATEs list alike, with their presences, as JSON encoded once. */
export interface SharedMembers {
  ids: Set<string>;
  /** Whether as many were listed as asked for: a list that was not also changes when someone comes online. */
  full: boolean;
  /** The members' JSON, comma-separated. */
  members: Buffer;
  /** The JSON of the presences of those online, comma-separated. */
  presences: Buffer;
  /** When a timeout among them runs out (the JSON still shows it): the list is encoded again from then on. */
  validUntil: number;
}

interface Entry {
  promise: Promise<CachedSnapshot | null>;
  /** Set once loaded and every change queued meanwhile is applied; changes then apply at once. */
  snapshot?: CachedSnapshot | null;
  queued: Array<(s: CachedSnapshot) => void>;
  loadedAt: number;
}

/**
 * One process's snapshots of the guild-wide part of GUILD_CREATE, so that an identify storm reads each guild once.
 * Every bus event passes through `observe` before any session sees it: a message or a presence updates the
 * snapshot, any other event that can change it drops it (app.ts subscribes it to the bus ahead of the gateway).
 * A session reads snapshots only after it receives the guild's events (gateway/routing.ts holds them for it), so a
 * snapshot that predates an event is only ever followed by that event: a session never keeps stale data.
 */
export class GuildCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly load: (guildId: string) => Promise<GuildSnapshot | null>,
    private readonly presences: (userIds: string[]) => Promise<PresenceWire[]>,
  ) {}

  get(guildId: string): Promise<CachedSnapshot | null> {
    const held = this.entries.get(guildId);
    if (held && (held.snapshot === undefined || Date.now() - held.loadedAt < MAX_AGE_MS)) {
      this.entries.delete(guildId);
      this.entries.set(guildId, held);
      return held.promise;
    }
    const entry: Entry = { promise: this.read(guildId), queued: [], loadedAt: Date.now() };
    entry.promise = entry.promise.then((snapshot) => {
      if (snapshot) for (const change of entry.queued) change(snapshot);
      entry.queued = [];
      entry.snapshot = snapshot;
      return snapshot;
    });
    // A failed load is not kept: the next reader tries again.
    entry.promise.catch(() => this.drop(guildId, entry));
    this.entries.delete(guildId);
    this.entries.set(guildId, entry);
    if (this.entries.size > MAX_GUILDS) this.entries.delete(this.entries.keys().next().value!);
    return entry.promise;
  }

  /** Brings the snapshots up to date with one bus event (called before the event reaches any session). */
  observe(event: BusEvent): void {
    if (event.t === BUS_GAP) {
      this.entries.clear();
      return;
    }
    // Only the catalog's events concern snapshots (not the gateways' handoff messages).
    const e = asHearthEvent(event);
    if (!e) return;
    if (e.t === 'USER_UPDATE') {
      // A user's name or avatar, as listed in the member lists they appear in.
      const userId = e.d.id;
      for (const [guildId, entry] of this.entries)
        if (entry.snapshot === undefined || (userId && entry.snapshot?.listed.has(userId)))
          this.drop(guildId, entry);
      return;
    }
    const [kind, id] = e.topic.split(':');
    const guildId = kind === 'guild' ? id : payloadGuildId(e);
    const entry = guildId ? this.entries.get(guildId) : undefined;
    if (!guildId || !entry) return;
    if (e.t === 'PRESENCE_UPDATE') {
      // Changes the presences kept, in place.
      if (!e.d.user) return;
      const { guild_id: _, ...presence } = e.d;
      const userId = presence.user.id;
      this.change(entry, (s) => {
        if (!s.listed.has(userId)) return;
        if (presence.status === 'offline') s.online.delete(userId);
        else s.online.set(userId, presence);
        // Who comes online joins the end of the online members: only a list short of its size, or one that lists
        // them, changes.
        for (const [key, list] of s.memberLists)
          if (!list.full || list.ids.has(userId)) s.memberLists.delete(key);
      });
      return;
    }
    if (e.t === 'MESSAGE_CREATE' && e.d.channel_type !== undefined && !isThreadType(e.d.channel_type)) {
      // A channel's last_message_id moves forward (in threads, messages also change counts: those drop it).
      const { channel_id: channelId, id: messageId } = e.d;
      this.change(entry, (s) => {
        const at = s.channels.findIndex((c) => c.id === channelId);
        const channel = s.channels[at];
        if (channel && messageId && isNewer(messageId, channel.last_message_id))
          s.channels[at] = { ...channel, last_message_id: messageId };
      });
      return;
    }
    // Any other event after which the snapshot may no longer be what the database holds.
    if (invalidates(e.t, 'guild-snapshot')) this.drop(guildId, entry);
  }

  /** The snapshot, and the presences of the members it lists. */
  private async read(guildId: string): Promise<CachedSnapshot | null> {
    const snapshot = await this.load(guildId);
    if (!snapshot) return null;
    const listed = new Map(snapshot.members.map((m) => [m.user!.id, m]));
    const presences = await this.presences([...listed.keys()]);
    return {
      ...snapshot,
      listed,
      online: new Map(presences.filter((p) => p.status !== 'offline').map((p) => [p.user.id, p])),
      memberLists: new Map(),
    };
  }

  /** Applies a change now, or, while the snapshot loads, once it has loaded (in the order the events came). */
  private change(entry: Entry, apply: (s: CachedSnapshot) => void): void {
    if (entry.snapshot) apply(entry.snapshot);
    else if (entry.snapshot === undefined) entry.queued.push(apply);
  }

  private drop(guildId: string, entry: Entry): void {
    if (this.entries.get(guildId) === entry) this.entries.delete(guildId);
  }
}

/** Whether snowflake `a` is later than `b` (or `b` is unset). */
function isNewer(a: string, b: string | null | undefined): boolean {
  return !b || a.length > b.length || (a.length === b.length && a > b);
}
