import type { OverwriteData, RoleData } from '@hearth/permissions';
import { ChannelType, type Member } from '@hearth/protocol';
import { and, eq, inArray } from 'drizzle-orm';
import {
  applications,
  channelRecipients,
  channels,
  guilds,
  memberRoles,
  members,
  permissionOverwrites,
  roles,
  threadMembers,
  users,
} from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import type { DmsService } from '../dms/dms.service';
import { toOverwriteData } from '../guilds/guild-access';
import { type GuildsService, groupBy } from '../guilds/guilds.service';
import { toMemberWire } from '../guilds/guilds.wire';
import type { ReadStatesService } from '../messages/read-states.service';
import type { RelationshipsService } from '../relationships/relationships.service';
import type { UsersService } from '../users/users.service';

/** A channel as the gateway's permission cache keeps it. */
export interface CachedChannel {
  id: string;
  type: number;
  parentId: string | null;
  overwrites: OverwriteData[];
}

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

export interface SessionData {
  ready: Record<string, unknown>;
  guilds: CachedGuild[];
  dmChannelIds: string[];
  /** Privileged intents the application may use (bots only). */
  applicationFlags: number;
}

/** Loads what a gateway session starts from: READY's contents and the permission cache of every guild. */
export class SessionDataService {
  constructor(
    private readonly deps: Deps,
    private readonly services: {
      users: UsersService;
      guilds: GuildsService;
      dms: DmsService;
      relationships: RelationshipsService;
      readStates: ReadStatesService;
    },
  ) {}

  async load(principal: Principal): Promise<SessionData> {
    const { db } = this.deps;
    const user = await this.services.users.getMe(principal.userId);
    const { guilds: cached, dmChannelIds } = await this.caches(principal.userId);
    const guildIds = cached.map((g) => g.id);
    const ready: Record<string, unknown> = {
      v: 10,
      user,
      guilds: guildIds.map((id) => ({ id, unavailable: true })),
      session_type: 'normal',
      private_channels: [] as unknown[],
      presences: [],
      relationships: [] as unknown[],
    };
    let applicationFlags = 0;
    if (principal.bot && principal.applicationId) {
      const [app] = await db.select().from(applications).where(eq(applications.id, principal.applicationId));
      applicationFlags = app?.flags ?? 0;
      ready.application = { id: principal.applicationId, flags: applicationFlags };
    } else {
      const [dms, relationships, readStates, settings] = await Promise.all([
        this.services.dms.list(principal),
        this.services.relationships.list(principal),
        this.services.readStates.forUser(principal.userId),
        this.services.users.getSettings(principal.userId),
      ]);
      Object.assign(ready, {
        private_channels: dms,
        relationships,
        read_state: { version: 1, partial: false, entries: readStates },
        user_settings: settings.settings,
        user_settings_version: settings.version,
        user_guild_settings: { version: 1, partial: false, entries: [] },
      });
    }
    return { ready, guilds: cached, dmChannelIds, applicationFlags };
  }

  /** A user's permission caches of all their guilds, and their DM channels. */
  async caches(userId: string): Promise<{ guilds: CachedGuild[]; dmChannelIds: string[] }> {
    const { db } = this.deps;
    const [guildIds, dmChannelIds] = await Promise.all([
      db.select({ id: members.guildId }).from(members).where(eq(members.userId, userId)),
      db
        .select({ id: channelRecipients.channelId })
        .from(channelRecipients)
        .where(eq(channelRecipients.userId, userId)),
    ]);
    return {
      guilds: await this.guildStates(
        userId,
        guildIds.map((r) => r.id),
      ),
      dmChannelIds: dmChannelIds.map((r) => r.id),
    };
  }

