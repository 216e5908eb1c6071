import {
  computeBasePermissions,
  DEFAULT_EVERYONE_PERMISSIONS,
  Permission,
  type RoleData,
} from '@hearth/permissions';
import {
  AuditLogEvent,
  type Channel,
  ChannelType,
  ErrorCode,
  type Guild,
  isThreadType,
  type Member,
  type ModifyGuild,
  MUTABLE_GUILD_FEATURES,
  type ScheduledEvent,
  type VoiceState,
} from '@hearth/protocol';
import { and, asc, count, eq, gt, inArray, lt } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import { type DbOrTx, isUniqueViolation } from '../../store/db';
import { guildOwned } from '../../store/ownership';
import {
  channels,
  guilds,
  memberRoles,
  members,
  permissionOverwrites,
  roles,
  users,
  voiceStates,
} from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { ApiError, invalidField, notFound } from '../errors';
import { groupBy } from '../group-by';
import { storeImage } from '../images';
import { deleteChannelContent, deleteChannelFiles } from '../messages/channel-content';
import { PendingEvents } from '../pending-events';
import type { PresenceService } from '../presence/presence.service';
import { threadMemberCounts, toThreadWire } from '../threads/threads.wire';
import { readVoiceStates } from '../voice/voice-states';
import { diffChanges, writeAudit } from './audit';
import type { EmojisService } from './emojis.service';
import {
  type CachedChannel,
  loadGuildActor,
  lockChannels,
  lockGuild,
  memberRoleIds,
  toOverwriteData,
} from './guild-access';
import { toChannelWire, toGuildWire, toMemberWire } from './guilds.wire';
import { guildScheduledEvents } from './scheduled-events.service';
import { guildStickers } from './stickers.service';

const GUILD_AUDIT_KEYS = [
  'name',
  'icon',
  'description',
  'owner_id',
  'system_channel_id',
  'system_channel_flags',
  'afk_channel_id',
  'afk_timeout',
  'verification_level',
  'default_message_notifications',
  'explicit_content_filter',
  'preferred_locale',
  'features',
  'hearth_group',
];

/** Members a guild snapshot lists: Discord's largest `large_threshold`. */
const SNAPSHOT_MEMBERS = 250;

/** The guild-wide part of GUILD_CREATE (see GuildsService.snapshot); sessions filter it and add their own member. */
export interface GuildSnapshot {
  id: string;
  createdAt: string;
  /** The guild object with its roles and emojis. */
  guild: Guild;
  memberCount: number;
  /** Every channel but threads, in position order. */
  channels: Channel[];
  /** The threads that are not archived. */
  threads: Channel[];
  /** The first members by id (at most 250), with their users and roles. */
  members: Member[];
  /** The guild's scheduled events (GUILD_CREATE lists those of channels a session can view). */
  scheduledEvents: ScheduledEvent[];
  /** Who is in its voice channels (GUILD_CREATE lists those of channels a session can view). */
  voiceStates: VoiceState[];
  /** What a permission cache starts from: the owner, the roles, and every channel with its overwrites. */
  access: { ownerId: string; roles: RoleData[]; channels: CachedChannel[] };
}

export class GuildsService {
  constructor(
    private readonly deps: Deps,
    private readonly emojis: EmojisService,
    private readonly presence: PresenceService,
  ) {}

  /** Members and members online of each guild, as `approximate_member_count` and `approximate_presence_count`. */
  async counts(
    db: DbOrTx,
    guildIds: string[],
  ): Promise<Map<string, { approximate_member_count: number; approximate_presence_count: number }>> {
    const rows = guildIds.length
      ? await db
          .select({ guildId: members.guildId, userId: members.userId })
          .from(members)
          .where(inArray(members.guildId, guildIds))
      : [];
    const online = new Set(
      (await this.presence.many([...new Set(rows.map((r) => r.userId))]))
        .filter((p) => p.status !== 'offline')
        .map((p) => p.user.id),
    );
    const result = new Map(
      guildIds.map((id) => [id, { approximate_member_count: 0, approximate_presence_count: 0 }]),
    );
    for (const r of rows) {
      const c = result.get(r.guildId)!;
      c.approximate_member_count++;
      if (online.has(r.userId)) c.approximate_presence_count++;
    }
    return result;
  }

