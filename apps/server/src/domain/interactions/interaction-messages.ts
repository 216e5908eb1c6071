import {
  ApplicationCommandType,
  ErrorCode,
  InteractionCallbackType,
  type InteractionMessageData,
  InteractionMessageFlags,
  InteractionType,
  type Message,
  MessageFlags,
  MessageType,
  snowflakeIsoTimestamp,
} from '@hearth/protocol';
import { and, eq, inArray } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import type { DbOrTx } from '../../store/db';
import { channels, ephemeralMessages, interactions, messages, users } from '../../store/schema';
import { FieldErrors } from '../applications/command-rules';
import type { Deps } from '../deps';
import { ApiError } from '../errors';
import { deleteMessages } from '../messages/channel-content';
import { checkComponents } from '../messages/component-rules';
import { parseMentions } from '../messages/mentions';
import { insertMessages } from '../messages/message-writer';
import { checkEmbedsTotal, recordMentions } from '../messages/messages.service';
import { hydrateMessages, interactionFields, messageColumns } from '../messages/messages.wire';
import { toPublicUser } from '../users/users.wire';
import { type AppSummary, type InteractionRow, type Json, unknownMessage } from './interaction-common';

/** The flags an interaction's message may be sent with. */
const SENDABLE_FLAGS =
  MessageFlags.SuppressEmbeds | MessageFlags.SuppressNotifications | InteractionMessageFlags.Ephemeral;

/** Discord's message types of a command's response. */
const CHAT_INPUT_COMMAND = 20;
const CONTEXT_MENU_COMMAND = 23;

/** A response's message as checked, before anything is written. */
export interface Prepared {
  content?: string;
  embeds?: unknown[];
  components?: Json[];
  flags?: number;
  allowedMentions?: InteractionMessageData['allowed_mentions'];
  modalComponents?: Json[];
}

/**
 * The messages of an interaction (ADR 0039), for the callback and the interaction webhook alike: checked as Discord
 * checks them, sent into the channel or (flag 64) kept apart in ephemeral_messages for the invoker alone, edited,
 * read and deleted.
 */
export class InteractionMessages {
  constructor(private readonly deps: Deps) {}

  /** A response's message checked as Discord checks it (before anything is acknowledged). */
  prepare(type: number, data: Json): Prepared {
    if (type === InteractionCallbackType.ApplicationCommandAutocompleteResult) return {};
    if (type === InteractionCallbackType.DeferredUpdateMessage) return {};
    if (type === InteractionCallbackType.Modal) {
      const errors = new FieldErrors();
      if (typeof data.custom_id !== 'string')
        errors.add(['data', 'custom_id'], 'BASE_TYPE_REQUIRED', 'This field is required');
      if (typeof data.title !== 'string')
        errors.add(['data', 'title'], 'BASE_TYPE_REQUIRED', 'This field is required');
      errors.throwIfAny();
      return { modalComponents: checkComponents(data.components, 'modal', ['data', 'components']) };
    }
    const m = data as InteractionMessageData;
    const prepared: Prepared = {
      content: m.content === undefined ? undefined : (m.content ?? ''),
      embeds: m.embeds === undefined ? undefined : (m.embeds ?? []),
      components:
        m.components === undefined
          ? undefined
          : checkComponents(m.components, 'message', ['data', 'components']),
      flags: m.flags === undefined || m.flags === null ? undefined : m.flags & SENDABLE_FLAGS,
      allowedMentions: m.allowed_mentions ?? null,
    };
    if (prepared.embeds) checkEmbedsTotal(prepared.embeds);
    const sending = type === InteractionCallbackType.ChannelMessageWithSource;
    if (sending && !prepared.content?.trim() && !prepared.embeds?.length && !prepared.components?.length)
      throw new ApiError(400, ErrorCode.CannotSendEmptyMessage, 'Cannot send an empty message');
    return prepared;
  }

