import { randomUUID } from 'node:crypto';
import { type SQL, sql } from 'drizzle-orm';
import { type Db, type DbOrTx, isUniqueViolation } from '../store/db';

/** When and how often a job runs; all optional. */
export interface EnqueueOptions {
  /** Not before this time (default: now). */
  runAt?: Date;
  /** Not before this many milliseconds from now (instead of runAt). */
  delayMs?: number;
  /**
   * At most one waiting job per (kind, key): enqueueing it again while one is queued is a no-op (enqueue answers
   * null). A running one does not count, so work that arrives during a run gets a run of its own.
   */
  key?: string;
  /** Runs before the job is dead (default: its kind's, else 5). */
  maxAttempts?: number;
}

/** A job a worker holds: it alone may finish, fail, renew or release it (by its claim token). */
export interface ClaimedJob<T = unknown> {
  id: number;
  kind: string;
  payload: T;
  /** Runs started, this one included. */
  attempts: number;
  maxAttempts: number;
  token: string;
}

/** A job kept after its last attempt failed, for inspection. */
export interface DeadJob {
  id: number;
  kind: string;
  payload: unknown;
  key: string | null;
  attempts: number;
  lastError: string | null;
  updatedAt: Date;
}

export const DEFAULT_MAX_ATTEMPTS = 5;
/** Longest error text kept on a job. */
const ERROR_CHARS = 2000;

function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

const ms = (n: number): SQL => sql`(${Math.max(0, Math.round(n))}::bigint * interval '1 millisecond')`;

/**
 * The jobs table's operations, each one statement, identical on PGlite and PostgreSQL (ADR 0025). A claim takes due
 * rows `FOR UPDATE SKIP LOCKED` and leases them, so concurrent claimers (in this process or others) never take the
 * same job, and a job whose worker died is claimed again once its lease ends. Time is the database's (`now()`), the
 * one clock every process shares.
 */
export class JobQueue {
  constructor(private readonly db: Db) {}

  /**
   * Adds a job; answers its id, or null when a job with the same key is already waiting. Pass `tx` to enqueue in
   * the caller's transaction: the job exists exactly when the transaction's other writes do.
   */
  async enqueue(
    kind: string,
    payload: unknown,
    opts: EnqueueOptions = {},
    tx: DbOrTx = this.db,
  ): Promise<number | null> {
    const runAt = opts.runAt
      ? sql`${opts.runAt.toISOString()}::timestamptz`
      : sql`now() + ${ms(opts.delayMs ?? 0)}`;
    const key = opts.key === undefined ? null : `${kind}:${opts.key}`;
    const rows = rowsOf<{ id: string | number }>(
      await tx.execute(sql`
        insert into jobs (kind, payload, key, run_at, max_attempts)
        values (${kind}, ${JSON.stringify(payload ?? {})}::jsonb, ${key}, ${runAt},
                ${Math.max(1, opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)}::int)
        on conflict (key) where state = 'queued' do nothing
        returning id`),
    );
    return rows.length ? Number(rows[0].id) : null;
  }

  /**
   * Claims up to `limit` due jobs of `kind` for `leaseMs`: queued ones whose time has come, and running ones whose
   * lease ended (their worker died). Oldest first.
   */
  async claim(kind: string, limit: number, leaseMs: number): Promise<ClaimedJob[]> {
    if (limit <= 0) return [];
    const token = randomUUID();
    const rows = rowsOf<{ id: string | number; payload: unknown; attempts: number; max_attempts: number }>(
      await this.db.execute(sql`
        with expired as (
          select id from jobs where state = 'running' and locked_until < now() and kind = ${kind}
          order by locked_until limit ${limit}::int for update skip locked
        ), queued as (
          -- An ordered scan of jobs_due_idx: a long backlog costs no more than a short one.
          select id from jobs where kind = ${kind} and state = 'queued' and run_at <= now()
          order by run_at, id limit ${limit}::int for update skip locked
        ), due as (
          select id from expired union all select id from queued limit ${limit}::int
        )
        update jobs set state = 'running', attempts = jobs.attempts + 1, locked_by = ${token},
          locked_until = now() + ${ms(leaseMs)}, updated_at = now()
        from due where jobs.id = due.id
        returning jobs.id, jobs.payload, jobs.attempts, jobs.max_attempts`),
    );
    return rows.map((r) => ({
      id: Number(r.id),
      kind,
      payload: r.payload,
      attempts: r.attempts,
      maxAttempts: r.max_attempts,
      token,
    }));
  }

