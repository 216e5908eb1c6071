import { and, eq, or, type SQL, sql } from 'drizzle-orm';
import { alias, type PgColumn } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../../store/db';
import {
  domainBlocks,
  followers,
  mutes,
  postMentions,
  posts,
  relationships,
  userDomainBlocks,
  users,
} from '../../store/schema';
import { RelationshipType } from '../relationships/relationships.service';

// The one rule for who may see a status (ADR 0028). Every read of statuses applies it in its WHERE clause.

export type Visibility = 'public' | 'unlisted' | 'private' | 'direct';

/** Whether either of two users (SQL values) blocked the other: the chat side's blocks apply here. */
export function blockedBetween(a: SQL | string, b: SQL | string): SQL {
  return sql`exists (select 1 from ${relationships} where ${relationships.type} = ${RelationshipType.Blocked} and ((${relationships.userId} = ${a} and ${relationships.otherId} = ${b}) or (${relationships.userId} = ${b} and ${relationships.otherId} = ${a})))`;
}

/**
 * Whether the row of `posts` in scope may be seen by `viewer` (null: signed out): nobody's if its author is
 * deactivated; else its author always; nobody who
 * blocked or was blocked by the author; anyone for public and unlisted; accepted followers for followers-only; the
 * people it mentions for direct and followers-only. A boost (reblog) is seen only by who may see both the boost and
 * the status it boosts.
 */
export function visibleTo(viewer: string | SQL | null): SQL {
  const original = alias(posts, 'boosted');
  return sql`(${ownVisibility(viewer, posts)} and (${posts.reblogOfId} is null or exists (select 1 from ${posts} as ${sql.identifier('boosted')} where ${original.id} = ${posts.reblogOfId} and ${ownVisibility(viewer, original)})))`;
}

/** The visibility rule for one row of `t` (`posts` or an alias of it), the boosted status not considered. */
function ownVisibility(
  viewer: string | SQL | null,
  t: { userId: PgColumn; id: PgColumn; visibility: PgColumn },
): SQL {
  // A deactivated (disabled) account's statuses are seen by nobody, as Mastodon hides a suspended account's; nor
  // are those of an account on a domain the instance's admins blocked (ADR 0040).
  const active = sql`not exists (select 1 from ${users} where ${users.id} = ${t.userId} and (${users.disabled} or (${users.remote} and ${instanceBlocked(sql`${users.username}`)})))`;
  if (viewer === null) return sql`(${t.visibility} in ('public', 'unlisted') and ${active})`;
  return sql`(${active} and (${t.userId} = ${viewer} or (not ${blockedBetween(sql`${t.userId}`, viewer)} and (${t.visibility} in ('public', 'unlisted') or (${t.visibility} = 'private' and exists (select 1 from ${followers} where ${followers.userId} = ${t.userId} and ${followers.followerId} = ${viewer} and ${followers.accepted})) or exists (select 1 from ${postMentions} where ${postMentions.userId} = ${t.userId} and ${postMentions.postId} = ${t.id} and ${postMentions.mentionedId} = ${viewer})))))`;
}

/** A status `viewer` may see, by id alone (the author's shard is not known). */
export async function visiblePostById(db: DbOrTx, viewer: string | null, id: string) {
  const [row] = await db
    .select()
    .from(posts)
    .where(and(eq(posts.id, id), visibleTo(viewer)))
    .limit(1);
  return row ?? null;
}

/** The status `viewer` may see by id, or the status it boosts when it is a boost (acting on a boost acts on it). */
export async function visibleOriginal(db: DbOrTx, viewer: string | null, id: string) {
  const found = await visiblePostById(db, viewer, id);
  return found?.reblogOfId ? visiblePostById(db, viewer, found.reblogOfId) : found;
}

/** A mute in force: one past its `expires_at` is no mute (expiry is checked where mutes are read). */
export function muteActive(): SQL {
  return sql`(${mutes.expiresAt} is null or ${mutes.expiresAt} > now())`;
}

/**
 * Whether the row of `posts` in scope is by (or boosts a status by) an account `viewer` muted, or one of a domain
 * they blocked: such statuses leave the viewer's timelines. A mute past its `expires_at` is none.
 */
export function mutedBy(viewer: string | SQL): SQL {
  return sql`(exists (select 1 from ${mutes} where ${mutes.userId} = ${viewer} and (${mutes.targetId} = ${posts.userId} or ${mutes.targetId} = ${posts.reblogOfAccountId}) and ${muteActive()}) or ${domainBlockedBy(viewer, sql`${posts.userId}`)} or (${posts.reblogOfAccountId} is not null and ${domainBlockedBy(viewer, sql`${posts.reblogOfAccountId}`)}))`;
}

