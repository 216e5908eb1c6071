import { and, eq, lt, sql } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import { attachments, ephemeralMessages, interactions } from '../../store/schema';
import type { Deps } from '../deps';
import { deleteAttachmentFiles } from '../messages/attachments';
import { INTERACTION_TOKEN_MS } from './interaction-tokens';

/** Enqueues the deadline of a new interaction in the durable queue, for whichever process claims it. */
export async function scheduleDeadline(deps: Deps, channelId: string, interactionId: string): Promise<void> {
  await deps.jobs.enqueue(
    'interactions.deadline',
    { channelId, interactionId },
    { delayMs: deps.config.interactionDeadlineMs },
  );
}

/**
 * The interaction's deadline passed (the `interactions.deadline` job, on whichever process claims it): unanswered,
 * it fails, and its invoker is told so, once.
 */
export async function expireInteraction(deps: Deps, channelId: string, interactionId: string): Promise<void> {
  const [failed] = await deps.db
    .update(interactions)
    .set({ state: 'failed' })
    .where(
      and(
        eq(interactions.channelId, channelId),
        eq(interactions.id, interactionId),
        eq(interactions.state, 'pending'),
      ),
    )
    .returning();
  if (failed)
    deps.events.publish('INTERACTION_FAILURE', Topic.user(failed.userId), {
      id: failed.id,
      nonce: failed.nonce,
    });
}

/**
 * Deletes interactions whose tokens have ended, with their ephemeral messages and the files of both (the recurring
 * sweep): an invocation's files are attachment rows of the interaction's id, an ephemeral message's of its own.
 */
export async function sweepInteractions(deps: Deps): Promise<void> {
  const before = new Date(Date.now() - INTERACTION_TOKEN_MS);
  const files = await deps.db.transaction(async (tx) => {
    const gone = await tx
      .delete(ephemeralMessages)
      .where(lt(ephemeralMessages.createdAt, before))
      .returning({ channelId: ephemeralMessages.channelId, id: ephemeralMessages.id });
    const ended = await tx
      .delete(interactions)
      .where(lt(interactions.createdAt, before))
      .returning({ channelId: interactions.channelId, id: interactions.id });
    const owners = [...gone, ...ended];
    if (!owners.length) return [];
    return tx
      .delete(attachments)
      .where(
        sql`(${attachments.channelId}, ${attachments.messageId}) in (${sql.join(
          owners.map((o) => sql`(${o.channelId}::bigint, ${o.id}::bigint)`),
          sql`, `,
        )})`,
      )
      .returning({ channelId: attachments.channelId, id: attachments.id });
  });
  await deleteAttachmentFiles(deps.storage, files);
}
