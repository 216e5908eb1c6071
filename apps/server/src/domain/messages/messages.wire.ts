import {
  isSnowflake,
  type Message,
  MessageFlags,
  MessageType,
  snowflakeIsoTimestamp,
} from '@hearth/protocol';
import { type AnyColumn, and, eq, getTableColumns, inArray, type SQL, sql } from 'drizzle-orm';
import { type DbOrTx, preparedStatement } from '../../store/db';
import { fromJson, jsonList, rowJson } from '../../store/json-rows';
import { attachments, messages, reactions, users } from '../../store/schema';
import { groupBy } from '../group-by';
import { deletedUser, type PublicUserRow, publicUserColumns, toPublicUser } from '../users/users.wire';
import { type AttachmentRow, type AttachmentUrls, toAttachmentWire } from './attachments';

type UserRow = typeof users.$inferSelect;

/** A message's columns without the generated search_vector, which only search reads (and never returns). */
const { searchVector: _searchVector, ...columns } = getTableColumns(messages);
export const messageColumns = columns;
export type MessageRow = Omit<typeof messages.$inferSelect, 'searchVector'>;
/** The columns a message object is built from (see buildMessages), by property name. */
export const wireMessageColumns = {
  id: messages.id,
  channelId: messages.channelId,
  authorId: messages.authorId,
  type: messages.type,
  content: messages.content,
  tts: messages.tts,
  mentionEveryone: messages.mentionEveryone,
  mentionUserIds: messages.mentionUserIds,
  mentionRoleIds: messages.mentionRoleIds,
  flags: messages.flags,
  pinned: messages.pinned,
  nonce: messages.nonce,
  editedAt: messages.editedAt,
  referenceChannelId: messages.referenceChannelId,
  referenceMessageId: messages.referenceMessageId,
  referenceGuildId: messages.referenceGuildId,
  embeds: messages.embeds,
  components: messages.components,
  stickerItems: messages.stickerItems,
  call: messages.call,
  webhookId: messages.webhookId,
  webhookName: messages.webhookName,
  webhookAvatar: messages.webhookAvatar,
  webhookAvatarUrl: messages.webhookAvatarUrl,
  applicationId: messages.applicationId,
  interactionMetadata: messages.interactionMetadata,
};
export type WireMessageRow = Pick<MessageRow, keyof typeof wireMessageColumns>;

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
  const refIds = rows
    .filter((r) => r.type === MessageType.Reply && r.referenceMessageId)
    .map((r) => r.referenceMessageId!);
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
  // A message just written has no reactions yet; then only its files, people or the message it replies to may be
  // missing. Replied-to messages are shown with their files and reactions, as on a history page.
  const loaded =
    opts.fresh && !opts.withFiles && !needUsers && !referenced.length
      ? { files: [], counts: [], people: known }
      : await loadAround(db, channelId, all, viewerId, needUsers ? userIds : [], known);
  return buildMessages(urls, rows, referenced, loaded);
}

/** What a page of messages is shown with: the files and reaction counts of its messages, and the people it names. */
export interface MessageSurroundings {
  files: AttachmentRow[];
  counts: ReactionCount[];
  people: PublicUserRow[];
}

/**
 * The Discord message objects of `rows` (one channel), from what was read with them: the messages replies refer to
 * (`referenced`) and the rows' files, reaction counts and people. A deleted author is shown as Discord's deleted user.
 */
