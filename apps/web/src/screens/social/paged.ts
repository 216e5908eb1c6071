// Loading for the social screens: one value (a status, an account), or a Mastodon list paged by `max_id` as the
// reader scrolls (the Link header's next page).
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Page } from '../../api';
import type { PageQuery } from '../../endpoints';

/** A value loaded when `key` changes; `set` replaces it after a change the user made. */
export function useLoad<T>(load: () => Promise<T>, key: string) {
  const [state, setState] = useState<{ key: string; data: T | null; error: string | null }>({
    key,
    data: null,
    error: null,
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: `load` is read when `key` changes
  useEffect(() => {
    let live = true;
    setState({ key, data: null, error: null });
    load().then(
      (data) => live && setState({ key, data, error: null }),
      (e: Error) => live && setState({ key, data: null, error: e.message }),
    );
    return () => {
      live = false;
    };
  }, [key]);
  const current = state.key === key;
  return {
    data: current ? state.data : null,
    error: current ? state.error : null,
    set: (data: T) => setState({ key, data, error: null }),
  };
}

/** A paged list: the first page when `key` changes, the next on `more()`; `items` may be edited in place. */
export function usePaged<T extends { id: string }>(load: (q: PageQuery) => Promise<Page<T>>, key: string) {
  const [items, setItems] = useState<T[]>([]);
  const [next, setNext] = useState<string | null | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const fetchPage = useCallback((maxId: string | undefined, gen: number) => {
    setLoading(true);
    setError(null);
    loadRef.current({ max_id: maxId }).then(
      (page) => {
        if (gen !== generation.current) return;
        setItems((old) => {
          const seen = new Set(old.map((x) => x.id));
          return [...old, ...page.items.filter((x) => !seen.has(x.id))];
        });
        setNext(page.next);
        setLoading(false);
      },
      (e: Error) => {
        if (gen !== generation.current) return;
        setError(e.message);
        setLoading(false);
      },
    );
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new key starts the list again
  useEffect(() => {
    const gen = ++generation.current;
    setItems([]);
    setNext(undefined);
    fetchPage(undefined, gen);
  }, [key, fetchPage]);

  const more = () => {
    if (!loading && next) fetchPage(next, generation.current);
  };
  return { items, setItems, more, hasMore: !!next, loading, error, loaded: next !== undefined };
}

/**
 * Calls `onVisible` when the end of a list scrolls into view (infinite scroll); observed afresh when `length`
 * changes, so a page that leaves the end in view asks for the next.
 */
export function useEndOfList(onVisible: () => void, active: boolean, length: number) {
  const ref = useRef<HTMLDivElement>(null);
  const cb = useRef(onVisible);
  cb.current = onVisible;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new length observes afresh
  useEffect(() => {
    const el = ref.current;
    if (!el || !active) return;
    const io = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && cb.current(), {
      rootMargin: '400px',
    });
    io.observe(el);
    return () => io.disconnect();
  }, [active, length]);
  return ref;
}
