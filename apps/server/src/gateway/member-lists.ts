import {
  computeChannelPermissions,
  hasPermission,
  type OverwriteData,
  Permission,
  type RoleData,
} from '@hearth/permissions';
import type { HearthEvent, Member, Presence } from '@hearth/protocol';
import type { CachedChannel } from '../domain/guilds/guild-access';
import { clip, type Edit, type ListEntry, MemberList, type Range, sortKey } from './member-list';
import type { GatewayOptions } from './options';
import type { Session } from './session';

/** Bounds of one op 14 (ADR 0041): what a client may ask to be kept in sync. */
export const LAZY_LIMITS = {
  /** Channels whose lists one session follows in one guild (a request names at most this many). */
  channels: 5,
  /** Ranges per channel. */
  ranges: 5,
  /** Items per range (`[0, 99]` is 100). */
  rangeSize: 100,
  /** The highest index a range may reach. */
  maxIndex: 100_000,
  /** Members whose presences one session follows by id in one guild (op 14 `members`). */
  members: 100,
  /** Guilds in which one session follows lists at once; past it the oldest is dropped. */
  guilds: 10,
} as const;

/** Discord leaves offline members out of the list of a guild this large. */
const OFFLINE_LISTED_BELOW = 1000;

/** Pages in which a guild's members are read when its roster is first needed. */
const PAGE = 1000;

interface ListRole extends RoleData {
  hoist: boolean;
}

/** The ranges one or more sessions follow alike, with the sessions: ops are made and encoded once for them. */
interface Audience {
  ranges: Range[];
  sessions: Set<Session>;
}

/** One member list of a guild (all channels whose view permission is the same share it), with its followers. */
interface FollowedList {
  id: string;
  /** A channel it is the list of: its overwrites decide who is listed. */
  channelId: string;
  list: MemberList;
  audiences: Map<string, Audience>;
}

/** What this process knows of a guild whose member list someone follows: every member, the roles, the channels. */
interface Roster {
  guildId: string;
  ownerId: string;
  roles: Map<string, ListRole>;
  /** `roles` as the permission engine takes them, made again when a role changes. */
  roleList: ListRole[] | null;
  channels: Map<string, CachedChannel>;
  members: Map<string, ListEntry>;
  online: number;
  lists: Map<string, FollowedList>;
}

interface RosterEntry {
  roster: Roster | null;
  /** Events that arrived while the roster was read, applied once it is (they are absolute, so replays converge). */
  queued: HearthEvent[];
  loading: Promise<Roster | null>;
  /** Follow requests under way: the roster is kept for them even while no list has followers. */
  pending: number;
}

/** One session's subscription in one guild: the list and ranges per channel it asked for. */
interface Following {
  channels: Map<string, { listId: string; ranges: Range[] }>;
}

const offline = (id: string): Presence => ({
  user: { id },
  status: 'offline',
  activities: [],
  client_status: {},
});

/** A list's id as Discord makes it: "everyone" when everyone sees the channel, else a hash of its view overwrites. */
function listIdOf(roster: Pick<Roster, 'guildId' | 'roles'>, channel: CachedChannel): string {
  const view = channel.overwrites
    .filter((o) => (o.allow | o.deny) & Permission.VIEW_CHANNEL)
    .map((o) => `${o.allow & Permission.VIEW_CHANNEL ? 'allow' : 'deny'}:${o.id}`)
    .sort();
  const everyone = roster.roles.get(roster.guildId);
  if (!view.length && everyone && everyone.permissions & (Permission.VIEW_CHANNEL | Permission.ADMINISTRATOR))
    return 'everyone';
  // FNV-1a, 32 bits: the id only has to be the same for the same overwrites.
  let h = 0x811c9dc5;
  for (const ch of view.join(',')) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return String(h);
}

/**
 * The lazy member lists of this process (op 14 `channels` → GUILD_MEMBER_LIST_UPDATE, ADR 0041). A guild's roster is
 * read once, when a session here first follows one of its lists, and kept current from the bus events every
 * process already receives; a change then costs an update to the sessions whose ranges it touches, and no database
 * read. The roster goes when its last follower does.
 */
export class MemberLists {
  private readonly rosters = new Map<string, RosterEntry>();
  private readonly following = new Map<Session, Map<string, Following>>();

