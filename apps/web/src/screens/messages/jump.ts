// A request to show one message in its channel (a search result, a reply's original): the conversation view
// of that channel takes it, loads older pages until the message is there, scrolls to it and flashes it.
import { useSyncExternalStore } from 'react';

let target: { channelId: string; messageId: string } | null = null;
const listeners = new Set<() => void>();

export function requestJump(channelId: string, messageId: string): void {
  target = { channelId, messageId };
  for (const l of listeners) l();
}

export function clearJump(): void {
  target = null;
  for (const l of listeners) l();
}

/** The message asked for in this channel, if any. */
export function useJumpTarget(channelId: string): string | null {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => (target?.channelId === channelId ? target.messageId : null),
  );
}