  /** Creates a guild with @everyone, a text and a voice category, #general, and the creator as owner and member. */
  async create(
    principal: Principal,
    input: {
      name: string;
      icon?: string | null;
      description?: string | null;
      verification_level?: number;
      default_message_notifications?: number;
      explicit_content_filter?: number;
    },
  ): Promise<Guild> {
    const { db, ids } = this.deps;
    const guildId = ids.next();
    const icon = input.icon ? await this.storeIcon(guildId, input.icon) : null;
    const [textCategory, general, voiceCategory, voice] = [ids.next(), ids.next(), ids.next(), ids.next()];
    const pending = new PendingEvents();
    await db.transaction(async (tx) => {
      await tx.insert(guilds).values({
        id: guildId,
        name: input.name,
        icon,
        description: input.description ?? null,
        ownerId: principal.userId,
        systemChannelId: general,
        verificationLevel: input.verification_level ?? 0,
        defaultMessageNotifications: input.default_message_notifications ?? 0,
        explicitContentFilter: input.explicit_content_filter ?? 0,
      });
      await tx.insert(roles).values({
        guildId,
        id: guildId,
        name: '@everyone',
        position: 0,
        permissions: DEFAULT_EVERYONE_PERMISSIONS,
      });
      await tx.insert(channels).values([
        { id: textCategory, guildId, type: ChannelType.GuildCategory, name: 'Text Channels', position: 0 },
        {
          id: general,
          guildId,
          type: ChannelType.GuildText,
          name: 'general',
          position: 0,
          parentId: textCategory,
        },
        { id: voiceCategory, guildId, type: ChannelType.GuildCategory, name: 'Voice Channels', position: 1 },
        {
          id: voice,
          guildId,
          type: ChannelType.GuildVoice,
          name: 'General',
          position: 0,
          parentId: voiceCategory,
          bitrate: 64000,
          userLimit: 0,
        },
      ]);
      await tx.insert(members).values({ guildId, userId: principal.userId });
    });
    const full = await this.fullGuild(db, guildId);
    pending.add('GUILD_CREATE', Topic.user(principal.userId), full);
    pending.publish(this.deps.events);
    const {
      channels: _c,
      members: _m,
      member_count: _n,
      joined_at: _j,
      ...guild
    } = full as Guild & Record<string, unknown>;
    return guild as Guild;
  }

  /**
   * The guild as GUILD_CREATE carries it to the member who just joined or created it: with channels, members and
   * counts (the gateway sends every session its own view of the same snapshot).
   */
  async fullGuild(db: DbOrTx, guildId: string): Promise<Guild & Record<string, unknown>> {
    const snapshot = await this.snapshot(db, guildId);
    if (!snapshot) throw notFound(ErrorCode.UnknownGuild, 'Guild');
    return {
      ...snapshot.guild,
      joined_at: snapshot.createdAt,
      member_count: snapshot.memberCount,
      channels: snapshot.channels,
      members: snapshot.members,
    };
  }

