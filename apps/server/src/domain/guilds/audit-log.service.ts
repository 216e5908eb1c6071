import { Permission } from '@hearth/permissions';
import { and, desc, eq, gt, inArray, lt } from 'drizzle-orm';
import { auditLogEntries, users } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { toPublicUser } from '../users/users.wire';
import { toAuditWire } from './audit';
import { loadGuildActor } from './guild-access';

export class AuditLogService {
  constructor(private readonly deps: Deps) {}

  /** GET /guilds/:id/audit-logs, newest first, for holders of VIEW_AUDIT_LOG. */
  async list(
    principal: Principal,
    guildId: string,
    q: { userId?: string; actionType?: number; before?: string; after?: string; limit: number },
  ) {
    const { db } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    actor.require(Permission.VIEW_AUDIT_LOG);
    const conditions = [eq(auditLogEntries.guildId, guildId)];
    if (q.userId) conditions.push(eq(auditLogEntries.userId, q.userId));
    if (q.actionType !== undefined) conditions.push(eq(auditLogEntries.actionType, q.actionType));
    if (q.before) conditions.push(lt(auditLogEntries.id, q.before));
    if (q.after) conditions.push(gt(auditLogEntries.id, q.after));
    const rows = await db
      .select()
      .from(auditLogEntries)
      .where(and(...conditions))
      .orderBy(desc(auditLogEntries.id))
      .limit(q.limit);
    const userIds = [
      ...new Set(
        rows.flatMap((r) => [r.userId, r.targetId]).filter((id): id is string => !!id && /^\d+$/.test(id)),
      ),
    ];
    const people = userIds.length ? await db.select().from(users).where(inArray(users.id, userIds)) : [];
    return {
      audit_log_entries: rows.map(toAuditWire),
      users: people.map(toPublicUser),
      integrations: [],
      webhooks: [],
      guild_scheduled_events: [],
      threads: [],
      application_commands: [],
      auto_moderation_rules: [],
    };
  }
}
