import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Permission as P } from '@hearth/permissions';
import { videoCsrc, voiceCsrc } from '@hearth/protocol';
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket, useOPUS, useVP8 } from 'werift';
import { closeWithClients, TestGateway } from '../gateway-client';
import { createGuild, join, type TestGuild } from '../guild-helpers';
import { startHearth, type TestServer, type TestUser } from '../harness';

// Video in voice channels (ADR 0034, video addendum): the camera is op 4's `self_video`, Go Live is op 18/19 with
// STREAM_CREATE/STREAM_DELETE and `self_stream`; both need STREAM, and a room carries at most VOICE_MAX_VIDEO video
// streams. The SFU forwards a camera only while its `self_video` is on.

const MAX_VIDEO = 2;
let h: TestServer;
before(async () => {
  h = await startHearth({ voiceMaxVideo: MAX_VIDEO });
});
const pcs: RTCPeerConnection[] = [];
after(async () => {
  for (const pc of pcs) await pc.close().catch(() => {});
  await closeWithClients(h);
});

const voiceOp = (g: TestGuild, extra: Record<string, unknown> = {}) => ({
  op: 4,
  d: { guild_id: g.id, channel_id: g.voiceChannelId, self_mute: false, self_deaf: false, ...extra },
});
const streamOp = (g: TestGuild) => ({
  op: 18,
  d: { type: 'guild', guild_id: g.id, channel_id: g.voiceChannelId, preferred_region: null },
});
const keyOf = (g: TestGuild, user: TestUser) => `guild:${g.id}:${g.voiceChannelId}:${user.id}`;
const stateOf = (user: TestUser) => (d: any) => d.user_id === user.id;

/** A member connected to the gateway and in the guild's voice channel. */
async function inVoice(g: TestGuild, user: TestUser): Promise<{ gw: TestGateway; server: any }> {
  const gw = await TestGateway.identify(h, user.token, {}, 1);
  gw.send(voiceOp(g));
  const server = await gw.dispatch('VOICE_SERVER_UPDATE');
  await gw.dispatch('VOICE_STATE_UPDATE', stateOf(user));
  return { gw, server };
}

