import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { JobWorker } from '../jobs/worker';
import type { Database } from '../store/db';

/** Prometheus metrics of one app instance: requests, latencies, the database pool, jobs and the process. */
export function registerMetrics(
  app: FastifyInstance,
  database: Database,
  jobs: Pick<JobWorker<object>, 'queue' | 'definedKinds' | 'observe'>,
): Registry {
  const registry = new Registry();
  // The event-loop lag histogram samples every 100 ms: prom-client's default (10 ms) wakes the process a hundred
  // times a second, which measured ~0.4 % of a core in an otherwise idle process (~0.15 % at 100 ms).
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  const requests = new Counter({
    name: 'hearth_http_requests_total',
    help: 'HTTP requests answered',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'hearth_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  new Gauge({
    name: 'hearth_db_pool_connections',
    help: 'Database connections by state (total, idle, waiting for one)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const stats = database.poolStats();
      this.set({ state: 'total' }, stats.total);
      if (stats.idle !== undefined) this.set({ state: 'idle' }, stats.idle);
      if (stats.waiting !== undefined) this.set({ state: 'waiting' }, stats.waiting);
    },
  });
  registerJobMetrics(registry, jobs);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  return registry;
}

/**
 * Jobs in the database by kind and state (every process sees the same numbers: they are the instance's), and this
 * process's runs: how they ended (done, retry: failed and queued again, dead) and how long they took.
 */
function registerJobMetrics(
  registry: Registry,
  jobs: Pick<JobWorker<object>, 'queue' | 'definedKinds' | 'observe'>,
): void {
  new Gauge({
    name: 'hearth_jobs',
    help: 'Background jobs by kind and state (queued, running, dead), across all processes',
    labelNames: ['kind', 'state'] as const,
    registers: [registry],
    async collect() {
      // The database unreachable: the other metrics are still answered, these are left out.
      const counts = await jobs.queue.counts().catch(() => null);
      this.reset();
      if (!counts) return;
      for (const kind of jobs.definedKinds())
        for (const state of ['queued', 'running', 'dead']) this.set({ kind, state }, 0);
      for (const { kind, state, count } of counts) this.set({ kind, state }, count);
    },
  });
  const ended = new Counter({
    name: 'hearth_job_runs_total',
    help: 'Job runs in this process by kind and outcome (done; retry: failed, queued again; dead: failed its last)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'hearth_job_run_duration_seconds',
    help: 'How long job runs took in this process',
    labelNames: ['kind'] as const,
    buckets: [0.005, 0.025, 0.1, 0.5, 1, 5, 30, 120, 600],
    registers: [registry],
  });
  jobs.observe(({ kind, outcome, seconds }) => {
    ended.inc({ kind, outcome });
    duration.observe({ kind }, seconds);
  });
}
