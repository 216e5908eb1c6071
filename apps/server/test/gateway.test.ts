import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Permission as P } from '@hearth/permissions';
import { TestGateway } from './gateway-client';
import { createGuild, join } from './guild-helpers';
import { startHearth, type TestServer } from './harness';

let h: TestServer;
const clients: TestGateway[] = [];
before(async () => {
  h = await startHearth();
});
after(async () => {
  for (const c of clients) c.close();
  await h.close();
});
const track = (c: TestGateway) => {
  clients.push(c);
  return c;
};
const post = (token: string, channelId: string, content: string) =>
  h.api('POST', `/channels/${channelId}/messages`, { token, body: { content } });

async function bot(owner: { token: string }, flags = 0) {
  const app = (
    await h.api('POST', '/applications', {
      token: owner.token,
      body: { name: `Bot ${Math.random().toString(36).slice(2, 8)}` },
    })
  ).body;
  if (flags) await h.api('PATCH', `/applications/${app.id}`, { token: owner.token, body: { flags } });
  const token = (await h.api('POST', `/applications/${app.id}/bot/reset`, { token: owner.token })).body
    .token as string;
  return { app, token };
}

describe('gateway handshake', () => {
  test('GET /gateway and /gateway/bot say where to connect', async () => {
    const u = await h.register();
    assert.deepEqual((await h.api('GET', '/gateway')).body, { url: 'ws://hearth.test/gateway' });
    const res = await h.api('GET', '/gateway/bot', { token: u.token });
    assert.equal(res.body.shards, 1);
    assert.ok(res.body.session_start_limit.remaining >= 1);
    assert.equal((await h.api('GET', '/gateway/bot')).status, 401);
  });

  test('HELLO, IDENTIFY, READY with unavailable guild stubs, then one GUILD_CREATE per guild; heartbeats are acked', async () => {
    const g = await createGuild(h);
    const c = track(await TestGateway.open(h));
    const hello = await c.next((p) => p.op === 10);
    assert.ok(hello.d.heartbeat_interval > 0);
    c.send({ op: 2, d: { token: g.owner.token, properties: {} } });
    const ready = await c.dispatch('READY');
    assert.equal(ready.v, 10);
    assert.equal(ready.user.id, g.owner.id);
    assert.deepEqual(ready.guilds, [{ id: g.id, unavailable: true }]);
    assert.match(ready.session_id, /^[0-9a-f]{32}$/);
    assert.equal(ready.resume_gateway_url, 'ws://hearth.test/gateway');
    assert.ok(Array.isArray(ready.private_channels) && Array.isArray(ready.relationships));
    assert.ok(ready.read_state && ready.user_settings);
    const guild = await c.dispatch('GUILD_CREATE');
    assert.equal(guild.id, g.id);
    assert.equal(guild.unavailable, false);
    assert.ok(guild.channels.some((ch: any) => ch.id === g.textChannelId));
    assert.ok(guild.roles.some((r: any) => r.id === g.id));
    assert.equal(guild.member_count, 1);
    assert.equal(guild.members[0].user.id, g.owner.id);
    c.send({ op: 1, d: 2 });
    await c.next((p) => p.op === 11);
  });

  test('bots identify with their raw token and get application in READY', async () => {
    const owner = await h.register();
    const b = await bot(owner);
    const c = track(await TestGateway.open(h));
    await c.next((p) => p.op === 10);
    c.send({ op: 2, d: { token: b.token, intents: 513, properties: {} } });
    const ready = await c.dispatch('READY');
    assert.equal(ready.user.bot, true);
    assert.deepEqual(ready.application, { id: b.app.id, flags: 0 });
  });
});

describe('close codes', () => {
  const fresh = async () => {
    const c = track(await TestGateway.open(h));
    await c.next((p) => p.op === 10);
    return c;
  };

  test('undecodable, oversized, unknown opcodes and payloads before IDENTIFY', async () => {
    let c = await fresh();
    c.send('{nope');
    assert.equal(await c.closed(), 4002);
    c = await fresh();
    c.send({ op: 1, d: 'x'.repeat(5000) });
    assert.equal(await c.closed(), 4002);
    c = await fresh();
    c.send({ op: 42 });
    assert.equal(await c.closed(), 4001);
    c = await fresh();
    c.send({ op: 8, d: { guild_id: '1' } });
    assert.equal(await c.closed(), 4003);
  });

  test('bad tokens, a second IDENTIFY, bad versions, bad and disallowed intents, too many events', async () => {
    let c = await fresh();
    c.send({ op: 2, d: { token: 'not a token', properties: {} } });
    assert.equal(await c.closed(), 4004);
    const u = await h.register();
    c = track(await TestGateway.identify(h, u.token));
    c.send({ op: 2, d: { token: u.token, properties: {} } });
    assert.equal(await c.closed(), 4005);
    const bad = track(await TestGateway.open(h, 'v=8&encoding=json'));
    assert.equal(await bad.closed(), 4012);
    const b = await bot(u);
    c = await fresh();
    c.send({ op: 2, d: { token: b.token, intents: 1 << 30, properties: {} } });
    assert.equal(await c.closed(), 4013);
    c = await fresh();
    c.send({ op: 2, d: { token: b.token, intents: 1 << 15, properties: {} } });
    assert.equal(await c.closed(), 4014);
    c = await fresh();
    for (let i = 0; i < 125; i++) c.send({ op: 1, d: null });
    assert.equal(await c.closed(), 4008);
  });
});

