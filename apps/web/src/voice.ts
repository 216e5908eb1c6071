// The web app's voice connection (ADR 0034): one voice channel at a time. Joining asks for the microphone, sends
// op 4 over the app's gateway, and on VOICE_SERVER_UPDATE negotiates media with the SFU over
// POST /api/v10/voice/connect (one send m-line, RECEIVE_SLOTS receive m-lines, no renegotiation). Who is speaking
// comes from audio levels: the microphone's for oneself, each receive slot's for the others (the SFU marks every
// forwarded packet with a CSRC naming its speaker, so a slot's level is put on the right person). The camera and the
// screen (Go Live) go on two video send m-lines offered from the start, silent until a track is put on them
// (replaceTrack: no renegotiation); the others' cameras and screens arrive on VIDEO_SLOTS receive m-lines, each
// packet's CSRC naming whose camera or screen it is.
import {
  type VideoSource,
  VOICE_AUDIO_SLOTS,
  VOICE_VIDEO_SLOTS,
  videoCsrc,
  voiceCsrc,
} from '@hearth/protocol/voice-csrc';
import { useSyncExternalStore } from 'react';
import { ApiError } from './api';
import * as endpoints from './endpoints';
import { getState } from './store';
import type { Dispatch } from './types';

/** Receive m-lines offered: the SFU forwards at most this many others' audio to one participant (its bound). */
const RECEIVE_SLOTS = VOICE_AUDIO_SLOTS;
/** Video receive m-lines offered: the SFU's bound on video streams in a room (VOICE_MAX_VIDEO) is at most this. */
const VIDEO_SLOTS = VOICE_VIDEO_SLOTS;
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
  /** The guild, or for a DM or group DM call its channel (voice states are kept under it). */
  guildId: string;
  /** A DM or group DM call (op 4 with no guild). */
  call: boolean;
  channelId: string;
  status: 'connecting' | 'connected' | 'failed';
  selfMute: boolean;
  selfDeaf: boolean;
  /** Our camera and screen are on (sent; the server may still refuse them, which turns them off). */
  selfVideo: boolean;
  selfStream: boolean;
  error: string | null;
}

/** A video shown in the grid: someone's camera or screen, or our own (a preview). */
export interface VideoTile {
  key: string;
  userId: string;
  source: VideoSource;
  stream: MediaStream;
  self: boolean;
}

interface Connection {
  /** As VoiceView's. */
  guildId: string;
  call: boolean;
  channelId: string;
  mic: MediaStream;
  pc: RTCPeerConnection | null;
  grant: (Grant & { at: number }) | null;
  audio: HTMLAudioElement[];
  meters: Array<{ analyser: AnalyserNode; receiver: RTCRtpReceiver | null }>;
  /** Our camera and screen, while on. */
  camera: MediaStream | null;
  screen: MediaStream | null;
  /** The camera's and the screen's send m-lines of the current connection. */
  senders: Record<VideoSource, RTCRtpSender> | null;
  /** The video receive slots of the current connection. */
  videos: Array<{ receiver: RTCRtpReceiver; stream: MediaStream }>;
  context: AudioContext;
  timer: ReturnType<typeof setInterval>;
  /** Resolves the join waiting for VOICE_SERVER_UPDATE. */
  waiting: ((server: Grant) => void) | null;
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
  send(d: {
    guild_id: string | null;
    channel_id: string | null;
    self_mute: boolean;
    self_deaf: boolean;
    self_video: boolean;
  }): boolean;
  /** Go Live: op 18 STREAM_CREATE (`channel_id`) or op 19 STREAM_DELETE (`stream_key`); false when not sent. */
  stream(d: { guild_id: string | null; channel_id: string } | { stream_key: string }): boolean;
}

let voiceGateway: VoiceGateway = { session: () => null, send: () => false, stream: () => false };

export function setVoiceGateway(g: VoiceGateway): void {
  voiceGateway = g;
}

