import {
  computeBasePermissions,
  computeChannelPermissions,
  hasPermission,
  type OverwriteData,
  Permission,
} from '@hearth/permissions';
import {
  type Channel,
  type HearthEvent,
  invalidates,
  isThreadType,
  type Overwrite,
  payloadGuildId,
} from '@hearth/protocol';
import type { CachedGuild } from '../domain/gateway/session-data.service';
import { type CachedChannel, privateThreadRule } from '../domain/guilds/guild-access';

function overwritesFrom(list: Overwrite[]): OverwriteData[] {
  return list.map((o) => ({
    id: o.id,
    type: o.type === 1 ? 1 : 0,
    allow: BigInt(o.allow),
    deny: BigInt(o.deny),
  }));
}

/**
 * What one session knows about its user's guilds and DMs, kept current from the events it sees, so that deciding who
 * receives an event never touches the database.
 */
export class SessionState {
  readonly guilds = new Map<string, CachedGuild>();
  readonly dms = new Set<string>();
  /**
   * Channel permissions computed since the guild's cache last changed (every event is checked against them). Kept
   * per guild object, so a guild loaded afresh starts empty; `apply` drops a guild's entry whenever it changes one.
   * A member whose permissions follow from their roles alone shares the table of their role set (see `table`).
   */
  private readonly computed = new WeakMap<CachedGuild, Map<string, bigint>>();

  constructor(readonly userId: string) {}

  /** The user's permissions in a guild channel (threads use their parent's overwrites); 0 when unknown. */
  channelPermissions(guildId: string, channelId: string): bigint {
    const g = this.guilds.get(guildId);
    if (!g) return 0n;
    // While a timeout runs, what it removes ends on its own: computed each time then.
    if (g.myTimeout && g.myTimeout.getTime() > Date.now()) return this.compute(g, channelId);
    let known = this.computed.get(g);
    if (!known) {
      known = this.table(g);
      this.computed.set(g, known);
    }
    let perms = known.get(channelId);
    if (perms === undefined) {
      perms = this.compute(g, channelId);
      known.set(channelId, perms);
    }
    return perms;
  }

  /**
   * Where a guild's channel permissions are remembered: while the guild still has its snapshot's roles and channels,
   * a member who is not the owner, is named by no member overwrite and is in no private thread has the permissions
   * of their role set, computed once for all the sessions that share it; anyone else has their own.
   */
  private table(g: CachedGuild): Map<string, bigint> {
    const shared = g.shared;
    if (!shared || g.ownerId === this.userId || g.privateThreads.size || shared.overwritten.has(this.userId))
      return new Map();
    const key = [...g.myRoleIds].sort().join(',');
    let table = shared.byRoles.get(key);
    if (!table) {
      table = new Map();
      shared.byRoles.set(key, table);
    }
    return table;
  }

  /** Before a guild's roles, channels or owner change: a guild still sharing its snapshot's maps copies them. */
  private own(g: CachedGuild): void {
    if (!g.shared) return;
    g.roles = new Map(g.roles);
    g.channels = new Map(g.channels);
    g.shared = null;
  }

  private compute(g: CachedGuild, channelId: string): bigint {
    const channel = g.channels.get(channelId);
    if (!channel) return 0n;
    const thread = isThreadType(channel.type);
    const source = thread && channel.parentId ? g.channels.get(channel.parentId) : channel;
    const perms = computeChannelPermissions(
      { id: g.id, ownerId: g.ownerId, roles: [...g.roles.values()] },
      { userId: this.userId, roleIds: g.myRoleIds, communicationDisabledUntil: g.myTimeout },
      source?.overwrites ?? [],
      { isThread: thread },
    );
    return privateThreadRule(channel.type, perms, g.privateThreads.has(channelId));
  }

  canView(guildId: string, channelId: string): boolean {
    return hasPermission(this.channelPermissions(guildId, channelId), Permission.VIEW_CHANNEL);
  }

