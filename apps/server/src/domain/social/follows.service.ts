import { and, eq, inArray, sql } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import type { DbOrTx } from '../../store/db';
import { followers, follows, listAccounts, mutes, relationships, users } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { PendingEvents } from '../pending-events';
import { RelationshipType } from '../relationships/relationships.service';
import { type AccountRow, adjustStats, loadAccounts } from './accounts';
import { notAllowed, recordNotFound } from './errors';
import type { GroupAccountsService } from './group-accounts.service';
import { type RelationshipState, SocialUrls, toAccount, toRelationship } from './mastodon.wire';
import type { NotificationsService } from './notifications.service';
import { finishPage, type Page, type PageQuery, pageQuery } from './paging';
import { isRemote } from './remote.service';
import { domainBlockedBy, fromSilencedDomain, isBlocked, muteActive } from './visibility';

/** The bus topic of a social account's events (ADR 0028). */
export const accountTopic = Topic.account;

/** A follow (or request) ended: told to both accounts. */
function unfollowed(pending: PendingEvents, followerId: string, targetId: string): void {
  const d = { account_id: followerId, target_id: targetId };
  pending.add('SOCIAL_UNFOLLOW', accountTopic(targetId), d);
  pending.add('SOCIAL_UNFOLLOW', accountTopic(followerId), d);
}

/** Follows, follow requests and relationships (ADR 0028). */
export class FollowsService {
  private readonly urls: SocialUrls;
  constructor(
    private readonly deps: Deps,
    private readonly notifications: NotificationsService,
    private readonly groups: GroupAccountsService,
  ) {
    this.urls = new SocialUrls(deps.config.publicUrl, deps.attachmentUrls);
  }

  /**
   * Follows `targetId`, or asks to when the account is locked. Following again changes nothing. A remote account
   * is asked through federation (ADR 0040): the follow waits for its Accept. `uri` is the Follow activity's IRI when
   * a remote account follows (the inbox calls this).
   */
  async follow(principal: Principal, targetId: string, opts: { uri?: string } = {}) {
    // Following a group's account is joining the group (ADR 0031).
    if (!opts.uri && (await this.groups.isGroup(targetId))) return this.groups.follow(principal, targetId);
    const me = principal.userId;
    const pending = new PendingEvents();
    await this.deps.db.transaction(async (tx) => {
      const [target] = await tx
        .select({ id: users.id, locked: users.locked, disabled: users.disabled, remote: users.remote })
        .from(users)
        .where(eq(users.id, targetId));
      if (!target || target.disabled) throw recordNotFound();
      if (targetId === me) throw notAllowed();
      if (await isBlocked(tx, me, targetId)) throw notAllowed();
      const id = this.deps.ids.next();
      // A follow from an account of a silenced domain waits for approval, as on Mastodon (ADR 0040).
      const accepted = !target.locked && !target.remote && !(opts.uri && (await fromSilencedDomain(tx, me)));
      const uri = target.remote ? this.urls.followUri(me, id) : (opts.uri ?? null);
      const [created] = await tx
        .insert(follows)
        .values({ userId: me, targetId, id, accepted, uri })
        .onConflictDoNothing()
        .returning({ id: follows.id });
      if (!created) return;
      if (target.remote && !(await isRemote(tx, me)))
        await this.deps.jobs.enqueue(
          'federation.deliver',
          { type: 'follow', userId: me, targetId, followId: id },
          {},
          tx,
        );
      await tx.insert(followers).values({ userId: targetId, followerId: me, id, accepted });
      if (accepted)
        await adjustStats(tx, [
          { userId: me, following: 1 },
          { userId: targetId, followers: 1 },
        ]);
      await this.notifications.add(tx, pending, {
        type: accepted ? 'follow' : 'follow_request',
        fromId: me,
        recipients: [targetId],
      });
      const d = { follow_id: id, account_id: me, target_id: targetId, accepted };
      const t = accepted ? 'SOCIAL_FOLLOW' : 'SOCIAL_FOLLOW_REQUEST';
      pending.add(t, accountTopic(targetId), d);
      pending.add(t, accountTopic(me), d);
    });
    pending.publish(this.deps.events);
    return this.relationship(me, targetId);
  }

