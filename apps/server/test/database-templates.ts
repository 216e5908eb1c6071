// Migrated databases made once per run of the suite and copied for each test, instead of migrating a new one per
// test file (ADR 0048, docs/performance.md "The suite"). Migrating a new embedded (PGlite) database on disk took
// 10–13 s of a scenario file's start on a busy machine; copying a migrated one and opening it takes ~0.5 s. On
// PostgreSQL, `CREATE DATABASE … TEMPLATE` copies a migrated database instead of applying every migration again.
//
// scripts/test.mjs runs this file before the tiers:
//   node --import tsx apps/server/test/database-templates.ts <dir> [--pglite] [--postgres]
// With --pglite it leaves a migrated embedded database in <dir>/pglite; with --postgres (DATABASE_URL set) it makes a
// migrated PostgreSQL database, named in <dir>/postgres-template; the tiers get them as HEARTH_TEST_PGLITE_TEMPLATE and
// HEARTH_TEST_PG_TEMPLATE (harness.ts). `--drop <dir>` drops that PostgreSQL database after the run. A test file run
// on its own, without them, migrates its own database as before. The copies change nothing a test sees: Hearth still
// runs the migrator at start, which finds every migration applied.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { safeDatabaseName, testDatabasePrefix } from './database-names';

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === '--drop' && argv[1]) {
    const name = safeDatabaseName(readFileSync(join(argv[1], 'postgres-template'), 'utf8'));
    if (name) await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    return;
  }
  const [dir, ...kinds] = argv;
  if (!dir || !kinds.length || kinds.some((k) => k !== '--pglite' && k !== '--postgres'))
    throw new Error('usage: database-templates.ts <dir> [--pglite] [--postgres] | --drop <dir>');
  mkdirSync(dir, { recursive: true });
  // Loaded here, not at the top: dropping needs none of the server.
  const { openDatabase } = await import('../src/store/db');
  if (kinds.includes('--pglite')) {
    // The embedded database exactly as a first start leaves it after migrating (durable files, ADR 0021).
    const embedded = await openDatabase({ url: null, dataDir: dir });
    await embedded.close();
    if (!existsSync(join(dir, 'pglite'))) throw new Error(`no embedded database was written in ${dir}`);
  }
  if (kinds.includes('--postgres')) {
    if (!process.env.DATABASE_URL) throw new Error('--postgres needs DATABASE_URL');
    // Named with the suite's prefix, so that CI's clean-up drops it even when this run is killed.
    const name = `${testDatabasePrefix}_template_${process.pid}`;
    await adminQuery(`CREATE DATABASE ${name}`);
    writeFileSync(join(dir, 'postgres-template'), name);
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = `/${name}`;
    const database = await openDatabase({ url: url.toString(), dataDir: dir });
    // Every connection closed: PostgreSQL copies a template only while nobody is connected to it.
    await database.close();
  }
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err);
  process.exit(1);
});
