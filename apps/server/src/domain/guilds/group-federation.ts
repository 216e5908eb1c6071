import { isForumType, isThreadType } from '@hearth/protocol';
import { and, eq, sql } from 'drizzle-orm';
import type { FederationDelivery } from '../../jobs/kinds';
import type { DbOrTx } from '../../store/db';
import { channels, members, users } from '../../store/schema';
import type { Deps } from '../deps';

// Which groups federate (ADR 0031, federation addendum): a group with a handle that is public or approval-required is
// an ActivityPub Group actor (FEP-1b12); a private group, or a guild that is no group, is none (404 on the actor).

/** Whether a guild row is a federated group. */
export function isFederatedGroup(g: {
  groupJoinMode: 'public' | 'approval' | 'private' | null;
  groupHandle: string | null;
}): boolean {
  return (g.groupJoinMode === 'public' || g.groupJoinMode === 'approval') && g.groupHandle !== null;
}

/** Whether group `guildId` has a member on another instance (a follower of its Group actor), read in `db`. */
async function hasRemoteMembers(db: DbOrTx, guildId: string): Promise<boolean> {
  const [row] = await db
    .select({ one: sql<number>`1` })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(and(eq(members.guildId, guildId), eq(users.remote, true)))
    .limit(1);
  return row !== undefined;
}

/**
 * Asks federation, in `tx`, to send `delivery` for group `guild` when it federates and has remote members (the
 * Group actor's followers): what the group Announces, durably with the change that caused it.
 */
export async function enqueueGroupDelivery(
  deps: Pick<Deps, 'jobs'>,
  tx: DbOrTx,
  guild: { id: string; groupJoinMode: 'public' | 'approval' | 'private' | null; groupHandle: string | null },
  delivery: FederationDelivery,
): Promise<void> {
  if (!isFederatedGroup(guild) || !(await hasRemoteMembers(tx, guild.id))) return;
  await deps.jobs.enqueue('federation.deliver', delivery, {}, tx);
}

/**
 * The starter message of `thread` (a post, if its parent is a forum) was edited by `authorId`: a federated group with
 * remote followers Announces the Update of a local author's post, in `tx`. A remote author's edit is announced by the
 * inbox that received it.
 */
export async function announcePostEdit(
  deps: Pick<Deps, 'jobs'>,
  tx: DbOrTx,
  guild: { id: string; groupJoinMode: 'public' | 'approval' | 'private' | null; groupHandle: string | null },
  thread: { id: string; parentId: string | null; type: number },
  authorId: string,
): Promise<void> {
  if (!isFederatedGroup(guild) || !thread.parentId || !isThreadType(thread.type)) return;
  const [parent] = await tx
    .select({ type: channels.type })
    .from(channels)
    .where(eq(channels.id, thread.parentId));
  if (!parent || !isForumType(parent.type)) return;
  const [author] = await tx.select({ remote: users.remote }).from(users).where(eq(users.id, authorId));
  if (!author || author.remote) return;
  await enqueueGroupDelivery(deps, tx, guild, {
    type: 'group-update',
    guildId: guild.id,
    threadId: thread.id,
    authorId,
  });
}

/**
 * Member `userId` was removed from group `guild` by a moderator (kicked or banned), in `tx`: when they are a remote
 * account (a follower of the federated group's actor), the group sends them a Reject of their Follow, so their
 * instance knows they are no longer in it (as Mastodon's Reject of an accepted follow removes a follower).
 */
export async function rejectRemovedMember(
  deps: Pick<Deps, 'jobs'>,
  tx: DbOrTx,
  guild: { id: string; groupJoinMode: 'public' | 'approval' | 'private' | null; groupHandle: string | null },
  userId: string,
): Promise<void> {
  if (!isFederatedGroup(guild)) return;
  const [user] = await tx.select({ remote: users.remote }).from(users).where(eq(users.id, userId));
  if (!user?.remote) return;
  await deps.jobs.enqueue(
    'federation.deliver',
    { type: 'group-reject', guildId: guild.id, followerId: userId },
    {},
    tx,
  );
}

