// Names for the mentions in a message's markdown, from the client's state; links into this Hearth as chips.
import { createElement, useMemo } from 'react';
import type { MentionResolver } from '../../markdown';
import { useStore } from '../../store';
import { displayName, type Guild } from '../../types';
import { MessageTextLink } from './message-links';

export function useMentionResolver(guild: Guild | null): MentionResolver {
  const users = useStore((s) => s.users);
  const members = useStore((s) => (guild ? s.members[guild.id] : undefined));
  const channels = useStore((s) => s.channels);
  return useMemo(
    () => ({
      user: (id) => (users[id] ? displayName(users[id], members?.[id]) : null),
      role: (id) => guild?.roles.find((r) => r.id === id) ?? null,
      channel: (id) => channels[id]?.name ?? null,
      // Links into this Hearth are chips; others stay plain links.
      link: (url, text) => createElement(MessageTextLink, { url, text }),
    }),
    [users, members, channels, guild],
  );
}
