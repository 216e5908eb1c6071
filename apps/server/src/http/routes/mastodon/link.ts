import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Mastodon's paging Link header: `next` pages older (max_id = the page's oldest id), `prev` newer (min_id = its
 * newest), on the request's own path and other parameters.
 */
export function setLinkHeader(
  request: FastifyRequest,
  reply: FastifyReply,
  base: string,
  page: { oldest: string | null; newest: string | null },
): void {
  if (!page.oldest || !page.newest) return;
  const url = new URL(request.url, base);
  const link = (rel: string, key: string, id: string) => {
    const u = new URL(url);
    for (const k of ['max_id', 'min_id', 'since_id']) u.searchParams.delete(k);
    u.searchParams.set(key, id);
    return `<${u.toString()}>; rel="${rel}"`;
  };
  reply.header('link', `${link('next', 'max_id', page.oldest)}, ${link('prev', 'min_id', page.newest)}`);
}
