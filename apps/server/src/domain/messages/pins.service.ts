import { hasPermission, Permission } from '@hearth/permissions';
import type { Message } from '@hearth/protocol';
import { and, desc, eq, lt } from 'drizzle-orm';
import { messages } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { loadMessageChannel } from './message-channel';
import { hydrateMessages, messageColumns } from './messages.wire';

/** One page of Discord's current pins list (`GET /channels/:id/messages/pins`). */
export interface PinsPage {
  items: Array<{ pinned_at: string; message: Message }>;
  has_more: boolean;
}

export const PINS_PAGE_MAX = 50;

/** The pins of a channel, newest pin first, paged by pin time. */
export class PinsService {
  constructor(private readonly deps: Deps) {}

  /**
   * The pins pinned before `before` (all when absent), at most `limit` (1 to 50, 50 by default). Seeing the channel
   * is needed (404 otherwise); without READ_MESSAGE_HISTORY the list is empty, as the old `/pins` route answers.
   */
  async list(
    principal: Principal,
    channelId: string,
    opts: { before?: Date; limit?: number },
  ): Promise<PinsPage> {
    const { db } = this.deps;
    const ctx = await loadMessageChannel(db, channelId, principal.userId);
    if (!hasPermission(ctx.permissions, Permission.READ_MESSAGE_HISTORY))
      return { items: [], has_more: false };
    const limit = Math.min(Math.max(opts.limit ?? PINS_PAGE_MAX, 1), PINS_PAGE_MAX);
    const rows = await db
      .select(messageColumns)
      .from(messages)
      .where(
        and(
          eq(messages.channelId, channelId),
          eq(messages.pinned, true),
          opts.before ? lt(messages.pinnedAt, opts.before) : undefined,
        ),
      )
      .orderBy(desc(messages.pinnedAt), desc(messages.id))
      .limit(limit + 1);
    const page = rows.slice(0, limit);
    const hydrated = await hydrateMessages(db, this.deps.attachmentUrls, page);
    const pinnedAt = new Map(page.map((r) => [r.id, r.pinnedAt]));
    return {
      items: hydrated.map((message) => ({
        pinned_at: (pinnedAt.get(message.id) ?? new Date(message.timestamp)).toISOString(),
        message,
      })),
      has_more: rows.length > limit,
    };
  }
}
