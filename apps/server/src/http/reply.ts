import type { FastifyReply, FastifyRequest } from 'fastify';

/** Answers 204 with no body and no Content-Type (discord.js crashes on a JSON type with an empty body). */
export function noContent(reply: unknown): FastifyReply {
  // Returned by the handler: an async handler resolving to undefined would make fastify send again while the
  // onSend hooks of the first send are still running ("Reply was already sent").
  return (reply as FastifyReply).code(204).send();
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
