import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The paths the web app routes itself (its screens and the mailed links). Each answers index.html;
 * every other path keeps its own meaning (API, gateway, media, docs) or is a 404.
 */
const clientRoutes = [
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
  // The authorize screen a bot's invite link opens (Discord's /oauth2/authorize?client_id=…&scope=bot…).
  '/oauth2/authorize',
  // The group directory (ADR 0031).
  '/groups',
  // The social side: timelines and notifications, and the profile and status URLs Mastodon's entities carry.
  '/social',
  '/social/*',
  '/@:username',
  '/@:username/*',
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

/**
 * Scripts only from this origin, no inline or injected markup can run; media and the gateway from here too, and the
 * voice endpoints of the other live processes (a WebRTC offer goes to the process holding the room, ADR 0034).
 */
const contentSecurityPolicy = (voiceHosts: string[]) =>
  [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    ["connect-src 'self' ws: wss:", ...voiceHosts.flatMap((h) => [`http://${h}`, `https://${h}`])].join(' '),
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');

const notBuilt = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Hearth</title>
<body style="font:16px system-ui;max-width:34rem;margin:4rem auto"><h1>Hearth is running</h1>
<p>The web app is not built. <code>npm start</code> builds it; or run <code>npm run build:web</code>.</p>
<p>The REST API is at <code>/api/v10</code>; see the <a href="/api/docs">API documentation</a>.</p></body></html>`;

/** The encodings the build precompresses (scripts/build-web.mjs), by file suffix, in order of preference. */
const encodings = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;
type Encoding = (typeof encodings)[number]['name'];

interface StaticFile {
  body: Buffer;
  type: string;
  /** The precompressed copies the build left beside the file. */
  encoded: Partial<Record<Encoding, Buffer>>;
}

/** Every file of the built app, keyed by URL path, read once at start, with its precompressed copies. */
function loadDist(dir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  if (!existsSync(dir)) return files;
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!name.startsWith('.') && !encodings.some((e) => name.endsWith(e.suffix))) {
        const encoded: StaticFile['encoded'] = {};
        for (const e of encodings)
          if (existsSync(path + e.suffix)) encoded[e.name] = readFileSync(path + e.suffix);
        files.set(`/${relative(dir, path).split('\\').join('/')}`, {
          body: readFileSync(path),
          type: types[extname(name)] ?? 'application/octet-stream',
          encoded,
        });
      }
    }
  };
  walk(dir);
  return files;
}

/** The best precompressed encoding of `file` that an Accept-Encoding header takes (q=0 refuses one). */
function pickEncoding(accept: string | undefined, file: StaticFile): Encoding | null {
  const q = new Map<string, number>();
  for (const part of (accept ?? '').toLowerCase().split(',')) {
    const [token, ...params] = part.trim().split(';');
    const weight = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    if (token) q.set(token.trim(), weight === undefined ? 1 : Number(weight));
  }
  for (const e of encodings) {
    const weight = q.get(e.name) ?? q.get('*') ?? 0;
    if (file.encoded[e.name] && weight > 0) return e.name;
  }
  return null;
}

/** Sends a file, precompressed when the client takes it; caches are told the answer varies by encoding. */
function sendFile(req: FastifyRequest, reply: FastifyReply, file: StaticFile) {
  if (Object.keys(file.encoded).length) reply.header('vary', 'Accept-Encoding');
  const encoding = pickEncoding(req.headers['accept-encoding'], file);
  if (!encoding) return reply.send(file.body);
  return reply.header('content-encoding', encoding).send(file.encoded[encoding]);
}

/**
 * Serves the built web app from `dir` (apps/web/dist): hashed files under /assets are cached forever,
 * other files for an hour, and the client routes answer index.html, which is never cached.
 */
export function webAppRoutes(
  app: FastifyInstance,
  opts: { dir: string; voiceEndpoints: () => Promise<string[]> },
): void {
  const files = loadDist(opts.dir);
  const index = files.get('/index.html');

  const sendIndex = async (req: FastifyRequest, reply: FastifyReply) => {
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', contentSecurityPolicy(await opts.voiceEndpoints()))
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer');
    if (!index) return reply.code(503).send(notBuilt);
    return sendFile(req, reply, index);
  };
  for (const url of clientRoutes) app.get(url, { schema: { hide: true } }, sendIndex);

  for (const [path, file] of files) {
    if (path === '/index.html') continue;
    const immutable = path.startsWith('/assets/');
    app.get(path, { schema: { hide: true } }, async (req, reply) =>
      sendFile(
        req,
        reply
          .type(file.type)
          .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=3600')
          .header('x-content-type-options', 'nosniff'),
        file,
      ),
    );
  }
}
