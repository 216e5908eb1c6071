import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, freshPostgres, type TestServer } from './harness';

/** The repository root, where `npm start` runs. */
export const repoRoot = new URL('../../../', import.meta.url).pathname;

export interface HearthProcess {
  child: ChildProcess;
  url: string;
  /** stdout and stderr so far. */
  output(): string;
  exited: Promise<number | null>;
}

/**
 * Starts Hearth as an operator does: `npm start` (`how: 'npm'`) or the server's entry point directly. The environment
 * is the test's, minus DATABASE_URL and REDIS_URL unless given, with the per-route rate limits off (these tests post
 * as fast as they can; the limits have their own tests).
 */
export function startProcess(env: Record<string, string>, how: 'npm' | 'main' = 'main'): HearthProcess {
  const [command, args] =
    how === 'npm'
      ? ['npm', ['start']]
      : [process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts', 'start']];
  const child = spawn(command, args as string[], {
    cwd: repoRoot,
    env: {
      ...process.env,
      DATABASE_URL: '',
      REDIS_URL: '',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      RATE_LIMITS: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, url: `http://127.0.0.1:${env.PORT}`, output: () => out, exited };
}

/** Whether a new TCP connection to the port is accepted. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Waits until /health answers 200; fails with the process's output when it exits or takes longer than `deadlineMs`
 * (generous: a cold start compiles the server through tsx, which takes minutes on a busy shared machine).
 */
export async function waitForHealth(p: HearthProcess, deadlineMs = 300_000): Promise<void> {
  let exited = false;
  p.exited.then(() => (exited = true));
  const end = Date.now() + deadlineMs;
  while (Date.now() < end && !exited) {
    try {
      if ((await fetch(`${p.url}/health`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Hearth did not become healthy:\n${p.output()}`);
}

/** Sends `body` as JSON (when given) and returns the status and the parsed answer. */
export async function requestJson(
  method: string,
  url: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method,
    headers: {
      ...(token ? { authorization: token } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** POSTs JSON and returns status and parsed body. */
export const postJson = (url: string, body: unknown, token?: string) => requestJson('POST', url, body, token);

/** A REST call to one process: `path` below /api/v10. */
export const callApi = (p: { url: string }, method: string, path: string, token?: string, body?: unknown) =>
  requestJson(method, `${p.url}/api/v10${path}`, body, token);

/** A process as the gateway test client sees a server: its URL. */
export const asServer = (p: { url: string }) => ({ url: p.url }) as TestServer;

/** One Hearth of a {@link ProcessGroup}: its DATA_DIR and the worker id it was given. */
export interface GroupProcess extends HearthProcess {
  workerId: number;
  dataDir: string;
}

/**
 * Hearth processes a multi-process test starts on one database of its own: every process with its own DATA_DIR,
 * worker id and port, logging warnings only and with the per-IP auth limit out of the way. `close` kills them all,
 * removes their folders and drops the database.
 */
export class ProcessGroup {
  private readonly procs: GroupProcess[] = [];

  private constructor(
    /** The group's own PostgreSQL database. */
    readonly databaseUrl: string,
    private readonly dropDatabase: () => Promise<void>,
  ) {}

  /** A group on a fresh database of the PostgreSQL server at DATABASE_URL (the test skips itself without it). */
  static async onPostgres(): Promise<ProcessGroup> {
    const db = await freshPostgres();
    return new ProcessGroup(db.url, db.drop);
  }

  /** The processes started so far, running or not. */
  get processes(): readonly GroupProcess[] {
    return this.procs;
  }

  /** Starts one more process (the entry point, as `npm start` runs it); `env` adds to or overrides the group's. */
  async start(workerId: number, env: Record<string, string> = {}): Promise<GroupProcess> {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'hearth-process-'));
    const p = startProcess({
      DATABASE_URL: this.databaseUrl,
      WORKER_ID: String(workerId),
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      AUTH_RATE_LIMIT: '100000',
      ...env,
    });
    const proc = { ...p, workerId, dataDir };
    this.procs.push(proc);
    return proc;
  }

  async close(): Promise<void> {
    for (const p of this.procs) p.child.kill('SIGKILL');
    await Promise.all(this.procs.map((p) => p.exited));
    for (const p of this.procs) rmSync(p.dataDir, { recursive: true, force: true });
    await this.dropDatabase();
  }
}