  /**
   * The guild-wide part of GUILD_CREATE, the same for every member, and what the gateway's permission caches start
   * from; null when the guild is gone. One round of statements side by side, and one more for thread member counts
   * when threads are active.
   */
  async snapshot(db: DbOrTx, guildId: string): Promise<GuildSnapshot | null> {
    const [
      [guild],
      roleRows,
      channelRows,
      overwriteRows,
      memberRows,
      [{ n }],
      emojiList,
      stickerList,
      events,
      voice,
    ] = await Promise.all([
      db.select().from(guilds).where(eq(guilds.id, guildId)),
      db.select().from(roles).where(eq(roles.guildId, guildId)),
      db
        .select()
        .from(channels)
        .where(eq(channels.guildId, guildId))
        .orderBy(asc(channels.position), asc(channels.id)),
      db.select().from(permissionOverwrites).where(eq(permissionOverwrites.guildId, guildId)),
      db
        .select({ member: members, user: users, roleIds: memberRoleIds })
        .from(members)
        .innerJoin(users, eq(users.id, members.userId))
        .where(eq(members.guildId, guildId))
        .orderBy(asc(members.userId))
        .limit(SNAPSHOT_MEMBERS),
      db.select({ n: count() }).from(members).where(eq(members.guildId, guildId)),
      this.emojis.all(db, guildId),
      guildStickers(db, guildId),
      guildScheduledEvents(db, guildId),
      readVoiceStates(db, eq(voiceStates.guildId, guildId)),
    ]);
    if (!guild) return null;
    const overwritesOf = groupBy(
      overwriteRows,
      (o) => o.channelId,
      (o) => o,
    );
    const active = channelRows.filter((c) => isThreadType(c.type) && !c.archived);
    const threadCountOf = await threadMemberCounts(
      db,
      active.map((t) => t.id),
    );
    return {
      id: guild.id,
      createdAt: guild.createdAt.toISOString(),
      guild: toGuildWire(guild, roleRows, { emojis: emojiList, stickers: stickerList }),
      memberCount: n,
      channels: channelRows
        .filter((c) => !isThreadType(c.type))
        .map((c) => toChannelWire(c, overwritesOf.get(c.id) ?? [])),
      threads: active.map((t) => toThreadWire(t, threadCountOf.get(t.id) ?? 0)),
      members: memberRows.map((m) => toMemberWire(m.member, m.roleIds, m.user)),
      scheduledEvents: events,
      // GUILD_CREATE's voice states carry no guild_id (Discord's).
      voiceStates: voice.map(({ guild_id: _, ...state }) => state),
      access: {
        ownerId: guild.ownerId,
        roles: roleRows.map((r) => ({ id: r.id, permissions: r.permissions, position: r.position })),
        channels: channelRows.map((c) => ({
          id: c.id,
          type: c.type,
          parentId: c.parentId,
          overwrites: (overwritesOf.get(c.id) ?? []).map(toOverwriteData),
        })),
      },
    };
  }

  async get(principal: Principal, guildId: string, opts: { withCounts: boolean }): Promise<Guild> {
    const actor = await loadGuildActor(this.deps.db, guildId, principal.userId);
    const [emojiList, stickerList] = await Promise.all([
      this.emojis.all(this.deps.db, guildId),
      guildStickers(this.deps.db, guildId),
    ]);
    const extra: Partial<Guild> = { emojis: emojiList, stickers: stickerList };
    if (opts.withCounts) Object.assign(extra, (await this.counts(this.deps.db, [guildId])).get(guildId));
    return toGuildWire(actor.guild, actor.roles, extra);
  }