let conn: Connection | null = null;
let view: VoiceView | null = null;
/** user id → last time their level was above the threshold (epoch ms). */
let speaking: Record<string, true> = {};
let tiles: VideoTile[] = [];
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

/** The videos to show: ours first, then the others' cameras and screens (by who, then camera before screen). */
export function useVideoTiles(): VideoTile[] {
  return useSyncExternalStore(subscribe, () => tiles);
}

/** Where this browser keeps whether the microphone's sound is processed (noise suppression, echo cancellation, gain). */
export const processingKey = 'hearth.voice.processing';

/**
 * The microphone's constraints: the browser's voice processing unless turned off in settings (it suppresses steady
 * sounds such as music or a test tone, which some people want to send).
 */
function micConstraints(): MediaTrackConstraints {
  const on = localStorage.getItem(processingKey) !== 'off';
  const id = localStorage.getItem(deviceKeys.input);
  return {
    echoCancellation: on,
    noiseSuppression: on,
    autoGainControl: on,
    ...(id ? { deviceId: { exact: id } } : {}),
  };
}

/**
 * Opens a device with `constraints`; when the device chosen in settings is gone (unplugged), the browser's default
 * instead.
 */
async function openDevice(kind: 'audio' | 'video', constraints: MediaTrackConstraints): Promise<MediaStream> {
  try {
    return await navigator.mediaDevices.getUserMedia({ [kind]: constraints });
  } catch (err) {
    if (!constraints.deviceId || (err as Error).name !== 'OverconstrainedError') throw err;
    const { deviceId: _gone, ...rest } = constraints;
    return navigator.mediaDevices.getUserMedia({ [kind]: rest });
  }
}

/** Where this browser keeps the devices chosen in Settings → Voice (ids from enumerateDevices; none: the default). */
export const deviceKeys = {
  input: 'hearth.voice.input',
  output: 'hearth.voice.output',
  camera: 'hearth.voice.camera',
} as const;
/** Where this browser keeps how the microphone opens: `vad` (voice activity, the default) or `ptt` (push to talk). */
export const inputModeKey = 'hearth.voice.mode';
/** The key held to talk in push-to-talk mode (a KeyboardEvent `code`). */
export const pushToTalkKey = 'hearth.voice.ptt-key';

/** Push to talk: whether it is on, and which key (KeyboardEvent.code) opens the microphone while held. */
function pushToTalk(): { on: boolean; key: string } {
  return {
    on: localStorage.getItem(inputModeKey) === 'ptt',
    key: localStorage.getItem(pushToTalkKey) || 'Backquote',
  };
}

/** Whether the push-to-talk key is held now. */
let talking = false;

function onKey(e: KeyboardEvent): void {
  const ptt = pushToTalk();
  if (!ptt.on || e.code !== ptt.key) return;
  const target = e.target as HTMLElement | null;
  // Typing that key in a text field is typing.
  if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
  const held = e.type === 'keydown';
  if (held === talking) return;
  talking = held;
  applyMute();
}

function onBlur(): void {
  talking = false;
  applyMute();
}

/** The microphone as voice opens it (the device and processing chosen in settings): the settings' mic test. */
export function openMicrophone(): Promise<MediaStream> {
  return openDevice('audio', micConstraints());
}

function cameraConstraints(): MediaTrackConstraints {
  const id = localStorage.getItem(deviceKeys.camera);
  return { width: { ideal: 640 }, height: { ideal: 360 }, ...(id ? { deviceId: { exact: id } } : {}) };
}

/** Plays a received stream on the output device chosen in settings (where the browser can choose). */
function toOutput(audio: HTMLAudioElement): void {
  const id = localStorage.getItem(deviceKeys.output);
  const sink = audio as HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };
  if (id && sink.setSinkId) sink.setSinkId(id).catch(() => {});
}

/**
 * Joins (or moves to) a guild's voice channel. Resolves when the media is negotiated; a refusal (no CONNECT, the
 * channel full, no microphone) leaves the panel showing why.
 */
