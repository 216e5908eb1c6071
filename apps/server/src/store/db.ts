import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { type PgDatabase, type PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { lockDataDir } from './data-dir-lock';
import { DurableNodeFS, durableStartParams } from './pglite-durable';
import * as schema from './schema';

type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handle; it has the same query API as Db. */
type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

/**
 * A hot-path statement prepared once per database handle under `name` (parsed and planned once by the server, not
 * rebuilt by drizzle per call); inside a transaction it is built for that transaction each time.
 */
export function preparedStatement<Q extends { execute(values?: Record<string, unknown>): Promise<unknown> }>(
  name: string,
  build: (db: DbOrTx) => { prepare(name: string): Q },
): (db: DbOrTx) => Pick<Q, 'execute'> {
  const byDb = new WeakMap<DbOrTx, Q>();
  return (db) => {
    if (db instanceof PgTransaction) return build(db).prepare(name);
    let query = byDb.get(db);
    if (!query) {
      query = build(db).prepare(name);
      byDb.set(db, query);
    }
    return query;
  };
}

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Connection pool statistics for /metrics; PGlite is one embedded connection with no pool to report on. */
  poolStats(): { total: number; idle?: number; waiting?: number };
  close(): Promise<void>;
}

/**
 * How long an idle pooled connection is kept. With pg's default (10 s) the first burst after a short lull opened
 * its connections again: 1,000 identifies after 11 s of quiet ran ~30 % slower, READY's p99 ~16 -> ~60 ms (bench,
 * docs/performance.md). Connections idle for minutes are still given back to PostgreSQL.
 */
const POOL_IDLE_MS = 5 * 60_000;

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));
// Any fixed number: held while migrating so that processes starting together migrate once.
const MIGRATION_LOCK = 7_244_021_771;

/**
 * V8 compiles PGlite's WebAssembly (9 MB) with its baseline compiler and moves a function to the optimizing one after
 * it ran ~13 MB of code. PostgreSQL's own start-up spends that budget on hundreds of functions, whose optimizing
 * compiles took ~580 MB of native memory at their peak and left ~60–130 MB in the process for good, on a server that
 * then sits idle. Ten times the budget keeps start-up on baseline code; functions that stay hot under real load are
 * still optimized (docs/performance.md, idle RSS). Set once, before the first module is compiled.
 */
let wasmTieringSet = false;
function raiseWasmTieringBudget(): void {
  if (wasmTieringSet) return;
  wasmTieringSet = true;
  setFlagsFromString('--wasm-tiering-budget=130000000');
}

/** Opens PostgreSQL at `url`, or PGlite in `dataDir` (in memory for 'memory://'), and applies migrations. */
export async function openDatabase(opts: {
  url: string | null;
  dataDir: string;
  poolSize?: number;
}): Promise<Database> {
  if (opts.url) {
    const pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.poolSize ?? 20,
      idleTimeoutMillis: POOL_IDLE_MS,
    });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    pool.on('error', () => {});
    const db = drizzlePg(pool, { schema }) as unknown as Db;
    const client = await pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await migratePg(drizzlePg(client, { schema }), { migrationsFolder });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
      client.release();
    }
    return {
      db,
      kind: 'postgres',
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
      close: () => pool.end(),
    };
  }
  if (opts.dataDir === 'memory://') {
    const client = await PGlite.create('memory://');
    const db = drizzlePglite(client, { schema }) as unknown as Db;
    await migratePglite(db as never, { migrationsFolder });
    return { db, kind: 'pglite', poolStats: () => ({ total: 1 }), close: () => client.close() };
  }
  // The served embedded database only: tests' in-memory ones keep V8's default.
  raiseWasmTieringBudget();
  // One process per embedded database: a second one writing the same files corrupts it.
  mkdirSync(opts.dataDir, { recursive: true });
  const lock = lockDataDir(opts.dataDir);
  try {
    const dataPath = join(opts.dataDir, 'pglite');
    mkdirSync(dataPath, { recursive: true });
    const client = await PGlite.create({
      dataDir: dataPath,
      fs: new DurableNodeFS(dataPath),
      startParams: durableStartParams,
    });
    const db = drizzlePglite(client, { schema }) as unknown as Db;
    await migratePglite(db as never, { migrationsFolder }).catch(async (err) => {
      await client.close().catch(() => {});
      throw err;
    });
    return {
      db,
      kind: 'pglite',
      poolStats: () => ({ total: 1 }),
      close: () => client.close().finally(() => lock.release()),
    };
  } catch (err) {
    lock.release();
    throw err;
  }
}

/** True when the error is PostgreSQL's unique violation (optionally on the named constraint or index). */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = findPgError(err);
  return e?.code === '23505' && (!constraint || e.constraint === constraint);
}

function findPgError(err: unknown): { code?: string; constraint?: string } | null {
  let cur = err as { code?: string; constraint?: string; cause?: unknown } | null;
  for (let i = 0; cur && i < 5; i++) {
    if (typeof cur.code === 'string' && /^[0-9A-Z]{5}$/.test(cur.code)) return cur;
    cur = cur.cause as typeof cur;
  }
  return null;
}

export async function ping(db: Db): Promise<void> {
  await db.execute(sql`select 1`);
}