  constructor(private readonly opts: Pick<GatewayOptions, 'services' | 'log'>) {}

  /** Whether any session here follows a list of the guild (or is about to). */
  has(guildId: string): boolean {
    return this.rosters.has(guildId);
  }

  /**
   * op 14 `channels` for one guild: the session now follows these channels' lists in these ranges (replacing what
   * it followed there), and gets a SYNC of each range. Channels it cannot view are left out. Invalid requests are
   * rejected by the caller (`parseChannels`).
   */
  async follow(session: Session, guildId: string, channels: Map<string, Range[]>): Promise<void> {
    const entry = this.entry(session, guildId);
    entry.pending++;
    let roster: Roster | null;
    try {
      roster = await entry.loading;
    } finally {
      entry.pending--;
    }
    if (!roster || !session.state.guilds.has(guildId)) {
      this.release(guildId);
      return;
    }
    // What it followed before goes, but not the roster, which it is about to use.
    this.unfollow(session, guildId, { keepRoster: true });
    const mine: Following = { channels: new Map() };
    const synced = new Map<string, { list: FollowedList; ranges: Range[] }>();
    for (const [channelId, ranges] of channels) {
      const channel = roster.channels.get(channelId);
      if (!channel || !session.state.canView(guildId, channelId)) continue;
      const list = this.listOf(roster, channel);
      mine.channels.set(channelId, { listId: list.id, ranges });
      this.join(list, session, ranges);
      synced.set(list.id, { list, ranges });
    }
    if (!mine.channels.size) {
      this.release(guildId);
      return;
    }
    let guilds = this.following.get(session);
    if (!guilds) {
      guilds = new Map();
      this.following.set(session, guilds);
    }
    guilds.set(guildId, mine);
    if (guilds.size > LAZY_LIMITS.guilds) this.unfollow(session, guilds.keys().next().value!);
    for (const { list, ranges } of synced.values())
      session.dispatch('GUILD_MEMBER_LIST_UPDATE', {
        ...this.head(roster, list),
        ops: ranges.map((range) => ({ op: 'SYNC', range, items: list.list.items(range) })),
      });
  }

  /** The session follows no list of the guild any more (left it, lost the channel, or asked again). */
  unfollow(session: Session, guildId: string, opts: { keepRoster?: boolean } = {}): void {
    const guilds = this.following.get(session);
    const mine = guilds?.get(guildId);
    if (!guilds || !mine) return;
    guilds.delete(guildId);
    if (!guilds.size) this.following.delete(session);
    const roster = this.rosters.get(guildId)?.roster;
    for (const { listId } of mine.channels.values()) {
      const list = roster?.lists.get(listId);
      if (list) this.leave(list, session);
    }
    if (!opts.keepRoster) this.release(guildId);
  }

  /** A session ended: it follows nothing. */
  forget(session: Session): void {
    for (const guildId of [...(this.following.get(session)?.keys() ?? [])]) this.unfollow(session, guildId);
  }

  /** After an event that may change what sessions see: those that lost a guild or channel they follow stop. */
  recheck(guildId: string): void {
    for (const [session, guilds] of this.following) {
      const mine = guilds.get(guildId);
      if (!mine) continue;
      const lost = [...mine.channels.keys()].some((c) => !session.state.canView(guildId, c));
      if (lost || !session.state.guilds.has(guildId)) this.unfollow(session, guildId);
    }
  }

  /**
   * A guild event: the roster follows it and each list's followers get the ops their ranges need. For a
   * PRESENCE_UPDATE, returns the sessions whose ranges showed the member before or after it: they get the
   * PRESENCE_UPDATE too, whatever the guild's size.
   */
  observe(guildId: string, event: HearthEvent): Set<Session> | null {
    const entry = this.rosters.get(guildId);
    if (!entry) return null;
    if (!entry.roster) {
      entry.queued.push(event);
      return null;
    }
    return this.apply(entry.roster, event, true);
  }

