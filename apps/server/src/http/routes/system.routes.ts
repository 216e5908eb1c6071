import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Bus } from '../../events/bus';
import { type Database, ping } from '../../store/db';

/** Operational routes outside the API: health and metrics. */
export function systemRoutes(
  app: FastifyInstance,
  opts: { database: Database; metrics: Registry; bus: Bus },
): void {
  app.get('/health', { schema: { hide: true } }, async (_req, reply) => {
    try {
      await ping(opts.database.db);
      // Without Redis the process still serves (events wait in order, limits are per process): degraded, not down.
      if (!opts.bus.connected())
        return { status: 'degraded', database: opts.database.kind, bus: 'unreachable' };
      return { status: 'ok', database: opts.database.kind };
    } catch {
      reply.code(503);
      return { status: 'unavailable', database: opts.database.kind };
    }
  });

  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.type(opts.metrics.contentType);
    return opts.metrics.metrics();
  });
}
