// The media library (`/social/media`, and its trash at `/social/media/trash`): every upload of the reader's, newest
// first, as a grid of cards: the image (or a player), its alt text to edit, whether a post uses it (the reference
// count, 0 or 1: ADR 0033) with a link to that post, size and date; Move to trash, and in the trash Restore or
// Delete for good. At phone width the grid is one column.
import { useState } from 'react';
import type { LibraryMedia } from '../../endpoints';
import * as endpoints from '../../endpoints';
import { formatBytes } from '../../outbox';
import { useStore } from '../../store';
import { Alert, ConfirmDialog, useAction } from '../../ui';
import { link } from '../chat/link';
import { Column, ListEnd } from './feed';
import { useEndOfList, usePaged } from './paged';

/** Alt text at most this long (the server's bound: Mastodon's 1,500 characters). */
const ALT_MAX = 1500;

export function MediaLibraryPage({ trash }: { trash: boolean }) {
  const list = usePaged((q) => endpoints.mediaLibrary(trash, q), trash ? 'trash' : 'uploads');
  const end = useEndOfList(list.more, list.hasMore, list.items.length);
  const tabs: Array<[string, string, boolean]> = [
    ['/social/media', 'Uploads', false],
    ['/social/media/trash', 'Trash', true],
  ];
  const gone = (id: string) => list.setItems((old) => old.filter((x) => x.id !== id));
  const change = (m: LibraryMedia) => list.setItems((old) => old.map((x) => (x.id === m.id ? m : x)));
  return (
    <Column title="Media">
      <nav className="tabs profile-tabs library-tabs" aria-label="Media library">
        {tabs.map(([to, name, isTrash]) => (
          <a
            key={to}
            href={to}
            onClick={link(to)}
            className="chip"
            aria-current={isTrash === trash ? 'page' : undefined}
          >
            {name}
          </a>
        ))}
      </nav>
      <p className="muted library-hint">
        {trash
          ? 'Media in the trash is hidden from its post. Restore it, or delete it for good.'
          : 'Everything you uploaded. An upload no post uses is removed a day after it was uploaded.'}
      </p>
      <ul className="library-grid" aria-label={trash ? 'Trash' : 'Uploads'}>
        {list.items.map((m) => (
          <MediaCard key={m.id} media={m} onChange={change} onGone={gone} />
        ))}
      </ul>
      {list.loaded && list.items.length === 0 && (
        <p className="placeholder">{trash ? 'The trash is empty.' : 'No uploads yet.'}</p>
      )}
      <Alert message={list.error} />
      <ListEnd ref={end} loading={list.loading} hasMore={list.hasMore} more={list.more} />
    </Column>
  );
}

function MediaCard(props: {
  media: LibraryMedia;
  onChange: (m: LibraryMedia) => void;
  onGone: (id: string) => void;
}) {
  const m = props.media;
  const me = useStore((s) => s.me);
  const [alt, setAlt] = useState(m.description ?? '');
  const [confirming, setConfirming] = useState(false);
  const action = useAction();
  const name = m.description ? `Upload: ${m.description}` : `Upload of ${formatDate(m.created_at)}`;
  const postPath = m.status_id && me ? `/@${me.username}/${m.status_id}` : null;
  const saveAlt = () =>
    action.run(async () => {
      const saved = await endpoints.describeLibraryMedia(m.id, alt.trim());
      setAlt(saved.description ?? '');
      props.onChange(saved);
    });
  const move = (toTrash: boolean) =>
    action.run(async () => {
      await endpoints.trashMedia(m.id, toTrash);
      props.onGone(m.id);
    });
  const remove = () =>
    action.run(async () => {
      await endpoints.deleteTrashedMedia(m.id);
      setConfirming(false);
      props.onGone(m.id);
    });
  return (
    <li className="library-item" aria-label={name}>
      <div className="library-preview">
        <Preview media={m} />
      </div>
      <div className="library-body">
        <label className="library-alt">
          <span>Alt text</span>
          <textarea
            value={alt}
            maxLength={ALT_MAX}
            rows={2}
            placeholder="Describe it for people who cannot see it"
            onChange={(e) => setAlt(e.target.value)}
          />
        </label>
        {alt.trim() !== (m.description ?? '') && (
          <button type="button" className="primary" disabled={action.busy} onClick={saveAlt}>
            Save alt text
          </button>
        )}
        <p className="muted library-meta">
          {kindOf(m)} · {formatBytes(m.size)} · {formatDate(m.created_at)}
        </p>
        <p className="library-refs">
          {postPath ? (
            <a href={postPath} onClick={link(postPath)}>
              Used in 1 post
            </a>
          ) : (
            <span className="muted">Not used in any post</span>
          )}
        </p>
        <Alert message={action.error} />
        <div className="library-actions">
          {m.trashed_at ? (
            <>
              <button type="button" disabled={action.busy} onClick={() => move(false)}>
                Restore
              </button>
              <button
                type="button"
                className="danger"
                disabled={action.busy}
                onClick={() => setConfirming(true)}
              >
                Delete for good
              </button>
            </>
          ) : (
            <button type="button" disabled={action.busy} onClick={() => move(true)}>
              Move to trash
            </button>
          )}
        </div>
      </div>
      {confirming && (
        <ConfirmDialog
          title="Delete for good?"
          confirm="Delete"
          busy={action.busy}
          error={action.error}
          onConfirm={remove}
          onClose={() => setConfirming(false)}
        >
          <p>
            {m.status_id
              ? 'It leaves its post and its files are deleted. This cannot be undone.'
              : 'Its files are deleted. This cannot be undone.'}
          </p>
        </ConfirmDialog>
      )}
    </li>
  );
}

function Preview({ media: m }: { media: LibraryMedia }) {
  const src = m.preview_url ?? m.url ?? '';
  if (m.type === 'image') return <img src={src} alt={m.description ?? ''} loading="lazy" />;
  if (m.type === 'audio')
    // biome-ignore lint/a11y/useMediaCaption: people's own uploads come without captions
    return <audio controls preload="none" src={m.url ?? ''} aria-label={m.description || 'Audio'} />;
  return (
    // biome-ignore lint/a11y/useMediaCaption: people's own uploads come without captions
    <video controls preload="metadata" src={m.url ?? ''} aria-label={m.description || 'Video'} />
  );
}

function kindOf(m: LibraryMedia): string {
  if (m.type === 'image') return m.content_type === 'image/gif' ? 'GIF' : 'Image';
  if (m.type === 'audio') return 'Audio';
  return 'Video';
}

function formatDate(iso: string): string {
  return new Date(iso).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}
