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
