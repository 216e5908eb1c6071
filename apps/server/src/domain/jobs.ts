import type { JobPayloads } from '../jobs/kinds';
import type { JobWorker } from '../jobs/worker';
import type { Services } from './services';

/** Threads idle past their auto_archive_duration are looked for this often. */
const ARCHIVE_SWEEP_MS = 60_000;
/** Social media uploads left unattached past a day are looked for this often. */
const MEDIA_EXPIRE_SWEEP_MS = 60 * 60_000;

/** Account archives past their expiry are looked for this often (ADR 0051). */
const ARCHIVES_SWEEP_MS = 60 * 60_000;

/** Voice states whose session died with its process are looked for this often (ADR 0034). */
const VOICE_SWEEP_MS = 60_000;

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
    'social.media-expire',
    async () => {
      await services.social.media.expireUnattached();
    },
    { maxAttempts: 3, backoff: { baseMs: 30_000, maxMs: 5 * 60_000 } },
  );
  jobs.every('social.media-expire', MEDIA_EXPIRE_SWEEP_MS, 'social.media-expire', {});
  jobs.define(
    'social.remote-media-fetch',
    async ({ userId, id }) => {
      await services.social.media.fetchRemote(userId, id);
    },
    // Two at a time per process: a file is read into memory (at most REMOTE_MEDIA_MAX_BYTES).
    { concurrency: 2, maxAttempts: 4, backoff: { baseMs: 60_000, maxMs: 60 * 60_000 } },
  );
  jobs.define(
    'social.remote-profile-image-fetch',
    async ({ userId, kind, url }) => {
      await services.social.remote.fetchProfileImage(userId, kind, url);
    },
    { concurrency: 2, maxAttempts: 4, backoff: { baseMs: 60_000, maxMs: 60 * 60_000 } },
  );
  jobs.define(
    'social.remote-media-sweep',
    async () => {
      await services.social.media.sweepRemote();
    },
    { maxAttempts: 3, backoff: { baseMs: 30_000, maxMs: 5 * 60_000 } },
  );
  jobs.every('social.remote-media-sweep', MEDIA_EXPIRE_SWEEP_MS, 'social.remote-media-sweep', {});
  jobs.define(
    'social.poll-end',
    async ({ userId, pollId, expiresAt }) => {
      await services.social.polls.end(userId, pollId, expiresAt);
    },
    { concurrency: 4 },
  );
  jobs.define(
    'accounts.delete',
    async ({ userId }) => {
      if (await services.lifecycle.removeNextBatch(userId))
        await jobs.enqueue('accounts.delete', { userId }, { key: userId });
    },
    { maxAttempts: 10, backoff: { baseMs: 30_000, maxMs: 60 * 60_000 } },
  );
  jobs.define(
    'accounts.import',
    async ({ userId, importId }) => {
      if (await services.imports.runBatch(userId, importId))
        await jobs.enqueue('accounts.import', { userId, importId }, { key: importId });
    },
    // A batch looks accounts up on other instances (each lookup bounded); a failed run is repeated whole.
    { maxAttempts: 10, timeoutMs: 30 * 60_000, backoff: { baseMs: 30_000, maxMs: 30 * 60_000 } },
  );
  jobs.define(
    'accounts.archive',
    async ({ userId, archiveId }) => {
      await services.exports.buildArchive(userId, archiveId);
    },
    // A large account's archive takes a while; a failure marks it failed (its owner may ask again) rather than retry.
    { maxAttempts: 2, timeoutMs: 2 * 3_600_000, backoff: { baseMs: 60_000, maxMs: 10 * 60_000 } },
  );
  jobs.define(
    'accounts.archives-sweep',
    async () => {
      while ((await services.exports.sweepExpired()) > 0);
    },
    { maxAttempts: 3, backoff: { baseMs: 30_000, maxMs: 5 * 60_000 } },
  );
  jobs.every('accounts.archives-sweep', ARCHIVES_SWEEP_MS, 'accounts.archives-sweep', {});
  jobs.define(
    'voice.sweep',
    async () => {
      await services.voice.sweep();
    },
    { maxAttempts: 3, backoff: { baseMs: 5000, maxMs: 30_000 } },
  );
  jobs.every('voice.sweep', VOICE_SWEEP_MS, 'voice.sweep', {});
  jobs.define(
    'calls.ring-timeout',
    async ({ channelId, userId, at }) => {
      await services.calls.ringTimeout(channelId, userId, at);
    },
    { concurrency: 4 },
  );
  jobs.define(
    'interactions.deadline',
    async ({ channelId, interactionId }) => {
      await services.interactions.expire(channelId, interactionId);
    },
    { concurrency: 4 },
  );
  jobs.define(
    'interactions.sweep',
    async () => {
      await services.interactions.sweep();
    },
    { maxAttempts: 3, backoff: { baseMs: 5000, maxMs: 30_000 } },
  );
  jobs.every('interactions.sweep', 60_000, 'interactions.sweep', {});
  jobs.define(
    'messages.unfurl',
    async ({ channelId, messageId }) => {
      await services.linkPreviews.unfurl(channelId, messageId);
    },
    // A preview is a nicety: a page that keeps failing is not worth many runs.
    { concurrency: 4, maxAttempts: 2, backoff: { baseMs: 5000, maxMs: 30_000 } },
  );
  jobs.define(
    'messages.link-previews-sweep',
    async () => {
      await services.linkPreviews.sweepCache();
    },
    { maxAttempts: 3, backoff: { baseMs: 30_000, maxMs: 5 * 60_000 } },
  );
  jobs.every('messages.link-previews-sweep', 60 * 60_000, 'messages.link-previews-sweep', {});
  jobs.define(
    'messages.cloud-uploads-sweep',
    async () => {
      await services.messages.cloudUploads.sweep();
    },
    { maxAttempts: 3, backoff: { baseMs: 30_000, maxMs: 5 * 60_000 } },
  );
  jobs.every('messages.cloud-uploads-sweep', 5 * 60_000, 'messages.cloud-uploads-sweep', {});
}
