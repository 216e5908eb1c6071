import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { type Webhook, WebhookType } from '@hearth/protocol';
import type { webhooks } from '../../store/schema';
import { type PublicUserRow, toPublicUser } from '../users/users.wire';

export type WebhookRow = typeof webhooks.$inferSelect;

/** A new webhook token: 51 random bytes, 68 base64url characters, the length Discord's tokens have. */
export function newWebhookToken(): string {
  return randomBytes(51).toString('base64url');
}

/** Whether `given` is the webhook's token, in time independent of where they differ. */
export function tokenMatches(row: WebhookRow, given: string): boolean {
  const a = createHash('sha256').update(row.token).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

/**
 * Discord's webhook object. `token` (and `url`) only for those who may manage the webhook or hold its token;
 * `user` only on the authenticated routes.
 */
export function toWebhookWire(
  row: WebhookRow,
  opts: { publicUrl: string; withToken: boolean; creator?: PublicUserRow | null },
): Webhook {
  return {
    id: row.id,
    type: row.type ?? WebhookType.Incoming,
    guild_id: row.guildId,
    channel_id: row.channelId,
    ...(opts.creator ? { user: toPublicUser(opts.creator) } : {}),
    name: row.name,
    avatar: row.avatar,
    application_id: row.applicationId,
    ...(opts.withToken
      ? { token: row.token, url: `${opts.publicUrl}/api/v10/webhooks/${row.id}/${row.token}` }
      : {}),
  };
}