export function buildMessages(
  urls: AttachmentUrls,
  rows: WireMessageRow[],
  referenced: WireMessageRow[],
  loaded: MessageSurroundings,
): Message[] {
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
  const build = (r: WireMessageRow, withReference: boolean): Message => {
    const message: Message = {
      id: r.id,
      channel_id: r.channelId,
      author: r.webhookId ? webhookAuthor(r) : (byId.get(r.authorId) ?? deletedUser(r.authorId)),
      content: r.content,
      timestamp: snowflakeIsoTimestamp(r.id),
      edited_timestamp: r.editedAt?.toISOString() ?? null,
      tts: r.tts,
      mention_everyone: r.mentionEveryone,
      mentions: r.mentionUserIds.map((id) => byId.get(id)).filter((u) => !!u),
      mention_roles: r.mentionRoleIds,
      attachments: (files.get(r.id) ?? []).map((a) => toAttachmentWire(a, urls)),
      // SUPPRESS_EMBEDS: Discord serialises the message with no embeds at all.
      embeds: r.flags & MessageFlags.SuppressEmbeds ? [] : embedsWithProxies(r.embeds, urls),
      pinned: r.pinned,
      type: r.type,
      flags: r.flags,
      components: r.components,
    };
    if (r.nonce !== null) message.nonce = r.nonce;
    if (r.webhookId) message.webhook_id = r.webhookId;
    if (r.stickerItems.length) message.sticker_items = r.stickerItems;
    if (r.call) message.call = r.call;
    if (r.interactionMetadata)
      Object.assign(message, interactionFields(r.applicationId, r.interactionMetadata));
    const rs = reactionsOf.get(r.id);
    if (rs) message.reactions = rs;
    if (r.referenceChannelId) {
      message.message_reference = {
        type: 0,
        channel_id: r.referenceChannelId,
        ...(r.referenceMessageId ? { message_id: r.referenceMessageId } : {}),
        ...(r.referenceGuildId ? { guild_id: r.referenceGuildId } : {}),
      };
      if (withReference && r.type === MessageType.Reply) {
        const ref = r.referenceMessageId ? refById.get(r.referenceMessageId) : undefined;
        message.referenced_message = ref ? build(ref, false) : null;
      }
    }
    return message;
  };
  return rows.map((r) => build(r, true));
}

type ImageRef = { url?: unknown; proxy_url?: string };
type IconRef = { icon_url?: unknown; proxy_icon_url?: string };

/**
 * A message's embeds as sent to clients: each http(s) image, thumbnail and icon gets a `proxy_url` (`proxy_icon_url`)
 * on this server (as Discord's media proxy gives), which clients under a strict CSP load instead of the original.
 */
function embedsWithProxies(embeds: unknown[], urls: AttachmentUrls): unknown[] {
  if (!embeds.length) return embeds;
  const proxied = (url: unknown) =>
    typeof url === 'string' && /^https?:\/\//i.test(url) ? urls.embedImage(url) : undefined;
  return embeds.map((raw) => {
    if (!raw || typeof raw !== 'object') return raw;
    const e = { ...(raw as Record<string, unknown>) };
    for (const key of ['image', 'thumbnail'] as const) {
      const ref = e[key] as ImageRef | undefined;
      const proxy = ref && proxied(ref.url);
      if (proxy) e[key] = { ...ref, proxy_url: proxy };
    }
    for (const key of ['author', 'footer'] as const) {
      const ref = e[key] as IconRef | undefined;
      const proxy = ref && proxied(ref.icon_url);
      if (proxy) e[key] = { ...ref, proxy_icon_url: proxy };
    }
    return e;
  });
}

/**
 * The avatar "hash" of a webhook message sent with an avatar_url override: its channel and message ids, 16 hex
 * digits each, so `/avatars/<webhook id>/<hash>.png` — where libraries look (discord.js's avatarURL()) — finds the
 * message and redirects to the URL it was sent with (ADR 0018). Shaped as Discord's hashes are: 32 hex digits.
 */
function overrideAvatarHash(channelId: string, messageId: string): string {
  return BigInt(channelId).toString(16).padStart(16, '0') + BigInt(messageId).toString(16).padStart(16, '0');
}

/** The channel and message ids an overrideAvatarHash names, or null when it names none. */
export function readOverrideAvatarHash(hash: string): { channelId: string; messageId: string } | null {
  if (!/^[0-9a-f]{32}$/.test(hash)) return null;
  const channelId = BigInt(`0x${hash.slice(0, 16)}`).toString();
  const messageId = BigInt(`0x${hash.slice(16)}`).toString();
  return isSnowflake(channelId) && isSnowflake(messageId) ? { channelId, messageId } : null;
}

/**
 * The author Discord shows on a webhook's message: a bot-flagged user named by the webhook (or the name the message was
 * sent with), whose id is the webhook's. An avatar_url override is not fetched (ADR 0018): it is carried as
 * `avatar_url`, and `avatar` is a hash whose CDN path redirects to it.
 */
function webhookAuthor(r: WireMessageRow): Message['author'] {
  return {
    id: r.webhookId!,
    username: r.webhookName ?? 'Webhook',
    discriminator: '0000',
    global_name: null,
    avatar: r.webhookAvatarUrl ? overrideAvatarHash(r.channelId, r.id) : r.webhookAvatar,
    banner: null,
    accent_color: null,
    bio: '',
    bot: true,
    system: false,
    public_flags: 0,
    flags: 0,
    avatar_decoration_data: null,
    ...(r.webhookAvatarUrl ? { avatar_url: r.webhookAvatarUrl } : {}),
  };
}

