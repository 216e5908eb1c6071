import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { JobQueue } from '../../src/jobs/queue';
import { backoffMs, JobWorker, type KindOptions, type RunObservation } from '../../src/jobs/worker';
import { type Database, openDatabase } from '../../src/store/db';
import { TestGateway } from '../gateway-client';
import { createGuild } from '../guild-helpers';
import { openTestDatabase, startHearth, testDb } from '../harness';

// The durable job queue (ADR 0025) on the tier's database: PGlite, or PostgreSQL with several connections and
// processes claiming at once.

type TestKinds = Record<string, { n: number }>;

const quiet = pino({ level: 'silent' });

async function waitFor(
  what: string,
  cond: () => boolean | Promise<boolean>,
  deadlineMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function row(database: Database, id: number) {
  const result = (await database.db.execute(
    sql`select state, attempts, max_attempts, last_error, locked_by,
          extract(epoch from run_at - now()) * 1000 as run_in_ms
        from jobs where id = ${id}`,
  )) as unknown as {
    rows: Array<{
      state: string;
      attempts: number;
      max_attempts: number;
      last_error: string | null;
      locked_by: string | null;
      run_in_ms: string | number;
    }>;
  };
  const r = result.rows[0];
  return r ? { ...r, runInMs: Number(r.run_in_ms) } : undefined;
}

describe(`jobs on ${testDb}`, () => {
  let database: Database;
  let url: string | null;
  let drop: () => Promise<void>;
  let queue: JobQueue;
  const workers: Array<JobWorker<TestKinds>> = [];

  /** A worker on `db` with `kind` defined; stopped after the file. */
  function worker(
    kind: string,
    handler: (payload: { n: number }, ctx: { attempts: number; signal: AbortSignal }) => Promise<void>,
    options: KindOptions = {},
    opts: { on?: JobQueue; observe?: (run: RunObservation) => void } = {},
  ): JobWorker<TestKinds> {
    const w = new JobWorker<TestKinds>(opts.on ?? queue, { log: quiet, pollMs: 20 });
    if (opts.observe) w.observe(opts.observe);
    w.define(
      kind,
      (payload, { job, signal }) => handler(payload, { attempts: job.attempts, signal }),
      options,
    );
    workers.push(w);
    return w;
  }

  before(async () => {
    ({ database, url, drop } = await openTestDatabase());
    queue = new JobQueue(database.db);
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.stop(0)));
    await drop();
  });

  test('a job runs once with its payload and is gone; a job enqueued in a transaction exists with its commit', async () => {
    const seen: number[] = [];
    const w = worker('t.basic', async ({ n }) => {
      seen.push(n);
    });
    w.start();
    const id = await w.enqueue('t.basic', { n: 7 });
    assert.ok(id);
    await waitFor('the run', () => seen.length === 1);
    await waitFor('the row to go', async () => !(await row(database, id)));
    assert.deepEqual(seen, [7]);
    // Rolled back: never enqueued.
    await database.db
      .transaction(async (tx) => {
        await w.enqueue('t.basic', { n: 8 }, {}, tx);
        tx.rollback();
      })
      .catch(() => {});
    await database.db.transaction(async (tx) => {
      await w.enqueue('t.basic', { n: 9 }, {}, tx);
    });
    await waitFor('the committed job', () => seen.includes(9));
    assert.deepEqual(seen, [7, 9]);
  });

  test('run-at and delay: a job is not claimed before its time', async () => {
    const later = await queue.enqueue('t.when', { n: 1 }, { delayMs: 60_000 });
    const at = await queue.enqueue('t.when', { n: 2 }, { runAt: new Date(Date.now() + 3_600_000) });
    assert.deepEqual(await queue.claim('t.when', 10, 1000), []);
    const past = await queue.enqueue('t.when', { n: 3 }, { runAt: new Date(Date.now() - 1000) });
    const claimed = await queue.claim('t.when', 10, 1000);
    assert.deepEqual(
      claimed.map((j) => j.id),
      [past],
    );
    assert.ok((await row(database, later!))!.runInMs > 55_000);
    assert.ok((await row(database, at!))!.runInMs > 3_500_000);
  });

  test('a key keeps one job waiting; a running one does not count; keys are per kind', async () => {
    const first = await queue.enqueue('t.key', { n: 1 }, { key: 'u1' });
    assert.ok(first);
    assert.equal(await queue.enqueue('t.key', { n: 2 }, { key: 'u1' }), null);
    assert.ok(await queue.enqueue('t.key2', { n: 3 }, { key: 'u1' }), 'another kind');
    assert.ok(await queue.enqueue('t.key', { n: 4 }, { key: 'u2' }), 'another key');
    const [running] = await queue.claim('t.key', 1, 60_000);
    assert.equal(running.id, first);
    assert.deepEqual(running.payload, { n: 1 });
    const second = await queue.enqueue('t.key', { n: 5 }, { key: 'u1' });
    assert.ok(second, 'work arriving during a run gets its own run');
    // The running one fails: its retry folds into the one waiting.
    assert.equal(await queue.fail(running, 'boom', 1000), 'retry');
    assert.equal(await row(database, first!), undefined);
    assert.equal((await row(database, second!))!.state, 'queued');
  });

  test('a failed run is retried after exponential backoff, with the error kept', async () => {
    assert.equal(backoffMs(1, { baseMs: 1000, maxMs: 10_000 }), 1000);
    assert.equal(backoffMs(3, { baseMs: 1000, maxMs: 10_000 }), 4000);
    assert.equal(backoffMs(9, { baseMs: 1000, maxMs: 10_000 }), 10_000);
    assert.equal(backoffMs(500, { baseMs: 1000, maxMs: 10_000 }), 10_000);
    const id = (await queue.enqueue('t.backoff', { n: 1 }))!;
    const [job] = await queue.claim('t.backoff', 1, 60_000);
    assert.equal(await queue.fail(job, 'Error: upstream said no', 30_000), 'retry');
    const r = (await row(database, id))!;
    assert.equal(r.state, 'queued');
    assert.equal(r.attempts, 1);
    assert.equal(r.last_error, 'Error: upstream said no');
    assert.ok(r.runInMs > 25_000 && r.runInMs <= 30_000, `retry in ${r.runInMs} ms`);
    assert.deepEqual(await queue.claim('t.backoff', 1, 60_000), [], 'not before the backoff ends');
    assert.equal(await queue.complete(job), false, 'the failed claim cannot finish it');

    // Through the worker: fails twice, then succeeds on the third attempt.
    const attempts: number[] = [];
    const outcomes: string[] = [];
    const w = worker(
      't.flaky',
      async (_p, { attempts: n }) => {
        attempts.push(n);
        if (n < 3) throw new Error(`attempt ${n} failed`);
      },
      { backoff: { baseMs: 10, maxMs: 40 } },
      { observe: (r) => outcomes.push(r.outcome) },
    );
    w.start();
    const flaky = (await w.enqueue('t.flaky', { n: 1 }))!;
    await waitFor('three attempts', () => outcomes.length === 3);
    assert.deepEqual(attempts, [1, 2, 3]);
    assert.deepEqual(outcomes, ['retry', 'retry', 'done']);
    assert.equal(await row(database, flaky), undefined);
  });

  test('after its last attempt a job is dead, kept for inspection, and can be retried', async () => {
    const outcomes: string[] = [];
    let fail = true;
    const w = worker(
      't.dead',
      async () => {
        if (fail) throw new Error('always broken');
      },
      { maxAttempts: 2, backoff: { baseMs: 10, maxMs: 10 } },
      { observe: (r) => outcomes.push(r.outcome) },
    );
    w.start();
    const id = (await w.enqueue('t.dead', { n: 1 }))!;
    await waitFor('the job to die', () => outcomes.length === 2);
    assert.deepEqual(outcomes, ['retry', 'dead']);
    const [dead] = await queue.dead({ kind: 't.dead' });
    assert.equal(dead.id, id);
    assert.equal(dead.attempts, 2);
    assert.match(dead.lastError ?? '', /always broken/);
    assert.deepEqual(dead.payload, { n: 1 });
    assert.deepEqual(
      (await queue.counts()).filter((c) => c.kind === 't.dead'),
      [{ kind: 't.dead', state: 'dead', count: 1 }],
    );
    // An operator fixes the cause and retries it.
    fail = false;
    assert.equal(await queue.retryDead(id), true);
    w.wake();
    await waitFor('the retried run', () => outcomes.length === 3);
    assert.equal(outcomes[2], 'done');
    assert.equal(await row(database, id), undefined);
    assert.equal(await queue.retryDead(id), false);
  });

  test("a job whose worker died is claimed again when its lease ends; the dead worker's claim is void", async () => {
    const id = (await queue.enqueue('t.lease', { n: 1 }))!;
    // A process claims it and dies (never renews, never finishes).
    const [lost] = await queue.claim('t.lease', 1, 100);
    assert.equal(lost.id, id);
    assert.deepEqual(await queue.claim('t.lease', 1, 100), [], 'held while the lease lasts');
    const attempts: number[] = [];
    worker('t.lease', async (_p, { attempts: n }) => {
      attempts.push(n);
    }).start();
    await waitFor('the reclaimed run', () => attempts.length === 1);
    assert.deepEqual(attempts, [2]);
    await waitFor('the row to go', async () => !(await row(database, id)));
    assert.equal(await queue.complete(lost), false);
    assert.equal(await queue.renew(lost, 1000), false);

    // Lost on its last attempt: dead, not run a further time.
    const last = (await queue.enqueue('t.lease-last', { n: 1 }, { maxAttempts: 1 }))!;
    await queue.claim('t.lease-last', 1, 100);
    const runs: number[] = [];
    worker('t.lease-last', async ({ n }) => {
      runs.push(n);
    }).start();
    await waitFor('the job to die', async () => (await row(database, last))?.state === 'dead');
    assert.deepEqual(runs, []);
    assert.match((await row(database, last))!.last_error ?? '', /lease/);
  });

  test('a long run keeps its lease by renewing it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let started = 0;
    const w = worker(
      't.renew',
      async () => {
        started++;
        await gate;
      },
      { leaseMs: 1500 },
    );
    w.start();
    const id = (await w.enqueue('t.renew', { n: 1 }))!;
    await waitFor('the run', () => started === 1);
    // Well past several leases, a second claimer finds nothing to take.
    const other = new JobQueue(database.db);
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(await other.claim('t.renew', 1, 1500), []);
    }
    release();
    await waitFor('the row to go', async () => !(await row(database, id)));
    assert.equal(started, 1);
  });

  test('concurrency per kind: no more runs of a kind at once than allowed', async () => {
    let running = 0;
    let most = 0;
    let done = 0;
    const w = worker(
      't.concurrency',
      async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        done++;
      },
      { concurrency: 3 },
    );
    for (let n = 0; n < 20; n++) await w.enqueue('t.concurrency', { n });
    w.start();
    await waitFor('every run', () => done === 20);
    assert.equal(most, 3);
  });

  test('stopping lets running jobs finish within the bound and gives back those that do not', async () => {
    let releaseSlow!: () => void;
    const slowGate = new Promise<void>((r) => {
      releaseSlow = r;
    });
    const started: number[] = [];
    let aborted = false;
    let quickDone = false;
    const w = worker(
      't.stop',
      async ({ n }, { signal }) => {
        started.push(n);
        if (n === 1) {
          await new Promise((r) => setTimeout(r, 30));
          quickDone = true;
          return;
        }
        signal.addEventListener('abort', () => {
          aborted = true;
        });
        await slowGate;
      },
      { concurrency: 2 },
    );
    const quick = (await w.enqueue('t.stop', { n: 1 }))!;
    const slow = (await w.enqueue('t.stop', { n: 2 }))!;
    w.start();
    await waitFor('both runs', () => started.length === 2);
    await w.stop(300);
    assert.ok(quickDone, 'the quick run finished before stop returned');
    assert.equal(await row(database, quick), undefined);
    assert.ok(aborted, 'the slow run was told to stop');
    const back = (await row(database, slow))!;
    assert.equal(back.state, 'queued');
    assert.equal(back.attempts, 0, 'the unfinished run is not counted');
    assert.equal(back.locked_by, null);
    releaseSlow();
    // Nothing claims after stop: the job stays for the next process.
    await w.enqueue('t.stop', { n: 3 });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(started.length, 2);
  });

  test('a schedule tick is taken by exactly one claimer, however many race for it', async () => {
    const schedule = { name: 't.tick', everyMs: 60_000, kind: 't.tick', payload: { n: 1 }, maxAttempts: 3 };
    // On PostgreSQL the racers use separate connection pools, as separate processes do.
    const other = url ? await openDatabase({ url, dataDir: 'memory://' }) : null;
    try {
      const queues = [queue, new JobQueue((other ?? database).db)];
      await queue.ensureSchedule(schedule.name);
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => queues[i % 2].tickSchedule(schedule)),
      );
      const winners = results.filter((r) => r.enqueued);
      assert.equal(winners.length, 1);
      assert.ok(
        winners[0].nextInMs > 55_000 && winners[0].nextInMs <= 60_000,
        `next in ${winners[0].nextInMs}`,
      );
      // A racer that waited for the winner's row lock may not see the new time yet (it asks again soon); later
      // ones do, and take nothing.
      const later = await queues[1].tickSchedule(schedule);
      assert.equal(later.enqueued, false);
      assert.ok(later.nextInMs > 55_000 && later.nextInMs <= 60_000, `next in ${later.nextInMs}`);
      assert.deepEqual(
        (await queue.counts()).filter((c) => c.kind === 't.tick'),
        [{ kind: 't.tick', state: 'queued', count: 1 }],
      );
      // Overdue by several intervals (the instance was down): one tick, and the next one in the future.
      await database.db.execute(
        sql`update job_schedules set next_run_at = now() - interval '5 minutes' where name = 't.tick'`,
      );
      await queue.claim('t.tick', 1, 60_000);
      const late = await queue.tickSchedule(schedule);
      assert.equal(late.enqueued, true);
      assert.ok(late.nextInMs > 0 && late.nextInMs <= 60_000);
      assert.equal((await queue.counts()).find((c) => c.kind === 't.tick' && c.state === 'queued')?.count, 1);
    } finally {
      await other?.close();
    }
  });

  test('a recurring schedule runs again and again through the worker', async () => {
    let runs = 0;
    const w = worker('t.every', async () => {
      runs++;
    });
    w.every('t.every', 30, 't.every', { n: 1 });
    w.start();
    await waitFor('three ticks', () => runs >= 3);
  });

  test('two processes claiming the same queue run each job exactly once', {
    skip: testDb !== 'postgres' && 'PGlite is one process per data directory',
  }, async () => {
    const total = 300;
    for (let n = 0; n < total; n++) await queue.enqueue('test.record', { n });
    const fixture = new URL('../job-worker-process.ts', import.meta.url).pathname;
    const children: ChildProcess[] = [];
    const outputs: string[] = [];
    for (let i = 0; i < 2; i++) {
      const child = spawn(process.execPath, ['--import', 'tsx', fixture, url!], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      children.push(child);
      outputs.push('');
      child.stdout!.on('data', (d) => (outputs[i] += d));
    }
    await waitFor('both processes', () => outputs.every((o) => o.startsWith('ready\n')), 60_000);
    for (const child of children) child.stdin!.write('go\n');
    const codes = await Promise.all(
      children.map((c) => new Promise<number | null>((resolve) => c.once('exit', resolve))),
    );
    assert.deepEqual(codes, [0, 0]);
    const runs = outputs.flatMap((o) =>
      o
        .split('\n')
        .slice(1)
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { n: number; pid: number }),
    );
    const ns = runs.map((r) => r.n).sort((a, b) => a - b);
    assert.deepEqual(
      ns,
      Array.from({ length: total }, (_, n) => n),
      'every job ran, none twice',
    );
    const perProcess = new Set(runs.map((r) => r.pid));
    console.log(`# runs per process: ${[...perProcess].map((p) => runs.filter((r) => r.pid === p).length)}`);
  });
});

