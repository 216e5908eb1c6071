// A list of statuses (a timeline, a profile's posts) that loads older pages as it is scrolled.
import type { ReactNode } from 'react';
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
  /** Statuses the user just posted, shown on top until the list has them. */
  fresh?: Status[];
  label: string;
}) {
  const list = usePaged(props.load, props.feedKey);
  const end = useEndOfList(list.more, list.hasMore, list.items.length);
  const known = new Set(list.items.map((s) => s.id));
  const fresh = (props.fresh ?? []).filter((s) => !known.has(s.id));
  const all = [...fresh, ...list.items];
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
      <div className="scroll social-scroll">{props.children}</div>
    </div>
  );
}

/** Back to where the reader came from in the app, else to the home feed. */
export function BackButton() {
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
