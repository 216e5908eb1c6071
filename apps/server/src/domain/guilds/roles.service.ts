import {
  compareRoles,
  highestRole,
  missingForGrant,
  Permission,
  parsePermissions,
} from '@hearth/permissions';
import {
  AuditLogEvent,
  type CreateRole,
  ErrorCode,
  type ModifyRole,
  type Role,
  type RolePositions,
} from '@hearth/protocol';
import { and, eq, gte, sql } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import { memberRoles, permissionOverwrites, roles } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { ApiError, invalidField, missingPermissions, notFound } from '../errors';
import { PendingEvents } from '../pending-events';
import { diffChanges, writeAudit } from './audit';
import { type GuildActor, loadGuildActor, type RoleRow } from './guild-access';
import { sortRoles, toRoleWire } from './guilds.wire';

const MAX_ROLES = 250;
const ROLE_AUDIT_KEYS = ['name', 'permissions', 'color', 'hoist', 'mentionable', 'unicode_emoji', 'position'];

interface Placement {
  role: RoleRow;
  position: number;
  moved: boolean;
}

/** A moved role takes its requested slot: moving up it goes after the role already there, moving down before it. */
function tieBreak(a: Placement, b: Placement): number {
  if (a.moved === b.moved) return 0;
  const moved = a.moved ? a : b;
  const movedFirst = moved.role.position < moved.position ? 1 : -1;
  return a.moved ? movedFirst : -movedFirst;
}

export class RolesService {
  constructor(private readonly deps: Deps) {}

  async list(principal: Principal, guildId: string): Promise<Role[]> {
    const actor = await loadGuildActor(this.deps.db, guildId, principal.userId);
    return sortRoles(actor.roles).map(toRoleWire);
  }

  async get(principal: Principal, guildId: string, roleId: string): Promise<Role> {
    const actor = await loadGuildActor(this.deps.db, guildId, principal.userId);
    return toRoleWire(this.find(actor, roleId));
  }

  /** A new role goes just above @everyone; nobody grants a permission they lack. */
  async create(
    principal: Principal,
    guildId: string,
    input: CreateRole,
    reason: string | null,
  ): Promise<Role> {
    const { db, ids } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    actor.require(Permission.MANAGE_ROLES);
    if (actor.roles.length >= MAX_ROLES)
      throw new ApiError(400, ErrorCode.MaximumRoles, `Maximum number of guild roles reached (${MAX_ROLES})`);
    const everyone = actor.roles.find((r) => r.id === guildId)!;
    const permissions =
      input.permissions !== undefined ? this.parse(input.permissions) : everyone.permissions;
    this.requireGrantable(actor, permissions);
    const pending = new PendingEvents();
    const role = await db.transaction(async (tx) => {
      // The new role goes in at the bottom, above @everyone; the others move up one, and clients hear so.
      const shifted = await tx
        .update(roles)
        .set({ position: sql`${roles.position} + 1` })
        .where(and(eq(roles.guildId, guildId), gte(roles.position, 1)))
        .returning();
      for (const row of shifted)
        pending.add('GUILD_ROLE_UPDATE', Topic.guild(guildId), { guild_id: guildId, role: toRoleWire(row) });
      const [row] = await tx
        .insert(roles)
        .values({
          guildId,
          id: ids.next(),
          name: input.name ?? 'new role',
          permissions,
          color: input.color ?? 0,
          hoist: input.hoist ?? false,
          mentionable: input.mentionable ?? false,
          unicodeEmoji: input.unicode_emoji ?? null,
          position: 1,
        })
        .returning();
      const wire = toRoleWire(row);
      await writeAudit(tx, ids, pending, {
        guildId,
        userId: principal.userId,
        targetId: row.id,
        actionType: AuditLogEvent.RoleCreate,
        changes: diffChanges({}, wire, ROLE_AUDIT_KEYS),
        reason,
      });
      return wire;
    });
    pending.add('GUILD_ROLE_CREATE', Topic.guild(guildId), { guild_id: guildId, role });
    pending.publish(this.deps.events);
    return role;
  }

  async modify(
    principal: Principal,
    guildId: string,
    roleId: string,
    input: ModifyRole,
    reason: string | null,
  ): Promise<Role> {
    const { db, ids } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    actor.require(Permission.MANAGE_ROLES);
    const role = this.find(actor, roleId);
    if (!actor.canManageRole(role) && !(role.id === guildId)) throw missingPermissions();
    const changes: Partial<RoleRow> = {};
    if (input.name != null && role.id !== guildId) changes.name = input.name;
    if (input.color != null) changes.color = input.color;
    if (input.hoist != null) changes.hoist = input.hoist;
    if (input.mentionable != null) changes.mentionable = input.mentionable;
    if (input.unicode_emoji !== undefined) changes.unicodeEmoji = input.unicode_emoji;
    if (input.permissions != null) {
      const next = this.parse(input.permissions);
      // Only what is newly granted must be held by the actor.
      this.requireGrantable(actor, next & ~role.permissions);
      changes.permissions = next;
    }
    if (role.managed && (changes.permissions !== undefined || changes.name !== undefined)) {
      throw new ApiError(
        400,
        ErrorCode.InvalidFormBody,
        'A managed role cannot be renamed or have its permissions changed',
      );
    }
    const pending = new PendingEvents();
    const updated = await db.transaction(async (tx) => {
      const [row] = Object.keys(changes).length
        ? await tx
            .update(roles)
            .set(changes)
            .where(and(eq(roles.guildId, guildId), eq(roles.id, roleId)))
            .returning()
        : [role];
      const wire = toRoleWire(row);
      const diff = diffChanges(toRoleWire(role), wire, ROLE_AUDIT_KEYS);
      if (diff.length)
        await writeAudit(tx, ids, pending, {
          guildId,
          userId: principal.userId,
          targetId: roleId,
          actionType: AuditLogEvent.RoleUpdate,
          changes: diff,
          reason,
        });
      return wire;
    });
    pending.add('GUILD_ROLE_UPDATE', Topic.guild(guildId), { guild_id: guildId, role: updated });
    pending.publish(this.deps.events);
    return updated;
  }