/**
 * Where a message or reaction is, as the caller's access check loaded it: its channel, and the caller as a member of
 * that channel's guild (null in DMs), with the guild's row.
 */
type Place = {
  channel: { id: string; parentId: string | null; type: number };
  actor: {
    guild: {
      id: string;
      groupJoinMode: 'public' | 'approval' | 'private' | null;
      groupHandle: string | null;
    };
  } | null;
};

/**
 * The guild of `place` when it is a post of a forum of a federated group and `userId` is a local account (or
 * `anyone`), else null. The guild is already known, so a message in any other guild costs no read.
 */
async function localGroupThread(tx: DbOrTx, place: Place, userId: string, opts: { anyone?: boolean } = {}) {
  const thread = place.channel;
  const guild = place.actor?.guild;
  if (!guild || !isFederatedGroup(guild) || !thread.parentId || !isThreadType(thread.type)) return null;
  const [row] = await tx
    .select({ forumType: channels.type, remote: users.remote })
    .from(channels)
    .innerJoin(users, eq(users.id, userId))
    .where(eq(channels.id, thread.parentId));
  return row && (opts.anyone || !row.remote) && isForumType(row.forumType) ? guild : null;
}

/**
 * A message `messageId` was written (or, `edited`, its text edited) by `authorId` in `thread`, in `tx`: when it is a
 * local member's comment on a post of a federated group with remote members, the group Announces its Create (or
 * Update); a remote member's is announced by the inbox that accepted it.
 */
export async function announceComment(
  deps: Pick<Deps, 'jobs'>,
  tx: DbOrTx,
  place: Place,
  messageId: string,
  authorId: string,
  opts: { edited?: boolean } = {},
): Promise<void> {
  const thread = place.channel;
  if (messageId === thread.id) return;
  const guild = await localGroupThread(tx, place, authorId);
  if (!guild) return;
  await enqueueGroupDelivery(deps, tx, guild, {
    type: opts.edited ? 'group-comment-update' : 'group-comment',
    guildId: guild.id,
    threadId: thread.id,
    messageId,
    authorId,
  });
}

/**
 * Local `userId` reacted with Unicode `emoji` to message `messageId` of `thread` (or, `on` false, took it back), in
 * `tx`: on a post or comment of a federated group with remote members, the group Announces the Like or EmojiReact
 * (or its Undo). Custom emoji reactions stay here.
 */
export async function announceReaction(
  deps: Pick<Deps, 'jobs'>,
  tx: DbOrTx,
  place: Place,
  reaction: { messageId: string; userId: string; emoji: string; on: boolean },
): Promise<void> {
  const thread = place.channel;
  const guild = await localGroupThread(tx, place, reaction.userId);
  if (!guild) return;
  await enqueueGroupDelivery(deps, tx, guild, {
    type: 'group-react',
    guildId: guild.id,
    threadId: thread.id,
    ...reaction,
  });
}

/**
 * Comment `messageId` of `thread` by `authorId` was deleted, in `tx`: by its local author, or by a moderator
 * (`moderated`, whoever wrote it), the group Announces the Delete (by the author, or by the group itself). A remote
 * author's own deletion is announced by the inbox that received it.
 */
export async function announceCommentDelete(
  deps: Pick<Deps, 'jobs'>,
  tx: DbOrTx,
  place: Place,
  comment: { messageId: string; authorId: string; moderated: boolean },
): Promise<void> {
  const thread = place.channel;
  if (comment.messageId === thread.id) return;
  const guild = await localGroupThread(tx, place, comment.authorId, { anyone: comment.moderated });
  if (!guild) return;
  await enqueueGroupDelivery(deps, tx, guild, {
    type: 'group-comment-delete',
    guildId: guild.id,
    threadId: thread.id,
    ...comment,
  });
}
