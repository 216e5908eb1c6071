import { inArray } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db';
import { attachments, mentions, messages, reactions, readStates, threadMembers } from '../../store/schema';

/** Deletes everything that lives in the given channels: messages and what hangs off them, read states, thread members. */
export async function deleteChannelContent(tx: DbOrTx, channelIds: string[]): Promise<void> {
  if (!channelIds.length) return;
  await tx.delete(reactions).where(inArray(reactions.channelId, channelIds));
  await tx.delete(attachments).where(inArray(attachments.channelId, channelIds));
  await tx.delete(mentions).where(inArray(mentions.channelId, channelIds));
  await tx.delete(readStates).where(inArray(readStates.channelId, channelIds));
  await tx.delete(threadMembers).where(inArray(threadMembers.channelId, channelIds));
  await tx.delete(messages).where(inArray(messages.channelId, channelIds));
}
