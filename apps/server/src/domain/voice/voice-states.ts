import type { VoiceState } from '@hearth/protocol';
import { and, eq, type SQL } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import type { DbOrTx } from '../../store/db';
import { members, users, voiceStates } from '../../store/schema';
import { memberRoleIds } from '../guilds/guild-access';
import type { PendingEvents } from '../pending-events';
import { toVoiceStateWire } from './voice.wire';

/** Voice states a guild may hold at once (the snapshot and a recheck read them all): bounded like everything. */
const MAX_GUILD_VOICE_STATES = 5000;

/** The voice states `where` selects, with their members, as VOICE_STATE_UPDATE carries them. */
export async function readVoiceStates(
  db: DbOrTx,
  where: SQL | undefined,
): Promise<Array<VoiceState & { guild_id: string }>> {
  const rows = await db
    .select({ state: voiceStates, member: members, user: users, roleIds: memberRoleIds })
    .from(voiceStates)
    .innerJoin(members, and(eq(members.guildId, voiceStates.guildId), eq(members.userId, voiceStates.userId)))
    .innerJoin(users, eq(users.id, voiceStates.userId))
    .where(where)
    .limit(MAX_GUILD_VOICE_STATES);
  return rows.map((r) => toVoiceStateWire(r.state, r));
}

/**
 * Ends the voice states `where` selects and queues a VOICE_STATE_UPDATE with `channel_id: null` for each that this
 * call removed (a DELETE … RETURNING: two callers never both announce one leave). Runs before the member is removed
 * when both go, so the event still carries the member. Resolves to how many ended.
 */
export async function endVoiceStates(
  tx: DbOrTx,
  pending: PendingEvents,
  where: SQL | undefined,
): Promise<number> {
  const before = await readVoiceStates(tx, where);
  const removed = await tx.delete(voiceStates).where(where).returning();
  for (const row of removed) {
    const known = before.find((s) => s.user_id === row.userId && s.guild_id === row.guildId);
    const left = known
      ? { ...known, channel_id: null, session_id: row.sessionId }
      : toVoiceStateWire(row, null, { left: true });
    pending.add('VOICE_STATE_UPDATE', Topic.guild(row.guildId), left);
  }
  return removed.length;
}

/** Queues the current voice state of a member, if they are in voice (after a change to it or to their mute). */
export async function announceVoiceState(
  db: DbOrTx,
  pending: PendingEvents,
  guildId: string,
  userId: string,
): Promise<void> {
  const [state] = await readVoiceStates(
    db,
    and(eq(voiceStates.guildId, guildId), eq(voiceStates.userId, userId)),
  );
  if (state) pending.add('VOICE_STATE_UPDATE', Topic.guild(guildId), state);
}
