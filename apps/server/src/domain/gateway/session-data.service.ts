import type { RoleData } from '@hearth/permissions';
import { type CallWire, ChannelType, ErrorCode, type Member } from '@hearth/protocol';
import { eq, sql } from 'drizzle-orm';
import type { BusEvent } from '../../events/bus';
import { type DbOrTx, preparedStatement } from '../../store/db';
import { fromJson, jsonList, rowJson } from '../../store/json-rows';
import {
  calls,
  channelRecipients,
  credentials,
  memberRoles,
  members,
  threadMembers,
  userSettings,
  users,
} from '../../store/schema';
import { type AuthService, fromLiveSessionJson, liveSessionJson, type Principal } from '../auth/auth.service';
import type { AccessClaims } from '../auth/tokens';
import type { Deps } from '../deps';
import { openDmsFromJson, openDmsJson } from '../dms/dms.service';
import { notFound } from '../errors';
import type { CachedChannel } from '../guilds/guild-access';
import type { GuildSnapshot, GuildsService } from '../guilds/guilds.service';
import { toMemberWire } from '../guilds/guilds.wire';
import { type ReadStatesService, readStatesJson } from '../messages/read-states.service';
import type { PresenceService } from '../presence/presence.service';
import { relationshipsFromJson, relationshipsJson } from '../relationships/relationships.service';
import type { GuildSettingsService } from '../users/guild-settings.service';
import { toPrivateUser, toUserSettings } from '../users/users.wire';
import type { CallsService } from '../voice/calls.service';
import { type CachedSnapshot, GuildCache } from './guild-cache';

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
  /**
   * The snapshot's access this guild started from, while `roles` and `channels` are still its maps (shared by the
   * sessions that started from it): a session copies them before it changes them, and this becomes null.
   */
  shared: SharedAccess | null;
}

/** A snapshot's roles and channels as maps, and the permissions computed from them, for all its sessions. */
export interface SharedAccess {
  roles: Map<string, RoleData>;
  channels: Map<string, CachedChannel>;
  /** The users a member overwrite names: their permissions are not their roles' alone. */
  overwritten: Set<string>;
  /** Channel permissions by role set (sorted ids), for members whose permissions follow from their roles alone. */
  byRoles: Map<string, Map<string, bigint>>;
}

const sharedAccess = new WeakMap<GuildSnapshot['access'], SharedAccess>();
function shareAccess(access: GuildSnapshot['access']): SharedAccess {
  let shared = sharedAccess.get(access);
  if (!shared) {
    shared = {
      roles: new Map(access.roles.map((role) => [role.id, role])),
      channels: new Map(access.channels.map((c) => [c.id, c])),
      overwritten: new Set(
        access.channels.flatMap((c) => c.overwrites.filter((o) => o.type === 1).map((o) => o.id)),
      ),
      byRoles: new Map(),
    };
    sharedAccess.set(access, shared);
  }
  return shared;
}

/** A guild as a session starts it: the guild-wide snapshot, the session's permission cache, its own member. */
export interface GuildStart {
  snapshot: CachedSnapshot;
  state: CachedGuild;
  member: Member;
}

export interface SessionData {
  ready: Record<string, unknown>;
  guilds: GuildStart[];
  dmChannelIds: string[];
  /** The calls going on in the user's DMs (CALL_CREATE after READY, as Discord's user clients get them). */
  calls: CallWire[];
}

type UserRow = typeof users.$inferSelect;
type MemberRow = typeof members.$inferSelect;

interface MembershipJson {
  member: Record<string, unknown>;
  roleIds: string[];
  threadIds: string[];
}

/** In a select list: the guild memberships of user `userId`, each with its role ids and the threads joined there. */
function membershipsJson(userId: unknown) {
  const roleIds = jsonList(
    sql`select json_agg(${memberRoles.roleId}::text) from ${memberRoles} where ${memberRoles.guildId} = ${members.guildId} and ${memberRoles.userId} = ${members.userId}`,
  );
  const threadIds = jsonList(
    sql`select json_agg(${threadMembers.channelId}::text) from ${threadMembers} where ${threadMembers.guildId} = ${members.guildId} and ${threadMembers.userId} = ${members.userId}`,
  );
  return jsonList<MembershipJson>(
    sql`select json_agg(json_build_object('member', ${rowJson(members)}, 'roleIds', ${roleIds}, 'threadIds', ${threadIds})) from ${members} where ${members.userId} = ${userId}`,
  );
}

const userId = sql.placeholder('userId');
const sessionId = sql.placeholder('sessionId');

/**
 * Everything a session starts from, in one statement: the user, memberships, DMs and READY's lists, and whether
 * the login session `sessionId` (null for none) is live.
 */
function buildStartQuery(db: DbOrTx) {
  return db
    .select({
      user: users,
      session: liveSessionJson(userId, sessionId),
      credentials,
      settings: userSettings,
      memberships: membershipsJson(userId),
      dmChannelIds: jsonList<string>(
        sql`select json_agg(${channelRecipients.channelId}::text) from ${channelRecipients} where ${channelRecipients.userId} = ${userId}`,
      ),
      // Most sessions start with no call going on: only then is there a second read, for the calls' contents.
      callChannelIds: jsonList<string>(
        sql`select json_agg(${calls.channelId}::text) from ${calls} join ${channelRecipients} on ${channelRecipients.channelId} = ${calls.channelId} where ${channelRecipients.userId} = ${userId}`,
      ),
      dms: openDmsJson(userId),
      relationships: relationshipsJson(userId),
      readStates: readStatesJson(userId),
    })
    .from(users)
    .leftJoin(credentials, eq(credentials.userId, users.id))
    .leftJoin(userSettings, eq(userSettings.userId, users.id))
    .where(eq(users.id, userId));
}

