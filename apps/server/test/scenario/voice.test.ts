import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Permission as P } from '@hearth/permissions';
import { closeWithClients, TestGateway } from '../gateway-client';
import { createGuild, grant, join, type TestGuild } from '../guild-helpers';
import { startHearth, type TestServer, type TestUser } from '../harness';

let h: TestServer;
before(async () => {
  h = await startHearth({ voiceRegion: 'eu-west', voiceRegionName: 'Europe West' });
});
after(() => closeWithClients(h));

const voiceOp = (guildId: string, channelId: string | null, extra: Record<string, unknown> = {}) => ({
  op: 4,
  d: { guild_id: guildId, channel_id: channelId, self_mute: false, self_deaf: false, ...extra },
});

/** A guild with a member, both connected to the gateway. */
async function setup(): Promise<{ g: TestGuild; member: TestUser; owner: TestGateway; other: TestGateway }> {
  const g = await createGuild(h);
  const member = await join(h, g);
  const owner = await TestGateway.identify(h, g.owner.token, {}, 1);
  const other = await TestGateway.identify(h, member.token, {}, 1);
  return { g, member, owner, other };
}

async function voiceChannel(g: TestGuild, body: Record<string, unknown> = {}): Promise<string> {
  const res = await h.api('POST', `/guilds/${g.id}/channels`, {
    token: g.owner.token,
    body: { name: 'voice-2', type: 2, ...body },
  });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

const of = (userId: string, channelId: string | null) => (d: any) =>
  d.user_id === userId && d.channel_id === channelId;

describe('voice states over the gateway', () => {
  test('joining: VOICE_SERVER_UPDATE to the session, VOICE_STATE_UPDATE to the guild, voice_states in GUILD_CREATE, the reads', async () => {
    const { g, member, owner, other } = await setup();
    owner.send(voiceOp(g.id, g.voiceChannelId, { self_mute: true }));
    const server = await owner.dispatch('VOICE_SERVER_UPDATE');
    assert.equal(server.guild_id, g.id);
    assert.equal(typeof server.token, 'string');
    assert.ok(server.endpoint);
    const state = await other.dispatch('VOICE_STATE_UPDATE', of(g.owner.id, g.voiceChannelId));
    assert.equal(state.guild_id, g.id);
    assert.equal(state.session_id, owner.ready.session_id);
    assert.equal(state.member.user.id, g.owner.id);
    for (const [k, v] of Object.entries({
      deaf: false,
      mute: false,
      self_deaf: false,
      self_mute: true,
      self_stream: false,
      self_video: false,
      suppress: false,
      request_to_speak_timestamp: null,
    }))
      assert.deepEqual(state[k], v, k);
    await owner.dispatch('VOICE_STATE_UPDATE', of(g.owner.id, g.voiceChannelId));
    // Another member sees it, a newcomer's GUILD_CREATE lists it, an outsider learns nothing.
    const read = await h.api('GET', `/guilds/${g.id}/voice-states/${g.owner.id}`, { token: member.token });
    assert.equal(read.status, 200, read.text);
    assert.equal(read.body.channel_id, g.voiceChannelId);
    const mine = await h.api('GET', `/guilds/${g.id}/voice-states/@me`, { token: g.owner.token });
    assert.equal(mine.body.self_mute, true);
    assert.equal(
      (await h.api('GET', `/guilds/${g.id}/voice-states/@me`, { token: member.token })).body.code,
      10065,
    );
    const outsider = await h.register();
    const hidden = await h.api('GET', `/guilds/${g.id}/voice-states/${g.owner.id}`, {
      token: outsider.token,
    });
    assert.equal(hidden.status, 404);
    assert.equal(hidden.body.code, 10004);
    const late = await TestGateway.open(h);
    late.send({ op: 2, d: { token: member.token, properties: {} } });
    const created = await late.dispatch('GUILD_CREATE', (d) => d.id === g.id);
    assert.deepEqual(
      created.voice_states.map((v: any) => [v.user_id, v.channel_id]),
      [[g.owner.id, g.voiceChannelId]],
    );

    // Self mute off, then a move to another channel (still one voice state), then leaving.
    const second = await voiceChannel(g);
    owner.send(voiceOp(g.id, g.voiceChannelId));
    assert.equal(
      (await other.dispatch('VOICE_STATE_UPDATE', of(g.owner.id, g.voiceChannelId))).self_mute,
      false,
    );
    owner.send(voiceOp(g.id, second));
    await other.dispatch('VOICE_STATE_UPDATE', of(g.owner.id, second));
    assert.equal(
      (await h.api('GET', `/guilds/${g.id}/voice-states/@me`, { token: g.owner.token })).body.channel_id,
      second,
    );
    owner.send(voiceOp(g.id, null));
    const left = await other.dispatch('VOICE_STATE_UPDATE', of(g.owner.id, null));
    assert.equal(left.guild_id, g.id);
    assert.equal(
      (await h.api('GET', `/guilds/${g.id}/voice-states/@me`, { token: g.owner.token })).status,
      404,
    );
  });

  test('an op 4 that changes nothing gets a fresh VOICE_SERVER_UPDATE; a self-mute change does not', async () => {
    const { g, owner } = await setup();
    owner.send(voiceOp(g.id, g.voiceChannelId));
    const first = await owner.dispatch('VOICE_SERVER_UPDATE');
    await owner.dispatch('VOICE_STATE_UPDATE', of(g.owner.id, g.voiceChannelId));
    // A client whose grant ran out (say, after a moderator moved it) asks again with the same state.
    owner.send(voiceOp(g.id, g.voiceChannelId));
    const again = await owner.dispatch('VOICE_SERVER_UPDATE');
    assert.equal(again.guild_id, g.id);
    assert.equal(typeof again.token, 'string');
    assert.equal(again.endpoint, first.endpoint);
    await owner.dispatch('VOICE_STATE_UPDATE', of(g.owner.id, g.voiceChannelId));
    owner.send(voiceOp(g.id, g.voiceChannelId, { self_mute: true }));
    await owner.dispatch('VOICE_STATE_UPDATE', (d) => d.user_id === g.owner.id && d.self_mute === true);
    assert.ok(await owner.never('VOICE_SERVER_UPDATE'));
  });

  test('CONNECT and user_limit are enforced (MOVE_MEMBERS passes the limit); a malformed op 4 closes with 4002', async () => {
    const { g, member, owner, other } = await setup();
    const deny = await h.api('PUT', `/channels/${g.voiceChannelId}/permissions/${member.id}`, {
      token: g.owner.token,
      body: { type: 1, allow: '0', deny: P.CONNECT.toString() },
    });
    assert.equal(deny.status, 204, deny.text);
    other.send(voiceOp(g.id, g.voiceChannelId));
    assert.ok(await owner.never('VOICE_STATE_UPDATE', of(member.id, g.voiceChannelId)));
    assert.ok(await other.never('VOICE_SERVER_UPDATE'));

    const small = await voiceChannel(g, { user_limit: 1 });
    owner.send(voiceOp(g.id, small));
    await owner.dispatch('VOICE_STATE_UPDATE', of(g.owner.id, small));
    other.send(voiceOp(g.id, small));
    assert.ok(await owner.never('VOICE_STATE_UPDATE', of(member.id, small)));
    await grant(h, g, member, P.MOVE_MEMBERS);
    other.send(voiceOp(g.id, small));
    await owner.dispatch('VOICE_STATE_UPDATE', of(member.id, small));

    other.send({ op: 4, d: { guild_id: g.id, channel_id: 'nope', self_mute: false, self_deaf: false } });
    assert.equal(await other.closed(), 4002);
  });

  test('a member who loses CONNECT, is kicked, whose channel is deleted or whose session ends leaves voice', async () => {
    const { g, member, owner, other } = await setup();
    other.send(voiceOp(g.id, g.voiceChannelId));
    await owner.dispatch('VOICE_STATE_UPDATE', of(member.id, g.voiceChannelId));
    // An overwrite taking CONNECT away disconnects at once.
    await h.api('PUT', `/channels/${g.voiceChannelId}/permissions/${member.id}`, {
      token: g.owner.token,
      body: { type: 1, allow: '0', deny: P.CONNECT.toString() },
    });
    await owner.dispatch('VOICE_STATE_UPDATE', of(member.id, null));
    await h.api('DELETE', `/channels/${g.voiceChannelId}/permissions/${member.id}`, { token: g.owner.token });

    // A deleted channel.
    const doomed = await voiceChannel(g);
    other.send(voiceOp(g.id, doomed));
    await owner.dispatch('VOICE_STATE_UPDATE', of(member.id, doomed));
    assert.equal((await h.api('DELETE', `/channels/${doomed}`, { token: g.owner.token })).status, 200);
    await owner.dispatch('VOICE_STATE_UPDATE', of(member.id, null));

    // The session ends (a client closing with 1000 cannot resume).
    other.send(voiceOp(g.id, g.voiceChannelId));
    await owner.dispatch('VOICE_STATE_UPDATE', of(member.id, g.voiceChannelId));
    other.ws.close(1000);
    await owner.dispatch('VOICE_STATE_UPDATE', of(member.id, null));

    // A kick.
    const again = await TestGateway.identify(h, member.token, {}, 1);
    again.send(voiceOp(g.id, g.voiceChannelId));
    await owner.dispatch('VOICE_STATE_UPDATE', of(member.id, g.voiceChannelId));
    assert.equal(
      (await h.api('DELETE', `/guilds/${g.id}/members/${member.id}`, { token: g.owner.token })).status,
      204,
    );
    await owner.dispatch('VOICE_STATE_UPDATE', of(member.id, null));
    assert.equal(
      (await h.api('GET', `/guilds/${g.id}/voice-states/${member.id}`, { token: g.owner.token })).status,
      404,
    );
  });

  test('a voice state whose session is gone everywhere is swept', async () => {
    const { g, member, owner, other } = await setup();
    other.send(voiceOp(g.id, g.voiceChannelId));
    const state = await owner.dispatch('VOICE_STATE_UPDATE', of(member.id, g.voiceChannelId));
    // As when its process died: the session's presence is gone from the store.
    await h.app.services.presence.set(member.id, state.session_id, null, []);
    assert.equal(await h.app.services.voice.sweep(), 1);
    await owner.dispatch('VOICE_STATE_UPDATE', of(member.id, null));
  });
});

describe('voice moderation', () => {
  test('server mute and deafen, move and disconnect need their permissions and are audited', async () => {
    const { g, member, owner, other } = await setup();
    const mod = await join(h, g);
    const second = await voiceChannel(g);
    other.send(voiceOp(g.id, g.voiceChannelId));
    await owner.dispatch('VOICE_STATE_UPDATE', of(member.id, g.voiceChannelId));
    const patch = (token: string, body: unknown) =>
      h.api('PATCH', `/guilds/${g.id}/members/${member.id}`, { token, body });

    // Without MUTE_MEMBERS, DEAFEN_MEMBERS, MOVE_MEMBERS: refused, nothing changes.
    for (const body of [{ mute: true }, { deaf: true }, { channel_id: second }, { channel_id: null }]) {
      const res = await patch(mod.token, body);
      assert.equal(res.status, 403, JSON.stringify(body));
      assert.equal(res.body.code, 50013);
    }
    assert.ok(await owner.never('VOICE_STATE_UPDATE', (d) => d.user_id === member.id));

    assert.equal((await patch(g.owner.token, { mute: true, deaf: true })).status, 200);
    const muted = await owner.dispatch('VOICE_STATE_UPDATE', (d) => d.user_id === member.id && d.mute);
    assert.equal(muted.deaf, true);

    // A mover needs CONNECT where the member goes.
    await grant(h, g, mod, P.MOVE_MEMBERS);
    await h.api('PUT', `/channels/${second}/permissions/${mod.id}`, {
      token: g.owner.token,
      body: { type: 1, allow: '0', deny: P.CONNECT.toString() },
    });
    assert.equal((await patch(mod.token, { channel_id: second })).status, 403);
    await h.api('DELETE', `/channels/${second}/permissions/${mod.id}`, { token: g.owner.token });
    const moved = await patch(mod.token, { channel_id: second });
    assert.equal(moved.status, 200, moved.text);
    await owner.dispatch('VOICE_STATE_UPDATE', of(member.id, second));
    assert.equal((await patch(mod.token, { channel_id: g.textChannelId })).status, 400);
    assert.equal((await patch(mod.token, { channel_id: null })).status, 200);
    await owner.dispatch('VOICE_STATE_UPDATE', of(member.id, null));
    const notThere = await patch(mod.token, { channel_id: second });
    assert.equal(notThere.status, 400);
    assert.equal(notThere.body.code, 40032);

    const log = await h.api('GET', `/guilds/${g.id}/audit-logs`, { token: g.owner.token });
    const entries = log.body.audit_log_entries;
    const move = entries.find((e: any) => e.action_type === 26);
    assert.deepEqual(move.options, { channel_id: second, count: '1' });
    assert.equal(move.user_id, mod.id);
    assert.ok(entries.some((e: any) => e.action_type === 27 && e.options.count === '1'));
    assert.ok(entries.some((e: any) => e.action_type === 24 && e.changes.some((c: any) => c.key === 'mute')));
  });

  test('stage speaker state: 400 on a voice channel, 404 out of voice or outside the guild', async () => {
    const { g, member, other } = await setup();
    const outsider = await h.register();
    const me = (token: string, body: unknown) =>
      h.api('PATCH', `/guilds/${g.id}/voice-states/@me`, { token, body });
    assert.equal((await me(member.token, { suppress: true })).body.code, 10065);
    assert.equal((await me(outsider.token, { suppress: true })).status, 404);
    other.send(voiceOp(g.id, g.voiceChannelId));
    await other.dispatch('VOICE_STATE_UPDATE', of(member.id, g.voiceChannelId));
    const res = await me(member.token, { channel_id: g.voiceChannelId, suppress: true });
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 50024);
    const theirs = await h.api('PATCH', `/guilds/${g.id}/voice-states/${member.id}`, {
      token: g.owner.token,
      body: { channel_id: g.voiceChannelId, suppress: false },
    });
    assert.equal(theirs.status, 400);
    assert.equal((await me(member.token, { suppress: 'yes' })).body.code, 50035);
  });

  test("GET /voice/regions lists this process's VOICE_REGION; a channel's rtc_region must be a known region", async () => {
    const { g, member } = await setup();
    const region = { id: 'eu-west', name: 'Europe West', optimal: true, deprecated: false, custom: true };
    const res = await h.api('GET', '/voice/regions', { token: g.owner.token });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, [region]);
    assert.equal((await h.api('GET', '/voice/regions')).status, 401);
    const ofGuild = await h.api('GET', `/guilds/${g.id}/regions`, { token: member.token });
    assert.deepEqual(ofGuild.body, [region]);
    const stranger = await h.register();
    const hidden = await h.api('GET', `/guilds/${g.id}/regions`, { token: stranger.token });
    assert.equal(hidden.status, 404);

    const patch = (channelId: string, token: string, body: Record<string, unknown>) =>
      h.api('PATCH', `/channels/${channelId}`, { token, body });
    const unknown = await patch(g.voiceChannelId, g.owner.token, { rtc_region: 'us-east' });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.errors.rtc_region._errors[0].code, 'BASE_TYPE_CHOICES');
    const set = await patch(g.voiceChannelId, g.owner.token, { rtc_region: 'eu-west' });
    assert.equal(set.status, 200, set.text);
    assert.equal(set.body.rtc_region, 'eu-west');
    assert.equal((await patch(g.voiceChannelId, member.token, { rtc_region: null })).status, 403);
    const cleared = await patch(g.voiceChannelId, g.owner.token, { rtc_region: null });
    assert.equal(cleared.body.rtc_region, null);
    const text = (await h.api('GET', `/guilds/${g.id}/channels`, { token: g.owner.token })).body.find(
      (c: any) => c.type === 0,
    );
    assert.equal((await patch(text.id, g.owner.token, { rtc_region: 'eu-west' })).status, 400);
    const created = await h.api('POST', `/guilds/${g.id}/channels`, {
      token: g.owner.token,
      body: { name: 'far', type: 2, rtc_region: 'ap-south' },
    });
    assert.equal(created.status, 400);
    assert.ok(created.body.errors.rtc_region);
    // Placed in its region: the one process here holds the room, and VOICE_SERVER_UPDATE names it.
    const regional = await voiceChannel(g, { rtc_region: 'eu-west' });
    const gw = await TestGateway.identify(h, g.owner.token, {}, 1);
    gw.send(voiceOp(g.id, regional));
    assert.equal((await gw.dispatch('VOICE_SERVER_UPDATE')).endpoint, 'hearth.test');
  });
});