  /** The permission caches of some guilds for one member, in a few batched queries. */
  async guildStates(userId: string, guildIds: string[]): Promise<CachedGuild[]> {
    if (!guildIds.length) return [];
    const { db } = this.deps;
    const [guildRows, roleRows, mine, memberRows, channelRows, overwriteRows, threadRows] = await Promise.all(
      [
        db
          .select({ id: guilds.id, ownerId: guilds.ownerId })
          .from(guilds)
          .where(inArray(guilds.id, guildIds)),
        db.select().from(roles).where(inArray(roles.guildId, guildIds)),
        db
          .select()
          .from(memberRoles)
          .where(and(eq(memberRoles.userId, userId), inArray(memberRoles.guildId, guildIds))),
        db
          .select()
          .from(members)
          .where(and(eq(members.userId, userId), inArray(members.guildId, guildIds))),
        db
          .select({
            id: channels.id,
            guildId: channels.guildId,
            type: channels.type,
            parentId: channels.parentId,
          })
          .from(channels)
          .where(inArray(channels.guildId, guildIds)),
        db.select().from(permissionOverwrites).where(inArray(permissionOverwrites.guildId, guildIds)),
        db
          .select({ id: threadMembers.channelId })
          .from(threadMembers)
          .where(and(eq(threadMembers.userId, userId), inArray(threadMembers.guildId, guildIds))),
      ],
    );
    const rolesOf = groupBy(
      roleRows,
      (r) => r.guildId,
      (r) => r,
    );
    const mineOf = groupBy(
      mine,
      (r) => r.guildId,
      (r) => r.roleId,
    );
    const memberOf = new Map(memberRows.map((m) => [m.guildId, m]));
    const channelsOf = groupBy(
      channelRows,
      (c) => c.guildId!,
      (c) => c,
    );
    const overwritesOf = groupBy(
      overwriteRows,
      (o) => o.channelId,
      (o) => o,
    );
    const myThreads = new Set(threadRows.map((t) => t.id));
    return guildRows.map((g) => ({
      id: g.id,
      ownerId: g.ownerId,
      roles: new Map(
        (rolesOf.get(g.id) ?? []).map((r) => [
          r.id,
          { id: r.id, permissions: r.permissions, position: r.position },
        ]),
      ),
      myRoleIds: mineOf.get(g.id) ?? [],
      myTimeout: memberOf.get(g.id)?.communicationDisabledUntil ?? null,
      channels: new Map(
        (channelsOf.get(g.id) ?? []).map((c) => [
          c.id,
          {
            id: c.id,
            type: c.type,
            parentId: c.parentId,
            overwrites: (overwritesOf.get(c.id) ?? []).map(toOverwriteData),
          },
        ]),
      ),
      privateThreads: new Set(
        (channelsOf.get(g.id) ?? [])
          .filter((c) => c.type === ChannelType.PrivateThread && myThreads.has(c.id))
          .map((c) => c.id),
      ),
    }));
  }

  /** GUILD_CREATE as one session receives it (channels filtered by the session afterwards); always with its own member. */
  async guildCreate(guildId: string, userId: string): Promise<Record<string, unknown>> {
    const { db } = this.deps;
    const full = await this.services.guilds.fullGuild(db, guildId);
    const listed = full.members as Member[];
    let mine: Member | undefined = listed.find((m) => m.user?.id === userId);
    if (!mine) {
      const [row] = await db
        .select({ member: members, user: users })
        .from(members)
        .innerJoin(users, eq(users.id, members.userId))
        .where(and(eq(members.guildId, guildId), eq(members.userId, userId)));
      const myRoles = (
        await db
          .select()
          .from(memberRoles)
          .where(and(eq(memberRoles.guildId, guildId), eq(memberRoles.userId, userId)))
      ).map((r) => r.roleId);
      if (row) mine = toMemberWire(row.member, myRoles, row.user);
    }
    return {
      ...full,
      joined_at: mine?.joined_at ?? full.joined_at,
      members: mine && !listed.includes(mine) ? [mine, ...listed] : listed,
      large: (full.member_count as number) > 250,
      unavailable: false,
      presences: [],
      voice_states: [],
      threads: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }
}
