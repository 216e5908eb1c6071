import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Permission as P } from '@hearth/permissions';
import { voiceCsrc } from '@hearth/protocol';
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket, useOPUS } from 'werift';
import { closeWithClients, TestGateway } from '../gateway-client';
import { createGuild, join, type TestGuild } from '../guild-helpers';
import { startHearth, type TestServer, type TestUser } from '../harness';

// The SFU (ADR 0034): people in one voice channel connect with WebRTC (werift clients here, as a browser would),
// authenticated by VOICE_SERVER_UPDATE's token, and each receives the others' audio — but none from someone without
// SPEAK.

const AFK_SECONDS = 4;
let h: TestServer;
before(async () => {
  // Four seconds of silence moves a member in voice to the AFK channel, in guilds that have one.
  h = await startHearth({ voiceAfkTimeoutSeconds: AFK_SECONDS });
});
after(async () => {
  for (const c of clients) await c.pc.close().catch(() => {});
  await closeWithClients(h);
});

const RECEIVE_SLOTS = 4;
const clients: Client[] = [];

/** A participant: a gateway session in the voice channel and a WebRTC connection to the SFU. */
interface Client {
  user: TestUser;
  pc: RTCPeerConnection;
  /** Payloads received, in order. */
  heard: string[];
  /** The CSRCs of the packets received (the SFU names each packet's speaker). */
  csrcs?: number[];
  send(text: string): void;
}

function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => pc.iceGatheringStateChange.subscribe((s) => s === 'complete' && resolve()));
}

/** Joins the voice channel over the gateway and returns VOICE_SERVER_UPDATE and the session id. */
async function joinVoice(g: TestGuild, user: TestUser): Promise<{ server: any; sessionId: string }> {
  const gw = await TestGateway.identify(h, user.token, {}, 1);
  gw.send({ op: 4, d: { guild_id: g.id, channel_id: g.voiceChannelId, self_mute: false, self_deaf: false } });
  const server = await gw.dispatch('VOICE_SERVER_UPDATE');
  return { server, sessionId: gw.ready.session_id };
}

/** An offer with one microphone and RECEIVE_SLOTS receive m-lines, as the web app will make. */
async function offer(): Promise<{ pc: RTCPeerConnection; mic: MediaStreamTrack; sdp: string }> {
  const pc = new RTCPeerConnection({
    codecs: { audio: [useOPUS()], video: [] },
    iceServers: [],
    bundlePolicy: 'max-bundle',
  });
  const mic = new MediaStreamTrack({ kind: 'audio' });
  pc.addTransceiver(mic, { direction: 'sendonly' });
  for (let i = 0; i < RECEIVE_SLOTS; i++) pc.addTransceiver('audio', { direction: 'recvonly' });
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  return { pc, mic, sdp: pc.localDescription!.sdp };
}

async function connect(g: TestGuild, user: TestUser): Promise<Client> {
  const { server, sessionId } = await joinVoice(g, user);
  const { pc, mic, sdp } = await offer();
  const heard: string[] = [];
  const csrcs: number[] = [];
  pc.onTrack.subscribe((track) =>
    track.onReceiveRtp.subscribe((rtp) => {
      heard.push(rtp.payload.toString());
      csrcs.push(...rtp.header.csrc);
    }),
  );
  const res = await h.api('POST', '/voice/connect', {
    token: user.token,
    body: { guild_id: g.id, session_id: sessionId, token: server.token, sdp },
  });
  assert.equal(res.status, 200, res.text);
  await pc.setRemoteDescription({ type: 'answer', sdp: res.body.sdp });
  let seq = 0;
  const client: Client = {
    user,
    pc,
    heard,
    csrcs,
    send(text) {
      seq++;
      const header = new RtpHeader({
        sequenceNumber: seq,
        timestamp: seq * 960,
        payloadType: 111,
        ssrc: 4242,
      });
      mic.writeRtp(new RtpPacket(header, Buffer.from(text)));
    },
  };
  clients.push(client);
  return client;
}

