import type { Message } from '@hearth/protocol';
import { and, count, eq, getTableColumns, inArray, min, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db';
import { messages, reactions, users } from '../../store/schema';
import { toPublicUser } from '../users/users.wire';
import { type AttachmentUrls, attachmentsOf, toAttachmentWire } from './attachments';

/** A message's columns without the generated search_vector, which only search reads (and never returns). */
export const { searchVector: _searchVector, ...messageColumns } = getTableColumns(messages);
export type MessageRow = Omit<typeof messages.$inferSelect, 'searchVector'>;

/**
 * Builds Discord message objects for rows of one channel: authors, mentions, replied-to messages and reaction counts
 * (with `me` for `viewerId`) in batched reads.
 */
export async function hydrateMessages(
  db: DbOrTx,
  urls: AttachmentUrls,
  rows: MessageRow[],
  viewerId?: string,
  opts: { fresh?: boolean; withFiles?: boolean; knownUsers?: Array<typeof users.$inferSelect> } = {},
): Promise<Message[]> {
  if (!rows.length) return [];
  const channelId = rows[0].channelId;
  const ids = rows.map((r) => r.id);
  const refKeys = rows
    .filter((r) => r.referenceMessageId && r.referenceChannelId)
    .map((r) => ({ channelId: r.referenceChannelId!, id: r.referenceMessageId! }));
  // Independent reads, sent together; a message just written has no reactions yet.
  const [fileRows, counts, referenced] = await Promise.all([
    opts.fresh && !opts.withFiles ? [] : attachmentsOf(db, channelId, ids),
    opts.fresh ? [] : reactionCounts(db, channelId, ids, viewerId),
    refKeys.length
      ? db
          .select(messageColumns)
          .from(messages)
          .where(or(...refKeys.map((k) => and(eq(messages.channelId, k.channelId), eq(messages.id, k.id)))))
      : [],
  ]);
  const files = groupBy(fileRows, (a) => a.messageId);
  const reactionsOf = new Map<string, NonNullable<Message['reactions']>>();
  for (const c of counts) {
    const list = reactionsOf.get(c.messageId) ?? [];
    list.push({
      count: c.count,
      count_details: { burst: 0, normal: c.count },
      me: !!c.me,
      me_burst: false,
      burst_colors: [],
      emoji: { id: c.id, name: c.name, ...(c.id ? { animated: c.animated } : {}) },
    });
    reactionsOf.set(c.messageId, list);
  }
  const all = [...rows, ...referenced];
  const userIds = [...new Set(all.flatMap((r) => [r.authorId, ...r.mentionUserIds]))];
  const known = opts.knownUsers ?? [];
  const people = userIds.every((id) => known.some((u) => u.id === id))
    ? known
    : await db.select().from(users).where(inArray(users.id, userIds));
  const byId = new Map(people.map((u) => [u.id, toPublicUser(u)]));
  const refById = new Map(referenced.map((r) => [r.id, r]));
  const build = (r: MessageRow, withReference: boolean): Message => {
    const message: Message = {
      id: r.id,
      channel_id: r.channelId,
      author: byId.get(r.authorId) ?? deletedUser(r.authorId),
      content: r.content,
      timestamp: new Date(Number((BigInt(r.id) >> 22n) + 1420070400000n)).toISOString(),
      edited_timestamp: r.editedAt?.toISOString() ?? null,
      tts: r.tts,
      mention_everyone: r.mentionEveryone,
      mentions: r.mentionUserIds.map((id) => byId.get(id)).filter((u) => !!u),
      mention_roles: r.mentionRoleIds,
      attachments: (files.get(r.id) ?? []).map((a) => toAttachmentWire(a, urls)),
      embeds: r.embeds,
      pinned: r.pinned,
      type: r.type,
      flags: r.flags,
      components: r.components,
    };
    if (r.nonce !== null) message.nonce = r.nonce;
    const rs = reactionsOf.get(r.id);
    if (rs) message.reactions = rs;
    if (r.referenceChannelId) {
      message.message_reference = {
        type: 0,
        channel_id: r.referenceChannelId,
        ...(r.referenceMessageId ? { message_id: r.referenceMessageId } : {}),
        ...(r.referenceGuildId ? { guild_id: r.referenceGuildId } : {}),
      };
      if (withReference && r.type === 19) {
        const ref = r.referenceMessageId ? refById.get(r.referenceMessageId) : undefined;
        message.referenced_message = ref ? build(ref, false) : null;
      }
    }
    return message;
  };
  return rows.map((r) => build(r, true));
}

function deletedUser(id: string) {
  return {
    id,
    username: 'deleted_user',
    discriminator: '0',
    global_name: 'Deleted User',
    avatar: null,
    banner: null,
    accent_color: null,
    bio: '',
    bot: false,
    system: false,
    public_flags: 0,
    flags: 0,
    avatar_decoration_data: null,
  };
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) map.set(key(item), [...(map.get(key(item)) ?? []), item]);
  return map;
}

/** Reaction counts per message and emoji, first-reacted first, with `me` for `viewerId`. */
function reactionCounts(db: DbOrTx, channelId: string, messageIds: string[], viewerId: string | undefined) {
  return db
    .select({
      messageId: reactions.messageId,
      key: reactions.emojiKey,
      id: reactions.emojiId,
      name: reactions.emojiName,
      animated: reactions.emojiAnimated,
      count: count(),
      me: sql<boolean>`bool_or(${reactions.userId} = ${viewerId ?? '0'})`,
      first: min(reactions.createdAt),
    })
    .from(reactions)
    .where(and(eq(reactions.channelId, channelId), inArray(reactions.messageId, messageIds)))
    .groupBy(
      reactions.messageId,
      reactions.emojiKey,
      reactions.emojiId,
      reactions.emojiName,
      reactions.emojiAnimated,
    )
    .orderBy(min(reactions.createdAt));
}
