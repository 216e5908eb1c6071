import { ErrorCode } from '@hearth/protocol';
import { and, asc, eq, ne, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db';
import { postReactions, users } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { ApiError } from '../errors';
import { PendingEvents } from '../pending-events';
import { loadAccounts } from './accounts';
import { recordNotFound, unprocessable } from './errors';
import { toAccount } from './mastodon.wire';
import type { NotificationsService } from './notifications.service';
import type { PostsService } from './posts.service';
import { reactionEmojiFields, shortcode, unicodeEmoji, usableCustomEmoji } from './reaction-emoji';
import { isRemote } from './remote.service';
import { blockedBetween, visibleOriginal } from './visibility';

/** Distinct emoji one status may carry (Discord's bound on a message). */
const MAX_DISTINCT_EMOJI = 20;
/** Accounts listed per emoji in `GET …/reactions`. */
const ACCOUNTS_PER_EMOJI = 40;

const badEmoji = () => new ApiError(400, ErrorCode.General, 'Could not add reaction emoji');

/**
 * Emoji reactions on statuses (Pleroma's and Akkoma's API): a Unicode emoji or a guild custom emoji the reactor may
 * use, any number per person, each once. Only a status one may see can be reacted to; its author is notified
 * (`pleroma:emoji_reaction`), and the notification goes with the reaction.
 */
export class StatusReactionsService {
  constructor(
    private readonly deps: Deps,
    private readonly notifications: NotificationsService,
    private readonly posts: PostsService,
  ) {}

  /** PUT (on) or DELETE (off) `/api/v1/pleroma/statuses/:id/reactions/:emoji`; answers the status. */
  async react(principal: Principal, requested: string, raw: string, on: boolean) {
    const me = principal.userId;
    const pending = new PendingEvents();
    const post = await this.deps.db.transaction(async (tx) => {
      // A boost's id reacts to the status it boosts, as favourites do.
      const found = await visibleOriginal(tx, me, requested);
      if (!found) throw recordNotFound();
      const id = found.id;
      const mine = and(
        eq(postReactions.userId, found.userId),
        eq(postReactions.postId, id),
        eq(postReactions.reactorId, me),
      );
      if (!on) {
        const unicode = unicodeEmoji(raw);
        const code = unicode ? null : shortcode(raw);
        if (!unicode && !code) throw badEmoji();
        const gone = await tx
          .delete(postReactions)
          .where(
            and(
              mine,
              unicode
                ? eq(postReactions.emoji, unicode)
                : sql`${postReactions.emoji} like '%:%' and split_part(${postReactions.emoji}, ':', 1) = ${code}`,
            ),
          )
          .returning({ emoji: postReactions.emoji });
        for (const g of gone) await this.federate(tx, 'undo-react', me, found, g.emoji);
        for (const g of gone)
          await this.notifications.removeFor(tx, {
            types: ['pleroma:emoji_reaction'],
            from: [me],
            recipients: [found.userId],
            statusId: id,
            emoji: g.emoji,
          });
        return found;
      }
      const unicode = unicodeEmoji(raw);
      const code = unicode ? null : shortcode(raw);
      const emoji = unicode ?? (code ? await usableCustomEmoji(tx, me, code) : null);
      if (!emoji) throw badEmoji();
      const [{ n }] = await tx
        .select({ n: sql<number>`count(distinct ${postReactions.emoji})::int` })
        .from(postReactions)
        .where(
          and(
            eq(postReactions.userId, found.userId),
            eq(postReactions.postId, id),
            ne(postReactions.emoji, ''),
            ne(postReactions.emoji, emoji),
          ),
        );
      if (n >= MAX_DISTINCT_EMOJI)
        throw unprocessable(`A status carries at most ${MAX_DISTINCT_EMOJI} emoji`);
      const added = await tx
        .insert(postReactions)
        .values({ userId: found.userId, postId: id, reactorId: me, emoji })
        .onConflictDoNothing()
        .returning({ id: postReactions.postId });
      if (added.length) await this.federate(tx, 'react', me, found, emoji);
      if (added.length)
        await this.notifications.add(tx, pending, {
          type: 'pleroma:emoji_reaction',
          fromId: me,
          statusId: id,
          emoji,
          recipients: [found.userId],
        });
      return found;
    });
    pending.publish(this.deps.events);
    const [status] = (await this.posts.page(me, { items: [post], newest: null, oldest: null })).items;
    return status;
  }

  /**
   * A local account's reaction to a remote status is sent to its author's server as an EmojiReact (ADR 0040).
   * Only Unicode emoji travel in this slice: a guild's custom emoji is this instance's own.
   */
  private async federate(
    tx: DbOrTx,
    type: 'react' | 'undo-react',
    me: string,
    post: { userId: string; id: string },
    emoji: string,
  ): Promise<void> {
    if (!unicodeEmoji(emoji) || !(await isRemote(tx, post.userId)) || (await isRemote(tx, me))) return;
    await this.deps.jobs.enqueue(
      'federation.deliver',
      { type, userId: me, authorId: post.userId, postId: post.id, emoji },
      {},
      tx,
    );
  }

  /**
   * GET `/api/v1/pleroma/statuses/:id/reactions` (or one emoji's): each emoji with its count, whether the caller
   * reacted with it, and who did (oldest first; accounts blocked either way with the caller left out of the list).
   */
  async list(viewer: string | null, requested: string, only?: string) {
    const post = await visibleOriginal(this.deps.db, viewer, requested);
    if (!post) throw recordNotFound();
    const rows = await this.deps.db
      .select({ emoji: postReactions.emoji, reactorId: postReactions.reactorId })
      .from(postReactions)
      .innerJoin(users, eq(users.id, postReactions.reactorId))
      .where(
        and(
          eq(postReactions.userId, post.userId),
          eq(postReactions.postId, post.id),
          ne(postReactions.emoji, ''),
          eq(users.disabled, false),
          viewer ? sql`not ${blockedBetween(sql`${postReactions.reactorId}`, viewer)}` : undefined,
        ),
      )
      .orderBy(asc(postReactions.createdAt));
    const groups = new Map<string, string[]>();
    for (const r of rows) groups.set(r.emoji, [...(groups.get(r.emoji) ?? []), r.reactorId]);
    const wanted = only === undefined ? null : (unicodeEmoji(only) ?? shortcode(only));
    const accounts = await loadAccounts(
      this.deps.db,
      [...groups.values()].flatMap((ids) => ids.slice(0, ACCOUNTS_PER_EMOJI)),
    );
    return [...groups.entries()].flatMap(([emoji, reactors]) => {
      const { emoji: name, emoji_url: url } = reactionEmojiFields(emoji, this.posts.urls.base);
      if (wanted !== null && wanted !== name) return [];
      return [
        {
          name,
          count: reactors.length,
          me: viewer !== null && reactors.includes(viewer),
          url,
          accounts: reactors.slice(0, ACCOUNTS_PER_EMOJI).flatMap((id) => {
            const a = accounts.get(id);
            return a ? [toAccount(a, this.posts.urls)] : [];
          }),
        },
      ];
    });
  }
}
