import { and, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db';
import { polls, pollVotes } from '../../store/schema';
import type { PostRow } from './mastodon.wire';

// Mastodon's Poll entity (docs.joinmastodon.org/entities/Poll), as a viewer sees it; counts from the vote rows.

type PollRow = typeof polls.$inferSelect;

/** Mastodon's Poll as `viewer` (null: signed out) sees it. */
function toPoll(
  poll: PollRow,
  counts: { perOption: number[]; voters: number },
  viewer: string | null,
  ownVotes: number[],
  now = Date.now(),
) {
  const expired = poll.expiresAt.getTime() <= now;
  // hide_totals: the counts per option are hidden until the end, except from the author.
  const hidden = poll.hideTotals && !expired && viewer !== poll.userId;
  return {
    id: poll.id,
    expires_at: poll.expiresAt.toISOString(),
    expired,
    multiple: poll.multiple,
    votes_count: counts.perOption.reduce((a, b) => a + b, 0),
    voters_count: counts.voters,
    options: poll.options.map((title, i) => ({ title, votes_count: hidden ? null : counts.perOption[i] })),
    emojis: [],
    voted: ownVotes.length > 0,
    own_votes: ownVotes,
  };
}

export type PollView = ReturnType<typeof toPoll>;

/** The polls of statuses as `viewer` sees them, keyed by status id (statuses without one are absent). */
export async function loadPolls(
  db: DbOrTx,
  viewer: string | null,
  rows: Array<Pick<PostRow, 'userId' | 'id'>>,
): Promise<Map<string, PollView>> {
  const out = new Map<string, PollView>();
  if (rows.length === 0) return out;
  const authorIds = [...new Set(rows.map((r) => r.userId))];
  const ids = rows.map((r) => r.id);
  const found = await db
    .select()
    .from(polls)
    .where(and(inArray(polls.userId, authorIds), inArray(polls.id, ids)));
  if (found.length === 0) return out;
  const pollIds = found.map((p) => p.id);
  const pollAuthors = [...new Set(found.map((p) => p.userId))];
  const inPolls = and(inArray(pollVotes.userId, pollAuthors), inArray(pollVotes.pollId, pollIds));
  const [perOption, voters, mine] = await Promise.all([
    db
      .select({ pollId: pollVotes.pollId, choice: pollVotes.choice, n: sql<number>`count(*)::int` })
      .from(pollVotes)
      .where(inPolls)
      .groupBy(pollVotes.pollId, pollVotes.choice),
    db
      .select({ pollId: pollVotes.pollId, n: sql<number>`count(distinct ${pollVotes.voterId})::int` })
      .from(pollVotes)
      .where(inPolls)
      .groupBy(pollVotes.pollId),
    viewer
      ? db
          .select({ pollId: pollVotes.pollId, choice: pollVotes.choice })
          .from(pollVotes)
          .where(and(inPolls, eq(pollVotes.voterId, viewer)))
      : Promise.resolve([]),
  ]);
  for (const poll of found) {
    const counts = poll.options.map((_, i) =>
      Number(perOption.find((c) => c.pollId === poll.id && c.choice === i)?.n ?? 0),
    );
    const voterCount = Number(voters.find((v) => v.pollId === poll.id)?.n ?? 0);
    const own = mine
      .filter((v) => v.pollId === poll.id)
      .map((v) => v.choice)
      .sort((a, b) => a - b);
    out.set(poll.id, toPoll(poll, { perOption: counts, voters: voterCount }, viewer, own));
  }
  return out;
}
