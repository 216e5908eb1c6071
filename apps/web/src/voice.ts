// The web app's voice connection (ADR 0034): one voice channel at a time. Joining asks for the microphone, sends
// op 4 over the app's gateway, and on VOICE_SERVER_UPDATE negotiates media with the SFU over
// POST /api/v10/voice/connect (one send m-line, RECEIVE_SLOTS receive m-lines, no renegotiation). Who is speaking
// comes from audio levels: the microphone's for oneself, each receive slot's for the others (the SFU marks every
// forwarded packet with a CSRC naming its speaker, so a slot's level is put on the right person).
import { voiceCsrc } from '@hearth/protocol/voice-csrc';
import { useSyncExternalStore } from 'react';
import { ApiError } from './api';
import * as endpoints from './endpoints';
import { getState } from './store';
import type { Dispatch } from './types';

/** Receive m-lines offered: the SFU forwards at most this many others' audio to one participant (its bound). */
const RECEIVE_SLOTS = 16;
/** How long to wait for VOICE_SERVER_UPDATE before saying the join was refused (the gateway drops refusals). */
const JOIN_WAIT_MS = 10_000;
/** ICE gathering before the offer goes without the rest (host candidates come at once). */
const GATHER_MS = 3000;
/** A grant younger than this is reused when a moderator moves us (VOICE_SERVER_UPDATE's token lasts 5 minutes). */
const GRANT_REUSE_MS = 4 * 60_000;
/** RMS level above which a person counts as speaking, and how long the indicator holds after it drops. */
const SPEAKING_LEVEL = 0.02;
const SPEAKING_HOLD_MS = 400;

export interface VoiceView {
  guildId: string;
  channelId: string;
  status: 'connecting' | 'connected' | 'failed';
  selfMute: boolean;
  selfDeaf: boolean;
  error: string | null;
}

interface Connection {
  guildId: string;
  channelId: string;
  mic: MediaStream;
  pc: RTCPeerConnection | null;
  grant: (Grant & { at: number }) | null;
  audio: HTMLAudioElement[];
  meters: Array<{ analyser: AnalyserNode; receiver: RTCRtpReceiver | null }>;
  context: AudioContext;
  timer: ReturnType<typeof setInterval>;
  /** Resolves the join waiting for VOICE_SERVER_UPDATE. */
  waiting: ((server: Grant & { guild_id: string }) => void) | null;
}

/** VOICE_SERVER_UPDATE's grant and the process holding the channel's room (ADR 0034). */
interface Grant {
  token: string;
  /** Null: the process serving the web app. */
  endpoint: string | null;
}

/** The app's gateway session, as voice needs it (session.ts sets it: this module never imports the session). */
export interface VoiceGateway {
  /** The current gateway session's id, or null while not identified. */
  session(): string | null;
  /** op 4; false when it could not be sent. */
  send(d: { guild_id: string; channel_id: string | null; self_mute: boolean; self_deaf: boolean }): boolean;
}

let voiceGateway: VoiceGateway = { session: () => null, send: () => false };

export function setVoiceGateway(g: VoiceGateway): void {
  voiceGateway = g;
}

let conn: Connection | null = null;
let view: VoiceView | null = null;
/** user id → last time their level was above the threshold (epoch ms). */
let speaking: Record<string, true> = {};
const heardAt = new Map<string, number>();
const listeners = new Set<() => void>();

function emit(): void {
  for (const l of listeners) l();
}

