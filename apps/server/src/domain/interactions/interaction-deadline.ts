import { and, eq, lt } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import { ephemeralMessages, interactions } from '../../store/schema';
import type { Deps } from '../deps';
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

/** Deletes interactions whose tokens have ended, with their ephemeral messages (the recurring sweep). */
export async function sweepInteractions(deps: Deps): Promise<void> {
  const before = new Date(Date.now() - INTERACTION_TOKEN_MS);
  await deps.db.delete(ephemeralMessages).where(lt(ephemeralMessages.createdAt, before));
  await deps.db.delete(interactions).where(lt(interactions.createdAt, before));
}