  /**
   * Which of `kinds` have a job to claim: one read, so an idle poll costs one cheap statement however many kinds
   * there are (a claim is an UPDATE: several times the cost even when it finds nothing).
   */
  async dueKinds(kinds: string[]): Promise<Set<string>> {
    if (!kinds.length) return new Set();
    const rows = rowsOf<{ kind: string }>(
      await this.db.execute(sql`
        select k.kind from (values ${sql.join(
          kinds.map((k) => sql`(${k})`),
          sql`, `,
        )}) as k (kind)
        where exists (select 1 from jobs where jobs.kind = k.kind and state = 'queued' and run_at <= now())
           or exists (select 1 from jobs where jobs.kind = k.kind and state = 'running' and locked_until < now())`),
    );
    return new Set(rows.map((r) => r.kind));
  }

  /** A finished run: the job is gone. False if the claim was lost (its lease ended and another took it). */
  async complete(job: ClaimedJob): Promise<boolean> {
    const rows = rowsOf(
      await this.db.execute(
        sql`delete from jobs where id = ${job.id} and locked_by = ${job.token} returning id`,
      ),
    );
    return rows.length > 0;
  }

  /**
   * A failed run: queued again `retryInMs` from now, or dead when that is null. A retry that meets a job with the
   * same key already waiting is folded into it (that one runs instead).
   */
  async fail(job: ClaimedJob, error: string, retryInMs: number | null): Promise<'retry' | 'dead' | 'lost'> {
    const lastError = error.slice(0, ERROR_CHARS);
    const state = retryInMs === null ? 'dead' : 'queued';
    try {
      const rows = rowsOf(
        await this.db.execute(sql`
          update jobs set state = ${state}, run_at = now() + ${ms(retryInMs ?? 0)}, locked_by = null,
            locked_until = null, last_error = ${lastError}, updated_at = now()
          where id = ${job.id} and locked_by = ${job.token}
          returning id`),
      );
      if (!rows.length) return 'lost';
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      await this.complete(job);
    }
    return retryInMs === null ? 'dead' : 'retry';
  }

  /** Extends a running job's lease; false if the claim was lost. */
  async renew(job: ClaimedJob, leaseMs: number): Promise<boolean> {
    const rows = rowsOf(
      await this.db.execute(sql`
        update jobs set locked_until = now() + ${ms(leaseMs)}
        where id = ${job.id} and locked_by = ${job.token} and state = 'running'
        returning id`),
    );
    return rows.length > 0;
  }

  /**
   * Gives an unfinished job back (its process is stopping): queued at once, the run not counted, so another process
   * or the next start takes it without waiting for the lease to end.
   */
  async release(job: ClaimedJob): Promise<void> {
    try {
      await this.db.execute(sql`
        update jobs set state = 'queued', run_at = now(), attempts = greatest(attempts - 1, 0), locked_by = null,
          locked_until = null, updated_at = now()
        where id = ${job.id} and locked_by = ${job.token}`);
    } catch (err) {
      // Another job with its key is waiting: that one runs instead.
      if (!isUniqueViolation(err)) throw err;
      await this.complete(job);
    }
  }

  /** Jobs by kind and state (queued, running, dead), for /metrics. */
  async counts(): Promise<Array<{ kind: string; state: string; count: number }>> {
    const rows = rowsOf<{ kind: string; state: string; count: string | number }>(
      await this.db.execute(sql`select kind, state, count(*) as count from jobs group by kind, state`),
    );
    return rows.map((r) => ({ kind: r.kind, state: r.state, count: Number(r.count) }));
  }