export interface ReactionCount {
  messageId: string;
  id: string | null;
  name: string;
  animated: boolean;
  count: number;
  me: boolean;
}

/** A PostgreSQL array literal of snowflakes, passed as one parameter rather than one parameter per id. */
const idArray = (ids: string[]) => `{${ids.join(',')}}`;

/** A condition on a message id column: the message is one of those being shown. */
export type AmongShown = (messageId: AnyColumn) => SQL;

/** The files of the messages shown, as a JSON list of attachment rows (see fromJson), in upload order. */
export const filesJson = (shown: AmongShown) =>
  jsonList<
    Record<string, unknown>
  >(sql`select json_agg(${rowJson(attachments)} order by ${attachments.id}) from ${attachments}
    where ${attachments.channelId} = ${sql.placeholder('channelId')} and ${shown(attachments.messageId)}`);

/** The reaction counts of the messages shown, per message and emoji, first reacted first; `me` for `viewerId`. */
export const reactionCountsJson = (shown: AmongShown) =>
  jsonList<ReactionCount>(sql`select json_agg(json_build_object('messageId', r.message_id::text,
    'id', r.emoji_id::text, 'name', r.emoji_name, 'animated', r.emoji_animated, 'count', r.n, 'me', r.me)
    order by r.first) from (
      select ${reactions.messageId} as message_id, ${reactions.emojiId} as emoji_id,
        ${reactions.emojiName} as emoji_name, ${reactions.emojiAnimated} as emoji_animated,
        count(*)::int as n, bool_or(${reactions.userId} = ${sql.placeholder('viewerId')}::bigint) as me,
        min(${reactions.createdAt}) as first
      from ${reactions}
      where ${reactions.channelId} = ${sql.placeholder('channelId')} and ${shown(reactions.messageId)}
      group by ${reactions.messageId}, ${reactions.emojiKey}, ${reactions.emojiId}, ${reactions.emojiName},
        ${reactions.emojiAnimated}) r`);

/** The users whose id satisfies `named`, as a JSON list of their public columns (see fromJson). */
export const peopleJson = (named: SQL) =>
  jsonList<Record<string, unknown>>(
    sql`select json_agg(${rowJson(publicUserColumns)}) from ${users} where ${named}`,
  );

/** What rows loaded elsewhere are shown with, in one statement; the message and user ids are array parameters. */
const aroundQuery = preparedStatement('message_hydration', (db) => {
  const inPage: AmongShown = (column) => sql`${column} = any(${sql.placeholder('messageIds')}::bigint[])`;
  return db
    .select({
      files: filesJson(inPage),
      counts: reactionCountsJson(inPage),
      people: peopleJson(sql`${users.id} = any(${sql.placeholder('userIds')}::bigint[])`),
    })
    .from(sql`(values (1)) as one (x)`);
});

async function loadAround(
  db: DbOrTx,
  channelId: string,
  rows: MessageRow[],
  viewerId: string | undefined,
  userIds: string[],
  known: UserRow[],
): Promise<MessageSurroundings> {
  const [row] = await aroundQuery(db).execute({
    channelId,
    messageIds: idArray(rows.map((r) => r.id)),
    viewerId: viewerId ?? '0',
    userIds: idArray(userIds),
  });
  return {
    files: fromJson<AttachmentRow>(attachments, row.files),
    counts: row.counts,
    people: userIds.length ? fromJson<PublicUserRow>(publicUserColumns, row.people) : known,
  };
}

/**
 * What an interaction's response or follow-up carries, as on Discord: its application (also as `webhook_id`, the
 * interaction's webhook being the application), `interaction_metadata`, and the deprecated `interaction`.
 */
export function interactionFields(
  applicationId: string | null,
  metadata: Record<string, unknown>,
): Pick<Message, 'application_id' | 'webhook_id' | 'interaction_metadata' | 'interaction'> {
  return {
    ...(applicationId ? { application_id: applicationId, webhook_id: applicationId } : {}),
    interaction_metadata: metadata,
    interaction: {
      id: metadata.id,
      type: metadata.type,
      name: metadata.name ?? '',
      user: metadata.user,
    },
  };
}
