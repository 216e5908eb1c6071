import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { startHearth, type TestServer, type TestUser } from '../harness';

let h: TestServer;
before(async () => {
  h = await startHearth();
});
after(() => h.close());

const dm = async (a: TestUser, b: TestUser) =>
  (await h.api('POST', '/users/@me/channels', { token: a.token, body: { recipient_id: b.id } })).body;
const send = (u: TestUser, channelId: string, content: string) =>
  h.api('POST', `/channels/${channelId}/messages`, { token: u.token, body: { content } });

describe('direct messages', () => {
  test('one DM per pair, readable and writable by its two recipients only', async () => {
    const [a, b, c] = [await h.register(), await h.register(), await h.register()];
    const first = await h.api('POST', '/users/@me/channels', {
      token: a.token,
      body: { recipient_id: b.id },
    });
    assert.equal(first.status, 200);
    assert.equal(first.body.type, 1);
    assert.deepEqual(
      first.body.recipients.map((u: any) => u.id),
      [b.id],
    );
    const again = await dm(a, b);
    const theirs = await dm(b, a);
    assert.equal(again.id, first.body.id);
    assert.equal(theirs.id, first.body.id);
    const sent = await send(a, first.body.id, 'hi b');
    assert.equal(sent.status, 200);
    const ev = h.events.find((e) => e.t === 'MESSAGE_CREATE' && (e.d as any).id === sent.body.id)!;
    assert.equal((ev.d as any).channel_type, 1);
    assert.equal((ev.d as any).guild_id, undefined);
    assert.deepEqual(
      (await h.api('GET', `/channels/${first.body.id}/messages`, { token: b.token })).body.map(
        (m: any) => m.content,
      ),
      ['hi b'],
    );
    // A third party learns nothing.
    for (const [method, path, body] of [
      ['GET', `/channels/${first.body.id}`, undefined],
      ['GET', `/channels/${first.body.id}/messages`, undefined],
      ['POST', `/channels/${first.body.id}/messages`, { content: 'x' }],
      ['POST', `/channels/${first.body.id}/typing`, undefined],
      ['PUT', `/channels/${first.body.id}/pins/${sent.body.id}`, undefined],
      ['GET', `/channels/${first.body.id}/pins`, undefined],
      ['DELETE', `/channels/${first.body.id}/messages/${sent.body.id}`, undefined],
      [
        'PUT',
        `/channels/${first.body.id}/messages/${sent.body.id}/reactions/${encodeURIComponent('👍')}/@me`,
        undefined,
      ],
      [
        'GET',
        `/channels/${first.body.id}/messages/${sent.body.id}/reactions/${encodeURIComponent('👍')}`,
        undefined,
      ],
    ] as const) {
      const res = await h.api(method, path, { token: c.token, body });
      assert.equal(res.status, 404, `${method} ${path}`);
    }
    // Recipients may pin in a DM.
    assert.equal(
      (await h.api('PUT', `/channels/${first.body.id}/pins/${sent.body.id}`, { token: b.token })).status,
      204,
    );
    assert.equal(
      (await h.api('POST', '/users/@me/channels', { token: a.token, body: { recipient_id: a.id } })).status,
      400,
    );
    assert.equal(
      (
        await h.api('POST', '/users/@me/channels', {
          token: a.token,
          body: { recipient_id: '123456789012345678' },
        })
      ).status,
      404,
    );
  });

  test('closing hides a DM until a new message arrives', async () => {
    const [a, b] = [await h.register(), await h.register()];
    const channel = await dm(a, b);
    const list = async (u: TestUser) =>
      (await h.api('GET', '/users/@me/channels', { token: u.token })).body.map((c: any) => c.id);
    assert.deepEqual(await list(a), [channel.id]);
    assert.deepEqual(await list(b), [], 'the recipient sees it only once a message arrives');
    await send(a, channel.id, 'ping');
    assert.deepEqual(await list(b), [channel.id]);
    assert.equal((await h.api('DELETE', `/channels/${channel.id}`, { token: b.token })).status, 200);
    assert.deepEqual(await list(b), []);
    await send(a, channel.id, 'ping again');
    assert.deepEqual(await list(b), [channel.id]);
  });

  test('a user who blocked you cannot be messaged (50007)', async () => {
    const [a, b] = [await h.register(), await h.register()];
    const channel = await dm(a, b);
    assert.equal(
      (await h.api('PUT', `/users/@me/relationships/${a.id}`, { token: b.token, body: { type: 2 } })).status,
      204,
    );
    const res = await send(a, channel.id, 'hello?');
    assert.equal(res.status, 403);
    assert.equal(res.body.code, 50007);
    assert.equal((await send(b, channel.id, 'I blocked you')).body.code, 50007);
    await h.api('DELETE', `/users/@me/relationships/${a.id}`, { token: b.token });
    assert.equal((await send(a, channel.id, 'hello again')).status, 200);
  });

  test('group DMs: up to ten, the owner adds and removes, anyone leaves, names change with system messages', async () => {
    const people = [];
    for (let i = 0; i < 4; i++) people.push(await h.register());
    const [owner, b, c, d] = people;
    const res = await h.api('POST', '/users/@me/channels', {
      token: owner.token,
      body: { recipients: [b.id, c.id] },
    });
    assert.equal(res.status, 200);
    const g = res.body;
    assert.equal(g.type, 3);
    assert.equal(g.owner_id, owner.id);
    assert.equal(g.recipients.length, 2);
    assert.equal(
      (await h.api('PUT', `/channels/${g.id}/recipients/${d.id}`, { token: b.token })).status,
      403,
    );
    assert.equal(
      (await h.api('PUT', `/channels/${g.id}/recipients/${d.id}`, { token: owner.token })).status,
      204,
    );
    assert.equal((await h.api('GET', `/channels/${g.id}`, { token: d.token })).status, 200);
    assert.ok(h.events.some((e) => e.t === 'CHANNEL_RECIPIENT_ADD' && (e.d as any).user.id === d.id));
    const renamed = await h.api('PATCH', `/channels/${g.id}`, { token: c.token, body: { name: 'The Crew' } });
    assert.equal(renamed.body.name, 'The Crew');
    const png = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#0a0' } })
      .png()
      .toBuffer();
    const icon = await h.api('PATCH', `/channels/${g.id}`, {
      token: c.token,
      body: { icon: `data:image/png;base64,${png.toString('base64')}` },
    });
    assert.equal(icon.status, 200, icon.text);
    assert.match(icon.body.icon, /^[0-9a-f]{32}$/);
    const served = await h.api('GET', `/channel-icons/${g.id}/${icon.body.icon}.png`, { root: true });
    assert.equal(served.status, 200);
    assert.equal(served.headers.get('content-type'), 'image/png');
    assert.equal(
      (await h.api('DELETE', `/channels/${g.id}/recipients/${d.id}`, { token: owner.token })).status,
      204,
    );
    assert.equal((await h.api('GET', `/channels/${g.id}`, { token: d.token })).status, 404);
    assert.equal((await h.api('DELETE', `/channels/${g.id}`, { token: owner.token })).status, 200);
    const after = await h.api('GET', `/channels/${g.id}`, { token: b.token });
    assert.notEqual(after.body.owner_id, owner.id, 'ownership passed on');
    const history = await h.api('GET', `/channels/${g.id}/messages`, { token: b.token });
    const types = history.body.map((m: any) => m.type);
    for (const t of [1, 2, 4]) assert.ok(types.includes(t), `system message ${t}`);
    const many = [];
    for (let i = 0; i < 10; i++) many.push((await h.register()).id);
    assert.equal(
      (await h.api('POST', '/users/@me/channels', { token: owner.token, body: { recipients: many } })).status,
      400,
    );
  });
});

