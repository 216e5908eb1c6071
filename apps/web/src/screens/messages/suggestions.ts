// Composer autocomplete: members, roles or channels after @ or #, emoji after :.
import { getState } from '../../store';
import { type Channel, ChannelType, displayName, type Guild } from '../../types';
import { type EmojiSet, searchEmoji } from '../emoji/data';

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

/** The server's custom emoji and Unicode emoji whose shortcode starts with (or contains) what follows a `:`. */
export function emojiSuggestions(guild: Guild | null, set: EmojiSet | null, query: string): Suggestion[] {
  const q = query.toLowerCase();
  const custom = (guild?.emojis ?? [])
    .filter((e) => e.name.toLowerCase().startsWith(q))
    .slice(0, 4)
    .map((e) => ({
      label: `:${e.name}:`,
      detail: 'this server',
      insert: `<${e.animated ? 'a' : ''}:${e.name}:${e.id}> `,
    }));
  const unicode = set
    ? searchEmoji(set, q, 8 - custom.length).map((e) => ({
        label: `${e.char} :${e.shortcodes[0] ?? e.label}:`,
        detail: e.label,
        insert: e.char,
      }))
    : [];
  return [...custom, ...unicode];
}
