import { hasPermission, missingForGrant, Permission, parsePermissions } from '@hearth/permissions';
import {
  AuditLogEvent,
  type Channel,
  type ChannelPositions,
  ChannelType,
  type CreateChannel,
  type EditOverwrite,
  ErrorCode,
  isDmType,
  isForumType,
  isTextType,
  isThreadType,
  isVoiceType,
  type ModifyChannel,
} from '@hearth/protocol';
import { and, asc, eq, inArray, not, or } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import { channelTypeIn } from '../../store/channel-kinds';
import type { DbOrTx } from '../../store/db';
import { channels, guilds, members, permissionOverwrites } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import type { DmsService } from '../dms/dms.service';
import { ApiError, invalidField, missingPermissions } from '../errors';
import { groupBy } from '../group-by';
import { deleteChannelContent, deleteChannelFiles } from '../messages/channel-content';
import { PendingEvents } from '../pending-events';
import { forumChanges } from '../threads/forum';
import type { ThreadsService } from '../threads/threads.service';
import type { VoiceService } from '../voice/voice.service';
import { diffChanges, writeAudit } from './audit';
import {
  type ChannelRow,
  type GuildActor,
  loadChannelForActor,
  loadGuildActor,
  loadGuildReader,
  lockChannels,
  type OverwriteRow,
} from './guild-access';
import { toChannelWire } from './guilds.wire';

/** Guild channel types that can be created here. */
const CREATABLE = new Set<number>([
  ChannelType.GuildText,
  ChannelType.GuildVoice,
  ChannelType.GuildCategory,
  ChannelType.GuildAnnouncement,
  ChannelType.GuildForum,
  ChannelType.GuildMedia,
]);
const MAX_CHANNELS = 500;
const CHANNEL_AUDIT_KEYS = [
  'name',
  'type',
  'topic',
  'nsfw',
  'rate_limit_per_user',
  'bitrate',
  'user_limit',
  'rtc_region',
  'parent_id',
  'position',
  'default_auto_archive_duration',
  'flags',
  'available_tags',
  'default_reaction_emoji',
  'default_thread_rate_limit_per_user',
  'default_sort_order',
  'default_forum_layout',
];

/** Text-like and forum channels have a topic (a forum's guidelines), slowmode and a default archive duration. */
const hasTopic = (type: number) => isTextType(type) || isForumType(type);

interface OverwriteSpec {
  id: string;
  type: 0 | 1;
  allow: bigint;
  deny: bigint;
}

export class ChannelsService {
  constructor(
    private readonly deps: Deps,
    private readonly dms: DmsService,
    private readonly threads: ThreadsService,
    private readonly voice: VoiceService,
  ) {}

  private async isThread(channelId: string): Promise<boolean> {
    const [row] = await this.deps.db
      .select({ type: channels.type })
      .from(channels)
      .where(eq(channels.id, channelId));
    return !!row && isThreadType(row.type);
  }

  /** The channel row when it is a DM or group DM (handled by DmsService), else null. */
  private async dmChannel(channelId: string): Promise<ChannelRow | null> {
    const [row] = await this.deps.db.select().from(channels).where(eq(channels.id, channelId));
    return row && isDmType(row.type) ? row : null;
  }

  /** The guild's channels the caller can see (threads excluded). */
  async listForGuild(principal: Principal, guildId: string): Promise<Channel[]> {
    const { db } = this.deps;
    const actor = await loadGuildReader(db, guildId, principal.userId);
    const [rows, overwrites] = await Promise.all([
      db
        .select()
        .from(channels)
        .where(eq(channels.guildId, guildId))
        .orderBy(asc(channels.position), asc(channels.id)),
      db.select().from(permissionOverwrites).where(eq(permissionOverwrites.guildId, guildId)),
    ]);
    const byChannel = groupBy(
      overwrites,
      (o) => o.channelId,
      (o) => o,
    );
    return rows
      .filter((c) => CREATABLE.has(c.type) || isVoiceType(c.type))
      .filter((c) =>
        hasPermission(actor.channelPermissions(byChannel.get(c.id) ?? []), Permission.VIEW_CHANNEL),
      )
      .map((c) => toChannelWire(c, byChannel.get(c.id) ?? []));
  }

