// Lists (Mastodon's: people one follows, each list with its own timeline) and direct conversations. `/social/lists`
// lists them and makes new ones; `/social/lists/:id` is a list's timeline with its settings and its people (add from
// those one follows, remove); `/social/conversations` is one's direct conversations, unread ones marked, a new direct
// status bringing its conversation to the top live (the `direct` stream).
import { type FormEvent, useCallback, useState } from 'react';
import type { Account, SocialConversation, SocialList, SocialListInput } from '../../endpoints';
import * as endpoints from '../../endpoints';
import { navigate } from '../../router';
import { useStore } from '../../store';
import { Alert, useAction } from '../../ui';
import { link } from '../chat/link';
import { Name } from './content';
import { Column, StatusFeed } from './feed';
import { useLoad, usePaged } from './paged';
import { AccountRow } from './profile';
import { StatusCard } from './status';
import { useConversationEvents } from './stream';

const POLICIES: Array<[SocialList['replies_policy'], string]> = [
  ['list', 'Replies to people on the list'],
  ['followed', 'Replies to anyone I follow'],
  ['none', 'No replies to others'],
];

export function ListsPage() {
  const lists = useLoad(endpoints.socialLists, 'lists');
  const [title, setTitle] = useState('');
  const action = useAction();
  const create = async (e: FormEvent) => {
    e.preventDefault();
    if (!title.trim()) return;
    await action.run(async () => {
      const made = await endpoints.createSocialList({ title: title.trim() });
      navigate(`/social/lists/${made.id}`);
    });
  };
  return (
    <Column title="Lists">
      <form className="social-search" aria-label="New list" onSubmit={create}>
        <input
          aria-label="New list title"
          placeholder="New list title"
          value={title}
          maxLength={100}
          onChange={(e) => setTitle(e.target.value)}
        />
        <button type="submit" className="primary" disabled={action.busy || !title.trim()}>
          Create list
        </button>
      </form>
      <Alert message={action.error ?? lists.error} />
      {lists.data && lists.data.length === 0 && (
        <p className="placeholder">
          No lists yet. A list gathers people you follow into a timeline of its own.
        </p>
      )}
      <ul className="social-lists" aria-label="Your lists">
        {lists.data?.map((l) => (
          <li key={l.id}>
            <a href={`/social/lists/${l.id}`} onClick={link(`/social/lists/${l.id}`)} className="account-row">
              <span className="who">
                <strong>{l.title}</strong>
                {l.exclusive && <span className="muted">Hidden from Home</span>}
              </span>
            </a>
          </li>
        ))}
      </ul>
    </Column>
  );
}

export function ListPage({ listId }: { listId: string }) {
  const list = useLoad(() => endpoints.getSocialList(listId), listId);
  const [editing, setEditing] = useState(false);
  // The timeline reloads when the people on the list or its replies policy change.
  const [members, setMembers] = useState(0);
  if (list.error) return <NotFound />;
  const l = list.data;
  return (
    <Column
      title={l ? l.title : 'List'}
      back
      actions={
        l && (
          <button type="button" onClick={() => setEditing((v) => !v)} aria-expanded={editing}>
            {editing ? 'Done' : 'Edit list'}
          </button>
        )
      }
    >
      {l && editing && <ListEditor list={l} onChange={list.set} onMembers={() => setMembers((n) => n + 1)} />}
      <StatusFeed
        feedKey={`list:${listId}:${l?.replies_policy ?? ''}:${members}`}
        label="List timeline"
        load={(q) => endpoints.listTimeline(listId, q)}
        empty="Nothing here yet. Add people you follow to this list."
      />
    </Column>
  );
}

