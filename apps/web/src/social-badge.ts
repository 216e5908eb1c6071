// The social side's unread badge: notifications newer than the `notifications` marker (ADR 0029). The gateway
// does not carry social events to the web app, so the count is read when a screen showing it mounts, every
// minute while one does, when the tab comes back into view, and after the user's own social actions.
import { useSyncExternalStore } from 'react';
import { unreadNotifications } from './endpoints';

const POLL_MS = 60_000;
const listeners = new Set<() => void>();
let count = 0;
let timer: ReturnType<typeof setInterval> | null = null;
let inFlight = false;

function set(n: number): void {
  if (n === count) return;
  count = n;
  for (const l of listeners) l();
}

/** Reads the unread count again now. */
export function refreshSocialBadge(): void {
  if (inFlight) return;
  inFlight = true;
  unreadNotifications()
    .then((r) => set(r.count))
    .catch(() => {})
    .finally(() => {
      inFlight = false;
    });
}

/** Clears the badge at once (the notifications were just shown and marked read). */
export function clearSocialBadge(): void {
  set(0);
}

const onVisible = () => document.visibilityState === 'visible' && refreshSocialBadge();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (listeners.size === 1) {
    refreshSocialBadge();
    timer = setInterval(refreshSocialBadge, POLL_MS);
    document.addEventListener('visibilitychange', onVisible);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
      document.removeEventListener('visibilitychange', onVisible);
    }
  };
}

/** The number of unread social notifications; polled while something shows it. */
export function useSocialUnread(): number {
  return useSyncExternalStore(subscribe, () => count);
}