  /** Stops following `targetId`, or withdraws a request. */
  async unfollow(principal: Principal, targetId: string) {
    if (await this.groups.isGroup(targetId)) return this.groups.unfollow(principal, targetId);
    const me = principal.userId;
    await this.assertExists(targetId);
    const pending = new PendingEvents();
    await this.deps.db.transaction(async (tx) => {
      const [follow] = await tx
        .select({ id: follows.id })
        .from(follows)
        .where(and(eq(follows.userId, me), eq(follows.targetId, targetId)));
      if (!(await this.removeFollow(tx, me, targetId))) return;
      unfollowed(pending, me, targetId);
      if (follow && (await isRemote(tx, targetId)) && !(await isRemote(tx, me)))
        await this.deps.jobs.enqueue(
          'federation.deliver',
          { type: 'undo-follow', userId: me, targetId, followId: follow.id },
          {},
          tx,
        );
    });
    pending.publish(this.deps.events);
    return this.relationship(me, targetId);
  }

  /** Ends `followerId`'s follow of `userId` (accepted or not) in `tx`, counts included; whether there was one. */
  async removeFollow(tx: DbOrTx, followerId: string, userId: string): Promise<boolean> {
    const [gone] = await tx
      .delete(follows)
      .where(and(eq(follows.userId, followerId), eq(follows.targetId, userId)))
      .returning({ accepted: follows.accepted });
    if (!gone) return false;
    await this.notifications.removeFor(tx, {
      types: ['follow', 'follow_request'],
      from: [followerId],
      recipients: [userId],
    });
    await tx.delete(followers).where(and(eq(followers.userId, userId), eq(followers.followerId, followerId)));
    // Only followed accounts are on one's lists (as Mastodon): an unfollow takes the account off them.
    await tx
      .delete(listAccounts)
      .where(and(eq(listAccounts.userId, followerId), eq(listAccounts.accountId, userId)));
    if (gone.accepted)
      await adjustStats(tx, [
        { userId: followerId, following: -1 },
        { userId, followers: -1 },
      ]);
    return true;
  }

  /**
   * Ends up to `limit` of `userId`'s follows and requests, both ways, counts included (an account being deleted);
   * answers how many it ended, so the caller knows whether more remain.
   */
  async endAllOf(userId: string, limit: number): Promise<number> {
    const pending = new PendingEvents();
    const ended = await this.deps.db.transaction(async (tx) => {
      const out = await tx
        .select({ other: follows.targetId })
        .from(follows)
        .where(eq(follows.userId, userId))
        .limit(limit);
      const inward = await tx
        .select({ other: followers.followerId })
        .from(followers)
        .where(eq(followers.userId, userId))
        .limit(limit);
      const pairs = [
        ...out.map((r) => ({ follower: userId, target: r.other })),
        ...inward.map((r) => ({ follower: r.other, target: userId })),
      ];
      for (const { follower, target } of pairs)
        if (await this.removeFollow(tx, follower, target)) unfollowed(pending, follower, target);
      return pairs.length;
    });
    pending.publish(this.deps.events);
    return ended;
  }

  /** Makes `followerId` stop following the caller (Mastodon's remove_from_followers); a request is refused too. */
  async removeFollower(principal: Principal, followerId: string) {
    const me = principal.userId;
    await this.assertExists(followerId);
    const pending = new PendingEvents();
    await this.deps.db.transaction(async (tx) => {
      const [follow] = await tx
        .select({ uri: follows.uri })
        .from(follows)
        .where(and(eq(follows.userId, followerId), eq(follows.targetId, me)));
      if (!(await this.removeFollow(tx, followerId, me))) return;
      unfollowed(pending, followerId, me);
      // A remote follower's instance hears it as a Reject (Mastodon's way of ending a follow from the followed side).
      if (follow && (await isRemote(tx, followerId)) && !(await isRemote(tx, me)))
        await this.deps.jobs.enqueue(
          'federation.deliver',
          { type: 'reject', userId: me, followerId, followUri: follow.uri },
          {},
          tx,
        );
    });
    pending.publish(this.deps.events);
    return this.relationship(me, followerId);
  }

