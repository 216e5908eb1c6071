// Finding things on the social side: search (accounts, hashtags, posts through Mastodon's search v2), the profile
// directory and the hashtags one follows when nothing is searched, a hashtag's page (its posts and a follow
// button), and one's bookmarks.
import { type FormEvent, useState } from 'react';
import type { Status, Tag } from '../../endpoints';
import * as endpoints from '../../endpoints';
import { Alert, useAction } from '../../ui';
import { link } from '../chat/link';
import { tagPath } from './content';
import { Column, StatusFeed } from './feed';
import { useLoad } from './paged';
import { AccountRow } from './profile';
import { StatusCard } from './status';

export function SearchPage() {
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setQ(text.trim());
  };
  return (
    <Column title="Search">
      <form className="social-search" aria-label="Search" onSubmit={submit}>
        <input
          type="search"
          aria-label="Search people, hashtags and posts"
          placeholder='Search people, #hashtags and posts ("a phrase", -without)'
          value={text}
          maxLength={200}
          onChange={(e) => setText(e.target.value)}
        />
        <button type="submit" className="primary">
          Search
        </button>
      </form>
      {q ? <Results key={q} q={q} /> : <Discover />}
    </Column>
  );
}

function Results({ q }: { q: string }) {
  const found = useLoad(() => endpoints.searchSocial(q), q);
  const [statuses, setStatuses] = useState<Status[] | null>(null);
  // Whether older posts may match: the last page was full.
  const [more, setMore] = useState<boolean | null>(null);
  const loadMore = useAction();
  if (found.error) return <Alert message={found.error} />;
  if (!found.data) return <p className="muted">Searching…</p>;
  const r = found.data;
  const shown = statuses ?? r.statuses;
  const hasMore = more ?? r.statuses.length >= endpoints.SEARCH_PAGE;
  const older = () =>
    loadMore.run(async () => {
      const page = await endpoints.searchMoreStatuses(q, shown[shown.length - 1].id);
      setStatuses([...shown, ...page.statuses.filter((s) => !shown.some((x) => x.id === s.id))]);
      setMore(page.statuses.length >= endpoints.SEARCH_PAGE);
    });
  const nothing = r.accounts.length + r.hashtags.length + r.statuses.length === 0;
  return (
    <div className="search-results">
      {nothing && <p className="placeholder">Nothing found for “{q}”.</p>}
      {r.accounts.length > 0 && (
        <section aria-label="People">
          <h3>People</h3>
          {r.accounts.map((a) => (
            <AccountRow key={a.id} account={a} />
          ))}
        </section>
      )}
      {r.hashtags.length > 0 && (
        <section aria-label="Hashtags">
          <h3>Hashtags</h3>
          <TagList tags={r.hashtags} />
        </section>
      )}
      {shown.length > 0 && (
        <section aria-label="Posts">
          <h3>Posts</h3>
          {shown.map((s) => (
            <StatusCard
              key={s.id}
              status={s}
              onChange={(n) => setStatuses(shown.map((x) => (x.id === s.id ? n : x)))}
              onRemove={(id) => setStatuses(shown.filter((x) => x.id !== id))}
            />
          ))}
          <Alert message={loadMore.error} />
          {hasMore && (
            <button type="button" disabled={loadMore.busy} onClick={older}>
              More posts
            </button>
          )}
        </section>
      )}
    </div>
  );
}

/** What the search page shows before a search: the hashtags one follows and the profile directory. */
function Discover() {
  const followed = useLoad(endpoints.followedTags, 'followed');
  const directory = useLoad(endpoints.profileDirectory, 'directory');
  return (
    <div className="search-results">
      <section aria-label="Followed hashtags">
        <h3>Followed hashtags</h3>
        {followed.data && followed.data.items.length === 0 && (
          <p className="muted">You follow no hashtags yet. Open one to follow it.</p>
        )}
        {followed.data && <TagList tags={followed.data.items} />}
        <Alert message={followed.error} />
      </section>
      <section aria-label="Directory">
        <h3>Directory</h3>
        {directory.data?.map((a) => (
          <AccountRow key={a.id} account={a} />
        ))}
        {directory.data?.length === 0 && <p className="muted">Nobody is listed yet.</p>}
        <Alert message={directory.error} />
      </section>
    </div>
  );
}

function TagList({ tags }: { tags: Tag[] }) {
  return (
    <ul className="tag-list">
      {tags.map((t) => {
        const to = tagPath(t.name);
        const uses = t.history.reduce((n, h) => n + Number(h.uses), 0);
        return (
          <li key={t.name}>
            <a href={to} onClick={link(to)} className="hashtag">
              #{t.name}
            </a>
            <span className="muted">
              {uses} {uses === 1 ? 'post' : 'posts'} this week{t.following ? ' · following' : ''}
            </span>
          </li>
        );
      })}
    </ul>
  );
}

/** A hashtag's public posts, with a button to follow it (its posts then come into the home feed). */
export function TagPage({ name }: { name: string }) {
  const tag = useLoad(() => endpoints.getTag(name).catch(() => null), name);
  const action = useAction();
  const following = tag.data?.following ?? false;
  const toggle = () =>
    action.run(async () => {
      tag.set(await endpoints.followTag(name, !following));
    });
  return (
    <Column
      title={`#${name}`}
      back
      actions={
        <button
          type="button"
          className={following ? 'secondary' : 'primary'}
          aria-pressed={following}
          disabled={action.busy}
          onClick={toggle}
        >
          {following ? 'Unfollow' : 'Follow'}
        </button>
      }
    >
      <Alert message={action.error} />
      <StatusFeed
        feedKey={`tag:${name}`}
        label={`Posts tagged #${name}`}
        load={(q) => endpoints.tagTimeline(name, q)}
        empty="No public posts with this hashtag yet."
      />
    </Column>
  );
}

export function BookmarksPage() {
  return (
    <Column title="Bookmarks">
      <StatusFeed
        feedKey="bookmarks"
        label="Bookmarks"
        load={endpoints.bookmarks}
        empty="Nothing bookmarked yet. The bookmark button under a post keeps it here."
      />
    </Column>
  );
}