/** Each client sends a numbered packet every few milliseconds until `done` says enough was heard. */
async function talk(speakers: Client[], done: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !done(); i++) {
    for (const c of speakers) c.send(`${c.user.username}:${i}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.ok(done(), 'the expected audio arrived');
}

const from = (c: Client, user: TestUser) => c.heard.filter((p) => p.startsWith(`${user.username}:`)).length;

test('two people in a voice channel hear each other through the SFU; one without SPEAK, or server-muted, is heard by nobody; one server-deafened hears nobody', async () => {
  const g = await createGuild(h);
  const b = await join(h, g);
  const mute = await join(h, g);
  const denied = await h.api('PUT', `/channels/${g.voiceChannelId}/permissions/${mute.id}`, {
    token: g.owner.token,
    body: { type: 1, allow: '0', deny: P.SPEAK.toString() },
  });
  assert.equal(denied.status, 204, denied.text);

  const alice = await connect(g, g.owner);
  const bob = await connect(g, b);
  await talk([alice, bob], () => from(alice, b) >= 5 && from(bob, g.owner) >= 5);

  const silent = await connect(g, mute);
  // The silent one hears the others, and while they do, nothing of theirs reaches anyone.
  await talk([alice, bob, silent], () => from(silent, g.owner) >= 5 && from(alice, b) >= 20);
  assert.equal(from(alice, mute), 0);
  assert.equal(from(bob, mute), 0);

  // Server-muted, Bob is heard no more (what he sends from now on is marked), while Alice still is.
  const muted = await h.api('PATCH', `/guilds/${g.id}/members/${b.id}`, {
    token: g.owner.token,
    body: { mute: true },
  });
  assert.equal(muted.status, 200, muted.text);
  await waitFor(() => h.events.some((e) => e.t === 'VOICE_STATE_UPDATE' && (e.d as any).mute));
  const before = from(silent, g.owner);
  bob.send('after-mute');
  await talk([alice], () => from(silent, g.owner) >= before + 20);
  assert.ok(!alice.heard.includes('after-mute') && !silent.heard.includes('after-mute'));

  // Server-deafened, the silent one hears nobody from then on, while Bob still hears Alice; undeafened, it hears again.
  const deafen = (deaf: boolean) =>
    h.api('PATCH', `/guilds/${g.id}/members/${mute.id}`, { token: g.owner.token, body: { deaf } });
  assert.equal((await deafen(true)).status, 200);
  await waitFor(() =>
    h.events.some(
      (e) => e.t === 'VOICE_STATE_UPDATE' && (e.d as any).user_id === mute.id && (e.d as any).deaf,
    ),
  );
  await waitUntilSilent(alice, silent, g.owner);
  const bobHeard = from(bob, g.owner);
  await talk([alice], () => from(bob, g.owner) >= bobHeard + 5);
  assert.equal((await deafen(false)).status, 200);
  const heardDeaf = from(silent, g.owner);
  await talk([alice], () => from(silent, g.owner) >= heardDeaf + 5);
});

test('losing SPEAK while connected stops forwarding at once; in the AFK channel nobody is heard; packets name their speaker', async () => {
  const g = await createGuild(h);
  const b = await join(h, g);
  const alice = await connect(g, g.owner);
  const bob = await connect(g, b);
  await talk([alice, bob], () => from(alice, b) >= 5 && from(bob, g.owner) >= 5);
  // Every forwarded packet carries Bob's CSRC, so a receiver can tell who speaks in a slot.
  const csrcs = alice.csrcs ?? [];
  assert.ok(csrcs.length > 0 && csrcs.every((c) => c === voiceCsrc(b.id)), `${csrcs.slice(0, 5)}`);

  // Bob loses SPEAK by an overwrite while connected: from the next packet on, nobody hears him.
  const overwrite = `/channels/${g.voiceChannelId}/permissions/${b.id}`;
  const denied = await h.api('PUT', overwrite, {
    token: g.owner.token,
    body: { type: 1, allow: '0', deny: P.SPEAK.toString() },
  });
  assert.equal(denied.status, 204, denied.text);
  await waitUntilSilent(bob, alice, b);
  const restored = await h.api('DELETE', overwrite, { token: g.owner.token });
  assert.equal(restored.status, 204, restored.text);
  const heardBefore = from(alice, b);
  await talk([bob], () => from(alice, b) >= heardBefore + 5);

  // The channel becomes the guild's AFK channel: nobody there is forwarded.
  const afk = await h.api('PATCH', `/guilds/${g.id}`, {
    token: g.owner.token,
    body: { afk_channel_id: g.voiceChannelId },
  });
  assert.equal(afk.status, 200, afk.text);
  await waitUntilSilent(bob, alice, b);
  await waitUntilSilent(alice, bob, g.owner);
});

/** `speaker` keeps talking until `listener` stops hearing `user`; then what they send is never heard. */
async function waitUntilSilent(speaker: Client, listener: Client, user: TestUser): Promise<void> {
  // Silent: twenty probes in a row (over half a second) reached nobody.
  let quiet = 0;
  for (let i = 0; i < 1000 && quiet < 20; i++) {
    const before = from(listener, user);
    speaker.send(`${user.username}:probe-${i}`);
    await new Promise((r) => setTimeout(r, 30));
    quiet = from(listener, user) === before ? quiet + 1 : 0;
  }
  // Once silent, it stays so: a batch of packets sent now reaches nobody.
  const before = from(listener, user);
  for (let i = 0; i < 20; i++) {
    speaker.send(`${user.username}:after-${i}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(from(listener, user), before, 'nothing more is forwarded');
}

test('a member silent for the AFK timeout is moved to the AFK channel; one who speaks stays', async () => {
  const g = await createGuild(h);
  const b = await join(h, g);
  const afkChannel = await h.api('POST', `/guilds/${g.id}/channels`, {
    token: g.owner.token,
    body: { name: 'afk', type: 2 },
  });
  assert.equal(afkChannel.status, 201, afkChannel.text);
  const set = await h.api('PATCH', `/guilds/${g.id}`, {
    token: g.owner.token,
    body: { afk_channel_id: afkChannel.body.id, afk_timeout: 60 },
  });
  assert.equal(set.status, 200, set.text);
  const movedTo = (userId: string) =>
    h.events.some(
      (e) =>
        e.t === 'VOICE_STATE_UPDATE' &&
        (e.d as any).user_id === userId &&
        (e.d as any).channel_id === afkChannel.body.id,
    );
  await connect(g, g.owner);
  const talker = await connect(g, b);
  // Bob talks (a packet every 50 ms) until Alice, who sends nothing, has been moved.
  for (let i = 0; i < 6000 && !movedTo(g.owner.id); i++) {
    // Speech-sized packets (a muted microphone's encoded silence is a few bytes).
    talker.send(`${b.username}:${i}:`.padEnd(64, '-'));
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(movedTo(g.owner.id), 'the silent member was moved to the AFK channel');
  assert.ok(!movedTo(b.id), 'the one speaking stayed');
  const state = await h.api('GET', `/guilds/${g.id}/voice-states/${g.owner.id}`, { token: g.owner.token });
  assert.equal(state.body.channel_id, afkChannel.body.id);
  const stays = await h.api('GET', `/guilds/${g.id}/voice-states/${b.id}`, { token: g.owner.token });
  assert.equal(stays.body.channel_id, g.voiceChannelId);
});

async function waitFor(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(ok());
}

test('connecting needs the grant of this user, session and guild, and a voice state', async () => {
  const g = await createGuild(h);
  const b = await join(h, g);
  const { server, sessionId } = await joinVoice(g, g.owner);
  const { pc, sdp } = await offer();
  clients.push({ user: g.owner, pc, heard: [], send() {} });
  const body = { guild_id: g.id, session_id: sessionId, token: server.token, sdp };
  const post = (token: string | undefined, b: unknown) => h.api('POST', '/voice/connect', { token, body: b });
  assert.equal((await post(undefined, body)).status, 401);
  // Another member presenting the owner's grant, a forged one, another session's.
  assert.equal((await post(b.token, body)).status, 401);
  assert.equal((await post(g.owner.token, { ...body, token: `${Date.now() + 60_000}.forged` })).status, 401);
  assert.equal((await post(g.owner.token, { ...body, session_id: 'another' })).status, 401);
  assert.equal((await post(g.owner.token, { ...body, sdp: 'not sdp' })).status, 400);
  // Left the channel: the grant no longer leads anywhere.
  const gw = await TestGateway.identify(h, g.owner.token, {}, 1);
  gw.send({ op: 4, d: { guild_id: g.id, channel_id: null, self_mute: false, self_deaf: false } });
  await gw.dispatch('VOICE_STATE_UPDATE', (d) => d.user_id === g.owner.id && !d.channel_id);
  const gone = await post(g.owner.token, body);
  assert.equal(gone.status, 404);
  assert.equal(gone.body.code, 10065);
});
