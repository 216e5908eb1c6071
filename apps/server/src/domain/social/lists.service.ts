import { Limits } from '@hearth/protocol';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db';
import { follows, listAccounts, lists, posts } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { PendingEvents } from '../pending-events';
import { loadAccounts } from './accounts';
import { recordNotFound, unprocessable } from './errors';
import { accountTopic } from './follows.service';
import { inListFeed } from './list-feeds';
import { SocialUrls, toAccount } from './mastodon.wire';
import { finishPage, type PageQuery, pageQuery } from './paging';
import type { TimelinesService } from './timelines.service';
import { mutedBy, visibleTo } from './visibility';

// Mastodon lists (ADR 0045-lists-and-conversations): a user's named selections of accounts they follow, each with a
// timeline of its members' statuses (the home timeline's visibility rule, mutes, and the list's replies policy).
// An exclusive list's members leave the home timeline. Only the owner sees a list: anyone else's is a 404.

type RepliesPolicy = 'followed' | 'list' | 'none';
type ListRow = typeof lists.$inferSelect;

export interface ListInput {
  title?: string;
  replies_policy?: RepliesPolicy;
  exclusive?: boolean;
}

/** Mastodon's List entity. */
function toList(row: ListRow) {
  return { id: row.id, title: row.title, replies_policy: row.repliesPolicy, exclusive: row.exclusive };
}

export class ListsService {
  private readonly urls: SocialUrls;
  constructor(
    private readonly deps: Deps,
    private readonly timelines: TimelinesService,
  ) {
    this.urls = new SocialUrls(deps.config.publicUrl, deps.attachmentUrls);
  }

  /** The caller's lists, oldest first. */
  async all(principal: Principal) {
    const rows = await this.deps.db
      .select()
      .from(lists)
      .where(eq(lists.userId, principal.userId))
      .orderBy(asc(lists.id))
      .limit(Limits.listsMax);
    return rows.map(toList);
  }

  async get(principal: Principal, id: string) {
    return toList(await this.own(this.deps.db, principal.userId, id));
  }

  /** A new list; its title must not be blank; at most Limits.listsMax per account. */
  async create(principal: Principal, input: ListInput) {
    const me = principal.userId;
    const title = (input.title ?? '').trim();
    if (!title) throw unprocessable("Title can't be blank");
    const row = await this.deps.db.transaction(async (tx) => {
      // Lists of one account are counted under a lock on its own rows, so two creations cannot both pass the bound.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`lists:${me}`}))`);
      const [count] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(lists)
        .where(eq(lists.userId, me));
      if ((count?.n ?? 0) >= Limits.listsMax)
        throw unprocessable(`you may have at most ${Limits.listsMax} lists`);
      const [created] = await tx
        .insert(lists)
        .values({
          userId: me,
          id: this.deps.ids.next(),
          title,
          repliesPolicy: input.replies_policy ?? 'list',
          exclusive: input.exclusive ?? false,
        })
        .returning();
      return created;
    });
    return toList(row);
  }

  /** Changes a list's title, replies policy or exclusiveness (what is given). */
  async update(principal: Principal, id: string, input: ListInput) {
    const me = principal.userId;
    await this.own(this.deps.db, me, id);
    const set: Partial<ListRow> = {};
    if (input.title !== undefined) {
      const title = input.title.trim();
      if (!title) throw unprocessable("Title can't be blank");
      set.title = title;
    }
    if (input.replies_policy !== undefined) set.repliesPolicy = input.replies_policy;
    if (input.exclusive !== undefined) set.exclusive = input.exclusive;
    if (Object.keys(set).length === 0) return this.get(principal, id);
    const [row] = await this.deps.db
      .update(lists)
      .set(set)
      .where(and(eq(lists.userId, me), eq(lists.id, id)))
      .returning();
    if (!row) throw recordNotFound();
    return toList(row);
  }

  /** Deletes a list and its memberships. */
  async remove(principal: Principal, id: string) {
    const me = principal.userId;
    const pending = new PendingEvents();
    await this.deps.db.transaction(async (tx) => {
      const [gone] = await tx
        .delete(lists)
        .where(and(eq(lists.userId, me), eq(lists.id, id)))
        .returning({ id: lists.id });
      if (!gone) throw recordNotFound();
      await tx.delete(listAccounts).where(and(eq(listAccounts.userId, me), eq(listAccounts.listId, id)));
      pending.add('SOCIAL_LIST_UPDATE', accountTopic(me), { account_id: me, list_id: id, deleted: true });
    });
    pending.publish(this.deps.events);
    return {};
  }

  /** A list's accounts, latest added first, paged by the membership's id; `limit: 0` answers all of them. */
  async accounts(principal: Principal, id: string, q: PageQuery) {
    const me = principal.userId;
    await this.own(this.deps.db, me, id);
    const all = q.limit === 0;
    const p = pageQuery(
      listAccounts.id,
      all ? { limit: Limits.listAccountsMax } : q,
      all
        ? { fallback: Limits.listAccountsMax, max: Limits.listAccountsMax }
        : { fallback: Limits.listAccountsPageDefault, max: Limits.listAccountsPageMax },
    );
    const rows = await this.deps.db
      .select({ id: listAccounts.id, accountId: listAccounts.accountId })
      .from(listAccounts)
      .where(and(eq(listAccounts.userId, me), eq(listAccounts.listId, id), p.where))
      .orderBy(p.orderBy)
      .limit(p.limit);
    const page = finishPage(rows, (r) => r.id, p.ascending);
    const accounts = await loadAccounts(
      this.deps.db,
      page.items.map((r) => r.accountId),
    );
    return {
      // Unpaged, the answer has no Link header.
      ...(all ? { newest: null, oldest: null } : page),
      items: page.items.flatMap((r) => {
        const a = accounts.get(r.accountId);
        return a && !a.user.disabled ? [toAccount(a, this.urls)] : [];
      }),
    };
  }

