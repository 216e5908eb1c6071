import type { JobPayloads } from '../jobs/kinds';
import type { JobWorker } from '../jobs/worker';
import type { Services } from './services';

/** Threads idle past their auto_archive_duration are looked for this often. */
export const ARCHIVE_SWEEP_MS = 60_000;

/** Voice states whose session died with its process are looked for this often (ADR 00XX). */
export const VOICE_SWEEP_MS = 60_000;

/** The handlers of the domain's job kinds and its recurring schedules (app.ts calls this once). */
export function defineDomainJobs(jobs: JobWorker<JobPayloads>, services: Services): void {
  jobs.define(
    'threads.archive-inactive',
    async () => {
      await services.threads.archiveInactive();
    },
    // A sweep: retried soon, and a tick that keeps failing gives way to the next tick.
    { maxAttempts: 3, backoff: { baseMs: 5000, maxMs: 30_000 } },
  );
  jobs.every('threads.archive-inactive', ARCHIVE_SWEEP_MS, 'threads.archive-inactive', {});
  jobs.define(
    'members.end-temporary',
    async ({ userId }) => {
      // Connected again since (on any process): the memberships stay.
      if (!(await services.presence.connected(userId)))
        await services.members.endTemporaryMemberships(userId);
    },
    { concurrency: 4 },
  );
  jobs.define(
    'voice.sweep',
    async () => {
      await services.voice.sweep();
    },
    { maxAttempts: 3, backoff: { baseMs: 5000, maxMs: 30_000 } },
  );
  jobs.every('voice.sweep', VOICE_SWEEP_MS, 'voice.sweep', {});
}
