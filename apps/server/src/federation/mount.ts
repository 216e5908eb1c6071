import type { FastifyInstance } from 'fastify';
import type { RateLimiter } from '../state/rate-limiter';
import type { Federation } from './lazy';

/** Largest activity an inbox reads. */
const INBOX_BODY_BYTES = 1024 * 1024;
/** Activities per remote address per minute, across inboxes. */
const INBOX_PER_MINUTE = 600;

/** The paths Fedify answers (everything else never reaches it). */
const FEDERATION_PATH = /^\/(\.well-known\/(webfinger|nodeinfo)|nodeinfo\/2\.1|inbox|users\/[^/]+(\/.*)?)$/;

/**
 * Mounts Fedify on fastify (ADR 0040): an onRequest hook hands requests on Fedify's paths to `federation.fetch` as a
 * Fetch API Request (the body read raw, so signatures and digests check against the bytes sent) and lets fastify go
 * on when Fedify has nothing for it (not found, or a browser asking for HTML). Also serves host-meta.
 */
export function mountFederation(
  app: FastifyInstance,
  federation: Pick<Federation, 'fetch'>,
  opts: { publicUrl: string; limiter: RateLimiter },
): void {
  const origin = new URL(opts.publicUrl).origin;
  app.get('/.well-known/host-meta', { schema: { hide: true } }, async (_req, reply) => {
    reply.type('application/xrd+xml; charset=utf-8');
    return `<?xml version="1.0" encoding="UTF-8"?>\n<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n  <Link rel="lrdd" template="${origin}/.well-known/webfinger?resource={uri}"/>\n</XRD>\n`;
  });
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0];
    if (!FEDERATION_PATH.test(path)) return;
    const method = request.method;
    if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') return;
    let body: Buffer | undefined;
    if (method === 'POST') {
      if (!path.endsWith('/inbox') && path !== '/inbox') return;
      const limit = await opts.limiter.hit(`inbox:${request.ip}`, INBOX_PER_MINUTE, 60_000);
      if (!limit.allowed) {
        reply
          .code(429)
          .header('retry-after', Math.ceil(limit.resetAfterMs / 1000))
          .send();
        return reply;
      }
      const declared = Number(request.headers['content-length'] ?? 0);
      if (declared > INBOX_BODY_BYTES) {
        reply.code(413).send();
        return reply;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of request.raw) {
        size += (chunk as Buffer).length;
        if (size > INBOX_BODY_BYTES) {
          reply.code(413).header('connection', 'close').send();
          return reply;
        }
        chunks.push(chunk as Buffer);
      }
      body = Buffer.concat(chunks);
    }
    const headers = new Headers();
    for (const [k, v] of Object.entries(request.headers))
      if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    const fetchRequest = new Request(new URL(request.url, origin), {
      method,
      headers,
      body: body ? new Uint8Array(body) : undefined,
    });
    let passOn = false;
    const pass = () => {
      passOn = true;
      return new Response(null, { status: 404 });
    };
    const res = await federation.fetch(fetchRequest, {
      contextData: null,
      onNotFound: pass,
      onNotAcceptable: pass,
    });
    // Fedify has nothing here: the rest of the app answers (a POST body already read cannot be read again).
    if (passOn && method !== 'POST') return;
    reply.code(res.status);
    res.headers.forEach((value, key) => {
      reply.header(key, value);
    });
    reply.send(Buffer.from(await res.arrayBuffer()));
    return reply;
  });
}