  private apply(roster: Roster, event: HearthEvent, send: boolean): Set<Session> | null {
    switch (event.t) {
      case 'PRESENCE_UPDATE': {
        const { user, status, activities, client_status } = event.d;
        const prev = roster.members.get(user.id);
        if (!prev) return null;
        const presence: Presence = { user: { id: user.id }, status, activities, client_status };
        roster.online += (status !== 'offline' ? 1 : 0) - (prev.presence.status !== 'offline' ? 1 : 0);
        return this.change(roster, { ...prev, presence }, send, true);
      }
      case 'GUILD_MEMBER_ADD':
      case 'GUILD_MEMBER_UPDATE': {
        const id = event.d.user?.id;
        if (!id) return null;
        const prev = roster.members.get(id);
        const { guild_id: _, ...member } = event.d;
        const merged = { ...prev?.member, ...member } as Member;
        this.change(
          roster,
          { id, member: merged, presence: prev?.presence ?? offline(id), key: sortKey(merged) },
          send,
        );
        return null;
      }
      case 'GUILD_MEMBER_REMOVE': {
        const id = event.d.user?.id;
        const prev = id ? roster.members.get(id) : undefined;
        if (!id || !prev) return null;
        if (prev.presence.status !== 'offline') roster.online--;
        roster.members.delete(id);
        this.edit(roster, (list) => list.list.set(id, null), send);
        return null;
      }
      case 'GUILD_ROLE_CREATE':
      case 'GUILD_ROLE_UPDATE': {
        const { role } = event.d;
        roster.roles.set(role.id, {
          id: role.id,
          permissions: BigInt(role.permissions),
          position: role.position,
          hoist: role.hoist,
        });
        roster.roleList = null;
        this.regroup(roster, send);
        return null;
      }
      case 'GUILD_ROLE_DELETE': {
        roster.roles.delete(event.d.role_id);
        roster.roleList = null;
        this.regroup(roster, send);
        return null;
      }
      case 'GUILD_UPDATE': {
        if (event.d.owner_id && event.d.owner_id !== roster.ownerId) {
          roster.ownerId = event.d.owner_id;
          this.regroup(roster, send);
        }
        return null;
      }
      case 'CHANNEL_CREATE':
      case 'CHANNEL_UPDATE': {
        const c = event.d;
        if (!c.id) return null;
        roster.channels.set(c.id, {
          id: c.id,
          type: c.type ?? 0,
          parentId: c.parent_id ?? null,
          overwrites: (c.permission_overwrites ?? []).map(
            (o): OverwriteData => ({
              id: o.id,
              type: o.type === 1 ? 1 : 0,
              allow: BigInt(o.allow),
              deny: BigInt(o.deny),
            }),
          ),
        });
        if (event.t === 'CHANNEL_UPDATE') this.channelChanged(roster, c.id);
        return null;
      }
      case 'CHANNEL_DELETE':
        if (event.d.id) {
          roster.channels.delete(event.d.id);
          this.channelChanged(roster, event.d.id);
        }
        return null;
      default:
        return null;
    }
  }

  /** One member changed: every list places them again; returns who saw them (for presences). */
  private change(roster: Roster, next: ListEntry, send: boolean, seen = false): Set<Session> | null {
    roster.members.set(next.id, next);
    const saw = seen ? new Set<Session>() : null;
    for (const list of roster.lists.values()) {
      const before = saw ? list.list.indexOf(next.id) : -1;
      const edits = list.list.set(next.id, next);
      const after = saw ? list.list.indexOf(next.id) : -1;
      if (send) this.send(roster, list, edits);
      if (saw)
        for (const audience of list.audiences.values())
          if (audience.ranges.some(([s, e]) => (before >= s && before <= e) || (after >= s && after <= e)))
            for (const session of audience.sessions) saw.add(session);
    }
    return saw;
  }

  private edit(roster: Roster, edit: (list: FollowedList) => Edit[], send: boolean): void {
    for (const list of roster.lists.values()) {
      const edits = edit(list);
      if (send) this.send(roster, list, edits);
    }
  }

  /** The groups or who may see a list changed: every list is rebuilt and its followers get their ranges again. */
  private regroup(roster: Roster, send: boolean): void {
    for (const list of roster.lists.values()) {
      list.list.regroup(groupOrder(roster), roster.members.values());
      if (send)
        for (const audience of list.audiences.values())
          this.dispatch(roster, list, audience, [
            ...audience.ranges.map((range) => ({ op: 'INVALIDATE', range })),
            ...audience.ranges.map((range) => ({ op: 'SYNC', range, items: list.list.items(range) })),
          ]);
    }
  }

