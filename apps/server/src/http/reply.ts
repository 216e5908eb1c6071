import type { FastifyReply } from 'fastify';

/** Answers 204 with no body and no Content-Type (discord.js crashes on a JSON type with an empty body). */
export function noContent(reply: unknown): void {
  (reply as FastifyReply).code(204).send();
}
