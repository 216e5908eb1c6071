import { Limits } from '@hearth/protocol';
import { and, desc, eq, sql } from 'drizzle-orm';
import { accountStats, bookmarks, posts, statusPins, users } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { recordNotFound, unprocessable } from './errors';
import { finishPage, type PageQuery, pageQuery } from './paging';
import type { PostsService } from './posts.service';
import { visibleOriginal, visibleTo } from './visibility';

// Bookmarks and pins: marks a user puts on statuses, kept in rows of their own (`bookmarks`, `status_pins`), shown
// as the `bookmarked` and `pinned` flags of a Status. Deleting a status removes its marks (boosts.ts).

/** Bookmarking statuses and the list of one's bookmarks. */
export class BookmarksService {
  constructor(
    private readonly deps: Deps,
    private readonly posts: PostsService,
  ) {}

  /** Bookmarks (or stops bookmarking) a status the caller may see (a boost's id: the status it boosts). */
  async set(principal: Principal, id: string, on: boolean) {
    const me = principal.userId;
    const post = await visibleOriginal(this.deps.db, me, id);
    if (!post) throw recordNotFound();
    if (on)
      await this.deps.db
        .insert(bookmarks)
        .values({ userId: me, postId: post.id, id: this.deps.ids.next() })
        .onConflictDoNothing();
    else
      await this.deps.db
        .delete(bookmarks)
        .where(and(eq(bookmarks.userId, me), eq(bookmarks.postId, post.id)));
    return this.posts.get(me, post.id);
  }

  /** The caller's bookmarked statuses they may still see, newest bookmark first, paged by the bookmark's id. */
  async list(principal: Principal, q: PageQuery) {
    const me = principal.userId;
    const p = pageQuery(bookmarks.id, q);
    const rows = await this.deps.db
      .select({ mark: bookmarks.id, post: posts })
      .from(bookmarks)
      .innerJoin(posts, eq(posts.id, bookmarks.postId))
      .where(and(eq(bookmarks.userId, me), visibleTo(me), p.where))
      .orderBy(p.orderBy)
      .limit(p.limit);
    const page = finishPage(rows, (r) => r.mark, p.ascending);
    return this.posts.page(me, { ...page, items: page.items.map((r) => r.post) });
  }
}

/** Pinning one's own statuses to one's profile (at most Limits.pinnedStatusesMax, as Mastodon). */
export class StatusPinsService {
  constructor(
    private readonly deps: Deps,
    private readonly posts: PostsService,
  ) {}

  /**
   * Pins (or unpins) one of the caller's own statuses: not a boost, not a direct one (422 as Mastodon), and not past
   * the limit. Concurrent pins by one account serialise on its counter row, so the limit holds.
   */
  async set(principal: Principal, id: string, on: boolean) {
    const me = principal.userId;
    const [post] = await this.deps.db
      .select()
      .from(posts)
      .where(and(eq(posts.userId, me), eq(posts.id, id)));
    if (!post) throw recordNotFound();
    if (!on) {
      await this.deps.db.delete(statusPins).where(and(eq(statusPins.userId, me), eq(statusPins.postId, id)));
      return this.posts.get(me, id);
    }
    if (post.reblogOfId) throw unprocessable('A boost cannot be pinned');
    if (post.visibility === 'direct') throw unprocessable('A direct status cannot be pinned');
    await this.deps.db.transaction(async (tx) => {
      await tx
        .select({ id: accountStats.userId })
        .from(accountStats)
        .where(eq(accountStats.userId, me))
        .for('update');
      const [pinned] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(statusPins)
        .where(eq(statusPins.userId, me));
      const already = await tx
        .select({ id: statusPins.postId })
        .from(statusPins)
        .where(and(eq(statusPins.userId, me), eq(statusPins.postId, id)));
      if (already.length) return;
      if ((pinned?.n ?? 0) >= Limits.pinnedStatusesMax)
        throw unprocessable(`You cannot pin more than ${Limits.pinnedStatusesMax} statuses`);
      await tx.insert(statusPins).values({ userId: me, postId: id, id: this.deps.ids.next() });
    });
    return this.posts.get(me, id);
  }

  /** An account's pinned statuses that the viewer may see, latest pin first (one page, as Mastodon). */
  async ofAccount(viewer: string | null, accountId: string) {
    const { db } = this.deps;
    const [account] = await db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.id, accountId), eq(users.disabled, false)));
    // A group's account pins nothing (yet); a group the viewer may not know is 404 there (ADR 0031).
    if (!account) return this.posts.ofAccount(viewer, accountId, { pinned: true });
    const rows = await db
      .select({ post: posts })
      .from(statusPins)
      .innerJoin(posts, and(eq(posts.userId, statusPins.userId), eq(posts.id, statusPins.postId)))
      .where(and(eq(statusPins.userId, accountId), visibleTo(viewer)))
      .orderBy(desc(statusPins.id))
      .limit(Limits.pinnedStatusesMax);
    return this.posts.page(viewer, { items: rows.map((r) => r.post), newest: null, oldest: null });
  }
}
