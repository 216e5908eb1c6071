import { hasPermission, Permission } from '@hearth/permissions';
import {
  AuditLogEvent,
  ChannelType,
  type CreateMessage,
  type EditMessage,
  ErrorCode,
  type EventPayload,
  type HistoryQuery,
  isForumType,
  isMessageableType,
  isThreadType,
  Limits,
  MAX_SNOWFLAKE,
  type Message,
  type MessageAttachmentInput,
  MessageFlags,
  MessageType,
  type RequestAttachmentUploads,
  snowflakeFromTimestamp,
} from '@hearth/protocol';
import { and, count, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import type { DbOrTx } from '../../store/db';
import { attachments, channels, mentions, messages, users } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import type { DmsService } from '../dms/dms.service';
import { ApiError, invalidField, missingPermissions, notFound, rateLimited } from '../errors';
import { writeAudit } from '../guilds/audit';
import { announceComment, announceCommentDelete, announcePostEdit } from '../guilds/group-federation';
import { toMemberWire } from '../guilds/guilds.wire';
import type { StickersService } from '../guilds/stickers.service';
import { PendingEvents } from '../pending-events';
import type { RelationshipsService } from '../relationships/relationships.service';
import type { ThreadsService } from '../threads/threads.service';
import {
  type AttachmentRow,
  attachmentPath,
  attachmentRows,
  deleteAttachmentFiles,
  descriptionsOf,
  dispositionFor,
  type StagedFile,
  urlFilename,
} from './attachments';
import { deleteMessages } from './channel-content';
import { CloudUploads } from './cloud-uploads';
import { checkComponents } from './component-rules';
import { type HistoryRange, loadHistoryPage } from './history';
import { previewedLinks } from './link-preview';
import { isLinkEmbed, LinkPreviewsService } from './link-previews.service';
import { parseMentions, resolveMentions } from './mentions';
import { loadMessageChannel, type MessageChannel } from './message-channel';
import { checkFileCount, dropAttachments, keptFiles } from './message-files';
import { insertMessages, MessageWriter, type NewMessage } from './message-writer';
import { hydrateMessages, type MessageRow, messageColumns } from './messages.wire';
import { UploadBatch } from './uploads';

const NONCE_WINDOW_MS = 5 * 60_000;
const BULK_DELETE_MAX_AGE_MS = 14 * 24 * 60 * 60_000;
const MAX_PINS = 50;

/** What a forum post's starter message is written with (createStarter). */
export interface Starter {
  /** The new thread (not yet written) as the message's channel, with the poster's permissions in the forum. */
  ctx: MessageChannel;
  /** Writes the thread, in the message's transaction. */
  write: (tx: DbOrTx) => Promise<void>;
  /** Events to publish after commit, the message's MESSAGE_CREATE after them. */
  pending: PendingEvents;
}

const unknownMessage = () => notFound(ErrorCode.UnknownMessage, 'Message');
const cannotEditOthers = () =>
  new ApiError(403, ErrorCode.CannotEditOtherUsersMessage, 'Cannot edit a message authored by another user');

/** Above every snowflake: "before" for the newest page. */
const NEWEST = MAX_SNOWFLAKE.toString();

export class MessagesService {
  /** Plain messages, written coalesced (ADR 0014). */
  private readonly writer: MessageWriter;
  /** Files of Discord's cloud-upload flow, waiting for their message. */
  readonly cloudUploads: CloudUploads;

  constructor(
    private readonly deps: Deps,
    private readonly dms: DmsService,
    private readonly relationships: RelationshipsService,
    private readonly threads: ThreadsService,
    private readonly stickers: StickersService,
    private readonly linkPreviews: LinkPreviewsService,
  ) {
    this.writer = new MessageWriter(deps.db);
    this.cloudUploads = new CloudUploads(deps);
  }

  /**
   * POST /channels/:id/messages: checks VIEW_CHANNEL and SEND_MESSAGES (MENTION_EVERYONE only when used), slowmode,
   * the replied-to message, and writes the message in one transaction; MESSAGE_CREATE is published once after commit.
   */
  async create(
    principal: Principal,
    channelId: string,
    input: CreateMessage,
    upload?: UploadBatch,
  ): Promise<Message> {
    try {
      return await this.createMessage(principal, channelId, input, upload);
    } catch (err) {
      // Nothing half-written: the files go with the refused or failed message.
      await upload?.discard();
      throw err;
    }
  }

  /**
   * Authorizes uploading files to a channel before any byte of them is read: the caller must see the channel,
   * send messages there and attach files. The batch then takes the files within the caller's upload limit.
   */
  async startUpload(principal: Principal, channelId: string): Promise<UploadBatch> {
    const ctx = await loadMessageChannel(this.deps.db, channelId, principal.userId, this.deps.contexts);
    this.checkCanSend(ctx);
    if (!hasPermission(ctx.permissions, Permission.ATTACH_FILES)) throw missingPermissions();
    return this.uploadBatch(principal.userId, ctx.channel.id);
  }

  /**
   * POST /channels/:id/attachments (Discord's cloud-upload flow): authorized as a message's files are (startUpload),
   * each announced file within the caller's upload limit; answers a signed PUT URL and an upload_filename per file.
   */
  async requestUploads(principal: Principal, channelId: string, input: RequestAttachmentUploads) {
    const { grant } = await this.startUpload(principal, channelId);
    return this.cloudUploads.announce(grant, input);
  }

  /**
   * DELETE /attachments/:upload_filename (Discord's cancel of a cloud upload): only the caller's own upload, not yet
   * taken by a message, whatever the caller may do in its channel now; anything else is a bare 404.
   */
  async cancelUpload(principal: Principal, uploadFilename: string): Promise<void> {
    await this.cloudUploads.cancel(principal.userId, uploadFilename);
  }

  /** An upload batch for files of a message to `channelId`, within the uploader's limit; the caller authorized it. */
  async uploadBatch(uploaderId: string, channelId: string): Promise<UploadBatch> {
    const [user] = await this.deps.db
      .select({ uploadLimit: users.uploadLimit })
      .from(users)
      .where(eq(users.id, uploaderId));
    return new UploadBatch(this.deps, {
      channelId,
      uploaderId,
      limitBytes: Math.min(user?.uploadLimit ?? Limits.defaultUploadLimitBytes, Limits.maxUploadBytes),
    });
  }

  /**
   * A forum post's starter message (ForumPostsService): written in the thread `starter.ctx` describes, with the thread's
   * id, in the transaction that `starter.write` creates the thread in. Sending rights and slowmode are the forum's,
   * decided by the caller; everything else (content, files, stickers, mentions, nonce) is decided as for any message.
   */
  async createStarter(
    principal: Principal,
    input: CreateMessage,
    upload: UploadBatch | undefined,
    starter: Starter,
  ): Promise<Message> {
    try {
      // A retried post is not matched by nonce: there is no thread yet to look in.
      const once = { ...input, enforce_nonce: undefined };
      return await this.createMessage(principal, starter.ctx.channel.id, once, upload, starter);
    } catch (err) {
      await upload?.discard();
      throw err;
    }
  }

  /** A text channel the caller may send to (in a locked thread only with MANAGE_THREADS). */
  private checkCanSend(ctx: MessageChannel): void {
    if (isForumType(ctx.channel.type))
      throw new ApiError(400, ErrorCode.CannotSendInForumChannel, 'Cannot send a message in a forum channel');
    if (!isMessageableType(ctx.channel.type))
      throw new ApiError(400, ErrorCode.InvalidFormBody, 'Cannot send messages in a non-text channel');
    const inThread = isThreadType(ctx.channel.type);
    if (
      !hasPermission(
        ctx.permissions,
        inThread ? Permission.SEND_MESSAGES_IN_THREADS : Permission.SEND_MESSAGES,
      )
    )
      throw missingPermissions();
    if (inThread && ctx.channel.locked && !hasPermission(ctx.permissions, Permission.MANAGE_THREADS))
      throw missingPermissions();
  }

  private async createMessage(
    principal: Principal,
    channelId: string,
    input: CreateMessage,
    upload: UploadBatch | undefined,
    starter?: Starter,
  ): Promise<Message> {
    const { db, ids } = this.deps;
    const ctx =
      starter?.ctx ?? (await loadMessageChannel(db, channelId, principal.userId, this.deps.contexts));
    if (!starter) this.checkCanSend(ctx);
    const inThread = isThreadType(ctx.channel.type);
    const files = upload?.files ?? [];
    const id = starter?.ctx.channel.id ?? ids.next();
    // Files of the cloud-upload flow the caller finished for this channel (50146 for any other).
    const uploaded = await this.cloudUploads.staged(
      db,
      { channelId, messageId: id, uploaderId: principal.userId },
      input.attachments,
    );
    const content = input.content ?? '';
    const embeds = input.embeds ?? (input.embed ? [input.embed] : []);
    const stickerItems = input.sticker_ids?.length
      ? await this.stickers.itemsFor(
          db,
          { userId: principal.userId, guildId: ctx.guildId, permissions: ctx.permissions },
          input.sticker_ids,
        )
      : [];
    // Components are an application's: checked by Discord's rules, and carried only on a bot's messages.
    const components = principal.bot ? checkComponents(input.components, 'message') : [];
    if (
      !content.trim() &&
      !embeds.length &&
      !files.length &&
      !uploaded.length &&
      !stickerItems.length &&
      !components.length
    )
      throw new ApiError(400, ErrorCode.CannotSendEmptyMessage, 'Cannot send an empty message');
    checkEmbedsTotal(embeds);
    if (!starter) await this.enforceSlowmode(ctx, principal.userId);
    if (ctx.channel.type === ChannelType.DM) {
      const other = await this.dms.otherRecipient(db, ctx.channel, principal.userId);
      if (other && (await this.relationships.blockedBetween(db, principal.userId, other)))
        throw new ApiError(403, ErrorCode.CannotSendMessagesToUser, 'Cannot send messages to this user');
    }

    const nonce = input.nonce === undefined ? null : String(input.nonce);
    if (nonce && input.enforce_nonce) {
      const existing = await this.findByNonce(db, channelId, principal.userId, nonce);
      if (existing) {
        await upload?.discard();
        return (await hydrateMessages(db, this.deps.attachmentUrls, [existing]))[0];
      }
    }

    let reference: MessageRow | null = null;
    if (input.message_reference) {
      if (!hasPermission(ctx.permissions, Permission.READ_MESSAGE_HISTORY)) throw missingPermissions();
      const ref = input.message_reference;
      const refChannel = ref.channel_id ?? channelId;
      if (refChannel !== channelId)
        throw invalidField(
          ['message_reference'],
          'REPLIES_CANNOT_REFERENCE_OTHER_CHANNEL',
          'A reply must be in the same channel.',
        );
      [reference] = await db
        .select(messageColumns)
        .from(messages)
        .where(and(eq(messages.channelId, channelId), eq(messages.id, ref.message_id)));
      if (!reference && ref.fail_if_not_exists !== false)
        throw invalidField(['message_reference'], 'REPLIES_UNKNOWN_MESSAGE', 'Unknown message');
    }

    const mentioned = await this.resolveMentions(
      ctx,
      content,
      input.allowed_mentions,
      reference?.authorId ?? null,
    );
    const stored =
      files.length || uploaded.length
        ? this.fileRows(ctx, principal.userId, id, input, files, uploaded)
        : null;
    const pending = starter?.pending ?? new PendingEvents();
    const directMentions = mentioned.userIds.filter((u) => u !== principal.userId);
    const enforceNonce = !!(nonce && input.enforce_nonce);
    const newMessage: NewMessage = {
      channelId,
      id,
      guildId: ctx.guildId,
      authorId: principal.userId,
      type: reference ? MessageType.Reply : MessageType.Default,
      content,
      tts: !!input.tts && hasPermission(ctx.permissions, Permission.SEND_TTS_MESSAGES),
      mentionEveryone: mentioned.everyone,
      mentionUserIds: mentioned.userIds,
      mentionRoleIds: mentioned.roleIds,
      mentionChannelIds: parseMentions(content).channelIds,
      flags: (input.flags ?? 0) & (MessageFlags.SuppressEmbeds | MessageFlags.SuppressNotifications),
      nonce,
      embeds,
      components,
      stickerItems,
      referenceChannelId: input.message_reference ? channelId : null,
      referenceMessageId: input.message_reference?.message_id ?? null,
      referenceGuildId: input.message_reference ? ctx.guildId : null,
    };
    // A plain message is written alone, coalesced with others sent at the same time; anything written beside it
    // goes in one transaction with it. The channel's last_message_id follows in the same statement (a trigger).
    const alone =
      !starter &&
      !enforceNonce &&
      !stored?.length &&
      ctx.channel.type !== ChannelType.DM &&
      !inThread &&
      !directMentions.length;
    const withOthers = async (tx: DbOrTx): Promise<MessageRow> => {
      if (nonce && enforceNonce) {
        // Serialize senders of the same nonce so that racing retries produce one message.
        await tx.execute(
          sql`select pg_advisory_xact_lock(hashtext(${`${channelId}:${principal.userId}:${nonce}`}))`,
        );
        const again = await this.findByNonce(tx, channelId, principal.userId, nonce);
        if (again) {
          await upload?.discard();
          return again;
        }
      }
      // A starter's thread comes first, in this transaction (its message counts start after the starter).
      if (starter) await starter.write(tx);
      const [inserted] = await insertMessages(tx, [newMessage]);
      await this.cloudUploads.consume(tx, channelId, principal.userId, uploaded);
      if (stored?.length) await tx.insert(attachments).values(stored);
      if (ctx.channel.type === ChannelType.DM) await this.dms.reopen(tx, channelId);
      if (inThread && !starter) {
        await this.threads.onMessage(tx, ctx.channel, principal.userId, pending);
        // A comment on a federated group's post reaches the group's remote members (FEP-1b12).
        await announceComment(this.deps, tx, ctx, id, principal.userId);
      }
      await recordMentions(tx, directMentions, {
        channelId,
        messageId: id,
        guildId: ctx.guildId,
        authorId: principal.userId,
      });
      return inserted;
    };
    const row = await (alone ? this.writer.write(newMessage) : db.transaction(withOthers));
    if (row.id === id) upload?.keep();
    const [message] = await hydrateMessages(db, this.deps.attachmentUrls, [row], undefined, {
      fresh: row.id === id,
      withFiles: !!stored?.length,
      knownUsers: ctx.caller ? [ctx.caller] : [],
    });
    if (row.id === id) {
      pending.add(
        'MESSAGE_CREATE',
        Topic.channel(channelId),
        await this.gatewayCopy(ctx, message, principal.userId),
      );
      pending.publish(this.deps.events);
      if (LinkPreviewsService.wanted(row.content, row.flags)) await this.scheduleUnfurl(channelId, id);
    }
    return message;
  }

  /** Queues the previews of a message's links; a failure to queue costs the previews, never the message. */
  private async scheduleUnfurl(channelId: string, messageId: string): Promise<void> {
    await this.linkPreviews.schedule(channelId, messageId).catch((err: unknown) => {
      this.deps.log.warn({ err, channelId, messageId }, 'link previews not queued');
    });
  }

  /** GET /channels/:id/messages: newest first, keyset pages around a cursor; needs READ_MESSAGE_HISTORY. */
  async history(principal: Principal, channelId: string, q: HistoryQuery): Promise<Message[]> {
    const { db } = this.deps;
    const ctx = await loadMessageChannel(db, channelId, principal.userId, this.deps.contexts, {
      preview: true,
    });
    if (!hasPermission(ctx.permissions, Permission.READ_MESSAGE_HISTORY)) return [];
    const limit = q.limit ?? Limits.historyPageDefault;
    const range: HistoryRange = { older: { before: NEWEST, limit: 0 }, newer: { after: '0', limit: 0 } };
    if (q.around) {
      const half = Math.floor(limit / 2);
      // The message itself is in the older half (pages are exclusive of their cursor; no id is above NEWEST).
      range.older = {
        before: q.around === NEWEST ? NEWEST : (BigInt(q.around) + 1n).toString(),
        limit: limit - half,
      };
      range.newer = { after: q.around, limit: half };
    } else if (q.after) {
      range.newer = { after: q.after, limit };
    } else {
      range.older = { before: q.before ?? NEWEST, limit };
    }
    return loadHistoryPage(db, this.deps.attachmentUrls, { channelId, viewerId: principal.userId, range });
  }

  async get(principal: Principal, channelId: string, messageId: string): Promise<Message> {
    const { db } = this.deps;
    const ctx = await loadMessageChannel(db, channelId, principal.userId, undefined, { preview: true });
    if (!hasPermission(ctx.permissions, Permission.READ_MESSAGE_HISTORY)) throw missingPermissions();
    return (
      await hydrateMessages(
        db,
        this.deps.attachmentUrls,
        [await this.find(db, channelId, messageId)],
        principal.userId,
      )
    )[0];
  }

  /**
   * Authorizes a multipart edit before a byte of its files is read: the caller sees the channel, wrote the message
   * and may attach files there.
   */
  async startEditUpload(principal: Principal, channelId: string, messageId: string): Promise<UploadBatch> {
    const ctx = await loadMessageChannel(this.deps.db, channelId, principal.userId);
    const row = await this.find(this.deps.db, channelId, messageId);
    if (row.authorId !== principal.userId) throw cannotEditOthers();
    if (!hasPermission(ctx.permissions, Permission.ATTACH_FILES)) throw missingPermissions();
    return this.uploadBatch(principal.userId, ctx.channel.id);
  }

  /**
   * PATCH: the author edits content, embeds, flags and files (new ones in `upload`, or uploads `attachments` names;
   * `attachments` lists the existing files kept, the rest are deleted, from storage too); others may only toggle
   * SUPPRESS_EMBEDS with MANAGE_MESSAGES.
   */
  async edit(
    principal: Principal,
    channelId: string,
    messageId: string,
    input: EditMessage,
    upload?: UploadBatch,
  ): Promise<Message> {
    try {
      return await this.editMessage(principal, channelId, messageId, input, upload);
    } catch (err) {
      await upload?.discard();
      throw err;
    }
  }

  private async editMessage(
    principal: Principal,
    channelId: string,
    messageId: string,
    input: EditMessage,
    upload: UploadBatch | undefined,
  ): Promise<Message> {
    const { db } = this.deps;
    const ctx = await loadMessageChannel(db, channelId, principal.userId);
    if (upload && upload.grant.channelId !== ctx.channel.id) throw unknownMessage();
    const row = await this.find(db, channelId, messageId);
    const isAuthor = row.authorId === principal.userId;
    const changes: Partial<MessageRow> = {};
    if (input.flags != null) {
      if (!isAuthor && !(ctx.guildId && hasPermission(ctx.permissions, Permission.MANAGE_MESSAGES)))
        throw cannotEditOthers();
      changes.flags =
        (row.flags & ~MessageFlags.SuppressEmbeds) | (input.flags & MessageFlags.SuppressEmbeds);
    }
    const editsFiles = input.attachments !== undefined || !!upload?.files.length;
    const editsContent =
      input.content !== undefined ||
      input.embeds !== undefined ||
      input.components !== undefined ||
      editsFiles;
    let files: Awaited<ReturnType<MessagesService['editedFiles']>> = {
      count: 0,
      added: [],
      uploaded: [],
      dropped: [],
    };
    if (editsContent) {
      if (!isAuthor) throw cannotEditOthers();
      if (row.type !== MessageType.Default && row.type !== MessageType.Reply)
        throw new ApiError(403, ErrorCode.CannotExecuteOnSystemMessage, 'Cannot edit a system message');
      // A message keeping files may lose its text: the files are counted whenever the content changes.
      files = await this.editedFiles(ctx, row, input, upload);
      const content = input.content ?? (input.content === null ? '' : row.content);
      // Sent embeds replace the message's own; previews of links no longer in the text go (the unfurl adds new ones).
      const links = previewedLinks(content);
      const embeds =
        input.embeds === undefined
          ? row.embeds.filter((e) => !isLinkEmbed(e) || links.includes((e as { url: string }).url))
          : (input.embeds ?? []);
      const components =
        input.components === undefined || !principal.bot
          ? row.components
          : checkComponents(input.components, 'message');
      if (!content.trim() && !embeds.length && !components.length && !files.count)
        throw new ApiError(400, ErrorCode.CannotSendEmptyMessage, 'Cannot send an empty message');
      checkEmbedsTotal(embeds);
      changes.content = content;
      changes.embeds = embeds;
      changes.components = components;
      const mentioned = await this.resolveMentions(ctx, content, input.allowed_mentions ?? null, null);
      changes.mentionUserIds = mentioned.userIds;
      changes.mentionRoleIds = mentioned.roleIds;
      changes.mentionEveryone = mentioned.everyone;
      changes.editedAt = new Date();
    }
    if (!Object.keys(changes).length) return (await hydrateMessages(db, this.deps.attachmentUrls, [row]))[0];
    const { updated, removed } = await db.transaction(async (tx) => {
      const [next] = await tx
        .update(messages)
        .set(changes)
        .where(and(eq(messages.channelId, channelId), eq(messages.id, messageId)))
        .returning(messageColumns);
      // Only users not already notified become new mentions.
      const added = (changes.mentionUserIds ?? []).filter(
        (u) => !row.mentionUserIds.includes(u) && u !== row.authorId,
      );
      await recordMentions(tx, added, { channelId, messageId, guildId: ctx.guildId, authorId: row.authorId });
      await this.cloudUploads.consume(tx, channelId, principal.userId, files.uploaded);
      if (files.added.length) await tx.insert(attachments).values(files.added);
      // A federated group's post edited by its (local) author: the group Announces the Update (FEP-1b12).
      if (changes.content !== undefined && messageId === channelId && ctx.actor)
        await announcePostEdit(this.deps, tx, ctx.actor.guild, ctx.channel, row.authorId);
      // A comment on it edited by its local author: the group Announces the Update of the comment's Note.
      else if (changes.content !== undefined && isThreadType(ctx.channel.type))
        await announceComment(this.deps, tx, ctx, messageId, row.authorId, { edited: true });
      return { updated: next, removed: await dropAttachments(tx, channelId, messageId, files.dropped) };
    });
    upload?.keep();
    await deleteAttachmentFiles(this.deps.storage, removed);
    const [message] = await hydrateMessages(db, this.deps.attachmentUrls, [updated]);
    this.deps.events.publish('MESSAGE_UPDATE', Topic.channel(channelId), {
      ...message,
      ...(ctx.guildId ? { guild_id: ctx.guildId } : {}),
    });
    // A group post's body edited: members' home streams get `status.update` (ADR 0031; the stream checks the forum).
    if (
      changes.content !== undefined &&
      messageId === channelId &&
      ctx.actor?.guild.groupJoinMode &&
      ctx.channel.type === ChannelType.PublicThread &&
      ctx.channel.parentId
    )
      this.deps.events.publish('SOCIAL_GROUP_POST_UPDATE', Topic.account(ctx.actor.guild.id), {
        id: channelId,
        group_id: ctx.actor.guild.id,
        forum_id: ctx.channel.parentId,
      });
    // New text, or previews shown again: the links are read (again; the cache answers for unchanged ones).
    const unsuppressed = !!(row.flags & MessageFlags.SuppressEmbeds) && updated.flags !== row.flags;
    if (
      (changes.content !== undefined || unsuppressed) &&
      LinkPreviewsService.wanted(updated.content, updated.flags)
    )
      await this.scheduleUnfurl(channelId, messageId);
    return message;
  }

  /**
   * An edit's files: the existing ones `attachments` keeps, the new ones (multipart and uploaded, with ATTACH_FILES)
   * as rows to add, and the ids of those to drop; `count` is how many the message will hold.
   */
  private async editedFiles(ctx: MessageChannel, row: MessageRow, input: EditMessage, upload?: UploadBatch) {
    const { db } = this.deps;
    const existing = await db
      .select({ id: attachments.id })
      .from(attachments)
      .where(and(eq(attachments.channelId, row.channelId), eq(attachments.messageId, row.id)));
    const { kept, dropped } = keptFiles(existing, input.attachments);
    const uploaded = await this.cloudUploads.staged(
      db,
      { channelId: row.channelId, messageId: row.id, uploaderId: row.authorId },
      input.attachments,
    );
    const sent = upload?.files ?? [];
    const added =
      sent.length || uploaded.length ? this.fileRows(ctx, row.authorId, row.id, input, sent, uploaded) : [];
    checkFileCount(kept.length + added.length);
    return { count: kept.length + added.length, added, uploaded, dropped };
  }

  /**
   * DELETE /channels/:id/messages/:mid: the author, or in a guild a moderator (MANAGE_MESSAGES). A moderator's removal
   * of someone else's message is in the audit log (MESSAGE_DELETE, with the reason), as on Discord.
   */
  async delete(
    principal: Principal,
    channelId: string,
    messageId: string,
    reason: string | null = null,
  ): Promise<void> {
    const { db, ids } = this.deps;
    const ctx = await loadMessageChannel(db, channelId, principal.userId);
    const row = await this.find(db, channelId, messageId);
    const moderator = ctx.guildId !== null && hasPermission(ctx.permissions, Permission.MANAGE_MESSAGES);
    if (row.authorId !== principal.userId && !moderator) throw missingPermissions();
    const pending = new PendingEvents();
    const deleted = await db.transaction(async (tx) => {
      const result = await deleteMessages(tx, channelId, [messageId]);
      // A comment on a federated group's post is deleted at its remote members' instances too (FEP-1b12).
      if (result.ids.length && isThreadType(ctx.channel.type))
        await announceCommentDelete(this.deps, tx, ctx, {
          messageId,
          authorId: row.authorId,
          moderated: row.authorId !== principal.userId,
        });
      if (ctx.guildId && row.authorId !== principal.userId)
        await writeAudit(tx, ids, pending, {
          guildId: ctx.guildId,
          userId: principal.userId,
          targetId: row.authorId,
          actionType: AuditLogEvent.MessageDelete,
          options: { channel_id: channelId, count: '1' },
          reason,
        });
      return result;
    });
    await deleteAttachmentFiles(this.deps.storage, deleted.attachments);
    this.deps.events.publish('MESSAGE_DELETE', Topic.channel(channelId), {
      id: messageId,
      channel_id: channelId,
      ...(ctx.guildId ? { guild_id: ctx.guildId } : {}),
    });
    pending.publish(this.deps.events);
  }

  /** POST /channels/:id/messages/bulk-delete: 2–100 messages younger than 14 days, MANAGE_MESSAGES. */
  async bulkDelete(principal: Principal, channelId: string, messageIds: string[]): Promise<void> {
    const { db } = this.deps;
    const ctx = await loadMessageChannel(db, channelId, principal.userId);
    if (!ctx.guildId || !hasPermission(ctx.permissions, Permission.MANAGE_MESSAGES))
      throw missingPermissions();
    const unique = [...new Set(messageIds)];
    if (unique.length < 2)
      throw invalidField(
        ['messages'],
        'BASE_TYPE_BAD_LENGTH',
        'Must be between 2 and 100 distinct messages.',
      );
    const oldest = BigInt(snowflakeFromTimestamp(Date.now() - BULK_DELETE_MAX_AGE_MS));
    if (unique.some((id) => BigInt(id) < oldest))
      throw new ApiError(
        400,
        ErrorCode.MessageTooOldToBulkDelete,
        'You can only bulk delete messages that are under 14 days old.',
      );
    const deleted = await db.transaction((tx) => deleteMessages(tx, channelId, unique));
    await deleteAttachmentFiles(this.deps.storage, deleted.attachments);
    if (deleted.ids.length)
      this.deps.events.publish('MESSAGE_DELETE_BULK', Topic.channel(channelId), {
        ids: deleted.ids,
        channel_id: channelId,
        guild_id: ctx.guildId,
      });
  }

  async pins(principal: Principal, channelId: string): Promise<Message[]> {
    const { db } = this.deps;
    const ctx = await loadMessageChannel(db, channelId, principal.userId);
    if (!hasPermission(ctx.permissions, Permission.READ_MESSAGE_HISTORY)) return [];
    const rows = await db
      .select(messageColumns)
      .from(messages)
      .where(and(eq(messages.channelId, channelId), eq(messages.pinned, true)))
      .orderBy(desc(messages.id));
    return hydrateMessages(db, this.deps.attachmentUrls, rows);
  }

  /** PUT/DELETE /channels/:id/pins/:mid: PIN_MESSAGES or MANAGE_MESSAGES; at most 50 pins; a system message marks a pin. */
  async setPinned(
    principal: Principal,
    channelId: string,
    messageId: string,
    pinned: boolean,
  ): Promise<void> {
    const { db, ids } = this.deps;
    const ctx = await loadMessageChannel(db, channelId, principal.userId);
    if (
      !hasPermission(ctx.permissions, Permission.PIN_MESSAGES) &&
      !hasPermission(ctx.permissions, Permission.MANAGE_MESSAGES)
    )
      throw missingPermissions();
    const row = await this.find(db, channelId, messageId);
    if (row.pinned === pinned) return;
    const pending = new PendingEvents();
    const now = new Date();
    const system = await db.transaction(async (tx) => {
      if (pinned) {
        const [{ n }] = await tx
          .select({ n: count() })
          .from(messages)
          .where(and(eq(messages.channelId, channelId), eq(messages.pinned, true)));
        if (n >= MAX_PINS)
          throw new ApiError(400, ErrorCode.MaximumPins, `Maximum number of pins reached (${MAX_PINS})`);
      }
      await tx
        .update(messages)
        .set({ pinned, pinnedAt: pinned ? now : null })
        .where(and(eq(messages.channelId, channelId), eq(messages.id, messageId)));
      await tx.update(channels).set({ lastPinTimestamp: now }).where(eq(channels.id, channelId));
      if (!pinned) return null;
      const sysId = ids.next();
      const [sys] = await tx
        .insert(messages)
        .values({
          channelId,
          id: sysId,
          guildId: ctx.guildId,
          authorId: principal.userId,
          type: MessageType.ChannelPinnedMessage,
          referenceChannelId: channelId,
          referenceMessageId: messageId,
          referenceGuildId: ctx.guildId,
        })
        .returning(messageColumns);
      return sys;
    });
    const [updated] = await hydrateMessages(db, this.deps.attachmentUrls, [{ ...row, pinned }]);
    const guild = ctx.guildId ? { guild_id: ctx.guildId } : {};
    pending.add('MESSAGE_UPDATE', Topic.channel(channelId), { ...updated, ...guild });
    if (system)
      pending.add(
        'MESSAGE_CREATE',
        Topic.channel(channelId),
        await this.gatewayCopy(
          ctx,
          (await hydrateMessages(db, this.deps.attachmentUrls, [system]))[0],
          principal.userId,
        ),
      );
    pending.add('CHANNEL_PINS_UPDATE', Topic.channel(channelId), {
      ...guild,
      channel_id: channelId,
      last_pin_timestamp: now.toISOString(),
    });
    pending.publish(this.deps.events);
  }

  /** POST /channels/:id/typing: TYPING_START to those who can see the channel. */
  async typing(principal: Principal, channelId: string): Promise<void> {
    const { db } = this.deps;
    const ctx = await loadMessageChannel(db, channelId, principal.userId);
    const send = isThreadType(ctx.channel.type)
      ? Permission.SEND_MESSAGES_IN_THREADS
      : Permission.SEND_MESSAGES;
    if (!hasPermission(ctx.permissions, send)) throw missingPermissions();
    const event: EventPayload<'TYPING_START'> = {
      channel_id: channelId,
      user_id: principal.userId,
      timestamp: Math.floor(Date.now() / 1000),
    };
    if (ctx.guildId && ctx.actor) {
      const [user] = await db.select().from(users).where(eq(users.id, principal.userId));
      Object.assign(event, {
        guild_id: ctx.guildId,
        member: toMemberWire(ctx.actor.member, ctx.actor.roleIds, user),
      });
    }
    this.deps.events.publish('TYPING_START', Topic.channel(channelId), event);
  }

  /** A USER_JOIN system message in the guild's system channel, written when someone joins. */
  async userJoined(
    tx: DbOrTx,
    pending: PendingEvents,
    guildId: string,
    systemChannelId: string | null,
    userId: string,
  ): Promise<void> {
    if (!systemChannelId) return;
    const id = this.deps.ids.next();
    const [row] = await tx
      .insert(messages)
      .values({ channelId: systemChannelId, id, guildId, authorId: userId, type: MessageType.UserJoin })
      .returning(messageColumns);
    const [message] = await hydrateMessages(tx, this.deps.attachmentUrls, [row]);
    pending.add('MESSAGE_CREATE', Topic.channel(systemChannelId), {
      ...message,
      guild_id: guildId,
      channel_type: ChannelType.GuildText,
    });
  }

  private async find(db: DbOrTx, channelId: string, messageId: string): Promise<MessageRow> {
    const [row] = await db
      .select(messageColumns)
      .from(messages)
      .where(and(eq(messages.channelId, channelId), eq(messages.id, messageId)));
    if (!row) throw unknownMessage();
    return row;
  }

  private async findByNonce(
    db: DbOrTx,
    channelId: string,
    authorId: string,
    nonce: string,
  ): Promise<MessageRow | undefined> {
    const since = snowflakeFromTimestamp(Date.now() - NONCE_WINDOW_MS);
    const [row] = await db
      .select(messageColumns)
      .from(messages)
      .where(
        and(
          eq(messages.channelId, channelId),
          eq(messages.authorId, authorId),
          gte(messages.id, since),
          eq(messages.nonce, nonce),
        ),
      )
      .limit(1);
    return row;
  }

  /** The file (or its preview) behind a signed attachment URL, or null when the signature, expiry or file is wrong. */
  async attachmentFile(
    ref: { channelId: string; id: string; filename: string },
    opts: { preview: boolean; ex?: string; hm?: string },
  ) {
    if (!this.deps.attachmentUrls.verify(attachmentPath(ref, opts), opts.ex, opts.hm)) return null;
    const [row] = await this.deps.db
      .select()
      .from(attachments)
      .where(and(eq(attachments.channelId, ref.channelId), eq(attachments.id, ref.id)));
    const key = opts.preview ? row?.previewKey : row?.storageKey;
    if (!row || !key || urlFilename(row.filename) !== ref.filename) return null;
    const file = await this.deps.storage.get(key);
    if (!file) return null;
    return opts.preview
      ? { body: file.body, size: file.size, contentType: file.contentType, disposition: 'inline' }
      : {
          body: file.body,
          size: file.size,
          contentType: row.contentType,
          disposition: dispositionFor(row.contentType, row.filename),
        };
  }

  /** The rows of a message's files, stored before its transaction (ATTACH_FILES, at most 10). */
  private fileRows(
    ctx: MessageChannel,
    userId: string,
    messageId: string,
    input: { attachments?: MessageAttachmentInput[] },
    files: StagedFile[],
    uploaded: AttachmentRow[],
  ) {
    if (!hasPermission(ctx.permissions, Permission.ATTACH_FILES)) throw missingPermissions();
    if (files.length + uploaded.length > Limits.attachmentsPerMessage)
      throw invalidField(
        ['files'],
        'BASE_TYPE_MAX_LENGTH',
        `At most ${Limits.attachmentsPerMessage} files per message.`,
      );
    const descriptions = descriptionsOf(input.attachments);
    return [
      ...attachmentRows(files, { channelId: ctx.channel.id, messageId, uploaderId: userId, descriptions }),
      ...uploaded,
    ];
  }

  /** Slowmode: one message per `rate_limit_per_user` seconds, unless the sender may manage messages or the channel. */
  async enforceSlowmode(ctx: MessageChannel, userId: string): Promise<void> {
    const seconds = ctx.channel.rateLimitPerUser;
    if (!seconds || !ctx.guildId) return;
    const p = ctx.permissions;
    if (
      hasPermission(p, Permission.MANAGE_MESSAGES) ||
      hasPermission(p, Permission.MANAGE_CHANNELS) ||
      hasPermission(p, Permission.BYPASS_SLOWMODE)
    )
      return;
    const result = await this.deps.limiter.hit(`slowmode:${ctx.channel.id}:${userId}`, 1, seconds * 1000);
    if (!result.allowed)
      throw rateLimited(ErrorCode.SlowmodeRateLimited, 'This channel is in slowmode', result.resetAfterMs);
  }

  private async resolveMentions(
    ctx: MessageChannel,
    content: string,
    allowed: CreateMessage['allowed_mentions'] | null | undefined,
    repliedUserId: string | null,
  ) {
    const parsed = parseMentions(content);
    const roles = ctx.actor?.roles ?? [];
    const resolved = resolveMentions(parsed, {
      allowed,
      canMentionEveryone: hasPermission(ctx.permissions, Permission.MENTION_EVERYONE),
      mentionableRoleIds: new Set(roles.filter((r) => r.mentionable).map((r) => r.id)),
      existingRoleIds: new Set(roles.filter((r) => r.id !== ctx.guildId).map((r) => r.id)),
      repliedUserId,
    });
    // Only real users are mentioned.
    if (resolved.userIds.length) {
      const found = await this.deps.db
        .select({ id: users.id })
        .from(users)
        .where(inArray(users.id, resolved.userIds));
      const exists = new Set(found.map((u) => u.id));
      resolved.userIds = resolved.userIds.filter((id) => exists.has(id));
    }
    return resolved;
  }

  /** The MESSAGE_CREATE payload: the message plus guild_id and the author's member, or channel_type for DMs. */
  private async gatewayCopy(
    ctx: MessageChannel,
    message: Message,
    authorId: string,
  ): Promise<EventPayload<'MESSAGE_CREATE'>> {
    if (!ctx.guildId || !ctx.actor) return { ...message, channel_type: ctx.channel.type };
    const member =
      ctx.actor.userId === authorId ? toMemberWire(ctx.actor.member, ctx.actor.roleIds) : undefined;
    return {
      ...message,
      guild_id: ctx.guildId,
      channel_type: ctx.channel.type,
      ...(member ? { member } : {}),
    };
  }
}

/** The mentions of `userIds` by one message (for their unread mention counts); a user already recorded is kept. */
export async function recordMentions(
  tx: DbOrTx,
  userIds: string[],
  message: { channelId: string; messageId: string; guildId: string | null; authorId: string },
): Promise<void> {
  if (!userIds.length) return;
  await tx
    .insert(mentions)
    .values(userIds.map((userId) => ({ userId, ...message })))
    .onConflictDoNothing();
}

/** Discord's limit across all of a message's embeds (each field's own limit is in the schema). */
export function checkEmbedsTotal(embeds: unknown[]): void {
  // Embeds were validated against the protocol's Embed schema on the way in.
  const valid = embeds as Array<Parameters<typeof embedLength>[0]>;
  if (valid.reduce((n, e) => n + embedLength(e), 0) > 6000)
    throw invalidField(['embeds'], 'BASE_TYPE_MAX_LENGTH', 'Embeds must total at most 6000 characters.');
}

function embedLength(e: {
  title?: string;
  description?: string;
  footer?: { text: string };
  author?: { name: string };
  fields?: Array<{ name: string; value: string }>;
}): number {
  return (
    (e.title?.length ?? 0) +
    (e.description?.length ?? 0) +
    (e.footer?.text.length ?? 0) +
    (e.author?.name.length ?? 0) +
    (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0)
  );
}
