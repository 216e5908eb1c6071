import type { MessageQueue, MessageQueueEnqueueOptions } from '@fedify/fedify';
import type { JobPayloads } from '../jobs/kinds';
import type { JobWorker } from '../jobs/worker';

/**
 * Fedify's message queue on Hearth's durable jobs (ADR 0025, ADR 0040): a task is a `federation.task` job, claimed
 * by exactly one process that runs jobs, kept across restarts. Fedify is built with `manuallyStartQueue` and its
 * queue is never started: the job handler hands each task to `federation.processQueuedTask`, so `listen` is unused.
 * Retries are Fedify's own (a failed delivery is enqueued again with its backoff), hence no `nativeRetrial`.
 */
export class JobsMessageQueue implements MessageQueue {
  readonly nativeRetrial = false;
  constructor(private readonly jobs: Pick<JobWorker<JobPayloads>, 'enqueue'>) {}

  async enqueue(message: unknown, options?: MessageQueueEnqueueOptions): Promise<void> {
    const delayMs = options?.delay ? Math.max(0, Math.round(options.delay.total('millisecond'))) : 0;
    await this.jobs.enqueue('federation.task', { message }, { delayMs });
  }

  async enqueueMany(messages: readonly unknown[], options?: MessageQueueEnqueueOptions): Promise<void> {
    for (const message of messages) await this.enqueue(message, options);
  }

  /** Never called (manuallyStartQueue): the job worker runs the tasks. Resolves when asked to stop. */
  listen(_handler: (message: unknown) => Promise<void> | void, options?: { signal?: AbortSignal }) {
    return new Promise<void>((resolve) => {
      if (!options?.signal) return resolve();
      options.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }
}
