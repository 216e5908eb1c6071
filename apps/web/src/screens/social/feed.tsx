// A list of statuses (a timeline, a profile's posts) that loads older pages as it is scrolled.
import { type ReactNode, useEffect } from 'react';
import type { Page } from '../../api';
import type { PageQuery, Status } from '../../endpoints';
import { Icon } from '../../icons';
import { navigate } from '../../router';
import { Alert } from '../../ui';
import { useEndOfList, usePaged } from './paged';
import { StatusCard } from './status';

export function StatusFeed(props: {
  load: (q: PageQuery) => Promise<Page<Status>>;
  /** Reloads from the top when it changes. */
  feedKey: string;
  empty: string;
  /** A status the user just posted, put on top of the list. */
  fresh?: Status | null;
  label: string;
}) {
  const list = usePaged(props.load, props.feedKey);
  const end = useEndOfList(list.more, list.hasMore, list.items.length);
  const { setItems } = list;
  // What the user just posted goes on top, and from then on is the list's own (edited, deleted like the rest).
  useEffect(() => {
    const fresh = props.fresh;
    if (fresh) setItems((old) => (old.some((s) => s.id === fresh.id) ? old : [fresh, ...old]));
  }, [props.fresh, setItems]);
  const all = list.items;
  const change = (s: Status) => list.setItems((old) => old.map((x) => (x.id === s.id ? s : x)));
  const remove = (id: string) => list.setItems((old) => old.filter((x) => x.id !== id));
  return (
    <section className="feed" aria-label={props.label}>
      {all.map((s) => (
        <StatusCard key={s.id} status={s} onChange={change} onRemove={remove} />
      ))}
      {list.loaded && all.length === 0 && <p className="placeholder">{props.empty}</p>}
      <Alert message={list.error} />
      <div ref={end} className="feed-end">
        {list.loading && <p className="muted">Loading…</p>}
        {list.hasMore && !list.loading && (
          <button type="button" onClick={list.more}>
            Load more
          </button>
        )}
      </div>
    </section>
  );
}

/** A titled column: a header with a back button at phone width, and its scrolling body. */
export function Column(props: {
  title: ReactNode;
  back?: boolean;
  actions?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="social-column">
      <header className="conversation-head">
        {props.back && <BackButton />}
        <h2>{props.title}</h2>
        {props.actions && <div className="actions">{props.actions}</div>}
      </header>
      <div className="scroll social-scroll">
        <div className="social-inner">{props.children}</div>
      </div>
    </div>
  );
}

/** Back to where the reader came from in the app, else to the home feed. */
function BackButton() {
  return (
    <button
      type="button"
      className="icon social-back"
      aria-label="Back"
      onClick={() => (history.state?.prev ? history.back() : navigate('/social'))}
    >
      <Icon name="back" />
    </button>
  );
}