describe('fan-out', () => {
  test('members who can see the channel receive MESSAGE_CREATE; outsiders and members without VIEW_CHANNEL do not', async () => {
    const g = await createGuild(h);
    const [viewer, hidden, outsider] = [await join(h, g), await join(h, g), await h.register()];
    const cv = track(await TestGateway.identify(h, viewer.token, {}, 1));
    const ch = track(await TestGateway.identify(h, hidden.token, {}, 1));
    const co = track(await TestGateway.identify(h, outsider.token));
    await h.api('PUT', `/channels/${g.textChannelId}/permissions/${hidden.id}`, {
      token: g.owner.token,
      body: { type: 1, deny: P.VIEW_CHANNEL.toString() },
    });
    // The member who lost the channel learns of it through the cache, at once.
    await cv.dispatch('CHANNEL_UPDATE', (d) => d.id === g.textChannelId);
    const sent = (await post(g.owner.token, g.textChannelId, 'for viewers')).body;
    const got = await cv.dispatch('MESSAGE_CREATE', (d) => d.id === sent.id);
    assert.equal(got.guild_id, g.id);
    assert.equal(got.content, 'for viewers');
    assert.ok(await ch.never('MESSAGE_CREATE', (d) => d.id === sent.id));
    assert.ok(await co.never('MESSAGE_CREATE', (d) => d.id === sent.id));
    // Sequence numbers strictly increase per session.
    const seqs = cv.received.filter((p) => p.s).map((p) => p.s!);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
    );
  });

  test('DM messages reach the recipients (with channel_type) and no one else', async () => {
    const [a, b, c] = [await h.register(), await h.register(), await h.register()];
    const gb = track(await TestGateway.identify(h, b.token));
    const gc = track(await TestGateway.identify(h, c.token));
    const dm = (await h.api('POST', '/users/@me/channels', { token: a.token, body: { recipient_id: b.id } }))
      .body;
    const sent = (await post(a.token, dm.id, 'psst')).body;
    const got = await gb.dispatch('MESSAGE_CREATE', (d) => d.id === sent.id);
    assert.equal(got.channel_type, 1);
    assert.ok(await gc.never('MESSAGE_CREATE', (d) => d.id === sent.id));
  });

  test('joining by invite brings GUILD_CREATE; a kicked member gets GUILD_DELETE and nothing more', async () => {
    const g = await createGuild(h);
    const u = await h.register();
    const gu = track(await TestGateway.identify(h, u.token));
    await join(h, g, u);
    const created = await gu.dispatch('GUILD_CREATE', (d) => d.id === g.id);
    assert.ok(created.members.some((m: any) => m.user.id === u.id));
    const first = (await post(g.owner.token, g.textChannelId, 'welcome')).body;
    await gu.dispatch('MESSAGE_CREATE', (d) => d.id === first.id);
    await h.api('DELETE', `/guilds/${g.id}/members/${u.id}`, { token: g.owner.token });
    await gu.dispatch('GUILD_DELETE', (d) => d.id === g.id);
    const after = (await post(g.owner.token, g.textChannelId, 'gone')).body;
    assert.ok(await gu.never('MESSAGE_CREATE', (d) => d.id === after.id));
  });

  test('bots get only their intents, and blank content without MESSAGE_CONTENT unless mentioned', async () => {
    const g = await createGuild(h);
    const withMessages = await bot(g.owner);
    const without = await bot(g.owner);
    for (const b of [withMessages, without]) {
      const res = await h.api('POST', `/oauth2/authorize?client_id=${b.app.id}&scope=bot`, {
        token: g.owner.token,
        body: { guild_id: g.id, permissions: '0', authorize: true },
      });
      assert.equal(res.status, 200);
    }
    const gw = track(await TestGateway.identify(h, withMessages.token, { intents: 1 | 512 }, 1));
    const gn = track(await TestGateway.identify(h, without.token, { intents: 1 }, 1));
    const plain = (await post(g.owner.token, g.textChannelId, 'secret words')).body;
    const got = await gw.dispatch('MESSAGE_CREATE', (d) => d.id === plain.id);
    assert.equal(got.content, '', 'no MESSAGE_CONTENT intent');
    assert.ok(await gn.never('MESSAGE_CREATE', (d) => d.id === plain.id), 'no GUILD_MESSAGES intent');
    const ping = (await post(g.owner.token, g.textChannelId, `hey <@${withMessages.app.bot.id}>`)).body;
    assert.match((await gw.dispatch('MESSAGE_CREATE', (d) => d.id === ping.id)).content, /hey/);
  });

  test('a revoked session is disconnected with 4004', async () => {
    const u = await h.register();
    const c = track(await TestGateway.identify(h, u.token));
    await h.api('POST', '/auth/logout', { token: u.token });
    assert.equal(await c.closed(), 4004);
  });
});

