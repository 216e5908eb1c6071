import { voiceCsrc } from '@hearth/protocol';
import type { MediaStreamTrack, RTCPeerConnection, RTCRtpTransceiver, RtpPacket } from 'werift';

/**
 * Receive slots one participant may offer: the others' audio is forwarded into them, first come first served, so a
 * room is heard by at most this many others at once (a bound, and no renegotiation when people come and go).
 */
const SFU_MAX_SLOTS = 16;
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
  /** The tracks that feed this participant's receive slots, by whose audio they carry. */
  slots: Map<string, MediaStreamTrack>;
  /** Free receive slots. */
  free: RTCRtpTransceiver[];
  /** When it last sent speech (or joined): idle longer than the guild's afk_timeout, it is moved to AFK. */
  activeAt: number;
}

/**
 * A selective forwarding unit on werift (ADR 0034): one room per voice channel, one RTCPeerConnection per
 * participant. A participant's offer carries one send m-line (its microphone, Opus) and up to SFU_MAX_SLOTS receive
 * m-lines; each RTP packet of a participant who may speak is written, unchanged but for SSRC and sequence (the sender
 * rewrites them), to a slot of every other participant. ICE uses no STUN or TURN server unless given.
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
    opts: { permitted: boolean; muted: boolean; deafened: boolean; selfMuted: boolean },
  ): Promise<string> {
    const { RTCPeerConnection, useOPUS } = await loadWerift();
    const roomId = room.id;
    this.leave(roomId, peerId);
    const held = this.rooms.get(roomId) ?? { guildId: room.guildId, peers: new Map<string, Peer>() };
    if (held.peers.size >= SFU_MAX_PEERS) throw new SfuError('The room is full');
    this.rooms.set(roomId, held);
    const peers = held.peers;
    const pc = new RTCPeerConnection({
      codecs: { audio: [useOPUS()], video: [] },
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
      activeAt: Date.now(),
    };
    // Tracks arrive while the offer is applied; only the send m-line carries the participant's media to us.
    pc.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe((rtp) => {
        if (!peer.selfMuted && rtp.payload.length >= SPEECH_BYTES) peer.activeAt = Date.now();
        this.forward(peers, peer, rtp);
      });
    });
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp: offer });
      const transceivers = pc.getTransceivers();
      const [mic, ...receivers] = transceivers;
      if (!mic) throw new SfuError('The offer has no audio');
      mic.setDirection('recvonly');
      for (const t of receivers.slice(0, SFU_MAX_SLOTS)) {
        t.setDirection('sendonly');
        peer.free.push(t);
      }
      for (const t of receivers.slice(SFU_MAX_SLOTS)) t.setDirection('inactive');
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
    state: { muted: boolean; deafened: boolean; selfMuted: boolean },
  ): void {
    for (const [id, room] of [...this.rooms]) {
      if (room.guildId !== guildId) continue;
      const peer = room.peers.get(peerId);
      if (!peer) continue;
      if (id === roomId) {
        peer.muted = state.muted;
        peer.deafened = state.deafened;
        peer.selfMuted = state.selfMuted;
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

  /** Whether a participant may speak now (SPEAK where they are): nothing they send is forwarded while not. */
  permit(roomId: string, peerId: string, permitted: boolean): void {
    const peer = this.rooms.get(roomId)?.peers.get(peerId);
    if (peer) peer.permitted = permitted;
  }

  /** Ends a participant's connection; the slots it fed in the others' connections go free. */
  leave(roomId: string, peerId: string): void {
    const peers = this.rooms.get(roomId)?.peers;
    const peer = peers?.get(peerId);
    if (!peers || !peer) return;
    peers.delete(peerId);
    peer.pc.close().catch(() => {});
    for (const other of peers.values()) release(other, peerId);
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
}

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
