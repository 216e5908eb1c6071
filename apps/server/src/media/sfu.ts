import {
  type VideoSource,
  VOICE_AUDIO_SLOTS,
  VOICE_VIDEO_SLOTS,
  videoCsrc,
  voiceCsrc,
} from '@hearth/protocol';
import type {
  MediaStreamTrack,
  RTCPeerConnection,
  RTCRtpReceiver,
  RTCRtpTransceiver,
  RtpPacket,
} from 'werift';

/**
 * Receive slots one participant may offer: the others' audio is forwarded into them, first come first served, so a
 * room is heard by at most this many others at once (a bound, and no renegotiation when people come and go).
 */
const SFU_MAX_SLOTS = VOICE_AUDIO_SLOTS;
/** Video receive slots one participant may offer (the others' cameras and screens; VOICE_MAX_VIDEO is at most this). */
const SFU_MAX_VIDEO_SLOTS = VOICE_VIDEO_SLOTS;
/** A keyframe is asked of a video source at most this often (new viewers and their losses ask together). */
const KEYFRAME_EVERY_MS = 500;
/** Participants in one room (a voice channel's `user_limit` is at most 99). */
const SFU_MAX_PEERS = 99;
/** How long ICE candidate gathering may take before an answer is sent with what was found. */
const GATHER_MS = 5000;

/**
 * The Opus payload size from which a packet counts as speech for the AFK rule: a muted browser microphone still sends
 * a packet every 20 ms, of a few bytes (encoded silence); speech takes tens of bytes per frame. (No RTP header
 * extension is negotiated, so the audio level RFC 6464 would give is not there to read.)
 */
const SPEECH_BYTES = 32;

type Werift = typeof import('werift');
let werift: Werift | null = null;
let weriftLoading: Promise<Werift> | null = null;

/**
 * werift (WebRTC in TypeScript, ~9 MB of heap and ~35 MB resident) is loaded by the first voice join: a server whose
 * voice channels are never joined never holds it (docs/performance.md, idle RSS).
 */
function loadWerift(): Promise<Werift> {
  weriftLoading ??= import('werift').then(
    (m) => {
      werift = m;
      return m;
    },
    (err) => {
      weriftLoading = null;
      throw err;
    },
  );
  return weriftLoading;
}

/** werift once a join has loaded it (a receive slot exists only after one). */
function loadedWerift(): Werift {
  if (!werift) throw new Error('werift is not loaded');
  return werift;
}

/** Why a join was refused (the caller turns it into its own error). */
export class SfuError extends Error {}

interface Peer {
  id: string;
  /** Put on what it sends, so receivers can tell who speaks in a slot (voiceCsrc). */
  csrc: number;
  pc: RTCPeerConnection;
  /** Whether it may speak in the room (SPEAK there; kept current by VoiceService after permission changes). */
  permitted: boolean;
  /** Server-muted or suppressed: nothing it sends is forwarded meanwhile. */
  muted: boolean;
  /** Server-deafened: nothing is forwarded to it meanwhile. */
  deafened: boolean;
  /** Self-muted: what it sends is not speech (the AFK rule). */
  selfMuted: boolean;
  /** Whether its camera (`self_video`) and its screen (`self_stream`) are on: nothing else is forwarded of them. */
  video: boolean;
  stream: boolean;
  /** Whether it may send video here (STREAM, and not the AFK channel; kept current like `permitted`). */
  mayVideo: boolean;
  /** The tracks that feed this participant's receive slots, by whose audio they carry. */
  slots: Map<string, MediaStreamTrack>;
  /** Free receive slots. */
  free: RTCRtpTransceiver[];
  /** The tracks that feed its video receive slots, by `<user id>:<source>`; a slot is taken while that source sends. */
  videoSlots: Map<string, MediaStreamTrack>;
  /** Free video receive slots. */
  videoFree: RTCRtpTransceiver[];
  /** Where its camera and screen arrive, to ask them for keyframes (RTCP PLI). */
  sources: Map<VideoSource, { receiver: RTCRtpReceiver; ssrc: number; askedAt: number }>;
  /** When it last sent speech (or joined): idle longer than the guild's afk_timeout, it is moved to AFK. */
  activeAt: number;
}

