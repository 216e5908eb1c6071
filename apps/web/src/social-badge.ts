// The social side's unread badge: notifications newer than the `notifications` marker (ADR 0029). The gateway
// does not carry social events to the web app, so the count is read when a screen showing it mounts, when the tab
// comes back into view and after the user's own social actions; while the social side's streaming socket is up
// each `notification` event adds one, and only while it is down is the count polled every minute.
import { useSyncExternalStore } from 'react';
import { unreadNotifications } from './endpoints';

const POLL_MS = 60_000;
const listeners = new Set<() => void>();
let count = 0;
let timer: ReturnType<typeof setInterval> | null = null;
let inFlight = false;
let streamLive = false;

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

/** One more unread notification (a `notification` event of the user stream). */
export function bumpSocialBadge(): void {
  set(count + 1);
}

function startPolling(): void {
  if (!timer && !streamLive && listeners.size > 0) timer = setInterval(refreshSocialBadge, POLL_MS);
}

function stopPolling(): void {
  if (timer) clearInterval(timer);
  timer = null;
}

/** The streaming socket came up (no polling; the count is read once to catch up) or went down (polling again). */
export function setSocialStreamLive(live: boolean): void {
  if (live === streamLive) return;
  streamLive = live;
  if (live) stopPolling();
  else startPolling();
  refreshSocialBadge();
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
    startPolling();
    document.addEventListener('visibilitychange', onVisible);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      stopPolling();
      document.removeEventListener('visibilitychange', onVisible);
    }
  };
}

/** The number of unread social notifications; polled while something shows it and the stream is down. */
export function useSocialUnread(): number {
  return useSyncExternalStore(subscribe, () => count);
}
