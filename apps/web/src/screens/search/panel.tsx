// Search results for a server, beside the conversation (over it on a phone): the filters as read from the
// box, the hits newest first with their channel, and a click on one opens it in its channel.
import { useEffect, useMemo, useState } from 'react';
import type { SearchQuery } from '../../endpoints';
import * as endpoints from '../../endpoints';
import { Markdown } from '../../markdown';
import { getState, useStore } from '../../store';
import { displayName, type Guild, type Message, plural } from '../../types';
import { Alert, Avatar } from '../../ui';
import { useMentionResolver } from '../messages/mentions';
import { parseSearch, type SearchNames } from './query';

const pageSize = 25;

/** Members and channels of the guild by name, from what the client holds. */
function guildNames(guild: Guild): SearchNames {
  const s = getState();
  return {
    user(name) {
      const n = name.toLowerCase();
      const found = Object.values(s.members[guild.id] ?? {}).find(
        (m) => m.user && (m.user.username.toLowerCase() === n || displayName(m.user, m).toLowerCase() === n),
      );
      return found?.user?.id ?? null;
    },
    channel(name) {
      const n = name.toLowerCase();
      return (
        Object.values(s.channels).find((c) => c.guild_id === guild.id && c.name?.toLowerCase() === n)?.id ??
        null
      );
    },
  };
}

export function SearchPanel(props: {
  guild: Guild;
  text: string;
  onClose: () => void;
  onOpen: (message: Message) => void;
}) {
  const { guild, text } = props;
  const parsed = useMemo(() => parseSearch(text, guildNames(guild)), [text, guild]);
  const [hits, setHits] = useState<Message[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const channels = useStore((s) => s.channels);
  const mentions = useMentionResolver(guild);

  const load = async (q: SearchQuery, offset: number, before: Message[]) => {
    setBusy(true);
    try {
      const r = await endpoints.searchGuild(guild.id, { ...q, limit: pageSize, offset });
      setHits([...before, ...r.messages.map((group) => group[0]).filter(Boolean)]);
      setTotal(r.total_results);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new search starts when the text or server changes
  useEffect(() => {
    setHits(null);
    setError(parsed.error);
    if (parsed.query) load(parsed.query, 0, []);
  }, [parsed, guild.id]);

  return (
    <aside className="members search-panel" aria-label="Search results">
      <header className="search-head">
        <h3 className="category" aria-live="polite">
          {busy && !hits ? 'Searching…' : hits ? plural(total, 'result') : 'Search'}
        </h3>
        <button type="button" className="icon" aria-label="Close search" onClick={props.onClose}>
          ×
        </button>
      </header>
      <Alert message={error} />
      {hits?.length === 0 && <p className="placeholder">No messages match.</p>}
      <ol className="search-hits">
        {hits?.map((m) => (
          <li key={m.id}>
            <button type="button" className="search-hit" onClick={() => props.onOpen(m)}>
              <Avatar user={m.author} size={28} />
              <span className="search-hit-body">
                <span className="meta">
                  <strong>{displayName(m.author, m.member)}</strong>{' '}
                  <span className="muted">
                    #{channels[m.channel_id]?.name ?? 'unknown'} ·{' '}
                    <time dateTime={m.timestamp}>
                      {new Date(m.timestamp).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' })}
                    </time>
                  </span>
                </span>
                <span className="search-hit-text">
                  <Markdown text={m.content.slice(0, 400)} mentions={mentions} />
                </span>
              </span>
            </button>
          </li>
        ))}
      </ol>
      {hits && parsed.query && hits.length < total && (
        <button
          type="button"
          className="link more"
          disabled={busy}
          onClick={() => load(parsed.query!, hits.length, hits)}
        >
          More results
        </button>
      )}
    </aside>
  );
}
