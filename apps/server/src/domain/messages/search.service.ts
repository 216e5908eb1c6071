import { hasPermission, Permission } from '@hearth/permissions';
import { ChannelKind, ChannelType, isThreadType, type Message } from '@hearth/protocol';
import { and, count, desc, eq, gt, inArray, lt, type SQL, sql } from 'drizzle-orm';
import { attachments, channels, messages, permissionOverwrites, threadMembers } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { groupBy } from '../group-by';
import { loadGuildActor, privateThreadRule } from '../guilds/guild-access';
import { loadMessageChannel } from './message-channel';
import { hydrateMessages, messageColumns } from './messages.wire';

export interface SearchQuery {
  content?: string;
  authorIds?: string[];
  channelIds?: string[];
  mentions?: string[];
  has?: string[];
  /** Only messages with a greater id (Discord's min_id: `after:` a date, as the snowflake of its end). */
  minId?: string;
  /** Only messages with a smaller id (Discord's max_id: `before:` a date). */
  maxId?: string;
  limit: number;
  offset: number;
}

export interface SearchResult {
  total_results: number;
  /** Each hit is a one-message array, as in Discord's search answer. */
  messages: Message[][];
  doing_deep_historical_index: false;
}

const READABLE = Permission.VIEW_CHANNEL | Permission.READ_MESSAGE_HISTORY;
/** Text-like channels, voice channels (text in voice) and threads. */
const SEARCHABLE_TYPES = new Set<number>([
  ...ChannelKind.text,
  ChannelType.GuildVoice,
  ...ChannelKind.thread,
]);

/** Message search over the channels a caller may read: full-text on content plus Discord's filters. */
export class SearchService {
  constructor(private readonly deps: Deps) {}

  async inGuild(principal: Principal, guildId: string, q: SearchQuery): Promise<SearchResult> {
    const { db } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    const [rows, overwrites, joined] = await Promise.all([
      db
        .select({ id: channels.id, type: channels.type, parentId: channels.parentId })
        .from(channels)
        .where(eq(channels.guildId, guildId)),
      db.select().from(permissionOverwrites).where(eq(permissionOverwrites.guildId, guildId)),
      db
        .select({ channelId: threadMembers.channelId })
        .from(threadMembers)
        .where(and(eq(threadMembers.guildId, guildId), eq(threadMembers.userId, principal.userId))),
    ]);
    const memberOf = new Set(joined.map((t) => t.channelId));
    const byChannel = groupBy(
      overwrites,
      (o) => o.channelId,
      (o) => o,
    );
    const readable = rows
      .filter((c) => SEARCHABLE_TYPES.has(c.type))
      .filter((c) => {
        // Threads are read with their parent's permissions, private ones only by their members and managers.
        const thread = isThreadType(c.type);
        const source = thread && c.parentId ? c.parentId : c.id;
        const permissions = actor.channelPermissions(byChannel.get(source) ?? [], { isThread: thread });
        return hasPermission(privateThreadRule(c.type, permissions, memberOf.has(c.id)), READABLE);
      })
      .map((c) => c.id);
    const scope = q.channelIds?.length ? readable.filter((id) => q.channelIds!.includes(id)) : readable;
    return this.run(scope, q, principal.userId);
  }

  async inChannel(principal: Principal, channelId: string, q: SearchQuery): Promise<SearchResult> {
    const ctx = await loadMessageChannel(this.deps.db, channelId, principal.userId);
    return this.run(hasPermission(ctx.permissions, READABLE) ? [channelId] : [], q, principal.userId);
  }

  private async run(channelIds: string[], q: SearchQuery, viewerId: string): Promise<SearchResult> {
    const empty: SearchResult = { total_results: 0, messages: [], doing_deep_historical_index: false };
    if (!channelIds.length) return empty;
    const { db } = this.deps;
    const where: SQL[] = [inArray(messages.channelId, channelIds)];
    if (q.content?.trim())
      where.push(sql`${messages.searchVector} @@ plainto_tsquery('simple', ${q.content})`);
    if (q.authorIds?.length) where.push(inArray(messages.authorId, q.authorIds));
    for (const id of q.mentions ?? []) where.push(sql`jsonb_exists(${messages.mentionUserIds}, ${id})`);
    for (const kind of q.has ?? []) where.push(hasFilter(kind));
    if (q.minId) where.push(gt(messages.id, q.minId));
    if (q.maxId) where.push(lt(messages.id, q.maxId));
    const condition = and(...where);
    const [[{ n }], rows] = await Promise.all([
      db.select({ n: count() }).from(messages).where(condition),
      db
        .select(messageColumns)
        .from(messages)
        .where(condition)
        .orderBy(desc(messages.id))
        .limit(q.limit)
        .offset(q.offset),
    ]);
    // Hydrate per channel (message objects are built channel by channel), keeping the overall order.
    const built = new Map<string, Message>();
    for (const [channelId, list] of groupBy(
      rows,
      (r) => r.channelId,
      (r) => r,
    )) {
      for (const m of await hydrateMessages(db, this.deps.attachmentUrls, list, viewerId))
        built.set(`${channelId}:${m.id}`, m);
    }
    return {
      total_results: n,
      messages: rows.map((r) => [built.get(`${r.channelId}:${r.id}`)!]),
      doing_deep_historical_index: false,
    };
  }
}

function hasFilter(kind: string): SQL {
  const withAttachment = (typePattern: string | null) =>
    sql`exists (select 1 from ${attachments} a where a.channel_id = ${messages.channelId} and a.message_id = ${messages.id}${typePattern ? sql` and a.content_type like ${typePattern}` : sql``})`;
  switch (kind) {
    case 'link':
      return sql`${messages.content} ~ 'https?://'`;
    case 'embed':
      return sql`jsonb_array_length(${messages.embeds}) > 0`;
    case 'image':
      return withAttachment('image/%');
    case 'video':
      return withAttachment('video/%');
    case 'sound':
      return withAttachment('audio/%');
    case 'sticker':
      return sql`jsonb_array_length(${messages.stickerItems}) > 0`;
    default:
      return withAttachment(null);
  }
}
