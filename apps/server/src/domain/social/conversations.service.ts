import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db';
import { conversationStatuses, conversations, posts } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import type { PendingEvents } from '../pending-events';
import { loadAccounts } from './accounts';
import { recordNotFound } from './errors';
import { accountTopic } from './follows.service';
import { type PostRow, SocialUrls, toAccount } from './mastodon.wire';
import { finishPage, type PageQuery, pageQuery } from './paging';
import { statusViews } from './status-views';
import { visibleTo } from './visibility';

// Mastodon conversations (ADR 0045-lists-and-conversations): a thread of direct statuses among one set of people,
// seen by each participant as their own row with its latest status and an unread flag. A direct status starts one
// (or continues its parent's), for its author and every account it names; deleting a status falls back to the
// conversation's previous one, or ends the conversation when none is left.

type ConversationRow = typeof conversations.$inferSelect;

export class ConversationsService {
  private readonly urls: SocialUrls;
  constructor(private readonly deps: Deps) {
    this.urls = new SocialUrls(deps.config.publicUrl, deps.attachmentUrls);
  }

  /**
   * Records direct status `post` (in `tx`, the transaction that makes it) in the conversation of each participant:
   * its author and `mentionedIds`. A reply continues its parent's thread; the author's row is read, the others'
   * unread. Each participant's `direct` stream is told after commit. `remoteAuthor`: the author is of another
   * instance (a delivered direct status), so only the local accounts it names get a row.
   */
  async record(
    tx: DbOrTx,
    pending: PendingEvents,
    post: PostRow,
    mentionedIds: string[],
    opts: { remoteAuthor?: boolean } = {},
  ): Promise<void> {
    const participants = [...new Set([post.userId, ...mentionedIds])].sort();
    const threadId = post.inReplyToId ? await this.threadOf(tx, post.userId, post.inReplyToId) : post.id;
    // A remote author's conversations are kept by its own instance; here only the local accounts it named get rows.
    for (const userId of participants) {
      if (opts.remoteAuthor && userId === post.userId) continue;
      const others = participants.filter((p) => p !== userId).join(',');
      const unread = userId !== post.userId;
      const [row] = await tx
        .insert(conversations)
        .values({
          userId,
          id: this.deps.ids.next(),
          threadId,
          participantIds: others,
          lastStatusId: post.id,
          unread,
        })
        .onConflictDoUpdate({
          target: [conversations.userId, conversations.threadId, conversations.participantIds],
          set: {
            lastStatusId: sql`greatest(${conversations.lastStatusId}, excluded.last_status_id)`,
            unread,
          },
        })
        .returning({ id: conversations.id });
      await tx
        .insert(conversationStatuses)
        .values({ userId, conversationId: row.id, statusId: post.id })
        .onConflictDoNothing();
      pending.add('SOCIAL_CONVERSATION', accountTopic(userId), { account_id: userId, id: row.id });
    }
  }

  /**
   * The thread a reply to `parentId` belongs to: the parent's own conversation's when the author takes part in one
   * with it (a direct parent the author may see names them), else the parent itself starts it.
   */
  private async threadOf(tx: DbOrTx, authorId: string, parentId: string): Promise<string> {
    const [found] = await tx
      .select({ threadId: conversations.threadId })
      .from(conversationStatuses)
      .innerJoin(
        conversations,
        and(
          eq(conversations.userId, conversationStatuses.userId),
          eq(conversations.id, conversationStatuses.conversationId),
        ),
      )
      .where(and(eq(conversationStatuses.userId, authorId), eq(conversationStatuses.statusId, parentId)))
      .limit(1);
    return found?.threadId ?? parentId;
  }

  /** Takes deleted status `statusId` out of every conversation (in `tx`): each falls back to its previous status. */
  async forget(tx: DbOrTx, statusId: string): Promise<void> {
    const gone = await tx
      .delete(conversationStatuses)
      .where(eq(conversationStatuses.statusId, statusId))
      .returning({ userId: conversationStatuses.userId, id: conversationStatuses.conversationId });
    for (const { userId, id } of gone) await this.fallBack(tx, userId, id);
  }

  /**
   * Records an edit of direct status `post` (in `tx`): its conversations move to it again (unread for everyone but
   * the author, each participant's `direct` stream told), and when the edit changed whom it names, those no longer
   * named lose it and those newly named get it, as if it had been posted so.
   */
  async edited(
    tx: DbOrTx,
    pending: PendingEvents,
    post: PostRow,
    mentionedIds: string[],
    opts: { remoteAuthor?: boolean } = {},
  ): Promise<void> {
    const participants = [...new Set([post.userId, ...mentionedIds])].sort();
    const others = (userId: string) => participants.filter((p) => p !== userId).join(',');
    const rows = await tx
      .select({
        userId: conversations.userId,
        id: conversations.id,
        participantIds: conversations.participantIds,
      })
      .from(conversationStatuses)
      .innerJoin(
        conversations,
        and(
          eq(conversations.userId, conversationStatuses.userId),
          eq(conversations.id, conversationStatuses.conversationId),
        ),
      )
      .where(eq(conversationStatuses.statusId, post.id));
    for (const row of rows) {
      if (participants.includes(row.userId) && row.participantIds === others(row.userId)) continue;
      await tx
        .delete(conversationStatuses)
        .where(
          and(
            eq(conversationStatuses.userId, row.userId),
            eq(conversationStatuses.conversationId, row.id),
            eq(conversationStatuses.statusId, post.id),
          ),
        );
      await this.fallBack(tx, row.userId, row.id);
    }
    await this.record(tx, pending, post, mentionedIds, opts);
  }

