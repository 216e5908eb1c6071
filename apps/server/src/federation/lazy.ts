import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Services } from '../domain/services';
import type { FederationDelivery, JobPayloads } from '../jobs/kinds';
import type { JobWorker } from '../jobs/worker';
import type { Db } from '../store/db';
import type { createHearthFederation, HearthFederation } from './federation';
import { DatabaseKvStore } from './kv';

/** Fedify's expired cache entries are deleted this often. */
const KV_SWEEP_MS = 60 * 60_000;

type Built = ReturnType<typeof createHearthFederation>;

/** What the rest of Hearth uses of its ActivityPub side, whichever loaded it first. */
export interface Federation {
  /** Answers a request on one of Fedify's paths (mount.ts). */
  fetch: HearthFederation['fetch'];
  /** `name@host` of another instance, stored as an account (the profiles service's resolver). */
  resolve(acct: string): Promise<string | null>;
  /** Fetches a remote account's actor again, afresh, and stores it (the moves service's check). */
  refresh(accountId: string): Promise<boolean>;
  deliver(d: FederationDelivery): Promise<void>;
  processQueuedTask(message: unknown): Promise<void>;
  kv: DatabaseKvStore;
}

/**
 * Hearth's ActivityPub side (ADR 0040), with Fedify and its vocabulary (~25 MB of heap, ~90 MB resident with what
 * they pull in) loaded by the first thing that needs them: a request on a federation path, a delivery or a queued
 * task, or a lookup of a remote account. An instance nobody federates with never loads them (docs/performance.md,
 * idle RSS). Everything else is as if built at start: one Federation, built once.
 */
export function lazyFederation(opts: {
  config: Config;
  db: Db;
  services: Services;
  jobs: Pick<JobWorker<JobPayloads>, 'enqueue'>;
  log: Logger;
}): Federation {
  const kv = new DatabaseKvStore(opts.db);
  let loading: Promise<Built> | null = null;
  const built = (): Promise<Built> => {
    loading ??= import('./federation').then(
      (m) => m.createHearthFederation({ ...opts, kv }),
      (err) => {
        loading = null;
        throw err;
      },
    );
    return loading;
  };
  return {
    fetch: async (request, options) => (await built()).federation.fetch(request, options),
    resolve: async (acct) => (await built()).resolve(acct),
    refresh: async (id) => (await built()).refresh(id),
    deliver: async (d) => (await built()).deliver(d),
    processQueuedTask: async (message) => (await built()).processTask(message),
    kv,
  };
}

/** The handlers of the federation job kinds (app.ts calls this once). */
export function defineFederationJobs(jobs: JobWorker<JobPayloads>, f: Federation): void {
  jobs.define(
    'federation.kv-sweep',
    async () => {
      await f.kv.sweep();
    },
    { maxAttempts: 3, backoff: { baseMs: 30_000, maxMs: 5 * 60_000 } },
  );
  jobs.every('federation.kv-sweep', KV_SWEEP_MS, 'federation.kv-sweep', {});
  jobs.define(
    'federation.task',
    async ({ message }) => {
      await f.processQueuedTask(message);
    },
    // Fedify retries deliveries itself (a new task with its backoff); a task that throws is Hearth's failure.
    { concurrency: 4, maxAttempts: 3, backoff: { baseMs: 5000, maxMs: 60_000 } },
  );
  jobs.define('federation.deliver', (d) => f.deliver(d), {
    concurrency: 4,
    maxAttempts: 8,
    backoff: { baseMs: 10_000, maxMs: 3_600_000 },
  });
}
