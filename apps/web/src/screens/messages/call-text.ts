// What a DM call's system message (type 3) says, to whom.
import type { Message } from '../../types';

/** Discord's CALL message type. */
export const CALL = 3;

/** How long a call lasted, as Discord words it. */
export function callLength(startedAt: string, endedAt: string): string {
  const minutes = Math.round((Date.parse(endedAt) - Date.parse(startedAt)) / 60_000);
  if (minutes < 1) return 'a few seconds';
  if (minutes < 60) return minutes === 1 ? 'a minute' : `${minutes} minutes`;
  const hours = Math.round(minutes / 60);
  return hours === 1 ? 'an hour' : `${hours} hours`;
}

/**
 * A call's system message as the viewer `meId` reads it: "X started a call (that lasted N minutes)", or, for someone
 * who never joined it, "You missed a call from X (that lasted N minutes)". `lasted` is null while the call goes on.
 * Null: not a call message.
 */
export function callText(
  m: Message,
  meId: string | undefined,
): { missed: boolean; lasted: string | null } | null {
  if (m.type !== CALL || !m.call) return null;
  const ended = m.call.ended_timestamp;
  const missed = !!ended && !!meId && meId !== m.author.id && !m.call.participants.includes(meId);
  return { missed, lasted: ended ? callLength(m.timestamp, ended) : null };
}
