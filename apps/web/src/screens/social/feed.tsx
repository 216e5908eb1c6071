// A list of statuses (a timeline, a profile's posts) that loads older pages as it is scrolled.
import { type ReactNode, type Ref, useCallback, useEffect, useRef, useState } from 'react';
import type { Page } from '../../api';
import type { PageQuery, Status } from '../../endpoints';
import { Icon } from '../../icons';
import { navigate } from '../../router';
import { Alert } from '../../ui';
import { useEndOfList, usePaged } from './paged';
import { StatusCard } from './status';
import { type StreamEvent, useStreamEvents } from './stream';

/** Whether `s` is the status `id` or a boost of it. */
const isOrBoosts = (s: Status, id: string) => s.id === id || s.reblog?.id === id;

/** `s` with `edited` in place of the status `edited.id` (itself or the status it boosts). */
const withEdit = (s: Status, edited: Status): Status =>
  s.id === edited.id ? edited : s.reblog?.id === edited.id ? { ...s, reblog: edited } : s;

export function StatusFeed(props: {
  load: (q: PageQuery) => Promise<Page<Status>>;
  /** Reloads from the top when it changes. */
  feedKey: string;
  empty: string;
  /** A status the user just posted, put on top of the list. */
  fresh?: Status | null;
  label: string;
  /** New statuses of the user stream go on top (the home feed); edits and deletes apply in any feed. */
  live?: boolean;
}) {
  const list = usePaged(props.load, props.feedKey);
  const end = useEndOfList(list.more, list.hasMore, list.items.length);
  const { setItems } = list;
  const section = useRef<HTMLElement>(null);
  // New posts that came while the reader was scrolled down wait behind the "N new posts" pill.
  const [pending, setPending] = useState<Status[]>([]);
  const live = props.live;
  const onStream = useCallback(
    (e: StreamEvent) => {
      if (e.event === 'delete') {
        setItems((old) => old.filter((x) => !isOrBoosts(x, e.id)));
        setPending((old) => old.filter((x) => !isOrBoosts(x, e.id)));
      } else if (e.event === 'status.update') {
        setItems((old) => old.map((x) => withEdit(x, e.status)));
        setPending((old) => old.map((x) => withEdit(x, e.status)));
      } else if (live) {
        const scroller = section.current?.closest('.social-scroll');
        const add = (old: Status[]) => (old.some((x) => x.id === e.status.id) ? old : [e.status, ...old]);
        if (scroller && scroller.scrollTop > 80) setPending(add);
        else setItems(add);
      }
    },
    [live, setItems],
  );
  useStreamEvents(onStream);
  const showPending = () => {
    const fresh = pending;
    setPending([]);
    setItems((old) => [...fresh.filter((s) => !old.some((x) => x.id === s.id)), ...old]);
    section.current?.closest('.social-scroll')?.scrollTo({ top: 0 });
  };
  // What the user just posted goes on top, and from then on is the list's own (edited, deleted like the rest).
  useEffect(() => {
    const fresh = props.fresh;
    if (fresh) setItems((old) => (old.some((s) => s.id === fresh.id) ? old : [fresh, ...old]));
  }, [props.fresh, setItems]);
  const all = list.items;
  const change = (s: Status) => list.setItems((old) => old.map((x) => (x.id === s.id ? s : x)));
  const remove = (id: string) => list.setItems((old) => old.filter((x) => x.id !== id));
  return (
    <section className="feed" aria-label={props.label} ref={section}>
      {pending.length > 0 && (
        <button type="button" className="new-posts primary" onClick={showPending}>
          {pending.length === 1 ? '1 new post' : `${pending.length} new posts`}
        </button>
      )}
      {all.map((s) => (
        <StatusCard key={s.id} status={s} onChange={change} onRemove={remove} />
      ))}
      {list.loaded && all.length === 0 && <p className="placeholder">{props.empty}</p>}
      <Alert message={list.error} />
      <ListEnd ref={end} loading={list.loading} hasMore={list.hasMore} more={list.more} />
    </section>
  );
}

/** The end of a paged list: observed for infinite scroll (`ref`), "Loading…", or a Load more button. */
export function ListEnd(props: {
  ref: Ref<HTMLDivElement>;
  loading: boolean;
  hasMore: boolean;
  more: () => void;
}) {
  return (
    <div ref={props.ref} className="feed-end">
      {props.loading && <p className="muted">Loading…</p>}
      {props.hasMore && !props.loading && (
        <button type="button" onClick={props.more}>
          Load more
        </button>
      )}
    </div>
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
