import { Limits, type MastodonPollInput } from '@hearth/protocol';
import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db';
import { polls, pollVotes, posts } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { PendingEvents } from '../pending-events';
import { recordNotFound, unprocessable } from './errors';
import type { NotificationsService } from './notifications.service';
import { loadPolls, type PollView } from './polls.wire';
import { visibleTo } from './visibility';

// Polls on statuses: made with the status, voted on by whoever may see it, and at their end a `poll` notification
// for the voters and the author (the `social.poll-end` job).

/** Polls: made with their status, votes, their end. */
export class PollsService {
  constructor(
    private readonly deps: Deps,
    private readonly notifications: NotificationsService,
  ) {}

  /**
   * Makes the poll of a new status in its transaction (422 for what Mastodon refuses: fewer than 2 or more than 4
   * options, an option blank, too long or repeated, a duration outside 5 minutes to a month) and schedules its end.
   */
  async create(tx: DbOrTx, author: string, statusId: string, input: MastodonPollInput): Promise<void> {
    const poll = checkPoll(input);
    await tx.insert(polls).values({ userId: author, id: statusId, ...poll });
    await this.scheduleEnd(tx, author, statusId, poll.expiresAt);
  }

  /** The options of a status's poll (in a transaction that holds the status), or null when it has none. */
  async optionsOf(tx: DbOrTx, author: string, statusId: string): Promise<string[] | null> {
    const [row] = await tx
      .select({ options: polls.options })
      .from(polls)
      .where(and(eq(polls.userId, author), eq(polls.id, statusId)));
    return row?.options ?? null;
  }

  /**
   * A status's poll as an edit gives it (Mastodon's `update_poll!`), in the edit's transaction: null removes it, a
   * new one is made, an existing one takes the new options, choice mode, totals setting and duration (counted from
   * now). Changed options or choice mode reset the votes: the voters whose votes went are answered, to be told.
   */
  async edit(
    tx: DbOrTx,
    author: string,
    statusId: string,
    input: MastodonPollInput | null,
  ): Promise<{ resetVoters: string[] }> {
    const [old] = await tx
      .select()
      .from(polls)
      .where(and(eq(polls.userId, author), eq(polls.id, statusId)))
      .for('update');
    if (!input) {
      if (old) await this.removeForStatus(tx, author, statusId);
      return { resetVoters: [] };
    }
    const poll = checkPoll(input);
    if (!old) {
      await tx.insert(polls).values({ userId: author, id: statusId, ...poll });
      await this.scheduleEnd(tx, author, statusId, poll.expiresAt);
      return { resetVoters: [] };
    }
    const reset =
      old.multiple !== poll.multiple ||
      old.options.length !== poll.options.length ||
      old.options.some((o, i) => o !== poll.options[i]);
    let resetVoters: string[] = [];
    if (reset) {
      const gone = await tx
        .delete(pollVotes)
        .where(and(eq(pollVotes.userId, author), eq(pollVotes.pollId, statusId)))
        .returning({ voterId: pollVotes.voterId });
      resetVoters = [...new Set(gone.map((v) => v.voterId))];
    }
    await tx
      .update(polls)
      .set({ ...poll, endNotified: false })
      .where(and(eq(polls.userId, author), eq(polls.id, statusId)));
    await this.scheduleEnd(tx, author, statusId, poll.expiresAt);
    return { resetVoters };
  }

  /**
   * Queues the `social.poll-end` job for this end of the poll. Keyed by the end as well, so an edit that moves the end
   * queues its own job; the earlier one, finding the poll ends at another time, does nothing.
   */
  private async scheduleEnd(tx: DbOrTx, author: string, statusId: string, expiresAt: Date): Promise<void> {
    await this.deps.jobs.enqueue(
      'social.poll-end',
      { userId: author, pollId: statusId, expiresAt: expiresAt.toISOString() },
      { runAt: expiresAt, key: `${statusId}:${expiresAt.getTime()}` },
      tx,
    );
  }

  /** A poll whose status the viewer may see; otherwise 404. */
  async get(viewer: string | null, id: string) {
    const poll = await this.visiblePoll(this.deps.db, viewer, id);
    if (!poll) throw recordNotFound();
    return (await loadPolls(this.deps.db, viewer, [poll])).get(id) as PollView;
  }