  /** A channel's overwrites changed or it went: its followers are told their ranges are stale and stop. */
  private channelChanged(roster: Roster, channelId: string): void {
    for (const [session, guilds] of this.following) {
      const mine = guilds.get(roster.guildId);
      const followed = mine?.channels.get(channelId);
      if (!followed) continue;
      const list = roster.lists.get(followed.listId);
      if (list)
        session.dispatch('GUILD_MEMBER_LIST_UPDATE', {
          ...this.head(roster, list),
          ops: followed.ranges.map((range) => ({ op: 'INVALIDATE', range })),
        });
      this.unfollow(session, roster.guildId);
    }
    // The list the channel named may now be another: rebuilt from the overwrites of a channel that still has it.
    for (const list of roster.lists.values())
      if (list.channelId === channelId) {
        const other = [...roster.channels.values()].find((c) => listIdOf(roster, c) === list.id);
        if (other) {
          list.channelId = other.id;
          this.regroup(roster, true);
        } else roster.lists.delete(list.id);
      }
  }

  private send(roster: Roster, list: FollowedList, edits: Edit[]): void {
    if (!edits.length) return;
    for (const audience of list.audiences.values()) {
      const ops = clip(edits, audience.ranges);
      if (ops.length) this.dispatch(roster, list, audience, ops);
    }
  }

  /** One GUILD_MEMBER_LIST_UPDATE, encoded once, to every session of an audience. */
  private dispatch(roster: Roster, list: FollowedList, audience: Audience, ops: unknown[]): void {
    const rest = Buffer.from(`${JSON.stringify({ ...this.head(roster, list), ops })}}`);
    for (const session of audience.sessions) session.dispatchShared('GUILD_MEMBER_LIST_UPDATE', rest);
  }

  private head(roster: Roster, list: FollowedList) {
    return {
      id: list.id,
      guild_id: roster.guildId,
      member_count: roster.members.size,
      online_count: roster.online,
      groups: list.list.groupsWire(),
    };
  }

  private listOf(roster: Roster, channel: CachedChannel): FollowedList {
    const id = listIdOf(roster, channel);
    let list = roster.lists.get(id);
    if (!list) {
      const followed: FollowedList = {
        id,
        channelId: channel.id,
        list: new MemberList([], () => null),
        audiences: new Map(),
      };
      followed.list = new MemberList(groupOrder(roster), (e) => this.place(roster, followed.channelId, e));
      followed.list.regroup(groupOrder(roster), roster.members.values());
      roster.lists.set(id, followed);
      list = followed;
    }
    return list;
  }

  /** Where a member goes in a channel's list: not at all without VIEW_CHANNEL, else their group. */
  private place(roster: Roster, channelId: string, entry: ListEntry): string | null {
    const channel = roster.channels.get(channelId);
    if (!channel) return null;
    roster.roleList ??= [...roster.roles.values()];
    const perms = computeChannelPermissions(
      {
        id: roster.guildId,
        ownerId: roster.ownerId,
        roles: roster.roleList,
      },
      { userId: entry.id, roleIds: entry.member.roles ?? [] },
      channel.overwrites,
    );
    if (!hasPermission(perms, Permission.VIEW_CHANNEL)) return null;
    if (entry.presence.status === 'offline')
      return roster.members.size < OFFLINE_LISTED_BELOW ? 'offline' : null;
    let hoisted: ListRole | null = null;
    for (const id of entry.member.roles ?? []) {
      const role = roster.roles.get(id);
      if (role?.hoist && (!hoisted || role.position > hoisted.position)) hoisted = role;
    }
    return hoisted?.id ?? 'online';
  }

  private join(list: FollowedList, session: Session, ranges: Range[]): void {
    const key = JSON.stringify(ranges);
    let audience = list.audiences.get(key);
    if (!audience) {
      audience = { ranges, sessions: new Set() };
      list.audiences.set(key, audience);
      list.list.track(ranges, 1);
    }
    audience.sessions.add(session);
  }

  private leave(list: FollowedList, session: Session): void {
    for (const [key, audience] of list.audiences)
      if (audience.sessions.delete(session) && !audience.sessions.size) {
        list.audiences.delete(key);
        list.list.track(audience.ranges, -1);
      }
  }

