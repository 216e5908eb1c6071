import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { TestGateway } from '../gateway-client';
import { callApi as api, asServer, type GroupProcess, ProcessGroup, waitForHealth } from '../process';

// Two Hearth processes behind one PostgreSQL and one Redis: what one serves, the other's clients see.

const adminUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
const skip = !adminUrl || !redisUrl ? 'needs DATABASE_URL and REDIS_URL' : false;
let group: ProcessGroup;

/** One more process on the group's database and the shared Redis. */
const start = (workerId: number) =>
  group.start(workerId, {
    REDIS_URL: redisUrl as string,
    // Presences expire from Redis after a second unless their process refreshes them.
    PRESENCE_TTL: '1',
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The user's own status as a member list with presences (op 8) shows it to its session. */
async function ownStatus(client: TestGateway, guildId: string, userId: string): Promise<string> {
  const nonce = randomBytes(4).toString('hex');
  client.send({ op: 8, d: { guild_id: guildId, query: '', limit: 0, presences: true, nonce } });
  const chunk = await client.dispatch('GUILD_MEMBERS_CHUNK', (d) => d.nonce === nonce);
  return chunk.presences.find((p: any) => p.user.id === userId)?.status ?? 'offline';
}

describe('scale-out', { skip }, () => {
  before(async () => {
    group = await ProcessGroup.onPostgres();
  });

  after(async () => {
    await group?.close();
  });

  test('a client on A sees, in order and without loss, what B serves; B killed loses nothing it answered', async () => {
    const workerBase = 800 + Math.floor(Math.random() * 100);
    const a = await start(workerBase);
    const b = await start(workerBase + 1);
    await Promise.all([waitForHealth(a), waitForHealth(b)]);

    const reg = await api(a, 'POST', '/auth/register', undefined, {
      email: 'scale@example.test',
      username: `scale_${randomBytes(3).toString('hex')}`,
      password: 'long enough',
    });
    assert.equal(reg.status, 201);
    const token = reg.body.token;
    const guild = (await api(b, 'POST', '/guilds', token, { name: 'Scaled' })).body;
    const channel = (await api(a, 'GET', `/guilds/${guild.id}/channels`, token)).body.find(
      (c: any) => c.type === 0,
    );

    const client = await TestGateway.identify(asServer(a), token, {}, 1);
    try {
      const answered: string[] = [];
      for (let i = 0; i < 20; i++) {
        const res = await api(b, 'POST', `/channels/${channel.id}/messages`, token, { content: `m${i}` });
        assert.equal(res.status, 200);
        answered.push(res.body.id);
      }
      const seen: string[] = [];
      while (seen.length < answered.length) seen.push((await client.dispatch('MESSAGE_CREATE')).id);
      assert.deepEqual(seen, answered, 'in order, nothing lost');

      // Kill B while it is serving: whatever it answered is stored and was delivered.
      const inflight = Array.from({ length: 10 }, (_, i) =>
        api(b, 'POST', `/channels/${channel.id}/messages`, token, { content: `k${i}` }).catch(() => null),
      );
      await new Promise((r) => setTimeout(r, 30));
      b.child.kill('SIGKILL');
      const results = await Promise.all(inflight);
      const ok = results.filter((r) => r?.status === 200).map((r) => r!.body.id as string);
      const history = (await api(a, 'GET', `/channels/${channel.id}/messages?limit=100`, token)).body.map(
        (m: any) => m.id,
      );
      for (const id of ok) assert.ok(history.includes(id), `answered message ${id} is stored`);
      for (const id of ok) await client.dispatch('MESSAGE_CREATE', (d) => d.id === id);
    } finally {
      client.close();
    }
  });

  test('SIGTERM: every session gets op 7 and resumes on another process without loss', async () => {
    const workerBase = 700 + Math.floor(Math.random() * 90);
    const a = await start(workerBase);
    const b = await start(workerBase + 1);
    await Promise.all([waitForHealth(a), waitForHealth(b)]);
    const reg = await api(a, 'POST', '/auth/register', undefined, {
      email: 'handoff@example.test',
      username: `handoff_${randomBytes(3).toString('hex')}`,
      password: 'long enough',
    });
    const token = reg.body.token;
    const guild = (await api(a, 'POST', '/guilds', token, { name: 'Handed off' })).body;
    const channel = (await api(a, 'GET', `/guilds/${guild.id}/channels`, token)).body.find(
      (c: any) => c.type === 0,
    );
    const seen: string[] = [];
    const watch = (c: TestGateway) =>
      c.ws.on('message', (data) => {
        const p = JSON.parse(data.toString());
        if (p.t === 'MESSAGE_CREATE') seen.push(p.d.id);
      });
    const presence = { status: 'dnd', activities: [] };
    const client = await TestGateway.identify(asServer(a), token, { presence }, 1);
    watch(client);
    // A connected user who sends nothing keeps their presence past the presence TTL: its process refreshes it.
    await sleep(2500);
    assert.equal(await ownStatus(client, guild.id, reg.body.user_id), 'dnd');
    // B keeps answering posts while A shuts down.
    const answered: string[] = [];
    const posting = (async () => {
      for (let i = 0; i < 30; i++) {
        const res = await api(b, 'POST', `/channels/${channel.id}/messages`, token, { content: `h${i}` });
        assert.equal(res.status, 200);
        answered.push(res.body.id);
        if (i === 5) a.child.kill('SIGTERM');
      }
    })();
    await client.next((p) => p.op === 7, 20_000);
    await client.closed(20_000);
    assert.equal(await a.exited, 0, 'A shut down cleanly');
    await posting;
    const resumed = await TestGateway.open(asServer(b));
    watch(resumed);
    await resumed.next((p) => p.op === 10);
    resumed.send({ op: 6, d: { token, session_id: client.ready.session_id, seq: client.seq } });
    await resumed.dispatch('RESUMED', () => true, 20_000);
    const live = await api(b, 'POST', `/channels/${channel.id}/messages`, token, { content: 'live' });
    await resumed.dispatch('MESSAGE_CREATE', (d) => d.id === live.body.id);
    // The presence travelled with the session: B keeps refreshing it, as it was.
    await sleep(2500);
    assert.equal(await ownStatus(resumed, guild.id, reg.body.user_id), 'dnd');
    // So did what it receives: the presences of its (small) guild.
    resumed.send({ op: 3, d: { status: 'idle', activities: [], since: null, afk: false } });
    await resumed.dispatch('PRESENCE_UPDATE', (d) => d.user.id === reg.body.user_id && d.status === 'idle');
    resumed.close();
    assert.deepEqual(seen, [...answered, live.body.id], 'every message once, in order');
  });

  test('a guild changed through A shows in the next GUILD_CREATE on B, whose snapshot of it the event from Redis dropped', async () => {
    const workerBase = 500 + Math.floor(Math.random() * 90);
    const a = await start(workerBase);
    const b = await start(workerBase + 1);
    await Promise.all([waitForHealth(a), waitForHealth(b)]);
    const reg = await api(a, 'POST', '/auth/register', undefined, {
      email: 'snapshot@example.test',
      username: `snapshot_${randomBytes(3).toString('hex')}`,
      password: 'long enough',
    });
    const token = reg.body.token;
    const guild = (await api(a, 'POST', '/guilds', token, { name: 'Before' })).body;
    const watcher = await TestGateway.identify(asServer(b), token, {}, 0);
    assert.equal((await watcher.dispatch('GUILD_CREATE')).name, 'Before');
    assert.equal((await api(a, 'PATCH', `/guilds/${guild.id}`, token, { name: 'After' })).status, 200);
    const role = (await api(a, 'POST', `/guilds/${guild.id}/roles`, token, { name: 'new role' })).body;
    await watcher.dispatch('GUILD_UPDATE', (d) => d.name === 'After');
    await watcher.dispatch('GUILD_ROLE_CREATE', (d) => d.role.id === role.id);
    const again = await TestGateway.identify(asServer(b), token, {}, 0);
    const created = await again.dispatch('GUILD_CREATE');
    assert.equal(created.name, 'After');
    assert.ok(created.roles.some((r: any) => r.id === role.id));
    watcher.close();
    again.close();
  });

  test('a session revoked on A is refused by B at once, though B checked it a moment before', async () => {
    const workerBase = 600 + Math.floor(Math.random() * 90);
    const a = await start(workerBase);
    const b = await start(workerBase + 1);
    await Promise.all([waitForHealth(a), waitForHealth(b)]);
    const credentials = {
      login: `revoke_${randomBytes(3).toString('hex')}`,
      password: 'long enough',
    };
    const reg = await api(a, 'POST', '/auth/register', undefined, {
      email: `${credentials.login}@example.test`,
      username: credentials.login,
      password: credentials.password,
    });
    assert.equal(reg.status, 201);
    const other = (await api(a, 'POST', '/auth/login', undefined, credentials)).body.token;
    assert.equal((await api(b, 'GET', '/users/@me', other)).status, 200);
    // B's gateway closing the session with 4004 shows that B has the SESSIONS_REVOKED event.
    const client = await TestGateway.identify(asServer(b), other);
    const sessions = (await api(a, 'GET', '/auth/sessions', reg.body.token)).body;
    const target = sessions.find((x: any) => !x.current);
    assert.equal((await api(a, 'DELETE', `/auth/sessions/${target.id}`, reg.body.token)).status, 204);
    assert.equal(await client.closed(), 4004);
    assert.equal((await api(b, 'GET', '/users/@me', other)).status, 401);
    assert.equal((await api(b, 'GET', '/users/@me', reg.body.token)).status, 200);
  });

  test('a member kicked through A cannot send through B, though B kept their context a moment before', async () => {
    const workerBase = 400 + Math.floor(Math.random() * 90);
    const a = await start(workerBase);
    const b = await start(workerBase + 1);
    await Promise.all([waitForHealth(a), waitForHealth(b)]);
    const register = async (name: string) =>
      (
        await api(a, 'POST', '/auth/register', undefined, {
          email: `${name}@example.test`,
          username: name,
          password: 'long enough',
        })
      ).body.token as string;
    const suffix = randomBytes(3).toString('hex');
    const owner = await register(`kicker_${suffix}`);
    const guild = (await api(a, 'POST', '/guilds', owner, { name: 'Kicks' })).body;
    const channel = (await api(a, 'GET', `/guilds/${guild.id}/channels`, owner)).body.find(
      (c: any) => c.type === 0,
    );
    const invite = (await api(a, 'POST', `/channels/${channel.id}/invites`, owner, {})).body.code;
    const send = (p: GroupProcess, token: string) =>
      api(p, 'POST', `/channels/${channel.id}/messages`, token, { content: 'still here?' });
    const members = await Promise.all([register(`kicked_a_${suffix}`), register(`kicked_b_${suffix}`)]);
    const ids: string[] = [];
    for (const token of members) {
      assert.equal((await api(a, 'POST', `/invites/${invite}`, token)).status, 200);
      ids.push((await api(a, 'GET', '/users/@me', token)).body.id);
      assert.equal((await send(b, token)).status, 200);
    }

    // Kicked through A: once B's gateway has the event, B refuses the next send.
    const client = await TestGateway.identify(asServer(b), members[0], {}, 1);
    assert.equal((await api(a, 'DELETE', `/guilds/${guild.id}/members/${ids[0]}`, owner)).status, 204);
    await client.dispatch('GUILD_DELETE', (d) => d.id === guild.id);
    assert.equal((await send(b, members[0])).status, 404);
    client.close();

    // Kicked through B itself: refused at once, before the event has come back from Redis.
    assert.equal((await api(b, 'DELETE', `/guilds/${guild.id}/members/${ids[1]}`, owner)).status, 204);
    assert.equal((await send(b, members[1])).status, 404);
  });

  test('a process refuses to start with a worker id another live process holds', async () => {
    const holder = group.processes.find((p) => p.child.exitCode === null && p.child.signalCode === null);
    assert.ok(holder, 'process A is still running');
    const clash = await start(holder.workerId);
    assert.equal(await clash.exited, 1);
    assert.match(
      clash.output().trim(),
      new RegExp(`^hearth: WORKER_ID ${holder.workerId} is in use by another Hearth process`),
    );
  });
});
