// /groups: the directory of discoverable groups (ADR 0031), searched by name or topic; joining a public group,
// asking to join an approval-required one, or withdrawing that request.
import type { DiscoverableGuild } from '@hearth/protocol';
import { useCallback, useEffect, useState } from 'react';
import * as endpoints from '../endpoints';
import { navigate } from '../router';
import { plural } from '../types';
import { Alert, useAction } from '../ui';

const PAGE = 24;

export function GroupDirectory() {
  const [query, setQuery] = useState('');
  const [tag, setTag] = useState<string | null>(null);
  const [groups, setGroups] = useState<DiscoverableGuild[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const act = useAction();

  const load = useCallback(
    async (offset: number) => {
      setError(null);
      try {
        const page = await endpoints.discoverGroups({
          query: query.trim() || undefined,
          tag: tag ?? undefined,
          limit: PAGE,
          offset,
        });
        setTotal(page.total);
        setGroups((before) => (offset === 0 ? page.guilds : [...(before ?? []), ...page.guilds]));
      } catch (err) {
        setError((err as Error).message);
      }
    },
    [query, tag],
  );
  // Searching as one types, a moment after the last key.
  useEffect(() => {
    const timer = setTimeout(() => load(0), 250);
    return () => clearTimeout(timer);
  }, [load]);

  const update = (id: string, change: Partial<DiscoverableGuild>) =>
    setGroups((list) => list?.map((g) => (g.id === id ? { ...g, ...change } : g)) ?? null);

  return (
    <main className="groups-directory">
      <header>
        <a
          href="/channels/@me"
          onClick={(e) => {
            e.preventDefault();
            navigate('/channels/@me');
          }}
        >
          ← Back
        </a>
        <h1>Groups</h1>
      </header>
      <search className="group-search">
        <label htmlFor="group-search">Search groups</label>
        <input
          id="group-search"
          type="search"
          value={query}
          maxLength={100}
          placeholder="Name, description or topic"
          onChange={(e) => setQuery(e.target.value)}
        />
        {tag && (
          <button type="button" onClick={() => setTag(null)} aria-label={`Stop filtering by ${tag}`}>
            #{tag} ×
          </button>
        )}
      </search>
      <Alert message={error ?? act.error} />
      {groups?.length === 0 && <p>No groups found.</p>}
      <ul className="group-cards" aria-label="Groups">
        {groups?.map((g) => (
          <li key={g.id} className="group-card" aria-label={g.name}>
            {g.banner && <img className="group-banner" src={`/banners/${g.id}/${g.banner}.png`} alt="" />}
            <h2>{g.name}</h2>
            {g.description && <p>{g.description}</p>}
            <p className="muted">
              {plural(g.approximate_member_count, 'member')} ·{' '}
              {g.hearth_group.join_mode === 'public' ? 'Anyone can join' : 'Join by approval'}
            </p>
            {g.hearth_group.tags.length > 0 && (
              <p className="group-tags">
                {g.hearth_group.tags.map((t) => (
                  <button key={t} type="button" className="tag" onClick={() => setTag(t)}>
                    #{t}
                  </button>
                ))}
              </p>
            )}
            {g.hearth_group.rules && (
              <details>
                <summary>Rules</summary>
                <p className="group-rules">{g.hearth_group.rules}</p>
              </details>
            )}
            {g.is_member ? (
              <button type="button" onClick={() => navigate(`/channels/${g.id}`)}>
                Open
              </button>
            ) : g.join_request_status === 'SUBMITTED' ? (
              <button
                type="button"
                disabled={act.busy}
                onClick={() =>
                  act.run(async () => {
                    await endpoints.withdrawJoinRequest(g.id);
                    update(g.id, { join_request_status: null });
                  })
                }
              >
                Requested · Withdraw
              </button>
            ) : g.hearth_group.join_mode === 'public' ? (
              <>
                <button type="button" onClick={() => navigate(`/groups/${g.id}`)}>
                  Preview
                </button>{' '}
                <button
                  type="button"
                  className="primary"
                  disabled={act.busy}
                  onClick={() =>
                    act.run(async () => {
                      await endpoints.joinGroup(g.id);
                      update(g.id, { is_member: true });
                      navigate(`/channels/${g.id}`);
                    })
                  }
                >
                  Join
                </button>
              </>
            ) : (
              <button
                type="button"
                className="primary"
                disabled={act.busy}
                onClick={() =>
                  act.run(async () => {
                    const r = await endpoints.requestToJoin(g.id);
                    update(g.id, { join_request_status: r.application_status });
                  })
                }
              >
                Request to join
              </button>
            )}
          </li>
        ))}
      </ul>
      {groups && groups.length < total && (
        <button type="button" onClick={() => load(groups.length)}>
          More groups
        </button>
      )}
    </main>
  );
}
