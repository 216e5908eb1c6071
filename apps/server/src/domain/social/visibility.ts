import { and, eq, or, type SQL, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db';
import { followers, postMentions, posts, relationships } from '../../store/schema';
import { RelationshipType } from '../relationships/relationships.service';

// The one rule for who may see a status (ADR 0028). Every read of statuses applies it in its WHERE clause.

export type Visibility = 'public' | 'unlisted' | 'private' | 'direct';

/** Whether either of two users (SQL values) blocked the other: the chat side's blocks apply here. */
export function blockedBetween(a: SQL | string, b: SQL | string): SQL {
  return sql`exists (select 1 from ${relationships} where ${relationships.type} = ${RelationshipType.Blocked} and ((${relationships.userId} = ${a} and ${relationships.otherId} = ${b}) or (${relationships.userId} = ${b} and ${relationships.otherId} = ${a})))`;
}

/**
 * Whether the row of `posts` in scope may be seen by `viewer` (null: signed out): its author always; nobody who
 * blocked or was blocked by the author; anyone for public and unlisted; accepted followers for followers-only; the
 * people it mentions for direct and followers-only.
 */
export function visibleTo(viewer: string | null): SQL {
  if (viewer === null) return sql`${posts.visibility} in ('public', 'unlisted')`;
  return sql`(${posts.userId} = ${viewer} or (not ${blockedBetween(sql`${posts.userId}`, viewer)} and (${posts.visibility} in ('public', 'unlisted') or (${posts.visibility} = 'private' and exists (select 1 from ${followers} where ${followers.userId} = ${posts.userId} and ${followers.followerId} = ${viewer} and ${followers.accepted})) or exists (select 1 from ${postMentions} where ${postMentions.userId} = ${posts.userId} and ${postMentions.postId} = ${posts.id} and ${postMentions.mentionedId} = ${viewer}))))`;
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
