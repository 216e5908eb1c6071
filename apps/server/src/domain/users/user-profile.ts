import { ErrorCode, Limits, type UserProfile, type UserProfileQuery } from '@hearth/protocol';
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../store/db';
import { channelRecipients, members, relationships, users } from '../../store/schema';
import { ApiError, notFound } from '../errors';
import { RelationshipType } from '../relationships/relationships.service';
import { publicUserColumns, toPublicUser } from './users.wire';

/**
 * Who may read a person's profile (Discord's rule): themselves, and anyone who shares a server or a DM with them or
 * has a relationship with them (friend, request either way, or a block they made). Anyone else gets 403 Missing
 * Access, as on Discord; an unknown id gets 404.
 */
function mayReadProfileSql(callerId: string, targetId: string) {
  if (callerId === targetId) return sql<boolean>`true`;
  return sql<boolean>`(
    exists (select 1 from ${members} a join ${members} b on b.guild_id = a.guild_id and b.user_id = ${targetId}
               where a.user_id = ${callerId})
    or exists (select 1 from ${channelRecipients} a join ${channelRecipients} b
               on b.channel_id = a.channel_id and b.user_id = ${targetId} where a.user_id = ${callerId})
    or exists (select 1 from ${relationships} r where r.user_id = ${callerId} and r.other_id = ${targetId})
  )`;
}

/** GET /users/:id/profile: the profile and what the caller shares with the user, if the caller may see it. */
export async function readUserProfile(
  db: Db,
  callerId: string,
  targetId: string,
  query: UserProfileQuery,
): Promise<UserProfile> {
  const [row] = await db
    .select({
      ...publicUserColumns,
      pronouns: users.pronouns,
      allowed: mayReadProfileSql(callerId, targetId),
    })
    .from(users)
    .where(eq(users.id, targetId));
  if (!row) throw notFound(ErrorCode.UnknownUser, 'User');
  if (!row.allowed) throw new ApiError(403, ErrorCode.MissingAccess, 'Missing Access');
  const profile: UserProfile = {
    user: toPublicUser(row),
    user_profile: { bio: row.bio, pronouns: row.pronouns, accent_color: row.accentColor, banner: row.banner },
    connected_accounts: [],
    badges: [],
    premium_type: null,
  };
  const self = callerId === targetId;
  if (query.with_mutual_guilds !== false) {
    profile.mutual_guilds = self
      ? []
      : await db
          .select({ id: members.guildId, nick: members.nick })
          .from(members)
          .where(
            and(
              eq(members.userId, targetId),
              sql`exists (select 1 from ${members} m where m.guild_id = ${members.guildId} and m.user_id = ${callerId})`,
            ),
          )
          .orderBy(asc(members.guildId));
  }
  if (query.with_mutual_friends || query.with_mutual_friends_count) {
    // Friends of both: the caller's friend rows whose other person is also the target's friend.
    const shared = sql`${relationships.userId} = ${callerId} and ${relationships.type} = ${RelationshipType.Friend}
      and ${relationships.otherId} <> ${targetId}
      and exists (select 1 from ${relationships} t where t.user_id = ${targetId} and t.other_id = ${relationships.otherId}
                  and t.type = ${RelationshipType.Friend})`;
    if (query.with_mutual_friends) {
      const friends = self
        ? []
        : await db
            .select(publicUserColumns)
            .from(relationships)
            .innerJoin(users, eq(users.id, relationships.otherId))
            .where(shared)
            .orderBy(asc(users.username))
            .limit(Limits.mutualFriendsMax);
      profile.mutual_friends = friends.map(toPublicUser);
    }
    if (query.with_mutual_friends_count) {
      const [count] = self
        ? [{ n: 0 }]
        : await db.select({ n: sql<number>`count(*)::int` }).from(relationships).where(shared);
      profile.mutual_friends_count = count.n;
    }
  }
  return profile;
}
