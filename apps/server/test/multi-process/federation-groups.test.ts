import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { freePort, freshPostgres } from '../harness';
import { callApi, type HearthProcess, requestJson, startProcess, waitForHealth } from '../process';

// A group of one Hearth (A, 127.0.0.1) followed and posted into from another (B, localhost), both real processes
// on their own databases (ADR 0031, federation addendum; FEP-1b12): B looks the group up by its handle, follows it
// (a join on A, Accepted), a status of B's user mentioning it becomes a post of the group on A, and a post an A member
// writes in the group reaches B's user's home timeline as the group's boost.

interface Instance extends HearthProcess {
  host: string;
  dataDir: string;
  drop: () => Promise<void>;
}
const started: Instance[] = [];

async function startInstance(hostName: string, workerId: number): Promise<Instance> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'hearth-federation-groups-'));
  const db = process.env.DATABASE_URL ? await freshPostgres() : null;
  const p = startProcess({
    PORT: String(port),
    PUBLIC_URL: `http://${hostName}:${port}`,
    DATA_DIR: dataDir,
    WORKER_ID: String(workerId),
    LOG_LEVEL: 'warn',
    AUTH_RATE_LIMIT: '100000',
    JOBS_POLL_INTERVAL: '200',
    FEDERATION_ALLOW_PRIVATE_ADDRESSES: 'true',
    FEDERATION_ALLOW_HTTP: 'true',
    ...(db ? { DATABASE_URL: db.url } : {}),
  });
  const instance = { ...p, host: `${hostName}:${port}`, dataDir, drop: db?.drop ?? (async () => {}) };
  started.push(instance);
  return instance;
}

async function register(p: HearthProcess, name: string): Promise<{ id: string; token: string }> {
  const res = await callApi(p, 'POST', '/auth/register', undefined, {
    email: `${name}@example.test`,
    username: name,
    password: 'long enough',
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const me = await callApi(p, 'GET', '/users/@me', res.body.token);
  return { id: me.body.id, token: res.body.token };
}

const mastodon = (p: HearthProcess, method: string, path: string, token?: string, body?: unknown) =>
  requestJson(method, `${p.url}${path}`, body, token ? `Bearer ${token}` : undefined);

async function eventually<T>(what: string, check: () => Promise<T | null | undefined | false>): Promise<T> {
  for (let i = 0; i < 1200; i++) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `never happened: ${what}\n--- A ---\n${started[0]?.output()}\n--- B ---\n${started[1]?.output()}`,
  );
}

describe('a group federates between two Hearth instances', { timeout: 900_000 }, () => {
  after(async () => {
    for (const p of started) p.child.kill('SIGKILL');
    await Promise.all(started.map((p) => p.exited));
    for (const p of started) {
      rmSync(p.dataDir, { recursive: true, force: true });
      await p.drop();
    }
  });

  test('B follows A’s public group by its handle (a join, Accepted), a mention from B posts into it, an A member’s post reaches B’s home', async () => {
    const a = await startInstance('127.0.0.1', 21);
    const b = await startInstance('localhost', 22);
    await Promise.all([waitForHealth(a), waitForHealth(b)]);
    const owner = await register(a, 'owner');
    const bob = await register(b, 'bob');

    // A: a public group with a handle and a forum.
    const guild = await callApi(a, 'POST', '/guilds', owner.token, { name: 'Knitters' });
    assert.equal(guild.status, 201, JSON.stringify(guild.body));
    const gid = guild.body.id as string;
    const made = await callApi(a, 'PATCH', `/guilds/${gid}`, owner.token, {
      description: 'Yarn people',
      features: ['COMMUNITY', 'DISCOVERABLE'],
      hearth_group: { join_mode: 'public', handle: 'knitters' },
    });
    assert.equal(made.status, 200, JSON.stringify(made.body));
    const forum = await callApi(a, 'POST', `/guilds/${gid}/channels`, owner.token, {
      name: 'feed',
      type: 15,
    });
    assert.equal(forum.status, 201, JSON.stringify(forum.body));

    // A serves the group by WebFinger and as a Group actor.
    const wf = await fetch(`${a.url}/.well-known/webfinger?resource=acct:knitters@${a.host}`);
    const wfBody = await wf.text();
    assert.equal(wf.status, 200, `${wfBody}\n--- A ---\n${a.output()}`);
    const groupActor = await fetch(`${a.url}/users/${gid}`, {
      headers: { accept: 'application/activity+json' },
    });
    const actorBody = await groupActor.text();
    assert.equal(groupActor.status, 200, `${actorBody}\n--- A ---\n${a.output()}`);
    assert.equal(JSON.parse(actorBody).type, 'Group');

    // B looks the group up (WebFinger, then its Group actor) and bob follows it: A admits him and Accepts. A lookup
    // is bounded in time (ADR 0040's addendum), so on a loaded machine the first may give up: asked again, as a person
    // would, it is found.
    const lookup = `/api/v1/accounts/lookup?acct=${encodeURIComponent(`knitters@${a.host}`)}`;
    const found = await eventually('B finds the group by its handle', async () => {
      const r = await mastodon(b, 'GET', lookup, bob.token);
      return r.status === 200 ? r : null;
    });
    assert.equal(found.body.acct, `knitters@${a.host}`);
    const follow = await mastodon(b, 'POST', `/api/v1/accounts/${found.body.id}/follow`, bob.token);
    assert.equal(follow.status, 200, JSON.stringify(follow.body));
    await eventually('B hears the group’s Accept', async () => {
      const r = await mastodon(b, 'GET', `/api/v1/accounts/relationships?id[]=${found.body.id}`, bob.token);
      return r.body[0]?.following === true;
    });
    const members = await callApi(a, 'GET', `/guilds/${gid}/members?limit=10`, owner.token);
    assert.equal(members.status, 200);
    assert.equal(members.body.length, 2);

    // Bob mentions the group in a public status: on A it is a post of the group, written by bob's account there.
    const status = await mastodon(b, 'POST', '/api/v1/statuses', bob.token, {
      status: `@knitters@${a.host} Sock pattern swap\nBring yours.`,
    });
    assert.equal(status.status, 200, JSON.stringify(status.body));
    const post = await eventually('the group post on A', async () => {
      const r = await mastodon(a, 'GET', `/api/v1/accounts/${gid}/statuses`, owner.token);
      return (r.body as any[]).find((s) => /Bring yours/.test(s.content));
    });
    assert.equal(post.hearth_group_post.author.acct, `bob@${b.host}`);
    assert.equal(post.hearth_group_post.title.includes('Sock pattern swap'), true);

    // On B the group is a group account; a post an A member writes in it reaches bob's home timeline as the group's
    // boost of its author's status (FEP-1b12: the group Announces the Create of its Page).
    assert.equal(found.body.group, true);
    const thread = await callApi(a, 'POST', `/channels/${forum.body.id}/threads`, owner.token, {
      name: 'Winter hats',
      message: { content: 'Pattern for a ribbed hat' },
    });
    assert.equal(thread.status, 201, JSON.stringify(thread.body));
    const boost = await eventually('the A member’s post in bob’s home on B', async () => {
      const r = await mastodon(b, 'GET', '/api/v1/timelines/home?limit=40', bob.token);
      return (r.body as any[]).find((s) => s.reblog && /ribbed hat/.test(s.reblog.content));
    });
    assert.equal(boost.account.id, found.body.id);
    assert.equal(boost.reblog.account.acct, `owner@${a.host}`);
    assert.match(boost.reblog.content, /<strong>Winter hats<\/strong>/);
  });
});