  /**
   * Adds accounts to a list: each must exist (404) and be one the caller follows (an accepted follow), and not be
   * on it already (422, as Mastodon); all or none are added.
   */
  async addAccounts(principal: Principal, id: string, accountIds: string[]) {
    const me = principal.userId;
    const ids = [...new Set(accountIds)];
    if (ids.length === 0) throw unprocessable('account_ids is missing');
    const pending = new PendingEvents();
    await this.deps.db.transaction(async (tx) => {
      await this.own(tx, me, id);
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`list:${id}`}))`);
      const known = await loadAccounts(tx, ids);
      if (ids.some((a) => !known.get(a) || known.get(a)?.user.disabled)) throw recordNotFound();
      const followed = await tx
        .select({ id: follows.targetId })
        .from(follows)
        .where(and(eq(follows.userId, me), inArray(follows.targetId, ids), eq(follows.accepted, true)));
      if (followed.length !== ids.length) throw unprocessable('Account follow relationship missing');
      const [count] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(listAccounts)
        .where(and(eq(listAccounts.userId, me), eq(listAccounts.listId, id)));
      if ((count?.n ?? 0) + ids.length > Limits.listAccountsMax)
        throw unprocessable(`a list may have at most ${Limits.listAccountsMax} accounts`);
      const added = await tx
        .insert(listAccounts)
        .values(ids.map((accountId) => ({ userId: me, listId: id, accountId, id: this.deps.ids.next() })))
        .onConflictDoNothing()
        .returning({ id: listAccounts.accountId });
      if (added.length !== ids.length) throw unprocessable('Account has already been taken');
      pending.add('SOCIAL_LIST_UPDATE', accountTopic(me), { account_id: me, list_id: id, deleted: false });
    });
    pending.publish(this.deps.events);
    return {};
  }

  /** Takes accounts off a list (those not on it are ignored). */
  async removeAccounts(principal: Principal, id: string, accountIds: string[]) {
    const me = principal.userId;
    await this.own(this.deps.db, me, id);
    if (accountIds.length === 0) return {};
    const removed = await this.deps.db
      .delete(listAccounts)
      .where(
        and(
          eq(listAccounts.userId, me),
          eq(listAccounts.listId, id),
          inArray(listAccounts.accountId, [...new Set(accountIds)]),
        ),
      )
      .returning({ id: listAccounts.accountId });
    if (removed.length)
      this.deps.events.publishEvent({
        t: 'SOCIAL_LIST_UPDATE',
        topic: accountTopic(me),
        d: { account_id: me, list_id: id, deleted: false },
      });
    return {};
  }

  /** The caller's lists that have account `accountId` (404 for an account that does not exist). */
  async listsWith(principal: Principal, accountId: string) {
    const me = principal.userId;
    const known = await loadAccounts(this.deps.db, [accountId]);
    if (!known.get(accountId) || known.get(accountId)?.user.disabled) throw recordNotFound();
    const rows = await this.deps.db
      .select({ list: lists })
      .from(listAccounts)
      .innerJoin(lists, and(eq(lists.userId, listAccounts.userId), eq(lists.id, listAccounts.listId)))
      .where(and(eq(listAccounts.userId, me), eq(listAccounts.accountId, accountId)))
      .orderBy(asc(lists.id));
    return rows.map((r) => toList(r.list));
  }

  /** The list's timeline: its members' statuses (and boosts) the caller may see, newest first, paged by id. */
  async timeline(principal: Principal, id: string, q: PageQuery) {
    const me = principal.userId;
    const list = await this.own(this.deps.db, me, id);
    return this.timelines.page(
      me,
      q,
      inArray(
        posts.userId,
        this.deps.db
          .select({ id: listAccounts.accountId })
          .from(listAccounts)
          .where(and(eq(listAccounts.userId, me), eq(listAccounts.listId, id))),
      ),
      inListFeed(me, id, list.repliesPolicy),
      visibleTo(me),
      sql`not ${mutedBy(me)}`,
    );
  }

  /** The members of the caller's list `id` (the `list` stream indexes them), or null when it is not theirs. */
  async members(userId: string, id: string): Promise<string[] | null> {
    const [list] = await this.deps.db
      .select({ id: lists.id })
      .from(lists)
      .where(and(eq(lists.userId, userId), eq(lists.id, id)));
    if (!list) return null;
    const rows = await this.deps.db
      .select({ id: listAccounts.accountId })
      .from(listAccounts)
      .where(and(eq(listAccounts.userId, userId), eq(listAccounts.listId, id)))
      .limit(Limits.listAccountsMax);
    return rows.map((r) => r.id);
  }

  /** The caller's own list `id`, or the 404 of one that does not exist (someone else's list is the same). */
  private async own(db: DbOrTx, userId: string, id: string): Promise<ListRow> {
    const [row] = await db
      .select()
      .from(lists)
      .where(and(eq(lists.userId, userId), eq(lists.id, id)));
    if (!row) throw recordNotFound();
    return row;
  }
}