  /** Accepts (or rejects) a pending follow request to the caller. */
  async answerRequest(principal: Principal, followerId: string, accept: boolean) {
    const me = principal.userId;
    const pending = new PendingEvents();
    await this.deps.db.transaction(async (tx) => {
      const where = and(
        eq(followers.userId, me),
        eq(followers.followerId, followerId),
        eq(followers.accepted, false),
      );
      await this.notifications.removeFor(tx, {
        types: ['follow_request'],
        from: [followerId],
        recipients: [me],
      });
      // A remote follower hears the answer through federation (ADR 0040).
      const [request] = await tx
        .select({ uri: follows.uri })
        .from(follows)
        .where(and(eq(follows.userId, followerId), eq(follows.targetId, me), eq(follows.accepted, false)));
      if (request && (await isRemote(tx, followerId)) && !(await isRemote(tx, me)))
        await this.deps.jobs.enqueue(
          'federation.deliver',
          { type: accept ? 'accept' : 'reject', userId: me, followerId, followUri: request.uri },
          {},
          tx,
        );
      if (accept) {
        const [done] = await tx
          .update(followers)
          .set({ accepted: true })
          .where(where)
          .returning({ id: followers.id });
        if (!done) throw recordNotFound();
        await tx
          .update(follows)
          .set({ accepted: true })
          .where(and(eq(follows.userId, followerId), eq(follows.targetId, me)));
        await adjustStats(tx, [
          { userId: followerId, following: 1 },
          { userId: me, followers: 1 },
        ]);
        const d = { follow_id: done.id, account_id: followerId, target_id: me, accepted: true };
        pending.add('SOCIAL_FOLLOW', accountTopic(me), d);
        pending.add('SOCIAL_FOLLOW', accountTopic(followerId), d);
      } else {
        const [done] = await tx.delete(followers).where(where).returning({ id: followers.id });
        if (!done) throw recordNotFound();
        await tx.delete(follows).where(and(eq(follows.userId, followerId), eq(follows.targetId, me)));
        unfollowed(pending, followerId, me);
      }
    });
    pending.publish(this.deps.events);
    return this.relationship(me, followerId);
  }

  /** Accepts every pending request to `userId` (an account that stops being locked), counts included. */
  async acceptAllPending(tx: DbOrTx, userId: string): Promise<string[]> {
    const accepted = await tx
      .update(followers)
      .set({ accepted: true })
      .where(and(eq(followers.userId, userId), eq(followers.accepted, false)))
      .returning({ followerId: followers.followerId });
    const ids = accepted.map((r) => r.followerId);
    if (ids.length === 0) return ids;
    await this.notifications.removeFor(tx, { types: ['follow_request'], from: ids, recipients: [userId] });
    await tx
      .update(follows)
      .set({ accepted: true })
      .where(and(inArray(follows.userId, ids), eq(follows.targetId, userId)));
    await adjustStats(tx, [
      { userId, followers: ids.length },
      ...ids.map((id) => ({ userId: id, following: 1 })),
    ]);
    return ids;
  }

  /** The caller's relationships with each of `ids` (unknown ids are left out, as Mastodon does). */
  async relationships(principal: Principal, ids: string[]) {
    const me = principal.userId;
    const list = [...new Set(ids)];
    if (list.length === 0) return [];
    const { db } = this.deps;
    const [known, out, inc, blocks, muted] = await Promise.all([
      db
        .select({ id: users.id, domainBlocked: domainBlockedBy(me, sql`${users.id}`) })
        .from(users)
        .where(inArray(users.id, list)),
      db
        .select({ id: follows.targetId, accepted: follows.accepted })
        .from(follows)
        .where(and(eq(follows.userId, me), inArray(follows.targetId, list))),
      db
        .select({ id: followers.followerId, accepted: followers.accepted })
        .from(followers)
        .where(and(eq(followers.userId, me), inArray(followers.followerId, list))),
      db
        .select({ userId: relationships.userId, otherId: relationships.otherId })
        .from(relationships)
        .where(
          and(
            eq(relationships.type, RelationshipType.Blocked),
            sql`((${relationships.userId} = ${me} and ${inArray(relationships.otherId, list)}) or (${relationships.otherId} = ${me} and ${inArray(relationships.userId, list)}))`,
          ),
        ),
      db
        .select({ id: mutes.targetId, notifications: mutes.notifications })
        .from(mutes)
        .where(and(eq(mutes.userId, me), inArray(mutes.targetId, list), muteActive())),
    ]);
    const knownIds = new Set(known.map((k) => k.id));
    const domainBlocked = new Set(known.filter((k) => k.domainBlocked).map((k) => k.id));
    // Ids that are no user's may be groups' accounts: following one is being its member (ADR 0031).
    const groups = await this.groups.relationships(
      me,
      list.filter((id) => !knownIds.has(id)),
    );
    const ofUsers = list
      .filter((id) => knownIds.has(id))
      .map((id) => {
        const o = out.find((r) => r.id === id);
        const i = inc.find((r) => r.id === id);
        const state: RelationshipState = {
          following: o?.accepted === true,
          requested: o?.accepted === false,
          followedBy: i?.accepted === true,
          requestedBy: i?.accepted === false,
          blocking: blocks.some((b) => b.userId === me && b.otherId === id),
          blockedBy: blocks.some((b) => b.userId === id && b.otherId === me),
        };
        const mute = muted.find((r) => r.id === id);
        return {
          ...toRelationship(id, state),
          muting: mute !== undefined,
          muting_notifications: mute?.notifications ?? false,
          domain_blocking: domainBlocked.has(id),
        };
      });
    return [...ofUsers, ...groups];
  }