  /** Sends a response or follow-up: into the channel, or (flag 64) to the invoker alone. */
  async send(
    row: InteractionRow,
    app: AppSummary,
    p: Prepared,
    opts: { loading: boolean; followUp?: boolean },
  ): Promise<Message> {
    const { db, ids } = this.deps;
    const id = ids.next();
    const ephemeral = !!((p.flags ?? 0) & InteractionMessageFlags.Ephemeral);
    const flags = (p.flags ?? 0) | (opts.loading ? InteractionMessageFlags.Loading : 0);
    const type = this.messageType(row, opts.followUp);
    const content = opts.loading ? '' : (p.content ?? '');
    const embeds = opts.loading ? [] : (p.embeds ?? []);
    const components = opts.loading ? [] : (p.components ?? []);
    const mentioned = ephemeral ? [] : await this.mentionedUsers(db, content, p.allowedMentions);
    if (ephemeral) {
      const [bot] = await db.select().from(users).where(eq(users.id, app.botUserId));
      const message = {
        ...this.bare(row, app, id, type, flags),
        author: toPublicUser(bot),
        content,
        embeds,
        components,
      } as Message;
      await db.insert(ephemeralMessages).values({
        channelId: row.channelId,
        id,
        interactionId: row.id,
        userId: row.userId,
        message: message as unknown as Json,
      });
      this.deps.events.publish('MESSAGE_CREATE', Topic.user(row.userId), {
        ...message,
        ...(row.guildId ? { guild_id: row.guildId } : {}),
      } as never);
      return message;
    }
    const stored = await db.transaction(async (tx) => {
      const [inserted] = await insertMessages(tx, [
        {
          channelId: row.channelId,
          id,
          guildId: row.guildId,
          authorId: app.botUserId,
          type,
          content,
          tts: false,
          mentionEveryone: false,
          mentionUserIds: mentioned,
          mentionRoleIds: [],
          mentionChannelIds: parseMentions(content).channelIds,
          flags,
          nonce: null,
          embeds,
          components,
          stickerItems: [],
          referenceChannelId: null,
          referenceMessageId: null,
          referenceGuildId: null,
          applicationId: app.id,
          interactionMetadata: this.metadata(row),
        },
      ]);
      await recordMentions(tx, mentioned, {
        channelId: row.channelId,
        messageId: id,
        guildId: row.guildId,
        authorId: app.botUserId,
      });
      return inserted;
    });
    const [message] = await hydrateMessages(db, this.deps.attachmentUrls, [stored]);
    const wire = this.decorate(row, app, message);
    const [channel] = await db
      .select({ type: channels.type })
      .from(channels)
      .where(eq(channels.id, row.channelId));
    this.deps.events.publish('MESSAGE_CREATE', Topic.channel(row.channelId), {
      ...wire,
      ...(row.guildId ? { guild_id: row.guildId } : {}),
      channel_type: channel?.type ?? 0,
    });
    return wire;
  }

  /** Edits a message of the interaction (its response, a follow-up, or a component's message). */
  async edit(row: InteractionRow, app: AppSummary, messageId: string, p: Prepared): Promise<Message> {
    const { db } = this.deps;
    const found = await this.find(row, app, messageId);
    const before = found.message;
    const flags = (before.flags & ~InteractionMessageFlags.Loading) | 0;
    const content = p.content ?? before.content;
    const embeds = p.embeds ?? before.embeds;
    const components = p.components ?? before.components;
    if (!content.trim() && !embeds.length && !components.length && !before.attachments.length)
      throw new ApiError(400, ErrorCode.CannotSendEmptyMessage, 'Cannot send an empty message');
    const wasLoading = !!(before.flags & InteractionMessageFlags.Loading);
    const editedAt = wasLoading ? null : new Date();
    if (found.ephemeral) {
      const message = {
        ...before,
        content,
        embeds,
        components,
        flags,
        edited_timestamp: editedAt?.toISOString() ?? null,
      } as Message;
      await db
        .update(ephemeralMessages)
        .set({ message: message as unknown as Json })
        .where(and(eq(ephemeralMessages.channelId, row.channelId), eq(ephemeralMessages.id, messageId)));
      this.deps.events.publish('MESSAGE_UPDATE', Topic.user(row.userId), {
        ...message,
        ...(row.guildId ? { guild_id: row.guildId } : {}),
      });
      return message;
    }
    const mentioned = await this.mentionedUsers(db, content, p.allowedMentions);
    const [updated] = await db
      .update(messages)
      .set({ content, embeds, components, flags, mentionUserIds: mentioned, editedAt })
      .where(and(eq(messages.channelId, row.channelId), eq(messages.id, messageId)))
      .returning(messageColumns);
    if (!updated) throw unknownMessage();
    const [message] = await hydrateMessages(db, this.deps.attachmentUrls, [updated]);
    const wire = this.decorate(row, app, message);
    this.deps.events.publish('MESSAGE_UPDATE', Topic.channel(row.channelId), {
      ...wire,
      ...(row.guildId ? { guild_id: row.guildId } : {}),
    });
    return wire;
  }

  /** `@original` or a message id of the interaction's channel sent by the application's bot. */
  resolveId(row: InteractionRow, messageId: string): string {
    if (messageId !== '@original') return messageId;
    if (!row.originalMessageId) throw unknownMessage();
    return row.originalMessageId;
  }