export function joinVoice(guildId: string, channelId: string): Promise<void> {
  return join(guildId, channelId, false);
}

/** Joins (or starts, ringing the others) a DM or group DM's call; `video` turns the camera on once connected. */
export async function joinCall(channelId: string, opts: { video?: boolean } = {}): Promise<void> {
  await join(channelId, channelId, true);
  if (opts.video && conn?.call && conn.channelId === channelId && !conn.camera) await toggleCamera();
}

/** The guild (null in a call) that op 4 and the media connection name. */
const wireGuild = (c: { guildId: string; call: boolean }) => (c.call ? null : c.guildId);

async function join(guildId: string, channelId: string, call: boolean): Promise<void> {
  if (conn && conn.guildId === guildId && conn.channelId === channelId && view?.status !== 'failed') return;
  if (conn && (conn.guildId !== guildId || conn.call !== call)) leaveVoice();
  const selfMute = view?.selfMute ?? false;
  const selfDeaf = view?.selfDeaf ?? false;
  const selfVideo = view?.selfVideo ?? false;
  const selfStream = false;
  view = {
    guildId,
    call,
    channelId,
    status: 'connecting',
    selfMute,
    selfDeaf,
    selfVideo,
    selfStream,
    error: null,
  };
  emit();
  if (!conn) {
    // The AudioContext is made here, in the click, so the browser lets it play.
    const context = new AudioContext();
    let mic: MediaStream;
    try {
      mic = await openDevice('audio', micConstraints());
    } catch {
      context.close().catch(() => {});
      setView({ status: 'failed', error: 'The microphone could not be opened.' });
      return;
    }
    conn = {
      guildId,
      call,
      channelId,
      mic,
      pc: null,
      grant: null,
      audio: [],
      meters: [],
      camera: null,
      screen: null,
      senders: null,
      videos: [],
      context,
      timer: setInterval(measure, 100),
      waiting: null,
    };
    conn.meters.push({ analyser: meter(context, mic), receiver: null });
    window.addEventListener('keydown', onKey);
    window.addEventListener('keyup', onKey);
    window.addEventListener('blur', onBlur);
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
  // Moving ends a stream (the server sets self_stream false): the screen stops with it.
  stopScreen(c, false);
  if (
    !sendVoiceState({
      guild_id: call ? null : guildId,
      channel_id: channelId,
      self_mute: selfMute,
      self_deaf: selfDeaf,
      self_video: !!c.camera,
    })
  ) {
    c.waiting = null;
    setView({ status: 'failed', error: 'Not connected to the server.' });
    return;
  }
  const granted = await server;
  if (conn !== c || c.channelId !== channelId) return;
  if (!granted) {
    // A refused op 4 is dropped without an answer.
    unanswered = 0;
    setView({
      status: 'failed',
      error: call ? 'You cannot call here.' : 'You cannot join this channel (no permission, or it is full).',
    });
    return;
  }
  await negotiate(c, granted);
}

/** Leaves voice: op 4 with no channel, and the media connection ends. */
export function leaveVoice(): void {
  const c = conn;
  if (!c) return;
  voiceGateway.send({
    guild_id: wireGuild(c),
    channel_id: null,
    self_mute: false,
    self_deaf: false,
    self_video: false,
  });
  leaveVoiceLocally();
}

/** Ends the media connection without telling the server (signing out; the server ends the state with the session). */
export function leaveVoiceLocally(): void {
  const c = conn;
  conn = null;
  view = null;
  speaking = {};
  tiles = [];
  heardAt.clear();
  emit();
  if (!c) return;
  window.removeEventListener('keydown', onKey);
  window.removeEventListener('keyup', onKey);
  window.removeEventListener('blur', onBlur);
  talking = false;
  unanswered = 0;
  clearInterval(c.timer);
  closeMedia(c);
  for (const t of c.mic.getTracks()) t.stop();
  for (const t of c.camera?.getTracks() ?? []) t.stop();
  for (const t of c.screen?.getTracks() ?? []) t.stop();
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

/**
 * Our op 4s whose VOICE_STATE_UPDATE has not come back yet (each op 4 that is applied announces our state once): an
 * update that says our camera is off means the server turned it off only when none is in flight, not while an older
 * update (say, of a mute sent just before the camera) is still arriving.
 */
let unanswered = 0;

function sendVoiceState(d: Parameters<VoiceGateway['send']>[0]): boolean {
  const sent = voiceGateway.send(d);
  if (sent && d.channel_id) unanswered++;
  return sent;
}

function sendSelf(): void {
  if (!view || !conn) return;
  applyMute();
  sendVoiceState({
    guild_id: wireGuild(view),
    channel_id: view.channelId,
    self_mute: view.selfMute,
    self_deaf: view.selfDeaf,
    self_video: view.selfVideo,
  });
}

/** Turns our camera on or off (op 4's `self_video`; the SFU forwards it only while the server says it is on). */
export async function toggleCamera(): Promise<void> {
  const c = conn;
  if (!c || !view) return;
  if (c.camera) {
    stopCamera(c);
    setView({ selfVideo: false });
    sendSelf();
    return;
  }
  let camera: MediaStream;
  try {
    camera = await openDevice('video', cameraConstraints());
  } catch {
    setView({ error: 'The camera could not be opened.' });
    return;
  }
  if (conn !== c) {
    for (const t of camera.getTracks()) t.stop();
    return;
  }
  c.camera = camera;
  await c.senders?.camera.replaceTrack(camera.getVideoTracks()[0] ?? null);
  setView({ selfVideo: true, error: null });
  sendSelf();
  refreshTiles();
}

/** Shares our screen (Go Live: op 18, then the screen's m-line carries it) or stops sharing (op 19). */
export async function toggleScreen(): Promise<void> {
  const c = conn;
  if (!c || !view) return;
  if (c.screen) {
    stopScreen(c, true);
    return;
  }
  let screen: MediaStream;
  try {
    screen = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
  } catch {
    setView({ error: 'Screen sharing was cancelled or is not available.' });
    return;
  }
  if (conn !== c || !view) {
    for (const t of screen.getTracks()) t.stop();
    return;
  }
  c.screen = screen;
  const [track] = screen.getVideoTracks();
  // The browser's own "Stop sharing" ends the track.
  if (track) track.onended = () => conn === c && c.screen === screen && stopScreen(c, true);
  await c.senders?.screen.replaceTrack(track ?? null);
  setView({ selfStream: true, error: null });
  streamPending = true;
  voiceGateway.stream({ guild_id: wireGuild(c), channel_id: c.channelId });
  refreshTiles();
}

function stopCamera(c: Connection): void {
  for (const t of c.camera?.getTracks() ?? []) t.stop();
  c.camera = null;
  c.senders?.camera.replaceTrack(null).catch(() => {});
  refreshTiles();
}

/** Stops sharing; `tell` sends op 19 (not when the server ended it). */
function stopScreen(c: Connection, tell: boolean): void {
  streamPending = false;
  if (!c.screen) return;
  for (const t of c.screen.getTracks()) t.stop();
  c.screen = null;
  c.senders?.screen.replaceTrack(null).catch(() => {});
  const me = getState().me?.id;
  if (tell && me)
    voiceGateway.stream({
      stream_key: c.call ? `call:${c.channelId}:${me}` : `guild:${c.guildId}:${c.channelId}:${me}`,
    });
  if (view) setView({ selfStream: false });
  refreshTiles();
}

/** The microphone sends nothing while muted (self or by the server); others are not played while deafened. */
function applyMute(): void {
  if (!conn || !view) return;
  const me = getState().me?.id;
  const state = me ? getState().voiceStates[conn.guildId]?.[me] : undefined;
  const silent = view.selfMute || !!state?.mute || !!state?.suppress || (pushToTalk().on && !talking);
  const deaf = view.selfDeaf || !!state?.deaf;
  for (const t of conn.mic.getAudioTracks()) t.enabled = !silent;
  for (const a of conn.audio) a.muted = deaf;
}

/** The gateway's events that concern the connection: the grant, and our own voice state changed by others. */
export function voiceDispatch(...[t, d]: Dispatch): void {
  const c = conn;
  if (!c) return;
  if (t === 'VOICE_SERVER_UPDATE' && (d.guild_id ?? d.channel_id) === c.guildId) {
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
  if (t === 'STREAM_CREATE') {
    streamPending = false;
    return;
  }
  if (t === 'STREAM_DELETE') {
    streamPending = false;
    // Refused (no STREAM, the room's video is full) or ended by the server.
    if (d.reason !== 'user_requested' && c.screen) {
      stopScreen(c, false);
      setView({ error: streamRefusal(d.reason) });
    }
    return;
  }
  if (t !== 'VOICE_STATE_UPDATE' || d.guild_id !== wireGuild(c) || d.user_id !== getState().me?.id) return;
  if (d.session_id !== voiceGateway.session()) return;
  if (!d.channel_id) {
    // Disconnected by a moderator, or lost the right to connect.
    leaveVoiceLocally();
    return;
  }
  applyMute();
  unanswered = Math.max(0, unanswered - 1);
  // The server turned our camera off (refused: no STREAM, or the room's video is full; or STREAM was lost).
  if (c.camera && !d.self_video && view?.selfVideo && unanswered === 0) {
    stopCamera(c);
    setView({
      selfVideo: false,
      error: 'Your camera was turned off: video is not allowed or the channel is full.',
    });
  }
  if (
    c.screen &&
    !d.self_stream &&
    view?.selfStream &&
    view.status === 'connected' &&
    d.channel_id === c.channelId
  )
    streamEndedByServer(c);
  if (d.channel_id !== c.channelId) {
    // Moved by a moderator: the SFU closed the old room's connection; connect in the new one. The move ended our
    // stream (the server cleared self_stream).
    stopScreen(c, false);
    c.channelId = d.channel_id;
    setView({ channelId: d.channel_id, status: 'connecting' });
    if (c.grant && Date.now() - c.grant.at < GRANT_REUSE_MS) negotiate(c, c.grant);
    else joinVoice(c.guildId, d.channel_id);
  }
}

/** Our stream was on and the server says it is not: it ended it (Go Live's answer comes first when it refused). */
function streamEndedByServer(c: Connection): void {
  // An op 18 in flight: the server has not answered it yet, so a state without the stream says nothing.
  if (streamPending) return;
  stopScreen(c, false);
}

/** Between op 18 and the VOICE_STATE_UPDATE with our stream on (or STREAM_DELETE refusing it). */
let streamPending = false;

function streamRefusal(reason: string): string {
  if (reason === 'stream_full') return 'This channel already carries as many videos as it may.';
  if (reason === 'unauthorized') return 'You may not share your screen in this channel.';
  return 'Your screen share ended.';
}

function closeMedia(c: Connection): void {
  c.pc?.close();
  c.pc = null;
  c.senders = null;
  c.videos = [];
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
  // The camera's and the screen's m-lines, in this order (the SFU tells them apart by it), with their tracks if on.
  const camera = pc.addTransceiver(c.camera?.getVideoTracks()[0] ?? 'video', { direction: 'sendonly' });
  const screen = pc.addTransceiver(c.screen?.getVideoTracks()[0] ?? 'video', { direction: 'sendonly' });
  c.senders = { camera: camera.sender, screen: screen.sender };
  for (let i = 0; i < RECEIVE_SLOTS; i++) pc.addTransceiver('audio', { direction: 'recvonly' });
  for (let i = 0; i < VIDEO_SLOTS; i++) pc.addTransceiver('video', { direction: 'recvonly' });
  pc.ontrack = (e) => {
    if (c.pc !== pc) return;
    if (e.track.kind === 'video') {
      c.videos.push({ receiver: e.receiver, stream: new MediaStream([e.track]) });
      return;
    }
    const stream = new MediaStream([e.track]);
    // Chrome only runs a remote track through WebAudio while a media element plays it.
    const audio = new Audio();
    audio.srcObject = stream;
    audio.autoplay = true;
    toOutput(audio);
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
      {
        guild_id: wireGuild(c),
        ...(c.call ? { channel_id: c.channelId } : {}),
        session_id: session,
        token: grant.token,
        sdp,
      },
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

/** An analyser on a stream's sound (for levels). */
export function meter(context: AudioContext, stream: MediaStream): AnalyserNode {
  const analyser = context.createAnalyser();
  analyser.fftSize = 512;
  context.createMediaStreamSource(stream).connect(analyser);
  return analyser;
}

const samples = new Float32Array(512);

/** The RMS level (0–1) of what an analyser hears now. */
export function level(analyser: AnalyserNode): number {
  analyser.getFloatTimeDomainData(samples);
  let sum = 0;
  for (const x of samples) sum += x * x;
  return Math.sqrt(sum / samples.length);
}

/**
 * The grid's videos: our camera and screen, then each video slot that carries someone now (its latest CSRC names whose
 * camera or screen, among the people in the channel whose voice state says it is on). Emits only on a change.
 */
function refreshTiles(): void {
  const c = conn;
  const me = getState().me?.id;
  if (!c || !me) return;
  const next: VideoTile[] = [];
  if (c.camera)
    next.push({ key: `${me}:camera`, userId: me, source: 'camera', stream: c.camera, self: true });
  if (c.screen)
    next.push({ key: `${me}:screen`, userId: me, source: 'screen', stream: c.screen, self: true });
  const bySource = new Map<number, { userId: string; source: VideoSource }>();
  for (const v of Object.values(getState().voiceStates[c.guildId] ?? {})) {
    if (v.channel_id !== c.channelId || v.user_id === me) continue;
    if (v.self_video) bySource.set(videoCsrc(v.user_id, 'camera'), { userId: v.user_id, source: 'camera' });
    if (v.self_stream) bySource.set(videoCsrc(v.user_id, 'screen'), { userId: v.user_id, source: 'screen' });
  }
  const others: VideoTile[] = [];
  for (const slot of c.videos) {
    const [latest] = [...slot.receiver.getContributingSources()].sort((a, b) => b.timestamp - a.timestamp);
    const who = latest && bySource.get(latest.source);
    if (!who) continue;
    const key = `${who.userId}:${who.source}`;
    if (!others.some((t) => t.key === key)) others.push({ key, ...who, stream: slot.stream, self: false });
  }
  others.sort((a, b) => a.key.localeCompare(b.key));
  next.push(...others);
  const same =
    next.length === tiles.length &&
    next.every((t, i) => t.key === tiles[i].key && t.stream === tiles[i].stream);
  if (!same) {
    tiles = next;
    emit();
  }
}

/** Every 100 ms: whose level is above the threshold, by the microphone and each slot's current speaker. */
function measure(): void {
  refreshTiles();
  const c = conn;
  const me = getState().me?.id;
  if (!c || !me) return;
  const now = Date.now();
  const inRoom = Object.values(getState().voiceStates[c.guildId] ?? {}).filter(
    (v) => v.channel_id === c.channelId,
  );
  const byCsrc = new Map(inRoom.map((v) => [voiceCsrc(v.user_id), v.user_id]));
  for (const m of c.meters) {
    if (level(m.analyser) < SPEAKING_LEVEL) continue;
    if (!m.receiver) {
      if (!view?.selfMute && (!pushToTalk().on || talking)) heardAt.set(me, now);
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
