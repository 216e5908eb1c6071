// The social side (loaded as its own chunk): the servers rail, the social sidebar (home, local, notifications,
// lists, direct conversations, one's profile) and the open screen. At phone width the screen fills the window with the sidebar's links as
// a bar above it; the rail's Home feed entry leads here and the bar's Chat link back.
import { useState } from 'react';
import type { Status } from '../../endpoints';
import * as endpoints from '../../endpoints';
import { Icon, type IconName } from '../../icons';
import { usePhone } from '../../phone';
import { useSocialUnread } from '../../social-badge';
import { useStore } from '../../store';
import { GuildRail } from '../chat/guild-rail';
import { link } from '../chat/link';
import { UserPanel } from '../chat/user-panel';
import { Composer } from './composer';
import { BookmarksPage, SearchPage, TagPage } from './discover';
import { Column, StatusFeed } from './feed';
import { ConversationsPage, ListPage, ListsPage } from './lists';
import { MediaLibraryPage } from './media-library';
import { NotificationsPage } from './notifications';
import { ProfilePage, type ProfileTab } from './profile';
import './social.css';
import { useUserStream } from './stream';
import { StatusPage } from './thread';

const profileTabs = new Set(['with_replies', 'media', 'followers', 'following']);

function screenFor(path: string) {
  if (path === '/social' || path === '/social/') return <HomePage />;
  if (path === '/social/local') return <LocalPage />;
  if (path === '/social/notifications') return <NotificationsPage />;
  if (path === '/social/search') return <SearchPage />;
  if (path === '/social/bookmarks') return <BookmarksPage />;
  if (path === '/social/lists') return <ListsPage />;
  if (path === '/social/conversations') return <ConversationsPage />;
  const list = /^\/social\/lists\/(\d+)\/?$/.exec(path);
  if (list) return <ListPage listId={list[1]} />;
  if (path === '/social/media') return <MediaLibraryPage trash={false} />;
  if (path === '/social/media/trash') return <MediaLibraryPage trash />;
  const tag = /^\/social\/tags\/([^/]+)\/?$/.exec(path);
  if (tag) return <TagPage name={decodeURIComponent(tag[1]).toLowerCase()} />;
  // `/@name`, `/@name/<tab>`, `/@name/<status id>` (the router's patterns name whole segments only).
  const profile = /^\/@([^/]+)(?:\/([^/]+))?\/?$/.exec(path);
  if (profile) {
    const username = decodeURIComponent(profile[1]);
    const sub = profile[2];
    if (!sub) return <ProfilePage username={username} tab="posts" />;
    if (profileTabs.has(sub)) return <ProfilePage username={username} tab={sub as ProfileTab} />;
    if (/^\d+$/.test(sub)) return <StatusPage statusId={sub} />;
  }
  return (
    <Column title="Not found" back>
      <p className="placeholder">There is nothing at this address.</p>
    </Column>
  );
}

export default function SocialLayout({ path }: { path: string }) {
  const me = useStore((s) => s.me);
  const phone = usePhone();
  useUserStream();
  return (
    <div className="chat social in-channel">
      <GuildRail current="social" />
      <nav className="sidebar" aria-label="Social">
        <header className="sidebar-head">
          <h2>Social</h2>
        </header>
        <div className="scroll">
          <SocialNav path={path} />
        </div>
        <UserPanel />
      </nav>
      <main className="main">
        {phone && <SocialNav path={path} bar />}
        {me ? screenFor(path) : <p className="placeholder">Connecting…</p>}
      </main>
    </div>
  );
}

function SocialNav({ path, bar }: { path: string; bar?: boolean }) {
  const me = useStore((s) => s.me);
  const unread = useSocialUnread();
  const items: Array<[string, string, IconName, number]> = [
    ['/social', 'Home', 'home', 0],
    ['/social/local', 'Local', 'globe', 0],
    ['/social/notifications', 'Notifications', 'bell', unread],
    ['/social/search', 'Search', 'search', 0],
    ['/social/bookmarks', 'Bookmarks', 'bookmark', 0],
    ['/social/lists', 'Lists', 'feed', 0],
    ['/social/conversations', 'Direct', 'mail', 0],
    ['/social/media', 'Media', 'image', 0],
  ];
  if (me) items.push([`/@${me.username}`, 'Profile', 'friends', 0]);
  return (
    <ul className={bar ? 'social-bar' : 'social-nav channels'}>
      {bar && (
        <li>
          <a href="/channels/@me" onClick={link('/channels/@me')} className="channel" aria-label="Chat">
            <Icon name="back" size={18} />
            <span className="label">Chat</span>
          </a>
        </li>
      )}
      {items.map(([to, name, icon, badge]) => (
        <li key={to}>
          <a
            href={to}
            onClick={link(to)}
            className={`channel ${path === to ? 'active' : ''}`}
            aria-current={path === to ? 'page' : undefined}
            aria-label={badge ? `${name}, ${badge} unread` : name}
          >
            <Icon name={icon} size={18} />
            <span className="label">{name}</span>
            {badge > 0 && <span className="badge">{badge}</span>}
          </a>
        </li>
      ))}
    </ul>
  );
}

function HomePage() {
  const [posted, setPosted] = useState<Status | null>(null);
  return (
    <Column title="Home">
      <Composer onDone={setPosted} />
      <StatusFeed
        feedKey="home"
        label="Home timeline"
        load={endpoints.homeTimeline}
        fresh={posted}
        live
        empty="Nothing here yet. Follow people to see their posts, or write your own."
      />
    </Column>
  );
}

function LocalPage() {
  return (
    <Column title="Local">
      <StatusFeed
        feedKey="local"
        label="Local timeline"
        load={endpoints.localTimeline}
        empty="Nobody here has posted in public yet."
      />
    </Column>
  );
}
