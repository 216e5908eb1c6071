import { hasPermission, Permission } from '@hearth/permissions';
import {
  ApplicationCommandType,
  ErrorCode,
  InteractionCallbackType,
  type InteractionMessageData,
  InteractionMessageFlags,
  InteractionType,
  Limits,
  type Message,
  MessageFlags,
  MessageType,
  snowflakeIsoTimestamp,
} from '@hearth/protocol';
import { and, eq, gt, inArray, ne, sql } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import type { DbOrTx } from '../../store/db';
import { attachments, channels, ephemeralMessages, interactions, messages, users } from '../../store/schema';
import { FieldErrors } from '../applications/command-rules';
import type { Deps } from '../deps';
import { ApiError, invalidField } from '../errors';
import { loadChannelForActor } from '../guilds/guild-access';
import {
  type AttachmentRow,
  attachmentRows,
  deleteAttachmentFiles,
  toAttachmentWire,
} from '../messages/attachments';
import { deleteMessages } from '../messages/channel-content';
import { CloudUploads, uploadEntries } from '../messages/cloud-uploads';
import { checkComponents } from '../messages/component-rules';
import { parseMentions, resolveMentions } from '../messages/mentions';
import { checkFileCount, dropAttachments, keptFiles } from '../messages/message-files';
import { insertMessages } from '../messages/message-writer';
import { checkEmbedsTotal, recordMentions } from '../messages/messages.service';
import { hydrateMessages, interactionFields, messageColumns } from '../messages/messages.wire';
import type { UploadBatch } from '../messages/uploads';
import { toPublicUser } from '../users/users.wire';
import { type AppSummary, type InteractionRow, type Json, unknownMessage } from './interaction-common';
import { described } from './interaction-files';

/** An ephemeral message mentions nobody: it notifies no one but its reader. */
const NO_MENTIONS = { userIds: [], roleIds: [], everyone: false };

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
  /** The files sent with it (multipart), already stored and authorized for the interaction's channel. */
  upload?: UploadBatch;
  /** `attachments`: the new files' names and descriptions by index, and on an edit the existing ones kept. */
  attachments?: unknown[];
}

/**
 * The messages of an interaction (ADR 0039), for the callback and the interaction webhook alike: checked as Discord
 * checks them, sent into the channel or (flag 64) kept apart in ephemeral_messages for the invoker alone, edited,
 * read and deleted.
 */
export class InteractionMessages {
  private readonly cloud: CloudUploads;

  constructor(private readonly deps: Deps) {
    this.cloud = new CloudUploads(deps);
  }

