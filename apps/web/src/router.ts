// A small history router: the app's screens are a handful of paths (see clientRoutes in the server).
import { useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => {
  for (const l of listeners) l();
});

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === location.pathname + location.search + location.hash) return;
  // Each entry remembers where it came from, so a Back button can tell whether Back returns there.
  if (opts.replace) history.replaceState({ prev: history.state?.prev ?? null }, '', to);
  else history.pushState({ prev: location.pathname }, '', to);
  for (const l of listeners) l();
}

/** The current path; re-renders on navigation. */
export function usePath(): string {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => location.pathname,
  );
}

/** Matches `/channels/:guild/:channel` style patterns; null when the path does not fit. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/');
  const a = path.replace(/\/+$/, '').split('/');
  if (p.length !== a.length && !(p.length === a.length + 1 && p[p.length - 1].endsWith('?'))) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const seg = p[i];
    if (seg.startsWith(':')) {
      const name = seg.slice(1).replace(/\?$/, '');
      if (a[i] === undefined) {
        if (!seg.endsWith('?')) return null;
        continue;
      }
      out[name] = decodeURIComponent(a[i]);
    } else if (seg !== a[i]) return null;
  }
  return out;
}

/** Goes back to `to`: by the browser's Back when that is where this entry came from, else by navigating. */
export function backTo(to: string): void {
  if (history.state?.prev === to) history.back();
  else navigate(to);
}
