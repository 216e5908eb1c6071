import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db';
import { bookmarks, posts, statusPins } from '../../store/schema';
import { adjustStats } from './accounts';
import type { PostRow } from './mastodon.wire';
import type { NotificationsService } from './notifications.service';

// What a boost (a row of `posts` with `reblog_of_id`) means for the statuses around it: shared by the reblogs service
// and status deletion.

/** The status event of a status or a boost, as the bus carries it (see SOCIAL_STATUS_CREATE in the catalog). */
export function statusEvent(post: PostRow, status: unknown) {
  return {
    id: post.id,
    account_id: post.userId,
    visibility: post.visibility,
    status,
    reblog_of_id: post.reblogOfId,
    reblog_of_account_id: post.reblogOfAccountId,
  };
}

/**
 * Undoes, in `tx`, what a boost that was just deleted counted: the boosted status's `reblogs_count`, the booster's
 * statuses count, the author's notification.
 */
export async function undoBoost(
  tx: DbOrTx,
  notifications: NotificationsService,
  boost: PostRow,
): Promise<void> {
  if (!boost.reblogOfId || !boost.reblogOfAccountId) return;
  await tx
    .update(posts)
    .set({ reblogsCount: sql`greatest(${posts.reblogsCount} - 1, 0)` })
    .where(and(eq(posts.userId, boost.reblogOfAccountId), eq(posts.id, boost.reblogOfId)));
  await adjustStats(tx, [{ userId: boost.userId, statuses: -1 }]);
  await notifications.removeFor(tx, {
    types: ['reblog'],
    from: [boost.userId],
    recipients: [boost.reblogOfAccountId],
    statusId: boost.reblogOfId,
  });
}

/**
 * What deleting `gone` takes with it, in `tx`: a boost gives back what it counted; a boosted status takes its boosts
 * (and their counts), its bookmarks and pin. Answers the boosts removed, for their delete events.
 */
export async function removeWithBoosts(
  tx: DbOrTx,
  notifications: NotificationsService,
  gone: PostRow,
): Promise<PostRow[]> {
  await tx.delete(bookmarks).where(eq(bookmarks.postId, gone.id));
  await tx.delete(statusPins).where(and(eq(statusPins.userId, gone.userId), eq(statusPins.postId, gone.id)));
  if (gone.reblogOfId) {
    await undoBoost(tx, notifications, gone);
    return [];
  }
  // Boosts live on their boosters' shards: found through the reblog_of_id index.
  const boosts = await tx.delete(posts).where(eq(posts.reblogOfId, gone.id)).returning();
  if (boosts.length)
    await adjustStats(
      tx,
      boosts.map((b) => ({ userId: b.userId, statuses: -1 })),
    );
  return boosts;
}
