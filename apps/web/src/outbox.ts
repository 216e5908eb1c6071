// Sending: optimistic messages matched back by nonce, retried with the same nonce (the server's
// enforce_nonce makes a retry after a lost answer harmless). Files go through the cloud-upload flow (uploads.ts).
import * as endpoints from './endpoints';
import { addHistory, addPending, type PendingMessage, updatePending } from './store';

/** Limits.messageContent of @hearth/protocol (copied: the web bundle does not import the protocol package). */
export const messageLimit = 2000;

/** Why a message is too long to send, or null when it fits. */
export function tooLongReason(content: string): string | null {
  const n = content.trim().length;
  if (n <= messageLimit) return null;
  return `Your message is ${n.toLocaleString('en')} characters long; the limit is ${messageLimit.toLocaleString('en')}.`;
}

let nonceCounter = 0;
/** A nonce like Discord's clients use: a snowflake for now, unique within this tab. */
export function newNonce(): string {
  return String(((BigInt(Date.now()) - 1420070400000n) << 22n) + BigInt(nonceCounter++ % 4096));
}

/** Sends (or re-sends) a pending message; the server's answer or MESSAGE_CREATE settles it. */
export async function sendMessage(p: PendingMessage): Promise<void> {
  try {
    const message = await endpoints.createMessage(p.channel_id, {
      content: p.content,
      nonce: p.nonce,
      enforce_nonce: true,
      ...(p.replyTo ? { message_reference: { message_id: p.replyTo, fail_if_not_exists: false } } : {}),
    });
    addHistory(p.channel_id, [message], {});
    updatePending(p.channel_id, p.nonce, null);
  } catch (err) {
    updatePending(p.channel_id, p.nonce, { failed: true, error: (err as Error).message });
  }
}

export function queueMessage(channelId: string, content: string, replyTo: string | null): void {
  const p: PendingMessage = { nonce: newNonce(), channel_id: channelId, content, replyTo, failed: false };
  addPending(p);
  void sendMessage(p);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * An attachment's URL as a path on this server. The server signs it with PUBLIC_URL, which need not be the
 * address the app was opened at (127.0.0.1 vs localhost), and the CSP lets images load only from 'self'.
 */
export function mediaUrl(url: string): string {
  try {
    const u = new URL(url, location.href);
    return u.pathname.startsWith('/attachments/') || u.pathname === '/embed-images'
      ? u.pathname + u.search
      : url;
  } catch {
    return url;
  }
}
