import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { sleep } from './util.mjs';

export const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Signs the bench's bulk-seeded sessions; passed to the Hearth processes the bench starts. */
export const SECRET_KEY = randomBytes(32).toString('hex');

/** A fresh PostgreSQL database for one scenario; drop() removes it. */
export async function freshDatabase() {
  const name = `hearth_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const version = (await admin.query('SHOW server_version')).rows[0].server_version;
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    version,
    async drop() {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts one Hearth process (`npm start`'s entry point) on 127.0.0.1 with its own data directory;
 * resolves when /health answers. `profileDir` adds --cpu-prof; `inspect` opens the inspector (see liveHeap).
 */
export async function startHearth({
  databaseUrl,
  workerId = 900,
  redisUrl = null,
  profileDir = null,
  inspect = false,
}) {
  const port = await freePort();
  const inspectPort = inspect ? await freePort() : null;
  const dataDir = mkdtempSync(join(tmpdir(), 'hearth-bench-'));
  const args = ['--import', 'tsx', '--max-old-space-size=4096'];
  if (profileDir) args.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`);
  if (inspectPort) args.push(`--inspect=127.0.0.1:${inspectPort}`);
  args.push('apps/server/src/main.ts', 'start');
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl ?? '',
      WORKER_ID: String(workerId),
      SECRET_KEY,
      LOG_LEVEL: 'warn',
      AUTH_RATE_LIMIT: '1000000',
      // Load generators send far past Discord's per-user buckets.
      RATE_LIMITS: 'false',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Hearth exited with ${child.exitCode} at start`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error('Hearth did not start within 60 s');
    await sleep(200);
  }
  return {
    url,
    api: `${url}/api`,
    pid: child.pid,
    inspectPort,
    /** SIGTERM (graceful: writes the CPU profile), then the data directory goes. */
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(20_000)]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
