import { Permission } from '@hearth/permissions';
import { AuditLogEvent, type Ban, ErrorCode, snowflakeFromTimestamp } from '@hearth/protocol';
import { and, asc, desc, eq, gt, gte, inArray, lt } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import { bans, channels, memberRoles, members, messages, users } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { ApiError, missingPermissions, notFound } from '../errors';
import { deleteAttachmentFiles } from '../messages/attachments';
import { deleteMessages } from '../messages/channel-content';
import { PendingEvents } from '../pending-events';
import { toPublicUser } from '../users/users.wire';
import { writeAudit } from './audit';
import { rejectRemovedMember } from './group-federation';
import { loadGuildActor, lockGuild } from './guild-access';
import type { MembersService } from './members.service';

const unknownBan = () => notFound(ErrorCode.UnknownBan, 'Ban');

export class BansService {
  constructor(
    private readonly deps: Deps,
    private readonly members: MembersService,
  ) {}

  async list(
    principal: Principal,
    guildId: string,
    opts: { limit: number; before?: string; after?: string },
  ): Promise<Ban[]> {
    const { db } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    actor.require(Permission.BAN_MEMBERS);
    const conditions = [eq(bans.guildId, guildId)];
    if (opts.after) conditions.push(gt(bans.userId, opts.after));
    if (opts.before) conditions.push(lt(bans.userId, opts.before));
    const rows = await db
      .select({ ban: bans, user: users })
      .from(bans)
      .innerJoin(users, eq(users.id, bans.userId))
      .where(and(...conditions))
      .orderBy(opts.before && !opts.after ? desc(bans.userId) : asc(bans.userId))
      .limit(opts.limit);
    const list = rows.map((r) => ({ reason: r.ban.reason, user: toPublicUser(r.user) }));
    return opts.before && !opts.after ? list.reverse() : list;
  }

  async get(principal: Principal, guildId: string, userId: string): Promise<Ban> {
    const { db } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    actor.require(Permission.BAN_MEMBERS);
    const [row] = await db
      .select({ ban: bans, user: users })
      .from(bans)
      .innerJoin(users, eq(users.id, bans.userId))
      .where(and(eq(bans.guildId, guildId), eq(bans.userId, userId)));
    if (!row) throw unknownBan();
    return { reason: row.ban.reason, user: toPublicUser(row.user) };
  }

  /**
   * PUT /guilds/:id/bans/:user_id: removes the member (if they are one), keeps them out of every invite, and deletes
   * their messages in the guild from the last `deleteMessageSeconds`.
   */
  async create(
    principal: Principal,
    guildId: string,
    userId: string,
    deleteMessageSeconds: number,
    reason: string | null,
  ): Promise<void> {
    const { db, ids } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    actor.require(Permission.BAN_MEMBERS);
    const [user] = await db.select().from(users).where(eq(users.id, userId));
    if (!user) throw notFound(ErrorCode.UnknownUser, 'User');
    if (userId === actor.guild.ownerId) throw missingPermissions();
    const [member] = await db
      .select()
      .from(members)
      .where(and(eq(members.guildId, guildId), eq(members.userId, userId)));
    if (member) {
      const roleIds = (
        await db
          .select({ id: memberRoles.roleId })
          .from(memberRoles)
          .where(and(eq(memberRoles.guildId, guildId), eq(memberRoles.userId, userId)))
      ).map((r) => r.id);
      if (!actor.canManageMember({ userId, roleIds })) throw missingPermissions();
    } else if (userId === principal.userId) {
      throw new ApiError(400, ErrorCode.InvalidFormBody, 'You cannot ban yourself');
    }
    const pending = new PendingEvents();
    const files: Array<{ channelId: string; id: string }> = [];
    const deleted = await db.transaction(async (tx) => {
      await lockGuild(tx, guildId, 'update');
      await tx
        .insert(bans)
        .values({ guildId, userId, reason, moderatorId: principal.userId })
        .onConflictDoUpdate({
          target: [bans.guildId, bans.userId],
          set: { reason, moderatorId: principal.userId },
        });
      if (await this.members.removeMember(tx, pending, guildId, userId))
        await rejectRemovedMember(this.deps, tx, actor.guild, userId);
      const removed: Array<{ channelId: string; id: string }> = [];
      if (deleteMessageSeconds > 0) {
        const since = snowflakeFromTimestamp(Date.now() - deleteMessageSeconds * 1000);
        const channelIds = (
          await tx.select({ id: channels.id }).from(channels).where(eq(channels.guildId, guildId))
        ).map((c) => c.id);
        if (channelIds.length) {
          const doomed = await tx
            .select({ channelId: messages.channelId, id: messages.id })
            .from(messages)
            .where(
              and(
                inArray(messages.channelId, channelIds),
                eq(messages.authorId, userId),
                gte(messages.id, since),
              ),
            );
          for (const [channelId, ids] of groupIds(doomed)) {
            const gone = await deleteMessages(tx, channelId, ids);
            removed.push(...gone.ids.map((id) => ({ channelId, id })));
            files.push(...gone.attachments);
          }
        }
      }
      await writeAudit(tx, ids, pending, {
        guildId,
        userId: principal.userId,
        targetId: userId,
        actionType: AuditLogEvent.MemberBanAdd,
        ...(deleteMessageSeconds
          ? { options: { delete_message_seconds: String(deleteMessageSeconds) } }
          : {}),
        reason,
      });
      return removed;
    });
    await deleteAttachmentFiles(this.deps.storage, files);
    pending.add('GUILD_BAN_ADD', Topic.guild(guildId), { guild_id: guildId, user: toPublicUser(user) });
    const byChannel = new Map<string, string[]>();
    for (const m of deleted) byChannel.set(m.channelId, [...(byChannel.get(m.channelId) ?? []), m.id]);
    for (const [channelId, messageIds] of byChannel)
      pending.add('MESSAGE_DELETE_BULK', Topic.channel(channelId), {
        ids: messageIds,
        channel_id: channelId,
        guild_id: guildId,
      });
    pending.publish(this.deps.events);
  }

  async remove(principal: Principal, guildId: string, userId: string, reason: string | null): Promise<void> {
    const { db, ids } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    actor.require(Permission.BAN_MEMBERS);
    const pending = new PendingEvents();
    const user = await db.transaction(async (tx) => {
      const removed = await tx
        .delete(bans)
        .where(and(eq(bans.guildId, guildId), eq(bans.userId, userId)))
        .returning();
      if (!removed.length) throw unknownBan();
      await writeAudit(tx, ids, pending, {
        guildId,
        userId: principal.userId,
        targetId: userId,
        actionType: AuditLogEvent.MemberBanRemove,
        reason,
      });
      const [u] = await tx.select().from(users).where(eq(users.id, userId));
      return u;
    });
    pending.add('GUILD_BAN_REMOVE', Topic.guild(guildId), { guild_id: guildId, user: toPublicUser(user) });
    pending.publish(this.deps.events);
  }
}

function groupIds(rows: Array<{ channelId: string; id: string }>): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const r of rows) map.set(r.channelId, [...(map.get(r.channelId) ?? []), r.id]);
  return map;
}
