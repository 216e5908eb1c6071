import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { callApi, type GroupProcess, ProcessGroup, requestJson, waitForHealth } from '../process';

// Mastodon streaming across processes: a reader streaming from A gets what B serves, through the Redis bus, and only
// what they may see.

const adminUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
const skip = !adminUrl || !redisUrl ? 'needs DATABASE_URL and REDIS_URL' : false;
let group: ProcessGroup;

async function register(p: GroupProcess): Promise<{ id: string; token: string }> {
  const name = `st_${randomBytes(4).toString('hex')}`;
  const res = await callApi(p, 'POST', '/auth/register', undefined, {
    email: `${name}@example.test`,
    username: name,
    password: 'long enough',
  });
  assert.equal(res.status, 201);
  const me = await callApi(p, 'GET', '/users/@me', res.body.token);
  return { id: me.body.id, token: res.body.token };
}

describe('streaming across processes', { skip, timeout: 600_000 }, () => {
  before(async () => {
    group = await ProcessGroup.onPostgres();
  });
  after(async () => {
    await group?.close();
  });

  test('a status posted on B reaches a follower streaming from A; a followers-only one not a stranger', async () => {
    const base = 700 + Math.floor(Math.random() * 100);
    const a = await group.start(base, { REDIS_URL: redisUrl as string });
    const b = await group.start(base + 1, { REDIS_URL: redisUrl as string });
    await Promise.all([waitForHealth(a), waitForHealth(b)]);
    const [author, follower, stranger] = [await register(b), await register(a), await register(a)];
    const mastodon = (p: GroupProcess, method: string, path: string, token: string, body?: unknown) =>
      requestJson(method, `${p.url}${path}`, body, `Bearer ${token}`);
    assert.equal(
      (await mastodon(a, 'POST', `/api/v1/accounts/${author.id}/follow`, follower.token)).status,
      200,
    );

    const open = (token: string) => {
      const ws = new WebSocket(`${a.url.replace(/^http/, 'ws')}/api/v1/streaming?stream=user`, [token]);
      const messages: any[] = [];
      ws.on('message', (d) => messages.push(JSON.parse(String(d))));
      return new Promise<{ ws: WebSocket; messages: any[] }>((resolve, reject) => {
        ws.once('open', () => resolve({ ws, messages }));
        ws.once('error', reject);
      });
    };
    const f = await open(follower.token);
    const s = await open(stranger.token);
    for (const c of [f, s]) {
      c.ws.send(JSON.stringify({ type: 'subscribe', stream: 'public' }));
      // The answer to an unknown message says everything before it was handled.
      c.ws.send(JSON.stringify({ type: 'sync' }));
    }
    const until = async (c: { messages: any[] }, match: (m: any) => boolean) => {
      while (!c.messages.some(match)) await new Promise((r) => setTimeout(r, 25));
    };
    for (const c of [f, s]) await until(c, (m) => m.error === 'Unknown message type');

    const priv = await mastodon(b, 'POST', '/api/v1/statuses', author.token, {
      status: 'followers only',
      visibility: 'private',
    });
    const pub = await mastodon(b, 'POST', '/api/v1/statuses', author.token, { status: 'everyone' });
    const isUpdate = (id: string, stream: string) => (m: any) =>
      m.event === 'update' && m.stream[0] === stream && JSON.parse(m.payload).id === id;
    await until(f, isUpdate(pub.body.id, 'user'));
    await until(f, isUpdate(pub.body.id, 'public'));
    await until(s, isUpdate(pub.body.id, 'public'));
    assert.ok(f.messages.some(isUpdate(priv.body.id, 'user')), 'the follower has the followers-only status');
    assert.ok(!s.messages.some((m) => m.payload?.includes(priv.body.id)), 'the stranger has nothing of it');
    f.ws.close();
    s.ws.close();
  });
});