  /** The guild's non-thread channels this user can view now. */
  visibleChannels(guildId: string): Set<string> {
    const visible = new Set<string>();
    for (const c of this.guilds.get(guildId)?.channels.values() ?? [])
      if (!isThreadType(c.type) && this.canView(guildId, c.id)) visible.add(c.id);
    return visible;
  }

  guildPermissions(guildId: string): bigint {
    const g = this.guilds.get(guildId);
    if (!g) return 0n;
    return computeBasePermissions(
      { id: g.id, ownerId: g.ownerId, roles: [...g.roles.values()] },
      { userId: this.userId, roleIds: g.myRoleIds, communicationDisabledUntil: g.myTimeout },
    );
  }

  /** Updates the cache from a guild event (before deciding on delivery). */
  apply(event: HearthEvent): void {
    const guildId = payloadGuildId(event);
    const g = guildId ? this.guilds.get(guildId) : undefined;
    // Events after which a guild's roles, the user's roles or timeout, or its channels may have changed.
    if (g && invalidates(event.t, 'permissions')) this.computed.delete(g);
    switch (event.t) {
      case 'GUILD_UPDATE': {
        const { id, owner_id } = event.d;
        const updated = this.guilds.get(id);
        if (updated && owner_id) {
          this.own(updated);
          updated.ownerId = owner_id;
          this.computed.delete(updated);
        }
        break;
      }
      case 'GUILD_DELETE':
        this.guilds.delete(event.d.id);
        break;
      case 'GUILD_ROLE_CREATE':
      case 'GUILD_ROLE_UPDATE': {
        const { role } = event.d;
        if (g && role) {
          this.own(g);
          g.roles.set(role.id, {
            id: role.id,
            permissions: BigInt(role.permissions),
            position: role.position,
          });
        }
        break;
      }
      case 'GUILD_ROLE_DELETE': {
        const { role_id } = event.d;
        if (!g || !role_id) break;
        this.own(g);
        g.roles.delete(role_id);
        g.myRoleIds = g.myRoleIds.filter((id) => id !== role_id);
        break;
      }
      case 'GUILD_MEMBER_UPDATE':
        if (g && event.d.user?.id === this.userId) {
          g.myRoleIds = event.d.roles ?? [];
          const until = event.d.communication_disabled_until;
          g.myTimeout = until ? new Date(until) : null;
        }
        break;
      case 'GUILD_MEMBER_REMOVE':
        if (event.d.user?.id === this.userId && guildId) this.guilds.delete(guildId);
        break;
      case 'CHANNEL_CREATE':
      case 'CHANNEL_UPDATE':
      case 'THREAD_CREATE':
      case 'THREAD_UPDATE': {
        const channel = event.d;
        if (g && channel.id) {
          this.own(g);
          g.channels.set(channel.id, this.cached(channel, g.channels.get(channel.id)));
        }
        break;
      }
      case 'CHANNEL_DELETE':
      case 'THREAD_DELETE':
        if (g && event.d.id) {
          this.own(g);
          g.channels.delete(event.d.id);
        }
        break;
      case 'THREAD_MEMBERS_UPDATE': {
        const { id, added_members, removed_member_ids } = event.d;
        if (g && id) {
          if (added_members?.some((m) => m.user_id === this.userId)) g.privateThreads.add(id);
          if (removed_member_ids?.includes(this.userId)) g.privateThreads.delete(id);
        }
        break;
      }
    }
  }

  private cached(channel: Partial<Channel> & { id: string }, previous?: CachedChannel): CachedChannel {
    return {
      id: channel.id,
      type: channel.type ?? previous?.type ?? 0,
      parentId: channel.parent_id ?? null,
      // Threads carry no overwrites of their own; keep what the cache had for other channels when absent.
      overwrites: channel.permission_overwrites
        ? overwritesFrom(channel.permission_overwrites)
        : (previous?.overwrites ?? []),
    };
  }
}
