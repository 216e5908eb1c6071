import { and, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db';
import { channelOwned } from '../../store/ownership';
import {
  attachments,
  mentions,
  messages,
  reactions,
  scheduledEvents,
  scheduledEventUsers,
} from '../../store/schema';
import type { Deps } from '../deps';

/** Deletes messages of one channel with their reactions, mentions and attachment rows; returns what went. */
export async function deleteMessages(tx: DbOrTx, channelId: string, ids: string[]) {
  if (!ids.length)
    return { ids: [] as string[], attachments: [] as Array<{ channelId: string; id: string }> };
  await tx
    .delete(reactions)
    .where(and(eq(reactions.channelId, channelId), inArray(reactions.messageId, ids)));
  await tx.delete(mentions).where(and(eq(mentions.channelId, channelId), inArray(mentions.messageId, ids)));
  const files = await tx
    .delete(attachments)
    .where(and(eq(attachments.channelId, channelId), inArray(attachments.messageId, ids)))
    .returning({ channelId: attachments.channelId, id: attachments.id });
  const deleted = await tx
    .delete(messages)
    .where(and(eq(messages.channelId, channelId), inArray(messages.id, ids)))
    .returning({ id: messages.id });
  return { ids: deleted.map((d) => d.id), attachments: files };
}

/**
 * Deletes every row the given channels own (store/ownership.ts: messages and what hangs off them, read states,
 * thread members, webhooks, overwrites, invites, DM recipients, scheduled events hosted there with who was
 * interested in them); the channel rows are the caller's to delete.
 */
export async function deleteChannelContent(tx: DbOrTx, channelIds: string[]): Promise<void> {
  if (!channelIds.length) return;
  const hosted = tx
    .select({ id: scheduledEvents.id })
    .from(scheduledEvents)
    .where(inArray(scheduledEvents.channelId, channelIds));
  await tx.delete(scheduledEventUsers).where(inArray(scheduledEventUsers.eventId, hosted));
  for (const table of channelOwned) await tx.delete(table).where(inArray(table.channelId, channelIds));
}

/** After a channel's content was deleted and committed: remove its stored files. */
export async function deleteChannelFiles(deps: Deps, channelIds: string[]): Promise<void> {
  await Promise.all(channelIds.map((id) => deps.storage.deletePrefix(`attachments/${id}`).catch(() => {})));
}
