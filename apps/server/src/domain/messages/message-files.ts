import { Limits } from '@hearth/protocol';
import { and, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db';
import { attachments } from '../../store/schema';
import { invalidField } from '../errors';

/**
 * An edit's existing files, as on Discord: with an `attachments` list the message keeps the ones it names by id and
 * loses the rest; without one it keeps them all. New files (multipart or uploaded) come beside the kept ones.
 */
export function keptFiles<T extends { id: string }>(
  existing: T[],
  listed: unknown[] | undefined,
): { kept: T[]; dropped: string[] } {
  if (!listed) return { kept: existing, dropped: [] };
  const ids = new Set(
    listed.map((a) => (typeof a === 'object' && a !== null ? String((a as { id?: unknown }).id) : '')),
  );
  const kept = existing.filter((f) => ids.has(f.id));
  return { kept, dropped: existing.filter((f) => !ids.has(f.id)).map((f) => f.id) };
}

/** 50035 when a message would hold more files than Discord allows. */
export function checkFileCount(count: number): void {
  if (count > Limits.attachmentsPerMessage)
    throw invalidField(
      ['attachments'],
      'BASE_TYPE_MAX_LENGTH',
      `At most ${Limits.attachmentsPerMessage} files per message.`,
    );
}

/** Deletes the named attachment rows of a message; remove their files once the transaction committed. */
export async function dropAttachments(tx: DbOrTx, channelId: string, messageId: string, ids: string[]) {
  if (!ids.length) return [];
  return tx
    .delete(attachments)
    .where(
      and(
        eq(attachments.channelId, channelId),
        eq(attachments.messageId, messageId),
        inArray(attachments.id, ids),
      ),
    )
    .returning({ channelId: attachments.channelId, id: attachments.id });
}