  async find(
    row: InteractionRow,
    app: AppSummary,
    messageId: string,
  ): Promise<{ message: Message; ephemeral: boolean }> {
    const id = this.resolveId(row, messageId);
    const { db } = this.deps;
    const [eph] = await db
      .select()
      .from(ephemeralMessages)
      .where(
        and(
          eq(ephemeralMessages.channelId, row.channelId),
          eq(ephemeralMessages.id, id),
          eq(ephemeralMessages.userId, row.userId),
        ),
      );
    if (eph) return { message: eph.message as unknown as Message, ephemeral: true };
    const [stored] = await db
      .select(messageColumns)
      .from(messages)
      .where(
        and(eq(messages.channelId, row.channelId), eq(messages.id, id), eq(messages.authorId, app.botUserId)),
      );
    if (!stored) throw unknownMessage();
    const [message] = await hydrateMessages(db, this.deps.attachmentUrls, [stored]);
    return { message: this.decorate(row, app, message), ephemeral: false };
  }

  async setOriginal(row: InteractionRow, messageId: string, ephemeral: boolean): Promise<void> {
    row.originalMessageId = messageId;
    row.originalEphemeral = ephemeral;
    await this.deps.db
      .update(interactions)
      .set({ originalMessageId: messageId, originalEphemeral: ephemeral })
      .where(and(eq(interactions.channelId, row.channelId), eq(interactions.id, row.id)));
  }

  /** Discord's message type for an interaction's message: a command's response, or a plain one. */
  private messageType(row: InteractionRow, followUp?: boolean): number {
    if (row.type !== InteractionType.ApplicationCommand || followUp) return MessageType.Default;
    const commandType = (row.payload.data as Json | undefined)?.type;
    return commandType === ApplicationCommandType.ChatInput ? CHAT_INPUT_COMMAND : CONTEXT_MENU_COMMAND;
  }

  /**
   * What an interaction's message carries beyond a stored message: its application and interaction (the one that
   * made it, as stored; this one for a message it only edits).
   */
  private decorate(row: InteractionRow, app: AppSummary, message: Message): Message {
    return { ...message, ...interactionFields(app.id, message.interaction_metadata ?? this.metadata(row)) };
  }

  /** Discord's interaction_metadata of this interaction's messages. */
  private metadata(row: InteractionRow): Json {
    const data = row.payload.data as Json | undefined;
    const member = row.payload.member as Json | undefined;
    return {
      id: row.id,
      type: row.type,
      // The invoker: the member's user in a guild, the `user` in the DM with the bot.
      user: member?.user ?? row.payload.user,
      authorizing_integration_owners: { '0': row.guildId ?? '0' },
      ...(data?.name ? { name: data.name, command_type: data.type } : {}),
      ...(row.messageId ? { interacted_message_id: row.messageId } : {}),
    };
  }

  /** A message object's plain fields (an ephemeral one is built here, never read back from history). */
  private bare(row: InteractionRow, app: AppSummary, id: string, type: number, flags: number) {
    return {
      id,
      channel_id: row.channelId,
      timestamp: snowflakeIsoTimestamp(id),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      pinned: false,
      type,
      flags,
      ...interactionFields(app.id, this.metadata(row)),
    };
  }

  /** The people a response mentions (existing users, within allowed_mentions); no roles or everyone. */
  private async mentionedUsers(
    db: DbOrTx,
    content: string,
    allowed: Prepared['allowedMentions'],
  ): Promise<string[]> {
    const parsed = parseMentions(content).userIds;
    const parse = new Set(allowed ? (allowed.parse ?? []) : ['users']);
    const wanted = parsed.filter((id) => parse.has('users') || allowed?.users?.includes(id)).slice(0, 100);
    if (!wanted.length) return [];
    return (await db.select({ id: users.id }).from(users).where(inArray(users.id, wanted))).map((u) => u.id);
  }

  /** Deletes a message of the interaction: from the channel, or the invoker's ephemeral one. */
  async remove(row: InteractionRow, app: AppSummary, messageId: string): Promise<void> {
    const { db } = this.deps;
    const found = await this.find(row, app, messageId);
    if (found.ephemeral) {
      await db
        .delete(ephemeralMessages)
        .where(
          and(eq(ephemeralMessages.channelId, row.channelId), eq(ephemeralMessages.id, found.message.id)),
        );
      this.deps.events.publish('MESSAGE_DELETE', Topic.user(row.userId), {
        id: found.message.id,
        channel_id: row.channelId,
        ...(row.guildId ? { guild_id: row.guildId } : {}),
      });
      return;
    }
    const deleted = await db.transaction((tx) => deleteMessages(tx, row.channelId, [found.message.id]));
    if (!deleted.ids.length) throw unknownMessage();
    this.deps.events.publish('MESSAGE_DELETE', Topic.channel(row.channelId), {
      id: found.message.id,
      channel_id: row.channelId,
      ...(row.guildId ? { guild_id: row.guildId } : {}),
    });
  }
}