describe('camera and Go Live in voice states', () => {
  test('self_video and self_stream are set, broadcast and read back; STREAM_CREATE and STREAM_DELETE go to the streamer', async () => {
    const g = await createGuild(h);
    const bob = await join(h, g);
    const { gw: owner } = await inVoice(g, g.owner);
    const { gw: other } = await inVoice(g, bob);
    await owner.dispatch('VOICE_STATE_UPDATE', stateOf(bob));

    owner.send(voiceOp(g, { self_video: true }));
    const video = await other.dispatch('VOICE_STATE_UPDATE', (d) => d.user_id === g.owner.id && d.self_video);
    assert.equal(video.channel_id, g.voiceChannelId);
    // Turning the camera on is no request for a new connection.
    assert.ok(await owner.never('VOICE_SERVER_UPDATE'));

    owner.send(streamOp(g));
    const created = await owner.dispatch('STREAM_CREATE');
    assert.deepEqual(created, {
      stream_key: keyOf(g, g.owner),
      rtc_server_id: g.voiceChannelId,
      viewer_ids: [],
      region: 'hearth',
      paused: false,
    });
    const live = await other.dispatch('VOICE_STATE_UPDATE', (d) => d.user_id === g.owner.id && d.self_stream);
    assert.equal(live.self_video, true);
    const read = await h.api('GET', `/guilds/${g.id}/voice-states/${g.owner.id}`, { token: bob.token });
    assert.equal(read.body.self_stream, true);
    assert.equal(read.body.self_video, true);
    // Bob cannot end Alice's stream: his op 19 with her key changes nothing.
    other.send({ op: 19, d: { stream_key: keyOf(g, g.owner) } });
    assert.ok(await other.never('STREAM_DELETE'));
    assert.equal(
      (await h.api('GET', `/guilds/${g.id}/voice-states/${g.owner.id}`, { token: bob.token })).body
        .self_stream,
      true,
    );

    owner.send({ op: 19, d: { stream_key: keyOf(g, g.owner) } });
    assert.deepEqual(await owner.dispatch('STREAM_DELETE'), {
      stream_key: keyOf(g, g.owner),
      unavailable: false,
      reason: 'user_requested',
    });
    const ended = await other.dispatch(
      'VOICE_STATE_UPDATE',
      (d) => d.user_id === g.owner.id && !d.self_stream,
    );
    assert.equal(ended.self_video, true);
    owner.send(voiceOp(g, { self_video: false }));
    await other.dispatch('VOICE_STATE_UPDATE', (d) => d.user_id === g.owner.id && !d.self_video);
  });

  test('without STREAM the camera stays off and Go Live is refused; losing STREAM turns both off', async () => {
    const g = await createGuild(h);
    const bob = await join(h, g);
    const denied = await h.api('PUT', `/channels/${g.voiceChannelId}/permissions/${bob.id}`, {
      token: g.owner.token,
      body: { type: 1, allow: '0', deny: P.STREAM.toString() },
    });
    assert.equal(denied.status, 204, denied.text);
    const { gw: owner } = await inVoice(g, g.owner);
    const { gw: other } = await inVoice(g, bob);

    other.send(voiceOp(g, { self_video: true, self_mute: true }));
    const refused = await owner.dispatch('VOICE_STATE_UPDATE', (d) => d.user_id === bob.id && d.self_mute);
    assert.equal(refused.self_video, false);
    other.send(streamOp(g));
    assert.deepEqual(await other.dispatch('STREAM_DELETE'), {
      stream_key: keyOf(g, bob),
      unavailable: false,
      reason: 'unauthorized',
    });
    assert.equal(
      (await h.api('GET', `/guilds/${g.id}/voice-states/${bob.id}`, { token: g.owner.token })).body
        .self_stream,
      false,
    );

    // STREAM from his own overwrite only (@everyone is denied it): Bob goes live with camera and screen, and losing
    // the overwrite turns both off while he stays connected.
    const everyone = await h.api('PUT', `/channels/${g.voiceChannelId}/permissions/${g.id}`, {
      token: g.owner.token,
      body: { type: 0, allow: '0', deny: P.STREAM.toString() },
    });
    assert.equal(everyone.status, 204, everyone.text);
    const allowBob = await h.api('PUT', `/channels/${g.voiceChannelId}/permissions/${bob.id}`, {
      token: g.owner.token,
      body: { type: 1, allow: P.STREAM.toString(), deny: '0' },
    });
    assert.equal(allowBob.status, 204, allowBob.text);
    other.send(voiceOp(g, { self_video: true }));
    await owner.dispatch('VOICE_STATE_UPDATE', (d) => d.user_id === bob.id && d.self_video);
    other.send(streamOp(g));
    await other.dispatch('STREAM_CREATE');
    await owner.dispatch('VOICE_STATE_UPDATE', (d) => d.user_id === bob.id && d.self_stream);
    const revoked = await h.api('PUT', `/channels/${g.voiceChannelId}/permissions/${bob.id}`, {
      token: g.owner.token,
      body: { type: 1, allow: '0', deny: P.STREAM.toString() },
    });
    assert.equal(revoked.status, 204, revoked.text);
    const off = await owner.dispatch(
      'VOICE_STATE_UPDATE',
      (d) => d.user_id === bob.id && !d.self_video && !d.self_stream,
    );
    assert.equal(off.channel_id, g.voiceChannelId, 'still connected, without video');
  });

  test('a room carries at most VOICE_MAX_VIDEO video streams, cameras and screens together', async () => {
    const g = await createGuild(h);
    const bob = await join(h, g);
    const { gw: owner } = await inVoice(g, g.owner);
    const { gw: other } = await inVoice(g, bob);
    owner.send(voiceOp(g, { self_video: true }));
    await other.dispatch('VOICE_STATE_UPDATE', (d) => d.user_id === g.owner.id && d.self_video);
    owner.send(streamOp(g));
    await owner.dispatch('STREAM_CREATE');
    // Two streams (MAX_VIDEO): Bob's camera stays off, his Go Live is refused as full.
    other.send(voiceOp(g, { self_video: true, self_deaf: true }));
    const full = await owner.dispatch('VOICE_STATE_UPDATE', (d) => d.user_id === bob.id && d.self_deaf);
    assert.equal(full.self_video, false);
    other.send(streamOp(g));
    assert.equal((await other.dispatch('STREAM_DELETE')).reason, 'stream_full');
    // The owner keeps what he has (asking again for a camera already on is no new stream)…
    owner.send(voiceOp(g, { self_video: true, self_mute: true }));
    const kept = await other.dispatch('VOICE_STATE_UPDATE', (d) => d.user_id === g.owner.id && d.self_mute);
    assert.equal(kept.self_video, true);
    // …and once his screen is off, Bob's camera fits.
    owner.send({ op: 19, d: { stream_key: keyOf(g, g.owner) } });
    await owner.dispatch('STREAM_DELETE');
    other.send(voiceOp(g, { self_video: true }));
    await owner.dispatch('VOICE_STATE_UPDATE', (d) => d.user_id === bob.id && d.self_video && !d.self_deaf);
  });

  test('malformed stream requests close the connection; a request for a channel one is not in is dropped', async () => {
    const g = await createGuild(h);
    const { gw } = await inVoice(g, g.owner);
    const second = await h.api('POST', `/guilds/${g.id}/channels`, {
      token: g.owner.token,
      body: { name: 'voice-2', type: 2 },
    });
    gw.send({ op: 18, d: { type: 'guild', guild_id: g.id, channel_id: second.body.id } });
    assert.ok(await gw.never('STREAM_CREATE'));
    assert.ok(await gw.never('STREAM_DELETE'));
    gw.send({ op: 18, d: { type: 'call', guild_id: g.id, channel_id: 'x' } });
    assert.equal(await gw.closed(), 4002);
    const again = await TestGateway.identify(h, g.owner.token, {}, 1);
    again.send({ op: 19, d: { stream_key: 42 } });
    assert.equal(await again.closed(), 4002);
  });
});

