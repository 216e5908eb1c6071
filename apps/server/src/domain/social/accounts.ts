import { eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db';
import { accountStats, users } from '../../store/schema';

type UserRow = typeof users.$inferSelect;
export interface AccountRow {
  user: UserRow;
  followersCount: number;
  followingCount: number;
  statusesCount: number;
  lastStatusAt: Date | null;
  /** The account it moved to (Mastodon's `moved`), loaded with it; null when it has not moved. */
  movedTo?: AccountRow | null;
}

/** Users with their social counts, by id (missing ids are absent from the map). */
export async function loadAccounts(db: DbOrTx, ids: Iterable<string>): Promise<Map<string, AccountRow>> {
  const list = [...new Set(ids)];
  const out = new Map<string, AccountRow>();
  if (list.length === 0) return out;
  const rows = await db
    .select({ user: users, stats: accountStats })
    .from(users)
    .leftJoin(accountStats, eq(accountStats.userId, users.id))
    .where(inArray(users.id, list));
  for (const r of rows) out.set(r.user.id, toAccountRow(r.user, r.stats));
  // Moved accounts name where they went (one level: the target's own move is not followed further).
  const movedIds = rows.map((r) => r.user.movedToId).filter((id) => id !== null);
  if (movedIds.length) {
    const targets = await db
      .select({ user: users, stats: accountStats })
      .from(users)
      .leftJoin(accountStats, eq(accountStats.userId, users.id))
      .where(inArray(users.id, [...new Set(movedIds)]));
    const byId = new Map(targets.map((t) => [t.user.id, toAccountRow(t.user, t.stats)]));
    for (const a of out.values()) a.movedTo = a.user.movedToId ? (byId.get(a.user.movedToId) ?? null) : null;
  }
  return out;
}

/** A user by username, case-insensitively. */
export async function accountByUsername(db: DbOrTx, username: string): Promise<AccountRow | null> {
  const [r] = await db
    .select({ user: users, stats: accountStats })
    .from(users)
    .leftJoin(accountStats, eq(accountStats.userId, users.id))
    .where(sql`lower(${users.username}) = lower(${username})`);
  return r ? toAccountRow(r.user, r.stats) : null;
}

function toAccountRow(user: UserRow, stats: typeof accountStats.$inferSelect | null): AccountRow {
  return {
    user,
    followersCount: stats?.followersCount ?? 0,
    followingCount: stats?.followingCount ?? 0,
    statusesCount: stats?.statusesCount ?? 0,
    lastStatusAt: stats?.lastStatusAt ?? null,
  };
}

export interface StatsDelta {
  userId: string;
  followers?: number;
  following?: number;
  statuses?: number;
  /** Sets last_status_at to now. */
  posted?: boolean;
}

/**
 * Adds to users' counts in the calling transaction, in one statement that locks their rows in id order: concurrent
 * changes serialise on each row (exact counts), and two transactions touching the same pair never deadlock.
 */
export async function adjustStats(tx: DbOrTx, deltas: StatsDelta[]): Promise<void> {
  const rows = deltas
    .filter((d) => d.followers || d.following || d.statuses || d.posted)
    .sort((a, b) => (BigInt(a.userId) < BigInt(b.userId) ? -1 : 1));
  if (rows.length === 0) return;
  const values = rows.map(
    (d) =>
      sql`(${d.userId}::bigint, ${d.followers ?? 0}::int, ${d.following ?? 0}::int, ${d.statuses ?? 0}::int, ${d.posted ? sql`now()` : sql`null`}::timestamptz)`,
  );
  await tx.execute(
    sql`insert into ${accountStats} (user_id, followers_count, following_count, statuses_count, last_status_at) values ${sql.join(values, sql`, `)} on conflict (user_id) do update set followers_count = ${accountStats}.followers_count + excluded.followers_count, following_count = ${accountStats}.following_count + excluded.following_count, statuses_count = ${accountStats}.statuses_count + excluded.statuses_count, last_status_at = coalesce(excluded.last_status_at, ${accountStats}.last_status_at)`,
  );
}
