import { and, eq, gt, inArray, isNull, notInArray, or, type SQL, sql } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import type { DbOrTx } from '../../store/db';
import { followers, markers, notifications, posts, relationships, users } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import type { PendingEvents } from '../pending-events';
import { RelationshipType } from '../relationships/relationships.service';
import { loadAccounts } from './accounts';
import { recordNotFound } from './errors';
import { type PostRow, SocialUrls, toAccount } from './mastodon.wire';
import { finishPage, type PageQuery, pageQuery } from './paging';
import { reactionEmojiFields } from './reaction-emoji';
import { statusViews } from './status-views';
import { blockedBetween, fromSilencedDomain, notificationsMutedBy, visibleTo } from './visibility';

// Mastodon's notifications (ADR 0029): one row per recipient, written in the transaction of what caused it and
// removed with it; a reader is shown only those whose status they may still see, from accounts not blocked either way.

/** Mastodon's notification types Hearth stores (`status`, `reblog`, `poll`, `update`, reactions: not caused yet). */
export type NotificationType =
  | 'mention'
  | 'status'
  | 'reblog'
  | 'follow'
  | 'follow_request'
  | 'favourite'
  | 'poll'
  | 'update'
  | 'move'
  | 'pleroma:emoji_reaction';

export interface NotificationsQuery extends PageQuery {
  types?: string[];
  exclude_types?: string[];
  account_id?: string;
}

export type Timeline = 'home' | 'notifications';

type NotificationRow = typeof notifications.$inferSelect;

export class NotificationsService {
  private readonly urls: SocialUrls;
  constructor(private readonly deps: Deps) {
    this.urls = new SocialUrls(deps.config.publicUrl, deps.attachmentUrls);
  }

  /**
   * Notifies `recipients` in `tx` that `fromId` did `type` (about `statusId`): never oneself, never across a block
   * either way. The event is published with the transaction's others, after commit.
   */
  async add(
    tx: DbOrTx,
    pending: PendingEvents,
    n: {
      type: NotificationType;
      fromId: string;
      statusId?: string | null;
      /** The emoji of a `pleroma:emoji_reaction`. */
      emoji?: string;
      recipients: string[];
      /** Notify the actor too (a poll's end reaches its author). */
      includeActor?: boolean;
    },
  ): Promise<void> {
    const wanted = [...new Set(n.recipients)].filter((id) => n.includeActor || id !== n.fromId);
    if (wanted.length === 0) return;
    const blocks = await tx
      .select({ userId: relationships.userId, otherId: relationships.otherId })
      .from(relationships)
      .where(
        and(
          eq(relationships.type, RelationshipType.Blocked),
          or(
            and(eq(relationships.userId, n.fromId), inArray(relationships.otherId, wanted)),
            and(eq(relationships.otherId, n.fromId), inArray(relationships.userId, wanted)),
          ),
        ),
      );
    const blocked = new Set(blocks.map((b) => (b.userId === n.fromId ? b.otherId : b.userId)));
    // An account of a domain the admins silenced notifies only those who follow it (ADR 0040).
    const followingSender = (await fromSilencedDomain(tx, n.fromId))
      ? new Set(
          (
            await tx
              .select({ id: followers.followerId })
              .from(followers)
              .where(
                and(
                  eq(followers.userId, n.fromId),
                  inArray(followers.followerId, wanted),
                  eq(followers.accepted, true),
                ),
              )
          ).map((f) => f.id),
        )
      : null;
    const rows = wanted
      .filter((id) => !blocked.has(id) && (!followingSender || followingSender.has(id)))
      .map((userId) => ({
        userId,
        id: this.deps.ids.next(),
        type: n.type,
        fromId: n.fromId,
        statusId: n.statusId ?? null,
        emoji: n.emoji ?? null,
      }));
    if (rows.length === 0) return;
    await tx.insert(notifications).values(rows);
    for (const r of rows)
      pending.add('SOCIAL_NOTIFICATION', Topic.account(r.userId), {
        id: r.id,
        user_id: r.userId,
        type: r.type,
        account_id: r.fromId,
        status_id: r.statusId,
      });
  }

  /** Removes, in `tx`, the notifications of a cause that was undone (unfollow, unfavourite, a request answered). */
  async removeFor(
    tx: DbOrTx,
    n: {
      types: NotificationType[];
      from: string[];
      recipients?: string[];
      statusId?: string;
      emoji?: string;
    },
  ): Promise<void> {
    await tx
      .delete(notifications)
      .where(
        and(
          n.recipients ? inArray(notifications.userId, n.recipients) : undefined,
          inArray(notifications.type, n.types),
          inArray(notifications.fromId, n.from),
          n.statusId ? eq(notifications.statusId, n.statusId) : undefined,
          n.emoji !== undefined ? eq(notifications.emoji, n.emoji) : undefined,
        ),
      );
  }

  /** Removes, in `tx`, every notification about a status (it was deleted). */
  async removeForStatus(tx: DbOrTx, statusId: string): Promise<void> {
    await tx.delete(notifications).where(eq(notifications.statusId, statusId));
  }

  /** The caller's notifications, newest first, filtered as Mastodon filters them. */
  async list(principal: Principal, q: NotificationsQuery) {
    const me = principal.userId;
    const p = pageQuery(notifications.id, q);
    const rows = await this.readable(me, and(filters(q), p.where))
      .orderBy(p.orderBy)
      .limit(p.limit);
    const page = finishPage(rows, (r) => r.n.id, p.ascending);
    return { ...page, items: await this.render(me, page.items) };
  }

