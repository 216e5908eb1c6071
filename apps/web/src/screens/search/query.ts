// The search box's text as Discord's filters: `from:` and `mentions:` a member, `in:` a channel, `has:` a kind
// of content, `before:`, `after:` and `during:` a day (YYYY-MM-DD, the reader's local day, sent as the snowflake ids
// min_id/max_id as Discord's client does); the words left are the full-text part. Names are matched against what the
// client holds.
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

const filter = /^(from|mentions|in|has|before|after|during):(.*)$/i;

/** Every filter the box knows, in the order its suggestions list them. */
export const searchFilters = ['from', 'mentions', 'in', 'has', 'before', 'after', 'during'] as const;
export const dateFilters = ['before', 'after', 'during'] as const;
export type DateFilter = (typeof dateFilters)[number];

const discordEpoch = 1420070400000n;
/** The smallest snowflake of a moment (ms since 1970): every id made at or after it is at least this. */
const snowflakeAt = (ms: number) => ((BigInt(Math.max(ms, 1420070400000)) - discordEpoch) << 22n).toString();

/** The start of local day `YYYY-MM-DD` and of the day after it (ms), or null when it is not a real date. */
function localDay(value: string): { start: number; end: number } | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
  const start = new Date(y, mo, d);
  if (start.getFullYear() !== y || start.getMonth() !== mo || start.getDate() !== d) return null;
  return { start: start.getTime(), end: new Date(y, mo, d + 1).getTime() };
}

/** The ids a date filter bounds the search by: before the day starts, after it ends, or within it. */
function dateBounds(
  kind: DateFilter,
  day: { start: number; end: number },
): { min_id?: string; max_id?: string } {
  const atStart = snowflakeAt(day.start);
  const atEnd = snowflakeAt(day.end);
  // min_id is exclusive: one less than the first id of the moment.
  const justBefore = (id: string) => (BigInt(id) - 1n).toString();
  if (kind === 'before') return { max_id: atStart };
  if (kind === 'after') return { min_id: justBefore(atEnd) };
  return { min_id: justBefore(atStart), max_id: atEnd };
}

/** Parses the box's text; an unknown member, channel or kind is an error naming it, as nothing would match. */
export function parseSearch(text: string, names: SearchNames): ParsedSearch {
  const q: Required<Pick<SearchQuery, 'author_id' | 'channel_id' | 'mentions' | 'has'>> = {
    author_id: [],
    channel_id: [],
    mentions: [],
    has: [],
  };
  const words: string[] = [];
  const bounds: { min_id?: string; max_id?: string } = {};
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
      case 'before':
      case 'after':
      case 'during': {
        const kind = key.toLowerCase() as DateFilter;
        const day = localDay(value);
        if (!day) return { query: null, error: `${kind}: takes a date such as 2025-03-14.` };
        const b = dateBounds(kind, day);
        // Several date filters narrow together: the latest lower bound, the earliest upper one.
        if (b.min_id && (!bounds.min_id || BigInt(b.min_id) > BigInt(bounds.min_id)))
          bounds.min_id = b.min_id;
        if (b.max_id && (!bounds.max_id || BigInt(b.max_id) < BigInt(bounds.max_id)))
          bounds.max_id = b.max_id;
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
    ...bounds,
  };
  if (!Object.keys(query).length)
    return { query: null, error: 'Type words to find, or a filter such as from:name.' };
  return { query, error: null };
}
