import { type Channel, ChannelType } from '@hearth/protocol';
import { and, count, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db';
import { threadMembers } from '../../store/schema';
import type { ChannelRow } from '../guilds/guild-access';

type ThreadMemberRow = typeof threadMembers.$inferSelect;

/** A thread member object. */
export function toThreadMemberWire(m: ThreadMemberRow) {
  return {
    id: m.channelId,
    user_id: m.userId,
    join_timestamp: m.joinTimestamp.toISOString(),
    flags: m.flags,
  };
}

/** Discord's thread channel object, with its metadata and (when known) the viewer's membership. */
export function toThreadWire(
  t: ChannelRow,
  memberCount: number,
  me?: ThreadMemberRow,
): Channel & Record<string, unknown> {
  return {
    id: t.id,
    type: t.type,
    guild_id: t.guildId ?? undefined,
    parent_id: t.parentId,
    owner_id: t.ownerId ?? undefined,
    name: t.name,
    last_message_id: t.lastMessageId,
    rate_limit_per_user: t.rateLimitPerUser,
    flags: t.flags,
    message_count: t.messageCount,
    total_message_sent: t.totalMessageSent,
    member_count: Math.min(memberCount, 50),
    thread_metadata: {
      archived: !!t.archived,
      auto_archive_duration: t.autoArchiveDuration ?? 4320,
      archive_timestamp: (t.archiveTimestamp ?? t.createdAt).toISOString(),
      locked: !!t.locked,
      create_timestamp: t.createdAt.toISOString(),
      ...(t.type === ChannelType.PrivateThread ? { invitable: t.invitable ?? true } : {}),
    },
    ...(t.appliedTags ? { applied_tags: t.appliedTags } : {}),
    ...(me ? { member: toThreadMemberWire(me) } : {}),
  };
}

/** How many members each of some threads has (absent: none), in one statement. */
export async function threadMemberCounts(db: DbOrTx, threadIds: string[]): Promise<Map<string, number>> {
  if (!threadIds.length) return new Map();
  const rows = await db
    .select({ id: threadMembers.channelId, n: count() })
    .from(threadMembers)
    .where(inArray(threadMembers.channelId, threadIds))
    .groupBy(threadMembers.channelId);
  return new Map(rows.map((r) => [r.id, r.n]));
}

/** A user's memberships of some threads, in one statement. */
export async function memberships(
  db: DbOrTx,
  userId: string,
  threadIds: string[],
): Promise<ThreadMemberRow[]> {
  if (!threadIds.length) return [];
  return db
    .select()
    .from(threadMembers)
    .where(and(eq(threadMembers.userId, userId), inArray(threadMembers.channelId, threadIds)));
}
