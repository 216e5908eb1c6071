// Alone in its module so the web app can import it without the schemas (no TypeBox in its bundle).

/**
 * The CSRC the SFU puts on every RTP packet it forwards (ADR 0034): a 32-bit FNV-1a hash of the speaker's user id, so
 * a receiver can tell whose audio a receive slot carries at each moment (RTCRtpReceiver.getContributingSources) and
 * show who is speaking.
 */
export function voiceCsrc(userId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) {
    h ^= userId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** What a participant sends besides their microphone: the camera (`self_video`) and the screen (Go Live, `self_stream`). */
export type VideoSource = 'camera' | 'screen';

/** The CSRC on a forwarded video packet: the same hash over `<user id>:<source>`, so a tile is put on its person. */
export function videoCsrc(userId: string, source: VideoSource): number {
  return voiceCsrc(`${userId}:${source}`);
}

/** Receive m-lines for others' audio in a voice offer (the SFU fills at most this many). */
export const VOICE_AUDIO_SLOTS = 16;
/**
 * Receive m-lines for others' video in a voice offer: the ceiling of VOICE_MAX_VIDEO, the video streams (cameras and
 * screens) a room carries at once.
 */
export const VOICE_VIDEO_SLOTS = 8;
