import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { freePort } from '../harness';
import { accepts, type HearthProcess, startProcess, waitForHealth } from '../process';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-start-'));
  dirs.push(dir);
  return dir;
}

/** Keep-alive clients posting in a loop until the server goes away; how each request ended, by outcome. */
function keepAliveLoad(port: number, clients: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  // Another account than the one the in-flight request logs in to: this one soon answers 429, an answer too.
  const body = JSON.stringify({ login: 'nobody', password: 'not the password' });
  const outcomes = new Map<string, number>();
  const one = () =>
    new Promise<string>((resolve) => {
      const req = http.request(
        {
          agent,
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/v10/auth/login',
          headers: { 'content-type': 'application/json', 'content-length': body.length },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(`answered ${res.statusCode}`));
        },
      );
      // A reset on a kept-alive connection is a request the server had been sent and dropped. A reset on a new
      // connection is one the kernel accepted in the instant the server stopped listening: the race any closing
      // listener has with clients still connecting (a load balancer drains before it), told apart here.
      req.on('error', (err: NodeJS.ErrnoException) =>
        resolve(`${err.code ?? err.message}${req.reusedSocket ? '' : ' (new connection)'}`),
      );
      req.end(body);
    });
  const done = Promise.all(
    Array.from({ length: clients }, async () => {
      for (;;) {
        const outcome = await one();
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        // Refused: the server stopped listening, which is how a client learns it is gone.
        if (outcome.startsWith('ECONNREFUSED') || outcome.endsWith('(new connection)')) return;
      }
    }),
  ).then(() => agent.destroy());
  return { outcomes, done };
}

async function until(p: HearthProcess, pattern: RegExp): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!pattern.test(p.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

describe('the hearth process', () => {
  test('npm start serves on PGlite, says what it does, and SIGTERM to the process npm start started stops it', {
    timeout: 600_000,
  }, async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const env = { PORT: String(port), DATA_DIR: dataDir, AUTH_RATE_LIMIT: '1000000' };
    const p = startProcess(env, 'npm');
    await waitForHealth(p);
    const url = p.url;
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
    await until(p, /mail written to outbox/);
    assert.match(p.output(), /verify#token=/);
    // A first start says what takes the time, then one line with where to go and where mail goes.
    assert.match(
      p.output(),
      new RegExp(`hearth: creating the embedded database in ${join(dataDir, 'pglite')}`),
    );
    assert.match(
      p.output(),
      new RegExp(
        `\\nhearth: ready, open http://localhost:${port}; mail goes to ${join(dataDir, 'outbox')} and its confirmation links appear in this log\\n`,
      ),
    );
    // Requests are not logged at the default level.
    assert.doesNotMatch(p.output(), /incoming request|request completed/);

    p.child.kill('SIGTERM');
    assert.equal(await p.exited, 0);
    assert.equal(await accepts(port), false, 'the port is free');

    // Data survives a restart; a second start does not create the database again.
    const again = startProcess(env, 'npm');
    await waitForHealth(again);
    assert.doesNotMatch(again.output(), /creating the embedded database/);
    const login = await fetch(`${url}/api/v10/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'starter', password: 'long enough' }),
    });
    assert.equal(login.status, 200);

    // Graceful shutdown: a request in flight when SIGTERM arrives is still answered (from the database), and so is
    // every request of keep-alive clients posting in a loop, while new connections are refused; then it exits cleanly.
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
    const load = keepAliveLoad(port, 20);
    while ([...load.outcomes.values()].reduce((a, b) => a + b, 0) < 40)
      await new Promise((r) => setTimeout(r, 10));
    again.child.kill('SIGTERM');
    while (await accepts(port)) await new Promise((r) => setTimeout(r, 20));
    inFlight.write(body.slice(10));
    await answered;
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.match(answer, /INVALID_LOGIN/);
    await load.done;
    const failed = [...load.outcomes].filter(
      ([outcome]) => !/^answered|^ECONNREFUSED|\(new connection\)$/.test(outcome),
    );
    assert.deepEqual(failed, [], 'no request sent on an open connection was cut off');
    assert.equal(await again.exited, 0);
  });
});

// Each start that cannot work stops at once with one line; these start no database and run side by side.
describe('a start that cannot work', { concurrency: true }, () => {
  test('a bad setting stops it with one line naming the variable', async () => {
    const p = startProcess({ PORT: 'abc' });
    assert.equal(await p.exited, 1);
    assert.equal(p.output().trim(), 'hearth: PORT must be an integer from 0 to 65535 (got "abc")');
  });

  test('a port in use stops it with one line naming PORT, before the data directory is set up', async () => {
    const holder = createServer().listen(0, '127.0.0.1');
    await once(holder, 'listening');
    const port = (holder.address() as { port: number }).port;
    try {
      const dataDir = tempDir();
      const p = startProcess({ PORT: String(port), DATA_DIR: dataDir });
      assert.equal(await p.exited, 1);
      assert.equal(
        p.output().trim(),
        `hearth: PORT ${port} is already in use on 127.0.0.1: stop what holds it, or set PORT to a free port`,
      );
      assert.equal(existsSync(join(dataDir, 'pglite')), false, 'no database was created first');
    } finally {
      holder.close();
    }
  });

  test('a DATA_DIR that cannot be written stops it with one line naming DATA_DIR', async () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, '');
    const p = startProcess({ PORT: String(await freePort()), DATA_DIR: join(file, 'data') });
    assert.equal(await p.exited, 1);
    assert.equal(
      p.output().trim(),
      `hearth: DATA_DIR ${join(file, 'data')} is not writable (ENOTDIR): make it writable for this user, or set DATA_DIR to another directory`,
    );
  });

  test('a PostgreSQL that refuses connections stops it with one line naming DATABASE_URL', async () => {
    const pgPort = await freePort();
    const p = startProcess({
      PORT: String(await freePort()),
      DATA_DIR: tempDir(),
      DATABASE_URL: `postgres://hearth:secret@127.0.0.1:${pgPort}/hearth`,
    });
    assert.equal(await p.exited, 1);
    assert.equal(
      p.output().trim(),
      `hearth: DATABASE_URL: PostgreSQL at 127.0.0.1:${pgPort} cannot be reached (ECONNREFUSED): start it, or fix or unset DATABASE_URL`,
    );
  });

  test('a database that does not exist stops it with one line saying how to create it', {
    skip: process.env.DATABASE_URL ? false : 'needs DATABASE_URL',
  }, async () => {
    const url = new URL(process.env.DATABASE_URL as string);
    url.pathname = '/hearth_no_such_database';
    const p = startProcess({
      PORT: String(await freePort()),
      DATA_DIR: tempDir(),
      DATABASE_URL: url.toString(),
    });
    assert.equal(await p.exited, 1);
    assert.equal(
      p.output().trim(),
      `hearth: DATABASE_URL names database "hearth_no_such_database", which does not exist on ${url.host}: create it (createdb hearth_no_such_database) or fix DATABASE_URL`,
    );
  });

  test('an unreachable Redis stops it with one line naming REDIS_URL', async () => {
    const redisPort = await freePort();
    const p = startProcess({
      PORT: String(await freePort()),
      DATA_DIR: tempDir(),
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    });
    assert.equal(await p.exited, 1);
    assert.equal(
      p.output().trim(),
      `hearth: REDIS_URL: Redis at 127.0.0.1:${redisPort} cannot be reached (ECONNREFUSED): start Redis, or fix or unset REDIS_URL`,
    );
  });
});
