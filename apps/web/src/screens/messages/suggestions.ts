// Composer autocomplete: members, roles or channels matching the word typed after @ or #.
import { getState } from '../../store';
import { type Channel, ChannelType, displayName, type Guild } from '../../types';

export interface Suggestion {
  label: string;
  detail: string;
  insert: string;
}

/** Members, roles or channels matching the word being typed after @ or #. */
export function suggestions(
  guild: Guild | null,
  channel: Channel,
  trigger: string,
  query: string,
): Suggestion[] {
  const s = getState();
  const q = query.toLowerCase();
  if (trigger === '#') {
    if (!guild) return [];
    return Object.values(s.channels)
      .filter(
        (c) =>
          c.guild_id === guild.id && c.type === ChannelType.GuildText && c.name?.toLowerCase().startsWith(q),
      )
      .slice(0, 8)
      .map((c) => ({ label: `#${c.name}`, detail: 'channel', insert: `<#${c.id}> ` }));
  }
  const people = guild
    ? Object.values(s.members[guild.id] ?? {}).map((m) => ({ user: m.user!, name: displayName(m.user, m) }))
    : (channel.recipients ?? []).map((u) => ({ user: u, name: displayName(u) }));
  const users = people
    .filter(
      (p) => p.user && (p.name.toLowerCase().startsWith(q) || p.user.username.toLowerCase().startsWith(q)),
    )
    .slice(0, 8)
    .map((p) => ({ label: p.name, detail: p.user.username, insert: `<@${p.user.id}> ` }));
  const roles = (guild?.roles ?? [])
    .filter((r) => r.id !== guild?.id && r.mentionable && r.name.toLowerCase().startsWith(q))
    .slice(0, 4)
    .map((r) => ({ label: `@${r.name}`, detail: 'role', insert: `<@&${r.id}> ` }));
  return [...users, ...roles];
}