  async modify(
    principal: Principal,
    guildId: string,
    input: ModifyGuild,
    reason: string | null,
  ): Promise<Guild> {
    const { db, ids, events } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    actor.require(Permission.MANAGE_GUILD);
    const changes: Partial<typeof guilds.$inferInsert> = {};
    if (input.owner_id !== undefined && input.owner_id !== actor.guild.ownerId) {
      if (!actor.isOwner)
        throw new ApiError(403, ErrorCode.MissingPermissions, 'Only the owner can transfer the guild');
      const [target] = await db
        .select()
        .from(members)
        .where(and(eq(members.guildId, guildId), eq(members.userId, input.owner_id)));
      if (!target)
        throw invalidField(
          ['owner_id'],
          'GUILD_OWNER_INVALID',
          'The new owner must be a member of the guild.',
        );
      changes.ownerId = input.owner_id;
    }
    for (const [field, type] of [
      ['system_channel_id', ChannelType.GuildText],
      ['afk_channel_id', ChannelType.GuildVoice],
    ] as const) {
      const value = input[field];
      if (!value) continue;
      const [ch] = await db
        .select()
        .from(channels)
        .where(and(eq(channels.id, value), eq(channels.guildId, guildId)));
      if (!ch || ch.type !== type)
        throw invalidField([field], 'CHANNEL_INVALID', 'Not a suitable channel of this guild.');
    }
    if (input.name !== undefined) changes.name = input.name;
    if (input.description !== undefined) changes.description = input.description;
    if (input.system_channel_id !== undefined) changes.systemChannelId = input.system_channel_id;
    if (input.system_channel_flags !== undefined) changes.systemChannelFlags = input.system_channel_flags;
    if (input.afk_channel_id !== undefined) changes.afkChannelId = input.afk_channel_id;
    if (input.afk_timeout !== undefined) changes.afkTimeout = input.afk_timeout;
    if (input.verification_level !== undefined) changes.verificationLevel = input.verification_level;
    if (input.default_message_notifications !== undefined)
      changes.defaultMessageNotifications = input.default_message_notifications;
    if (input.explicit_content_filter !== undefined)
      changes.explicitContentFilter = input.explicit_content_filter;
    if (input.preferred_locale !== undefined) changes.preferredLocale = input.preferred_locale;
    Object.assign(changes, groupChanges(actor.guild, input));
    if (input.icon !== undefined) changes.icon = await this.storeIcon(guildId, input.icon);
    if (input.banner !== undefined) changes.banner = await this.storeBanner(guildId, input.banner);

    const before = toGuildWire(actor.guild, actor.roles);
    const pending = new PendingEvents();
    const updated = await db.transaction(async (tx) => {
      const [row] = Object.keys(changes).length
        ? await tx
            .update(guilds)
            .set(changes)
            .where(eq(guilds.id, guildId))
            .returning()
            .catch((err: unknown) => {
              // A handle is one name among users' usernames and other groups' handles (ADR 0031).
              if (isUniqueViolation(err, 'guilds_group_handle_key'))
                throw invalidField(
                  ['hearth_group', 'handle'],
                  'USERNAME_ALREADY_TAKEN',
                  'This handle is taken.',
                );
              throw err;
            })
        : [actor.guild];
      const after = toGuildWire(row, actor.roles);
      const diff = diffChanges(before, after, GUILD_AUDIT_KEYS);
      if (diff.length)
        await writeAudit(tx, ids, pending, {
          guildId,
          userId: principal.userId,
          targetId: guildId,
          actionType: AuditLogEvent.GuildUpdate,
          changes: diff,
          reason,
        });
      return after;
    });
    pending.add('GUILD_UPDATE', Topic.guild(guildId), { ...updated, guild_id: guildId });
    pending.publish(events);
    return updated;
  }

  /** Deletes the guild and everything in it. Owner only. */
  async delete(principal: Principal, guildId: string): Promise<void> {
    const { db } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    if (!actor.isOwner)
      throw new ApiError(403, ErrorCode.MissingPermissions, 'Only the owner can delete the guild');
    const channelIds = await db.transaction(async (tx) => {
      await lockGuild(tx, guildId, 'update');
      const ids = await lockChannels(tx, eq(channels.guildId, guildId));
      await deleteChannelContent(tx, ids);
      for (const table of guildOwned) await tx.delete(table).where(eq(table.guildId, guildId));
      await tx.delete(guilds).where(eq(guilds.id, guildId));
      return ids;
    });
    await deleteChannelFiles(this.deps, channelIds);
    this.deps.events.publish('GUILD_DELETE', Topic.guild(guildId), { id: guildId });
  }

