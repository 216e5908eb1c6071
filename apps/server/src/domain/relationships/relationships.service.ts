import { ErrorCode } from '@hearth/protocol';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import type { DbOrTx } from '../../store/db';
import { fromJson, jsonList, rowJson } from '../../store/json-rows';
import { relationships, users } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { ApiError, notFound } from '../errors';
import { PendingEvents } from '../pending-events';
import { isRemote } from '../social/remote.service';
import { toPublicUser } from '../users/users.wire';

/** Discord's relationship types, from the point of view of the row's owner. */
export const RelationshipType = { Friend: 1, Blocked: 2, Incoming: 3, Outgoing: 4 } as const;

type Row = typeof relationships.$inferSelect;

// One answer whether the other person blocked you or simply does not exist as a valid target, so a block is never revealed.
const requestRefused = () => new ApiError(400, ErrorCode.FriendRequestsDisabled, 'Friend request failed');

/** In a select list: the relationships of user `userId` (a value or placeholder), as JSON for relationshipsFromJson. */
export function relationshipsJson(userId: unknown) {
  return jsonList<{ rel: Record<string, unknown>; user: Record<string, unknown> }>(
    sql`select json_agg(json_build_object('rel', ${rowJson(relationships)}, 'user', ${rowJson(users)})) from ${relationships} join ${users} on ${users.id} = ${relationships.otherId} where ${relationships.userId} = ${userId}`,
  );
}

/** Discord's relationship objects, from relationshipsJson's column. */
export function relationshipsFromJson(
  list: Array<{ rel: Record<string, unknown>; user: Record<string, unknown> }>,
) {
  return list.map((o) => {
    const [rel] = fromJson<Row>(relationships, [o.rel]);
    const [user] = fromJson<typeof users.$inferSelect>(users, [o.user]);
    return {
      id: rel.otherId,
      type: rel.type,
      nickname: rel.nickname,
      since: rel.since.toISOString(),
      user: toPublicUser(user),
    };
  });
}

/** What a block ends on the social side: follows both ways (FollowsService.removeFollow), counts included. */
export interface FollowRemover {
  removeFollow(tx: DbOrTx, followerId: string, userId: string): Promise<boolean>;
}

export class RelationshipsService {
  constructor(
    private readonly deps: Deps,
    private readonly follows?: FollowRemover,
  ) {}

  async list(principal: Principal) {
    const [row] = await this.deps.db
      .select({ list: relationshipsJson(principal.userId) })
      .from(users)
      .where(eq(users.id, principal.userId));
    return relationshipsFromJson(row?.list ?? []);
  }

  /** POST /users/@me/relationships {username}: a friend request by username. */
  async requestByUsername(principal: Principal, username: string): Promise<void> {
    const [user] = await this.deps.db
      .select({ id: users.id, bot: users.bot })
      .from(users)
      .where(sql`lower(${users.username}) = lower(${username})`);
    if (!user || user.bot) throw requestRefused();
    await this.befriend(principal, user.id);
  }

  /** PUT /users/@me/relationships/:id: type 2 blocks; otherwise sends a request, or accepts an incoming one. */
  async put(principal: Principal, otherId: string, type: number | undefined): Promise<void> {
    if (type === RelationshipType.Blocked) return this.block(principal, otherId);
    if (type !== undefined && type !== RelationshipType.Friend)
      throw new ApiError(400, ErrorCode.InvalidFormBody, 'Relationship type must be 1 or 2');
    return this.befriend(principal, otherId);
  }

  /** DELETE: unfriend, cancel or decline a request, or unblock; the other side's matching row goes too. */
  async remove(principal: Principal, otherId: string): Promise<void> {
    const me = principal.userId;
    const pending = new PendingEvents();
    await this.deps.db.transaction(async (tx) => {
      const mine = await this.row(tx, me, otherId);
      if (!mine) throw notFound(ErrorCode.UnknownUser, 'Relationship');
      await this.drop(tx, pending, me, otherId);
      if (mine.type === RelationshipType.Blocked) await this.federateBlock(tx, me, otherId, false);
      if (mine.type !== RelationshipType.Blocked) {
        const theirs = await this.row(tx, otherId, me);
        if (theirs && theirs.type !== RelationshipType.Blocked) await this.drop(tx, pending, otherId, me);
      }
    });
    pending.publish(this.deps.events);
  }

