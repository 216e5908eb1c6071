import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Permission as P } from '@hearth/permissions';
import { closeWithClients, TestGateway } from '../gateway-client';
import { createGuild, join } from '../guild-helpers';
import { startHearth, type TestServer } from '../harness';

let h: TestServer;
before(async () => {
  h = await startHearth();
});
after(() => closeWithClients(h));
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
    const c = await TestGateway.open(h);
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
    const c = await TestGateway.open(h);
    await c.next((p) => p.op === 10);
    c.send({ op: 2, d: { token: b.token, intents: 513, properties: {} } });
    const ready = await c.dispatch('READY');
    assert.equal(ready.user.bot, true);
    assert.deepEqual(ready.application, { id: b.app.id, flags: 0 });
  });
});

describe('close codes', () => {
  const fresh = async () => {
    const c = await TestGateway.open(h);
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
    c.send({ op: 1, d: 'x'.repeat(100 * 1024) });
    assert.equal(await c.closed(), 4002, 'a 100 KiB frame is ours to refuse, not the socket library’s');
    c = await fresh();
    c.send({ op: 1, d: 'x'.repeat(2 * 1024 * 1024) });
    assert.equal(await c.closed(), 1009, 'past the socket cap the frame is not even read');
    c = await fresh();
    c.send({ op: 1, d: null });
    assert.equal((await c.next((p) => p.op === 11)).op, 11, 'and the gateway serves on');
    c = await fresh();
    c.send({ op: 42 });
    assert.equal(await c.closed(), 4001);
    c = await fresh();
    c.send({ op: 8, d: { guild_id: '1' } });
    assert.equal(await c.closed(), 4003);
  });

  test('a frame nested deeper than 64 levels is a decode error (4002); 64 levels are read', async () => {
    const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    let c = await fresh();
    c.send(`{"op":1,"d":${nested(63)}}`);
    assert.equal((await c.next((p) => p.op === 11)).op, 11);
    c.send(`{"op":1,"d":${nested(64)}}`);
    assert.equal(await c.closed(), 4002);
    c = await fresh();
    const u = await h.register();
    c.send(`{"op":2,"d":{"token":${JSON.stringify(u.token)},"properties":${nested(2000)}}}`);
    assert.equal(await c.closed(), 4002);
  });

  test('bad tokens, a second IDENTIFY, bad versions, bad and disallowed intents, too many events', async () => {
    let c = await fresh();
    c.send({ op: 2, d: { token: 'not a token', properties: {} } });
    assert.equal(await c.closed(), 4004);
    const u = await h.register();
    c = await TestGateway.identify(h, u.token);
    c.send({ op: 2, d: { token: u.token, properties: {} } });
    assert.equal(await c.closed(), 4005);
    const bad = await TestGateway.open(h, 'v=8&encoding=json');
    assert.equal(await bad.closed(), 4012);
    const b = await bot(u);
    c = await fresh();
    c.send({ op: 2, d: { token: b.token, intents: 1 << 30, properties: {} } });
    assert.equal(await c.closed(), 4013);
    c = await fresh();
    c.send({ op: 2, d: { token: b.token, intents: 1 << 15, properties: {} } });
    assert.equal(await c.closed(), 4014);
    // 2^32 + 513 would read as 513 in a bit operation; fractions, strings and negatives are no bitfields.
    for (const intents of [2 ** 32 + 513, 2 ** 53, 513.5, '513', -1, null]) {
      c = await fresh();
      c.send({ op: 2, d: { token: b.token, intents, properties: {} } });
      assert.equal(await c.closed(), 4013, `bot intents ${intents}`);
    }
    // Users need not send intents; what they send must be intents all the same.
    for (const intents of [2 ** 32, 1 << 30, 'all', -513, 1.5]) {
      c = await fresh();
      c.send({ op: 2, d: { token: u.token, intents, properties: {} } });
      assert.equal(await c.closed(), 4013, `user intents ${intents}`);
    }
    const userWithIntents = await TestGateway.identify(h, u.token, { intents: 513 });
    assert.equal(userWithIntents.ready.user.id, u.id);
    c = await fresh();
    for (let i = 0; i < 125; i++) c.send({ op: 1, d: null });
    assert.equal(await c.closed(), 4008);
  });
});

