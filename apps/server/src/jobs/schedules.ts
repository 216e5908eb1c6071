import type { Logger } from 'pino';
import type { JobQueue } from './queue';

export interface Schedule {
  /** Unique across the instance: the row in job_schedules. */
  name: string;
  everyMs: number;
  kind: string;
  payload: unknown;
  maxAttempts: number;
}

/**
 * The recurring schedules this process knows. Each poll offers their due ticks to the database, which lets one
 * process take each tick (`JobQueue.tickSchedule`); between ticks a schedule costs no statement, since the answer
 * says when the next one is due.
 */
export class Schedules {
  private readonly list: Array<Schedule & { dueAt: number }> = [];

  constructor(
    private readonly queue: JobQueue,
    private readonly log: Logger,
  ) {}

  add(schedule: Schedule): void {
    if (this.list.some((s) => s.name === schedule.name))
      throw new Error(`schedule ${schedule.name} is defined twice`);
    if (!(schedule.everyMs >= 10))
      throw new Error(`schedule ${schedule.name} needs an interval of 10 ms or more`);
    this.list.push({ ...schedule, dueAt: 0 });
  }

  /** Enqueues the ticks that are due and that no other process took first. */
  async tick(): Promise<void> {
    const now = Date.now();
    for (const s of this.list) {
      if (s.dueAt > now) continue;
      try {
        await this.queue.ensureSchedule(s.name);
        const { nextInMs } = await this.queue.tickSchedule(s);
        s.dueAt = Date.now() + nextInMs;
      } catch (err) {
        this.log.warn({ err, schedule: s.name }, 'could not take a schedule tick');
      }
    }
  }

  /** Milliseconds until the earliest schedule is due (Infinity without schedules). */
  nextDueInMs(): number {
    let next = Number.POSITIVE_INFINITY;
    for (const s of this.list) next = Math.min(next, Math.max(0, s.dueAt - Date.now()));
    return next;
  }
}