  /** Whether either user blocked the other (DMs between them are refused). */
  async blockedBetween(db: DbOrTx, a: string, b: string): Promise<boolean> {
    const rows = await db
      .select({ type: relationships.type })
      .from(relationships)
      .where(
        and(
          inArray(relationships.userId, [a, b]),
          inArray(relationships.otherId, [a, b]),
          eq(relationships.type, RelationshipType.Blocked),
        ),
      );
    return rows.length > 0;
  }

  private async befriend(principal: Principal, otherId: string): Promise<void> {
    const me = principal.userId;
    if (otherId === me)
      throw new ApiError(400, ErrorCode.CannotFriendSelf, 'Cannot send a friend request to yourself');
    const pending = new PendingEvents();
    await this.deps.db.transaction(async (tx) => {
      const [other] = await tx
        .select({ id: users.id, bot: users.bot })
        .from(users)
        .where(eq(users.id, otherId));
      if (!other || other.bot) throw requestRefused();
      const mine = await this.row(tx, me, otherId);
      const theirs = await this.row(tx, otherId, me);
      if (theirs?.type === RelationshipType.Blocked) throw requestRefused();
      if (mine?.type === RelationshipType.Blocked)
        throw new ApiError(400, ErrorCode.FriendRequestsDisabled, 'Unblock this user first');
      if (mine?.type === RelationshipType.Friend || mine?.type === RelationshipType.Outgoing) return;
      if (mine?.type === RelationshipType.Incoming) {
        await this.set(tx, pending, me, otherId, RelationshipType.Friend);
        await this.set(tx, pending, otherId, me, RelationshipType.Friend);
        return;
      }
      await this.set(tx, pending, me, otherId, RelationshipType.Outgoing);
      await this.set(tx, pending, otherId, me, RelationshipType.Incoming);
    });
    pending.publish(this.deps.events);
  }

  /** Blocking ends any friendship or pending request in both directions. */
  private async block(principal: Principal, otherId: string): Promise<void> {
    const me = principal.userId;
    if (otherId === me) throw new ApiError(400, ErrorCode.InvalidFormBody, 'Cannot block yourself');
    const pending = new PendingEvents();
    await this.deps.db.transaction(async (tx) => {
      const [other] = await tx.select({ id: users.id }).from(users).where(eq(users.id, otherId));
      if (!other) throw notFound(ErrorCode.UnknownUser, 'User');
      await this.set(tx, pending, me, otherId, RelationshipType.Blocked);
      const theirs = await this.row(tx, otherId, me);
      if (theirs && theirs.type !== RelationshipType.Blocked) await this.drop(tx, pending, otherId, me);
      // A block ends the follows between the two, as on Mastodon (ADR 0028).
      await this.follows?.removeFollow(tx, me, otherId);
      await this.follows?.removeFollow(tx, otherId, me);
      await this.federateBlock(tx, me, otherId, true);
    });
    pending.publish(this.deps.events);
  }

  /** A local account's block of a remote one is sent there (Block, or its Undo; ADR 0040), in `tx`. */
  private async federateBlock(tx: DbOrTx, me: string, otherId: string, on: boolean): Promise<void> {
    if (!(await isRemote(tx, otherId)) || (await isRemote(tx, me))) return;
    await this.deps.jobs.enqueue(
      'federation.deliver',
      { type: on ? 'block' : 'undo-block', userId: me, targetId: otherId },
      {},
      tx,
    );
  }

  private async row(tx: DbOrTx, userId: string, otherId: string): Promise<Row | undefined> {
    const [row] = await tx
      .select()
      .from(relationships)
      .where(and(eq(relationships.userId, userId), eq(relationships.otherId, otherId)));
    return row;
  }

  private async set(
    tx: DbOrTx,
    pending: PendingEvents,
    userId: string,
    otherId: string,
    type: number,
  ): Promise<void> {
    const [row] = await tx
      .insert(relationships)
      .values({ userId, otherId, type })
      .onConflictDoUpdate({
        target: [relationships.userId, relationships.otherId],
        set: { type, since: new Date() },
      })
      .returning();
    const [user] = await tx.select().from(users).where(eq(users.id, otherId));
    pending.add('RELATIONSHIP_ADD', Topic.user(userId), {
      id: otherId,
      type,
      nickname: row.nickname,
      since: row.since.toISOString(),
      user: toPublicUser(user),
    });
  }

  private async drop(tx: DbOrTx, pending: PendingEvents, userId: string, otherId: string): Promise<void> {
    const [row] = await tx
      .delete(relationships)
      .where(and(eq(relationships.userId, userId), eq(relationships.otherId, otherId)))
      .returning();
    if (row) pending.add('RELATIONSHIP_REMOVE', Topic.user(userId), { id: otherId, type: row.type });
  }
}