  /** GET /users/@me/guilds: the caller's guilds by id, with their permissions in each. */
  async listMine(
    principal: Principal,
    opts: { before?: string; after?: string; limit: number; withCounts: boolean },
  ) {
    const { db } = this.deps;
    const conditions = [eq(members.userId, principal.userId)];
    if (opts.after) conditions.push(gt(members.guildId, opts.after));
    if (opts.before) conditions.push(lt(members.guildId, opts.before));
    const rows = await db
      .select({ guild: guilds, member: members })
      .from(members)
      .innerJoin(guilds, eq(guilds.id, members.guildId))
      .where(and(...conditions))
      .orderBy(asc(members.guildId))
      .limit(opts.limit);
    if (!rows.length) return [];
    const guildIds = rows.map((r) => r.guild.id);
    const [roleRows, mine, counts] = await Promise.all([
      db.select().from(roles).where(inArray(roles.guildId, guildIds)),
      db
        .select()
        .from(memberRoles)
        .where(and(eq(memberRoles.userId, principal.userId), inArray(memberRoles.guildId, guildIds))),
      opts.withCounts ? this.counts(db, guildIds) : Promise.resolve(null),
    ]);
    const rolesByGuild = groupBy(
      roleRows,
      (r) => r.guildId,
      (r) => r,
    );
    const mineByGuild = groupBy(
      mine,
      (r) => r.guildId,
      (r) => r.roleId,
    );
    return rows.map(({ guild, member }) => {
      const perms = computeBasePermissions(
        { id: guild.id, ownerId: guild.ownerId, roles: rolesByGuild.get(guild.id) ?? [] },
        {
          userId: principal.userId,
          roleIds: mineByGuild.get(guild.id) ?? [],
          communicationDisabledUntil: member.communicationDisabledUntil,
        },
      );
      return {
        id: guild.id,
        name: guild.name,
        icon: guild.icon,
        banner: guild.banner,
        owner: guild.ownerId === principal.userId,
        permissions: perms.toString(),
        features: guild.features,
        ...counts?.get(guild.id),
      };
    });
  }

  /** A guild's banner: Discord's 960×540 crop, at Discord's path (`banners/<guild_id>`, beside users' banners). */
  private storeBanner(guildId: string, dataUri: string | null): Promise<string | null> {
    return storeImage(
      this.deps,
      {
        purpose: 'banner',
        folder: `banners/${guildId}`,
        ownerId: guildId,
        width: 960,
        height: 540,
        field: 'banner',
      },
      dataUri,
    );
  }

  private storeIcon(guildId: string, dataUri: string | null): Promise<string | null> {
    return storeImage(
      this.deps,
      {
        purpose: 'guild_icon',
        folder: `icons/${guildId}`,
        ownerId: guildId,
        width: 1024,
        height: 1024,
        field: 'icon',
      },
      dataUri,
    );
  }
}

/**
 * The group settings and mutable features a PATCH /guilds/:id changes (ADR 0031). A guild becoming a group starts
 * private unless told otherwise; DISCOVERABLE needs a group that is not private (400), and is dropped when a group
 * becomes private or stops being a group without the caller naming the features.
 */
function groupChanges(
  guild: typeof guilds.$inferSelect,
  input: ModifyGuild,
): Partial<typeof guilds.$inferInsert> {
  const changes: Partial<typeof guilds.$inferInsert> = {};
  let mode = guild.groupJoinMode;
  if (input.hearth_group === null) {
    mode = null;
    Object.assign(changes, { groupJoinMode: null, groupRules: null, groupTags: [], groupHandle: null });
  } else if (input.hearth_group) {
    const g = input.hearth_group;
    mode = g.join_mode ?? mode ?? 'private';
    changes.groupJoinMode = mode;
    if (g.rules !== undefined) changes.groupRules = g.rules;
    if (g.tags !== undefined) changes.groupTags = g.tags;
    if (g.handle !== undefined) changes.groupHandle = g.handle;
  }
  const mutable: readonly string[] = MUTABLE_GUILD_FEATURES;
  let features = guild.features;
  if (input.features) {
    const wanted = new Set(input.features.filter((f) => mutable.includes(f)));
    features = [...features.filter((f) => !mutable.includes(f)), ...mutable.filter((f) => wanted.has(f))];
    if (wanted.has('DISCOVERABLE') && (!mode || mode === 'private'))
      throw invalidField(
        ['features'],
        'DISCOVERABLE_REQUIRES_GROUP',
        'Only a group that is public or approval-required can be discoverable.',
      );
  } else if (!mode || mode === 'private') {
    features = features.filter((f) => f !== 'DISCOVERABLE');
  }
  if (JSON.stringify(features) !== JSON.stringify(guild.features)) changes.features = features;
  return changes;
}
