import type { Message } from '@hearth/protocol';
import { type AnyColumn, and, eq, getTableColumns, inArray, type SQL, sql } from 'drizzle-orm';
import { type DbOrTx, preparedStatement } from '../../store/db';
import { fromJson, rowJson } from '../../store/json-rows';
import { attachments, messages, reactions, users } from '../../store/schema';
import { toPublicUser } from '../users/users.wire';
import { type AttachmentRow, type AttachmentUrls, toAttachmentWire } from './attachments';

type UserRow = typeof users.$inferSelect;

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
  opts: { fresh?: boolean; withFiles?: boolean; knownUsers?: UserRow[] } = {},
): Promise<Message[]> {
  if (!rows.length) return [];
  const channelId = rows[0].channelId;
  // Replies are in the same channel as what they reply to.
  const refIds = rows.filter((r) => r.type === 19 && r.referenceMessageId).map((r) => r.referenceMessageId!);
  const referenced: MessageRow[] = refIds.length
    ? await db
        .select(messageColumns)
        .from(messages)
        .where(and(eq(messages.channelId, channelId), inArray(messages.id, [...new Set(refIds)])))
    : [];
  const all = [...rows, ...referenced];
  const userIds = [...new Set(all.flatMap((r) => [r.authorId, ...r.mentionUserIds]))];
  const known = opts.knownUsers ?? [];
  const needUsers = !userIds.every((id) => known.some((u) => u.id === id));
  // A message just written has no reactions yet; then only its files or people may be missing.
  const loaded =
    opts.fresh && !opts.withFiles && !needUsers
      ? { files: [], counts: [], people: known }
      : await loadAround(db, channelId, rows, viewerId, needUsers ? userIds : [], known);
  const files = groupBy(loaded.files, (a) => a.messageId);
  const reactionsOf = new Map<string, NonNullable<Message['reactions']>>();
  for (const c of loaded.counts) {
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
  const byId = new Map(loaded.people.map((u) => [u.id, toPublicUser(u)]));
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

interface ReactionCount {
  messageId: string;
  id: string | null;
  name: string;
  animated: boolean;
  count: number;
  me: boolean;
}

/** A PostgreSQL array literal of snowflakes, passed as one parameter rather than one parameter per id. */
const idArray = (ids: string[]) => `{${ids.join(',')}}`;

const inPage = (column: SQL | AnyColumn) => sql`${column} = any(${sql.placeholder('messageIds')}::bigint[])`;

/**
 * What a page of messages is shown with, in one statement: the files of those messages, their reaction counts per
 * emoji (first reacted first, `me` for the viewer) and the users they name.
 */
const aroundQuery = preparedStatement('message_hydration', (db) =>
  db
    .select({
      files: sql<
        Array<Record<string, unknown>>
      >`coalesce((select json_agg(${rowJson(attachments)}) from ${attachments}
        where ${attachments.channelId} = ${sql.placeholder('channelId')} and ${inPage(attachments.messageId)}), '[]'::json)`,
      counts: sql<
        ReactionCount[]
      >`coalesce((select json_agg(json_build_object('messageId', r.message_id::text,
        'id', r.emoji_id::text, 'name', r.emoji_name, 'animated', r.emoji_animated, 'count', r.n, 'me', r.me)
        order by r.first) from (
          select ${reactions.messageId} as message_id, ${reactions.emojiId} as emoji_id,
            ${reactions.emojiName} as emoji_name, ${reactions.emojiAnimated} as emoji_animated,
            count(*)::int as n, bool_or(${reactions.userId} = ${sql.placeholder('viewerId')}::bigint) as me,
            min(${reactions.createdAt}) as first
          from ${reactions}
          where ${reactions.channelId} = ${sql.placeholder('channelId')} and ${inPage(reactions.messageId)}
          group by ${reactions.messageId}, ${reactions.emojiKey}, ${reactions.emojiId}, ${reactions.emojiName},
            ${reactions.emojiAnimated}) r), '[]'::json)`,
      people: sql<Array<Record<string, unknown>>>`coalesce((select json_agg(${rowJson(users)}) from ${users}
        where ${users.id} = any(${sql.placeholder('userIds')}::bigint[])), '[]'::json)`,
    })
    .from(sql`(values (1)) as one (x)`),
);

async function loadAround(
  db: DbOrTx,
  channelId: string,
  rows: MessageRow[],
  viewerId: string | undefined,
  userIds: string[],
  known: UserRow[],
): Promise<{ files: AttachmentRow[]; counts: ReactionCount[]; people: UserRow[] }> {
  const [row] = await aroundQuery(db).execute({
    channelId,
    messageIds: idArray(rows.map((r) => r.id)),
    viewerId: viewerId ?? '0',
    userIds: idArray(userIds),
  });
  return {
    files: fromJson<AttachmentRow>(attachments, row.files),
    counts: row.counts,
    people: userIds.length ? fromJson<UserRow>(users, row.people) : known,
  };
}
