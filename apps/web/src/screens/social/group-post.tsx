// A group's post on a timeline (ADR 0031): who wrote it "in" which group, its title, body and files, and its
// favourite (a reaction on the post on the server). It is a forum thread of the group, so reading its comments and
// answering happen there (the chat side); a group post is not boosted.
import type { GroupPostInfo, Status } from '../../endpoints';
import { Icon } from '../../icons';
import { Alert, useAction } from '../../ui';
import { link } from '../chat/link';
import { AccountAvatar, ago, Html, Name, profilePath } from './content';
import { toggleFavourite } from './favourite';
import { MediaGrid } from './media';

export function GroupPostCard({
  status: s,
  post,
  onChange,
}: {
  status: Status;
  post: GroupPostInfo;
  /** The post as the server answered after a favourite. */
  onChange: (s: Status) => void;
}) {
  const action = useAction();
  const group = `/groups/${post.group_id}`;
  const thread = `/channels/${post.group_id}/${s.id}`;
  const author = post.author;
  const by = author ? profilePath(author) : group;
  return (
    <article
      className="status-card group-post"
      aria-label={`Post by ${author?.username ?? 'someone'} in ${post.group_name}`}
      data-status={s.id}
    >
      <a href={by} onClick={link(by)} className="status-avatar" tabIndex={-1}>
        <AccountAvatar account={author ?? s.account} size={42} />
      </a>
      <div className="status-body">
        <header className="status-head">
          {author && (
            <a href={by} onClick={link(by)} className="status-author">
              <Name account={author} />
            </a>
          )}
          <span className="muted">in</span>
          <a href={group} onClick={link(group)} className="group-name">
            <Icon name="members" size={14} /> {post.group_name}
          </a>
          <a href={thread} onClick={link(thread)} className="muted status-time">
            <time dateTime={s.created_at} title={new Date(s.created_at).toLocaleString()}>
              {ago(s.created_at)}
            </time>
          </a>
        </header>
        <Html className="status-content" html={s.content} />
        <MediaGrid status={s} />
        <footer className="status-actions">
          <a href={thread} onClick={link(thread)} className="muted">
            {s.replies_count === 1 ? '1 comment' : `${s.replies_count} comments`}
          </a>
          <button
            type="button"
            className={`icon ${s.favourited ? 'on' : ''}`}
            aria-label={`Favourite${s.favourites_count ? `, ${s.favourites_count}` : ''}`}
            aria-pressed={s.favourited}
            disabled={action.busy}
            onClick={() => toggleFavourite(action, s, onChange)}
          >
            <Icon name="heart" size={18} />
            <span className="count">{s.favourites_count || ''}</span>
          </button>
        </footer>
        <Alert message={action.error} />
      </div>
    </article>
  );
}
