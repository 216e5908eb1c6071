import type { AuditLogEntry, SnowflakeGenerator } from '@hearth/protocol';
import { Topic } from '../../events/publisher';
import type { DbOrTx } from '../../store/db';
import { auditLogEntries } from '../../store/schema';
import type { PendingEvents } from '../pending-events';

export interface AuditChange {
  key: string;
  old_value?: unknown;
  new_value?: unknown;
}

export interface AuditInput {
  guildId: string;
  userId: string | null;
  targetId?: string | null;
  actionType: number;
  changes?: AuditChange[];
  options?: Record<string, string>;
  reason?: string | null;
}

type AuditRow = typeof auditLogEntries.$inferSelect;

export function toAuditWire(row: AuditRow): AuditLogEntry {
  return {
    id: row.id,
    guild_id: row.guildId,
    user_id: row.userId,
    target_id: row.targetId,
    action_type: row.actionType,
    ...(row.changes?.length ? { changes: row.changes } : {}),
    ...(row.options ? { options: row.options } : {}),
    ...(row.reason ? { reason: row.reason } : {}),
  };
}

/** Writes an audit log entry in the caller's transaction and queues GUILD_AUDIT_LOG_ENTRY_CREATE. */
export async function writeAudit(
  tx: DbOrTx,
  ids: SnowflakeGenerator,
  pending: PendingEvents,
  input: AuditInput,
): Promise<void> {
  const [row] = await tx
    .insert(auditLogEntries)
    .values({
      guildId: input.guildId,
      id: ids.next(),
      userId: input.userId,
      targetId: input.targetId ?? null,
      actionType: input.actionType,
      changes: input.changes?.length ? input.changes : null,
      options: input.options ?? null,
      reason: input.reason ?? null,
    })
    .returning();
  pending.add('GUILD_AUDIT_LOG_ENTRY_CREATE', Topic.guild(input.guildId), toAuditWire(row));
}

/** The changed keys between two wire-shaped objects, as audit log changes. */
export function diffChanges(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  keys: string[],
): AuditChange[] {
  const changes: AuditChange[] = [];
  for (const key of keys) {
    const a = before[key];
    const b = after[key];
    if (JSON.stringify(a) !== JSON.stringify(b))
      changes.push({
        key,
        ...(a !== undefined ? { old_value: a } : {}),
        ...(b !== undefined ? { new_value: b } : {}),
      });
  }
  return changes;
}
