import {
  ChannelType,
  type EditWebhookMessage,
  ErrorCode,
  type ExecuteWebhook,
  isThreadType,
  Limits,
  type Message,
  MessageFlags,
  MessageType,
} from '@hearth/protocol';
import { and, eq, inArray } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import type { DbOrTx } from '../../store/db';
import { attachments, channels, messages, roles, users } from '../../store/schema';
import type { Deps } from '../deps';
import { ApiError, invalidField, notFound } from '../errors';
import type { ChannelRow } from '../guilds/guild-access';
import { attachmentRows, deleteAttachmentFiles, descriptionsOf } from '../messages/attachments';
import { deleteMessages } from '../messages/channel-content';
import { checkComponents } from '../messages/component-rules';
import { parseMentions, resolveMentions } from '../messages/mentions';
import { checkFileCount, dropAttachments, keptFiles } from '../messages/message-files';
import { insertMessages, MessageWriter, type NewMessage } from '../messages/message-writer';
import { checkEmbedsTotal, recordMentions } from '../messages/messages.service';
import {
  hydrateMessages,
  type MessageRow,
  messageColumns,
  readOverrideAvatarHash,
} from '../messages/messages.wire';
import { UploadBatch } from '../messages/uploads';
import { PendingEvents } from '../pending-events';
import type { ThreadsService } from '../threads/threads.service';
import { checkWebhookName, type WebhooksService } from './webhooks.service';
import type { WebhookRow } from './webhooks.wire';

const unknownMessage = () => notFound(ErrorCode.UnknownMessage, 'Message');
/** `@original` names an interaction's first response; Hearth has no interactions yet, so it is never found. */
const ORIGINAL = '@original';

/**
 * Messages sent through a webhook's token: executed into its channel (or one of that channel's threads), and read,
 * edited or deleted again only through the webhook that sent them. A webhook posts with its own rights, not its
 * creator's: it may mention everyone and every role, as on Discord, unless `allowed_mentions` says otherwise.
 */
export class WebhookMessagesService {
  private readonly writer: MessageWriter;

  constructor(
    private readonly deps: Deps,
    private readonly webhooks: WebhooksService,
    private readonly threads: ThreadsService,
  ) {
    this.writer = new MessageWriter(deps.db);
  }

  /**
   * The avatar_url a message of `webhookId` was sent with, named by its override avatar hash (messages.wire's
   * overrideAvatarHash), for the CDN path to redirect to; null when the hash names no such message or it is not an
   * http(s) URL. Like every avatar on Discord's CDN it needs no login: the hash is the capability.
   */
  async overrideAvatarUrl(webhookId: string, hash: string): Promise<string | null> {
    const named = readOverrideAvatarHash(hash);
    if (!named) return null;
    const [row] = await this.deps.db
      .select({ url: messages.webhookAvatarUrl })
      .from(messages)
      .where(
        and(
          eq(messages.channelId, named.channelId),
          eq(messages.id, named.messageId),
          eq(messages.webhookId, webhookId),
        ),
      );
    return row?.url && /^https?:\/\//i.test(row.url) ? row.url : null;
  }

  /**
   * Authorizes a multipart execute before a byte of its files is read: the token opens the webhook and the target
   * channel (or thread) exists; the files then stream in within the default upload limit.
   */
  async startUpload(webhookId: string, token: string, threadId?: string): Promise<UploadBatch> {
    const webhook = await this.webhooks.authenticate(webhookId, token);
    const channel = await this.target(this.deps.db, webhook, threadId);
    return new UploadBatch(this.deps, {
      channelId: channel.id,
      uploaderId: webhook.id,
      limitBytes: Limits.defaultUploadLimitBytes,
    });
  }

  /** POST /webhooks/:id/:token: the message, or null (204) unless `wait`. */
  async execute(
    webhookId: string,
    token: string,
    input: ExecuteWebhook,
    opts: { threadId?: string; upload?: UploadBatch } = {},
  ): Promise<Message> {
    try {
      return await this.executeMessage(webhookId, token, input, opts);
    } catch (err) {
      // Nothing half-written: the files go with the refused or failed message.
      await opts.upload?.discard();
      throw err;
    }
  }

