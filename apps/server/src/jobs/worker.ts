import type { Logger } from 'pino';
import type { DbOrTx } from '../store/db';
import { type ClaimedJob, DEFAULT_MAX_ATTEMPTS, type EnqueueOptions, type JobQueue } from './queue';
import { Schedules } from './schedules';

/** What a handler gets besides the payload. */
interface JobContext {
  /** The job as claimed: `attempts` counts this run. */
  job: ClaimedJob;
  /** Aborted when the run timed out or the process is stopping: stop early where you can. */
  signal: AbortSignal;
}

export type JobHandler<T> = (payload: T, ctx: JobContext) => Promise<void>;

/** How one kind runs. Every field has a default. */
export interface KindOptions {
  /** Runs of this kind at once in this process (default 1). */
  concurrency?: number;
  /** Runs before the job is dead (default 5). */
  maxAttempts?: number;
  /** The wait before retry n is `baseMs * 2^(n-1)`, at most `maxMs` (default 1 s, 1 h). */
  backoff?: { baseMs: number; maxMs: number };
  /** How long a claim lasts unless renewed; the worker renews it every third of this while the run goes on. */
  leaseMs?: number;
  /** A run still going after this long counts as failed (default 5 minutes). */
  timeoutMs?: number;
}

/** A run's end, as /metrics counts it. */
export interface RunObservation {
  kind: string;
  outcome: 'done' | 'retry' | 'dead';
  seconds: number;
}

interface Definition {
  handler: JobHandler<unknown>;
  concurrency: number;
  maxAttempts: number;
  backoff: { baseMs: number; maxMs: number };
  leaseMs: number;
  timeoutMs: number;
  running: number;
}

interface Run {
  job: ClaimedJob;
  abort: AbortController;
  done: Promise<void>;
}

/** The wait before the retry that follows failed run `attempt` (1-based). */
export function backoffMs(attempt: number, backoff: { baseMs: number; maxMs: number }): number {
  return Math.min(backoff.baseMs * 2 ** Math.min(attempt - 1, 40), backoff.maxMs);
}

class JobTimeout extends Error {}

/**
 * Durable background jobs (ADR 0025): the kind → handler registry, the enqueue entry point, and the loop that claims
 * and runs this process's share. Claims are polled (every `pollMs`, and at once after an enqueue in this process):
 * no LISTEN/NOTIFY, which neither PGlite's one embedded connection nor a pooled PostgreSQL keeps.
 */
export class JobWorker<P extends object> {
  private readonly kinds = new Map<string, Definition>();
  private readonly runs = new Set<Run>();
  private readonly observers: Array<(run: RunObservation) => void> = [];
  private readonly schedules: Schedules;
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private pollAgain = false;
  private started = false;
  private stopping = false;

  constructor(
    readonly queue: JobQueue,
    private readonly opts: {
      log: Logger;
      /** Milliseconds between claims when nothing woke the worker (default 1000). */
      pollMs?: number;
    },
  ) {
    this.schedules = new Schedules(queue, opts.log);
  }

