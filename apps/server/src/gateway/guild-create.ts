import type { Member } from '@hearth/protocol';
import type { CachedSnapshot, SharedMembers } from '../domain/gateway/guild-cache';
import type { PresenceWire } from '../domain/presence/presence.service';
import type { SessionState } from './session-state';

/** The JSON of snapshot objects, encoded once each: snapshots are never changed in place (guild-cache.ts). */
const encodings = new WeakMap<object, string>();
function json(o: object): string {
  let text = encodings.get(o);
  if (text === undefined) {
    text = JSON.stringify(o);
    encodings.set(o, text);
  }
  return text;
}
const jsonList = (items: object[]) => `[${items.map(json).join(',')}]`;

const COMMA = Buffer.from(',');
const TAIL = Buffer.from(
  '],"voice_states":[],"stage_instances":[],"guild_scheduled_events":[],"soundboard_sounds":[]}}',
);

/** What one session's GUILD_CREATE is made of, beside the guild's snapshot. */
export interface GuildCreateFor {
  state: SessionState;
  userId: string;
  /** The session's own member, listed first. */
  mine: Member;
  /** The user's presence as it is now. */
  myPresence: PresenceWire;
  /** IDENTIFY's `large_threshold`: how many members are listed at most. */
  largeThreshold: number;
  /** Whether GUILD_CREATE carries presences (not for a bot without GUILD_PRESENCES). */
  presences: boolean;
}

/**
 * GUILD_CREATE's `d` and the payload's closing brace, for one session: the channels and active threads it can see,
 * its own member and, up to `large_threshold`, the others (only those online in a guild larger than that), with
 * their presences. The other members are the same for almost every session of the guild: their JSON is encoded
 * once per snapshot and member list (see `otherMembers`), so a session's own part is all that is encoded for it.
 */
export function guildCreateJson(snapshot: CachedSnapshot, to: GuildCreateFor): Buffer {
  const { state, userId: me, mine, myPresence } = to;
  const guildId = snapshot.id;
  const large = snapshot.memberCount > to.largeThreshold;
  const others = otherMembers(snapshot, large, to.largeThreshold - 1, me);
  const myPresences = to.presences && myPresence.status !== 'offline' ? JSON.stringify(myPresence) : '';
  const head = [
    json(snapshot.guild).slice(0, -1),
    `"joined_at":${JSON.stringify(mine.joined_at)}`,
    `"member_count":${snapshot.memberCount}`,
    `"large":${large}`,
    '"unavailable":false',
    `"channels":${jsonList(snapshot.channels.filter((c) => state.canView(guildId, c.id)))}`,
    `"threads":${jsonList(snapshot.threads.filter((t) => state.canView(guildId, t.id)))}`,
    `"members":[${JSON.stringify(mine)}`,
  ].join(',');
  const parts: Buffer[] = [Buffer.from(head)];
  if (others.members.length) parts.push(COMMA, others.members);
  parts.push(Buffer.from(`],"presences":[${myPresences}`));
  if (to.presences && others.presences.length) {
    if (myPresences) parts.push(COMMA);
    parts.push(others.presences);
  }
  parts.push(TAIL);
  return Buffer.concat(parts);
}

/**
 * The first `count` members listed in a guild's GUILD_CREATE besides user `me`: the first by id, or in a large
 * guild the first of those online. Most sessions share one list (encoded once, kept on the snapshot); a member
 * who is among them gets a list of their own.
 */
function otherMembers(snapshot: CachedSnapshot, large: boolean, count: number, me: string): SharedMembers {
  const key = `${large ? 'online' : 'listed'}:${count}`;
  const from = large ? snapshot.online : snapshot.listed;
  let shared = snapshot.memberLists.get(key);
  if (shared && shared.validUntil <= Date.now()) shared = undefined;
  if (!shared) {
    shared = encodeMembers(snapshot, firstIds(from, count, null), count);
    snapshot.memberLists.set(key, shared);
  }
  return shared.ids.has(me) ? encodeMembers(snapshot, firstIds(from, count, me), count) : shared;
}

function firstIds(from: Map<string, unknown>, count: number, except: string | null): string[] {
  const ids: string[] = [];
  for (const id of from.keys()) {
    if (ids.length >= count) break;
    if (id !== except) ids.push(id);
  }
  return ids;
}

/** The members `ids` and the presences of those online, each as comma-separated JSON. */
function encodeMembers(snapshot: CachedSnapshot, ids: string[], count: number): SharedMembers {
  const now = Date.now();
  let validUntil = Number.POSITIVE_INFINITY;
  const members: string[] = [];
  const presences: string[] = [];
  for (const id of ids) {
    const member = snapshot.listed.get(id)!;
    const until = member.communication_disabled_until ? Date.parse(member.communication_disabled_until) : 0;
    // A timeout that has run out since the snapshot was read shows none; one still running expires this list.
    if (until > now) validUntil = Math.min(validUntil, until);
    members.push(
      until && until <= now
        ? JSON.stringify({ ...member, communication_disabled_until: null })
        : json(member),
    );
    const presence = snapshot.online.get(id);
    if (presence) presences.push(json(presence));
  }
  return {
    ids: new Set(ids),
    full: ids.length >= count,
    members: Buffer.from(members.join(',')),
    presences: Buffer.from(presences.join(',')),
    validUntil,
  };
}
