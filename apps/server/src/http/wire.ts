import type { FastifyInstance } from 'fastify';

// How requests and answers look on the wire, so that every Discord library reads them: the details that
// discord.py, Eris, Oceanic.js and @discordjs/core each tripped over, in one place.

/**
 * `%40me` (how @discordjs/core encodes `@me`) read as `@me`. The router decodes parameters but matches static
 * segments as sent, so `/users/%40me/guilds` was a 404 while `/users/%40me` worked. Fastify's `rewriteUrl`.
 */
export function decodeAtMe(url: string): string {
  return url.includes('%40') ? url.replace(/\/%40me(?=[/?#]|$)/gi, '/@me') : url;
}

/** The methods each route pattern answers, to tell a wrong method (405) from an unknown path (404). */
class RouteMethods {
  private readonly routes: Array<{ pattern: RegExp; method: string }> = [];

  add(url: string, methods: string | string[]): void {
    const source = url
      .split('/')
      .map((segment) =>
        segment.startsWith(':')
          ? '[^/]+'
          : segment === '*'
            ? '.*'
            : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
      )
      .join('/');
    const pattern = new RegExp(`^${source}/?$`);
    for (const method of [methods].flat()) this.routes.push({ pattern, method });
  }

  /** Whether some route matches `path` with a method other than `method`. */
  otherMethodMatches(method: string, path: string): boolean {
    return this.routes.some((r) => r.method !== method && r.method !== 'HEAD' && r.pattern.test(path));
  }
}

/**
 * Registers, before any route: Discord's 404 and 405 bodies (`{message: "404: Not Found", code: 0}`), plain
 * `application/json` on every JSON answer (discord.py, Eris and Oceanic read a body only when the type is exactly
 * that, and fastify adds `; charset=utf-8`), and empty bodies accepted whatever their Content-Type (aiohttp labels
 * every empty PUT and POST `application/octet-stream`, which was a 415).
 */
export function registerWire(http: FastifyInstance): void {
  const methods = new RouteMethods();
  http.addHook('onRoute', (route) => methods.add(route.url, route.method));
  http.setNotFoundHandler((request, reply) => {
    const path = decodeAtMe(request.url.split('?')[0]);
    if (methods.otherMethodMatches(request.method, path))
      return reply.code(405).send({ message: '405: Method Not Allowed', code: 0 });
    return reply.code(404).send({ message: '404: Not Found', code: 0 });
  });
  http.addHook('onRequest', (request, _reply, done) => {
    // With no Content-Type and no length, fastify reads no body: the route sees `{}` (see app.ts).
    if (request.headers['content-length'] === '0') delete request.headers['content-type'];
    done();
  });
  // A callback hook, not an async one: an async onSend hook defers the send past routes that answer 204 and return.
  http.addHook('onSend', (_request, reply, payload, done) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('application/json;'))
      reply.header('content-type', 'application/json');
    done(null, payload);
  });
}
