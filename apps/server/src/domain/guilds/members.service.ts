import { Permission } from '@hearth/permissions';
import { AuditLogEvent, ErrorCode, type Member, type ModifyMember } from '@hearth/protocol';
import { and, asc, eq, gt, ilike, inArray, or } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import type { DbOrTx } from '../../store/db';
import { memberRoles, members, threadMembers, users } from '../../store/schema';
import { removeApplicationFromGuild } from '../applications/commands.service';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { ApiError, invalidField, missingPermissions, notFound } from '../errors';
import { groupBy } from '../group-by';
import { storeImage } from '../images';
import { PendingEvents } from '../pending-events';
import { toPublicUser } from '../users/users.wire';
import type { VoiceService } from '../voice/voice.service';
import { type AuditChange, writeAudit } from './audit';
import { rejectRemovedMember } from './group-federation';
import { GuildActor, loadGuildActor } from './guild-access';
import { toMemberWire } from './guilds.wire';

const MAX_TIMEOUT_MS = 28 * 24 * 60 * 60 * 1000;

type UserRow = typeof users.$inferSelect;

export class MembersService {
  constructor(
    private readonly deps: Deps,
    private readonly voice: VoiceService,
  ) {}

  async list(
    principal: Principal,
    guildId: string,
    opts: { limit: number; after?: string },
  ): Promise<Member[]> {
    await loadGuildActor(this.deps.db, guildId, principal.userId);
    const conditions = [eq(members.guildId, guildId)];
    if (opts.after) conditions.push(gt(members.userId, opts.after));
    const rows = await this.deps.db
      .select({ member: members, user: users })
      .from(members)
      .innerJoin(users, eq(users.id, members.userId))
      .where(and(...conditions))
      .orderBy(asc(members.userId))
      .limit(opts.limit);
    return this.withRoles(guildId, rows);
  }

