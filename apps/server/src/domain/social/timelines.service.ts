import { and, asc, desc, eq, inArray, isNull, or, type SQL, sql } from 'drizzle-orm';
import { type DbOrTx, preparedStatement } from '../../store/db';
import { followedTags, follows, posts, postTags } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import type { GroupAccountsService, GroupPostRow } from './group-accounts.service';
import { inExclusiveList } from './list-feeds';
import type { PostRow } from './mastodon.wire';
import { statusHasMedia } from './media.wire';
import { finishPage, type PageQuery, pageQuery } from './paging';
import type { PostsService } from './posts.service';
import { mutedBy, silencedFor, visibleTo } from './visibility';

export interface PublicTimelineQuery extends PageQuery {
  local?: boolean;
  remote?: boolean;
  only_media?: boolean;
}

const viewer = sql`${sql.placeholder('me')}::bigint`;

/**
 * The home timeline's posts (the caller's own, followed accounts', followed tags'), as `viewer` may see them, between
 * two ids: prepared once per database handle (it runs on every home page, and planning it cost as much as running
 * it; docs/performance.md). One statement per direction, so neither has a branch the planner must keep open.
 */
function buildHomeQuery(ascending: boolean) {
  return (db: DbOrTx) => {
    const followed = db
      .select({ id: follows.targetId })
      .from(follows)
      .where(and(eq(follows.userId, viewer), eq(follows.accepted, true)));
    return db
      .select()
      .from(posts)
      .where(
        and(
          or(eq(posts.userId, viewer), inArray(posts.userId, followed), followedTagPost(viewer)),
          visibleTo(viewer),
          sql`not ${mutedBy(viewer)}`,
          // Members of an exclusive list are read in that list, not at home (Mastodon 4.2).
          sql`not ${inExclusiveList(viewer)}`,
          sql`${posts.id} < ${sql.placeholder('upper')}::bigint`,
          sql`${posts.id} > ${sql.placeholder('lower')}::bigint`,
        ),
      )
      .orderBy(ascending ? asc(posts.id) : desc(posts.id))
      .limit(sql.placeholder('limit'));
  };
}
const homeQuery = {
  descending: preparedStatement('home_timeline_desc', buildHomeQuery(false)),
  ascending: preparedStatement('home_timeline_asc', buildHomeQuery(true)),
};

/** The ids a home page lies strictly between (what pageQuery's conditions say, as two bounds). */
function homeBounds(q: PageQuery): { upper: string; lower: string } {
  const lowers = [q.since_id, q.min_id].filter((id): id is string => id !== undefined);
  const lower = lowers.reduce((a, b) => (BigInt(a) > BigInt(b) ? a : b), '0');
  return { upper: q.max_id ?? '9223372036854775807', lower };
}

/** Home and public timelines: newest first, no algorithm, paged by id. */
export class TimelinesService {
  constructor(
    private readonly deps: Deps,
    private readonly posts: PostsService,
    private readonly groups: GroupAccountsService,
  ) {}

  /**
   * The caller's own statuses, those of the accounts they follow (accepted follows), and public statuses (not boosts)
   * carrying a hashtag they follow, as far as they may see; muted authors' and members of exclusive lists' never. Merged with them by id (both
   * snowflakes, so one keyset orders both): the posts of the groups they belong to, in the forums they may read
   * (ADR 0031).
   */
  async home(principal: Principal, q: PageQuery) {
    const me = principal.userId;
    const p = pageQuery(posts.id, q);
    const groupPage = this.groups.homePage(me, q);
    const rows = await homeQuery[p.ascending ? 'ascending' : 'descending'](this.deps.db).execute({
      me,
      ...homeBounds(q),
      limit: p.limit,
    });
    const group = await groupPage;
    // The newest `limit` of both (or, paging up with min_id, the oldest above it), newest first.
    const merged: Array<{ id: string; post?: PostRow; group?: GroupPostRow }> = [
      ...rows.map((r) => ({ id: r.id, post: r })),
      ...group.items.map((g) => ({ id: g.thread.id, group: g })),
    ]
      .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? 1 : -1))
      .slice(...(p.ascending ? ([-p.limit] as const) : ([0, p.limit] as const)));
    const page = finishPage(merged, (m) => m.id, false);
    const [statuses, groupStatuses] = await Promise.all([
      this.posts.page(me, { ...page, items: merged.flatMap((m) => (m.post ? [m.post] : [])) }),
      this.groups.views(
        merged.flatMap((m) => (m.group ? [m.group] : [])),
        me,
      ),
    ]);
    const byId = new Map<string, unknown>([
      ...statuses.items.map((s) => [s.id, s] as const),
      ...groupStatuses.map((s) => [s.id, s] as const),
    ]);
    return { ...page, items: merged.flatMap((m) => (byId.has(m.id) ? [byId.get(m.id)] : [])) };
  }

  /** Every public status (all are local until federation), without those of people blocked either way. */
  async public(viewer: string | null, q: PublicTimelineQuery) {
    if (q.remote) return { items: [], newest: null, oldest: null };
    return this.page(
      viewer,
      q,
      eq(posts.visibility, 'public'),
      // Boosts stay out of public timelines, as on Mastodon.
      isNull(posts.reblogOfId),
      // Blocks either way, and a deactivated author's statuses.
      visibleTo(viewer),
      q.only_media ? statusHasMedia() : undefined,
      viewer ? sql`not ${mutedBy(viewer)}` : undefined,
      // A silenced domain's statuses only for its accounts' followers (ADR 0040).
      sql`not ${silencedFor(viewer)}`,
    );
  }

  /** A page of the statuses matching every one of `conditions`, as `viewer` reads them: newest first, by id. */
  async page(viewer: string | null, q: PageQuery, ...conditions: Array<SQL | undefined>) {
    const p = pageQuery(posts.id, q);
    const rows = await this.deps.db
      .select()
      .from(posts)
      .where(and(...conditions, p.where))
      .orderBy(p.orderBy)
      .limit(p.limit);
    return this.posts.page(
      viewer,
      finishPage(rows, (r) => r.id, p.ascending),
    );
  }
}

/**
 * Whether the row of `posts` in scope is a public status (not a boost) carrying a hashtag `viewer` follows: what
 * Mastodon adds to a home feed for followed tags. Visibility, blocks and mutes are checked beside it.
 */
export function followedTagPost(viewer: string | SQL): SQL {
  return sql`(${posts.visibility} = 'public' and ${posts.reblogOfId} is null and not ${silencedFor(viewer)} and exists (select 1 from ${postTags} inner join ${followedTags} on ${followedTags.tag} = ${postTags.tag} and ${followedTags.userId} = ${viewer} where ${postTags.postId} = ${posts.id} and ${postTags.userId} = ${posts.userId}))`;
}
