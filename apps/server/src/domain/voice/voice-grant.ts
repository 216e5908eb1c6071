import { createHmac, timingSafeEqual } from 'node:crypto';

/** How long VOICE_SERVER_UPDATE's token may be used to connect (the connection then lasts as the voice state). */
const VOICE_GRANT_MS = 5 * 60_000;

function sign(secret: string, what: string): string {
  return createHmac('sha256', secret).update(`voice:${what}`).digest('base64url');
}

/** VOICE_SERVER_UPDATE's token: the expiry and a MAC over (guild, user, gateway session, expiry). */
export function voiceGrant(
  secret: string,
  who: { guildId: string; userId: string; sessionId: string },
): string {
  const expires = Date.now() + VOICE_GRANT_MS;
  return `${expires}.${sign(secret, `${who.guildId}:${who.userId}:${who.sessionId}:${expires}`)}`;
}

/** Whether `token` is an unexpired grant for exactly this guild, user and session. */
export function checkVoiceGrant(
  secret: string,
  token: string,
  who: { guildId: string; userId: string; sessionId: string },
): boolean {
  const [expires, mac] = token.split('.');
  if (!expires || !mac || !/^\d{1,15}$/.test(expires) || Number(expires) < Date.now()) return false;
  const expected = Buffer.from(sign(secret, `${who.guildId}:${who.userId}:${who.sessionId}:${expires}`));
  const given = Buffer.from(mac);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