  private async executeMessage(
    webhookId: string,
    token: string,
    input: ExecuteWebhook,
    opts: { threadId?: string; upload?: UploadBatch },
  ): Promise<Message> {
    const { db, ids } = this.deps;
    const webhook = await this.webhooks.authenticate(webhookId, token);
    const channel = await this.target(db, webhook, opts.threadId);
    const files = opts.upload?.files ?? [];
    // The files were received for the target authorized by startUpload; never let them land elsewhere.
    if (opts.upload && opts.upload.grant.channelId !== channel.id)
      throw notFound(ErrorCode.UnknownChannel, 'Channel');
    const content = input.content ?? '';
    const embeds = input.embeds ?? [];
    const components = checkComponents(input.components, 'message');
    if (!content.trim() && !embeds.length && !files.length && !components.length)
      throw new ApiError(400, ErrorCode.CannotSendEmptyMessage, 'Cannot send an empty message');
    checkEmbedsTotal(embeds);
    if (input.username !== undefined) checkWebhookName(input.username, 'username');
    if (files.length > Limits.attachmentsPerMessage)
      throw invalidField(
        ['files'],
        'BASE_TYPE_MAX_LENGTH',
        `At most ${Limits.attachmentsPerMessage} files per message.`,
      );
    const mentioned = await this.mentions(db, webhook.guildId, content, input.allowed_mentions);
    const id = ids.next();
    const stored = attachmentRows(files, {
      channelId: channel.id,
      messageId: id,
      uploaderId: webhook.id,
      descriptions: descriptionsOf(input.attachments),
    });
    const inThread = isThreadType(channel.type);
    const newMessage: NewMessage = {
      channelId: channel.id,
      id,
      guildId: webhook.guildId,
      // Discord's webhook messages are authored by the webhook's id.
      authorId: webhook.id,
      type: MessageType.Default,
      content,
      tts: !!input.tts,
      mentionEveryone: mentioned.everyone,
      mentionUserIds: mentioned.userIds,
      mentionRoleIds: mentioned.roleIds,
      mentionChannelIds: parseMentions(content).channelIds,
      flags: (input.flags ?? 0) & (MessageFlags.SuppressEmbeds | MessageFlags.SuppressNotifications),
      nonce: null,
      embeds,
      components,
      stickerItems: [],
      referenceChannelId: null,
      referenceMessageId: null,
      referenceGuildId: null,
      webhookId: webhook.id,
      webhookName: input.username ?? webhook.name,
      webhookAvatar: webhook.avatar,
      webhookAvatarUrl: input.avatar_url ?? null,
    };
    const alone = !stored.length && !inThread && !mentioned.userIds.length;
    const row = await (alone
      ? this.writer.write(newMessage)
      : db.transaction(async (tx) => {
          const [inserted] = await insertMessages(tx, [newMessage]);
          if (stored.length) await tx.insert(attachments).values(stored);
          if (inThread) await this.threads.onMessage(tx, channel, null);
          await recordMentions(tx, mentioned.userIds, {
            channelId: channel.id,
            messageId: id,
            guildId: webhook.guildId,
            authorId: webhook.id,
          });
          return inserted;
        }));
    opts.upload?.keep();
    const [message] = await hydrateMessages(db, this.deps.attachmentUrls, [row], undefined, {
      withFiles: !!stored.length,
    });
    // No member object: a webhook is no member of the guild.
    this.deps.events.publish('MESSAGE_CREATE', Topic.channel(channel.id), {
      ...message,
      guild_id: webhook.guildId,
      channel_type: channel.type,
    });
    return message;
  }

  /** GET /webhooks/:id/:token/messages/:message_id. */
  async get(webhookId: string, token: string, messageId: string, threadId?: string): Promise<Message> {
    const { db } = this.deps;
    const webhook = await this.webhooks.authenticate(webhookId, token);
    const channel = await this.target(db, webhook, threadId);
    const row = await this.own(db, webhook, channel.id, messageId);
    return (await hydrateMessages(db, this.deps.attachmentUrls, [row]))[0];
  }

  /**
   * PATCH /webhooks/:id/:token/messages/:message_id: content, embeds, components, mentions again; with a multipart
   * form also files (the new ones in `upload`, authorized by startUpload). `attachments` lists the existing files the
   * message keeps; the others are deleted, from storage too.
   */
  async edit(
    webhookId: string,
    token: string,
    messageId: string,
    input: EditWebhookMessage,
    opts: { threadId?: string; upload?: UploadBatch } = {},
  ): Promise<Message> {
    try {
      return await this.editMessage(webhookId, token, messageId, input, opts);
    } catch (err) {
      await opts.upload?.discard();
      throw err;
    }
  }