function setView(change: Partial<VoiceView> | null): void {
  view = change === null ? null : view ? { ...view, ...change } : null;
  emit();
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

/** The voice connection as the panel shows it, or null when not in voice. */
export function useVoice(): VoiceView | null {
  return useSyncExternalStore(subscribe, () => view);
}

/** Who is speaking now (user ids), for the indicators. */
export function useSpeaking(): Record<string, true> {
  return useSyncExternalStore(subscribe, () => speaking);
}

/** Where this browser keeps whether the microphone's sound is processed (noise suppression, echo cancellation, gain). */
export const processingKey = 'hearth.voice.processing';

/**
 * The microphone's constraints: the browser's voice processing unless turned off in settings (it suppresses steady
 * sounds such as music or a test tone, which some people want to send).
 */
function micConstraints(): MediaTrackConstraints {
  const on = localStorage.getItem(processingKey) !== 'off';
  return { echoCancellation: on, noiseSuppression: on, autoGainControl: on };
}

/**
 * Joins (or moves to) a guild's voice channel. Resolves when the media is negotiated; a refusal (no CONNECT, the
 * channel full, no microphone) leaves the panel showing why.
 */
export async function joinVoice(guildId: string, channelId: string): Promise<void> {
  if (conn && conn.guildId === guildId && conn.channelId === channelId && view?.status !== 'failed') return;
  if (conn && conn.guildId !== guildId) leaveVoice();
  const selfMute = view?.selfMute ?? false;
  const selfDeaf = view?.selfDeaf ?? false;
  view = { guildId, channelId, status: 'connecting', selfMute, selfDeaf, error: null };
  emit();
  if (!conn) {
    // The AudioContext is made here, in the click, so the browser lets it play.
    const context = new AudioContext();
    let mic: MediaStream;
    try {
      mic = await navigator.mediaDevices.getUserMedia({ audio: micConstraints() });
    } catch {
      context.close().catch(() => {});
      setView({ status: 'failed', error: 'The microphone could not be opened.' });
      return;
    }
    conn = {
      guildId,
      channelId,
      mic,
      pc: null,
      grant: null,
      audio: [],
      meters: [],
      context,
      timer: setInterval(measure, 100),
      waiting: null,
    };
    conn.meters.push({ analyser: meter(context, mic), receiver: null });
    applyMute();
  }
  const c = conn;
  c.channelId = channelId;
  const server = new Promise<Grant | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), JOIN_WAIT_MS);
    c.waiting = (s) => {
      clearTimeout(timer);
      resolve(s);
    };
  });
  if (
    !voiceGateway.send({ guild_id: guildId, channel_id: channelId, self_mute: selfMute, self_deaf: selfDeaf })
  ) {
    c.waiting = null;
    setView({ status: 'failed', error: 'Not connected to the server.' });
    return;
  }
  const granted = await server;
  if (conn !== c || c.channelId !== channelId) return;
  if (!granted) {
    setView({ status: 'failed', error: 'You cannot join this channel (no permission, or it is full).' });
    return;
  }
  await negotiate(c, granted);
}

/** Leaves voice: op 4 with no channel, and the media connection ends. */
export function leaveVoice(): void {
  const c = conn;
  if (!c) return;
  voiceGateway.send({ guild_id: c.guildId, channel_id: null, self_mute: false, self_deaf: false });
  leaveVoiceLocally();
}

/** Ends the media connection without telling the server (signing out; the server ends the state with the session). */
export function leaveVoiceLocally(): void {
  const c = conn;
  conn = null;
  view = null;
  speaking = {};
  heardAt.clear();
  emit();
  if (!c) return;
  clearInterval(c.timer);
  closeMedia(c);
  for (const t of c.mic.getTracks()) t.stop();
  c.context.close().catch(() => {});
}

export function toggleMute(): void {
  if (!view || !conn) return;
  // Unmuting while deafened undeafens too, as Discord does.
  const selfMute = !view.selfMute;
  setView({ selfMute, selfDeaf: selfMute ? view.selfDeaf : false });
  sendSelf();
}

export function toggleDeaf(): void {
  if (!view || !conn) return;
  const selfDeaf = !view.selfDeaf;
  setView({ selfDeaf, selfMute: selfDeaf ? true : view.selfMute });
  sendSelf();
}

function sendSelf(): void {
  if (!view || !conn) return;
  applyMute();
  voiceGateway.send({
    guild_id: view.guildId,
    channel_id: view.channelId,
    self_mute: view.selfMute,
    self_deaf: view.selfDeaf,
  });
}

/** The microphone sends nothing while muted (self or by the server); others are not played while deafened. */
function applyMute(): void {
  if (!conn || !view) return;
  const me = getState().me?.id;
  const state = me ? getState().voiceStates[conn.guildId]?.[me] : undefined;
  const silent = view.selfMute || !!state?.mute || !!state?.suppress;
  const deaf = view.selfDeaf || !!state?.deaf;
  for (const t of conn.mic.getAudioTracks()) t.enabled = !silent;
  for (const a of conn.audio) a.muted = deaf;
}

/** The gateway's events that concern the connection: the grant, and our own voice state changed by others. */
export function voiceDispatch(...[t, d]: Dispatch): void {
  const c = conn;
  if (!c) return;
  if (t === 'VOICE_SERVER_UPDATE' && d.guild_id === c.guildId) {
    c.grant = { token: d.token, endpoint: d.endpoint, at: Date.now() };
    if (c.waiting) {
      c.waiting(d);
      c.waiting = null;
    } else if (view?.status !== 'connecting') negotiate(c, d);
    return;
  }
  if (t === 'READY') {
    // A new gateway session: the old one's voice state is gone with it.
    leaveVoiceLocally();
    return;
  }
  if (t !== 'VOICE_STATE_UPDATE' || d.guild_id !== c.guildId || d.user_id !== getState().me?.id) return;
  if (d.session_id !== voiceGateway.session()) return;
  if (!d.channel_id) {
    // Disconnected by a moderator, or lost the right to connect.
    leaveVoiceLocally();
    return;
  }
  applyMute();
  if (d.channel_id !== c.channelId) {
    // Moved by a moderator: the SFU closed the old room's connection; connect in the new one.
    c.channelId = d.channel_id;
    setView({ channelId: d.channel_id, status: 'connecting' });
    if (c.grant && Date.now() - c.grant.at < GRANT_REUSE_MS) negotiate(c, c.grant);
    else joinVoice(c.guildId, d.channel_id);
  }
}

