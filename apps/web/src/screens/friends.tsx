// The friends page: add by username, accept or decline requests, remove friends, block, and open a DM.
import { useMemo, useState } from 'react';
import { ApiError } from '../api';
import * as endpoints from '../endpoints';
import { navigate } from '../router';
import { applyDispatch, useStore } from '../store';
import { displayName, type Relationship } from '../types';
import { Alert, Avatar, Field, Form, useAction } from '../ui';

/** ErrorCode.FriendRequestsDisabled of @hearth/protocol. */
const friendRequestsDisabled = 80000;

type Tab = 'all' | 'pending' | 'blocked' | 'add';

export async function openDm(userId: string): Promise<void> {
  const channel = await endpoints.openDm(userId);
  applyDispatch('CHANNEL_CREATE', channel);
  navigate(`/channels/@me/${channel.id}`);
}

export function Friends() {
  const relationships = useStore((s) => s.relationships);
  const presences = useStore((s) => s.presences);
  const [tab, setTab] = useState<Tab>('all');
  const [username, setUsername] = useState('');
  const [sent, setSent] = useState<string | null>(null);
  const add = useAction();
  const act = useAction();
  const list = useMemo(() => Object.values(relationships), [relationships]);
  const pendingCount = list.filter((r) => r.type === 3).length;
  const shown = list.filter((r) =>
    tab === 'all' ? r.type === 1 : tab === 'pending' ? r.type === 3 || r.type === 4 : r.type === 2,
  );

  const row = (r: Relationship) => (
    <li key={r.id} className="friend">
      <Avatar user={r.user} size={36} />
      <div className="who">
        <strong>{displayName(r.user)}</strong> <span className="muted">@{r.user.username}</span>
        <small className="muted">
          {r.type === 1
            ? (presences[r.id] ?? 'offline')
            : r.type === 3
              ? 'Incoming friend request'
              : r.type === 4
                ? 'Outgoing friend request'
                : 'Blocked'}
        </small>
      </div>
      <div className="row">
        {r.type === 1 && (
          <button type="button" onClick={() => act.run(() => openDm(r.id))}>
            Message
          </button>
        )}
        {r.type === 3 && (
          <button
            type="button"
            className="primary"
            onClick={() => act.run(() => endpoints.putRelationship(r.id))}
          >
            Accept
          </button>
        )}
        {r.type !== 2 && (
          <button type="button" onClick={() => act.run(() => endpoints.removeRelationship(r.id))}>
            {r.type === 1 ? 'Remove' : r.type === 3 ? 'Decline' : 'Cancel'}
          </button>
        )}
        {r.type === 2 ? (
          <button type="button" onClick={() => act.run(() => endpoints.removeRelationship(r.id))}>
            Unblock
          </button>
        ) : (
          <button
            type="button"
            className="danger"
            onClick={() => act.run(() => endpoints.putRelationship(r.id, { type: 2 }))}
          >
            Block
          </button>
        )}
      </div>
    </li>
  );

  return (
    <section className="friends" aria-label="Friends">
      <header className="conversation-head">
        <a
          href="/channels/@me"
          className="back icon"
          aria-label="Back"
          onClick={(e) => {
            e.preventDefault();
            history.back();
          }}
        >
          ‹
        </a>
        <h2>Friends</h2>
        <div className="tabs" role="tablist">
          {(['all', 'pending', 'blocked', 'add'] as Tab[]).map((t) => (
            <button
              key={t}
              type="button"
              role="tab"
              aria-selected={tab === t}
              className={t === 'add' ? 'primary' : ''}
              onClick={() => setTab(t)}
            >
              {t === 'all'
                ? 'All'
                : t === 'pending'
                  ? `Pending${pendingCount ? ` (${pendingCount})` : ''}`
                  : t === 'blocked'
                    ? 'Blocked'
                    : 'Add friend'}
            </button>
          ))}
        </div>
      </header>
      <div className="scroll pad">
        {tab === 'add' ? (
          <Form
            label="Add friend"
            error={add.error ?? add.fields.username}
            onSubmit={() =>
              add.run(async () => {
                const name = username.trim();
                await endpoints.sendFriendRequest(name).catch((err) => {
                  // The server gives one answer for "no such user" and "they blocked you" (a block is never
                  // revealed), so say what a person can check, as Discord does.
                  if (err instanceof ApiError && err.code === friendRequestsDisabled)
                    throw new ApiError(
                      err.status,
                      err.code,
                      `Hm, that didn't work. Check that the username "${name}" is spelled right (usernames are exact, not display names); or this person is not taking friend requests from you.`,
                    );
                  throw err;
                });
                setSent(name);
                setUsername('');
              })
            }
          >
            <Field
              label="Add a friend by username"
              name="friend-username"
              value={username}
              onChange={setUsername}
              required
              maxLength={32}
              autoFocus
            />
            <button type="submit" className="primary" disabled={add.busy}>
              Send friend request
            </button>
            {sent && <p role="status">Friend request sent to {sent}.</p>}
          </Form>
        ) : shown.length ? (
          <ul className="friend-list">{shown.map(row)}</ul>
        ) : (
          <p className="placeholder">
            {tab === 'all'
              ? 'No friends yet: add one by username.'
              : tab === 'pending'
                ? 'No pending requests.'
                : 'Nobody is blocked.'}
          </p>
        )}
        <Alert message={act.error} />
      </div>
    </section>
  );
}
