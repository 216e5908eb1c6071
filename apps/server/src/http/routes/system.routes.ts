import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { type Database, ping } from '../../store/db';
import { landingPage, resetPage, verifyPage } from '../pages';

/** Operational routes outside the API: landing page, health, metrics and the mail-link pages. */
export function systemRoutes(app: FastifyInstance, opts: { database: Database; metrics: Registry }): void {
  const html = (body: string) => async (_req: unknown, reply: import('fastify').FastifyReply) => {
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
    return body;
  };
  app.get('/', { schema: { hide: true } }, html(landingPage));
  app.get('/verify', { schema: { hide: true } }, html(verifyPage));
  app.get('/reset-password', { schema: { hide: true } }, html(resetPage));

  app.get('/health', { schema: { hide: true } }, async (_req, reply) => {
    try {
      await ping(opts.database.db);
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