  async create(
    principal: Principal,
    guildId: string,
    input: CreateChannel,
    reason: string | null,
  ): Promise<Channel> {
    const { db, ids } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    actor.require(Permission.MANAGE_CHANNELS);
    const type = input.type ?? ChannelType.GuildText;
    if (!CREATABLE.has(type))
      throw invalidField(
        ['type'],
        'CHANNEL_TYPE_INVALID',
        'Channel type must be text (0), voice (2), category (4), announcement (5), forum (15) or media (16).',
      );
    const parent = input.parent_id
      ? await this.validParent(db, guildId, input.parent_id, type, ['parent_id'])
      : null;
    if (isVoiceType(type) && input.rtc_region) await this.knownRegion(input.rtc_region);
    const parentOverwrites = parent ? await this.overwritesOf(db, parent.id) : [];
    const overwrites = input.permission_overwrites
      ? await this.validOverwrites(db, actor, input.permission_overwrites, actor.permissions)
      : parentOverwrites.map((o) => ({
          id: o.targetId,
          type: o.type as 0 | 1,
          allow: o.allow,
          deny: o.deny,
        }));
    const existing = await db.select().from(channels).where(eq(channels.guildId, guildId));
    // A new channel goes after the others unless placed; it may take any slot up to one past the last.
    const next = Math.max(-1, ...existing.filter((c) => !isThreadType(c.type)).map((c) => c.position)) + 1;
    if (input.position != null) fitPosition(input.position, highestSlot(existing) + 1, ['position']);
    if (existing.length >= MAX_CHANNELS)
      throw new ApiError(
        400,
        ErrorCode.MaximumChannels,
        `Maximum number of guild channels reached (${MAX_CHANNELS})`,
      );
    const forum = forumChanges(type, input, [], ids);
    const id = ids.next();
    const pending = new PendingEvents();
    const wire = await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(channels)
        .values({
          id,
          guildId,
          type,
          name: hasTopic(type) ? normalizeTextName(input.name) : input.name,
          topic: hasTopic(type) ? (input.topic ?? null) : null,
          position: input.position ?? next,
          parentId: parent?.id ?? null,
          nsfw: input.nsfw ?? false,
          rateLimitPerUser: hasTopic(type) ? (input.rate_limit_per_user ?? 0) : 0,
          bitrate: isVoiceType(type) ? (input.bitrate ?? 64000) : null,
          userLimit: isVoiceType(type) ? (input.user_limit ?? 0) : null,
          rtcRegion: isVoiceType(type) ? (input.rtc_region ?? null) : null,
          defaultAutoArchiveDuration: hasTopic(type) ? (input.default_auto_archive_duration ?? null) : null,
          ...forum,
        })
        .returning();
      const ows = await this.replaceOverwrites(tx, guildId, id, overwrites);
      const channel = toChannelWire(row, ows);
      await writeAudit(tx, ids, pending, {
        guildId,
        userId: principal.userId,
        targetId: id,
        actionType: AuditLogEvent.ChannelCreate,
        changes: diffChanges({}, channel, CHANNEL_AUDIT_KEYS),
        reason,
      });
      return channel;
    });
    pending.add('CHANNEL_CREATE', Topic.guild(guildId), wire);
    pending.publish(this.deps.events);
    return wire;
  }

  /** PATCH /guilds/:id/channels: positions and parents in bulk; `lock_permissions` syncs with the new parent. */
  async reorder(
    principal: Principal,
    guildId: string,
    moves: ChannelPositions,
    reason: string | null,
  ): Promise<void> {
    const { db, ids } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    actor.require(Permission.MANAGE_CHANNELS);
    const rows = await db.select().from(channels).where(eq(channels.guildId, guildId));
    const byId = new Map(rows.map((c) => [c.id, c]));
    const plans: Array<{ channel: ChannelRow; changes: Partial<ChannelRow>; lock: boolean }> = [];
    const seen = new Set<string>();
    for (const [i, move] of moves.entries()) {
      const channel = byId.get(move.id);
      if (!channel || isThreadType(channel.type))
        throw invalidField([i, 'id'], 'CHANNEL_INVALID', 'Not a channel of this guild.');
      if (seen.has(channel.id))
        throw invalidField([i, 'id'], 'CHANNEL_DUPLICATE', 'This channel is listed twice.');
      seen.add(channel.id);
      const changes: Partial<ChannelRow> = {};
      if (move.position != null)
        changes.position = fitPosition(move.position, highestSlot(rows), [i, 'position']);
      if (move.parent_id !== undefined) {
        if (move.parent_id !== null) {
          const parent = byId.get(move.parent_id);
          if (!parent || parent.type !== ChannelType.GuildCategory)
            throw invalidField(
              [i, 'parent_id'],
              'CHANNEL_PARENT_INVALID',
              'The parent must be a category of this guild.',
            );
          if (channel.type === ChannelType.GuildCategory)
            throw invalidField(
              [i, 'parent_id'],
              'CHANNEL_PARENT_INVALID',
              'A category cannot have a parent.',
            );
        }
        changes.parentId = move.parent_id;
      }
      plans.push({ channel, changes, lock: !!move.lock_permissions });
    }
    const pending = new PendingEvents();
    const updated: Array<{ row: ChannelRow; overwrites: OverwriteRow[] }> = [];
    await db.transaction(async (tx) => {
      await lockChannels(
        tx,
        inArray(
          channels.id,
          plans.map((p) => p.channel.id),
        ),
      );
      for (const { channel, changes, lock } of plans) {
        const [row] = Object.keys(changes).length
          ? await tx.update(channels).set(changes).where(eq(channels.id, channel.id)).returning()
          : [channel];
        let overwrites = await this.overwritesOf(tx, row.id);
        if (lock && row.parentId) {
          const parentOws = await this.overwritesOf(tx, row.parentId);
          overwrites = await this.replaceOverwrites(
            tx,
            guildId,
            row.id,
            parentOws.map((o) => ({ id: o.targetId, type: o.type as 0 | 1, allow: o.allow, deny: o.deny })),
          );
        }
        const diff = diffChanges(toChannelWire(channel, []), toChannelWire(row, []), [
          'position',
          'parent_id',
        ]);
        if (diff.length || lock) {
          updated.push({ row, overwrites });
          if (diff.length)
            await writeAudit(tx, ids, pending, {
              guildId,
              userId: principal.userId,
              targetId: row.id,
              actionType: AuditLogEvent.ChannelUpdate,
              changes: diff,
              reason,
            });
        }
      }
    });
    for (const { row, overwrites } of updated)
      pending.add('CHANNEL_UPDATE', Topic.guild(guildId), toChannelWire(row, overwrites));
    pending.publish(this.deps.events);
  }

  async get(principal: Principal, channelId: string): Promise<Channel> {
    const dm = await this.dmChannel(channelId);
    if (dm) return this.dms.get(principal, dm);
    if (await this.isThread(channelId)) return this.threads.get(principal, channelId);
    const { channel, overwrites } = await loadChannelForActor(this.deps.db, channelId, principal.userId, {
      preview: true,
    });
    return toChannelWire(channel, overwrites);
  }

  async modify(
    principal: Principal,
    channelId: string,
    input: ModifyChannel,
    reason: string | null,
  ): Promise<Channel> {
    const dm = await this.dmChannel(channelId);
    if (dm) return this.dms.modifyGroup(principal, dm, { name: input.name, icon: input.icon });
    if (await this.isThread(channelId))
      return this.threads.modify(principal, channelId, {
        name: input.name,
        archived: input.archived,
        locked: input.locked,
        invitable: input.invitable,
        auto_archive_duration: input.auto_archive_duration,
        rate_limit_per_user: input.rate_limit_per_user,
        applied_tags: input.applied_tags,
        flags: input.flags,
      });
    const { db, ids } = this.deps;
    const {
      actor,
      channel,
      overwrites: current,
      permissions,
    } = await loadChannelForActor(db, channelId, principal.userId);
    const guildId = channel.guildId!;
    if (!hasPermission(permissions, Permission.MANAGE_CHANNELS)) throw missingPermissions();
    const changes: Partial<typeof channels.$inferInsert> = {};
    if (input.name !== undefined)
      changes.name = hasTopic(channel.type) ? normalizeTextName(input.name) : input.name;
    if (input.type !== undefined && input.type !== channel.type) {
      const swap = isTextType(channel.type) && isTextType(input.type);
      if (!swap)
        throw invalidField(
          ['type'],
          'CHANNEL_TYPE_INVALID',
          'Only text and announcement channels can be converted into each other.',
        );
      changes.type = input.type;
    }
    if (input.topic !== undefined) {
      if (!hasTopic(channel.type))
        throw invalidField(['topic'], 'CHANNEL_FIELD_INVALID', 'Only text channels have a topic.');
      changes.topic = input.topic;
    }
    if (input.nsfw != null) changes.nsfw = input.nsfw;
    if (input.rate_limit_per_user != null) changes.rateLimitPerUser = input.rate_limit_per_user;
    if (input.position != null)
      changes.position = fitPosition(
        input.position,
        highestSlot(await db.select().from(channels).where(eq(channels.guildId, guildId))),
        ['position'],
      );
    if (input.default_auto_archive_duration != null)
      changes.defaultAutoArchiveDuration = input.default_auto_archive_duration;
    for (const [field, key] of [
      ['bitrate', 'bitrate'],
      ['user_limit', 'userLimit'],
      ['rtc_region', 'rtcRegion'],
    ] as const) {
      if (input[field] === undefined) continue;
      if (!isVoiceType(channel.type))
        throw invalidField([field], 'CHANNEL_FIELD_INVALID', 'Only voice channels have this field.');
      if (field === 'rtc_region' && input.rtc_region) await this.knownRegion(input.rtc_region);
      (changes as Record<string, unknown>)[key] = input[field];
    }
    if (input.parent_id !== undefined) {
      const parent = input.parent_id
        ? await this.validParent(db, guildId, input.parent_id, channel.type, ['parent_id'])
        : null;
      changes.parentId = parent?.id ?? null;
    }
    Object.assign(changes, forumChanges(channel.type, input, channel.availableTags ?? [], ids));
    let newOverwrites: OverwriteSpec[] | null = null;
    if (input.permission_overwrites != null) {
      if (!hasPermission(permissions, Permission.MANAGE_ROLES)) throw missingPermissions();
      newOverwrites = await this.validOverwrites(db, actor, input.permission_overwrites, permissions);
    }
    const pending = new PendingEvents();
    const wire = await db.transaction(async (tx) => {
      const [row] = Object.keys(changes).length
        ? await tx.update(channels).set(changes).where(eq(channels.id, channelId)).returning()
        : [channel];
      const ows = newOverwrites
        ? await this.replaceOverwrites(tx, guildId, channelId, newOverwrites)
        : current;
      const after = toChannelWire(row, ows);
      const diff = diffChanges(toChannelWire(channel, current), after, CHANNEL_AUDIT_KEYS);
      if (diff.length)
        await writeAudit(tx, ids, pending, {
          guildId,
          userId: principal.userId,
          targetId: channelId,
          actionType: AuditLogEvent.ChannelUpdate,
          changes: diff,
          reason,
        });
      return after;
    });
    pending.add('CHANNEL_UPDATE', Topic.guild(guildId), wire);
    pending.publish(this.deps.events);
    return wire;
  }

  /** Deletes a guild channel with its messages, overwrites and invites; a category's children are left without parent. */
  async delete(principal: Principal, channelId: string, reason: string | null): Promise<Channel> {
    const dm = await this.dmChannel(channelId);
    if (dm) return this.dms.close(principal, dm);
    if (await this.isThread(channelId)) return this.threads.delete(principal, channelId, reason);
    const { db, ids } = this.deps;
    const { channel, overwrites, permissions } = await loadChannelForActor(db, channelId, principal.userId);
    const guildId = channel.guildId!;
    if (!hasPermission(permissions, Permission.MANAGE_CHANNELS)) throw missingPermissions();
    const wire = toChannelWire(channel, overwrites);
    const pending = new PendingEvents();
    const { orphans, threads } = await db.transaction(async (tx) => {
      await lockChannels(tx, or(eq(channels.id, channelId), eq(channels.parentId, channelId)));
      // A category's channels stay, without parent; a channel's threads (a forum's posts) go with it.
      const children = await tx
        .update(channels)
        .set({ parentId: null })
        .where(and(eq(channels.parentId, channelId), not(channelTypeIn(channels.type, 'thread'))))
        .returning();
      // Those in it (a voice channel) are told they left before it goes.
      await this.voice.endInChannels(tx, pending, [channelId]);
      const gone = await tx
        .select()
        .from(channels)
        .where(and(eq(channels.parentId, channelId), channelTypeIn(channels.type, 'thread')));
      await deleteChannelContent(tx, [channelId, ...gone.map((t) => t.id)]);
      if (gone.length)
        await tx.delete(channels).where(
          inArray(
            channels.id,
            gone.map((t) => t.id),
          ),
        );
      await tx
        .update(guilds)
        .set({ systemChannelId: null })
        .where(and(eq(guilds.id, guildId), eq(guilds.systemChannelId, channelId)));
      await tx
        .update(guilds)
        .set({ afkChannelId: null })
        .where(and(eq(guilds.id, guildId), eq(guilds.afkChannelId, channelId)));
      await tx.delete(channels).where(eq(channels.id, channelId));
      await writeAudit(tx, ids, pending, {
        guildId,
        userId: principal.userId,
        targetId: channelId,
        actionType: AuditLogEvent.ChannelDelete,
        changes: diffChanges(wire, {}, CHANNEL_AUDIT_KEYS),
        reason,
      });
      return { orphans: children, threads: gone };
    });
    for (const t of threads)
      pending.add('THREAD_DELETE', Topic.guild(guildId), {
        id: t.id,
        guild_id: guildId,
        parent_id: channelId,
        type: t.type,
      });
    for (const child of orphans)
      pending.add(
        'CHANNEL_UPDATE',
        Topic.guild(guildId),
        toChannelWire(child, await this.overwritesOf(db, child.id)),
      );
    await deleteChannelFiles(this.deps, [channelId, ...threads.map((t) => t.id)]);
    pending.add('CHANNEL_DELETE', Topic.guild(guildId), wire);
    pending.publish(this.deps.events);
    return wire;
  }

  /** PUT /channels/:id/permissions/:overwrite_id: MANAGE_ROLES, and nothing allowed or denied that the actor lacks. */
  async putOverwrite(
    principal: Principal,
    channelId: string,
    targetId: string,
    input: EditOverwrite,
    reason: string | null,
  ): Promise<void> {
    const { db, ids } = this.deps;
    const { actor, channel, overwrites, permissions } = await loadChannelForActor(
      db,
      channelId,
      principal.userId,
    );
    const guildId = channel.guildId!;
    if (!hasPermission(permissions, Permission.MANAGE_ROLES)) throw missingPermissions();
    const [spec] = await this.validOverwrites(
      db,
      actor,
      [{ id: targetId, type: input.type, allow: input.allow, deny: input.deny }],
      permissions,
      [],
    );
    const existing = overwrites.find((o) => o.targetId === targetId);
    const pending = new PendingEvents();
    await db.transaction(async (tx) => {
      await tx
        .insert(permissionOverwrites)
        .values({ channelId, targetId, guildId, type: spec.type, allow: spec.allow, deny: spec.deny })
        .onConflictDoUpdate({
          target: [permissionOverwrites.channelId, permissionOverwrites.targetId],
          set: { type: spec.type, allow: spec.allow, deny: spec.deny },
        });
      const changes = [
        {
          key: 'allow',
          ...(existing ? { old_value: existing.allow.toString() } : {}),
          new_value: spec.allow.toString(),
        },
        {
          key: 'deny',
          ...(existing ? { old_value: existing.deny.toString() } : {}),
          new_value: spec.deny.toString(),
        },
      ];
      await writeAudit(tx, ids, pending, {
        guildId,
        userId: principal.userId,
        targetId: channelId,
        actionType: existing ? AuditLogEvent.ChannelOverwriteUpdate : AuditLogEvent.ChannelOverwriteCreate,
        changes,
        options: { id: targetId, type: String(spec.type) },
        reason,
      });
    });
    pending.add(
      'CHANNEL_UPDATE',
      Topic.guild(guildId),
      toChannelWire(channel, await this.overwritesOf(db, channelId)),
    );
    pending.publish(this.deps.events);
  }

  async deleteOverwrite(
    principal: Principal,
    channelId: string,
    targetId: string,
    reason: string | null,
  ): Promise<void> {
    const { db, ids } = this.deps;
    const { channel, overwrites, permissions } = await loadChannelForActor(db, channelId, principal.userId);
    const guildId = channel.guildId!;
    if (!hasPermission(permissions, Permission.MANAGE_ROLES)) throw missingPermissions();
    const existing = overwrites.find((o) => o.targetId === targetId);
    if (!existing) return;
    const pending = new PendingEvents();
    await db.transaction(async (tx) => {
      await tx
        .delete(permissionOverwrites)
        .where(
          and(eq(permissionOverwrites.channelId, channelId), eq(permissionOverwrites.targetId, targetId)),
        );
      await writeAudit(tx, ids, pending, {
        guildId,
        userId: principal.userId,
        targetId: channelId,
        actionType: AuditLogEvent.ChannelOverwriteDelete,
        changes: [
          { key: 'allow', old_value: existing.allow.toString() },
          { key: 'deny', old_value: existing.deny.toString() },
        ],
        options: { id: targetId, type: String(existing.type) },
        reason,
      });
    });
    pending.add(
      'CHANNEL_UPDATE',
      Topic.guild(guildId),
      toChannelWire(channel, await this.overwritesOf(db, channelId)),
    );
    pending.publish(this.deps.events);
  }

  private overwritesOf(db: DbOrTx, channelId: string) {
    return db.select().from(permissionOverwrites).where(eq(permissionOverwrites.channelId, channelId));
  }

  /** A channel's `rtc_region` must be one a live process declares (null stays automatic). */
  private async knownRegion(region: string): Promise<void> {
    const known = new Set((await this.deps.voicePlacement.processes()).map((p) => p.region));
    if (!known.has(region))
      throw invalidField(
        ['rtc_region'],
        'BASE_TYPE_CHOICES',
        `Value must be one of {${[...known].sort().join(', ')}}.`,
      );
  }

  private async validParent(
    db: DbOrTx,
    guildId: string,
    parentId: string,
    childType: number,
    path: string[],
  ) {
    if (childType === ChannelType.GuildCategory)
      throw invalidField(path, 'CHANNEL_PARENT_INVALID', 'A category cannot have a parent.');
    const [parent] = await db
      .select()
      .from(channels)
      .where(and(eq(channels.id, parentId), eq(channels.guildId, guildId)));
    if (!parent || parent.type !== ChannelType.GuildCategory)
      throw invalidField(path, 'CHANNEL_PARENT_INVALID', 'The parent must be a category of this guild.');
    return parent;
  }

  /**
   * Checks overwrites against the guild: roles must be this guild's, members must be in it, ADMINISTRATOR cannot be
   * set, and the actor can only allow or deny what it holds itself (`actorPermissions`).
   */
  private async validOverwrites(
    db: DbOrTx,
    actor: GuildActor,
    input: Array<{ id: string; type: 0 | 1 | '0' | '1'; allow?: string | null; deny?: string | null }>,
    actorPermissions: bigint,
    path: Array<string | number> = ['permission_overwrites'],
  ): Promise<OverwriteSpec[]> {
    const guildId = actor.guild.id;
    const memberIds = input.filter((o) => Number(o.type) === 1).map((o) => o.id);
    const present = memberIds.length
      ? new Set(
          (
            await db
              .select({ id: members.userId })
              .from(members)
              .where(and(eq(members.guildId, guildId), inArray(members.userId, memberIds)))
          ).map((m) => m.id),
        )
      : new Set<string>();
    return input.map((o, i) => {
      const at = path.length ? [...path, i] : [];
      const type = Number(o.type) as 0 | 1;
      if (type === 0 && !actor.roles.some((r) => r.id === o.id))
        throw invalidField([...at, 'id'], 'ROLE_INVALID', 'Not a role of this guild.');
      if (type === 1 && !present.has(o.id))
        throw invalidField([...at, 'id'], 'MEMBER_INVALID', 'Not a member of this guild.');
      const allow = o.allow ? parsePermissions(o.allow) : 0n;
      const deny = o.deny ? parsePermissions(o.deny) : 0n;
      if (allow === null || deny === null)
        throw invalidField([...at, 'allow'], 'PERMISSIONS_INVALID', 'Not a permission set.');
      if ((allow | deny) & Permission.ADMINISTRATOR)
        throw invalidField(
          [...at, 'allow'],
          'PERMISSIONS_INVALID',
          'ADMINISTRATOR cannot be set in an overwrite.',
        );
      if (missingForGrant(actorPermissions, allow | deny) !== 0n) throw missingPermissions();
      return { id: o.id, type, allow, deny };
    });
  }

  private async replaceOverwrites(
    tx: DbOrTx,
    guildId: string,
    channelId: string,
    specs: OverwriteSpec[],
  ): Promise<OverwriteRow[]> {
    await tx.delete(permissionOverwrites).where(eq(permissionOverwrites.channelId, channelId));
    if (!specs.length) return [];
    return tx
      .insert(permissionOverwrites)
      .values(
        specs.map((s) => ({
          channelId,
          guildId,
          targetId: s.id,
          type: s.type,
          allow: s.allow,
          deny: s.deny,
        })),
      )
      .returning();
  }
}

/** The highest position a guild channel may take: one slot per channel, or the highest already in use. */
function highestSlot(rows: ChannelRow[]): number {
  const guildChannels = rows.filter((c) => !isThreadType(c.type));
  return Math.max(guildChannels.length - 1, ...guildChannels.map((c) => c.position));
}

/** A channel position from 0 to `highest`; anything else does not fit. */
function fitPosition(position: number, highest: number, path: Array<string | number>): number {
  if (position > highest)
    throw invalidField(path, 'POSITION_INVALID', `A channel's position must be from 0 to ${highest}.`);
  return position;
}

/** Discord lowercases text channel names and turns spaces into dashes. */
function normalizeTextName(name: string): string {
  const n = name.trim().toLowerCase().replace(/\s+/g, '-');
  return n || name;
}
