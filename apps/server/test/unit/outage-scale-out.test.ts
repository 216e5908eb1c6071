import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { TestGateway } from '../gateway-client';
import { freePort, type TestServer } from '../harness';
import { PrivateRedis, privateRedisSkip } from '../redis-server';

// The proof of ADR 0020: two Hearth processes, PostgreSQL and a Redis of this test's own. Writers post all along;
// Redis is stopped for 20 s and started again (empty), then one process is killed with SIGKILL. Every acknowledged
// message is stored and reached each reader exactly once, the killed process's reader after resuming on the other.

const adminUrl = process.env.DATABASE_URL;
const skip = !adminUrl ? 'needs DATABASE_URL (PostgreSQL shared by two processes)' : privateRedisSkip;
const root = new URL('../../../../', import.meta.url).pathname;
const OUTAGE_MS = 20_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Proc {
  name: string;
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<unknown>;
}

let redis: PrivateRedis;
let dbName = '';
let dbUrl = '';
const dirs: string[] = [];
const procs: Proc[] = [];
const readers: Reader[] = [];
/** What the proof saw of logins, checked by its own test. */
const logins: string[] = [];

function start(name: string, workerId: number, port: number): Proc {
  const dataDir = mkdtempSync(join(tmpdir(), 'hearth-outage-'));
  dirs.push(dataDir);
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts', 'start'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: dbUrl,
      REDIS_URL: redis.url,
      WORKER_ID: String(workerId),
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      AUTH_RATE_LIMIT: '100000',
      // Send limits stay on (and fall back to per-process ones while Redis is away) but do not throttle the proof.
      RATE_LIMIT_MESSAGES: '1000',
      RATE_LIMIT_GLOBAL: '1000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const proc = { name, child, url, output: () => out, exited: new Promise((r) => child.on('exit', r)) };
  procs.push(proc);
  return proc;
}

async function healthy(p: Proc): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${p.url}/health`)).ok) return;
    } catch {}
    await sleep(100);
  }
  throw new Error(`${p.name} did not start:\n${p.output()}`);
}

async function health(p: Proc): Promise<string> {
  return ((await (await fetch(`${p.url}/health`)).json()) as { status: string }).status;
}

async function healthBecomes(p: Proc, status: string): Promise<void> {
  for (let i = 0; i < 250 && (await health(p)) !== status; i++) await sleep(20);
  assert.equal(await health(p), status, `${p.name}'s /health`);
}

