import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';

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

/** Waits until /health answers 200; fails with the process's output when it exits or takes longer than `deadlineMs`. */
export async function waitForHealth(p: HearthProcess, deadlineMs = 120_000): Promise<void> {
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

/** POSTs JSON and returns status and parsed body. */
export async function postJson(
  url: string,
  body: unknown,
  token?: string,
): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