  /** Dead jobs, newest first (of one kind when given). */
  async dead(opts: { kind?: string; limit?: number } = {}): Promise<DeadJob[]> {
    const rows = rowsOf<{
      id: string | number;
      kind: string;
      payload: unknown;
      key: string | null;
      attempts: number;
      last_error: string | null;
      updated_at: Date | string;
    }>(
      await this.db.execute(sql`
        select id, kind, payload, key, attempts, last_error, updated_at from jobs
        where state = 'dead' ${opts.kind ? sql`and kind = ${opts.kind}` : sql``}
        order by updated_at desc, id desc
        limit ${Math.min(Math.max(opts.limit ?? 100, 1), 1000)}::int`),
    );
    return rows.map((r) => ({
      id: Number(r.id),
      kind: r.kind,
      payload: r.payload,
      key: r.key,
      attempts: r.attempts,
      lastError: r.last_error,
      updatedAt: new Date(r.updated_at),
    }));
  }

  /** Gives a dead job its attempts again and queues it now; false if it is not dead (or its key is waiting). */
  async retryDead(id: number): Promise<boolean> {
    try {
      const rows = rowsOf(
        await this.db.execute(sql`
          update jobs set state = 'queued', attempts = 0, run_at = now(), updated_at = now()
          where id = ${id} and state = 'dead' returning id`),
      );
      return rows.length > 0;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  /** Dead jobs last touched more than `olderThanMs` ago are deleted; answers how many. */
  async pruneDead(olderThanMs: number): Promise<number> {
    return rowsOf(
      await this.db.execute(sql`
        delete from jobs where state = 'dead' and updated_at < now() - ${ms(olderThanMs)} returning id`),
    ).length;
  }

  /**
   * Registers a recurring schedule (first tick now, unless it exists already). Its row outlives the process, so a
   * restart does not run a tick again early.
   */
  async ensureSchedule(name: string): Promise<void> {
    await this.db.execute(
      sql`insert into job_schedules (name, next_run_at) values (${name}, now()) on conflict (name) do nothing`,
    );
  }

  /**
   * Claims the schedule's tick if it is due, in one statement: moves `next_run_at` past now by whole intervals and
   * enqueues the tick's job (keyed by the schedule, so ticks do not pile up behind a slow or failing run). Only one
   * process moves a given tick on. Answers whether this call enqueued it and how long until the next tick is due
   * (0 when it lost a race for the tick: its snapshot predates the winner's move, so it asks again at the next poll).
   */
  async tickSchedule(schedule: {
    name: string;
    everyMs: number;
    kind: string;
    payload: unknown;
    maxAttempts: number;
  }): Promise<{ enqueued: boolean; nextInMs: number }> {
    const every = ms(schedule.everyMs);
    const [row] = rowsOf<{ enqueued: string | number; next_in_ms: string | number }>(
      await this.db.execute(sql`
        with due as (
          update job_schedules set next_run_at = next_run_at + ${every} *
            (floor(extract(epoch from now() - next_run_at) * 1000 / ${schedule.everyMs}::double precision) + 1)
          where name = ${schedule.name} and next_run_at <= now()
          returning next_run_at
        ), enqueued as (
          insert into jobs (kind, payload, key, max_attempts)
          select ${schedule.kind}, ${JSON.stringify(schedule.payload ?? {})}::jsonb,
            ${`${schedule.kind}:schedule:${schedule.name}`}, ${schedule.maxAttempts}::int
          from due
          on conflict (key) where state = 'queued' do nothing
          returning id
        )
        select
          (select count(*) from enqueued) as enqueued,
          extract(epoch from coalesce((select next_run_at from due),
            (select next_run_at from job_schedules where name = ${schedule.name}), now()) - now()) * 1000 as next_in_ms`),
    );
    return { enqueued: Number(row.enqueued) > 0, nextInMs: Math.max(0, Number(row.next_in_ms)) };
  }
}