/**
 * Whether `author` (an SQL value naming a user) is someone `viewer` may not read on a timeline: blocked either way,
 * muted (a mute in force), or of a domain the viewer blocked. For rows that are not statuses (a group's posts).
 */
export function authorHiddenFrom(viewer: string | SQL, author: string | SQL): SQL {
  return sql`(${blockedBetween(author, viewer)} or exists (select 1 from ${mutes} where ${mutes.userId} = ${viewer} and ${mutes.targetId} = ${author} and ${muteActive()}) or ${domainBlockedBy(viewer, typeof author === 'string' ? sql`${author}` : author)})`;
}

/**
 * Whether the account an SQL value names is of a domain `viewer` blocked for themselves (Mastodon's user domain
 * blocks): a remote account's username is `name@host[:port]`, and a block of a domain covers its subdomains.
 */
/**
 * Whether the host of a remote username (`name@host[:port]`) is a domain the admins blocked with `severity`, or a
 * subdomain of one.
 */
function instanceBlocked(username: SQL, severity: 'suspend' | 'silence' = 'suspend'): SQL {
  const host = sql`split_part(split_part(${username}, '@', 2), ':', 1)`;
  return sql`exists (select 1 from ${domainBlocks} where ${domainBlocks.severity} = ${severity} and (${host} = ${domainBlocks.domain} or ${host} like '%.' || ${domainBlocks.domain}))`;
}

/** Whether the account an SQL value names is a remote one on a domain the admins silenced (Mastodon's "limit"). */
function onSilencedDomain(account: SQL): SQL {
  const u = alias(users, 'silenced_account');
  return sql`exists (select 1 from ${users} as ${sql.identifier('silenced_account')} where ${u.id} = ${account} and ${u.remote} and ${instanceBlocked(sql`${u.username}`, 'silence')})`;
}

/** Whether an account is a remote one on a domain the admins silenced, read in `db`. */
export async function fromSilencedDomain(db: DbOrTx, accountId: string): Promise<boolean> {
  const [row] = await db
    .select({ one: sql`1` })
    .from(users)
    .where(
      and(
        eq(users.id, accountId),
        eq(users.remote, true),
        instanceBlocked(sql`${users.username}`, 'silence'),
      ),
    )
    .limit(1);
  return row !== undefined;
}

/**
 * Whether the row of `posts` in scope is by an account of a silenced domain that `viewer` (null: signed out) does
 * not follow: such statuses leave public timelines, hashtag timelines and search, as a limited server's do on
 * Mastodon; the author's followers, the people it mentions and the author's profile still show them.
 */
export function silencedFor(viewer: string | SQL | null): SQL {
  const follows = viewer
    ? sql` and not exists (select 1 from ${followers} where ${followers.userId} = ${posts.userId} and ${followers.followerId} = ${viewer} and ${followers.accepted})`
    : sql``;
  return sql`(${onSilencedDomain(sql`${posts.userId}`)}${follows})`;
}

export function domainBlockedBy(viewer: string | SQL, account: SQL): SQL {
  // An alias: `account` may name a column of `users` in the outer query.
  const u = alias(users, 'domain_account');
  const host = sql`split_part(split_part(${u.username}, '@', 2), ':', 1)`;
  return sql`exists (select 1 from ${users} as ${sql.identifier('domain_account')} join ${userDomainBlocks} on ${userDomainBlocks.userId} = ${viewer} and (${host} = ${userDomainBlocks.domain} or ${host} like '%.' || ${userDomainBlocks.domain}) where ${u.id} = ${account} and ${u.remote})`;
}

/** Whether either user blocked the other, read in `db` (a transaction sees its own changes). */
export async function isBlocked(db: DbOrTx, a: string, b: string): Promise<boolean> {
  const rows = await db
    .select({ one: sql`1` })
    .from(relationships)
    .where(
      and(
        eq(relationships.type, RelationshipType.Blocked),
        or(
          and(eq(relationships.userId, a), eq(relationships.otherId, b)),
          and(eq(relationships.userId, b), eq(relationships.otherId, a)),
        ),
      ),
    )
    .limit(1);
  return rows.length > 0;
}

/**
 * Whether `viewer` muted the notifications of the user an SQL value names (a mute in force, with notifications), or
 * blocked its domain.
 */
export function notificationsMutedBy(viewer: string, from: SQL): SQL {
  return sql`(exists (select 1 from ${mutes} where ${mutes.userId} = ${viewer} and ${mutes.targetId} = ${from} and ${mutes.notifications} and ${muteActive()}) or ${domainBlockedBy(viewer, from)})`;
}
