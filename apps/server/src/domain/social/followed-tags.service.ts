import { Limits } from '@hearth/protocol';
import { and, eq, sql } from 'drizzle-orm';
import { followedTags } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { PendingEvents } from '../pending-events';
import { recordNotFound, unprocessable } from './errors';
import { accountTopic } from './follows.service';
import { finishPage, pageQuery } from './paging';
import { type SocialSearchService, tagName } from './search.service';

// Followed hashtags (Mastodon's `/api/v1/tags/:name/follow`, `/unfollow` and `/api/v1/followed_tags`). A followed
// tag brings public statuses carrying it into the follower's home timeline and `user` stream (timelines.service,
// streams.service); blocks, mutes and visibility still apply there. Following a tag no status carries yet is
// allowed, as on Mastodon.

export class FollowedTagsService {
  constructor(
    private readonly deps: Deps,
    private readonly search: SocialSearchService,
  ) {}

  /** Follows (or stops following) hashtag `name`; answers the Tag with `following`. Idempotent both ways. */
  async set(principal: Principal, name: string, on: boolean) {
    const me = principal.userId;
    const tag = tagName(name);
    if (!tag) throw recordNotFound();
    const pending = new PendingEvents();
    await this.deps.db.transaction(async (tx) => {
      if (on) {
        const [count] = await tx
          .select({ n: sql<number>`count(*)::int` })
          .from(followedTags)
          .where(eq(followedTags.userId, me));
        const [created] = await tx
          .insert(followedTags)
          .values({ userId: me, tag, id: this.deps.ids.next() })
          .onConflictDoNothing()
          .returning({ id: followedTags.id });
        if (!created) return;
        // Counted before the insert: one new row may take the account to the limit, not past it.
        if ((count?.n ?? 0) >= Limits.followedTagsMax)
          throw unprocessable(`you may follow at most ${Limits.followedTagsMax} hashtags`);
      } else {
        const removed = await tx
          .delete(followedTags)
          .where(and(eq(followedTags.userId, me), eq(followedTags.tag, tag)))
          .returning({ id: followedTags.id });
        if (removed.length === 0) return;
      }
      pending.add('SOCIAL_TAG_FOLLOW', accountTopic(me), { account_id: me, tag, following: on });
    });
    pending.publish(this.deps.events);
    const [rendered] = await this.search.tags([tag], me);
    return rendered;
  }

  /** The hashtags the caller follows, most recently followed first, paged by the follow's id. */
  async list(
    principal: Principal,
    q: { max_id?: string; since_id?: string; min_id?: string; limit?: number },
  ) {
    const me = principal.userId;
    const p = pageQuery(followedTags.id, q, {
      fallback: Limits.followedTagsPageDefault,
      max: Limits.followedTagsPageMax,
    });
    const rows = await this.deps.db
      .select({ id: followedTags.id, tag: followedTags.tag })
      .from(followedTags)
      .where(and(eq(followedTags.userId, me), p.where))
      .orderBy(p.orderBy)
      .limit(p.limit);
    const page = finishPage(rows, (r) => r.id, p.ascending);
    return {
      ...page,
      items: await this.search.tags(
        page.items.map((r) => r.tag),
        me,
      ),
    };
  }
}
