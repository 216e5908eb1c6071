// The social side's one live connection: Mastodon's streaming API (`/api/v1/streaming`, ADR 0035), the `user`
// and `direct` streams, open while the social side is mounted. New statuses, edits and deletes go to whichever feed listens;
// notifications bump the unread badge (which polls only while this socket is down). Reconnects with backoff;
// closes on leaving the social side or signing out.
import { useEffect } from 'react';
import { accessToken, onTokens } from '../../api';
import type { SocialConversation, Status } from '../../endpoints';
import { bumpSocialBadge, setSocialStreamLive } from '../../social-badge';

export type StreamEvent =
  | { event: 'update'; status: Status }
  | { event: 'status.update'; status: Status }
  | { event: 'delete'; id: string };

const listeners = new Set<(e: StreamEvent) => void>();
const conversationListeners = new Set<(c: SocialConversation) => void>();

/** Calls `listener` with each conversation of the `direct` stream (a new direct status in it) while mounted. */
export function useConversationEvents(listener: (c: SocialConversation) => void): void {
  useEffect(() => {
    conversationListeners.add(listener);
    return () => {
      conversationListeners.delete(listener);
    };
  }, [listener]);
}

/** Calls `listener` with each status event of the user stream while the component is mounted. */
export function useStreamEvents(listener: (e: StreamEvent) => void): void {
  useEffect(() => {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, [listener]);
}

const MAX_BACKOFF_MS = 30_000;

function handle(raw: string): void {
  let msg: { event?: string; payload?: string };
  try {
    msg = JSON.parse(raw);
  } catch {
    return;
  }
  if (msg.event === 'notification') {
    bumpSocialBadge();
    return;
  }
  if (typeof msg.payload !== 'string') return;
  if (msg.event === 'conversation') {
    try {
      const conversation = JSON.parse(msg.payload) as SocialConversation;
      for (const l of conversationListeners) l(conversation);
    } catch {
      return;
    }
    return;
  }
  let e: StreamEvent;
  if (msg.event === 'delete') e = { event: 'delete', id: msg.payload };
  else if (msg.event === 'update' || msg.event === 'status.update') {
    try {
      e = { event: msg.event, status: JSON.parse(msg.payload) as Status };
    } catch {
      return;
    }
  } else return;
  for (const l of listeners) l(e);
}

/** Keeps the user stream open while mounted. */
export function useUserStream(): void {
  useEffect(() => {
    let socket: WebSocket | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let attempt = 0;
    let stopped = false;

    const retry = () => {
      setSocialStreamLive(false);
      if (stopped) return;
      const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempt) * (0.5 + Math.random() / 2);
      attempt++;
      timer = setTimeout(connect, delay);
    };
    const connect = async () => {
      timer = null;
      const token = await accessToken();
      if (stopped || !token) return;
      const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
      const ws = new WebSocket(
        `${scheme}://${location.host}/api/v1/streaming?access_token=${encodeURIComponent(token)}`,
      );
      socket = ws;
      ws.onopen = () => {
        attempt = 0;
        ws.send(JSON.stringify({ type: 'subscribe', stream: 'user' }));
        ws.send(JSON.stringify({ type: 'subscribe', stream: 'direct' }));
        setSocialStreamLive(true);
      };
      ws.onmessage = (m) => typeof m.data === 'string' && handle(m.data);
      ws.onclose = () => {
        if (socket === ws) {
          socket = null;
          retry();
        }
      };
    };
    const stop = () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      const ws = socket;
      socket = null;
      ws?.close();
      setSocialStreamLive(false);
    };
    const offTokens = onTokens((t) => !t && stop());
    connect();
    return () => {
      offTokens();
      stop();
    };
  }, []);
}