describe('relationships', () => {
  const rels = async (u: TestUser) =>
    (await h.api('GET', '/users/@me/relationships', { token: u.token })).body.map((r: any) => [r.id, r.type]);

  test('a request by username, accepted by the other side, makes friends both ways', async () => {
    const [a, b] = [await h.register(), await h.register()];
    assert.equal(
      (
        await h.api('POST', '/users/@me/relationships', {
          token: a.token,
          body: { username: b.username.toUpperCase() },
        })
      ).status,
      204,
    );
    assert.deepEqual(await rels(a), [[b.id, 4]]);
    assert.deepEqual(await rels(b), [[a.id, 3]]);
    assert.ok(
      h.events.some(
        (e) => e.t === 'RELATIONSHIP_ADD' && e.topic === `user:${b.id}` && (e.d as any).type === 3,
      ),
    );
    assert.equal(
      (await h.api('PUT', `/users/@me/relationships/${a.id}`, { token: b.token, body: {} })).status,
      204,
    );
    assert.deepEqual(await rels(a), [[b.id, 1]]);
    assert.deepEqual(await rels(b), [[a.id, 1]]);
    assert.equal((await h.api('DELETE', `/users/@me/relationships/${a.id}`, { token: b.token })).status, 204);
    assert.deepEqual(await rels(a), []);
    assert.deepEqual(await rels(b), []);
    assert.ok(h.events.some((e) => e.t === 'RELATIONSHIP_REMOVE' && e.topic === `user:${a.id}`));
  });

  test('declining and cancelling remove both sides', async () => {
    const [a, b] = [await h.register(), await h.register()];
    await h.api('PUT', `/users/@me/relationships/${b.id}`, { token: a.token, body: {} });
    await h.api('DELETE', `/users/@me/relationships/${a.id}`, { token: b.token });
    assert.deepEqual(await rels(a), []);
    await h.api('PUT', `/users/@me/relationships/${b.id}`, { token: a.token, body: {} });
    await h.api('DELETE', `/users/@me/relationships/${b.id}`, { token: a.token });
    assert.deepEqual(await rels(b), []);
  });

  test('blocking removes friendship and requests; a blocked user cannot send a request and learns nothing', async () => {
    const [a, b, c] = [await h.register(), await h.register(), await h.register()];
    await h.api('PUT', `/users/@me/relationships/${b.id}`, { token: a.token, body: {} });
    await h.api('PUT', `/users/@me/relationships/${a.id}`, { token: b.token, body: {} });
    assert.equal(
      (await h.api('PUT', `/users/@me/relationships/${a.id}`, { token: b.token, body: { type: 2 } })).status,
      204,
    );
    assert.deepEqual(await rels(b), [[a.id, 2]]);
    assert.deepEqual(await rels(a), []);
    const blocked = await h.api('PUT', `/users/@me/relationships/${b.id}`, { token: a.token, body: {} });
    const ghost = await h.api('POST', '/users/@me/relationships', {
      token: c.token,
      body: { username: 'no_such_user_here' },
    });
    assert.equal(blocked.status, 400);
    assert.deepEqual(blocked.body, ghost.body, 'a block looks like any refusal');
    assert.equal(
      (await h.api('PUT', `/users/@me/relationships/${a.id}`, { token: b.token, body: {} })).status,
      400,
      'unblock first',
    );
    assert.equal(
      (await h.api('PUT', `/users/@me/relationships/${b.id}`, { token: b.token, body: {} })).status,
      400,
      'not yourself',
    );
    assert.equal((await h.api('DELETE', `/users/@me/relationships/${c.id}`, { token: b.token })).status, 404);
    assert.equal((await h.api('GET', '/users/@me/relationships')).status, 401);
  });

  test('bots have no relationships', async () => {
    const owner = await h.register();
    const app = (await h.api('POST', '/applications', { token: owner.token, body: { name: 'Lonely Bot' } }))
      .body;
    const token = `Bot ${(await h.api('POST', `/applications/${app.id}/bot/reset`, { token: owner.token })).body.token}`;
    assert.equal((await h.api('GET', '/users/@me/relationships', { token })).status, 403);
    assert.equal(
      (await h.api('PUT', `/users/@me/relationships/${app.bot.id}`, { token: owner.token, body: {} })).status,
      400,
    );
  });
});