function closeMedia(c: Connection): void {
  c.pc?.close();
  c.pc = null;
  for (const a of c.audio) {
    a.pause();
    a.srcObject = null;
  }
  c.audio = [];
  c.meters = c.meters.filter((m) => !m.receiver);
}

/** One WebRTC connection to the SFU's room: the microphone out, RECEIVE_SLOTS slots in. */
async function negotiate(c: Connection, grant: Grant, retried = false): Promise<void> {
  const session = voiceGateway.session();
  if (!session) return;
  closeMedia(c);
  const pc = new RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle' });
  c.pc = pc;
  const [track] = c.mic.getAudioTracks();
  pc.addTransceiver(track, { direction: 'sendonly', streams: [c.mic] });
  for (let i = 0; i < RECEIVE_SLOTS; i++) pc.addTransceiver('audio', { direction: 'recvonly' });
  pc.ontrack = (e) => {
    if (c.pc !== pc) return;
    const stream = new MediaStream([e.track]);
    // Chrome only runs a remote track through WebAudio while a media element plays it.
    const audio = new Audio();
    audio.srcObject = stream;
    audio.autoplay = true;
    c.audio.push(audio);
    audio.play().catch(() => {});
    c.meters.push({ analyser: meter(c.context, stream), receiver: e.receiver });
    applyMute();
  };
  pc.onconnectionstatechange = () => {
    if (c.pc !== pc) return;
    if (pc.connectionState === 'connected') setView({ status: 'connected', error: null });
    if (pc.connectionState === 'failed')
      setView({ status: 'failed', error: 'The voice connection was lost. Join again to retry.' });
  };
  try {
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const sdp = pc.localDescription?.sdp ?? '';
    const answer = await endpoints.voiceConnect(
      { guild_id: c.guildId, session_id: session, token: grant.token, sdp },
      grant.endpoint,
    );
    if (c.pc !== pc) return;
    await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
  } catch (err) {
    if (c.pc !== pc) return;
    if (err instanceof ApiError && err.status === 409 && !retried && view) {
      // The room is held by another process than the grant named (it was placed again): ask where, once.
      c.waiting = (next) => negotiate(c, next, true);
      sendSelf();
      return;
    }
    setView({ status: 'failed', error: err instanceof Error ? err.message : 'The voice connection failed.' });
  }
}

function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, GATHER_MS);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

function meter(context: AudioContext, stream: MediaStream): AnalyserNode {
  const analyser = context.createAnalyser();
  analyser.fftSize = 512;
  context.createMediaStreamSource(stream).connect(analyser);
  return analyser;
}

const samples = new Float32Array(512);

/** Every 100 ms: whose level is above the threshold, by the microphone and each slot's current speaker. */
function measure(): void {
  const c = conn;
  const me = getState().me?.id;
  if (!c || !me) return;
  const now = Date.now();
  const inRoom = Object.values(getState().voiceStates[c.guildId] ?? {}).filter(
    (v) => v.channel_id === c.channelId,
  );
  const byCsrc = new Map(inRoom.map((v) => [voiceCsrc(v.user_id), v.user_id]));
  for (const m of c.meters) {
    m.analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const x of samples) sum += x * x;
    if (Math.sqrt(sum / samples.length) < SPEAKING_LEVEL) continue;
    if (!m.receiver) {
      if (!view?.selfMute) heardAt.set(me, now);
      continue;
    }
    const [latest] = [...m.receiver.getContributingSources()].sort((a, b) => b.timestamp - a.timestamp);
    const who = latest && byCsrc.get(latest.source);
    if (who) heardAt.set(who, now);
  }
  const next: Record<string, true> = {};
  for (const [id, at] of heardAt) if (now - at < SPEAKING_HOLD_MS) next[id] = true;
  const same =
    Object.keys(next).length === Object.keys(speaking).length &&
    Object.keys(next).every((id) => speaking[id]);
  if (!same) {
    speaking = next;
    emit();
  }
}
