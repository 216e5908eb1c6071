// One status (a post or a comment): author with name prefix and suffix, time (the status page's link), its
// content warning, content, media, and what the viewer may do: reply, favourite, boost, and edit or delete their
// own. A boost shows "<name> boosted" above the boosted status.
import { type ReactNode, useState } from 'react';
import type { Status } from '../../endpoints';
import * as endpoints from '../../endpoints';
import { Icon } from '../../icons';
import { useStore } from '../../store';
import { Alert, ConfirmDialog, Dialog, useAction } from '../../ui';
import { link } from '../chat/link';
import { Composer, visibilityNames } from './composer';
import { AccountAvatar, ago, Html, Name, profilePath, statusPath } from './content';
import { toggleFavourite } from './favourite';
import { GroupPostCard } from './group-post';
import { MediaGrid } from './media';
import { useLoad } from './paged';

/** The emoji offered by a post's React button (any Unicode emoji or the reader's custom ones work through the API). */
const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '😮', '😢'];

type CardProps = {
  status: Status;
  /** The status as the server answered after an action (favourite, edit). */
  onChange: (s: Status) => void;
  onRemove: (id: string) => void;
  /** A reply made from this card; without it the card only counts it. */
  onReplied?: (reply: Status) => void;
  /** Extra controls beside the actions (the thread's collapse button). */
  extra?: ReactNode;
  /** Inside a thread the tree shows what a comment answers; elsewhere a line links to it. */
  inThread?: boolean;
};

export function StatusCard(props: CardProps) {
  const boost = props.status;
  if (boost.hearth_group_post)
    return <GroupPostCard status={boost} post={boost.hearth_group_post} onChange={props.onChange} />;
  const inner = boost.reblog;
  if (!inner) return <OneStatus {...props} />;
  const by = profilePath(boost.account);
  return (
    <div className="boost" data-boost={boost.id}>
      <a href={by} onClick={link(by)} className="muted boosted-by">
        <Icon name="boost" size={14} /> <Name account={boost.account} /> boosted
      </a>
      <OneStatus
        {...props}
        status={inner}
        onChange={(s) => props.onChange({ ...boost, reblog: s })}
        onRemove={(id) => props.onRemove(id === inner.id ? boost.id : id)}
      />
    </div>
  );
}

