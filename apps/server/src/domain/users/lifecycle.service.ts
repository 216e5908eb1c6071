import { ErrorCode } from '@hearth/protocol';
import { and, eq, or, sql } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import type { DbOrTx } from '../../store/db';
import {
  accountImportRows,
  accountImports,
  accountStats,
  bookmarks,
  conversationStatuses,
  conversations,
  credentials,
  followedTags,
  guilds,
  listAccounts,
  lists,
  mailTokens,
  markers,
  mutes,
  notifications,
  pollVotes,
  postIdempotencyKeys,
  postReactions,
  posts,
  refreshTokens,
  relationships,
  statusPins,
  userApplicationInstalls,
  userDomainBlocks,
  userGuildSettings,
  userSettings,
  users,
} from '../../store/schema';
import type { AuthService, Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { ApiError } from '../errors';
import type { FollowsService } from '../social/follows.service';
import type { PostsService } from '../social/posts.service';
import type { RemoteAccountsService } from '../social/remote.service';
import type { AccountExportsService } from './exports.service';

/** Statuses deleted per run of `accounts.delete` (each its own transaction, with its boosts, media and counts). */
const STATUS_BATCH = 50;
/** Most remote accounts told of a deletion (its Delete goes to each one's inbox, or their shared inbox). */
const DELETE_AUDIENCE_MAX = 5000;
/** Follows (either way), reactions and media removed per run of `accounts.delete`. */
const ROW_BATCH = 200;

/**
 * An account's lifecycle (the seed's USERS.status; ADR 0049): deactivation by its owner (hidden until they sign in
 * again) and deletion, which hides it at once and then removes its social content in batches (the durable job
 * `accounts.delete`, one batch a run), keeping the `users` row so that its username stays reserved and the chat
 * messages it wrote stay, by "Deleted User".
 */
export class AccountLifecycleService {
  constructor(
    private readonly deps: Deps,
    private readonly auth: AuthService,
    private readonly follows: FollowsService,
    private readonly posts: PostsService,
    private readonly remote: RemoteAccountsService,
    private readonly exports: AccountExportsService,
  ) {}

  /**
   * Deactivates the caller's account (password confirmed): its profile and statuses are hidden from everyone, its
   * sessions end; signing in again reactivates it.
   */
  async deactivate(principal: Principal, password: string, ip: string | null): Promise<void> {
    await this.auth.confirmPassword(principal.userId, password, ip);
    await this.deps.db.transaction(async (tx) => {
      await tx
        .update(users)
        .set({ status: 'inactive', disabled: true, updatedAt: new Date() })
        .where(and(eq(users.id, principal.userId), eq(users.status, 'active')));
      await this.auth.revokeAll(tx, principal.userId);
    });
    this.auth.sessions.forget(principal.userId);
  }

  /**
   * Deletes the caller's account (password confirmed). At once: hidden everywhere, sessions ended, sign-in and email
   * gone, the profile emptied; then `accounts.delete` removes its social content. A guild owner must first hand
   * their guilds over, as on Discord.
   */
  async delete(principal: Principal, password: string, ip: string | null): Promise<void> {
    const me = principal.userId;
    await this.auth.confirmPassword(me, password, ip);
    const [owned] = await this.deps.db
      .select({ id: guilds.id })
      .from(guilds)
      .where(eq(guilds.ownerId, me))
      .limit(1);
    if (owned)
      throw new ApiError(
        400,
        ErrorCode.MustTransferGuildOwnership,
        'You must transfer ownership of any owned guilds before deleting your account',
      );
    await this.deps.db.transaction(async (tx) => {
      await this.markDeleted(tx, me);
      await this.auth.revokeAll(tx, me);
      await tx.delete(credentials).where(eq(credentials.userId, me));
      await tx.delete(mailTokens).where(eq(mailTokens.userId, me));
      await tx.delete(refreshTokens).where(eq(refreshTokens.userId, me));
      const to = await this.remote.neighbours(tx, me, DELETE_AUDIENCE_MAX);
      if (to.length)
        await this.deps.jobs.enqueue('federation.deliver', { type: 'delete-person', userId: me, to }, {}, tx);
      await this.deps.jobs.enqueue('accounts.delete', { userId: me }, { key: me }, tx);
    });
    this.auth.sessions.forget(me);
    this.deps.events.publish('SOCIAL_ACCOUNT_UPDATE', Topic.account(me), { id: me });
  }

  /** A remote account whose actor was deleted (Delete of the Person): hidden at once, its content removed after. */
  async deleteRemote(id: string): Promise<void> {
    await this.deps.db.transaction(async (tx) => {
      const [row] = await tx
        .select({ remote: users.remote })
        .from(users)
        .where(eq(users.id, id))
        .for('update');
      if (!row?.remote) return;
      await this.markDeleted(tx, id);
      await this.deps.jobs.enqueue('accounts.delete', { userId: id }, { key: id }, tx);
    });
  }

  /**
   * One run of `accounts.delete`: removes the next batch of a deleted account's content, in this order (each phase
   * finished before the next): follows both ways with their counts, its reactions and favourites on others'
   * statuses, its statuses and boosts (each with what it carries: media, polls, notifications, conversations), its
   * remaining uploads, and last everything else it owned or that named it. Answers whether more remains (the job
   * then enqueues itself again). Idempotent: every phase re-reads what is left.
   */
  async removeNextBatch(userId: string): Promise<boolean> {
    const [user] = await this.deps.db
      .select({ status: users.status })
      .from(users)
      .where(eq(users.id, userId));
    if (user?.status !== 'deleted') return false;
    if ((await this.follows.endAllOf(userId, ROW_BATCH)) > 0) return true;
    if ((await this.removeReactions(userId)) > 0) return true;
    const ids = await this.posts.idsOf(userId, STATUS_BATCH);
    if (ids.length) {
      const who: Principal = {
        userId,
        sessionId: null,
        bot: false,
        applicationId: null,
        applicationFlags: 0,
      };
      // A failure fails the run: the job retries it later, and goes dead (kept for an operator) if it keeps failing.
      for (const id of ids) await this.posts.remove(who, id, { federate: false });
      return true;
    }
    if ((await this.posts.media.removeAllOf(userId, ROW_BATCH)) > 0) return true;
    await this.exports.removeAllOf(userId);
    await this.removeTheRest(userId);
    return false;
  }

  /** Marks an account deleted in `tx`: hidden like a disabled one, its profile emptied, its username kept. */
  private async markDeleted(tx: DbOrTx, id: string): Promise<void> {
    await tx
      .update(users)
      .set({
        status: 'deleted',
        disabled: true,
        globalName: null,
        avatar: null,
        banner: null,
        accentColor: null,
        bio: '',
        namePrefix: null,
        nameSuffix: null,
        profileFields: [],
        discoverable: false,
        updatedAt: new Date(),
      })
      .where(eq(users.id, id));
  }

  /** Takes back up to ROW_BATCH of the account's favourites and emoji reactions, favourite counts included. */
  private async removeReactions(userId: string): Promise<number> {
    return this.deps.db.transaction(async (tx) => {
      const rows = await tx
        .select()
        .from(postReactions)
        .where(eq(postReactions.reactorId, userId))
        .limit(ROW_BATCH)
        .for('update');
      for (const r of rows) {
        await tx
          .delete(postReactions)
          .where(
            and(
              eq(postReactions.userId, r.userId),
              eq(postReactions.postId, r.postId),
              eq(postReactions.reactorId, userId),
              eq(postReactions.emoji, r.emoji),
            ),
          );
        if (r.emoji === '')
          await tx
            .update(posts)
            .set({ favouritesCount: sql`greatest(${posts.favouritesCount} - 1, 0)` })
            .where(and(eq(posts.userId, r.userId), eq(posts.id, r.postId)));
      }
      return rows.length;
    });
  }

  /** The last phase, in one transaction: what the account owned or that named it, besides its content. */
  private async removeTheRest(id: string): Promise<void> {
    await this.deps.db.transaction(async (tx) => {
      await tx.delete(notifications).where(eq(notifications.userId, id));
      await tx.delete(notifications).where(eq(notifications.fromId, id));
      await tx.delete(markers).where(eq(markers.userId, id));
      await tx.delete(bookmarks).where(eq(bookmarks.userId, id));
      await tx.delete(statusPins).where(eq(statusPins.userId, id));
      await tx.delete(pollVotes).where(eq(pollVotes.voterId, id));
      await tx.delete(mutes).where(or(eq(mutes.userId, id), eq(mutes.targetId, id)));
      await tx.delete(followedTags).where(eq(followedTags.userId, id));
      await tx.delete(listAccounts).where(or(eq(listAccounts.userId, id), eq(listAccounts.accountId, id)));
      await tx.delete(lists).where(eq(lists.userId, id));
      await tx.delete(accountImportRows).where(eq(accountImportRows.userId, id));
      await tx.delete(accountImports).where(eq(accountImports.userId, id));
      await tx.delete(conversationStatuses).where(eq(conversationStatuses.userId, id));
      await tx.delete(conversations).where(eq(conversations.userId, id));
      await tx.delete(postIdempotencyKeys).where(eq(postIdempotencyKeys.userId, id));
      await tx.delete(relationships).where(or(eq(relationships.userId, id), eq(relationships.otherId, id)));
      await tx.delete(userDomainBlocks).where(eq(userDomainBlocks.userId, id));
      await tx.delete(userSettings).where(eq(userSettings.userId, id));
      await tx.delete(userGuildSettings).where(eq(userGuildSettings.userId, id));
      await tx.delete(userApplicationInstalls).where(eq(userApplicationInstalls.userId, id));
      await tx
        .update(accountStats)
        .set({ followersCount: 0, followingCount: 0, statusesCount: 0, lastStatusAt: null })
        .where(eq(accountStats.userId, id));
    });
  }
}
