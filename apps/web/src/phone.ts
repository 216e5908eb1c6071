// Phone width: one column at a time (servers and channels, or the chat), as in Discord's mobile app.
import { useSyncExternalStore } from 'react';

/** The width below which the layout is one column; matches the @media rule in styles.css. */
const query = '(max-width: 720px)';

export const isPhone = (): boolean => window.matchMedia(query).matches;

/** Whether the layout is the phone one; re-renders when the window crosses the width. */
export function usePhone(): boolean {
  return useSyncExternalStore((l) => {
    const m = window.matchMedia(query);
    m.addEventListener('change', l);
    return () => m.removeEventListener('change', l);
  }, isPhone);
}

/** The list a conversation belongs to: its server's channel list, or the DM list; a profile or post, the feed. */
function listPathOf(path: string): string | null {
  if (path.startsWith('/@')) return '/social';
  const m = /^\/channels\/([^/]+)\/[^/]+$/.exec(path);
  return m ? `/channels/${m[1]}` : null;
}

/**
 * A phone opened straight at a conversation (a deep link, a reload) gets its list put beneath it in the
 * history, so the browser's Back shows the channel list instead of leaving the app.
 */
export function seedPhoneHistory(): void {
  const list = listPathOf(location.pathname);
  if (!isPhone() || !list || history.state?.prev !== undefined) return;
  const here = location.pathname + location.search + location.hash;
  history.replaceState({ prev: null }, '', list);
  history.pushState({ prev: list }, '', here);
}
