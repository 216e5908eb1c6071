import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import pg from 'pg';
import { pino } from 'pino';
import { createApp, type HearthApp } from '../src/app';
import { type Config, loadConfig } from '../src/config';
import type { BusEvent } from '../src/events/bus';
import { type Database, openDatabase } from '../src/store/db';
import { jobs } from '../src/store/schema';
import { safeDatabaseName, testDatabasePrefix } from './database-names';

/** Which database the scenarios run on: set by scripts/test.mjs. */
export const testDb: 'pglite' | 'postgres' =
  process.env.HEARTH_TEST_DB === 'postgres' ? 'postgres' : 'pglite';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

export interface TestUser {
  id: string;
  username: string;
  email: string;
  password: string;
  token: string;
  refreshToken: string;
}

export interface TestServer {
  app: HearthApp;
  url: string;
  dataDir: string;
  /** The PostgreSQL database it runs on (null on PGlite, which lives in dataDir). */
  database: { url: string; drop: () => Promise<void> } | null;
  /** Every event published on the bus since start. */
  events: BusEvent[];
  api<T = any>(method: string, path: string, opts?: RequestOptions): Promise<ApiResponse<T>>;
  register(overrides?: Partial<{ username: string; email: string; password: string }>): Promise<TestUser>;
  /** Waits for the newest mail to `email` in the dev outbox and returns its text. */
  mailTo(email: string, opts?: { after?: number; subject?: RegExp }): Promise<string>;
  /** Stops the app and keeps its data directory and database (for `startHearth({}, { after })`). */
  stop(): Promise<void>;
  /** Stops the app and removes its data directory and database. */
  close(): Promise<void>;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** Sent as is, without JSON encoding. */
  raw?: string | Uint8Array;
  headers?: Record<string, string>;
  /** The path is outside the API (e.g. /health): do not prefix /api/v10. */
  root?: boolean;
}

/**
 * The migrated databases scripts/test.mjs made for this run (test/database-templates.ts): a PostgreSQL database to
 * copy with `CREATE DATABASE … TEMPLATE`, and an embedded database's folder to copy into a new data directory. Without
 * them (a test file run on its own) each test migrates its own, as a first start does; with them the migrator still
 * runs at start and finds every migration applied.
 */
const templates = {
  postgres: safeDatabaseName(process.env.HEARTH_TEST_PG_TEMPLATE),
  pglite: process.env.HEARTH_TEST_PGLITE_TEMPLATE || null,
};