  /** Members whose username, display name or nickname starts with `query`. */
  async search(principal: Principal, guildId: string, query: string, limit: number): Promise<Member[]> {
    await loadGuildActor(this.deps.db, guildId, principal.userId);
    // No name can hold U+0000 (no input may), and PostgreSQL cannot compare text holding it: nobody matches.
    if (query.includes('\u0000')) return [];
    const prefix = `${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = await this.deps.db
      .select({ member: members, user: users })
      .from(members)
      .innerJoin(users, eq(users.id, members.userId))
      .where(
        and(
          eq(members.guildId, guildId),
          or(ilike(users.username, prefix), ilike(users.globalName, prefix), ilike(members.nick, prefix)),
        ),
      )
      .orderBy(asc(users.username))
      .limit(limit);
    return this.withRoles(guildId, rows);
  }

  async get(principal: Principal, guildId: string, userId: string): Promise<Member> {
    await loadGuildActor(this.deps.db, guildId, principal.userId);
    return this.fetch(this.deps.db, guildId, userId);
  }

  /** PATCH /guilds/:id/members/:user_id: each field needs its own permission, and roles need the hierarchy. */
  async modify(
    principal: Principal,
    guildId: string,
    userId: string,
    input: ModifyMember,
    reason: string | null,
  ): Promise<Member> {
    const { db } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    const target = await this.loadTarget(db, actor, userId);
    const changes: Partial<typeof members.$inferInsert> = {};
    const auditChanges: AuditChange[] = [];
    const self = userId === principal.userId;

    if (input.nick !== undefined) {
      actor.require(self ? Permission.CHANGE_NICKNAME : Permission.MANAGE_NICKNAMES);
      if (!self && !actor.canManageMember(target)) throw missingPermissions();
      changes.nick = input.nick || null;
      auditChanges.push({
        key: 'nick',
        old_value: target.member.nick ?? undefined,
        new_value: changes.nick ?? undefined,
      });
    }
    for (const [field, bit] of [
      ['mute', Permission.MUTE_MEMBERS],
      ['deaf', Permission.DEAFEN_MEMBERS],
    ] as const) {
      const value = input[field];
      if (value === undefined || value === null) continue;
      actor.require(bit);
      changes[field] = value;
      auditChanges.push({ key: field, old_value: target.member[field], new_value: value });
    }
    if (input.communication_disabled_until !== undefined) {
      actor.require(Permission.MODERATE_MEMBERS);
      if (!actor.canManageMember(target)) throw missingPermissions();
      const until = input.communication_disabled_until ? new Date(input.communication_disabled_until) : null;
      if (until && until.getTime() > Date.now() + MAX_TIMEOUT_MS)
        throw invalidField(
          ['communication_disabled_until'],
          'DATE_TOO_FAR',
          'A timeout lasts at most 28 days.',
        );
      const targetPerms = new GuildActor(actor.guild, actor.roles, target.member, target.roleIds).permissions;
      if (until && targetPerms & Permission.ADMINISTRATOR) throw missingPermissions();
      changes.communicationDisabledUntil = until;
      auditChanges.push({
        key: 'communication_disabled_until',
        old_value: target.member.communicationDisabledUntil?.toISOString(),
        new_value: until?.toISOString(),
      });
    }
    if (input.flags !== undefined && input.flags !== null) {
      actor.require(Permission.MANAGE_GUILD);
      changes.flags = input.flags;
    }
    let newRoles: string[] | null = null;
    if (input.roles !== undefined && input.roles !== null) {
      actor.require(Permission.MANAGE_ROLES);
      newRoles = [...new Set(input.roles)].filter((id) => id !== guildId);
      const current = new Set(target.roleIds);
      const wanted = new Set(newRoles);
      const changed = [
        ...newRoles.filter((r) => !current.has(r)),
        ...target.roleIds.filter((r) => !wanted.has(r)),
      ];
      for (const roleId of changed) {
        const role = actor.roles.find((r) => r.id === roleId);
        if (!role) throw invalidField(['roles'], 'ROLE_INVALID', `Unknown role ${roleId}.`);
        if (role.managed || !actor.canManageRole(role)) throw missingPermissions();
      }
    }

    const pending = new PendingEvents();
    await db.transaction(async (tx) => {
      await this.saveChanges(
        tx,
        pending,
        { guildId, userId, actorId: principal.userId, reason },
        changes,
        auditChanges,
      );
      // A move or disconnect (MOVE_MEMBERS), after any server mute or deafen so the voice state shows them.
      if (input.channel_id !== undefined)
        await this.voice.moveMember(tx, pending, actor, userId, input.channel_id, reason);
      else if (changes.mute !== undefined || changes.deaf !== undefined)
        await this.voice.announce(tx, pending, guildId, userId);
      if (newRoles) {
        await tx
          .delete(memberRoles)
          .where(and(eq(memberRoles.guildId, guildId), eq(memberRoles.userId, userId)));
        if (newRoles.length)
          await tx.insert(memberRoles).values(newRoles.map((roleId) => ({ guildId, userId, roleId })));
        const added = newRoles.filter((r) => !target.roleIds.includes(r));
        const removed = target.roleIds.filter((r) => !newRoles!.includes(r));
        if (added.length || removed.length) {
          await writeAudit(tx, this.deps.ids, pending, {
            guildId,
            userId: principal.userId,
            targetId: userId,
            actionType: AuditLogEvent.MemberRoleUpdate,
            changes: [
              ...(added.length ? [{ key: '$add', new_value: this.roleRefs(actor, added) }] : []),
              ...(removed.length ? [{ key: '$remove', new_value: this.roleRefs(actor, removed) }] : []),
            ],
            reason,
          });
        }
      }
    });
    const member = await this.fetch(db, guildId, userId);
    pending.add('GUILD_MEMBER_UPDATE', Topic.guild(guildId), { guild_id: guildId, ...member });
    pending.publish(this.deps.events);
    return member;
  }

  /** PATCH /guilds/:id/members/@me: one's own nickname (CHANGE_NICKNAME) and guild avatar. */
  async modifyMe(
    principal: Principal,
    guildId: string,
    input: { nick?: string | null; avatar?: string | null },
    reason: string | null,
  ): Promise<Member> {
    const { db } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    const changes: Partial<typeof members.$inferInsert> = {};
    const auditChanges: AuditChange[] = [];
    if (input.nick !== undefined) {
      actor.require(Permission.CHANGE_NICKNAME);
      changes.nick = input.nick || null;
      if (changes.nick !== actor.member.nick)
        auditChanges.push({
          key: 'nick',
          old_value: actor.member.nick ?? undefined,
          new_value: changes.nick ?? undefined,
        });
    }
    if (input.avatar !== undefined) {
      changes.avatar = await storeImage(
        this.deps,
        {
          purpose: 'member_avatar',
          folder: `guilds/${guildId}/users/${principal.userId}/avatars`,
          ownerId: principal.userId,
          width: 1024,
          height: 1024,
          field: 'avatar',
        },
        input.avatar,
      );
      if (changes.avatar !== actor.member.avatar)
        auditChanges.push({
          key: 'avatar_hash',
          old_value: actor.member.avatar ?? undefined,
          new_value: changes.avatar ?? undefined,
        });
    }
    const pending = new PendingEvents();
    await db.transaction((tx) =>
      this.saveChanges(
        tx,
        pending,
        { guildId, userId: principal.userId, actorId: principal.userId, reason },
        changes,
        auditChanges,
      ),
    );
    const member = await this.fetch(db, guildId, principal.userId);
    pending.add('GUILD_MEMBER_UPDATE', Topic.guild(guildId), { guild_id: guildId, ...member });
    pending.publish(this.deps.events);
    return member;
  }

  /** PUT or DELETE /guilds/:id/members/:user_id/roles/:role_id. */
  async setRole(
    principal: Principal,
    guildId: string,
    userId: string,
    roleId: string,
    add: boolean,
    reason: string | null,
  ): Promise<void> {
    const { db } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    actor.require(Permission.MANAGE_ROLES);
    const target = await this.loadTarget(db, actor, userId);
    const role = actor.roles.find((r) => r.id === roleId);
    if (!role || role.id === guildId) throw notFound(ErrorCode.UnknownRole, 'Role');
    if (role.managed || !actor.canManageRole(role)) throw missingPermissions();
    if (add === target.roleIds.includes(roleId)) return;
    const pending = new PendingEvents();
    await db.transaction(async (tx) => {
      if (add) await tx.insert(memberRoles).values({ guildId, userId, roleId }).onConflictDoNothing();
      else
        await tx
          .delete(memberRoles)
          .where(
            and(
              eq(memberRoles.guildId, guildId),
              eq(memberRoles.userId, userId),
              eq(memberRoles.roleId, roleId),
            ),
          );
      await writeAudit(tx, this.deps.ids, pending, {
        guildId,
        userId: principal.userId,
        targetId: userId,
        actionType: AuditLogEvent.MemberRoleUpdate,
        changes: [{ key: add ? '$add' : '$remove', new_value: this.roleRefs(actor, [roleId]) }],
        reason,
      });
    });
    const member = await this.fetch(db, guildId, userId);
    pending.add('GUILD_MEMBER_UPDATE', Topic.guild(guildId), { guild_id: guildId, ...member });
    pending.publish(this.deps.events);
  }

  /** DELETE /guilds/:id/members/:user_id: KICK_MEMBERS and a higher role than the target. */
  async kick(principal: Principal, guildId: string, userId: string, reason: string | null): Promise<void> {
    const { db } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    actor.require(Permission.KICK_MEMBERS);
    const target = await this.loadTarget(db, actor, userId);
    if (!actor.canManageMember(target)) throw missingPermissions();
    const pending = new PendingEvents();
    await db.transaction(async (tx) => {
      if (await this.removeMember(tx, pending, guildId, userId))
        await rejectRemovedMember(this.deps, tx, actor.guild, userId);
      await writeAudit(tx, this.deps.ids, pending, {
        guildId,
        userId: principal.userId,
        targetId: userId,
        actionType: AuditLogEvent.MemberKick,
        reason,
      });
    });
    pending.publish(this.deps.events);
  }

  /** DELETE /users/@me/guilds/:id. The owner must transfer or delete the guild instead. */
  async leave(principal: Principal, guildId: string): Promise<void> {
    const actor = await loadGuildActor(this.deps.db, guildId, principal.userId);
    if (actor.isOwner)
      throw new ApiError(
        400,
        ErrorCode.InvalidGuild,
        'The owner cannot leave the guild; transfer it or delete it',
      );
    const pending = new PendingEvents();
    await this.deps.db.transaction((tx) => this.removeMember(tx, pending, guildId, principal.userId));
    pending.publish(this.deps.events);
  }

  /**
   * The user's last gateway session is gone: if they hold temporary memberships, a job ends them (ADR 0025), so the
   * ending survives this process stopping and is retried when the database fails.
   */
  async lastSessionGone(userId: string): Promise<void> {
    const [temporary] = await this.deps.db
      .select({ guildId: members.guildId })
      .from(members)
      .where(and(eq(members.userId, userId), eq(members.temporary, true)))
      .limit(1);
    if (temporary) await this.deps.jobs.enqueue('members.end-temporary', { userId }, { key: userId });
  }

  /**
   * Ends the memberships a user holds through temporary invites and was given no role in, as Discord does when
   * such a member disconnects (the job `members.end-temporary`, once it found them still gone).
   */
  async endTemporaryMemberships(userId: string): Promise<void> {
    const { db } = this.deps;
    const temporary = await db
      .select({ guildId: members.guildId })
      .from(members)
      .where(and(eq(members.userId, userId), eq(members.temporary, true)));
    if (!temporary.length) return;
    const pending = new PendingEvents();
    await db.transaction(async (tx) => {
      for (const { guildId } of temporary) {
        const [role] = await tx
          .select()
          .from(memberRoles)
          .where(and(eq(memberRoles.guildId, guildId), eq(memberRoles.userId, userId)))
          .limit(1);
        if (!role) await this.removeMember(tx, pending, guildId, userId);
      }
    });
    pending.publish(this.deps.events);
  }

  /** Adds a user to a guild (by invite or bot authorization); false if they were already a member. */
  async addMember(
    tx: DbOrTx,
    pending: PendingEvents,
    guildId: string,
    userId: string,
    opts: { temporary?: boolean; roleIds?: string[] } = {},
  ): Promise<boolean> {
    const inserted = await tx
      .insert(members)
      .values({ guildId, userId, temporary: opts.temporary ?? false })
      .onConflictDoNothing()
      .returning();
    if (!inserted.length) return false;
    if (opts.roleIds?.length)
      await tx.insert(memberRoles).values(opts.roleIds.map((roleId) => ({ guildId, userId, roleId })));
    const [user] = await tx.select().from(users).where(eq(users.id, userId));
    pending.add('GUILD_MEMBER_ADD', Topic.guild(guildId), {
      guild_id: guildId,
      ...toMemberWire(inserted[0], opts.roleIds ?? [], user),
    });
    return true;
  }

  /** Removes a membership with its roles and thread memberships; queues GUILD_MEMBER_REMOVE and the user's GUILD_DELETE. */
  async removeMember(tx: DbOrTx, pending: PendingEvents, guildId: string, userId: string): Promise<boolean> {
    // Out of voice first, so the leave still carries the member.
    await this.voice.endForMember(tx, pending, guildId, userId);
    const removed = await tx
      .delete(members)
      .where(and(eq(members.guildId, guildId), eq(members.userId, userId)))
      .returning();
    if (!removed.length) return false;
    await tx.delete(memberRoles).where(and(eq(memberRoles.guildId, guildId), eq(memberRoles.userId, userId)));
    await tx
      .delete(threadMembers)
      .where(and(eq(threadMembers.guildId, guildId), eq(threadMembers.userId, userId)));
    const [user] = await tx.select().from(users).where(eq(users.id, userId));
    if (user?.bot) await removeApplicationFromGuild(tx, guildId, userId);
    pending.add('GUILD_MEMBER_REMOVE', Topic.guild(guildId), {
      guild_id: guildId,
      user: user ? toPublicUser(user) : { id: userId },
    });
    pending.add('GUILD_DELETE', Topic.user(userId), { id: guildId });
    return true;
  }

  /** Writes a member's changed fields and, when something visible changed, their MEMBER_UPDATE audit entry. */
  private async saveChanges(
    tx: DbOrTx,
    pending: PendingEvents,
    who: { guildId: string; userId: string; actorId: string; reason: string | null },
    changes: Partial<typeof members.$inferInsert>,
    auditChanges: AuditChange[],
  ): Promise<void> {
    if (Object.keys(changes).length)
      await tx
        .update(members)
        .set(changes)
        .where(and(eq(members.guildId, who.guildId), eq(members.userId, who.userId)));
    if (auditChanges.length)
      await writeAudit(tx, this.deps.ids, pending, {
        guildId: who.guildId,
        userId: who.actorId,
        targetId: who.userId,
        actionType: AuditLogEvent.MemberUpdate,
        changes: auditChanges,
        reason: who.reason,
      });
  }

  /**
   * A user's name or avatar changed: as on Discord, GUILD_MEMBER_UPDATE with the new user object goes to each
   * guild they are in, so member lists and message authors follow without a reload. Two statements whatever
   * the number of guilds: the memberships with the user, then their roles by primary key.
   */
  async userChanged(userId: string): Promise<void> {
    const { db, events } = this.deps;
    const rows = await db
      .select({ member: members, user: users })
      .from(members)
      .innerJoin(users, eq(users.id, members.userId))
      .where(eq(members.userId, userId));
    if (!rows.length) return;
    const roleRows = await db
      .select({ guildId: memberRoles.guildId, roleId: memberRoles.roleId })
      .from(memberRoles)
      .where(
        and(
          inArray(
            memberRoles.guildId,
            rows.map((r) => r.member.guildId),
          ),
          eq(memberRoles.userId, userId),
        ),
      );
    const roles = groupBy(
      roleRows,
      (r) => r.guildId,
      (r) => r.roleId,
    );
    for (const { member, user } of rows)
      events.publish('GUILD_MEMBER_UPDATE', Topic.guild(member.guildId), {
        guild_id: member.guildId,
        ...toMemberWire(member, roles.get(member.guildId) ?? [], user),
      });
  }

  /** One member with user and roles; 404 Unknown Member when absent. */
  async fetch(db: DbOrTx, guildId: string, userId: string): Promise<Member> {
    const [row] = await db
      .select({ member: members, user: users })
      .from(members)
      .innerJoin(users, eq(users.id, members.userId))
      .where(and(eq(members.guildId, guildId), eq(members.userId, userId)));
    if (!row) throw notFound(ErrorCode.UnknownMember, 'Member');
    const [member] = await this.withRoles(guildId, [row]);
    return member;
  }

  private async loadTarget(db: DbOrTx, actor: GuildActor, userId: string) {
    if (userId === actor.userId) return { userId, member: actor.member, roleIds: actor.roleIds };
    const [member] = await db
      .select()
      .from(members)
      .where(and(eq(members.guildId, actor.guild.id), eq(members.userId, userId)));
    if (!member) throw notFound(ErrorCode.UnknownMember, 'Member');
    const rows = await db
      .select({ roleId: memberRoles.roleId })
      .from(memberRoles)
      .where(and(eq(memberRoles.guildId, actor.guild.id), eq(memberRoles.userId, userId)));
    return { userId, member, roleIds: rows.map((r) => r.roleId) };
  }

  private async withRoles(
    guildId: string,
    rows: Array<{ member: typeof members.$inferSelect; user: UserRow }>,
  ): Promise<Member[]> {
    if (!rows.length) return [];
    const roleRows = await this.deps.db
      .select()
      .from(memberRoles)
      .where(
        and(
          eq(memberRoles.guildId, guildId),
          inArray(
            memberRoles.userId,
            rows.map((r) => r.member.userId),
          ),
        ),
      );
    const byUser = groupBy(
      roleRows,
      (r) => r.userId,
      (r) => r.roleId,
    );
    return rows.map((r) => toMemberWire(r.member, byUser.get(r.member.userId) ?? [], r.user));
  }

  private roleRefs(actor: GuildActor, ids: string[]) {
    return ids.map((id) => ({ id, name: actor.roles.find((r) => r.id === id)?.name ?? '' }));
  }
}