  /** One of the caller's notifications; 404 when it is another's, gone, or about a status they may not see. */
  async get(principal: Principal, id: string) {
    const rows = await this.readable(principal.userId, eq(notifications.id, id));
    const [out] = await this.render(principal.userId, rows);
    if (!out) throw recordNotFound();
    return out;
  }

  /** Dismisses one of the caller's notifications; 404 when there is none of theirs with that id. */
  async dismiss(principal: Principal, id: string): Promise<void> {
    const gone = await this.deps.db
      .delete(notifications)
      .where(and(eq(notifications.userId, principal.userId), eq(notifications.id, id)))
      .returning({ id: notifications.id });
    if (gone.length === 0) throw recordNotFound();
  }

  /** Dismisses all of the caller's notifications. */
  async clear(principal: Principal): Promise<void> {
    await this.deps.db.delete(notifications).where(eq(notifications.userId, principal.userId));
  }

  /** How many notifications the caller has not read (newer than their `notifications` marker), up to `limit`. */
  async unreadCount(principal: Principal, q: NotificationsQuery & { limit?: number }): Promise<number> {
    const me = principal.userId;
    const [marker] = await this.deps.db
      .select({ lastReadId: markers.lastReadId })
      .from(markers)
      .where(and(eq(markers.userId, me), eq(markers.timeline, 'notifications')));
    const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
    const unread = this.readable(
      me,
      and(filters(q), marker ? gt(notifications.id, marker.lastReadId) : undefined),
    )
      .limit(limit)
      .as('unread');
    const [row] = await this.deps.db.select({ n: sql<number>`count(*)::int` }).from(unread);
    return row?.n ?? 0;
  }

  /** The caller's markers for `timelines`, keyed by timeline (those never saved are left out, as Mastodon does). */
  async markers(principal: Principal, timelines: Timeline[]) {
    if (timelines.length === 0) return {};
    const rows = await this.deps.db
      .select()
      .from(markers)
      .where(and(eq(markers.userId, principal.userId), inArray(markers.timeline, timelines)));
    return Object.fromEntries(
      rows.map((m) => [
        m.timeline,
        { last_read_id: m.lastReadId, version: m.version, updated_at: m.updatedAt.toISOString() },
      ]),
    );
  }

  /** Saves where the caller stopped reading each timeline given; each save counts up its marker's version. */
  async saveMarkers(principal: Principal, changes: Partial<Record<Timeline, string>>) {
    const me = principal.userId;
    const entries = Object.entries(changes).filter((e): e is [Timeline, string] => e[1] !== undefined);
    for (const [timeline, lastReadId] of entries)
      await this.deps.db
        .insert(markers)
        .values({ userId: me, timeline, lastReadId })
        .onConflictDoUpdate({
          target: [markers.userId, markers.timeline],
          set: { lastReadId, version: sql`${markers.version} + 1`, updatedAt: sql`now()` },
        });
    return this.markers(
      principal,
      entries.map(([t]) => t),
    );
  }

  /**
   * The caller's notifications that they may read: their status (if any) still visible to them, from an active
   * account that neither blocks nor is blocked by them.
   */
  private readable(me: string, where: SQL | undefined) {
    return this.deps.db
      .select({ n: notifications, post: posts })
      .from(notifications)
      .leftJoin(posts, eq(posts.id, notifications.statusId))
      .innerJoin(users, and(eq(users.id, notifications.fromId), eq(users.disabled, false)))
      .where(
        and(
          eq(notifications.userId, me),
          or(isNull(notifications.statusId), and(sql`${posts.id} is not null`, visibleTo(me))),
          sql`not ${blockedBetween(sql`${notifications.fromId}`, me)}`,
          sql`not ${notificationsMutedBy(me, sql`${notifications.fromId}`)}`,
          where,
        ),
      );
  }

  /** Mastodon Notification entities for `me`, in the order given. */
  private async render(me: string, rows: Array<{ n: NotificationRow; post: PostRow | null }>) {
    if (rows.length === 0) return [];
    const postRows = rows.flatMap((r) => (r.post ? [r.post] : []));
    const [accounts, statuses] = await Promise.all([
      loadAccounts(
        this.deps.db,
        rows.map((r) => r.n.fromId),
      ),
      statusViews(this.deps.db, this.urls, me, postRows),
    ]);
    const byId = new Map(statuses.map((s) => [s.id, s]));
    return rows.flatMap(({ n }) => {
      const from = accounts.get(n.fromId);
      const status = n.statusId ? byId.get(n.statusId) : null;
      if (!from || status === undefined) return [];
      return [
        {
          id: n.id,
          type: n.type,
          group_key: `ungrouped-${n.id}`,
          created_at: n.createdAt.toISOString(),
          account: toAccount(from, this.urls),
          status,
          report: null,
          // Pleroma's and Akkoma's fields of an emoji reaction (a custom emoji's image as `emoji_url`).
          ...(n.type === 'pleroma:emoji_reaction' && n.emoji
            ? reactionEmojiFields(n.emoji, this.urls.base)
            : {}),
        },
      ];
    });
  }
}

/** Mastodon's list filters: `types`, `exclude_types`, `account_id`. */
function filters(q: NotificationsQuery): SQL | undefined {
  return and(
    q.types?.length ? inArray(notifications.type, q.types) : undefined,
    q.exclude_types?.length ? notInArray(notifications.type, q.exclude_types) : undefined,
    q.account_id ? eq(notifications.fromId, q.account_id) : undefined,
  );
}