/** Creates a fresh PostgreSQL database for one test file and returns its URL and a dropper. */
export async function freshPostgres(): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = process.env.DATABASE_URL;
  if (!admin) throw new Error('HEARTH_TEST_DB=postgres needs DATABASE_URL');
  const name = `${testDatabasePrefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}${templates.postgres ? ` TEMPLATE ${templates.postgres}` : ''}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Every file below `dir`, at any depth (none when it does not exist). */
export function filesUnder(dir: string): string[] {
  let entries: import('node:fs').Dirent[] = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

/** A free loopback port (for servers whose public URL must be known before they start). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A fresh, migrated database of the tier's kind: PGlite (a copy of the run's template, or in memory), or a new PostgreSQL database. */
export async function openTestDatabase(): Promise<{
  database: Database;
  /** The PostgreSQL database's URL (null on PGlite). */
  url: string | null;
  drop(): Promise<void>;
}> {
  const pgdb = testDb === 'postgres' ? await freshPostgres() : null;
  // On PGlite, a copy of the run's migrated database when there is one (opening it costs well under a second;
  // migrating a new in-memory one, several), else a new in-memory one.
  const dataDir = !pgdb && templates.pglite ? mkdtempSync(join(tmpdir(), 'hearth-test-db-')) : null;
  if (dataDir) cpSync(join(templates.pglite!, 'pglite'), join(dataDir, 'pglite'), { recursive: true });
  const database = await openDatabase({ url: pgdb?.url ?? null, dataDir: dataDir ?? 'memory://' });
  return {
    database,
    url: pgdb?.url ?? null,
    async drop() {
      await database.close();
      await pgdb?.drop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function startHearth(
  overrides: Partial<Config> = {},
  opts: {
    webDir?: string;
    logger?: import('pino').Logger;
    /** Start on what this stopped server used (its data directory and database), as a restart does. */
    after?: TestServer;
  } = {},
): Promise<TestServer> {
  const dataDir = opts.after?.dataDir ?? mkdtempSync(join(tmpdir(), 'hearth-test-'));
  const pgdb = opts.after ? opts.after.database : testDb === 'postgres' ? await freshPostgres() : null;
  // A new embedded database starts as a copy of the run's migrated one (a restart keeps its own files).
  if (!opts.after && !pgdb && !overrides.dataDir && !overrides.databaseUrl && templates.pglite)
    cpSync(join(templates.pglite, 'pglite'), join(dataDir, 'pglite'), { recursive: true });
  const config = loadConfig(
    {},
    {
      host: '127.0.0.1',
      port: 0,
      dataDir,
      databaseUrl: pgdb?.url ?? null,
      redisUrl: null,
      logLevel: 'warn',
      publicUrl: 'http://hearth.test',
      authRateLimitPerMinute: 1_000_000,
      // Scenarios send fast; the rate-limit tests turn Discord's buckets on with real numbers.
      rateLimits: false,
      ...overrides,
    },
  );
  // Errors fastify logs about the reply itself (a second send, headers after the answer) are bugs in Hearth
  // whatever the client saw: close() fails the test that caused them.
  const replyErrors: string[] = [];
  const logger = pino({
    level: process.env.HEARTH_TEST_LOG ?? 'warn',
    hooks: {
      logMethod(args, method, level) {
        const text = args
          .map((a) => (typeof a === 'string' ? a : (a as { err?: Error })?.err?.message))
          .join(' ');
        if (
          level >= 50 &&
          /Reply was already sent|ERR_HTTP_HEADERS_SENT|headers after they are sent/.test(text)
        )
          replyErrors.push(text);
        return method.apply(this, args as Parameters<typeof method>);
      },
    },
  });
  const app = await createApp(config, {
    logger: opts.logger ?? logger,
    webDir: opts.webDir,
  });
  const events: BusEvent[] = [];
  app.bus.subscribe((e) => events.push(e));
  const url = await app.listen();

  async function api<T>(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = opts.token;
    let body: string | Uint8Array | undefined;
    if (opts.raw !== undefined) body = opts.raw;
    else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(url + (opts.root || path.startsWith('/api/') ? path : `/api/v10${path}`), {
      method,
      headers,
      body: body as BodyInit | undefined,
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {}
    return { status: res.status, body: parsed as T, headers: res.headers, text };
  }

  let counter = 0;
  const server: TestServer = {
    app,
    url,
    dataDir,
    database: pgdb,
    events,
    api,
    async register(o = {}) {
      const suffix = `${process.pid.toString(36)}${(counter++).toString(36)}${randomBytes(2).toString('hex')}`;
      const username = o.username ?? `user_${suffix}`;
      const email = o.email ?? `${username}@example.test`;
      const password = o.password ?? 'correct horse battery';
      const res = await api<any>('POST', '/auth/register', { body: { email, username, password } });
      if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.text}`);
      return {
        id: res.body.user_id,
        username,
        email,
        password,
        token: res.body.token,
        refreshToken: res.body.refresh_token,
      };
    },
    async mailTo(email, opts = {}) {
      const dir = join(dataDir, 'outbox');
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline) {
        let files: string[] = [];
        try {
          // The mailer writes `<name>.eml.tmp` and renames it: only finished mails are read.
          files = readdirSync(dir)
            .filter((f) => f.endsWith('.eml'))
            .sort();
        } catch {}
        const matching = files
          .map((f) => readFileSync(join(dir, f), 'utf8'))
          .filter((text) => text.includes(`To: ${email}`) && (!opts.subject || opts.subject.test(text)));
        if (matching.length > (opts.after ?? 0)) return matching[matching.length - 1];
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no mail to ${email} in the outbox`);
    },
    async stop() {
      await app.close();
    },
    async close() {
      await app.close();
      await pgdb?.drop();
      rmSync(dataDir, { recursive: true, force: true });
      if (replyErrors.length)
        throw new Error(`fastify logged reply errors: ${replyErrors.slice(0, 3).join(' | ')}`);
    },
  };
  return server;
}

/**
 * Makes the queued jobs of `kind` whose payload contains `payload` due now and wakes the worker, instead of waiting
 * out their delay: for tests of what a delayed job does (an interaction's deadline, say), not of when it runs, which
 * their own tests time with a short configured delay. Resolves to how many jobs it moved.
 */
export async function runJobsNow(
  h: TestServer,
  kind: string,
  payload: Record<string, unknown> = {},
): Promise<number> {
  const moved = await h.app.database.db
    .update(jobs)
    .set({ runAt: sql`now()` })
    .where(
      and(
        eq(jobs.kind, kind),
        eq(jobs.state, 'queued'),
        sql`${jobs.payload} @> ${JSON.stringify(payload)}::jsonb`,
      ),
    )
    .returning({ id: jobs.id });
  if (moved.length) h.app.jobs.wake();
  return moved.length;
}

/** The token in a mailed link (`...#token=...`). */
export function tokenFromMail(text: string): string {
  const m = text.match(/#token=([A-Za-z0-9_.-]+)/);
  if (!m) throw new Error(`no token in mail:\n${text}`);
  return m[1];
}