/** A user and their memberships: what a guild just joined starts from. */
function buildMembershipsQuery(db: DbOrTx) {
  return db
    .select({ user: users, memberships: membershipsJson(userId) })
    .from(users)
    .where(eq(users.id, userId));
}

/** Both prepared on the server: every identify and guild join runs them. */
const startQuery = preparedStatement('session_start', buildStartQuery);
const membershipsQuery = preparedStatement('session_memberships', buildMembershipsQuery);

/**
 * Loads what a gateway session starts from: READY's contents, and for every guild GUILD_CREATE's guild-wide part
 * (from this process's cache, see guild-cache.ts) with the session's own member and permission cache.
 */
export class SessionDataService {
  private readonly snapshots: GuildCache;

  constructor(
    private readonly deps: Deps,
    private readonly services: {
      auth: AuthService;
      guilds: GuildsService;
      readStates: ReadStatesService;
      presence: PresenceService;
      guildSettings: GuildSettingsService;
      calls: CallsService;
    },
  ) {
    this.snapshots = new GuildCache(
      (guildId) => services.guilds.snapshot(deps.db, guildId),
      (userIds) => services.presence.many(userIds),
    );
  }

  /**
   * Keeps the cached guild snapshots current: app.ts subscribes it to the bus before the gateway, so it sees every
   * event before any session does.
   */
  observe(event: BusEvent): void {
    this.snapshots.observe(event);
  }

  /**
   * READY and the guilds of a new session: one statement, the guilds' snapshots (cached but for the first session
   * of a guild) and, when there are read states, their mention counts. A bot's READY carries its application's flags.
   * With `confirm` (a user's token checked only for its signature, see AuthService.userPrincipal) the same statement
   * reads the login session it names: null when that is not live.
   */
  async load(principal: Principal, confirm: AccessClaims | null = null): Promise<SessionData | null> {
    const { auth } = this.services;
    const started = auth.sessions.begin();
    const [row] = await startQuery(this.deps.db).execute({
      userId: principal.userId,
      sessionId: confirm?.sessionId ?? null,
    });
    if (confirm && !auth.acceptSession(confirm, fromLiveSessionJson(row?.session ?? null), started))
      return null;
    if (!row) throw notFound(ErrorCode.UnknownUser, 'User');
    const guilds = await this.starts(row.user, row.memberships);
    const ready: Record<string, unknown> = {
      v: 10,
      user: toPrivateUser(row.user, row.credentials),
      guilds: guilds.map((g) => ({ id: g.state.id, unavailable: true })),
      session_type: 'normal',
      private_channels: [] as unknown[],
      presences: [],
      relationships: [] as unknown[],
    };
    if (principal.bot && principal.applicationId)
      ready.application = { id: principal.applicationId, flags: principal.applicationFlags };
    else {
      const settings = toUserSettings(row.settings);
      Object.assign(ready, {
        private_channels: openDmsFromJson(row.dms, principal.userId),
        relationships: relationshipsFromJson(row.relationships),
        read_state: {
          version: 1,
          partial: false,
          entries: await this.services.readStates.fromJson(principal.userId, row.readStates),
        },
        user_settings: settings.settings,
        user_settings_version: settings.version,
        user_guild_settings: {
          version: 1,
          partial: false,
          entries: await this.services.guildSettings.entries(principal.userId),
        },
      });
    }
    const calls = row.callChannelIds.length ? await this.services.calls.active(row.callChannelIds) : [];
    return { ready, guilds, dmChannelIds: row.dmChannelIds, calls };
  }

  /** A user's permission caches of all their guilds, and their DM channels (for a session handed over). */
  async caches(userId: string): Promise<{ guilds: CachedGuild[]; dmChannelIds: string[] }> {
    const [row] = await startQuery(this.deps.db).execute({ userId, sessionId: null });
    if (!row) return { guilds: [], dmChannelIds: [] };
    const guilds = await this.starts(row.user, row.memberships);
    return { guilds: guilds.map((g) => g.state), dmChannelIds: row.dmChannelIds };
  }

  /** Some of the user's guilds (one just joined) as a session starts them. */
  async guilds(userId: string, guildIds: string[]): Promise<GuildStart[]> {
    const [row] = await membershipsQuery(this.deps.db).execute({ userId });
    if (!row) return [];
    const wanted = new Set(guildIds);
    return this.starts(
      row.user,
      row.memberships.filter((m) => wanted.has(String(m.member.guild_id))),
    );
  }

  /** Guilds as a session starts them, from the user's memberships and each guild's snapshot (from the cache). */
  private async starts(user: UserRow, memberships: MembershipJson[]): Promise<GuildStart[]> {
    const rows = fromJson<MemberRow>(
      members,
      memberships.map((m) => m.member),
    );
    const snapshots = await Promise.all(rows.map((m) => this.snapshots.get(m.guildId)));
    return rows.flatMap((member, i) => {
      const snapshot = snapshots[i];
      if (!snapshot) return [];
      const { access } = snapshot;
      const { roleIds, threadIds } = memberships[i];
      const mine = new Set(threadIds);
      const shared = shareAccess(access);
      const state: CachedGuild = {
        id: snapshot.id,
        ownerId: access.ownerId,
        roles: shared.roles,
        myRoleIds: roleIds,
        myTimeout: member.communicationDisabledUntil,
        channels: shared.channels,
        privateThreads: new Set(
          mine.size
            ? access.channels
                .filter((c) => c.type === ChannelType.PrivateThread && mine.has(c.id))
                .map((c) => c.id)
            : [],
        ),
        shared,
      };
      return [{ snapshot, state, member: toMemberWire(member, roleIds, user) }];
    });
  }
}