  /** A roster nobody here follows any more is dropped (read again when someone does). */
  private release(guildId: string): void {
    const entry = this.rosters.get(guildId);
    if (!entry?.roster || entry.pending) return;
    for (const [id, list] of entry.roster.lists) if (!list.audiences.size) entry.roster.lists.delete(id);
    if (!entry.roster.lists.size) this.rosters.delete(guildId);
  }

  /** The guild's roster, read through the session (who is a member: the reads are authorized as theirs). */
  private entry(session: Session, guildId: string): RosterEntry {
    const held = this.rosters.get(guildId);
    if (held) return held;
    const entry: RosterEntry = { roster: null, queued: [], loading: Promise.resolve(null), pending: 0 };
    entry.loading = this.read(session, guildId).then(
      (roster) => {
        if (!roster) {
          this.rosters.delete(guildId);
          return null;
        }
        for (const event of entry.queued) this.apply(roster, event, false);
        entry.queued = [];
        entry.roster = roster;
        return roster;
      },
      (err) => {
        this.rosters.delete(guildId);
        throw err;
      },
    );
    this.rosters.set(guildId, entry);
    return entry;
  }

  private async read(session: Session, guildId: string): Promise<Roster | null> {
    const cached = session.state.guilds.get(guildId);
    if (!cached) return null;
    const { roles, members, presence } = this.opts.services;
    const [roleList, memberList] = await Promise.all([
      roles.list(session.principal, guildId),
      (async () => {
        const all: Member[] = [];
        for (let after: string | undefined; ; ) {
          const page = await members.list(session.principal, guildId, { limit: PAGE, after });
          all.push(...page);
          if (page.length < PAGE) return all;
          after = page[page.length - 1].user?.id;
        }
      })(),
    ]);
    const presences = await presence.many(memberList.map((m) => m.user!.id));
    const roster: Roster = {
      guildId,
      ownerId: cached.ownerId,
      roles: new Map(
        roleList.map((r) => [
          r.id,
          { id: r.id, permissions: BigInt(r.permissions), position: r.position, hoist: r.hoist },
        ]),
      ),
      roleList: null,
      channels: new Map(cached.channels),
      members: new Map(),
      online: 0,
      lists: new Map(),
    };
    memberList.forEach((member, i) => {
      const id = member.user!.id;
      const p = presences[i];
      if (p.status !== 'offline') roster.online++;
      roster.members.set(id, { id, member, presence: p as Presence, key: sortKey(member) });
    });
    return roster;
  }
}

/** Hoisted roles from the highest, then online, then offline. */
function groupOrder(roster: Roster): string[] {
  const hoisted = [...roster.roles.values()]
    .filter((r) => r.hoist && r.id !== roster.guildId)
    .sort((a, b) => b.position - a.position || (a.id < b.id ? -1 : 1))
    .map((r) => r.id);
  return [...hoisted, 'online', 'offline'];
}

/**
 * op 14's `channels` for one guild, validated: an object of at most `LAZY_LIMITS.channels` channel ids, each with at
 * most `ranges` ranges `[start, end]` of integers, 0 ≤ start ≤ end ≤ maxIndex, at most `rangeSize` items each.
 * Null when anything is off (the request is ignored as a whole).
 */
export function parseChannels(value: unknown): Map<string, Range[]> | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const entries = Object.entries(value);
  if (entries.length > LAZY_LIMITS.channels) return null;
  const out = new Map<string, Range[]>();
  for (const [channelId, ranges] of entries) {
    if (!/^\d{1,20}$/.test(channelId) || !Array.isArray(ranges) || ranges.length > LAZY_LIMITS.ranges)
      return null;
    const parsed: Range[] = [];
    for (const r of ranges) {
      // In order and apart: overlapping ranges would have the client apply an op twice.
      const last = parsed[parsed.length - 1];
      if (!Array.isArray(r) || r.length !== 2) return null;
      const [s, e] = r;
      if (!Number.isInteger(s) || !Number.isInteger(e) || s < 0 || e < s || e > LAZY_LIMITS.maxIndex)
        return null;
      if (e - s + 1 > LAZY_LIMITS.rangeSize || (last && s <= last[1])) return null;
      parsed.push([s, e]);
    }
    out.set(channelId, parsed);
  }
  return out;
}
