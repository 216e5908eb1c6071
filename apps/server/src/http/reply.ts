import type { FastifyReply, FastifyRequest } from 'fastify';

/** Answers 204 with no body and no Content-Type (discord.js crashes on a JSON type with an empty body). */
export function noContent(reply: unknown): void {
  (reply as FastifyReply).code(204).send();
}

/** The `X-Audit-Log-Reason` header, URL-decoded as discord.js sends it, at most 512 characters. */
export function auditReason(request: FastifyRequest): string | null {
  const raw = request.headers['x-audit-log-reason'];
  if (typeof raw !== 'string' || !raw) return null;
  let reason = raw;
  try {
    reason = decodeURIComponent(raw);
  } catch {}
  return reason.slice(0, 512);
}
