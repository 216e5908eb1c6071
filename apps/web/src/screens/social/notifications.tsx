// Social notifications (follows, follow requests, favourites, mentions and replies) and the follow requests
// waiting for an answer. Opening the page marks what it shows read (the `notifications` marker).
import { useEffect } from 'react';
import type { SocialNotification } from '../../endpoints';
import * as endpoints from '../../endpoints';
import { clearSocialBadge, refreshSocialBadge } from '../../social-badge';
import { useStore } from '../../store';
import { Alert, useAction } from '../../ui';
import { link } from '../chat/link';
import { Html, Name, profilePath, statusPath } from './content';
import { Column } from './feed';
import { useEndOfList, usePaged } from './paged';
import { AccountRow } from './profile';

export function NotificationsPage() {
  const list = usePaged(endpoints.socialNotifications, 'notifications');
  const end = useEndOfList(list.more, list.hasMore, list.items.length);
  const newest = list.items[0]?.id;
  useEffect(() => {
    if (!newest) return;
    clearSocialBadge();
    endpoints.markNotificationsRead(newest).then(refreshSocialBadge, () => {});
  }, [newest]);
  return (
    <Column title="Notifications">
      <FollowRequests />
      <section aria-label="Notifications">
        <ol className="notifications">
          {list.items.map((n) => (
            <li key={n.id}>
              <NotificationRow n={n} />
            </li>
          ))}
        </ol>
        {list.loaded && list.items.length === 0 && <p className="placeholder">Nothing yet.</p>}
        <Alert message={list.error} />
        <div ref={end}>{list.loading && <p className="muted">Loading…</p>}</div>
      </section>
    </Column>
  );
}

const notificationWords: Record<string, string> = {
  follow: 'followed you',
  follow_request: 'asked to follow you',
  favourite: 'favourited your post',
  mention: 'mentioned you',
  reblog: 'boosted your post',
  status: 'posted',
  update: 'edited a post you interacted with',
  move: 'moved to a new account; you follow that one now',
};

function NotificationRow({ n }: { n: SocialNotification }) {
  const me = useStore((s) => s.me);
  const who = profilePath(n.account);
  const replied = n.type === 'mention' && n.status?.in_reply_to_account_id === me?.id;
  const what = replied ? 'replied to you' : (notificationWords[n.type] ?? n.type);
  const to = n.status ? statusPath(n.status) : who;
  return (
    <div className={`notification ${n.type.replace(/\W/g, '-')}`}>
      <p>
        <a href={who} onClick={link(who)}>
          <Name account={n.account} />
        </a>{' '}
        <a href={to} onClick={link(to)} className="what">
          {what}
        </a>{' '}
        <time className="muted" dateTime={n.created_at}>
          {new Date(n.created_at).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' })}
        </time>
      </p>
      {n.status && <Html className="status-content muted-content" html={n.status.content} />}
    </div>
  );
}

/** Follow requests waiting for the user's answer, each accepted or rejected in place. */
function FollowRequests() {
  const list = usePaged(endpoints.followRequests, 'requests');
  const action = useAction();
  const answer = (id: string, accept: boolean) =>
    action.run(async () => {
      await endpoints.answerFollowRequest(id, accept);
      list.setItems((old) => old.filter((a) => a.id !== id));
      refreshSocialBadge();
    });
  if (list.items.length === 0) return null;
  return (
    <section className="follow-requests" aria-label="Follow requests">
      <h2>Follow requests</h2>
      <ul className="friend-list">
        {list.items.map((a) => (
          <li key={a.id} className="friend">
            <AccountRow account={a} />
            <div className="row">
              <button
                type="button"
                className="primary"
                disabled={action.busy}
                onClick={() => answer(a.id, true)}
              >
                Accept
              </button>
              <button type="button" disabled={action.busy} onClick={() => answer(a.id, false)}>
                Reject
              </button>
            </div>
          </li>
        ))}
      </ul>
      {list.hasMore && (
        <button type="button" onClick={list.more}>
          More requests
        </button>
      )}
      <Alert message={action.error} />
    </section>
  );
}