/**
 * A selective forwarding unit on werift (ADR 0034): one room per voice channel, one RTCPeerConnection per
 * participant. A participant's offer carries send m-lines (its microphone, Opus; its camera and screen, VP8, silent
 * until used) and receive m-lines (up to SFU_MAX_SLOTS audio, SFU_MAX_VIDEO_SLOTS video); each RTP packet of a
 * participant who may speak is written, unchanged but for SSRC and sequence (the sender rewrites them), to a slot of
 * every other participant, and each video packet of a camera or screen that is on to a video slot of every other.
 * ICE uses no STUN or TURN server unless given.
 */
interface Room {
  guildId: string;
  peers: Map<string, Peer>;
}

export class Sfu {
  private readonly rooms = new Map<string, Room>();

  constructor(private readonly opts: { iceServers?: Array<{ urls: string }> } = {}) {}

  /** Answers a participant's offer, replacing a connection it had in the room. */
  async join(
    room: { id: string; guildId: string },
    peerId: string,
    offer: string,
    opts: Pick<Peer, 'permitted' | 'muted' | 'deafened' | 'selfMuted' | 'video' | 'stream' | 'mayVideo'>,
  ): Promise<string> {
    const { RTCPeerConnection, useOPUS, useVP8 } = await loadWerift();
    const roomId = room.id;
    this.leave(roomId, peerId);
    const held = this.rooms.get(roomId) ?? { guildId: room.guildId, peers: new Map<string, Peer>() };
    if (held.peers.size >= SFU_MAX_PEERS) throw new SfuError('The room is full');
    this.rooms.set(roomId, held);
    const peers = held.peers;
    const pc = new RTCPeerConnection({
      codecs: { audio: [useOPUS()], video: [useVP8()] },
      iceServers: this.opts.iceServers ?? [],
      bundlePolicy: 'max-bundle',
    });
    const peer: Peer = {
      id: peerId,
      csrc: voiceCsrc(peerId),
      pc,
      ...opts,
      slots: new Map(),
      free: [],
      videoSlots: new Map(),
      videoFree: [],
      sources: new Map(),
      activeAt: Date.now(),
    };
    // Tracks arrive while the offer is applied; only the send m-lines carry the participant's media to us. Which one a
    // track came on (microphone, camera, screen) follows from the m-lines' order (roleOf).
    pc.onTrack.subscribe((track) => {
      let role: Role | null | undefined;
      track.onReceiveRtp.subscribe((rtp) => {
        if (role === undefined) {
          const t = pc.getTransceivers().find((x) => x.receiver.tracks.includes(track));
          role = t ? roleOf(pc, t) : null;
          if (t && (role === 'camera' || role === 'screen'))
            peer.sources.set(role, { receiver: t.receiver, ssrc: rtp.header.ssrc, askedAt: 0 });
        }
        if (role === 'mic') {
          if (!peer.selfMuted && rtp.payload.length >= SPEECH_BYTES) peer.activeAt = Date.now();
          this.forward(peers, peer, rtp);
        } else if (role === 'camera' || role === 'screen') this.forwardVideo(peers, peer, role, rtp);
      });
    });
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp: offer });
      const transceivers = pc.getTransceivers();
      const audio = transceivers.filter((t) => t.kind === 'audio');
      const video = transceivers.filter((t) => t.kind === 'video');
      const [mic, ...receivers] = audio;
      if (!mic) throw new SfuError('The offer has no audio');
      mic.setDirection('recvonly');
      for (const t of receivers.slice(0, SFU_MAX_SLOTS)) {
        t.setDirection('sendonly');
        peer.free.push(t);
      }
      for (const t of receivers.slice(SFU_MAX_SLOTS)) t.setDirection('inactive');
      // Camera and screen in, then the video slots out; a viewer's lost picture asks the source for a keyframe.
      for (const t of video.slice(0, 2)) t.setDirection('recvonly');
      for (const t of video.slice(2, 2 + SFU_MAX_VIDEO_SLOTS)) {
        t.setDirection('sendonly');
        peer.videoFree.push(t);
        t.sender.onPictureLossIndication.subscribe(() => {
          const key = sourceOfSlot.get(t);
          if (key) this.askKeyframe(peers, key);
        });
      }
      for (const t of video.slice(2 + SFU_MAX_VIDEO_SLOTS)) t.setDirection('inactive');
      await pc.setLocalDescription(await pc.createAnswer());
      await gathered(pc);
    } catch (err) {
      await pc.close().catch(() => {});
      if (!peers.size) this.rooms.delete(roomId);
      throw err instanceof SfuError ? err : new SfuError('The offer could not be answered');
    }
    peers.set(peerId, peer);
    // Everyone already here gets a slot in the newcomer's connection, and the newcomer one in theirs.
    for (const other of peers.values())
      if (other !== peer) {
        await assign(peer, other.id);
        await assign(other, peer.id);
      }
    pc.connectionStateChange.subscribe((state) => {
      if ((state === 'failed' || state === 'closed') && peers.get(peerId) === peer)
        this.leave(roomId, peerId);
    });
    return pc.localDescription?.sdp ?? '';
  }

  /**
   * A participant's voice state in a guild changed: its connections to the guild's other rooms end (it left or moved),
   * and in `roomId` what it sends is forwarded unless `muted`, and it is sent nothing while `deafened`.
   */
  follow(
    guildId: string,
    peerId: string,
    roomId: string | null,
    state: { muted: boolean; deafened: boolean; selfMuted: boolean; video: boolean; stream: boolean },
  ): void {
    for (const [id, room] of [...this.rooms]) {
      if (room.guildId !== guildId) continue;
      const peer = room.peers.get(peerId);
      if (!peer) continue;
      if (id === roomId) {
        peer.muted = state.muted;
        peer.deafened = state.deafened;
        peer.selfMuted = state.selfMuted;
        peer.video = state.video;
        peer.stream = state.stream;
        this.dropVideo(room.peers, peer);
      } else this.leave(id, peerId);
    }
  }

  /** The participants of a guild's rooms on this process, as [room, participant] pairs. */
  participants(guildId: string): Array<[roomId: string, peerId: string]> {
    const out: Array<[string, string]> = [];
    for (const [id, room] of this.rooms)
      if (room.guildId === guildId) for (const peerId of room.peers.keys()) out.push([id, peerId]);
    return out;
  }

  /** The participants of a guild's rooms here who sent no speech for at least `idleMs`, as [room, participant]. */
  idle(guildId: string, idleMs: number): Array<[roomId: string, peerId: string]> {
    const since = Date.now() - idleMs;
    const out: Array<[string, string]> = [];
    for (const [id, room] of this.rooms)
      if (room.guildId === guildId)
        for (const peer of room.peers.values()) if (peer.activeAt <= since) out.push([id, peer.id]);
    return out;
  }

  /** The guilds with rooms on this process. */
  guildIds(): string[] {
    return [...new Set([...this.rooms.values()].map((r) => r.guildId))];
  }

  /**
   * Whether a participant may speak now (SPEAK where they are) and send video (STREAM): nothing they send is
   * forwarded while not.
   */
  permit(roomId: string, peerId: string, may: { speak: boolean; video: boolean }): void {
    const room = this.rooms.get(roomId);
    const peer = room?.peers.get(peerId);
    if (!room || !peer) return;
    peer.permitted = may.speak;
    peer.mayVideo = may.video;
    this.dropVideo(room.peers, peer);
  }

  /** The video streams forwarded in a room now, as `<user id>:<source>` (tests and metrics). */
  videoSources(roomId: string): string[] {
    const out = new Set<string>();
    for (const peer of this.rooms.get(roomId)?.peers.values() ?? [])
      for (const k of peer.videoSlots.keys()) out.add(k);
    return [...out].sort();
  }

  /** Ends a participant's connection; the slots it fed in the others' connections go free. */
  leave(roomId: string, peerId: string): void {
    const peers = this.rooms.get(roomId)?.peers;
    const peer = peers?.get(peerId);
    if (!peers || !peer) return;
    peers.delete(peerId);
    peer.pc.close().catch(() => {});
    for (const other of peers.values()) {
      release(other, peerId);
      releaseVideo(other, `${peerId}:camera`);
      releaseVideo(other, `${peerId}:screen`);
    }
    if (!peers.size) this.rooms.delete(roomId);
  }

  /** The rooms held on this process (their placement claims are renewed while they are, ADR 0034). */
  roomIds(): string[] {
    return [...this.rooms.keys()];
  }

  /** Rooms and participants on this process (for tests and metrics). */
  get size(): { rooms: number; peers: number } {
    let peers = 0;
    for (const room of this.rooms.values()) peers += room.peers.size;
    return { rooms: this.rooms.size, peers };
  }

  async close(): Promise<void> {
    for (const [roomId, room] of [...this.rooms])
      for (const id of [...room.peers.keys()]) this.leave(roomId, id);
  }

  private forward(peers: Map<string, Peer>, from: Peer, rtp: RtpPacket): void {
    if (!from.permitted || from.muted || peers.get(from.id) !== from) return;
    // Each slot's sender copies the packet before rewriting SSRC and sequence; the speaker's CSRC goes with it.
    rtp.header.csrc = [from.csrc];
    for (const to of peers.values()) if (to !== from && !to.deafened) to.slots.get(from.id)?.writeRtp(rtp);
  }

  /**
   * A camera or screen packet: forwarded while that source is on and its sender may send video, into a video slot of
   * every other participant, taken when the source starts (a new viewer asks the source for a keyframe).
   */
  private forwardVideo(peers: Map<string, Peer>, from: Peer, source: VideoSource, rtp: RtpPacket): void {
    if (!from.mayVideo || !(source === 'camera' ? from.video : from.stream) || peers.get(from.id) !== from)
      return;
    const key = `${from.id}:${source}`;
    rtp.header.csrc = [videoCsrc(from.id, source)];
    let fresh = false;
    for (const to of peers.values()) {
      if (to === from) continue;
      let track = to.videoSlots.get(key);
      if (!track) {
        track = assignVideo(to, key) ?? undefined;
        fresh ||= !!track;
      }
      track?.writeRtp(rtp);
    }
    if (fresh) this.askKeyframe(peers, key);
  }

  /** Frees the video slots a participant's camera or screen held in the others' connections once it is off. */
  private dropVideo(peers: Map<string, Peer>, peer: Peer): void {
    for (const source of ['camera', 'screen'] as const) {
      const on = peer.mayVideo && (source === 'camera' ? peer.video : peer.stream);
      if (!on) for (const other of peers.values()) releaseVideo(other, `${peer.id}:${source}`);
    }
  }

  /** Asks a camera or screen for a keyframe (RTCP PLI), at most every KEYFRAME_EVERY_MS. */
  private askKeyframe(peers: Map<string, Peer>, key: string): void {
    const [peerId, source] = key.split(':') as [string, VideoSource];
    const src = peers.get(peerId)?.sources.get(source);
    const now = Date.now();
    if (!src || now - src.askedAt < KEYFRAME_EVERY_MS) return;
    src.askedAt = now;
    src.receiver.sendRtcpPLI(src.ssrc).catch(() => {});
  }
}