describe('resume', () => {
  test('RESUME replays what was missed, then RESUMED', async () => {
    const g = await createGuild(h);
    const c = track(await TestGateway.identify(h, g.owner.token, {}, 1));
    const before = (await post(g.owner.token, g.textChannelId, 'before')).body;
    await c.dispatch('MESSAGE_CREATE', (d) => d.id === before.id);
    const seq = c.seq;
    c.close();
    await c.closed();
    const missed = (await post(g.owner.token, g.textChannelId, 'while away')).body;
    const r = track(await TestGateway.open(h));
    await r.next((p) => p.op === 10);
    r.send({ op: 6, d: { token: g.owner.token, session_id: c.ready.session_id, seq } });
    const replayed = await r.next((p) => p.op === 0 && p.t === 'MESSAGE_CREATE');
    assert.equal(replayed.d.id, missed.id);
    assert.equal(replayed.s, seq + 1);
    await r.dispatch('RESUMED');
    // Live events continue on the resumed session.
    const live = (await post(g.owner.token, g.textChannelId, 'live')).body;
    await r.dispatch('MESSAGE_CREATE', (d) => d.id === live.id);
  });

  test('an unknown session, or another user’s, gets op 9; a seq from the future closes 4007', async () => {
    const u = await h.register();
    const other = await h.register();
    const c = track(await TestGateway.identify(h, u.token));
    c.close();
    await c.closed();
    for (const d of [
      { token: u.token, session_id: 'nope', seq: 0 },
      { token: other.token, session_id: c.ready.session_id, seq: 0 },
    ]) {
      const r = track(await TestGateway.open(h));
      await r.next((p) => p.op === 10);
      r.send({ op: 6, d });
      assert.equal((await r.next((p) => p.op === 9)).d, false);
    }
    const r = track(await TestGateway.open(h));
    await r.next((p) => p.op === 10);
    r.send({ op: 6, d: { token: u.token, session_id: c.ready.session_id, seq: c.seq + 50 } });
    assert.equal(await r.closed(), 4007);
  });
});

describe('presence', () => {
  test('IDENTIFY and op 3 set presence; members of shared guilds get PRESENCE_UPDATE; invisible shows offline', async () => {
    const g = await createGuild(h);
    const a = await join(h, g);
    const watcher = track(await TestGateway.identify(h, g.owner.token, {}, 1));
    const ga = track(await TestGateway.open(h));
    await ga.next((p) => p.op === 10);
    ga.send({
      op: 2,
      d: {
        token: a.token,
        properties: {},
        presence: { status: 'dnd', activities: [], afk: false, since: null },
      },
    });
    const created = await ga.dispatch('GUILD_CREATE');
    assert.ok(created.presences.some((p: any) => p.user.id === g.owner.id && p.status === 'online'));
    assert.equal((await watcher.dispatch('PRESENCE_UPDATE', (d) => d.user.id === a.id)).status, 'dnd');
    ga.send({
      op: 3,
      d: { status: 'idle', activities: [{ name: 'Chess', type: 0 }], afk: true, since: Date.now() },
    });
    const idle = await watcher.dispatch('PRESENCE_UPDATE', (d) => d.user.id === a.id && d.status === 'idle');
    assert.equal(idle.activities[0].name, 'Chess');
    assert.equal(idle.guild_id, g.id);
    ga.send({ op: 3, d: { status: 'invisible', activities: [] } });
    assert.equal(
      (await watcher.dispatch('PRESENCE_UPDATE', (d) => d.user.id === a.id && d.status !== 'idle')).status,
      'offline',
    );
    const outsider = track(await TestGateway.identify(h, (await h.register()).token));
    assert.ok(await outsider.never('PRESENCE_UPDATE', (d) => d.user.id === a.id));
  });
});

describe('large guilds', () => {
  test('above large_threshold, GUILD_CREATE lists only the member itself and members online; below, everyone', async () => {
    const g = await createGuild(h);
    const joined: Array<{ id: string; token: string }> = [];
    for (let i = 0; i < 5; i++)
      joined.push(...(await Promise.all(Array.from({ length: 10 }, () => join(h, g)))));
    const [online, me] = joined;
    track(await TestGateway.identify(h, online.token, {}, 1));
    const large = track(await TestGateway.identify(h, me.token, { large_threshold: 50 }));
    const created = await large.dispatch('GUILD_CREATE');
    assert.equal(created.member_count, 51);
    assert.equal(created.large, true);
    assert.deepEqual(created.members.map((m: any) => m.user.id).sort(), [online.id, me.id].sort());
    const small = track(await TestGateway.identify(h, me.token, { large_threshold: 250 }));
    const full = await small.dispatch('GUILD_CREATE');
    assert.equal(full.large, false);
    assert.equal(full.members.length, 51);
  });
});
