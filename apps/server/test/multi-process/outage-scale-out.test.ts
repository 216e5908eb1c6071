import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { TestGateway } from '../gateway-client';
import { callApi as api, asServer, type GroupProcess, ProcessGroup, waitForHealth } from '../process';
import { PrivateRedis, privateRedisSkip } from '../redis-server';

// The proof of ADR 0020: two Hearth processes, PostgreSQL and a Redis of this test's own. Writers post all along;
// Redis is stopped for 20 s and started again (empty), then one process is killed with SIGKILL. Every acknowledged
// message is stored and reached each reader exactly once, the killed process's reader after resuming on the other.

const adminUrl = process.env.DATABASE_URL;
const skip = !adminUrl ? 'needs DATABASE_URL (PostgreSQL shared by two processes)' : privateRedisSkip;
const OUTAGE_MS = 20_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Proc = GroupProcess & { name: string };

let redis: PrivateRedis;
let group: ProcessGroup;
const procs: Proc[] = [];
const readers: Reader[] = [];
/** What the proof saw of logins, checked by its own test. */
const logins: string[] = [];

/** One more process, named for the proof's messages, on the group's database and the test's Redis. */
async function start(name: string, workerId: number): Promise<Proc> {
  const p = Object.assign(
    await group.start(workerId, {
      REDIS_URL: redis.url,
      // Send limits stay on (and fall back to per-process ones while Redis is away) but do not throttle the proof.
      RATE_LIMITS: 'true',
      RATE_LIMIT_MESSAGES: '1000',
      RATE_LIMIT_GLOBAL: '1000',
    }),
    { name },
  );
  procs.push(p);
  return p;
}

async function health(p: Proc): Promise<string> {
  return ((await (await fetch(`${p.url}/health`)).json()) as { status: string }).status;
}

async function healthBecomes(p: Proc, status: string): Promise<void> {
  for (let i = 0; i < 250 && (await health(p)) !== status; i++) await sleep(20);
  assert.equal(await health(p), status, `${p.name}'s /health`);
}

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
    group = await ProcessGroup.onPostgres();
  });

  after(async () => {
    for (const r of readers) r.stop();
    TestGateway.closeAll();
    await group?.close();
    await redis?.stop();
  });

  test('Redis down for 20 s, then a process SIGKILLed: every acknowledged message stored and delivered once to each reader', {
    timeout: 180_000,
  }, async () => {
    const a = await start('A', 11);
    const b = await start('B', 12);
    await Promise.all([waitForHealth(a), waitForHealth(b)]);
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

    const db = new pg.Client({ connectionString: group.databaseUrl });
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
    const c = await start('C', 13);
    await waitForHealth(c);
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
