// Which of a server's channels the signed-in user sees, and which are unread.
import { channelPermissions, has, Permission } from '../../permissions';
import type { State } from '../../store';
import { type Channel, compareIds, type Guild } from '../../types';

export function isUnread(s: State, c: Channel): boolean {
  const read = s.readStates[c.id]?.last_message_id;
  return !!c.last_message_id && (!read || compareIds(c.last_message_id, read) > 0);
}

/** The guild's channels the signed-in user can see, in sidebar order: loose channels, then categories. */
export function visibleChannels(s: State, guild: Guild): Channel[] {
  const me = s.me?.id ?? '';
  const member = s.members[guild.id]?.[me];
  return Object.values(s.channels)
    .filter((c) => c.guild_id === guild.id)
    .filter((c) => has(channelPermissions(guild, c, me, member), Permission.VIEW_CHANNEL))
    .sort((a, b) => (a.position ?? 0) - (b.position ?? 0) || compareIds(a.id, b.id));
}
