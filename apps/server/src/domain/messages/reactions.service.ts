import { hasPermission, Permission } from '@hearth/permissions';
import { ErrorCode, type EventPayload, isSnowflake } from '@hearth/protocol';
import { and, asc, countDistinct, eq, gt } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import type { DbOrTx } from '../../store/db';
import { applicationEmojis, emojis, messages, reactions, users } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { ApiError, missingPermissions, notFound } from '../errors';
import { announceReaction } from '../guilds/group-federation';
import { toMemberWire } from '../guilds/guilds.wire';
import { toPublicUser } from '../users/users.wire';
import { loadMessageChannel, type MessageChannel } from './message-channel';
import { messageColumns } from './messages.wire';

const MAX_DISTINCT_EMOJI = 20;
const RGI_EMOJI = /^\p{RGI_Emoji}$/v;

interface EmojiRef {
  /** The reaction's key: the unicode emoji, or the custom emoji's id. */
  key: string;
  id: string | null;
  name: string;
  animated: boolean;
  /** An application's emoji: only its bot starts reactions with it (anyone may join them). */
  applicationId?: string;
}

const unknownEmoji = () => new ApiError(400, ErrorCode.UnknownEmoji, 'Unknown Emoji');

/**
 * Parses the emoji of a reaction route: a unicode emoji (URL-encoded) or a custom emoji as `name:id` (or `a:name:id`).
 * Custom emoji must exist; unicode must be a real emoji.
 */
async function parseEmoji(db: DbOrTx, raw: string): Promise<EmojiRef> {
  let text = raw;
  try {
    text = decodeURIComponent(raw);
  } catch {
    throw unknownEmoji();
  }
  const custom = /^(?:a:)?([A-Za-z0-9_]{2,32}):(\d{1,20})$/.exec(text);
  if (custom) {
    if (!isSnowflake(custom[2])) throw unknownEmoji();
    const [row] = await db.select().from(emojis).where(eq(emojis.id, custom[2]));
    if (row) return { key: row.id, id: row.id, name: row.name, animated: row.animated };
    const [owned] = await db.select().from(applicationEmojis).where(eq(applicationEmojis.id, custom[2]));
    if (!owned) throw unknownEmoji();
    return {
      key: owned.id,
      id: owned.id,
      name: owned.name,
      animated: owned.animated,
      applicationId: owned.applicationId,
    };
  }
  const unicode = RGI_EMOJI.test(text) ? text : RGI_EMOJI.test(`${text}\uFE0F`) ? `${text}\uFE0F` : null;
  if (!unicode) throw unknownEmoji();
  return { key: unicode, id: null, name: unicode, animated: false };
}

const emojiWire = (e: EmojiRef) => ({ id: e.id, name: e.name, ...(e.id ? { animated: e.animated } : {}) });

export class ReactionsService {
  constructor(private readonly deps: Deps) {}

  /** PUT .../reactions/:emoji/@me: joining an existing reaction needs only READ_MESSAGE_HISTORY; a new emoji needs ADD_REACTIONS. */
  async add(principal: Principal, channelId: string, messageId: string, rawEmoji: string): Promise<void> {
    const { db } = this.deps;
    const ctx = await loadMessageChannel(db, channelId, principal.userId);
    if (!hasPermission(ctx.permissions, Permission.READ_MESSAGE_HISTORY)) throw missingPermissions();
    const message = await this.message(db, channelId, messageId);
    const emoji = await parseEmoji(db, rawEmoji);
    const added = await db.transaction(async (tx) => {
      const onMessage = tx
        .select({ n: countDistinct(reactions.emojiKey) })
        .from(reactions)
        .where(and(eq(reactions.channelId, channelId), eq(reactions.messageId, messageId)));
      const [existing] = await tx
        .select({ userId: reactions.userId })
        .from(reactions)
        .where(
          and(
            eq(reactions.channelId, channelId),
            eq(reactions.messageId, messageId),
            eq(reactions.emojiKey, emoji.key),
          ),
        )
        .limit(1);
      if (!existing) {
        if (emoji.applicationId && emoji.applicationId !== principal.applicationId) throw unknownEmoji();
        if (!hasPermission(ctx.permissions, Permission.ADD_REACTIONS)) throw missingPermissions();
        const [{ n }] = await onMessage;
        if (n >= MAX_DISTINCT_EMOJI)
          throw new ApiError(
            400,
            ErrorCode.MaximumReactions,
            `Maximum number of reactions reached (${MAX_DISTINCT_EMOJI})`,
          );
      }
      const rows = await tx
        .insert(reactions)
        .values({
          channelId,
          messageId,
          emojiKey: emoji.key,
          userId: principal.userId,
          emojiId: emoji.id,
          emojiName: emoji.name,
          emojiAnimated: emoji.animated,
        })
        .onConflictDoNothing()
        .returning();
      // A reaction on a federated group's post or comment reaches its remote members (FEP-1b12).
      if (rows.length > 0 && !emoji.id && emoji.name)
        await announceReaction(this.deps, tx, ctx, {
          messageId,
          userId: principal.userId,
          emoji: emoji.name,
          on: true,
        });
      return rows.length > 0;
    });
    if (!added) return;
    const event: EventPayload<'MESSAGE_REACTION_ADD'> = {
      user_id: principal.userId,
      channel_id: channelId,
      message_id: messageId,
      emoji: emojiWire(emoji),
      message_author_id: message.authorId,
      burst: false,
      type: 0,
    };
    if (ctx.guildId && ctx.actor) {
      const [user] = await db.select().from(users).where(eq(users.id, principal.userId));
      Object.assign(event, {
        guild_id: ctx.guildId,
        member: toMemberWire(ctx.actor.member, ctx.actor.roleIds, user),
      });
    }
    this.deps.events.publish('MESSAGE_REACTION_ADD', Topic.channel(channelId), event);
  }