function OneStatus(props: CardProps) {
  const { status: s } = props;
  const me = useStore((x) => x.me);
  const mine = me?.id === s.account.id;
  const [revealed, setRevealed] = useState(false);
  const [mode, setMode] = useState<'reply' | 'edit' | 'delete' | 'history' | null>(null);
  const action = useAction();
  const favourite = () => toggleFavourite(action, s, props.onChange);
  // Boosting answers the boost (the status is its `reblog`), unboosting the status.
  const boost = () =>
    action.run(async () => {
      const on = !s.reblogged;
      props.onChange({ ...s, reblogged: on, reblogs_count: s.reblogs_count + (on ? 1 : -1) });
      try {
        const r = await endpoints.reblog(s.id, on);
        props.onChange(r.reblog ?? r);
      } catch (e) {
        props.onChange(s);
        throw e;
      }
    });
  const boostable = s.visibility === 'public' || s.visibility === 'unlisted';
  const [picking, setPicking] = useState(false);
  const bookmark = () =>
    action.run(async () => {
      const on = !s.bookmarked;
      props.onChange({ ...s, bookmarked: on });
      try {
        props.onChange(await endpoints.bookmark(s.id, on));
      } catch (e) {
        props.onChange(s);
        throw e;
      }
    });
  const reactions = s.pleroma?.emoji_reactions ?? [];
  const react = (emoji: string, on: boolean) =>
    action.run(async () => {
      setPicking(false);
      props.onChange(await endpoints.reactToStatus(s.id, emoji, on));
    });
  const remove = () =>
    action.run(async () => {
      await endpoints.deleteStatus(s.id);
      setMode(null);
      props.onRemove(s.id);
    });
  const to = statusPath(s);
  const author = profilePath(s.account);
  const parentAcct =
    s.in_reply_to_account_id === s.account.id
      ? s.account.acct
      : s.mentions.find((m) => m.id === s.in_reply_to_account_id)?.acct;
  const parent =
    !props.inThread && s.in_reply_to_id && parentAcct ? `/@${parentAcct}/${s.in_reply_to_id}` : null;

  return (
    <article className="status-card" aria-label={`Post by ${s.account.username}`} data-status={s.id}>
      <a
        href={author}
        onClick={link(author)}
        className="status-avatar"
        tabIndex={-1}
        aria-label={`${s.account.username}'s profile`}
      >
        <AccountAvatar account={s.account} size={42} />
      </a>
      <div className="status-body">
        <header className="status-head">
          <a href={author} onClick={link(author)} className="status-author">
            <Name account={s.account} />
          </a>
          <span className="muted acct">@{s.account.acct}</span>
          <span className="muted" title={visibilityNames[s.visibility]}>
            {s.visibility === 'public' ? '' : `· ${visibilityNames[s.visibility]}`}
          </span>
          <a href={to} onClick={link(to)} className="muted status-time">
            <time dateTime={s.created_at} title={new Date(s.created_at).toLocaleString()}>
              {ago(s.created_at)}
            </time>
          </a>
          {s.edited_at && (
            <button type="button" className="link edited" onClick={() => setMode('history')}>
              (edited)
            </button>
          )}
        </header>
        {parent && (
          <a href={parent} onClick={link(parent)} className="muted replying-to">
            <Icon name="reply" size={14} /> Replying to @{parentAcct}
          </a>
        )}
        {s.spoiler_text && (
          <p className="cw">
            <span>{s.spoiler_text}</span>{' '}
            <button
              type="button"
              className="chip"
              aria-expanded={revealed}
              onClick={() => setRevealed((v) => !v)}
            >
              {revealed ? 'Show less' : 'Show more'}
            </button>
          </p>
        )}
        {(!s.spoiler_text || revealed) && mode !== 'edit' && (
          <Html className="status-content" html={s.content} />
        )}
        {mode !== 'edit' && <MediaGrid status={s} />}
        {mode === 'edit' && (
          <Composer
            editing={s}
            autoFocus
            onDone={(edited) => {
              setMode(null);
              props.onChange(edited);
            }}
            onCancel={() => setMode(null)}
          />
        )}
        <footer className="status-actions">
          <button
            type="button"
            className="icon"
            aria-label={`Reply${s.replies_count ? `, ${s.replies_count} replies` : ''}`}
            aria-expanded={mode === 'reply'}
            onClick={() => setMode(mode === 'reply' ? null : 'reply')}
          >
            <Icon name="reply" size={18} />
            <span className="count">{s.replies_count || ''}</span>
          </button>
          <button
            type="button"
            className={`icon ${s.favourited ? 'on' : ''}`}
            aria-label={`Favourite${s.favourites_count ? `, ${s.favourites_count}` : ''}`}
            aria-pressed={s.favourited}
            disabled={action.busy}
            onClick={favourite}
          >
            <Icon name="heart" size={18} />
            <span className="count">{s.favourites_count || ''}</span>
          </button>
          <button
            type="button"
            className={`icon ${s.reblogged ? 'on' : ''}`}
            aria-label={`Boost${s.reblogs_count ? `, ${s.reblogs_count}` : ''}`}
            title={boostable ? 'Boost' : 'Only public and unlisted posts can be boosted'}
            aria-pressed={!!s.reblogged}
            disabled={action.busy || !boostable}
            onClick={boost}
          >
            <Icon name="boost" size={18} />
            <span className="count">{s.reblogs_count || ''}</span>
          </button>
          <button
            type="button"
            className={`icon ${s.bookmarked ? 'on' : ''}`}
            aria-label="Bookmark"
            title="Bookmark"
            aria-pressed={!!s.bookmarked}
            disabled={action.busy}
            onClick={bookmark}
          >
            <Icon name="bookmark" size={18} />
          </button>
          <button
            type="button"
            className="icon"
            aria-label="React"
            title="React"
            aria-expanded={picking}
            disabled={action.busy}
            onClick={() => setPicking(!picking)}
          >
            <Icon name="smile" size={18} />
          </button>
          {mine && (
            <>
              <button
                type="button"
                className="icon"
                aria-label="Edit"
                title="Edit"
                onClick={() => setMode('edit')}
              >
                <Icon name="edit" size={18} />
              </button>
              <button
                type="button"
                className="icon"
                aria-label="Delete"
                title="Delete"
                onClick={() => setMode('delete')}
              >
                <Icon name="trash" size={18} />
              </button>
            </>
          )}
          {props.extra}
        </footer>
        {(reactions.length > 0 || picking) && (
          <div className="status-reactions">
            {reactions.map((r) => (
              <button
                type="button"
                key={r.name}
                className={`reaction-chip ${r.me ? 'on' : ''}`}
                aria-pressed={r.me}
                aria-label={`${r.name} ${r.count}`}
                disabled={action.busy}
                onClick={() => react(r.name, !r.me)}
              >
                {r.url ? <img src={r.url} alt={r.name} width={18} height={18} /> : r.name}
                <span className="count">{r.count}</span>
              </button>
            ))}
            {picking && (
              <span className="reaction-picker">
                {QUICK_REACTIONS.map((emoji) => (
                  <button
                    type="button"
                    key={emoji}
                    className="reaction-chip"
                    aria-label={`React with ${emoji}`}
                    disabled={action.busy}
                    onClick={() => react(emoji, true)}
                  >
                    {emoji}
                  </button>
                ))}
              </span>
            )}
          </div>
        )}
        {mode !== 'delete' && <Alert message={action.error} />}
        {mode === 'reply' && (
          <Composer
            replyTo={s}
            autoFocus
            onDone={(reply) => {
              setMode(null);
              props.onChange({ ...s, replies_count: s.replies_count + 1 });
              props.onReplied?.(reply);
            }}
            onCancel={() => setMode(null)}
          />
        )}
      </div>
      {mode === 'delete' && (
        <ConfirmDialog
          title="Delete post"
          confirm="Delete"
          busy={action.busy}
          error={action.error}
          onConfirm={remove}
          onClose={() => setMode(null)}
        >
          <p>Delete this post? Replies to it stay. This cannot be undone.</p>
        </ConfirmDialog>
      )}
      {mode === 'history' && <History statusId={s.id} onClose={() => setMode(null)} />}
    </article>
  );
}

/** A status's versions, newest first. */
function History({ statusId, onClose }: { statusId: string; onClose: () => void }) {
  const { data, error } = useLoad(() => endpoints.statusHistory(statusId), statusId);
  const edits = data ? data.slice().reverse() : null;
  return (
    <Dialog title="Edit history" onClose={onClose}>
      <Alert message={error} />
      {edits === null && !error && <p className="muted">Loading…</p>}
      <ol className="edit-history">
        {edits?.map((e, i) => (
          <li key={e.created_at}>
            <p className="muted">
              {i === edits.length - 1 ? 'Original' : i === 0 ? 'Current' : 'Edited'} ·{' '}
              {new Date(e.created_at).toLocaleString()}
            </p>
            {e.spoiler_text && <p className="cw">{e.spoiler_text}</p>}
            <Html className="status-content" html={e.content} />
          </li>
        ))}
      </ol>
    </Dialog>
  );
}
