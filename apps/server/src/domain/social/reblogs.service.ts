import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db';
import { posts, users } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { PendingEvents } from '../pending-events';
import { adjustStats, loadAccounts } from './accounts';
import { statusEvent, undoBoost } from './boosts';
import { notAllowed, recordNotFound } from './errors';
import { accountTopic } from './follows.service';
import type { GroupAccountsService } from './group-accounts.service';
import { type PostRow, toAccount } from './mastodon.wire';
import type { NotificationsService } from './notifications.service';
import { finishPage, type PageQuery, pageQuery } from './paging';
import type { PostsService } from './posts.service';
import { hasRemoteFollowers, isRemote } from './remote.service';
import { statusViews } from './status-views';
import { type Visibility, visibleOriginal, visiblePostById, visibleTo } from './visibility';

// Boosts (Mastodon's reblogs): a boost is a row of `posts` by the booster with `reblog_of_id` naming the status it
// boosts and no text of its own, so it pages, counts and is seen like any status of the booster's (ADR 0028).

/** Boosting and unboosting statuses, and who boosted one. */
export class ReblogsService {
  constructor(
    private readonly deps: Deps,
    private readonly notifications: NotificationsService,
    private readonly posts: PostsService,
    private readonly groups: Pick<GroupAccountsService, 'refuseBoost'>,
  ) {}

  /**
   * Boosts a status the caller may see (a boost's id boosts the status it boosts). Public and unlisted statuses
   * can be boosted, a followers-only one by its author only, a direct one never (403, as Mastodon). Boosting again
   * answers the same boost. The boost's visibility is the one asked for (public by default), a followers-only
   * status's own.
   */
  async reblog(principal: Principal, id: string, visibility: Exclude<Visibility, 'direct'> = 'public') {
    const me = principal.userId;
    const pending = new PendingEvents();
    const boost = await this.deps.db.transaction(async (tx) => {
      const target = await visibleOriginal(tx, me, id);
      if (!target) return null;
      if (target.visibility === 'direct' || (target.visibility === 'private' && target.userId !== me))
        throw notAllowed();
      const [created] = await tx
        .insert(posts)
        .values({
          userId: me,
          id: this.deps.ids.next(),
          text: '',
          content: '',
          visibility: target.visibility === 'private' ? 'private' : visibility,
          reblogOfId: target.id,
          reblogOfAccountId: target.userId,
        })
        .onConflictDoNothing()
        .returning();
      if (!created) {
        const [existing] = await tx
          .select()
          .from(posts)
          .where(and(eq(posts.userId, me), eq(posts.reblogOfId, target.id)));
        return { row: existing, isNew: false };
      }
      await tx
        .update(posts)
        .set({ reblogsCount: sql`${posts.reblogsCount} + 1` })
        .where(and(eq(posts.userId, target.userId), eq(posts.id, target.id)));
      await adjustStats(tx, [{ userId: me, statuses: 1, posted: true }]);
      await this.notifications.add(tx, pending, {
        type: 'reblog',
        fromId: me,
        statusId: target.id,
        recipients: [target.userId],
      });
      await this.federate(tx, 'announce', created);
      return { row: created, isNew: true };
    });
    if (!boost) return this.groups.refuseBoost(me, id);
    const [status] = await statusViews(this.deps.db, this.posts.urls, me, [boost.row]);
    if (boost.isNew) {
      pending.add('SOCIAL_STATUS_CREATE', accountTopic(me), statusEvent(boost.row, status));
      pending.publish(this.deps.events);
    }
    return status;
  }

  /** Takes back the caller's boost of a status they may see; answers the status (no boost: nothing changes). */
  async unreblog(principal: Principal, id: string) {
    const me = principal.userId;
    const original = await visibleOriginal(this.deps.db, me, id);
    if (!original) throw recordNotFound();
    const gone = await this.deps.db.transaction(async (tx) => {
      const [row] = await tx
        .delete(posts)
        .where(and(eq(posts.userId, me), eq(posts.reblogOfId, original.id)))
        .returning();
      if (row) {
        await undoBoost(tx, this.notifications, row);
        await this.federate(tx, 'undo-announce', row);
      }
      return row;
    });
    if (gone)
      this.deps.events.publish('SOCIAL_STATUS_DELETE', accountTopic(me), {
        id: gone.id,
        account_id: me,
        visibility: gone.visibility,
      });
    return this.posts.get(me, original.id);
  }

  /**
   * Tells other instances, in `tx`, of a local account's boost (or its end): its remote followers, and the boosted
   * status's author when that is remote (ADR 0040). Followers-only boosts stay here.
   */
  private async federate(tx: DbOrTx, type: 'announce' | 'undo-announce', boost: PostRow): Promise<void> {
    if (!boost.reblogOfId || !boost.reblogOfAccountId || boost.visibility === 'private') return;
    if (await isRemote(tx, boost.userId)) return;
    if (!(await isRemote(tx, boost.reblogOfAccountId)) && !(await hasRemoteFollowers(tx, boost.userId)))
      return;
    await this.deps.jobs.enqueue(
      'federation.deliver',
      {
        type,
        userId: boost.userId,
        boostId: boost.id,
        originalUserId: boost.reblogOfAccountId,
        originalId: boost.reblogOfId,
      },
      {},
      tx,
    );
  }

  /** The accounts whose boosts of a status the viewer may see, newest boost first, paged by the boost's id. */
  async rebloggedBy(viewer: string | null, id: string, q: PageQuery) {
    const { db } = this.deps;
    const target = await visiblePostById(db, viewer, id);
    if (!target || target.reblogOfId) throw recordNotFound();
    const p = pageQuery(posts.id, q);
    const rows = await db
      .select({ id: posts.id, accountId: posts.userId })
      .from(posts)
      .innerJoin(users, and(eq(users.id, posts.userId), eq(users.disabled, false)))
      .where(and(eq(posts.reblogOfId, id), visibleTo(viewer), p.where))
      .orderBy(p.orderBy)
      .limit(p.limit);
    const page = finishPage(rows, (r) => r.id, p.ascending);
    const accounts = await loadAccounts(
      db,
      page.items.map((r) => r.accountId),
    );
    return {
      ...page,
      items: page.items.flatMap((r) => {
        const a = accounts.get(r.accountId);
        return a ? [toAccount(a, this.posts.urls)] : [];
      }),
    };
  }
}