type Role = 'mic' | 'camera' | 'screen';

/** What a transceiver of a participant's offer carries in: the first audio m-line, the first and second video ones. */
function roleOf(pc: RTCPeerConnection, t: RTCRtpTransceiver): Role | null {
  const same = pc.getTransceivers().filter((x) => x.kind === t.kind);
  const i = same.indexOf(t);
  if (t.kind === 'audio') return i === 0 ? 'mic' : null;
  return i === 0 ? 'camera' : i === 1 ? 'screen' : null;
}

/** Gives `peer` a video slot carrying `key` (`<user id>:<source>`), when one is free; the track, or null. */
function assignVideo(peer: Peer, key: string): MediaStreamTrack | null {
  const slot = peer.videoFree.shift();
  if (!slot) return null;
  const track = new (loadedWerift().MediaStreamTrack)({ kind: 'video' });
  peer.videoSlots.set(key, track);
  slotOf.set(track, slot);
  sourceOfSlot.set(slot, key);
  slot.sender.replaceTrack(track).catch(() => {});
  return track;
}

function releaseVideo(peer: Peer, key: string): void {
  const track = peer.videoSlots.get(key);
  if (!track) return;
  peer.videoSlots.delete(key);
  const slot = slotOf.get(track);
  if (!slot) return;
  sourceOfSlot.delete(slot);
  peer.videoFree.push(slot);
}

/** The source whose video a slot carries now (its viewer's PLI goes there). */
const sourceOfSlot = new WeakMap<RTCRtpTransceiver, string>();

/** Gives `peer` a receive slot carrying `sourceId`'s audio, while it has one free. */
async function assign(peer: Peer, sourceId: string): Promise<void> {
  if (peer.slots.has(sourceId)) return;
  const slot = peer.free.shift();
  if (!slot) return;
  const track = new (loadedWerift().MediaStreamTrack)({ kind: 'audio' });
  peer.slots.set(sourceId, track);
  slotOf.set(track, slot);
  await slot.sender.replaceTrack(track);
}

function release(peer: Peer, sourceId: string): void {
  const track = peer.slots.get(sourceId);
  if (!track) return;
  peer.slots.delete(sourceId);
  const slot = slotOf.get(track);
  if (slot) peer.free.push(slot);
}

const slotOf = new WeakMap<MediaStreamTrack, RTCRtpTransceiver>();

function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, GATHER_MS);
    pc.iceGatheringStateChange.subscribe((state) => {
      if (state === 'complete') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}
