import { Intent, type Member } from '@hearth/protocol';
import type { CachedSnapshot, SharedMembers } from '../domain/gateway/guild-cache';
import type { GuildStart } from '../domain/gateway/session-data.service';
import type { PresenceWire } from '../domain/presence/presence.service';
import type { Session } from './session';
import type { SessionState } from './session-state';

/** `encode(o)`, computed once per object: snapshots are never changed in place (guild-cache.ts). */
function once<T>(cache: WeakMap<object, T>, o: object, encode: (o: object) => T): T {
  let encoded = cache.get(o);
  if (encoded === undefined) {
    encoded = encode(o);
    cache.set(o, encoded);
  }
  return encoded;
}

const texts = new WeakMap<object, string>();
const bytes = new WeakMap<object, Buffer>();
const openGuilds = new WeakMap<object, Buffer>();
/** A member's or presence's JSON (joined into shared member lists). */
const json = (o: object) => once(texts, o, (x) => JSON.stringify(x));
/** A channel's or thread's JSON as bytes, copied into every message that lists it. */
const encoded = (o: object) => once(bytes, o, (x) => Buffer.from(JSON.stringify(x)));
/** The guild object without its closing brace, as bytes: GUILD_CREATE's own fields follow it. */
const openGuild = (guild: object) =>
  once(openGuilds, guild, (x) => Buffer.from(JSON.stringify(x).slice(0, -1)));

const COMMA = Buffer.from(',');
const VOICE_STATES = Buffer.from('],"voice_states":[');
const EVENTS = Buffer.from('],"stage_instances":[],"guild_scheduled_events":[');
const TAIL = Buffer.from('],"soundboard_sounds":[]}}');

/** What one session's GUILD_CREATE is made of, beside the guild's snapshot. */
interface GuildCreateFor {
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
 * GUILD_CREATE's `d` and the payload's closing brace, for one session, as parts that Session.dispatchParts writes
 * behind the dispatch head as one frame and keeps for RESUME without joining them: the channels and active threads
 * it can see, its own member and, up to `large_threshold`, the others (only those online in a guild larger than that), with their presences. The guild
 * object, each channel and the other members (the same for almost every session of the guild, see `otherMembers`)
 * are encoded once per snapshot object, so a session's own part is all that is encoded for it.
 */
function guildCreateParts(snapshot: CachedSnapshot, to: GuildCreateFor): Buffer[] {
  const { state, userId: me, mine, myPresence } = to;
  const guildId = snapshot.id;
  const large = snapshot.memberCount > to.largeThreshold;
  const others = otherMembers(snapshot, large, to.largeThreshold - 1, me);
  const myPresences = to.presences && myPresence.status !== 'offline' ? JSON.stringify(myPresence) : '';
  const parts: Buffer[] = [
    openGuild(snapshot.guild),
    Buffer.from(
      `,"joined_at":${JSON.stringify(mine.joined_at)},"member_count":${snapshot.memberCount},"large":${large},"unavailable":false,"channels":[`,
    ),
  ];
  list(parts, snapshot.channels, (c) => state.canView(guildId, c.id));
  parts.push(Buffer.from('],"threads":['));
  list(parts, snapshot.threads, (t) => state.canView(guildId, t.id));
  parts.push(Buffer.from(`],"members":[${JSON.stringify(mine)}`));
  if (others.members.length) parts.push(COMMA, others.members);
  parts.push(Buffer.from(`],"presences":[${myPresences}`));
  if (to.presences && others.presences.length) {
    if (myPresences) parts.push(COMMA);
    parts.push(others.presences);
  }
  parts.push(VOICE_STATES);
  // Who is in voice, in the channels the session can view (as VOICE_STATE_UPDATE goes).
  list(parts, snapshot.voiceStates, (v) => !!v.channel_id && state.canView(guildId, v.channel_id));
  parts.push(EVENTS);
  // An event hosted in a channel is listed for those who can view the channel.
  list(parts, snapshot.scheduledEvents, (e) => !e.channel_id || state.canView(guildId, e.channel_id));
  parts.push(TAIL);
  return parts;
}

/** Appends the JSON of the `items` that pass `keep`, comma-separated. */
function list<T extends object>(parts: Buffer[], items: T[], keep: (item: T) => boolean): void {
  let first = true;
  for (const item of items) {
    if (!keep(item)) continue;
    if (!first) parts.push(COMMA);
    parts.push(encoded(item));
    first = false;
  }
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

/**
 * GUILD_CREATE for one session, from the guild's snapshot. Whether the session gets every PRESENCE_UPDATE of the
 * guild from now on is decided here (ADR 0011).
 */
export function sendGuildCreate(
  session: Session,
  { snapshot, member: mine }: GuildStart,
  myPresence: PresenceWire,
): void {
  const { principal } = session;
  const guildId = snapshot.id;
  const large = snapshot.memberCount > session.largeThreshold;
  const wantsPresences = !principal.bot || !!(session.intents & Intent.GuildPresences);
  if (wantsPresences && (!large || principal.bot)) session.presenceGuilds.add(guildId);
  else session.presenceGuilds.delete(guildId);
  const parts = guildCreateParts(snapshot, {
    state: session.state,
    userId: principal.userId,
    mine,
    myPresence,
    largeThreshold: session.largeThreshold,
    presences: wantsPresences,
  });
  session.dispatchParts('GUILD_CREATE', parts);
}