  /**
   * Votes in a poll whose status the caller may see: once, before its end, on existing options, one option unless
   * the poll allows several (422 otherwise, as Mastodon). The poll's row is locked, so two votes of one voter at
   * once cannot both count.
   */
  async vote(principal: Principal, id: string, choices: number[]) {
    const me = principal.userId;
    await this.deps.db.transaction(async (tx) => {
      const visible = await this.visiblePoll(tx, me, id);
      if (!visible) throw recordNotFound();
      const [poll] = await tx
        .select()
        .from(polls)
        .where(and(eq(polls.userId, visible.userId), eq(polls.id, id)))
        .for('update');
      if (!poll) throw recordNotFound();
      if (poll.expiresAt.getTime() <= Date.now()) throw unprocessable('The poll has already ended');
      const chosen = [...new Set(choices)];
      if (chosen.some((c) => c >= poll.options.length))
        throw unprocessable('Choices are not options of the poll');
      if (!poll.multiple && chosen.length > 1) throw unprocessable('This poll allows only one choice');
      const earlier = await tx
        .select({ choice: pollVotes.choice })
        .from(pollVotes)
        .where(and(eq(pollVotes.userId, poll.userId), eq(pollVotes.pollId, id), eq(pollVotes.voterId, me)))
        .limit(1);
      if (earlier.length) throw unprocessable('You have already voted on this poll');
      await tx
        .insert(pollVotes)
        .values(chosen.map((choice) => ({ userId: poll.userId, pollId: id, voterId: me, choice })));
    });
    return this.get(me, id);
  }

  /** Deletes the poll of a status being deleted, with its votes, in its transaction. */
  async removeForStatus(tx: DbOrTx, author: string, statusId: string): Promise<void> {
    await tx.delete(pollVotes).where(and(eq(pollVotes.userId, author), eq(pollVotes.pollId, statusId)));
    await tx.delete(polls).where(and(eq(polls.userId, author), eq(polls.id, statusId)));
  }

  /**
   * The end of a poll (the `social.poll-end` job): a `poll` notification for each voter and for the author, once.
   * Nothing when the poll (its status) was deleted or an edit moved its end past `expiresAt` (that end has its own
   * job); a run before the end (a clock apart) throws to be retried.
   */
  async end(author: string, pollId: string, expiresAt?: string): Promise<void> {
    const pending = new PendingEvents();
    await this.deps.db.transaction(async (tx) => {
      const [poll] = await tx
        .select()
        .from(polls)
        .where(and(eq(polls.userId, author), eq(polls.id, pollId)))
        .for('update');
      if (!poll || poll.endNotified) return;
      // An edit moved the end later: the job queued for that end will come.
      if (expiresAt !== undefined && poll.expiresAt.getTime() > Date.parse(expiresAt)) return;
      if (poll.expiresAt.getTime() > Date.now()) throw new Error('the poll has not ended yet');
      const voters = await tx
        .selectDistinct({ id: pollVotes.voterId })
        .from(pollVotes)
        .where(and(eq(pollVotes.userId, author), eq(pollVotes.pollId, pollId)));
      await this.notifications.add(tx, pending, {
        type: 'poll',
        fromId: author,
        statusId: pollId,
        recipients: [...voters.map((v) => v.id), author],
        includeActor: true,
      });
      await tx
        .update(polls)
        .set({ endNotified: true })
        .where(and(eq(polls.userId, author), eq(polls.id, pollId)));
    });
    pending.publish(this.deps.events);
  }

  /** The poll of a status `viewer` may see, by its id alone. */
  private async visiblePoll(db: DbOrTx, viewer: string | null, id: string) {
    const [row] = await db
      .select({ userId: posts.userId, id: posts.id })
      .from(posts)
      .innerJoin(polls, and(eq(polls.userId, posts.userId), eq(polls.id, posts.id)))
      .where(and(eq(posts.id, id), visibleTo(viewer)))
      .limit(1);
    return row ?? null;
  }
}

/**
 * A poll as given, checked as Mastodon checks it (422 for fewer than 2 or more than 4 options, an option blank, too
 * long or repeated, a duration outside 5 minutes to a month), with its end counted from now.
 */
function checkPoll(input: MastodonPollInput) {
  const options = input.options.map((o) => o.trim());
  if (options.length < 2) throw unprocessable('Poll must have at least 2 options');
  if (options.length > Limits.pollOptionsMax)
    throw unprocessable(`Poll may have at most ${Limits.pollOptionsMax} options`);
  if (options.some((o) => o === '')) throw unprocessable("Poll options can't be blank");
  if (options.some((o) => [...o].length > Limits.pollOptionChars))
    throw unprocessable(`Poll options may be at most ${Limits.pollOptionChars} characters`);
  if (new Set(options).size !== options.length) throw unprocessable('Poll options must be different');
  if (input.expires_in < Limits.pollMinExpiresInSeconds || input.expires_in > Limits.pollMaxExpiresInSeconds)
    throw unprocessable(
      `Poll duration must be from ${Limits.pollMinExpiresInSeconds} to ${Limits.pollMaxExpiresInSeconds} seconds`,
    );
  return {
    options,
    multiple: input.multiple ?? false,
    hideTotals: input.hide_totals ?? false,
    expiresAt: new Date(Date.now() + input.expires_in * 1000),
  };
}