  async relationship(me: string, other: string) {
    const [r] = await this.relationships(
      { userId: me, sessionId: null, bot: false, applicationId: null, applicationFlags: 0 },
      [other],
    );
    return r;
  }

  /** An account's accepted followers, newest follow first. */
  async followersOf(accountId: string, q: PageQuery) {
    await this.assertExists(accountId);
    return this.followerPage(accountId, true, q);
  }

  /** The accounts an account follows, newest follow first. */
  async followingOf(accountId: string, q: PageQuery) {
    await this.assertExists(accountId);
    const p = pageQuery(follows.id, q);
    const rows = await this.deps.db
      .select({ id: follows.id, accountId: follows.targetId })
      .from(follows)
      .where(and(eq(follows.userId, accountId), eq(follows.accepted, true), p.where))
      .orderBy(p.orderBy)
      .limit(p.limit);
    return this.accountPage(finishPage(rows, (r) => r.id, p.ascending));
  }

  /** Who asks to follow the caller. */
  requests(principal: Principal, q: PageQuery) {
    return this.followerPage(principal.userId, false, q);
  }

  private async followerPage(userId: string, accepted: boolean, q: PageQuery) {
    const p = pageQuery(followers.id, q);
    const rows = await this.deps.db
      .select({ id: followers.id, accountId: followers.followerId })
      .from(followers)
      .where(and(eq(followers.userId, userId), eq(followers.accepted, accepted), p.where))
      .orderBy(p.orderBy)
      .limit(p.limit);
    return this.accountPage(finishPage(rows, (r) => r.id, p.ascending));
  }

  async pendingCount(userId: string): Promise<number> {
    const [row] = await this.deps.db
      .select({ n: sql<number>`count(*)::int` })
      .from(followers)
      .where(and(eq(followers.userId, userId), eq(followers.accepted, false)));
    return row?.n ?? 0;
  }

  private async accountPage(page: Page<{ id: string; accountId: string }>) {
    const accounts = await loadAccounts(
      this.deps.db,
      page.items.map((r) => r.accountId),
    );
    const items = page.items
      .map((r) => accounts.get(r.accountId))
      .filter((a): a is AccountRow => a !== undefined)
      .map((a) => toAccount(a, this.urls));
    return { ...page, items };
  }

  /** Whether a local account follows `userId` (accepted): then its remote statuses are stored (ADR 0040). */
  async hasLocalFollower(userId: string): Promise<boolean> {
    const [row] = await this.deps.db
      .select({ one: sql<number>`1` })
      .from(followers)
      .innerJoin(users, eq(users.id, followers.followerId))
      .where(and(eq(followers.userId, userId), eq(followers.accepted, true), eq(users.remote, false)))
      .limit(1);
    return row !== undefined;
  }

  /** 404 unless `id` is an active account. */
  async assertExists(id: string): Promise<void> {
    const [row] = await this.deps.db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.id, id), eq(users.disabled, false)));
    if (!row) throw recordNotFound();
  }
}
