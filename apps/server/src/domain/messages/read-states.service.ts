import { and, count, eq, gt, inArray, ne, or, sql } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import { fromJson, jsonList, rowJson } from '../../store/json-rows';
import { channels, memberRoles, messages, readStates } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { loadMessageChannel } from './message-channel';

export interface ReadStateWire {
  id: string;
  last_message_id: string | null;
  mention_count: number;
  last_pin_timestamp: string | null;
}

/**
 * What each user has read per channel. Mention counts are computed from the messages after the read position
 * (direct mentions, role mentions, @everyone), so a mention of many people costs no write per person, and an edit
 * never counts a message twice.
 */
/** In a select list: the read states of user `userId` (a value or placeholder), as JSON for ReadStatesService.fromJson. */
export function readStatesJson(userId: unknown) {
  return jsonList<Record<string, unknown>>(
    sql`select json_agg(${rowJson(readStates)}) from ${readStates} where ${readStates.userId} = ${userId}`,
  );
}

export class ReadStatesService {
  constructor(private readonly deps: Deps) {}

  /**
   * POST /channels/:id/messages/:mid/ack: moves the read position forward, never back, unless `manual` (Discord's
   * "Mark unread": the position is set to the message given, the one before the first unread).
   */
  async ack(
    principal: Principal,
    channelId: string,
    messageId: string,
    opts: { manual?: boolean } = {},
  ): Promise<{ token: null }> {
    const { db } = this.deps;
    await loadMessageChannel(db, channelId, principal.userId);
    const [row] = await db
      .insert(readStates)
      .values({ userId: principal.userId, channelId, lastMessageId: messageId })
      .onConflictDoUpdate({
        target: [readStates.userId, readStates.channelId],
        set: {
          lastMessageId: opts.manual
            ? sql`excluded.last_message_id`
            : sql`greatest(${readStates.lastMessageId}, excluded.last_message_id)`,
          updatedAt: new Date(),
        },
      })
      .returning();
    const [state] = await this.withCounts(principal.userId, [row]);
    this.deps.events.publish('MESSAGE_ACK', Topic.user(principal.userId), {
      channel_id: channelId,
      message_id: state.last_message_id,
      mention_count: state.mention_count,
      version: row.updatedAt.getTime(),
    });
    return { token: null };
  }

  /** The user's read states, for READY, from readStatesJson's column: the mention counts are counted now. */
  fromJson(userId: string, list: Array<Record<string, unknown>>): Promise<ReadStateWire[]> {
    return this.withCounts(userId, fromJson<typeof readStates.$inferSelect>(readStates, list));
  }

  private async withCounts(
    userId: string,
    rows: Array<typeof readStates.$inferSelect>,
  ): Promise<ReadStateWire[]> {
    const { db } = this.deps;
    if (!rows.length) return [];
    const channelRows = await db
      .select({ id: channels.id, guildId: channels.guildId, lastPin: channels.lastPinTimestamp })
      .from(channels)
      .where(
        inArray(
          channels.id,
          rows.map((r) => r.channelId),
        ),
      );
    const byId = new Map(channelRows.map((c) => [c.id, c]));
    const roleRows = await db
      .select({ guildId: memberRoles.guildId, roleId: memberRoles.roleId })
      .from(memberRoles)
      .where(eq(memberRoles.userId, userId));
    return Promise.all(
      rows.map(async (r) => {
        const channel = byId.get(r.channelId);
        const roles = roleRows.filter((x) => x.guildId === channel?.guildId).map((x) => x.roleId);
        const mentionsMe = or(
          eq(messages.mentionEveryone, true),
          sql`jsonb_exists(${messages.mentionUserIds}, ${userId})`,
          roles.length
            ? sql`jsonb_exists_any(${messages.mentionRoleIds}, ${`{${roles.join(',')}}`}::text[])`
            : undefined,
        );
        const [{ n }] = await db
          .select({ n: count() })
          .from(messages)
          .where(
            and(
              eq(messages.channelId, r.channelId),
              r.lastMessageId ? gt(messages.id, r.lastMessageId) : undefined,
              ne(messages.authorId, userId),
              mentionsMe,
            ),
          );
        return {
          id: r.channelId,
          last_message_id: r.lastMessageId,
          mention_count: n,
          last_pin_timestamp: channel?.lastPin?.toISOString() ?? null,
        };
      }),
    );
  }
}