  /** A response's message checked as Discord checks it (before anything is acknowledged). */
  prepare(type: number, data: Json, upload?: UploadBatch): Prepared {
    const files = upload?.files.length ?? 0;
    if (
      files &&
      type !== InteractionCallbackType.ChannelMessageWithSource &&
      type !== InteractionCallbackType.UpdateMessage
    )
      throw invalidField(
        ['files'],
        'INTERACTION_CALLBACK_TYPE_INVALID',
        'Only a message response takes files.',
      );
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
      ...(upload ? { upload } : {}),
      ...(m.attachments ? { attachments: m.attachments } : {}),
    };
    if (prepared.embeds) checkEmbedsTotal(prepared.embeds);
    const sending = type === InteractionCallbackType.ChannelMessageWithSource;
    if (
      sending &&
      !prepared.content?.trim() &&
      !prepared.embeds?.length &&
      !prepared.components?.length &&
      !files &&
      !uploadEntries(m.attachments).length
    )
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
    const asked = (p.flags ?? 0) | (forcedEphemeral(row) ? InteractionMessageFlags.Ephemeral : 0);
    const ephemeral = !!(asked & InteractionMessageFlags.Ephemeral);
    const flags = asked | (opts.loading ? InteractionMessageFlags.Loading : 0);
    const type = this.messageType(row, opts.followUp);
    const content = opts.loading ? '' : (p.content ?? '');
    const embeds = opts.loading ? [] : (p.embeds ?? []);
    const components = opts.loading ? [] : (p.components ?? []);
    const { files, uploaded } = await this.fileRows(row, app, id, p, ephemeral);
    const mentioned = ephemeral ? NO_MENTIONS : await this.mentions(row, app, content, p.allowedMentions);
    if (ephemeral) {
      const [bot] = await db.select().from(users).where(eq(users.id, app.botUserId));
      const message = {
        ...this.bare(row, app, id, type, flags),
        author: toPublicUser(bot),
        content,
        embeds,
        components,
        attachments: files.map((f) => toAttachmentWire(f, this.deps.attachmentUrls)),
      } as Message;
      await db.transaction(async (tx) => {
        if (opts.followUp) await this.holdFollowUpSlot(tx, row);
        await tx.insert(ephemeralMessages).values({
          channelId: row.channelId,
          id,
          interactionId: row.id,
          userId: row.userId,
          message: message as unknown as Json,
        });
        await this.cloud.consume(tx, row.channelId, app.botUserId, uploaded);
        if (files.length) await tx.insert(attachments).values(files);
      });
      p.upload?.keep();
      this.deps.events.publish('MESSAGE_CREATE', Topic.user(row.userId), {
        ...message,
        ...(row.guildId ? { guild_id: row.guildId } : {}),
      } as never);
      return message;
    }
    const stored = await db.transaction(async (tx) => {
      if (opts.followUp) await this.holdFollowUpSlot(tx, row);
      const [inserted] = await insertMessages(tx, [
        {
          channelId: row.channelId,
          id,
          guildId: row.guildId,
          authorId: app.botUserId,
          type,
          content,
          tts: false,
          mentionEveryone: mentioned.everyone,
          mentionUserIds: mentioned.userIds,
          mentionRoleIds: mentioned.roleIds,
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
      await this.cloud.consume(tx, row.channelId, app.botUserId, uploaded);
      if (files.length) await tx.insert(attachments).values(files);
      await recordMentions(tx, mentioned.userIds, {
        channelId: row.channelId,
        messageId: id,
        guildId: row.guildId,
        authorId: app.botUserId,
      });
      return inserted;
    });
    p.upload?.keep();
    const [message] = await hydrateMessages(db, this.deps.attachmentUrls, [stored], undefined, {
      withFiles: files.length > 0,
    });
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

  /**
   * Discord's bound on user-installed apps: an interaction that only a person's install brought (no guild
   * installation among its owners) takes at most `Limits.userInstallFollowUps` follow-ups, else 40094. The
   * interaction's row is locked for the count, so follow-ups sent at once cannot all pass.
   */
  private async holdFollowUpSlot(tx: DbOrTx, row: InteractionRow): Promise<void> {
    const owners = row.payload.authorizing_integration_owners as Record<string, string> | undefined;
    if (!owners || '0' in owners) return;
    await tx
      .select({ id: interactions.id })
      .from(interactions)
      .where(and(eq(interactions.channelId, row.channelId), eq(interactions.id, row.id)))
      .for('update');
    const original = row.originalMessageId ?? '0';
    const [ephemeral] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(ephemeralMessages)
      .where(
        and(
          eq(ephemeralMessages.interactionId, row.id),
          eq(ephemeralMessages.channelId, row.channelId),
          ne(ephemeralMessages.id, original),
        ),
      );
    const [visible] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(messages)
      .where(
        and(
          eq(messages.channelId, row.channelId),
          gt(messages.id, row.id),
          ne(messages.id, original),
          sql`${messages.interactionMetadata}->>'id' = ${row.id}`,
        ),
      );
    if ((ephemeral?.n ?? 0) + (visible?.n ?? 0) >= Limits.userInstallFollowUps)
      throw new ApiError(
        400,
        ErrorCode.MaximumFollowUpMessages,
        'This interaction has hit the maximum number of follow up messages',
      );
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
    const { kept, dropped } = keptFiles(before.attachments, p.attachments);
    const { files, uploaded } = await this.fileRows(row, app, messageId, p, found.ephemeral);
    if (!content.trim() && !embeds.length && !components.length && !kept.length && !files.length)
      throw new ApiError(400, ErrorCode.CannotSendEmptyMessage, 'Cannot send an empty message');
    checkFileCount(kept.length + files.length);
    const wasLoading = !!(before.flags & InteractionMessageFlags.Loading);
    const editedAt = wasLoading ? null : new Date();
    if (found.ephemeral) {
      const message = {
        ...before,
        content,
        embeds,
        components,
        flags,
        attachments: [...kept, ...files.map((f) => toAttachmentWire(f, this.deps.attachmentUrls))],
        edited_timestamp: editedAt?.toISOString() ?? null,
      } as Message;
      const removed = await db.transaction(async (tx) => {
        await tx
          .update(ephemeralMessages)
          .set({ message: message as unknown as Json })
          .where(and(eq(ephemeralMessages.channelId, row.channelId), eq(ephemeralMessages.id, messageId)));
        await this.cloud.consume(tx, row.channelId, app.botUserId, uploaded);
        if (files.length) await tx.insert(attachments).values(files);
        return dropAttachments(tx, row.channelId, messageId, dropped);
      });
      p.upload?.keep();
      await deleteAttachmentFiles(this.deps.storage, removed);
      this.deps.events.publish('MESSAGE_UPDATE', Topic.user(row.userId), {
        ...message,
        ...(row.guildId ? { guild_id: row.guildId } : {}),
      });
      return message;
    }
    const mentioned = await this.mentions(row, app, content, p.allowedMentions);
    const { updated, removed } = await db.transaction(async (tx) => {
      const [next] = await tx
        .update(messages)
        .set({
          content,
          embeds,
          components,
          flags,
          mentionUserIds: mentioned.userIds,
          mentionRoleIds: mentioned.roleIds,
          mentionEveryone: mentioned.everyone,
          editedAt,
        })
        .where(and(eq(messages.channelId, row.channelId), eq(messages.id, messageId)))
        .returning(messageColumns);
      if (!next) throw unknownMessage();
      if (files.length) await tx.insert(attachments).values(files);
      const added = mentioned.userIds.filter((u) => !before.mentions.some((m) => m.id === u));
      await recordMentions(tx, added, {
        channelId: row.channelId,
        messageId,
        guildId: row.guildId,
        authorId: app.botUserId,
      });
      return { updated: next, removed: await dropAttachments(tx, row.channelId, messageId, dropped) };
    });
    p.upload?.keep();
    await deleteAttachmentFiles(this.deps.storage, removed);
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
      authorizing_integration_owners: row.payload.authorizing_integration_owners ?? {
        '0': row.guildId ?? '0',
      },
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

  /**
   * What a response mentions, as a message of the application's bot would: users, and in a guild roles and
   * @everyone as the bot's permissions in the channel allow (MENTION_EVERYONE, else mentionable roles only), within
   * `allowed_mentions`. A bot no longer in the guild mentions users only.
   */
  private async mentions(
    row: InteractionRow,
    app: AppSummary,
    content: string,
    allowed: Prepared['allowedMentions'],
  ): Promise<{ userIds: string[]; roleIds: string[]; everyone: boolean }> {
    const { db } = this.deps;
    const where = row.guildId
      ? await loadChannelForActor(db, row.channelId, app.botUserId).catch(() => null)
      : null;
    const roles = where?.actor.roles ?? [];
    const resolved = resolveMentions(parseMentions(content), {
      allowed,
      canMentionEveryone: !!where && hasPermission(where.permissions, Permission.MENTION_EVERYONE),
      mentionableRoleIds: new Set(roles.filter((r) => r.mentionable).map((r) => r.id)),
      existingRoleIds: new Set(roles.filter((r) => r.id !== row.guildId).map((r) => r.id)),
    });
    if (resolved.userIds.length) {
      const found = await db.select({ id: users.id }).from(users).where(inArray(users.id, resolved.userIds));
      const real = new Set(found.map((u) => u.id));
      resolved.userIds = resolved.userIds.filter((u) => real.has(u));
    }
    return resolved;
  }

  /**
   * The attachment rows of a message's new files (an ephemeral message's are ephemeral, as on Discord): the files
   * sent with it, and uploads of the cloud-upload flow its `attachments` name (the bot's own, to this channel).
   */
  private async fileRows(
    row: InteractionRow,
    app: AppSummary,
    messageId: string,
    p: Prepared,
    ephemeral: boolean,
  ): Promise<{ files: AttachmentRow[]; uploaded: AttachmentRow[] }> {
    const files = p.upload?.files ?? [];
    // The files were received for the interaction's channel; never let them land elsewhere.
    if (files.length && p.upload?.grant.channelId !== row.channelId) throw unknownMessage();
    const sent = attachmentRows(files, {
      channelId: row.channelId,
      messageId,
      uploaderId: app.botUserId,
      descriptions: described(p.attachments),
    });
    const uploaded = await this.cloud.staged(
      this.deps.db,
      { channelId: row.channelId, messageId, uploaderId: app.botUserId },
      uploadEntries(p.attachments),
    );
    checkFileCount(sent.length + uploaded.length);
    const mark = (r: AttachmentRow) => ({ ...r, ephemeral });
    return { files: [...sent, ...uploaded].map(mark), uploaded: uploaded.map(mark) };
  }

  /** Deletes a message of the interaction: from the channel, or the invoker's ephemeral one. */
  async remove(row: InteractionRow, app: AppSummary, messageId: string): Promise<void> {
    const { db } = this.deps;
    const found = await this.find(row, app, messageId);
    if (found.ephemeral) {
      const removed = await db.transaction(async (tx) => {
        await tx
          .delete(ephemeralMessages)
          .where(
            and(eq(ephemeralMessages.channelId, row.channelId), eq(ephemeralMessages.id, found.message.id)),
          );
        return dropAttachments(
          tx,
          row.channelId,
          found.message.id,
          found.message.attachments.map((a) => a.id),
        );
      });
      await deleteAttachmentFiles(this.deps.storage, removed);
      this.deps.events.publish('MESSAGE_DELETE', Topic.user(row.userId), {
        id: found.message.id,
        channel_id: row.channelId,
        ...(row.guildId ? { guild_id: row.guildId } : {}),
      });
      return;
    }
    const deleted = await db.transaction((tx) => deleteMessages(tx, row.channelId, [found.message.id]));
    if (!deleted.ids.length) throw unknownMessage();
    await deleteAttachmentFiles(this.deps.storage, deleted.attachments);
    this.deps.events.publish('MESSAGE_DELETE', Topic.channel(row.channelId), {
      id: found.message.id,
      channel_id: row.channelId,
      ...(row.guildId ? { guild_id: row.guildId } : {}),
    });
  }
}

/**
 * Discord's USE_EXTERNAL_APPS: in a guild, an application that only a person's own install brought there answers
 * that person alone (ephemeral) unless they may use external apps in the channel. Read from the payload the
 * application got: its owners and the invoker's channel permissions.
 */
function forcedEphemeral(row: InteractionRow): boolean {
  const owners = row.payload.authorizing_integration_owners as Record<string, string> | undefined;
  if (row.payload.context !== 0 || !owners?.['1'] || owners['0']) return false;
  const permissions = (row.payload.member as { permissions?: string } | undefined)?.permissions ?? '0';
  return !hasPermission(BigInt(permissions), Permission.USE_EXTERNAL_APPS);
}