function ListEditor(props: { list: SocialList; onChange: (l: SocialList) => void; onMembers: () => void }) {
  const { list, onChange } = props;
  const [title, setTitle] = useState(list.title);
  const action = useAction();
  const save = (body: SocialListInput) =>
    action.run(async () => {
      onChange(await endpoints.updateSocialList(list.id, body));
    });
  const rename = (e: FormEvent) => {
    e.preventDefault();
    if (title.trim() && title.trim() !== list.title) save({ title: title.trim() });
  };
  const remove = () =>
    action.run(async () => {
      if (!confirm(`Delete the list “${list.title}”? The people on it stay followed.`)) return;
      await endpoints.deleteSocialList(list.id);
      navigate('/social/lists');
    });
  return (
    <section className="list-editor" aria-label="List settings">
      <form className="social-search" onSubmit={rename}>
        <input
          aria-label="List title"
          value={title}
          maxLength={100}
          onChange={(e) => setTitle(e.target.value)}
        />
        <button type="submit" disabled={action.busy || !title.trim() || title.trim() === list.title}>
          Rename
        </button>
      </form>
      <label className="list-field">
        <span>Show replies</span>
        <select
          aria-label="Show replies"
          value={list.replies_policy}
          disabled={action.busy}
          onChange={(e) => save({ replies_policy: e.target.value as SocialList['replies_policy'] })}
        >
          {POLICIES.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label className="toggle">
        <input
          type="checkbox"
          checked={list.exclusive}
          disabled={action.busy}
          onChange={(e) => save({ exclusive: e.target.checked })}
        />{' '}
        Hide these people’s posts from Home
      </label>
      <Alert message={action.error} />
      <ListMembers listId={list.id} onChange={props.onMembers} />
      <button type="button" className="danger" onClick={remove} disabled={action.busy}>
        Delete list
      </button>
    </section>
  );
}

/** The people on a list (each removable) and those one follows who are not, to add. */
function ListMembers({ listId, onChange }: { listId: string; onChange: () => void }) {
  const me = useStore((s) => s.me);
  const [version, setVersion] = useState(0);
  const members = useLoad(() => endpoints.socialListAccounts(listId), `${listId}:${version}`);
  const following = useLoad(
    async () => (me ? (await endpoints.accountFollows(me.id, 'following', { limit: 80 })).items : []),
    `following:${me?.id}`,
  );
  const action = useAction();
  const set = (a: Account, on: boolean) =>
    action.run(async () => {
      await endpoints.setOnSocialList(listId, a.id, on);
      setVersion((v) => v + 1);
      onChange();
    });
  const onList = new Set(members.data?.map((a) => a.id));
  const others = following.data?.filter((a) => !onList.has(a.id)) ?? [];
  return (
    <div className="list-members">
      <h3>People on this list</h3>
      <Alert message={action.error ?? members.error} />
      {members.data?.length === 0 && <p className="muted">Nobody yet.</p>}
      <ul aria-label="People on this list">
        {members.data?.map((a) => (
          <li key={a.id} className="member-line">
            <AccountRow account={a} />
            <button type="button" onClick={() => set(a, false)} disabled={action.busy}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <h3>Add people you follow</h3>
      {following.data && others.length === 0 && <p className="muted">Everyone you follow is on this list.</p>}
      <ul aria-label="People you follow">
        {others.map((a) => (
          <li key={a.id} className="member-line">
            <AccountRow account={a} />
            <button type="button" className="primary" onClick={() => set(a, true)} disabled={action.busy}>
              Add
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function ConversationsPage() {
  const list = usePaged(endpoints.socialConversations, 'conversations');
  const { setItems } = list;
  const change = (c: SocialConversation) => setItems((old) => old.map((x) => (x.id === c.id ? c : x)));
  // A new direct status puts its conversation on top, live.
  useConversationEvents(
    useCallback(
      (c: SocialConversation) => setItems((old) => [c, ...old.filter((x) => x.id !== c.id)]),
      [setItems],
    ),
  );
  const read = async (c: SocialConversation) => {
    if (c.unread) change(await endpoints.readSocialConversation(c.id));
  };
  const remove = async (c: SocialConversation) => {
    await endpoints.deleteSocialConversation(c.id);
    setItems((old) => old.filter((x) => x.id !== c.id));
  };
  return (
    <Column title="Direct messages">
      <section className="feed" aria-label="Conversations">
        {list.items.map((c) => (
          <article
            key={c.id}
            className={`conversation-card ${c.unread ? 'unread' : ''}`}
            aria-label={`Conversation with ${c.accounts.map((a) => a.display_name || a.username).join(', ')}`}
            onFocus={() => read(c)}
            onPointerDown={() => read(c)}
          >
            <header className="conversation-with">
              {c.unread && <span className="badge">New</span>}
              <span>
                With{' '}
                {c.accounts.map((a, i) => (
                  <span key={a.id}>
                    {i > 0 && ', '}
                    <Name account={a} />
                  </span>
                ))}
              </span>
              <button type="button" className="link" onClick={() => remove(c)}>
                Remove
              </button>
            </header>
            {c.last_status && (
              <StatusCard
                status={c.last_status}
                onChange={(s) => change({ ...c, last_status: s })}
                onRemove={() => setItems((old) => old.filter((x) => x.id !== c.id))}
              />
            )}
          </article>
        ))}
        {list.loaded && list.items.length === 0 && (
          <p className="placeholder">No direct messages. A post with “Mentioned people only” starts one.</p>
        )}
        <Alert message={list.error} />
        {list.hasMore && !list.loading && (
          <button type="button" onClick={list.more}>
            Load more
          </button>
        )}
      </section>
    </Column>
  );
}

function NotFound() {
  return (
    <Column title="Not found" back>
      <p className="placeholder">There is nothing at this address.</p>
    </Column>
  );
}