async function api(p: Proc, method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(`${p.url}/api/v10${path}`, {
    method,
    headers: {
      ...(token ? { authorization: token } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const asServer = (p: Proc) => ({ url: p.url }) as TestServer;

/** A gateway client that counts each MESSAGE_CREATE and, when its socket drops, resumes on a live process. */
class Reader {
  readonly counts = new Map<string, number>();
  readonly problems: string[] = [];
  resumes = 0;
  private seq = 0;
  private sessionId = '';
  private client: TestGateway | null = null;
  private stopped = false;
  private beat: NodeJS.Timeout | null = null;

  constructor(
    readonly name: string,
    private readonly token: string,
    private readonly live: () => Proc,
  ) {}

  async start(p: Proc): Promise<void> {
    const client = await TestGateway.identify(asServer(p), this.token, {}, 1);
    this.sessionId = client.ready.session_id;
    this.seq = client.seq;
    this.watch(client);
    this.beat = setInterval(() => this.client?.send({ op: 1, d: this.seq }), 5000);
  }

  stop(): void {
    this.stopped = true;
    if (this.beat) clearInterval(this.beat);
    this.client?.close();
  }

  private watch(client: TestGateway): void {
    this.client = client;
    client.ws.on('message', (data) => {
      const p = JSON.parse(data.toString());
      if (p.s) this.seq = Math.max(this.seq, p.s);
      if (p.t === 'MESSAGE_CREATE') this.counts.set(p.d.id, (this.counts.get(p.d.id) ?? 0) + 1);
      if (p.op === 9 || p.op === 7) this.problems.push(`op ${p.op}`);
    });
    client.ws.on('close', (code) => {
      if (this.stopped || client !== this.client) return;
      this.problems.push(`closed ${code}`);
      this.resume().catch((err) => this.problems.push(`resume failed: ${err.message}`));
    });
  }

  private async resume(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const client = await TestGateway.open(asServer(this.live()));
        await client.next((p) => p.op === 10);
        this.watch(client);
        client.send({ op: 6, d: { token: this.token, session_id: this.sessionId, seq: this.seq } });
        await client.dispatch('RESUMED', () => true, 20_000);
        this.resumes++;
        this.problems.splice(
          this.problems.lastIndexOf(this.problems.find((p) => p.startsWith('closed'))!),
          1,
        );
        return;
      } catch (err) {
        if (attempt >= 5) throw err;
        await sleep(500);
      }
    }
  }
}

describe('an outage loses nothing acknowledged', { skip }, () => {
  before(async () => {
    redis = await PrivateRedis.start();
    dbName = `hearth_outage_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const u = new URL(adminUrl!);
    u.pathname = `/${dbName}`;
    dbUrl = u.toString();
  });

  after(async () => {
    for (const r of readers) r.stop();
    TestGateway.closeAll();
    for (const p of procs) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await redis?.stop();
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  });

  test('Redis down for 20 s, then a process SIGKILLed: every acknowledged message stored and delivered once to each reader', {
    timeout: 180_000,
  }, async () => {
    const a = start('A', 11, await freePort());
    const b = start('B', 12, await freePort());
    await Promise.all([healthy(a), healthy(b)]);
    let killed = false;
    const live = () => (killed ? a : b);

    const register = async (name: string) => {
      const res = await api(a, 'POST', '/auth/register', undefined, {
        email: `${name}@example.test`,
        username: name,
        password: 'long enough',
      });
      assert.equal(res.status, 201);
      return res.body.token as string;
    };
    const suffix = randomBytes(3).toString('hex');
    const token = await register(`outage_${suffix}`);
    // One account per login: the per-account login limit is not what this measures.
    const accounts: string[] = [];
    for (let i = 0; i < 40; i++) {
      await register(`login${i}_${suffix}`);
      accounts.push(`login${i}_${suffix}`);
    }
    const guild = (await api(a, 'POST', '/guilds', token, { name: 'Outage' })).body;
    // Writers post to channels of their own: with Discord's per-channel send limits, more get through.
    const channels: string[] = [];
    for (let i = 0; i < 4; i++)
      channels.push((await api(a, 'POST', `/guilds/${guild.id}/channels`, token, { name: `w${i}` })).body.id);
    readers.push(new Reader('on A', token, () => a), new Reader('on B', token, () => a));
    await readers[0].start(a);
    await readers[1].start(b);

    const acknowledged: string[] = [];
    const refused: string[] = [];
    let writing = true;
    const writer = async (name: string, channelId: string, target: () => Proc) => {
      for (let i = 0; writing; i++) {
        const p = target();
        try {
          const res = await api(p, 'POST', `/channels/${channelId}/messages`, token, {
            content: `${name} ${i}`,
          });
          if (res.status === 200) acknowledged.push(res.body.id);
          // Over a send limit: refused, not acknowledged; the writer waits as a client would.
          else if (res.status === 429) await sleep(Math.min(res.body.retry_after * 1000, 5000));
          else refused.push(`${p.name} ${res.status}`);
        } catch {
          // No answer (the process was killed): nothing was acknowledged.
        }
        await sleep(10);
      }
    };
    const loginLoop = async () => {
      for (let i = 0; writing && i < accounts.length; i++) {
        const p = i % 2 ? live() : a;
        try {
          const res = await api(p, 'POST', '/auth/login', undefined, {
            login: accounts[i],
            password: 'long enough',
          });
          logins.push(`${p.name} ${res.status}`);
        } catch {
          if (p === a) logins.push('A no answer');
        }
        await sleep(900);
      }
    };
    const work = Promise.all([
      writer('via A', channels[0], () => a),
      writer('via A', channels[1], () => a),
      writer('via B', channels[2], live),
      writer('via B', channels[3], live),
      loginLoop(),
    ]);

    await sleep(2000);
    await redis.stop();
    await Promise.all([healthBecomes(a, 'degraded'), healthBecomes(b, 'degraded')]);
    await sleep(OUTAGE_MS);
    await redis.resume();
    await Promise.all([healthBecomes(a, 'ok'), healthBecomes(b, 'ok')]);
    await sleep(4000);
    b.child.kill('SIGKILL');
    killed = true;
    await b.exited;
    await sleep(4000);
    writing = false;
    await work;

    const db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
    const stored = new Set(
      (
        await db.query('SELECT id::text FROM messages WHERE channel_id = ANY($1::bigint[])', [channels])
      ).rows.map((r) => r.id),
    );
    await db.end();
    const missing = acknowledged.filter((id) => !stored.has(id));
    assert.deepEqual(missing, [], 'every acknowledged message is stored');

    const complete = () => readers.every((r) => acknowledged.every((id) => r.counts.has(id)));
    for (const deadline = Date.now() + 30_000; !complete() && Date.now() < deadline; ) await sleep(100);
    await sleep(500);
    for (const r of readers) {
      const lost = acknowledged.filter((id) => !r.counts.has(id));
      const twice = [...r.counts].filter(([, n]) => n > 1).map(([id]) => id);
      assert.deepEqual(
        { lost: lost.length, twice: twice.length, problems: r.problems },
        { lost: 0, twice: 0, problems: [] },
        `reader ${r.name}: ${acknowledged.length} acknowledged`,
      );
    }
    assert.equal(readers[1].resumes, 1, 'the reader on B resumed on A');
    assert.deepEqual(refused, [], 'every post that got an answer was accepted');
    for (const r of readers) r.stop();
    console.log(`outage proof: ${acknowledged.length} messages acknowledged, each reader got every one once`);
  });

  test('a client that comes back on another process while its own lives resumes there, with nothing missed', {
    timeout: 120_000,
  }, async () => {
    const a = procs.find((p) => p.name === 'A')!;
    const c = start('C', 13, await freePort());
    await healthy(c);
    const reg = await api(a, 'POST', '/auth/register', undefined, {
      email: `moving_${randomBytes(3).toString('hex')}@example.test`,
      username: `moving_${randomBytes(3).toString('hex')}`,
      password: 'long enough',
    });
    const token = reg.body.token as string;
    const guild = (await api(a, 'POST', '/guilds', token, { name: 'Moving' })).body;
    const channel = (await api(a, 'GET', `/guilds/${guild.id}/channels`, token)).body.find(
      (ch: { type: number }) => ch.type === 0,
    );
    const post = async (content: string) =>
      (await api(a, 'POST', `/channels/${channel.id}/messages`, token, { content })).body.id as string;
    const first = await TestGateway.identify(asServer(a), token, {}, 1);
    const before = await post('before');
    await first.dispatch('MESSAGE_CREATE', (d) => d.id === before);
    // Its connection drops without a close (A keeps the session); meanwhile more is posted.
    first.ws.terminate();
    const missed = [await post('missed 1'), await post('missed 2')];
    const moved = await TestGateway.open(asServer(c));
    await moved.next((p) => p.op === 10);
    moved.send({ op: 6, d: { token, session_id: first.ready.session_id, seq: first.seq } });
    await moved.dispatch('RESUMED', () => true, 20_000);
    const after = await post('after');
    await moved.dispatch('MESSAGE_CREATE', (d) => d.id === after);
    const got = moved.received.filter((p) => p.t === 'MESSAGE_CREATE').map((p) => p.d.id);
    const all = [...got, after];
    assert.deepEqual(all, [...missed, after], 'the missed messages once, in order, then the live one');
    moved.close();
  });

  // Logins during the outage rely on the rate limiter's per-process fallback (ADR 0015).
  test('logins worked throughout the outage and the kill', () => {
    assert.ok(logins.length >= 10, `${logins.length} logins tried`);
    assert.deepEqual(
      logins.filter((l) => !l.endsWith(' 200')),
      [],
    );
  });
});
