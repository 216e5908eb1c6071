import { and, desc, eq, gt, inArray, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import {
  accountStats,
  followedTags,
  follows,
  postSearchDocument,
  posts,
  postTags,
  users,
} from '../../store/schema';
import type { Deps } from '../deps';
import { unauthorized } from '../errors';
import { loadAccounts } from './accounts';
import { recordNotFound } from './errors';
import type { GroupAccountsService } from './group-accounts.service';
import { toAccount } from './mastodon.wire';
import { statusHasMedia } from './media.wire';
import { finishPage, type PageQuery, pageQuery } from './paging';
import type { PostsService } from './posts.service';
import type { AccountResolver } from './remote.service';
import { blockedBetween, mutedBy, silencedFor, visiblePostById, visibleTo } from './visibility';

// Search and discovery (Mastodon's /api/v2/search, accounts/search, directory, trends, tag timelines). Every status
// found passes `visibleTo` (a followers-only status reaches only followers); accounts blocked either way are never
// found; only discoverable accounts are listed, except an exact `@username`, which is always found.

/** How far back trends and a tag's history look, in days (Mastodon's history has 7). */
const HISTORY_DAYS = 7;

export interface SearchQuery {
  q: string;
  type?: 'accounts' | 'hashtags' | 'statuses';
  resolve?: boolean;
  following?: boolean;
  account_id?: string;
  max_id?: string;
  min_id?: string;
  limit?: number;
  offset?: number;
}

/** At most this many words of a status search are used (a bound on the query the database plans and runs). */
const SEARCH_WORDS_MAX = 16;

/**
 * The words of a status search as given to `websearch_to_tsquery`: control characters out, at most
 * SEARCH_WORDS_MAX words (a quoted phrase counts its words); empty when nothing is left.
 */
function searchWords(q: string): string {
  return q
    .replace(/[\p{Cc}\p{Cf}]/gu, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, SEARCH_WORDS_MAX)
    .join(' ');
}

export interface TagTimelineQuery extends PageQuery {
  any?: string[];
  all?: string[];
  none?: string[];
  local?: boolean;
  remote?: boolean;
  only_media?: boolean;
}

/** A hashtag's name as searched and stored: without `#`, lower case; null when it is no hashtag. */
export function tagName(text: string): string | null {
  const name = text.trim().replace(/^#/, '').toLowerCase();
  return /^[\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*$/u.test(name) && name.length <= 100 ? name : null;
}

export class SocialSearchService {
  constructor(
    private readonly deps: Deps,
    private readonly posts: PostsService,
    private readonly groups: GroupAccountsService,
  ) {}

  /** Finds accounts of other instances (the federation area sets it; ADR 0040). */
  private resolver: AccountResolver | null = null;
  setResolver(resolver: AccountResolver): void {
    this.resolver = resolver;
  }

  /** GET /api/v2/search: accounts, hashtags and statuses matching `q`, each list bounded by `limit`. */
  async search(viewer: string | null, query: SearchQuery) {
    // As Mastodon: paging through results and resolving need a signed-in caller.
    if (!viewer && (query.resolve || (query.offset ?? 0) > 0)) throw unauthorized();
    const want = (t: SearchQuery['type']) => !query.type || query.type === t;
    const resolved = query.resolve
      ? ((await this.resolveUrl(viewer, query.q)) ?? (await this.resolveAcct(viewer, query.q)))
      : null;
    const [accounts, hashtags, statuses] = await Promise.all([
      resolved?.status ? [] : want('accounts') ? this.accounts(viewer, query) : [],
      resolved ? [] : want('hashtags') ? this.hashtags(viewer, query) : [],
      resolved?.status ? [resolved.status] : want('statuses') ? this.statuses(viewer, query) : [],
    ]);
    return {
      accounts: resolved?.account ? [resolved.account] : accounts,
      hashtags,
      statuses,
    };
  }

  /**
   * Accounts whose username starts with `q` or whose display name contains it, discoverable ones only; an exact
   * username (`user`, `@user`, `@user@this-host`) is always found, first. Blocked either way, disabled: never.
   */
  async accounts(
    viewer: string | null,
    query: { q: string; following?: boolean; limit?: number; offset?: number },
  ) {
    if (query.following && !viewer) throw unauthorized();
    const host = new URL(this.deps.config.publicUrl).host.toLowerCase();
    let term = query.q.trim().replace(/^@/, '');
    const at = term.indexOf('@');
    if (at >= 0) {
      // `name@other-host`: an account of another instance already known here, by its exact acct.
      if (term.slice(at + 1).toLowerCase() !== host)
        return query.following || (query.offset ?? 0) > 0
          ? []
          : this.knownRemote(viewer, sql`lower(${users.username}) = ${term.toLowerCase()}`);
      term = term.slice(0, at);
    }
    term = term.toLowerCase();
    if (!term) return [];
    const like = `${escapeLike(term)}%`;
    const exact = sql`lower(${users.username}) = ${term}`;
    const conditions: (SQL | undefined)[] = [
      eq(users.disabled, false),
      eq(users.bot, false),
      or(
        exact,
        and(
          eq(users.discoverable, true),
          or(
            sql`lower(${users.username}) like ${like}`,
            sql`lower(${users.globalName}) like ${`%${escapeLike(term)}%`}`,
          ),
        ),
      ),
      viewer ? sql`not ${blockedBetween(sql`${users.id}`, viewer)}` : undefined,
      query.following && viewer
        ? inArray(
            users.id,
            this.deps.db
              .select({ id: follows.targetId })
              .from(follows)
              .where(and(eq(follows.userId, viewer), eq(follows.accepted, true))),
          )
        : undefined,
    ];
    const rows = await this.deps.db
      .select({ id: users.id })
      .from(users)
      .where(and(...conditions))
      .orderBy(desc(exact), users.username)
      .limit(bound(query.limit, 40, 80))
      .offset(Math.max(query.offset ?? 0, 0));
    const found = await this.toAccounts(rows.map((r) => r.id));
    // Groups' accounts (ADR 0031) after people, on the first page: those the viewer may know of and find.
    const room = bound(query.limit, 40, 80) - found.length;
    if (query.following || (query.offset ?? 0) > 0 || room <= 0) return found;
    return [...found, ...(await this.groups.search(viewer, term, room))];
  }

  /** Hashtags starting with `q` that public statuses carry, most used first, as Mastodon's Tag with its history. */
  async hashtags(viewer: string | null, query: { q: string; limit?: number; offset?: number }) {
    const name = tagName(query.q);
    if (!name) return [];
    const rows = await this.deps.db
      .select({ tag: postTags.tag })
      .from(postTags)
      .innerJoin(posts, and(eq(posts.userId, postTags.userId), eq(posts.id, postTags.postId)))
      .where(and(sql`${postTags.tag} like ${`${escapeLike(name)}%`}`, eq(posts.visibility, 'public')))
      .groupBy(postTags.tag)
      .orderBy(sql`(${postTags.tag} = ${name}) desc`, sql`count(*) desc`, postTags.tag)
      .limit(bound(query.limit, 20, 40))
      .offset(Math.max(query.offset ?? 0, 0));
    return this.tags(
      rows.map((r) => r.tag),
      viewer,
    );
  }

  /**
   * Statuses matching `q` by full-text search (PostgreSQL's `websearch_to_tsquery` over the content warning and the
   * text, through the GIN index `posts_search_idx`: words in any order, "quoted phrases", `-word` to leave out,
   * `or`), that the searcher may see (signed out: public ones only), newest first, boosts left out, and those of
   * muted accounts; `account_id` narrows to one author; `max_id`/`min_id` bound the ids, `offset` skips.
   */
  async statuses(viewer: string | null, query: SearchQuery) {
    const words = searchWords(query.q);
    if (!words) return [];
    const rows = await this.deps.db
      .select()
      .from(posts)
      .where(
        and(
          isNull(posts.reblogOfId),
          sql`${postSearchDocument(posts)} @@ websearch_to_tsquery('simple'::regconfig, ${words})`,
          visibleTo(viewer),
          viewer ? undefined : eq(posts.visibility, 'public'),
          viewer ? sql`not ${mutedBy(viewer)}` : undefined,
          sql`not ${silencedFor(viewer)}`,
          query.account_id ? eq(posts.userId, query.account_id) : undefined,
          query.max_id ? lt(posts.id, query.max_id) : undefined,
          query.min_id ? gt(posts.id, query.min_id) : undefined,
        ),
      )
      .orderBy(desc(posts.id))
      .limit(bound(query.limit, 20, 40))
      .offset(Math.max(query.offset ?? 0, 0));
    return (await this.posts.page(viewer, { items: rows, newest: null, oldest: null })).items;
  }

  /** GET /api/v1/directory: discoverable accounts, most recently active or newest first. */
  async directory(
    viewer: string | null,
    query: { limit?: number; offset?: number; order?: string; local?: boolean },
  ) {
    const rows = await this.deps.db
      .select({ id: users.id })
      .from(users)
      .leftJoin(accountStats, eq(accountStats.userId, users.id))
      .where(
        and(
          eq(users.discoverable, true),
          eq(users.disabled, false),
          eq(users.bot, false),
          viewer ? sql`not ${blockedBetween(sql`${users.id}`, viewer)}` : undefined,
        ),
      )
      .orderBy(
        ...(query.order === 'new'
          ? [desc(users.id)]
          : [sql`${accountStats.lastStatusAt} desc nulls last`, desc(users.id)]),
      )
      .limit(bound(query.limit, 40, 80))
      .offset(Math.max(query.offset ?? 0, 0));
    return this.toAccounts(rows.map((r) => r.id));
  }

  /**
   * GET /api/v1/trends/tags: hashtags of public statuses in the last 7 days, those used by the most accounts first
   * (then the most uses), each with its daily history.
   */
  async trendingTags(viewer: string | null, query: { limit?: number; offset?: number }) {
    const since = new Date(Date.now() - HISTORY_DAYS * 86_400_000);
    const rows = await this.deps.db
      .select({ tag: postTags.tag })
      .from(postTags)
      .innerJoin(posts, and(eq(posts.userId, postTags.userId), eq(posts.id, postTags.postId)))
      .innerJoin(users, eq(users.id, postTags.userId))
      .where(
        and(
          sql`${postTags.createdAt} >= ${since}`,
          eq(posts.visibility, 'public'),
          eq(users.disabled, false),
        ),
      )
      .groupBy(postTags.tag)
      .orderBy(sql`count(distinct ${postTags.userId}) desc`, sql`count(*) desc`, postTags.tag)
      .limit(bound(query.limit, 10, 20))
      .offset(Math.max(query.offset ?? 0, 0));
    return this.tags(
      rows.map((r) => r.tag),
      viewer,
    );
  }

  /**
   * GET /api/v1/tags/:name: a hashtag public statuses carry or the caller follows (404 otherwise), with its history
   * and whether the caller follows it.
   */
  async tag(viewer: string | null, name: string) {
    const tag = tagName(name);
    if (!tag) throw recordNotFound();
    const [used] = await this.deps.db
      .select({ one: sql`1` })
      .from(postTags)
      .innerJoin(posts, and(eq(posts.userId, postTags.userId), eq(posts.id, postTags.postId)))
      .where(and(eq(postTags.tag, tag), eq(posts.visibility, 'public')))
      .limit(1);
    const [followed] = used || !viewer ? [] : await this.followedOf(viewer, [tag]);
    if (!used && !followed) throw recordNotFound();
    const [found] = await this.tags([tag], viewer);
    return found;
  }

  /**
   * GET /api/v1/timelines/tag/:hashtag: public statuses with the tag (or any of `any`, and all of `all`, none of
   * `none`), newest first, without those of accounts blocked either way or muted.
   */
  async tagTimeline(viewer: string | null, hashtag: string, query: TagTimelineQuery) {
    const empty = { items: [], newest: null, oldest: null };
    const first = tagName(hashtag);
    if (!first || query.remote) return empty;
    const names = (list?: string[]) =>
      (list ?? [])
        .map(tagName)
        .filter((t): t is string => t !== null)
        .slice(0, 4);
    const anyOf = [first, ...names(query.any)];
    const tagged = (tags: string[]) =>
      this.deps.db
        .select({ id: postTags.postId })
        .from(postTags)
        .where(and(inArray(postTags.tag, tags), eq(postTags.postId, posts.id)));
    const p = pageQuery(posts.id, query);
    const rows = await this.deps.db
      .select()
      .from(posts)
      .where(
        and(
          inArray(
            posts.id,
            this.deps.db.select({ id: postTags.postId }).from(postTags).where(inArray(postTags.tag, anyOf)),
          ),
          ...names(query.all).map((t) => sql`exists ${tagged([t])}`),
          names(query.none).length ? sql`not exists ${tagged(names(query.none))}` : undefined,
          eq(posts.visibility, 'public'),
          isNull(posts.reblogOfId),
          visibleTo(viewer),
          viewer ? sql`not ${mutedBy(viewer)}` : undefined,
          sql`not ${silencedFor(viewer)}`,
          query.only_media ? statusHasMedia() : undefined,
          p.where,
        ),
      )
      .orderBy(p.orderBy)
      .limit(p.limit);
    return this.posts.page(
      viewer,
      finishPage(rows, (r) => r.id, p.ascending),
    );
  }

  /**
   * Mastodon's Tag for each name, with 7 days of history (uses and accounts per day, in public statuses) and
   * `following` (whether `viewer` follows it; false when signed out).
   */
  async tags(names: string[], viewer: string | null) {
    if (names.length === 0) return [];
    const following = new Set(viewer ? await this.followedOf(viewer, names) : []);
    const since = startOfDay(new Date(Date.now() - (HISTORY_DAYS - 1) * 86_400_000));
    const counts = await this.deps.db
      .select({
        tag: postTags.tag,
        day: sql<string>`to_char(${postTags.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`,
        uses: sql<number>`count(*)::int`,
        accounts: sql<number>`count(distinct ${postTags.userId})::int`,
      })
      .from(postTags)
      .innerJoin(posts, and(eq(posts.userId, postTags.userId), eq(posts.id, postTags.postId)))
      .where(
        and(
          inArray(postTags.tag, names),
          sql`${postTags.createdAt} >= ${since}`,
          eq(posts.visibility, 'public'),
        ),
      )
      .groupBy(postTags.tag, sql`2`);
    const byKey = new Map(counts.map((c) => [`${c.tag} ${c.day}`, c]));
    return names.map((name) => ({
      name,
      url: this.posts.urls.tag(name),
      history: Array.from({ length: HISTORY_DAYS }, (_, i) => {
        const d = new Date(startOfDay(new Date()).getTime() - i * 86_400_000);
        const c = byKey.get(`${name} ${d.toISOString().slice(0, 10)}`);
        return {
          day: String(Math.floor(d.getTime() / 1000)),
          uses: String(c?.uses ?? 0),
          accounts: String(c?.accounts ?? 0),
        };
      }),
      following: following.has(name),
    }));
  }

  /** Of `names`, those `viewer` follows. */
  private async followedOf(viewer: string, names: string[]): Promise<string[]> {
    const rows = await this.deps.db
      .select({ tag: followedTags.tag })
      .from(followedTags)
      .where(and(eq(followedTags.userId, viewer), inArray(followedTags.tag, names)));
    return rows.map((r) => r.tag);
  }

  /** A remote account known here (by its exact acct, `name@host`, or id), unless disabled or blocked either way. */
  private async knownRemote(viewer: string | null, which: SQL) {
    const rows = await this.deps.db
      .select({ id: users.id })
      .from(users)
      .where(
        and(
          eq(users.remote, true),
          eq(users.disabled, false),
          which,
          viewer ? sql`not ${blockedBetween(sql`${users.id}`, viewer)}` : undefined,
        ),
      )
      .limit(1);
    return this.toAccounts(rows.map((r) => r.id));
  }

  /**
   * `resolve=true` with `@name@other-host` (or `name@other-host`): the account looked up there (WebFinger, its
   * actor: a person or a group) and stored, as Mastodon resolves it; null when the query is no such handle.
   */
  private async resolveAcct(viewer: string | null, q: string) {
    const m = /^@?([A-Za-z0-9_.~-]{1,100})@([A-Za-z0-9.-]{1,253}(?::\d{1,5})?)$/.exec(q.trim());
    const host = new URL(this.deps.config.publicUrl).host.toLowerCase();
    if (!m || !viewer || m[2].toLowerCase() === host || !this.resolver) return null;
    const acct = `${m[1]}@${m[2]}`;
    const id = await this.resolver.resolve(acct).catch((err) => {
      this.deps.log.info({ err, acct }, 'could not resolve a remote account');
      return null;
    });
    if (!id) return null;
    const [account] = await this.knownRemote(viewer, eq(users.id, id));
    return account ? { account, status: null } : null;
  }

  /** `resolve=true`: a URL of this server's profile or status page, as what it names (if the caller may see it). */
  private async resolveUrl(viewer: string | null, q: string) {
    let url: URL;
    try {
      url = new URL(q.trim());
    } catch {
      return null;
    }
    if (url.origin !== new URL(this.deps.config.publicUrl).origin) return null;
    const m = url.pathname.match(/^\/@([A-Za-z0-9_.]+)(?:\/([0-9]{1,19}))?\/?$/);
    if (!m) return null;
    if (m[2]) {
      const post = await visiblePostById(this.deps.db, viewer, m[2]);
      if (!post) return { account: null, status: null };
      const [status] = (await this.posts.page(viewer, { items: [post], newest: null, oldest: null })).items;
      return { account: null, status };
    }
    const [account] = await this.accounts(viewer, { q: m[1], limit: 1 });
    return account && account.username.toLowerCase() === m[1].toLowerCase()
      ? { account, status: null }
      : null;
  }

  private async toAccounts(ids: string[]) {
    const loaded = await loadAccounts(this.deps.db, ids);
    return ids.flatMap((id) => {
      const a = loaded.get(id);
      return a ? [toAccount(a, this.posts.urls)] : [];
    });
  }
}

function bound(limit: number | undefined, fallback: number, max: number): number {
  return Math.min(Math.max(limit ?? fallback, 1), max);
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function startOfDay(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}