describe('fan-out', () => {
  test('members who can see the channel receive MESSAGE_CREATE; outsiders and members without VIEW_CHANNEL do not', async () => {
    const g = await createGuild(h);
    const [viewer, hidden, outsider] = [await join(h, g), await join(h, g), await h.register()];
    const cv = await TestGateway.identify(h, viewer.token, {}, 1);
    const ch = await TestGateway.identify(h, hidden.token, {}, 1);
    const co = await TestGateway.identify(h, outsider.token);
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
    const gb = await TestGateway.identify(h, b.token);
    const gc = await TestGateway.identify(h, c.token);
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
    const gu = await TestGateway.identify(h, u.token);
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
    const gw = await TestGateway.identify(h, withMessages.token, { intents: 1 | 512 }, 1);
    const gn = await TestGateway.identify(h, without.token, { intents: 1 }, 1);
    const plain = (await post(g.owner.token, g.textChannelId, 'secret words')).body;
    const got = await gw.dispatch('MESSAGE_CREATE', (d) => d.id === plain.id);
    assert.equal(got.content, '', 'no MESSAGE_CONTENT intent');
    assert.ok(await gn.never('MESSAGE_CREATE', (d) => d.id === plain.id), 'no GUILD_MESSAGES intent');
    const ping = (await post(g.owner.token, g.textChannelId, `hey <@${withMessages.app.bot.id}>`)).body;
    assert.match((await gw.dispatch('MESSAGE_CREATE', (d) => d.id === ping.id)).content, /hey/);
    // Its own messages and DMs keep their content too.
    const own = (await post(`Bot ${withMessages.token}`, g.textChannelId, 'mine')).body;
    assert.equal((await gw.dispatch('MESSAGE_CREATE', (d) => d.id === own.id)).content, 'mine');
    const dmBot = await TestGateway.identify(h, withMessages.token, { intents: 1 | 512 | 4096 }, 1);
    const dm = (
      await h.api('POST', '/users/@me/channels', {
        token: g.owner.token,
        body: { recipient_id: withMessages.app.bot.id },
      })
    ).body;
    const direct = (await post(g.owner.token, dm.id, 'just for you')).body;
    assert.equal((await dmBot.dispatch('MESSAGE_CREATE', (d) => d.id === direct.id)).content, 'just for you');
  });

  test('READY carries the user’s DMs, relationships and read states', async () => {
    const [a, b] = [await h.register(), await h.register()];
    await h.api('PUT', `/users/@me/relationships/${b.id}`, { token: a.token, body: {} });
    await h.api('PUT', `/users/@me/relationships/${a.id}`, { token: b.token, body: {} });
    const dm = (await h.api('POST', '/users/@me/channels', { token: a.token, body: { recipient_id: b.id } }))
      .body;
    const sent = (await post(a.token, dm.id, 'hello')).body;
    await h.api('POST', `/channels/${dm.id}/messages/${sent.id}/ack`, { token: b.token, body: {} });
    const ready = (await TestGateway.identify(h, b.token)).ready;
    assert.ok(ready.private_channels.some((c: any) => c.id === dm.id && c.type === 1));
    assert.deepEqual(
      ready.relationships.map((r: any) => [r.id, r.type]),
      [[a.id, 1]],
    );
    const entry = ready.read_state.entries.find((e: any) => e.id === dm.id);
    assert.equal(entry.last_message_id, sent.id);
    assert.equal(typeof ready.user_settings, 'object');
  });

  test('a revoked session is disconnected with 4004', async () => {
    const u = await h.register();
    const c = await TestGateway.identify(h, u.token);
    await h.api('POST', '/auth/logout', { token: u.token });
    assert.equal(await c.closed(), 4004);
  });
});

