import type { FastifyReply } from 'fastify';

/**
 * Every served file (attachments, previews, avatars, icons, emojis) is data, never a page: a policy that runs no
 * script and loads nothing, in a sandbox (inline styles only, so that a browser's own image and video viewers look
 * right), and no type sniffing. An HTML or SVG file opened from its URL can then do nothing on Hearth's origin.
 */
const FILE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

/** Sets the headers of a served file (above). */
export function servedAsFile(reply: FastifyReply): FastifyReply {
  return reply.header('x-content-type-options', 'nosniff').header('content-security-policy', FILE_POLICY);
}

/**
 * The policy of /api/docs (Swagger UI): its own scripts, images and fonts from this origin, no inline script; its
 * requests ("Try it out") to this origin and to PUBLIC_URL, where the OpenAPI document says the API is. Styles may be
 * inline: Swagger UI's bundle applies some (a browser reports them otherwise), and a style runs no code.
 */
export function docsPolicy(publicUrl: string): string {
  return [
    "default-src 'none'",
    "base-uri 'none'",
    `connect-src 'self' ${new URL(publicUrl).origin}`,
    "font-src 'self' data:",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "img-src 'self' data:",
    "object-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
  ].join('; ');
}
