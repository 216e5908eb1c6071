import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closeWithClients, TestGateway } from '../gateway-client';
import { startHearth, type TestServer, type TestUser } from '../harness';

let h: TestServer;
before(async () => {
  // A ring nobody answers stops after a second here (a minute by default).
  h = await startHearth({ callRingMs: 1000 });
});
after(() => closeWithClients(h));

const callOp = (channelId: string | null, extra: Record<string, unknown> = {}) => ({
  op: 4,
  d: { guild_id: null, channel_id: channelId, self_mute: false, self_deaf: false, ...extra },
});
const of = (userId: string, channelId: string | null) => (d: any) =>
  d.user_id === userId && d.channel_id === channelId;

async function dm(a: TestUser, b: TestUser): Promise<string> {
  const res = await h.api('POST', '/users/@me/channels', { token: a.token, body: { recipient_id: b.id } });
  assert.equal(res.status, 200, res.text);
  return res.body.id;
}

async function online(...users: TestUser[]): Promise<TestGateway[]> {
  return Promise.all(users.map((u) => TestGateway.identify(h, u.token)));
}

describe('DM and group DM calls', () => {
  test('a call rings the other person; joining answers it; the last one out ends it', async () => {
    const [a, b] = [await h.register(), await h.register()];
    const channelId = await dm(a, b);
    const [ga, gb] = await online(a, b);
    ga.send(callOp(channelId, { self_mute: true }));
    const server = await ga.dispatch('VOICE_SERVER_UPDATE');
    assert.equal(server.guild_id, null);
    assert.equal(server.channel_id, channelId);
    assert.ok(server.token && server.endpoint);
    const created = await gb.dispatch('CALL_CREATE', (d) => d.channel_id === channelId);
    assert.deepEqual(created.ringing, [b.id]);
    assert.deepEqual(
      created.voice_states.map((v: any) => [v.user_id, v.channel_id, v.self_mute, v.guild_id]),
      [[a.id, channelId, true, null]],
    );
    const state = await gb.dispatch('VOICE_STATE_UPDATE', of(a.id, channelId));
    assert.equal(state.guild_id, null);
    assert.equal(state.session_id, ga.ready.session_id);

    // A session that starts now learns of the call after READY.
    const late = await TestGateway.identify(h, b.token);
    const known = await late.dispatch('CALL_CREATE', (d) => d.channel_id === channelId);
    assert.deepEqual(known.ringing, [b.id]);

    gb.send(callOp(channelId));
    assert.equal((await gb.dispatch('VOICE_SERVER_UPDATE')).channel_id, channelId);
    const answered = await ga.dispatch('CALL_UPDATE', (d) => d.channel_id === channelId);
    assert.deepEqual(answered.ringing, []);
    await ga.dispatch('VOICE_STATE_UPDATE', of(b.id, channelId));

    ga.send(callOp(null));
    await gb.dispatch('VOICE_STATE_UPDATE', of(a.id, null));
    assert.ok(await gb.never('CALL_DELETE', (d) => d.channel_id === channelId));
    gb.send(callOp(null));
    await ga.dispatch('CALL_DELETE', (d) => d.channel_id === channelId);
    await gb.dispatch('CALL_DELETE', (d) => d.channel_id === channelId);
  });

  test('declining stops the ring for everyone; ring rings again; a ring unanswered times out', async () => {
    const [a, b, c] = [await h.register(), await h.register(), await h.register()];
    const group = await h.api('POST', '/users/@me/channels', {
      token: a.token,
      body: { recipients: [b.id, c.id] },
    });
    assert.equal(group.status, 200, group.text);
    const channelId = group.body.id;
    const [ga, gb, gc] = await online(a, b, c);
    ga.send(callOp(channelId));
    const created = await gc.dispatch('CALL_CREATE', (d) => d.channel_id === channelId);
    assert.deepEqual([...created.ringing].sort(), [b.id, c.id].sort());

    // b declines: everyone sees only c still rung.
    const declined = await h.api('POST', `/channels/${channelId}/call/stop-ringing`, {
      token: b.token,
      body: {},
    });
    assert.equal(declined.status, 204, declined.text);
    assert.deepEqual((await ga.dispatch('CALL_UPDATE', (d) => d.ringing.length === 1)).ringing, [c.id]);
    // b cannot stop c's ring (not in the call): nothing changes.
    await h.api('POST', `/channels/${channelId}/call/stop-ringing`, {
      token: b.token,
      body: { recipients: [c.id] },
    });
    // a rings b again.
    const rang = await h.api('POST', `/channels/${channelId}/call/ring`, {
      token: a.token,
      body: { recipients: [b.id] },
    });
    assert.equal(rang.status, 204, rang.text);
    const again = await gb.dispatch('CALL_UPDATE', (d) => d.ringing.includes(b.id));
    assert.deepEqual([...again.ringing].sort(), [b.id, c.id].sort());
    // Nobody answers: the rings end by themselves; the call goes on with a in it.
    await ga.dispatch('CALL_UPDATE', (d) => d.channel_id === channelId && d.ringing.length === 0, 15_000);
    assert.ok(await gc.never('CALL_DELETE', (d) => d.channel_id === channelId));
    // The caller's session ends (closed for good): so does the call.
    ga.ws.close(1000);
    await gb.dispatch('VOICE_STATE_UPDATE', of(a.id, null));
    await gc.dispatch('CALL_DELETE', (d) => d.channel_id === channelId);
  });

  test('a non-recipient can neither join nor ring, and learns nothing; a block refuses the call', async () => {
    const [a, b, stranger] = [await h.register(), await h.register(), await h.register()];
    const channelId = await dm(a, b);
    const [ga, gb, gs] = await online(a, b, stranger);
    // The stranger's op 4 is dropped: no VOICE_SERVER_UPDATE, no call.
    gs.send(callOp(channelId));
    assert.ok(await gs.never('VOICE_SERVER_UPDATE'));
    assert.ok(await gb.never('CALL_CREATE', (d) => d.channel_id === channelId));
    for (const path of ['ring', 'stop-ringing']) {
      const res = await h.api('POST', `/channels/${channelId}/call/${path}`, {
        token: stranger.token,
        body: {},
      });
      assert.equal(res.status, 404, path);
      assert.equal(res.body.code, 10003);
    }
    assert.equal((await h.api('POST', `/channels/${channelId}/call/ring`, { body: {} })).status, 401);
    // Ringing with no call going on: 404.
    assert.equal(
      (await h.api('POST', `/channels/${channelId}/call/ring`, { token: a.token, body: {} })).status,
      404,
    );
    // Bad input: 400.
    assert.equal(
      (
        await h.api('POST', `/channels/${channelId}/call/ring`, {
          token: a.token,
          body: { recipients: ['nope'] },
        })
      ).status,
      400,
    );
    // b blocks a: a's call is refused.
    assert.equal(
      (await h.api('PUT', `/users/@me/relationships/${a.id}`, { token: b.token, body: { type: 2 } })).status,
      204,
    );
    ga.send(callOp(channelId));
    assert.ok(await ga.never('VOICE_SERVER_UPDATE'));
    assert.ok(await gb.never('CALL_CREATE', (d) => d.channel_id === channelId));
    // The media connection of a call needs a grant of that call.
    const connect = await h.api('POST', '/voice/connect', {
      token: stranger.token,
      body: {
        guild_id: null,
        channel_id: channelId,
        session_id: gs.ready.session_id,
        token: '1.x',
        sdp: 'v=0',
      },
    });
    assert.equal(connect.status, 401);
  });

  test('removed from a group DM, one leaves its call', async () => {
    const [a, b, c] = [await h.register(), await h.register(), await h.register()];
    const group = await h.api('POST', '/users/@me/channels', {
      token: a.token,
      body: { recipients: [b.id, c.id] },
    });
    const channelId = group.body.id;
    const [ga, gb] = await online(a, b);
    ga.send(callOp(channelId));
    await ga.dispatch('VOICE_SERVER_UPDATE');
    gb.send(callOp(channelId));
    await ga.dispatch('VOICE_STATE_UPDATE', of(b.id, channelId));
    assert.equal(
      (await h.api('DELETE', `/channels/${channelId}/recipients/${b.id}`, { token: a.token })).status,
      204,
    );
    await ga.dispatch('VOICE_STATE_UPDATE', of(b.id, null));
  });
  test("the call's system message: written when it begins, lists who joined, says when it ended", async () => {
    const [a, b, c] = [await h.register(), await h.register(), await h.register()];
    const group = await h.api('POST', '/users/@me/channels', {
      token: a.token,
      body: { recipients: [b.id, c.id] },
    });
    const channelId = group.body.id;
    const [ga, gb, gc] = await online(a, b, c);
    ga.send(callOp(channelId));
    const created = await gb.dispatch('CALL_CREATE', (d) => d.channel_id === channelId);
    const message = await gc.dispatch('MESSAGE_CREATE', (d) => d.channel_id === channelId && d.type === 3);
    assert.equal(created.message_id, message.id);
    assert.equal(message.author.id, a.id);
    assert.equal(message.content, '');
    assert.deepEqual(message.call, { participants: [a.id], ended_timestamp: null });
    // Discord's CALL_CREATE and CALL_UPDATE carry these fields (undocumented for bots; ADR 0034's addendum).
    assert.deepEqual(Object.keys(created).sort(), [
      'channel_id',
      'embedded_activities',
      'message_id',
      'region',
      'ringing',
      'voice_states',
    ]);

    // b joins: the message lists them; c never does.
    gb.send(callOp(channelId));
    const joined = await gc.dispatch('MESSAGE_UPDATE', (d) => d.id === message.id);
    assert.deepEqual(joined.call, { participants: [a.id, b.id], ended_timestamp: null });
    assert.equal(joined.type, 3);
    const answered = await gc.dispatch('CALL_UPDATE', (d) => d.channel_id === channelId);
    assert.deepEqual(Object.keys(answered).sort(), [
      'channel_id',
      'guild_id',
      'message_id',
      'region',
      'ringing',
    ]);
    assert.equal(answered.message_id, message.id);
    // b leaving and joining again adds nobody.
    gb.send(callOp(null));
    await ga.dispatch('VOICE_STATE_UPDATE', of(b.id, null));
    gb.send(callOp(channelId));
    await ga.dispatch('VOICE_STATE_UPDATE', of(b.id, channelId));
    assert.ok(
      await gc.never('MESSAGE_UPDATE', (d) => d.id === message.id && d.call.ended_timestamp === null),
    );

    ga.send(callOp(null));
    gb.send(callOp(null));
    const ended = await gc.dispatch('MESSAGE_UPDATE', (d) => d.id === message.id && d.call.ended_timestamp);
    assert.deepEqual(ended.call.participants, [a.id, b.id]);
    assert.ok(Date.parse(ended.call.ended_timestamp) >= Date.parse(ended.timestamp));
    await gc.dispatch('CALL_DELETE', (d) => d.channel_id === channelId);
    // History has it as it ended.
    const history = await h.api('GET', `/channels/${channelId}/messages?limit=5`, { token: c.token });
    const stored = history.body.find((m: any) => m.id === message.id);
    assert.deepEqual(stored.call, ended.call);
    assert.equal(stored.type, 3);
  });

  test("PATCH /channels/:id/call sets the call's region (recipients only; a known region; a call going on)", async () => {
    const [a, b, stranger] = [await h.register(), await h.register(), await h.register()];
    const channelId = await dm(a, b);
    const [ga, gb] = await online(a, b);
    const regions = await h.api('GET', '/voice/regions', { token: a.token });
    const region = regions.body[0].id;
    // No call yet: 404.
    const none = await h.api('PATCH', `/channels/${channelId}/call`, { token: a.token, body: { region } });
    assert.equal(none.status, 404, none.text);
    ga.send(callOp(channelId));
    await gb.dispatch('CALL_CREATE', (d) => d.channel_id === channelId);
    // A stranger learns nothing (404, as for a DM they are not in); no token: 401.
    const theirs = await h.api('PATCH', `/channels/${channelId}/call`, {
      token: stranger.token,
      body: { region },
    });
    assert.equal(theirs.status, 404);
    assert.equal(theirs.body.code, 10003);
    assert.equal((await h.api('PATCH', `/channels/${channelId}/call`, { body: { region } })).status, 401);
    // Bad input: 400 (no region, an unknown one, one too long).
    for (const body of [{}, { region: 'atlantis' }, { region: 'x'.repeat(65) }]) {
      const res = await h.api('PATCH', `/channels/${channelId}/call`, { token: b.token, body });
      assert.equal(res.status, 400, JSON.stringify(body));
    }
    const set = await h.api('PATCH', `/channels/${channelId}/call`, { token: b.token, body: { region } });
    assert.equal(set.status, 204, set.text);
    // Everyone in the DM learns the call's region.
    const update = await ga.dispatch('CALL_UPDATE', (d) => d.channel_id === channelId && d.region === region);
    assert.equal(update.guild_id, null);
    ga.send(callOp(null));
    await gb.dispatch('CALL_DELETE', (d) => d.channel_id === channelId);
  });

  test('op 4 sent right behind IDENTIFY is answered once the session is ready (no 4003)', async () => {
    // A client may send its next op the moment READY arrives, while the gateway still sends what follows READY
    // (GUILD_CREATEs, the calls going on): the op waits for the session instead of finding none and closing 4003.
    const [a, b] = [await h.register(), await h.register()];
    const channelId = await dm(a, b);
    const ga = await TestGateway.open(h);
    await ga.next((p) => p.op === 10);
    ga.send({ op: 2, d: { token: a.token, properties: { os: 'linux', browser: 'test', device: 'test' } } });
    ga.send(callOp(channelId));
    await ga.dispatch('READY');
    assert.equal((await ga.dispatch('VOICE_SERVER_UPDATE')).channel_id, channelId);
    assert.equal(ga.closeCode, null);
    ga.send(callOp(null));
    await ga.dispatch('VOICE_STATE_UPDATE', of(a.id, null));
  });
});
