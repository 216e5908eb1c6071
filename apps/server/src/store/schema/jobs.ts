import { sql } from 'drizzle-orm';
import { bigserial, check, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { timestamptz } from './types';

/**
 * Durable background jobs (ADR 0025, `jobs/`). A row is `queued` until a worker claims it (`running`, under a lease
 * that its worker renews); a finished run deletes it; a failed one goes back to `queued` with a later `run_at`, or to
 * `dead` after `max_attempts`, where it stays for inspection. Not owned by a user, guild or channel: on Citus it is a
 * local (coordinator) table, like the other instance-wide ones.
 */
export const jobs = pgTable(
  'jobs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind').notNull(),
    payload: jsonb('payload').notNull().default({}),
    /** queued | running | dead */
    state: text('state').notNull().default('queued'),
    /** At most one queued job per key: enqueueing it again while one waits is a no-op. */
    key: text('key'),
    runAt: timestamptz('run_at').notNull().defaultNow(),
    /** Runs started, including the current one. */
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(5),
    /** The claim's token: only the run holding it may finish, renew or fail the job. */
    lockedBy: text('locked_by'),
    /** A running job whose lease ended here is claimed again (its process died). */
    lockedUntil: timestamptz('locked_until'),
    lastError: text('last_error'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    // What a claim reads: the due jobs of one kind, oldest first.
    index('jobs_due_idx').on(t.kind, t.runAt, t.id).where(sql`${t.state} = 'queued'`),
    index('jobs_lease_idx').on(t.lockedUntil).where(sql`${t.state} = 'running'`),
    uniqueIndex('jobs_queued_key_idx').on(t.key).where(sql`${t.state} = 'queued'`),
    check('jobs_state_check', sql`${t.state} in ('queued', 'running', 'dead')`),
  ],
);

/** Recurring schedules: each tick is claimed by moving `next_run_at` on, so one process enqueues it. */
export const jobSchedules = pgTable('job_schedules', {
  name: text('name').primaryKey(),
  nextRunAt: timestamptz('next_run_at').notNull(),
});
