import { asHearthEvent, eventInfo, isThreadType, makesStale, payloadGuildId } from '@hearth/protocol';
import { BUS_GAP, type BusEvent } from '../../events/bus';
import type { ChannelContext } from './channel-context';

/**
 * How long this process trusts a context part it read. Events drop parts at once; this bounds staleness only where
 * an event is never published (its process died between commit and publish). Events lost for this process
 * (BUS_GAP) clear everything.
 */
const TTL_MS = 30_000;
/** Entries per kind; the oldest go first. */
const MAX_ENTRIES = 20_000;

interface Timed<T> {
  value: T;
  until: number;
}

type GuildPart = Pick<ChannelContext, 'guild' | 'roles'>;
type ChannelPart = Pick<ChannelContext, 'channel' | 'overwrites'>;
type MemberPart = Pick<ChannelContext, 'member' | 'roleIds'>;

/**
 * The channel contexts of message create, kept for a few seconds so that a plain message is one statement. A context
 * is kept in parts that change separately: a guild's row and roles, a channel's row and overwrites, a member's row
 * and roles, and the caller's user row; a send is served from here only when every part is here.
 *
 * Every bus event passes through `observe`, on the process that publishes it (EventPublisher, before the request
 * that made the change is answered) and on every process (the bus). An event that may change a part drops it. A
 * read that started before a drop is not remembered (`begin`/`remember`), so a read racing a kick or a permission
 * change never brings back what it replaced. Only guild text channels outside threads are kept: DMs, threads and
 * channels the caller is not a member of take the full read.
 */
export class ContextCache {
  private readonly guilds = new Map<string, Timed<GuildPart>>();
  private readonly channels = new Map<string, Timed<ChannelPart>>();
  /** By `guildId:userId`. */
  private readonly members = new Map<string, Timed<MemberPart>>();
  private readonly users = new Map<string, Timed<ChannelContext['caller']>>();
  /** Reads in flight, by user: a user's other requests meanwhile wait for it rather than read the same parts. */
  private readonly reading = new Map<string, Promise<unknown>>();
  private generation = 0;

  /** The context of `userId` in `channelId`, when every part of it is here and fresh. */
  get(channelId: string, userId: string, now = Date.now()): ChannelContext | null {
    const channel = fresh(this.channels, channelId, now);
    const guildId = channel?.channel.guildId;
    if (!channel || !guildId) return null;
    const guild = fresh(this.guilds, guildId, now);
    const member = guild && fresh(this.members, `${guildId}:${userId}`, now);
    const caller = member && fresh(this.users, userId, now);
    if (!guild || !member || !caller) return null;
    return { ...channel, ...guild, ...member, caller, recipient: false, threadMember: false };
  }

  /** Marks the start of a database read; pass the result to `remember`. */
  begin(): number {
    return this.generation;
  }

  /**
   * The context from the cache, or else read by `read` and kept. A user's requests that miss while one of theirs is
   * being read (a bot posting to many channels at once) wait for that read and look again: its guild, member and
   * user parts are then here.
   */
  async through(
    channelId: string,
    userId: string,
    read: () => Promise<ChannelContext | null>,
  ): Promise<ChannelContext | null> {
    const cached = this.get(channelId, userId);
    if (cached) return cached;
    const other = this.reading.get(userId);
    if (other) {
      await other.catch(() => {});
      const now = this.get(channelId, userId);
      if (now) return now;
    }
    const started = this.begin();
    const reading = read();
    this.reading.set(userId, reading);
    try {
      const ctx = await reading;
      if (ctx) this.remember(started, userId, ctx);
      return ctx;
    } finally {
      if (this.reading.get(userId) === reading) this.reading.delete(userId);
    }
  }

  /** Keeps a context read since `begin`, unless something was dropped meanwhile or it is not kept at all. */
  remember(started: number, userId: string, ctx: ChannelContext, now = Date.now()): void {
    const { channel, guild, member, caller } = ctx;
    if (started !== this.generation || !guild || !member || !caller || !channel.guildId) return;
    if (isThreadType(channel.type)) return;
    const until = now + TTL_MS;
    put(this.guilds, guild.id, { guild, roles: ctx.roles }, until);
    put(this.channels, channel.id, { channel, overwrites: ctx.overwrites }, until);
    put(this.members, `${guild.id}:${userId}`, { member, roleIds: ctx.roleIds }, until);
    put(this.users, userId, caller, until);
  }

  /** Drops every part that `event` may have changed. */
  observe(event: BusEvent): void {
    // Most of the bus's traffic (messages, reactions, typing, presences) changes nothing a context holds.
    const info = eventInfo(event.t);
    if (info && !info.invalidates.has('context') && !info.invalidates.has('context-member')) return;
    if (event.t === BUS_GAP) {
      this.drop(() => {
        this.guilds.clear();
        this.channels.clear();
        this.members.clear();
        this.users.clear();
      });
      return;
    }
    // A name outside the catalog (a newer process's event) may have changed anything its topic and guild name.
    const e = asHearthEvent(event);
    const [kind, id] = event.topic.split(':');
    if (e?.t === 'USER_UPDATE' && e.d.id) this.dropUser(e.d.id);
    if (kind === 'user') this.dropUser(id);
    if (kind === 'channel') this.drop(() => this.channels.delete(id));
    const guildId = kind === 'guild' ? id : payloadGuildId(event);
    if (!guildId) return;
    // An event about one member of a guild drops that member's part only.
    const memberId = e && makesStale(e, 'context-member') ? e.d.user?.id : undefined;
    if (memberId) {
      this.drop(() => this.members.delete(`${guildId}:${memberId}`));
      return;
    }
    this.drop(() => {
      this.guilds.delete(guildId);
      for (const [key, channel] of this.channels)
        if (channel.value.channel.guildId === guildId) this.channels.delete(key);
      for (const key of this.members.keys()) if (key.startsWith(`${guildId}:`)) this.members.delete(key);
    });
  }

  private dropUser(userId: string): void {
    this.drop(() => {
      this.users.delete(userId);
      for (const key of this.members.keys()) if (key.endsWith(`:${userId}`)) this.members.delete(key);
    });
  }

  private drop(change: () => void): void {
    this.generation++;
    change();
  }
}

function fresh<T>(map: Map<string, Timed<T>>, key: string, now: number): T | null {
  const entry = map.get(key);
  if (!entry) return null;
  if (entry.until > now) return entry.value;
  map.delete(key);
  return null;
}

function put<T>(map: Map<string, Timed<T>>, key: string, value: T, until: number): void {
  map.delete(key);
  map.set(key, { value, until });
  if (map.size > MAX_ENTRIES) map.delete(map.keys().next().value!);
}