  /** Registers the handler of `kind` (once per kind). Jobs of kinds without a handler here wait for a process that has one. */
  define<K extends keyof P & string>(kind: K, handler: JobHandler<P[K]>, options: KindOptions = {}): void {
    if (this.kinds.has(kind)) throw new Error(`job kind ${kind} is defined twice`);
    this.kinds.set(kind, {
      handler: handler as JobHandler<unknown>,
      concurrency: Math.max(1, options.concurrency ?? 1),
      maxAttempts: Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS),
      backoff: options.backoff ?? { baseMs: 1000, maxMs: 3_600_000 },
      leaseMs: Math.max(100, options.leaseMs ?? 60_000),
      timeoutMs: options.timeoutMs ?? 5 * 60_000,
      running: 0,
    });
  }

  /**
   * Runs `kind` with `payload` every `everyMs`, across all processes on this database: each tick is enqueued by
   * exactly one of them, and runs (with retries) like any job.
   */
  every<K extends keyof P & string>(name: string, everyMs: number, kind: K, payload: P[K]): void {
    this.schedules.add({
      name,
      everyMs,
      kind,
      payload,
      maxAttempts: this.kinds.get(kind)?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    });
    if (this.started) this.wake();
  }

  /** Adds a job (in `tx` when given, so it commits with the caller's writes); null when its key is already waiting. */
  async enqueue<K extends keyof P & string>(
    kind: K,
    payload: P[K],
    opts: EnqueueOptions = {},
    tx?: DbOrTx,
  ): Promise<number | null> {
    const id = await this.queue.enqueue(
      kind,
      payload,
      { ...opts, maxAttempts: opts.maxAttempts ?? this.kinds.get(kind)?.maxAttempts },
      tx,
    );
    const later = (opts.delayMs ?? 0) > 0 || (opts.runAt && opts.runAt.getTime() > Date.now());
    if (id !== null && !tx && !later) this.wake();
    return id;
  }

  /** Calls `observer` at the end of every run in this process (/metrics counts them). */
  observe(observer: (run: RunObservation) => void): void {
    this.observers.push(observer);
  }

  /** Kinds this process runs. */
  definedKinds(): string[] {
    return [...this.kinds.keys()];
  }

  /** Starts claiming and taking schedule ticks. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.wake();
  }

  /** Claims soon (now, or right after the claim under way). */
  wake(): void {
    if (!this.started || this.stopping) return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.poll(), 0);
    this.timer.unref();
  }

  /**
   * Stops claiming and gives running jobs up to `graceMs` to finish; those still running then are aborted and
   * given back to the queue (they run again elsewhere or at the next start).
   */
  async stop(graceMs = 5000): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.polling;
    if (!this.runs.size) return;
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...this.runs].map((r) => r.done)),
      new Promise((resolve) => {
        bound = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(bound);
    const unfinished = [...this.runs];
    for (const run of unfinished) run.abort.abort(new Error('the process is stopping'));
    await Promise.all(
      unfinished.map((run) =>
        this.queue
          .release(run.job)
          .catch((err) =>
            this.opts.log.warn({ err, job: run.job.id }, 'could not give back an unfinished job'),
          ),
      ),
    );
  }

  private poll(): void {
    this.timer = null;
    this.polling = this.claimAndRun()
      .catch((err) => this.opts.log.warn({ err }, 'could not claim jobs'))
      .finally(() => {
        this.polling = null;
        if (this.stopping) return;
        const again = this.pollAgain;
        this.pollAgain = false;
        const wait = again ? 0 : Math.min(this.opts.pollMs ?? 1000, this.schedules.nextDueInMs());
        this.timer = setTimeout(() => this.poll(), wait);
        this.timer.unref();
      });
  }

  private async claimAndRun(): Promise<void> {
    await this.schedules.tick();
    const open = [...this.kinds].filter(([, def]) => def.running < def.concurrency).map(([kind]) => kind);
    const due = await this.queue.dueKinds(open);
    for (const kind of due) {
      const def = this.kinds.get(kind)!;
      if (this.stopping) return;
      const free = def.concurrency - def.running;
      if (free <= 0) continue;
      const claimed = await this.queue.claim(kind, free, def.leaseMs);
      for (const job of claimed) this.run(def, job);
      // A full batch: there may be more waiting.
      if (claimed.length === free) this.pollAgain = true;
    }
  }

  private run(def: Definition, job: ClaimedJob): void {
    def.running++;
    const abort = new AbortController();
    const started = performance.now();
    const run: Run = { job, abort, done: Promise.resolve() };
    run.done = this.execute(def, job, abort)
      .then((outcome) => {
        if (!outcome) return;
        const seconds = (performance.now() - started) / 1000;
        for (const observer of this.observers) observer({ kind: job.kind, outcome, seconds });
      })
      .catch((err) => this.opts.log.warn({ err, kind: job.kind, job: job.id }, 'could not record a job run'))
      .finally(() => {
        def.running--;
        this.runs.delete(run);
        this.wake();
      });
    this.runs.add(run);
  }

  /** One run; answers its outcome, or null when the claim was lost or given back meanwhile. */
  private async execute(
    def: Definition,
    job: ClaimedJob,
    abort: AbortController,
  ): Promise<RunObservation['outcome'] | null> {
    const { log } = this.opts;
    // Claimed again after its lease ended on what was its last attempt: its worker died each time.
    if (job.attempts > job.maxAttempts) {
      const outcome = await this.queue.fail(
        job,
        'its worker stopped (the lease ended) on the last attempt',
        null,
      );
      log.error({ kind: job.kind, job: job.id, attempts: job.maxAttempts }, 'a job is dead');
      return outcome === 'lost' ? null : outcome;
    }
    const renew = setInterval(() => {
      this.queue.renew(job, def.leaseMs).then(
        // Lost (this process stalled past its lease and another took the job): stop where the handler can.
        (held) => held || abort.abort(new Error('the claim was lost')),
        (err) => log.warn({ err, job: job.id }, 'could not renew a lease'),
      );
    }, def.leaseMs / 3);
    renew.unref();
    let timeout: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        def.handler(job.payload, { job, signal: abort.signal }),
        new Promise<never>((_, reject) => {
          timeout = setTimeout(
            () => reject(new JobTimeout(`timed out after ${def.timeoutMs} ms`)),
            def.timeoutMs,
          );
        }),
      ]);
    } catch (err) {
      if (err instanceof JobTimeout) abort.abort(err);
      if (this.stopping && abort.signal.aborted && !(err instanceof JobTimeout)) return null;
      const last = job.attempts >= job.maxAttempts;
      const outcome = await this.queue.fail(
        job,
        err instanceof Error ? (err.stack ?? err.message) : String(err),
        last ? null : backoffMs(job.attempts, def.backoff),
      );
      if (outcome === 'dead')
        log.error({ err, kind: job.kind, job: job.id, attempts: job.attempts }, 'a job is dead');
      else if (outcome === 'retry')
        log.warn(
          { err, kind: job.kind, job: job.id, attempt: job.attempts },
          'a job failed; it will be retried',
        );
      return outcome === 'lost' ? null : outcome;
    } finally {
      clearInterval(renew);
      clearTimeout(timeout);
    }
    return (await this.queue.complete(job)) ? 'done' : null;
  }
}
