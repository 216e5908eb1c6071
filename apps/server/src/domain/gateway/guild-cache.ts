import type { BusEvent } from '../../events/bus';
import { isThreadType } from '../guilds/guild-access';
import type { GuildSnapshot } from '../guilds/guilds.service';

/** Guilds whose snapshots one process keeps; the least recently used go first. */
const MAX_GUILDS = 1000;

/** Events after which a guild's snapshot may no longer be what the database holds. */
const STALE_AFTER = new Set([
  'GUILD_UPDATE',
  'GUILD_DELETE',
  'GUILD_ROLE_CREATE',
  'GUILD_ROLE_UPDATE',
  'GUILD_ROLE_DELETE',
  'GUILD_EMOJIS_UPDATE',
  'GUILD_MEMBER_ADD',
  'GUILD_MEMBER_UPDATE',
  'GUILD_MEMBER_REMOVE',
  'CHANNEL_CREATE',
  'CHANNEL_UPDATE',
  'CHANNEL_DELETE',
  'CHANNEL_PINS_UPDATE',
  'THREAD_CREATE',
  'THREAD_UPDATE',
  'THREAD_DELETE',
  'THREAD_MEMBERS_UPDATE',
]);

interface Entry {
  promise: Promise<GuildSnapshot | null>;
  /** Set once the load has finished. */
  snapshot?: GuildSnapshot | null;
}

interface EventFields {
  id?: string;
  guild_id?: string;
  channel_id?: string;
  channel_type?: number;
}

/**
 * One process's snapshots of the guild-wide part of GUILD_CREATE, so that an identify storm reads each guild once.
 * Every bus event passes through `observe` before any session sees it; an event that can change a snapshot drops
 * it. A session reads snapshots only after it receives the guild's events (gateway.ts holds them for it), so a
 * snapshot that predates an event is only ever followed by that event: a session never keeps stale data.
 */
export class GuildCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly load: (guildId: string) => Promise<GuildSnapshot | null>) {}

  get(guildId: string): Promise<GuildSnapshot | null> {
    const held = this.entries.get(guildId);
    if (held) {
      this.entries.delete(guildId);
      this.entries.set(guildId, held);
      return held.promise;
    }
    const entry: Entry = {
      promise: this.load(guildId).then((snapshot) => {
        entry.snapshot = snapshot;
        return snapshot;
      }),
    };
    // A failed load is not kept: the next reader tries again.
    entry.promise.catch(() => this.drop(guildId, entry));
    this.entries.set(guildId, entry);
    if (this.entries.size > MAX_GUILDS) this.entries.delete(this.entries.keys().next().value!);
    return entry.promise;
  }

  /** Brings the snapshots up to date with one bus event (called before the event reaches any session). */
  observe(event: BusEvent): void {
    const d = (event.d ?? {}) as EventFields;
    if (event.t === 'USER_UPDATE') {
      // A user's name or avatar, as listed in the member lists they appear in.
      for (const [guildId, entry] of this.entries)
        if (entry.snapshot === undefined || entry.snapshot?.members.some((m) => m.user?.id === d.id))
          this.drop(guildId, entry);
      return;
    }
    const [kind, id] = event.topic.split(':');
    const guildId = kind === 'guild' ? id : d.guild_id;
    const entry = guildId ? this.entries.get(guildId) : undefined;
    if (!guildId || !entry) return;
    if (event.t === 'MESSAGE_CREATE' && d.channel_type !== undefined && !isThreadType(d.channel_type)) {
      // The one frequent change: a channel's last_message_id moves forward (threads also count their messages).
      const { channel_id: channelId, id: messageId } = d;
      const patched = entry.promise.then((s) => {
        const channel = s?.channels.find((c) => c.id === channelId);
        if (channel && messageId && isNewer(messageId, channel.last_message_id))
          channel.last_message_id = messageId;
        return s;
      });
      patched.catch(() => {});
      entry.promise = patched;
      return;
    }
    if (STALE_AFTER.has(event.t) || event.t === 'MESSAGE_CREATE') this.drop(guildId, entry);
  }

  private drop(guildId: string, entry: Entry): void {
    if (this.entries.get(guildId) === entry) this.entries.delete(guildId);
  }
}

/** Whether snowflake `a` is later than `b` (or `b` is unset). */
function isNewer(a: string, b: string | null | undefined): boolean {
  return !b || a.length > b.length || (a.length === b.length && a > b);
}