  /**
   * PATCH /guilds/:id/roles: moves roles, then renumbers every role 1..n in the new order. One may only move roles
   * below one's highest, to places below it; @everyone stays at 0.
   */
  async reorder(
    principal: Principal,
    guildId: string,
    moves: RolePositions,
    reason: string | null,
  ): Promise<Role[]> {
    const { db } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    actor.require(Permission.MANAGE_ROLES);
    const top = highestRole(actor.data, actor.memberData);
    const requested = new Map<string, number>();
    const seen = new Set<string>();
    // Positions 1..n are the n roles above @everyone (or up to the highest in use); nothing else fits.
    const highest = Math.max(actor.roles.length - 1, ...actor.roles.map((r) => r.position));
    moves.forEach((move, i) => {
      const role = actor.roles.find((r) => r.id === move.id);
      if (!role) throw invalidField([i, 'id'], 'ROLE_INVALID', 'Unknown role.');
      if (role.id === guildId)
        throw invalidField([i, 'id'], 'ROLE_INVALID', 'The @everyone role cannot be moved.');
      if (seen.has(role.id)) throw invalidField([i, 'id'], 'ROLE_DUPLICATE', 'This role is listed twice.');
      seen.add(role.id);
      if (move.position == null) return;
      if (move.position < 1 || move.position > highest)
        throw invalidField(
          [i, 'position'],
          'POSITION_INVALID',
          `A role's position must be from 1 to ${highest}.`,
        );
    });
    moves.forEach((move) => {
      const role = actor.roles.find((r) => r.id === move.id)!;
      if (move.position == null) return;
      if (!actor.isOwner) {
        if (!actor.canManageRole(role)) throw missingPermissions();
        if (!top || move.position >= top.position) throw missingPermissions();
      }
      requested.set(role.id, move.position);
    });
    const ordered = actor.roles
      .filter((r) => r.id !== guildId)
      .map((r) => ({ role: r, position: requested.get(r.id) ?? r.position, moved: requested.has(r.id) }))
      .sort((a, b) => a.position - b.position || tieBreak(a, b) || -compareRoles(a.role, b.role));
    const pending = new PendingEvents();
    const changed: RoleRow[] = [];
    await db.transaction(async (tx) => {
      for (const [i, entry] of ordered.entries()) {
        const position = i + 1;
        if (entry.role.position === position) continue;
        const [row] = await tx
          .update(roles)
          .set({ position })
          .where(and(eq(roles.guildId, guildId), eq(roles.id, entry.role.id)))
          .returning();
        changed.push(row);
        if (requested.has(row.id)) {
          await writeAudit(tx, this.deps.ids, pending, {
            guildId,
            userId: principal.userId,
            targetId: row.id,
            actionType: AuditLogEvent.RoleUpdate,
            changes: [{ key: 'position', old_value: entry.role.position, new_value: position }],
            reason,
          });
        }
      }
    });
    for (const row of changed)
      pending.add('GUILD_ROLE_UPDATE', Topic.guild(guildId), { guild_id: guildId, role: toRoleWire(row) });
    pending.publish(this.deps.events);
    const after = await db.select().from(roles).where(eq(roles.guildId, guildId));
    return sortRoles(after).map(toRoleWire);
  }

  async delete(principal: Principal, guildId: string, roleId: string, reason: string | null): Promise<void> {
    const { db, ids } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    actor.require(Permission.MANAGE_ROLES);
    const role = this.find(actor, roleId);
    if (role.id === guildId)
      throw new ApiError(400, ErrorCode.InvalidFormBody, 'The @everyone role cannot be deleted');
    if (role.managed) throw new ApiError(400, ErrorCode.InvalidFormBody, 'A managed role cannot be deleted');
    if (!actor.canManageRole(role)) throw missingPermissions();
    const pending = new PendingEvents();
    await db.transaction(async (tx) => {
      await tx
        .delete(memberRoles)
        .where(and(eq(memberRoles.guildId, guildId), eq(memberRoles.roleId, roleId)));
      await tx
        .delete(permissionOverwrites)
        .where(and(eq(permissionOverwrites.guildId, guildId), eq(permissionOverwrites.targetId, roleId)));
      await tx.delete(roles).where(and(eq(roles.guildId, guildId), eq(roles.id, roleId)));
      await writeAudit(tx, ids, pending, {
        guildId,
        userId: principal.userId,
        targetId: roleId,
        actionType: AuditLogEvent.RoleDelete,
        changes: diffChanges(toRoleWire(role), {}, ROLE_AUDIT_KEYS),
        reason,
      });
    });
    pending.add('GUILD_ROLE_DELETE', Topic.guild(guildId), { guild_id: guildId, role_id: roleId });
    pending.publish(this.deps.events);
  }

  private find(actor: GuildActor, roleId: string): RoleRow {
    const role = actor.roles.find((r) => r.id === roleId);
    if (!role) throw notFound(ErrorCode.UnknownRole, 'Role');
    return role;
  }

  private parse(value: string): bigint {
    const bits = parsePermissions(value);
    if (bits === null) throw invalidField(['permissions'], 'PERMISSIONS_INVALID', 'Not a permission set.');
    return bits;
  }

  private requireGrantable(actor: GuildActor, bits: bigint): void {
    if (missingForGrant(actor.permissions, bits) !== 0n) throw missingPermissions();
  }
}
