// A phone's swipe back from a conversation to its list.
import { useRef } from 'react';
import { backTo } from '../../router';

/** A swipe to the right across a phone's conversation goes back to its list, like the Back button. */
export function useSwipeBack(enabled: boolean, guildId: string) {
  const start = useRef<{ x: number; y: number } | null>(null);
  if (!enabled) return {};
  return {
    onTouchStart: (e: React.TouchEvent) => {
      const t = e.touches[0];
      start.current = t ? { x: t.clientX, y: t.clientY } : null;
    },
    onTouchEnd: (e: React.TouchEvent) => {
      const t = e.changedTouches[0];
      const from = start.current;
      start.current = null;
      if (!from || !t) return;
      const dx = t.clientX - from.x;
      const dy = Math.abs(t.clientY - from.y);
      if (dx > 90 && dy < dx / 2) backTo(`/channels/${guildId}`);
    },
  };
}