/** A werift participant with a microphone and a camera, as the web app offers (two audio and two video slots). */
async function connect(
  g: TestGuild,
  user: TestUser,
): Promise<{
  gw: TestGateway;
  audio: number[];
  video: number[];
  send: (seq: number) => void;
  keyframes: () => number;
}> {
  const { gw, server } = await inVoice(g, user);
  const pc = new RTCPeerConnection({
    codecs: { audio: [useOPUS()], video: [useVP8()] },
    iceServers: [],
    bundlePolicy: 'max-bundle',
  });
  pcs.push(pc);
  const mic = new MediaStreamTrack({ kind: 'audio' });
  const camera = new MediaStreamTrack({ kind: 'video' });
  pc.addTransceiver(mic, { direction: 'sendonly' });
  const cam = pc.addTransceiver(camera, { direction: 'sendonly' });
  pc.addTransceiver('video', { direction: 'sendonly' });
  for (let i = 0; i < 2; i++) pc.addTransceiver('audio', { direction: 'recvonly' });
  for (let i = 0; i < 2; i++) pc.addTransceiver('video', { direction: 'recvonly' });
  let keyframes = 0;
  cam.sender.onPictureLossIndication.subscribe(() => keyframes++);
  const audio: number[] = [];
  const video: number[] = [];
  pc.onTrack.subscribe((track) =>
    track.onReceiveRtp.subscribe((rtp) => (track.kind === 'video' ? video : audio).push(...rtp.header.csrc)),
  );
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise<void>((resolve) => {
    if (pc.iceGatheringState === 'complete') resolve();
    pc.iceGatheringStateChange.subscribe((s) => s === 'complete' && resolve());
  });
  const res = await h.api('POST', '/voice/connect', {
    token: user.token,
    body: {
      guild_id: g.id,
      session_id: gw.ready.session_id,
      token: server.token,
      sdp: pc.localDescription!.sdp,
    },
  });
  assert.equal(res.status, 200, res.text);
  await pc.setRemoteDescription({ type: 'answer', sdp: res.body.sdp });
  return {
    gw,
    audio,
    video,
    keyframes: () => keyframes,
    send(seq) {
      const header = (pt: number, ssrc: number) =>
        new RtpHeader({ sequenceNumber: seq, timestamp: seq * 960, payloadType: pt, ssrc, marker: true });
      mic.writeRtp(new RtpPacket(header(111, 1111), Buffer.from(`a${seq}`)));
      camera.writeRtp(new RtpPacket(header(96, 2222), Buffer.from(`v${seq}`)));
    },
  };
}

test('the SFU forwards a camera to the others only while its self_video is on, marked with its CSRC, and asks it for a keyframe', async () => {
  const g = await createGuild(h);
  const b = await join(h, g);
  const alice = await connect(g, g.owner);
  const bob = await connect(g, b);
  const count = (list: number[], csrc: number) => list.filter((c) => c === csrc).length;
  const run = async (done: () => boolean) => {
    for (let i = 1; i < 3000 && !done(); i++) {
      alice.send(i);
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(done(), 'the expected media arrived');
  };
  // Camera off: Bob hears Alice, and not one of her video packets reaches him.
  await run(() => count(bob.audio, voiceCsrc(g.owner.id)) >= 20);
  assert.equal(bob.video.length, 0);
  alice.gw.send(voiceOp(g, { self_video: true }));
  await bob.gw.dispatch('VOICE_STATE_UPDATE', (d) => d.user_id === g.owner.id && d.self_video);
  await run(() => count(bob.video, videoCsrc(g.owner.id, 'camera')) >= 20 && alice.keyframes() > 0);
  assert.equal(bob.video.filter((c) => c !== videoCsrc(g.owner.id, 'camera')).length, 0);
  // Camera off again: what Bob receives from now on is audio only.
  alice.gw.send(voiceOp(g, { self_video: false }));
  await bob.gw.dispatch('VOICE_STATE_UPDATE', (d) => d.user_id === g.owner.id && !d.self_video);
  const seen = bob.video.length;
  const heard = bob.audio.length;
  await run(() => bob.audio.length >= heard + 20);
  assert.equal(bob.video.length, seen);
});
