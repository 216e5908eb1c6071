import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * The paths the web app routes itself (its screens and the mailed links). Each answers index.html;
 * every other path keeps its own meaning (API, gateway, media, docs) or is a 404.
 */
export const clientRoutes = [
  '/',
  '/login',
  '/register',
  '/forgot',
  '/verify',
  '/reset-password',
  '/invite/:code',
  '/channels/*',
  '/settings',
  '/settings/*',
];

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** Scripts only from this origin, no inline or injected markup can run; media and the gateway from here too. */
const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self' ws: wss:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const notBuilt = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Hearth</title>
<body style="font:16px system-ui;max-width:34rem;margin:4rem auto"><h1>Hearth is running</h1>
<p>The web app is not built. <code>npm start</code> builds it; or run <code>npm run build:web</code>.</p>
<p>The REST API is at <code>/api/v10</code>; see the <a href="/api/docs">API documentation</a>.</p></body></html>`;

interface StaticFile {
  body: Buffer;
  type: string;
}

/** Every file of the built app, keyed by URL path, read once at start. */
function loadDist(dir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  if (!existsSync(dir)) return files;
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!name.startsWith('.')) {
        files.set(`/${relative(dir, path).split('\\').join('/')}`, {
          body: readFileSync(path),
          type: types[extname(name)] ?? 'application/octet-stream',
        });
      }
    }
  };
  walk(dir);
  return files;
}

/**
 * Serves the built web app from `dir` (apps/web/dist): hashed files under /assets are cached forever,
 * other files for an hour, and the client routes answer index.html, which is never cached.
 */
export function webAppRoutes(app: FastifyInstance, opts: { dir: string }): void {
  const files = loadDist(opts.dir);
  const index = files.get('/index.html');

  const sendIndex = async (_req: unknown, reply: FastifyReply) => {
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', contentSecurityPolicy)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer');
    if (!index) return reply.code(503).send(notBuilt);
    return reply.send(index.body);
  };
  for (const url of clientRoutes) app.get(url, { schema: { hide: true } }, sendIndex);

  for (const [path, file] of files) {
    if (path === '/index.html') continue;
    const immutable = path.startsWith('/assets/');
    app.get(path, { schema: { hide: true } }, async (_req, reply) =>
      reply
        .type(file.type)
        .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=3600')
        .header('x-content-type-options', 'nosniff')
        .send(file.body),
    );
  }
}