  /** Conversation `id` of `userId` lost a status: its latest remaining one becomes its last, or it ends. */
  private async fallBack(tx: DbOrTx, userId: string, id: string): Promise<void> {
    const [previous] = await tx
      .select({ last: sql<string | null>`max(${conversationStatuses.statusId})` })
      .from(conversationStatuses)
      .where(and(eq(conversationStatuses.userId, userId), eq(conversationStatuses.conversationId, id)));
    if (previous?.last)
      await tx
        .update(conversations)
        .set({ lastStatusId: previous.last })
        .where(and(eq(conversations.userId, userId), eq(conversations.id, id)));
    else
      await tx.delete(conversations).where(and(eq(conversations.userId, userId), eq(conversations.id, id)));
  }

  /** The caller's conversations, latest status first, paged by that status's id (as Mastodon). */
  async list(principal: Principal, q: PageQuery) {
    const me = principal.userId;
    const p = pageQuery(conversations.lastStatusId, q);
    const rows = await this.deps.db
      .select()
      .from(conversations)
      .where(and(eq(conversations.userId, me), lastStatusVisible(me), p.where))
      .orderBy(p.orderBy)
      .limit(p.limit);
    const page = finishPage(rows, (r) => r.lastStatusId, p.ascending);
    return { ...page, items: await this.render(me, page.items) };
  }

  /** One of the caller's conversations as Mastodon's Conversation, or null (not theirs, or nothing they may see). */
  async get(userId: string, id: string) {
    const [row] = await this.deps.db
      .select()
      .from(conversations)
      .where(and(eq(conversations.userId, userId), eq(conversations.id, id), lastStatusVisible(userId)));
    if (!row) return null;
    const [rendered] = await this.render(userId, [row]);
    return rendered ?? null;
  }

  /** Marks a conversation read; answers it. */
  async read(principal: Principal, id: string) {
    const me = principal.userId;
    await this.deps.db
      .update(conversations)
      .set({ unread: false })
      .where(and(eq(conversations.userId, me), eq(conversations.id, id)));
    const found = await this.get(me, id);
    if (!found) throw recordNotFound();
    return found;
  }

  /** Removes a conversation from the caller's list (the statuses stay; a new one brings it back). */
  async remove(principal: Principal, id: string) {
    const me = principal.userId;
    await this.deps.db.transaction(async (tx) => {
      const [gone] = await tx
        .delete(conversations)
        .where(and(eq(conversations.userId, me), eq(conversations.id, id)))
        .returning({ id: conversations.id });
      if (!gone) throw recordNotFound();
      await tx
        .delete(conversationStatuses)
        .where(and(eq(conversationStatuses.userId, me), eq(conversationStatuses.conversationId, id)));
    });
    return {};
  }

  /** Conversation entities: `accounts` the other participants (the reader alone when none), `last_status`, `unread`. */
  private async render(viewer: string, rows: ConversationRow[]) {
    if (rows.length === 0) return [];
    const others = rows.map((r) => (r.participantIds ? r.participantIds.split(',') : []));
    const [accounts, lastRows] = await Promise.all([
      loadAccounts(this.deps.db, [viewer, ...others.flat()]),
      this.deps.db
        .select()
        .from(posts)
        .where(
          inArray(
            posts.id,
            rows.map((r) => r.lastStatusId),
          ),
        ),
    ]);
    const statuses = await statusViews(this.deps.db, this.urls, viewer, lastRows);
    const byId = new Map(statuses.map((s) => [s.id, s]));
    return rows.flatMap((row, i) => {
      const last = byId.get(row.lastStatusId);
      if (!last) return [];
      const people = others[i].flatMap((id) => {
        const a = accounts.get(id);
        return a && !a.user.disabled ? [toAccount(a, this.urls)] : [];
      });
      const self = accounts.get(viewer);
      return [
        {
          id: row.id,
          unread: row.unread,
          accounts: people.length || !self ? people : [toAccount(self, this.urls)],
          last_status: last,
        },
      ];
    });
  }
}

/** Whether the conversation row in scope has a latest status `viewer` may see (blocks and deactivation apply). */
function lastStatusVisible(viewer: string): SQL {
  return sql`exists (select 1 from ${posts} where ${posts.id} = ${conversations.lastStatusId} and ${visibleTo(viewer)})`;
}