  /** DELETE .../reactions/:emoji/@me, or another user's reaction with MANAGE_MESSAGES. */
  async remove(
    principal: Principal,
    channelId: string,
    messageId: string,
    rawEmoji: string,
    userId: string,
  ): Promise<void> {
    const { db } = this.deps;
    const ctx = await loadMessageChannel(db, channelId, principal.userId);
    if (userId !== principal.userId) this.requireModerator(ctx);
    await this.message(db, channelId, messageId);
    const emoji = await parseEmoji(db, rawEmoji);
    const removed = await db.transaction(async (tx) => {
      const rows = await tx
        .delete(reactions)
        .where(
          and(
            eq(reactions.channelId, channelId),
            eq(reactions.messageId, messageId),
            eq(reactions.emojiKey, emoji.key),
            eq(reactions.userId, userId),
          ),
        )
        .returning();
      // Taking back one's own reaction on a federated group's post or comment is an Undo there too.
      if (rows.length > 0 && userId === principal.userId && !emoji.id && emoji.name)
        await announceReaction(this.deps, tx, ctx, {
          messageId,
          userId,
          emoji: emoji.name,
          on: false,
        });
      return rows;
    });
    if (!removed.length) return;
    this.deps.events.publish('MESSAGE_REACTION_REMOVE', Topic.channel(channelId), {
      user_id: userId,
      channel_id: channelId,
      message_id: messageId,
      emoji: emojiWire(emoji),
      burst: false,
      type: 0,
      ...(ctx.guildId ? { guild_id: ctx.guildId } : {}),
    });
  }

  /** GET .../reactions/:emoji: who reacted, by user id, after a cursor. */
  async users(
    principal: Principal,
    channelId: string,
    messageId: string,
    rawEmoji: string,
    opts: { after?: string; limit: number },
  ) {
    const { db } = this.deps;
    const ctx = await loadMessageChannel(db, channelId, principal.userId);
    if (!hasPermission(ctx.permissions, Permission.READ_MESSAGE_HISTORY)) throw missingPermissions();
    await this.message(db, channelId, messageId);
    const emoji = await parseEmoji(db, rawEmoji);
    const conditions = [
      eq(reactions.channelId, channelId),
      eq(reactions.messageId, messageId),
      eq(reactions.emojiKey, emoji.key),
    ];
    if (opts.after) conditions.push(gt(reactions.userId, opts.after));
    const rows = await db
      .select({ user: users })
      .from(reactions)
      .innerJoin(users, eq(users.id, reactions.userId))
      .where(and(...conditions))
      .orderBy(asc(reactions.userId))
      .limit(opts.limit);
    return rows.map((r) => toPublicUser(r.user));
  }

  /** DELETE .../reactions (all) or .../reactions/:emoji (one emoji): MANAGE_MESSAGES. */
  async clear(
    principal: Principal,
    channelId: string,
    messageId: string,
    rawEmoji: string | null,
  ): Promise<void> {
    const { db } = this.deps;
    const ctx = await loadMessageChannel(db, channelId, principal.userId);
    this.requireModerator(ctx);
    await this.message(db, channelId, messageId);
    const emoji = rawEmoji ? await parseEmoji(db, rawEmoji) : null;
    const conditions = [eq(reactions.channelId, channelId), eq(reactions.messageId, messageId)];
    if (emoji) conditions.push(eq(reactions.emojiKey, emoji.key));
    await db.delete(reactions).where(and(...conditions));
    const guild = ctx.guildId ? { guild_id: ctx.guildId } : {};
    if (emoji)
      this.deps.events.publish('MESSAGE_REACTION_REMOVE_EMOJI', Topic.channel(channelId), {
        channel_id: channelId,
        message_id: messageId,
        emoji: emojiWire(emoji),
        ...guild,
      });
    else
      this.deps.events.publish('MESSAGE_REACTION_REMOVE_ALL', Topic.channel(channelId), {
        channel_id: channelId,
        message_id: messageId,
        ...guild,
      });
  }

  private requireModerator(ctx: MessageChannel): void {
    if (!ctx.guildId || !hasPermission(ctx.permissions, Permission.MANAGE_MESSAGES))
      throw missingPermissions();
  }

  private async message(db: DbOrTx, channelId: string, messageId: string) {
    const [row] = await db
      .select(messageColumns)
      .from(messages)
      .where(and(eq(messages.channelId, channelId), eq(messages.id, messageId)));
    if (!row) throw notFound(ErrorCode.UnknownMessage, 'Message');
    return row;
  }
}