  private async editMessage(
    webhookId: string,
    token: string,
    messageId: string,
    input: EditWebhookMessage,
    { threadId, upload }: { threadId?: string; upload?: UploadBatch },
  ): Promise<Message> {
    const { db } = this.deps;
    const webhook = await this.webhooks.authenticate(webhookId, token);
    const channel = await this.target(db, webhook, threadId);
    if (upload && upload.grant.channelId !== channel.id) throw notFound(ErrorCode.UnknownChannel, 'Channel');
    const row = await this.own(db, webhook, channel.id, messageId);
    const content = input.content === undefined ? row.content : (input.content ?? '');
    const embeds = input.embeds === undefined ? row.embeds : (input.embeds ?? []);
    const components =
      input.components === undefined ? row.components : checkComponents(input.components, 'message');
    const existing = await db
      .select({ id: attachments.id })
      .from(attachments)
      .where(and(eq(attachments.channelId, channel.id), eq(attachments.messageId, messageId)));
    const { kept, dropped } = keptFiles(existing, input.attachments);
    const added = attachmentRows(upload?.files ?? [], {
      channelId: channel.id,
      messageId,
      uploaderId: webhook.id,
      descriptions: descriptionsOf(input.attachments),
    });
    checkFileCount(kept.length + added.length);
    if (!content.trim() && !embeds.length && !kept.length && !added.length && !components.length)
      throw new ApiError(400, ErrorCode.CannotSendEmptyMessage, 'Cannot send an empty message');
    checkEmbedsTotal(embeds);
    const mentioned = await this.mentions(db, webhook.guildId, content, input.allowed_mentions);
    const changes: Partial<MessageRow> = {
      content,
      embeds,
      mentionUserIds: mentioned.userIds,
      mentionRoleIds: mentioned.roleIds,
      mentionEveryone: mentioned.everyone,
      editedAt: new Date(),
      components,
    };
    const { updated, removed } = await db.transaction(async (tx) => {
      const [next] = await tx
        .update(messages)
        .set(changes)
        .where(and(eq(messages.channelId, channel.id), eq(messages.id, messageId)))
        .returning(messageColumns);
      if (!next) throw unknownMessage();
      if (added.length) await tx.insert(attachments).values(added);
      const newMentions = mentioned.userIds.filter((u) => !row.mentionUserIds.includes(u));
      await recordMentions(tx, newMentions, {
        channelId: channel.id,
        messageId,
        guildId: webhook.guildId,
        authorId: webhook.id,
      });
      return { updated: next, removed: await dropAttachments(tx, channel.id, messageId, dropped) };
    });
    upload?.keep();
    await deleteAttachmentFiles(this.deps.storage, removed);
    const [message] = await hydrateMessages(db, this.deps.attachmentUrls, [updated]);
    this.deps.events.publish('MESSAGE_UPDATE', Topic.channel(channel.id), {
      ...message,
      guild_id: webhook.guildId,
    });
    return message;
  }

  /** DELETE /webhooks/:id/:token/messages/:message_id. */
  async delete(webhookId: string, token: string, messageId: string, threadId?: string): Promise<void> {
    const { db } = this.deps;
    const webhook = await this.webhooks.authenticate(webhookId, token);
    const channel = await this.target(db, webhook, threadId);
    await this.own(db, webhook, channel.id, messageId);
    const deleted = await db.transaction((tx) => deleteMessages(tx, channel.id, [messageId]));
    if (!deleted.ids.length) throw unknownMessage();
    await deleteAttachmentFiles(this.deps.storage, deleted.attachments);
    const pending = new PendingEvents();
    pending.add('MESSAGE_DELETE', Topic.channel(channel.id), {
      id: messageId,
      channel_id: channel.id,
      guild_id: webhook.guildId,
    });
    pending.publish(this.deps.events);
  }

  /** The webhook's channel, or with `threadId` a thread of it (a locked archived thread takes no messages). */
  private async target(db: DbOrTx, webhook: WebhookRow, threadId?: string): Promise<ChannelRow> {
    const id = threadId ?? webhook.channelId;
    const [channel] = await db.select().from(channels).where(eq(channels.id, id));
    if (!channel) throw notFound(ErrorCode.UnknownChannel, 'Channel');
    if (threadId && (!isThreadType(channel.type) || channel.parentId !== webhook.channelId))
      throw notFound(ErrorCode.UnknownChannel, 'Channel');
    if (threadId && channel.type === ChannelType.PrivateThread)
      throw notFound(ErrorCode.UnknownChannel, 'Channel');
    if (channel.archived && channel.locked)
      throw new ApiError(400, ErrorCode.CannotExecuteOnChannelType, 'Thread is locked');
    return channel;
  }

  /** A message this webhook sent in `channelId`; any other is unknown, `@original` included. */
  private async own(db: DbOrTx, webhook: WebhookRow, channelId: string, messageId: string) {
    if (messageId === ORIGINAL) throw unknownMessage();
    const [row] = await db
      .select(messageColumns)
      .from(messages)
      .where(
        and(
          eq(messages.channelId, channelId),
          eq(messages.id, messageId),
          eq(messages.webhookId, webhook.id),
        ),
      );
    if (!row) throw unknownMessage();
    return row;
  }

  /** Who a webhook's message mentions: anyone, everyone and any role of the guild, within `allowed_mentions`. */
  private async mentions(
    db: DbOrTx,
    guildId: string,
    content: string,
    allowed: ExecuteWebhook['allowed_mentions'] | null | undefined,
  ) {
    const parsed = parseMentions(content);
    const roleIds = parsed.roleIds.length
      ? (
          await db
            .select({ id: roles.id })
            .from(roles)
            .where(and(eq(roles.guildId, guildId), inArray(roles.id, parsed.roleIds)))
        ).map((r) => r.id)
      : [];
    const existing = new Set(roleIds.filter((id) => id !== guildId));
    const resolved = resolveMentions(parsed, {
      allowed,
      canMentionEveryone: true,
      mentionableRoleIds: existing,
      existingRoleIds: existing,
    });
    if (resolved.userIds.length) {
      const found = await db.select({ id: users.id }).from(users).where(inArray(users.id, resolved.userIds));
      const real = new Set(found.map((u) => u.id));
      resolved.userIds = resolved.userIds.filter((u) => real.has(u));
    }
    return resolved;
  }
}
