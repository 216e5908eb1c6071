// The search box's text as Discord's filters: `from:` and `mentions:` a member, `in:` a channel, `has:` a kind
// of content; the words left are the full-text part. Names are matched against what the client holds.
import type { SearchQuery } from '../../endpoints';

/** What `has:` accepts, as the server names it. */
const hasKinds = ['link', 'embed', 'file', 'image', 'video', 'sound', 'sticker'] as const;

export interface SearchNames {
  /** A member's id by username or display name (case-insensitive), or null. */
  user(name: string): string | null;
  /** A channel's id by name (a leading # allowed), or null. */
  channel(name: string): string | null;
}

export type ParsedSearch = { query: SearchQuery; error: null } | { query: null; error: string };

const filter = /^(from|mentions|in|has):(.*)$/i;

/** Parses the box's text; an unknown member, channel or kind is an error naming it, as nothing would match. */
export function parseSearch(text: string, names: SearchNames): ParsedSearch {
  const q: Required<Pick<SearchQuery, 'author_id' | 'channel_id' | 'mentions' | 'has'>> = {
    author_id: [],
    channel_id: [],
    mentions: [],
    has: [],
  };
  const words: string[] = [];
  for (const token of text.trim().split(/\s+/).filter(Boolean)) {
    const m = filter.exec(token);
    if (!m?.[2]) {
      words.push(token);
      continue;
    }
    const [, key, raw] = m;
    const value = raw.replace(/^@/, '');
    switch (key.toLowerCase()) {
      case 'from':
      case 'mentions': {
        const id = names.user(value);
        if (!id) return { query: null, error: `No member named “${value}”.` };
        (key.toLowerCase() === 'from' ? q.author_id : q.mentions).push(id);
        break;
      }
      case 'in': {
        const id = names.channel(value.replace(/^#/, ''));
        if (!id) return { query: null, error: `No channel named “${value}”.` };
        q.channel_id.push(id);
        break;
      }
      default: {
        const kind = value.toLowerCase();
        if (!(hasKinds as readonly string[]).includes(kind))
          return { query: null, error: `has: takes ${hasKinds.join(', ')}.` };
        q.has.push(kind);
      }
    }
  }
  const content = words.join(' ');
  const query: SearchQuery = {
    ...(content ? { content } : {}),
    ...Object.fromEntries(Object.entries(q).filter(([, v]) => v.length)),
  };
  if (!Object.keys(query).length)
    return { query: null, error: 'Type words to find, or a filter such as from:name.' };
  return { query, error: null };
}