describe('resume', () => {
  test('RESUME replays what was missed, then RESUMED', async () => {
    const g = await createGuild(h);
    const c = await TestGateway.identify(h, g.owner.token, {}, 1);
    const before = (await post(g.owner.token, g.textChannelId, 'before')).body;
    await c.dispatch('MESSAGE_CREATE', (d) => d.id === before.id);
    const seq = c.seq;
    c.close();
    await c.closed();
    const missed = (await post(g.owner.token, g.textChannelId, 'while away')).body;
    const r = await TestGateway.open(h);
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

  test('a heartbeat’s sequence releases what it covers: RESUME from before it gets op 9, from it the rest', async () => {
    const g = await createGuild(h);
    const c = await TestGateway.identify(h, g.owner.token, {}, 1);
    const acked = c.seq;
    const after = (await post(g.owner.token, g.textChannelId, 'after the heartbeat')).body;
    await c.dispatch('MESSAGE_CREATE', (d) => d.id === after.id);
    c.send({ op: 1, d: acked });
    await c.next((p) => p.op === 11);
    c.ws.terminate();
    await c.closed();
    const resume = async (seq: number) => {
      const r = await TestGateway.open(h);
      await r.next((p) => p.op === 10);
      r.send({ op: 6, d: { token: g.owner.token, session_id: c.ready.session_id, seq } });
      return r;
    };
    // READY and GUILD_CREATE are no longer kept: the session cannot go back to them.
    const early = await resume(acked - 1);
    assert.equal((await early.next((p) => p.op === 9)).d, false);
    early.close();
    const r = await resume(acked);
    const replayed = await r.next((p) => p.op === 0 && p.t === 'MESSAGE_CREATE');
    assert.equal(replayed.d.id, after.id);
    assert.equal(replayed.s, acked + 1);
    await r.dispatch('RESUMED');
  });

  test('an unknown session, or another user’s, gets op 9; a seq from the future closes 4007', async () => {
    const u = await h.register();
    const other = await h.register();
    const c = await TestGateway.identify(h, u.token);
    c.close();
    await c.closed();
    for (const d of [
      { token: u.token, session_id: 'nope', seq: 0 },
      { token: other.token, session_id: c.ready.session_id, seq: 0 },
    ]) {
      const r = await TestGateway.open(h);
      await r.next((p) => p.op === 10);
      r.send({ op: 6, d });
      assert.equal((await r.next((p) => p.op === 9)).d, false);
    }
    const r = await TestGateway.open(h);
    await r.next((p) => p.op === 10);
    r.send({ op: 6, d: { token: u.token, session_id: c.ready.session_id, seq: c.seq + 50 } });
    assert.equal(await r.closed(), 4007);
  });
});

describe('presence', () => {
  test('IDENTIFY and op 3 set presence; members of shared guilds get PRESENCE_UPDATE; invisible shows offline', async () => {
    const g = await createGuild(h);
    const a = await join(h, g);
    const watcher = await TestGateway.identify(h, g.owner.token, {}, 1);
    const ga = await TestGateway.open(h);
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
    const outsider = await TestGateway.identify(h, (await h.register()).token);
    assert.ok(await outsider.never('PRESENCE_UPDATE', (d) => d.user.id === a.id));
  });

  test('above large_threshold a guild’s presences go only to sessions that opened it (op 14) and bots with GUILD_PRESENCES', async () => {
    const g = await createGuild(h);
    const [arriving, viewer, opener] = [await join(h, g), await join(h, g), await join(h, g)];
    for (let i = 0; i < 46; i++) await join(h, g);
    const withIntent = await bot(g.owner, 1 << 12);
    const without = await bot(g.owner);
    for (const b of [withIntent, without])
      await h.api('POST', `/oauth2/authorize?client_id=${b.app.id}&scope=bot`, {
        token: g.owner.token,
        body: { guild_id: g.id, permissions: '0', authorize: true },
      });
    // 52 members: large for a session with the default threshold of 50, not for one that asked for 250.
    const narrow = await TestGateway.identify(h, viewer.token, {}, 0);
    assert.equal((await narrow.dispatch('GUILD_CREATE')).large, true);
    const wide = await TestGateway.identify(h, g.owner.token, { large_threshold: 250 }, 0);
    assert.equal((await wide.dispatch('GUILD_CREATE')).large, false);
    const subscribed = await TestGateway.identify(h, opener.token, {}, 1);
    subscribed.send({ op: 14, d: { guild_id: g.id, typing: true, activities: true, threads: true } });
    // Frames are handled in order: the heartbeat's ack means op 14 has been.
    subscribed.send({ op: 1, d: null });
    await subscribed.next((p) => p.op === 11);
    const botWith = await TestGateway.identify(h, withIntent.token, { intents: 1 | (1 << 8) }, 1);
    const botWithout = await TestGateway.identify(h, without.token, { intents: 1 }, 1);

    const arrived = await TestGateway.identify(h, arriving.token, {}, 1);
    const online = (d: any) => d.user.id === arriving.id && d.status === 'online';
    for (const c of [subscribed, wide, botWith])
      assert.equal((await c.dispatch('PRESENCE_UPDATE', online)).guild_id, g.id);
    assert.ok(await narrow.never('PRESENCE_UPDATE', online));
    assert.ok(await botWithout.never('PRESENCE_UPDATE', online));

    // Only a member can subscribe to a guild.
    const stranger = await TestGateway.identify(h, (await h.register()).token);
    stranger.send({ op: 14, d: { guild_id: g.id } });
    stranger.send({ op: 1, d: null });
    await stranger.next((p) => p.op === 11);
    arrived.send({ op: 3, d: { status: 'dnd', activities: [], since: null, afk: false } });
    const dnd = (d: any) => d.user.id === arriving.id && d.status === 'dnd';
    await subscribed.dispatch('PRESENCE_UPDATE', dnd);
    assert.ok(await stranger.never('PRESENCE_UPDATE', dnd));
    assert.ok(await narrow.never('PRESENCE_UPDATE', dnd));
  });
});

describe('members', () => {
  test('op 8 answers GUILD_MEMBERS_CHUNK by query prefix or user_ids, with presences and the nonce; bots need GUILD_MEMBERS', async () => {
    const g = await createGuild(h);
    const tag = Math.random().toString(36).slice(2, 7);
    const alpha = await join(h, g, await h.register({ username: `alpha_${tag}` }));
    const beta = await join(h, g, await h.register({ username: `beta_${tag}` }));
    await TestGateway.identify(h, alpha.token, {}, 1);
    const c = await TestGateway.identify(h, g.owner.token, {}, 1);
    c.send({ op: 8, d: { guild_id: g.id, query: `alpha_${tag}`, limit: 10, nonce: 'q' } });
    const byName = await c.dispatch('GUILD_MEMBERS_CHUNK', (d) => d.nonce === 'q');
    assert.deepEqual(
      byName.members.map((m: any) => m.user.id),
      [alpha.id],
    );
    assert.deepEqual([byName.chunk_index, byName.chunk_count, byName.guild_id], [0, 1, g.id]);
    const unknown = '123456789012345678';
    c.send({
      op: 8,
      d: { guild_id: g.id, user_ids: [alpha.id, beta.id, unknown], presences: true, nonce: 'ids' },
    });
    const byId = await c.dispatch('GUILD_MEMBERS_CHUNK', (d) => d.nonce === 'ids');
    assert.deepEqual(byId.members.map((m: any) => m.user.id).sort(), [alpha.id, beta.id].sort());
    assert.deepEqual(byId.not_found, [unknown]);
    assert.deepEqual(
      byId.presences.map((p: any) => [p.user.id, p.status]),
      [[alpha.id, 'online']],
      'presences of the online members only',
    );
    // A query no name can match (U+0000 cannot be stored): an empty chunk, and the session goes on.
    c.send({ op: 8, d: { guild_id: g.id, query: 'alpha\u0000', nonce: 'nul' } });
    assert.deepEqual((await c.dispatch('GUILD_MEMBERS_CHUNK', (d) => d.nonce === 'nul')).members, []);
    c.send({ op: 8, d: { guild_id: g.id, query: '', limit: 0, nonce: 'all' } });
    assert.equal((await c.dispatch('GUILD_MEMBERS_CHUNK', (d) => d.nonce === 'all')).members.length, 3);
    // A guild the session is not in: nothing.
    const other = await createGuild(h);
    c.send({ op: 8, d: { guild_id: other.id, query: '', limit: 0, nonce: 'other' } });
    assert.ok(await c.never('GUILD_MEMBERS_CHUNK', (d) => d.nonce === 'other'));

    const b = await bot(g.owner);
    await h.api('POST', `/oauth2/authorize?client_id=${b.app.id}&scope=bot`, {
      token: g.owner.token,
      body: { guild_id: g.id, permissions: '0', authorize: true },
    });
    const gb = await TestGateway.identify(h, b.token, { intents: 1 }, 1);
    gb.send({ op: 8, d: { guild_id: g.id, query: '', limit: 0 } });
    assert.equal(await gb.closed(), 4014);
  });

  test('GUILD_CREATE of a guild above large_threshold lists only the online members and the session’s own', async () => {
    const g = await createGuild(h);
    const online = await join(h, g);
    for (let i = 0; i < 50; i++) await join(h, g);
    await TestGateway.identify(h, online.token, {}, 1);
    const small = await TestGateway.identify(h, g.owner.token, { large_threshold: 50 });
    const created = await small.dispatch('GUILD_CREATE');
    assert.equal(created.member_count, 52);
    assert.equal(created.large, true);
    assert.deepEqual(created.members.map((m: any) => m.user.id).sort(), [g.owner.id, online.id].sort());
    const full = await TestGateway.open(h);
    await full.next((p) => p.op === 10);
    full.send({ op: 2, d: { token: online.token, properties: {}, large_threshold: 250 } });
    const all = await full.dispatch('GUILD_CREATE');
    assert.equal(all.large, false);
    assert.equal(all.members.length, 52);
  });

  test('the online members GUILD_CREATE lists follow presences: who leaves goes, who arrives waits behind the first', async () => {
    const g = await createGuild(h);
    const members = [];
    for (let i = 0; i < 52; i++) members.push(await join(h, g));
    const watcher = await TestGateway.identify(h, g.owner.token, {}, 1);
    watcher.send({ op: 14, d: { guild_id: g.id } });
    const online = members.slice(0, 50);
    const sessions = [];
    for (const m of online) {
      sessions.push(await TestGateway.identify(h, m.token, {}, 1));
      await watcher.dispatch('PRESENCE_UPDATE', (d) => d.user.id === m.id);
    }
    const listed = async (token: string) => {
      const c = await TestGateway.identify(h, token, { presence: { status: 'invisible', activities: [] } });
      const created = await c.dispatch('GUILD_CREATE');
      c.close();
      return created.members.map((m: any) => m.user.id) as string[];
    };
    const [late, absent] = members.slice(50);
    // The owner and the first 48 members to come online: 49 besides the session's own.
    const first = await listed(late.token);
    assert.deepEqual(first, [late.id, g.owner.id, ...online.slice(0, 48).map((m) => m.id)]);
    // The first of them goes offline: the next is listed in their place.
    sessions[0].ws.close(1000);
    await watcher.dispatch('PRESENCE_UPDATE', (d) => d.user.id === online[0].id && d.status === 'offline');
    assert.deepEqual(await listed(late.token), [
      late.id,
      g.owner.id,
      ...online.slice(1, 49).map((m) => m.id),
    ]);
    // Someone coming online joins the end: beyond the 49, so not listed.
    const arriving = await TestGateway.identify(h, absent.token, {}, 1);
    await watcher.dispatch('PRESENCE_UPDATE', (d) => d.user.id === absent.id);
    const again = await listed(late.token);
    assert.equal(again.length, 50);
    assert.ok(!again.includes(absent.id));
    // A member among those listed is listed once, first, and the next one online fills the list.
    const own = await listed(online[5].token);
    assert.deepEqual(own, [
      online[5].id,
      g.owner.id,
      ...online
        .slice(1, 50)
        .filter((m) => m !== online[5])
        .map((m) => m.id),
    ]);
    arriving.close();
  });
});
