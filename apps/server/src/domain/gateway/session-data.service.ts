import type { RoleData } from '@hearth/permissions';
import { ChannelType, type Member } from '@hearth/protocol';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { BusEvent } from '../../events/bus';
import { applications, channelRecipients, members, threadMembers, users } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import type { DmsService } from '../dms/dms.service';
import { type CachedChannel, memberRoleIds } from '../guilds/guild-access';
import type { GuildSnapshot, GuildsService } from '../guilds/guilds.service';
import { toMemberWire } from '../guilds/guilds.wire';
import type { ReadStatesService } from '../messages/read-states.service';
import type { RelationshipsService } from '../relationships/relationships.service';
import type { UsersService } from '../users/users.service';
import { GuildCache } from './guild-cache';

/** What a session needs to decide, without the database, which guild events it may receive. */
export interface CachedGuild {
  id: string;
  ownerId: string;
  roles: Map<string, RoleData>;
  myRoleIds: string[];
  myTimeout: Date | null;
  channels: Map<string, CachedChannel>;
  /** Private threads this user is a member of. */
  privateThreads: Set<string>;
}

/** A guild as a session starts it: the guild-wide snapshot, the session's permission cache, its own member. */
export interface GuildStart {
  snapshot: GuildSnapshot;
  state: CachedGuild;
  member: Member;
}

export interface SessionData {
  ready: Record<string, unknown>;
  guilds: GuildStart[];
  dmChannelIds: string[];
}

/** In a query over `members`: the threads of the member's guild they are a member of. */
const memberThreadIds = sql<
  string[]
>`coalesce((select array_agg(${threadMembers.channelId}::text) from ${threadMembers} where ${threadMembers.guildId} = ${members.guildId} and ${threadMembers.userId} = ${members.userId}), '{}')`;

/**
 * Loads what a gateway session starts from: READY's contents, and for every guild GUILD_CREATE's guild-wide part
 * (from this process's cache, see guild-cache.ts) with the session's own member and permission cache.
 */
export class SessionDataService {
  private readonly snapshots: GuildCache;

  constructor(
    private readonly deps: Deps,
    private readonly services: {
      users: UsersService;
      guilds: GuildsService;
      dms: DmsService;
      relationships: RelationshipsService;
      readStates: ReadStatesService;
    },
  ) {
    this.snapshots = new GuildCache((guildId) => services.guilds.snapshot(deps.db, guildId));
  }

  /** Keeps the cached guild snapshots current: every bus event, before any session sees it. */
  observe(event: BusEvent): void {
    this.snapshots.observe(event);
  }

  /** The flags of a bot's application: which privileged intents it may use. */
  async applicationFlags(applicationId: string): Promise<number> {
    const [app] = await this.deps.db
      .select({ flags: applications.flags })
      .from(applications)
      .where(eq(applications.id, applicationId));
    return app?.flags ?? 0;
  }

  /** READY and the guilds of a new session; `applicationFlags` goes into a bot's READY. */
  async load(principal: Principal, applicationFlags = 0): Promise<SessionData> {
    const { userId } = principal;
    const [user, guilds, dmChannelIds, extra] = await Promise.all([
      this.services.users.getMe(userId),
      this.guilds(userId),
      this.dmChannelIds(userId),
      principal.bot ? null : this.userReady(principal),
    ]);
    const ready: Record<string, unknown> = {
      v: 10,
      user,
      guilds: guilds.map((g) => ({ id: g.state.id, unavailable: true })),
      session_type: 'normal',
      private_channels: [] as unknown[],
      presences: [],
      relationships: [] as unknown[],
      ...(principal.bot && principal.applicationId
        ? { application: { id: principal.applicationId, flags: applicationFlags } }
        : extra),
    };
    return { ready, guilds, dmChannelIds };
  }

  /** A user's permission caches of all their guilds, and their DM channels (for a session handed over). */
  async caches(userId: string): Promise<{ guilds: CachedGuild[]; dmChannelIds: string[] }> {
    const [guilds, dmChannelIds] = await Promise.all([this.guilds(userId), this.dmChannelIds(userId)]);
    return { guilds: guilds.map((g) => g.state), dmChannelIds };
  }

  /**
   * The user's guilds (all, or those of `guildIds`) as a session starts them: one statement for the memberships
   * with their roles and threads, and each guild's snapshot from the cache.
   */
  async guilds(userId: string, guildIds?: string[]): Promise<GuildStart[]> {
    const rows = await this.deps.db
      .select({ member: members, user: users, roleIds: memberRoleIds, threadIds: memberThreadIds })
      .from(members)
      .innerJoin(users, eq(users.id, members.userId))
      .where(and(eq(members.userId, userId), guildIds ? inArray(members.guildId, guildIds) : undefined));
    const snapshots = await Promise.all(rows.map((r) => this.snapshots.get(r.member.guildId)));
    return rows.flatMap((r, i) => {
      const snapshot = snapshots[i];
      if (!snapshot) return [];
      const { access } = snapshot;
      const mine = new Set(r.threadIds);
      const state: CachedGuild = {
        id: snapshot.id,
        ownerId: access.ownerId,
        roles: new Map(access.roles.map((role) => [role.id, role])),
        myRoleIds: r.roleIds,
        myTimeout: r.member.communicationDisabledUntil,
        channels: new Map(access.channels.map((c) => [c.id, c])),
        privateThreads: new Set(
          access.channels
            .filter((c) => c.type === ChannelType.PrivateThread && mine.has(c.id))
            .map((c) => c.id),
        ),
      };
      return [{ snapshot, state, member: toMemberWire(r.member, r.roleIds, r.user) }];
    });
  }

  private async dmChannelIds(userId: string): Promise<string[]> {
    const rows = await this.deps.db
      .select({ id: channelRecipients.channelId })
      .from(channelRecipients)
      .where(eq(channelRecipients.userId, userId));
    return rows.map((r) => r.id);
  }

  /** READY's parts for people (not bots): DMs, relationships, read states and settings. */
  private async userReady(principal: Principal): Promise<Record<string, unknown>> {
    const [dms, relationships, readStates, settings] = await Promise.all([
      this.services.dms.list(principal),
      this.services.relationships.list(principal),
      this.services.readStates.forUser(principal.userId),
      this.services.users.getSettings(principal.userId),
    ]);
    return {
      private_channels: dms,
      relationships,
      read_state: { version: 1, partial: false, entries: readStates },
      user_settings: settings.settings,
      user_settings_version: settings.version,
      user_guild_settings: { version: 1, partial: false, entries: [] },
    };
  }
}
