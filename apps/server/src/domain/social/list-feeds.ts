import { type SQL, sql } from 'drizzle-orm';
import { follows, listAccounts, lists, posts } from '../../store/schema';

// What lists do to timelines (lists.service): the SQL predicates that the list timeline, the home timeline and the
// streams (streams.service) share.

/**
 * Whether the row of `posts` in scope belongs on list `listId` of `owner` (SQL values or ids): its author is a
 * member, it is not direct (those are conversations, as on Mastodon), and a reply is to its own author, to the owner, or as `policy` allows (to an account the owner follows,
 * to a member). Visibility and mutes are checked beside it.
 */
export function inListFeed(owner: SQL | string, listId: SQL | string, policy: SQL | string): SQL {
  const member = (account: SQL) =>
    sql`exists (select 1 from ${listAccounts} where ${listAccounts.userId} = ${owner} and ${listAccounts.listId} = ${listId} and ${listAccounts.accountId} = ${account})`;
  const to = sql`${posts.inReplyToAccountId}`;
  return sql`(${member(sql`${posts.userId}`)} and ${posts.visibility} <> 'direct' and (${to} is null or ${to} = ${posts.userId} or ${to} = ${owner} or (${policy} = 'followed' and exists (select 1 from ${follows} where ${follows.userId} = ${owner} and ${follows.targetId} = ${to} and ${follows.accepted})) or (${policy} = 'list' and ${member(to)})))`;
}

/** Whether the row of `posts` in scope is by a member of one of `owner`'s exclusive lists: it leaves their home. */
export function inExclusiveList(owner: SQL | string): SQL {
  return sql`exists (select 1 from ${listAccounts} inner join ${lists} on ${lists.userId} = ${listAccounts.userId} and ${lists.id} = ${listAccounts.listId} where ${listAccounts.userId} = ${owner} and ${listAccounts.accountId} = ${posts.userId} and ${lists.exclusive})`;
}
