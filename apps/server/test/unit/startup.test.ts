import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

const root = new URL('../../../../', import.meta.url).pathname;
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function startProcess(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts', 'start'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Whether a new TCP connection to the port is accepted. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function waitForHealth(url: string, deadlineMs: number): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not become healthy');
}

describe('the hearth process', () => {
  test('starts on PGlite in DATA_DIR, serves, and shuts down cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hearth-start-'));
    dirs.push(dataDir);
    const port = await freePort();
    const p = startProcess({ PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir });
    const url = `http://127.0.0.1:${port}`;
    await waitForHealth(url, 60_000);
    // The web app (or, when apps/web is not built, the page saying how to build it).
    const home = await fetch(url);
    assert.match(home.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await home.text(), /<title>Hearth<\/title>/);
    const reg = await fetch(`${url}/api/v10/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'start@example.test', username: 'starter', password: 'long enough' }),
    });
    assert.equal(reg.status, 201);
    // The dev outbox logs one line with the confirmation link.
    const deadline = Date.now() + 5000;
    while (!/mail written to outbox/.test(p.output()) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    assert.match(p.output(), /verify#token=/);

    p.child.kill('SIGTERM');
    assert.equal(await p.exited, 0);

    // Data survives a restart.
    const again = startProcess({ PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir });
    await waitForHealth(url, 60_000);
    const login = await fetch(`${url}/api/v10/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'starter', password: 'long enough' }),
    });
    assert.equal(login.status, 200);

    // Graceful shutdown: a request in flight when SIGTERM arrives is still answered (from the database),
    // while new connections are refused; then the process exits cleanly.
    const body = JSON.stringify({ login: 'starter', password: 'not the password' });
    const inFlight = connect(port, '127.0.0.1');
    await once(inFlight, 'connect');
    let answer = '';
    inFlight.on('data', (d) => (answer += d));
    const answered = once(inFlight, 'end');
    inFlight.write(
      `POST /api/v10/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
    );
    assert.equal((await fetch(`${url}/health`)).status, 200, 'the server has read the first request');
    again.child.kill('SIGTERM');
    while (await accepts(port)) await new Promise((r) => setTimeout(r, 20));
    inFlight.write(body.slice(10));
    await answered;
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.match(answer, /INVALID_LOGIN/);
    assert.equal(await again.exited, 0);
  });

  test('a bad setting stops it with one line naming the variable', async () => {
    const p = startProcess({ PORT: 'abc' });
    assert.equal(await p.exited, 1);
    assert.equal(p.output().trim(), 'hearth: PORT must be an integer from 0 to 65535 (got "abc")');
  });
});
