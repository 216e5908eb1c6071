import type { FastifyRequest } from 'fastify';

/** A URL as logged: a webhook token in the path (`/webhooks/:id/:token…`) becomes `[token]`. */
function redactUrl(url: string): string {
  return url.replace(/(\/webhooks\/\d+\/)[^/?#]+/, '$1[token]');
}

/**
 * Fastify's request log fields with secrets taken out of the URL: a webhook's token is its only credential and
 * sits in the path, so the access log would otherwise hold every token that was used.
 */
export const requestLogSerializers = {
  req(req: FastifyRequest) {
    return {
      method: req.method,
      url: redactUrl(req.url),
      host: req.host,
      remoteAddress: req.ip,
      remotePort: req.socket?.remotePort,
    };
  },
};
