// A profile (`/@name`): banner, avatar, the name with its prefix and suffix, bio, fields and counts; posts, posts
// with replies, or media; followers and following; follow, unfollow or a pending request; one's own to edit.
import { useState } from 'react';
import type { Account, SocialRelationship } from '../../endpoints';
import * as endpoints from '../../endpoints';
import { navigate } from '../../router';
import { useStore } from '../../store';
import { Alert, useAction } from '../../ui';
import { link } from '../chat/link';
import { ProfileMutuals, useUserProfile } from '../profile-mutuals';
import { AccountAvatar, Html, imagePath, Name, profilePath } from './content';
import { Column, StatusFeed } from './feed';
import { useEndOfList, useLoad, usePaged } from './paged';
import { ProfileEditor } from './profile-editor';

export type ProfileTab = 'posts' | 'with_replies' | 'media' | 'followers' | 'following';

export function ProfilePage({ username, tab }: { username: string; tab: ProfileTab }) {
  const me = useStore((s) => s.me);
  const loaded = useLoad(async () => {
    const account = await endpoints.lookupAccount(username);
    const [rel] = me && me.id !== account.id ? await endpoints.socialRelationships([account.id]) : [];
    return { account, rel: rel ?? null };
  }, username);
  const [editing, setEditing] = useState(false);
  // A local person's chat profile: pronouns, and the servers and friends the reader shares with them.
  const local = loaded.data && !loaded.data.account.acct.includes('@') ? loaded.data.account.id : null;
  const chat = useUserProfile(me ? local : null);

  if (!loaded.data)
    return (
      <Column title={`@${username}`} back>
        <p className="placeholder">{loaded.error ? 'There is nobody of that name here.' : 'Loading…'}</p>
      </Column>
    );
  const { account: a, rel } = loaded.data;
  const mine = me?.id === a.id;
  const base = profilePath(a);
  const banner = imagePath(a.header);
  const tabs: Array<[ProfileTab, string, string]> = [
    ['posts', 'Posts', base],
    ['with_replies', 'Posts and replies', `${base}/with_replies`],
    ['media', 'Media', `${base}/media`],
  ];

  return (
    <Column title={<Name account={a} />} back>
      <section className="profile-head" aria-label="Profile">
        <div className="banner-image">{banner && <img src={banner} alt="" />}</div>
        <div className="profile-id">
          <AccountAvatar account={a} size={88} />
          <div className="profile-actions">
            {mine ? (
              <button type="button" onClick={() => setEditing(true)}>
                Edit profile
              </button>
            ) : (
              me && rel && <FollowButton account={a} rel={rel} onChange={(x) => loaded.set(x)} />
            )}
          </div>
        </div>
        <h1 className="profile-name">
          <Name account={a} />
        </h1>
        <p className="muted">
          @{a.acct}
          {a.locked && <span className="chip">Approves followers</span>}
          {rel?.followed_by && <span className="chip">Follows you</span>}
        </p>
        {chat?.user_profile.pronouns && <p className="pronouns">{chat.user_profile.pronouns}</p>}
        {a.note && <Html className="bio" html={a.note} linkMentions />}
        {a.fields.length > 0 && (
          <dl className="profile-fields">
            {a.fields.map((f) => (
              <div key={f.name}>
                <dt>{f.name}</dt>
                <dd>
                  <Html html={f.value} />
                </dd>
              </div>
            ))}
          </dl>
        )}
        <p className="counts">
          <span>
            <strong>{a.statuses_count}</strong> posts
          </span>
          <a href={`${base}/following`} onClick={link(`${base}/following`)}>
            <strong>{a.following_count}</strong> following
          </a>
          <a href={`${base}/followers`} onClick={link(`${base}/followers`)}>
            <strong>{a.followers_count}</strong> {a.followers_count === 1 ? 'follower' : 'followers'}
          </a>
        </p>
        {chat && (
          <ProfileMutuals
            profile={chat}
            onFriend={(id) => {
              const f = chat.mutual_friends?.find((u) => u.id === id);
              if (f) navigate(`/@${f.username}`);
            }}
          />
        )}
      </section>
      {tab === 'followers' || tab === 'following' ? (
        <AccountList
          accountId={a.id}
          which={tab}
          label={tab === 'followers' ? `Followers of ${a.username}` : `Followed by ${a.username}`}
        />
      ) : (
        <>
          <nav className="tabs profile-tabs" aria-label="Posts">
            {tabs.map(([t, name, to]) => (
              <a
                key={t}
                href={to}
                onClick={link(to)}
                className="chip"
                aria-current={t === tab ? 'page' : undefined}
              >
                {name}
              </a>
            ))}
          </nav>
          <StatusFeed
            feedKey={`${a.id}/${tab}`}
            label={`Posts by ${a.username}`}
            empty={tab === 'media' ? 'No media yet.' : 'No posts yet.'}
            load={(q) =>
              endpoints.accountStatuses(a.id, {
                ...q,
                exclude_replies: tab === 'posts',
                only_media: tab === 'media',
              })
            }
          />
        </>
      )}
      {editing && (
        <ProfileEditor
          onClose={() => setEditing(false)}
          onSaved={(account) => loaded.set({ account, rel })}
        />
      )}
    </Column>
  );
}

function FollowButton(props: {
  account: Account;
  rel: SocialRelationship;
  onChange: (x: { account: Account; rel: SocialRelationship }) => void;
}) {
  const { rel } = props;
  const action = useAction();
  const run = (stop: boolean) =>
    action.run(async () => {
      const next = stop
        ? await endpoints.unfollow(props.account.id)
        : await endpoints.follow(props.account.id);
      // The counts changed with the follow: read the account again.
      props.onChange({ account: await endpoints.lookupAccount(props.account.acct), rel: next });
    });
  if (rel.blocking || rel.blocked_by) return null;
  const label = rel.following ? 'Unfollow' : rel.requested ? 'Requested' : 'Follow';
  return (
    <>
      <button
        type="button"
        className={rel.following || rel.requested ? undefined : 'primary'}
        disabled={action.busy}
        title={rel.requested ? 'Waiting for approval; click to withdraw the request' : undefined}
        onClick={() => run(rel.following || rel.requested)}
      >
        {label}
      </button>
      <Alert message={action.error} />
    </>
  );
}

/** Who follows an account, or whom it follows, paged as it scrolls. */
function AccountList(props: { accountId: string; which: 'followers' | 'following'; label: string }) {
  const list = usePaged(
    (q) => endpoints.accountFollows(props.accountId, props.which, q),
    `${props.accountId}/${props.which}`,
  );
  const end = useEndOfList(list.more, list.hasMore, list.items.length);
  return (
    <section className="account-list" aria-label={props.label}>
      <h2>{props.which === 'followers' ? 'Followers' : 'Following'}</h2>
      <ul className="friend-list">
        {list.items.map((a) => (
          <li key={a.id} className="friend">
            <AccountRow account={a} />
          </li>
        ))}
      </ul>
      {list.loaded && list.items.length === 0 && <p className="placeholder">Nobody yet.</p>}
      <Alert message={list.error} />
      <div ref={end}>{list.loading && <p className="muted">Loading…</p>}</div>
    </section>
  );
}

/** An account as a line of a list: avatar and name, linked to the profile. */
export function AccountRow({ account }: { account: Account }) {
  const to = profilePath(account);
  return (
    <a href={to} onClick={link(to)} className="account-row">
      <AccountAvatar account={account} size={36} />
      <span className="who">
        <Name account={account} />
        <span className="muted">@{account.acct}</span>
      </span>
    </a>
  );
}