describe(`jobs in the app on ${testDb}`, () => {
  test('a job enqueued by a process that stopped before running it runs at the next start', async () => {
    // The first process runs no jobs: the one its gateway enqueues is sure to wait for the restart.
    const h = await startHearth({ jobsWorker: false });
    let restarted: Awaited<ReturnType<typeof startHearth>> | null = null;
    try {
      const g = await createGuild(h);
      const invite = await h.api('POST', `/channels/${g.textChannelId}/invites`, {
        token: g.owner.token,
        body: { temporary: true },
      });
      const guest = await h.register();
      assert.equal((await h.api('POST', `/invites/${invite.body.code}`, { token: guest.token })).status, 200);
      const gw = await TestGateway.identify(h, guest.token, {}, 1);
      assert.equal((await h.api('POST', '/auth/logout', { token: guest.token })).status, 204);
      await gw.closed();
      await waitFor('the job', async () =>
        (await h.app.jobs.queue.counts()).some(
          (c) => c.kind === 'members.end-temporary' && c.state === 'queued',
        ),
      );
      const member = `/guilds/${g.id}/members/${guest.id}`;
      assert.equal((await h.api('GET', member, { token: g.owner.token })).status, 200);
      await h.stop();

      restarted = await startHearth({}, { after: h });
      const r = restarted;
      await waitFor('the temporary membership to end', async () =>
        r.events.some(
          (e) => e.t === 'GUILD_MEMBER_REMOVE' && (e.d as { user: { id: string } }).user.id === guest.id,
        ),
      );
      assert.equal((await r.api('GET', member, { token: g.owner.token })).status, 404);
      assert.deepEqual(
        (await r.app.jobs.queue.counts()).filter((c) => c.kind === 'members.end-temporary'),
        [],
      );
      // /metrics tells the jobs by kind and state, and this process's runs.
      const metrics = (await r.api('GET', '/metrics', { root: true })).text;
      assert.match(metrics, /hearth_jobs\{kind="members\.end-temporary",state="queued"\} 0/);
      assert.match(metrics, /hearth_job_runs_total\{kind="members\.end-temporary",outcome="done"\} 1/);
      assert.match(metrics, /hearth_job_run_duration_seconds_count\{kind="members\.end-temporary"\} 1/);
      assert.match(metrics, /hearth_jobs\{kind="threads\.archive-inactive",state="dead"\} 0/);
    } finally {
      if (restarted) await restarted.close();
      else await h.close();
    }
  });

  test('the thread auto-archive sweep is a schedule every process shares', async () => {
    const h = await startHearth();
    try {
      // The first start takes the first tick at once; the schedule's next tick is a minute on.
      await waitFor('the schedule', async () => {
        const result = (await h.app.database.db.execute(
          sql`select extract(epoch from next_run_at - now()) * 1000 as next_in_ms from job_schedules
              where name = 'threads.archive-inactive'`,
        )) as unknown as { rows: Array<{ next_in_ms: string | number }> };
        return result.rows.length === 1 && Number(result.rows[0].next_in_ms) > 0;
      });
      await waitFor('the first sweep to finish', async () =>
        /hearth_job_runs_total\{kind="threads\.archive-inactive",outcome="done"\} [1-9]/.test(
          (await h.api('GET', '/metrics', { root: true })).text,
        ),
      );
    } finally {
      await h.close();
    }
  });
});
