import { hasPermission, Permission } from '@hearth/permissions';
import {
  AuditLogEvent,
  type Channel,
  ChannelFlags,
  ChannelKind,
  ChannelType,
  type CreateMessage,
  ErrorCode,
  isForumType,
  isTextType,
  isThreadType,
  MessageType,
  snowflakeTimestamp,
} from '@hearth/protocol';
import { and, asc, count, desc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import { channelTypeIn } from '../../store/channel-kinds';
import type { DbOrTx } from '../../store/db';
import { channels, guilds, messages, permissionOverwrites, posts, threadMembers } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { ApiError, invalidField, missingPermissions, notFound } from '../errors';
import { groupBy } from '../group-by';
import { writeAudit } from '../guilds/audit';
import { enqueueGroupDelivery } from '../guilds/group-federation';
import {
  type ChannelRow,
  loadChannelForActor,
  loadGuildActor,
  loadGuildReader,
  lockChannels,
  privateThreadRule,
} from '../guilds/guild-access';
import { deleteChannelContent, deleteChannelFiles } from '../messages/channel-content';
import { hydrateMessages, messageColumns } from '../messages/messages.wire';
import { PendingEvents } from '../pending-events';
import { isRemote } from '../social/remote.service';
import { checkAppliedTags } from './forum';
import { memberships, threadMemberCounts, toThreadMemberWire, toThreadWire } from './threads.wire';

export interface CreateThreadInput {
  name: string;
  type?: number;
  auto_archive_duration?: number;
  invitable?: boolean;
  rate_limit_per_user?: number;
}

/** A post in a forum or media channel: a thread and its starter message, with tags. */
export interface ForumPostInput extends CreateThreadInput {
  applied_tags?: string[];
  message?: CreateMessage;
}

export interface ModifyThreadInput {
  name?: string;
  archived?: boolean;
  locked?: boolean;
  invitable?: boolean;
  auto_archive_duration?: number | null;
  rate_limit_per_user?: number | null;
  /** A forum post's tags. */
  applied_tags?: string[] | null;
  /** Only PINNED (a forum post) can be changed. */
  flags?: number | null;
}

/** Threads: public ones from a message or a channel, private ones by invitation; members, archiving and locking. */
export class ThreadsService {
  constructor(private readonly deps: Deps) {}

  /** POST /channels/:id/messages/:mid/threads: a public thread whose id is the starting message's id, as on Discord. */
  async fromMessage(
    principal: Principal,
    channelId: string,
    messageId: string,
    input: CreateThreadInput,
  ): Promise<Channel> {
    const { db } = this.deps;
    const parent = await this.parent(principal, channelId);
    if (!hasPermission(parent.permissions, Permission.CREATE_PUBLIC_THREADS)) throw missingPermissions();
    const [message] = await db
      .select(messageColumns)
      .from(messages)
      .where(and(eq(messages.channelId, channelId), eq(messages.id, messageId)));
    if (!message) throw notFound(ErrorCode.UnknownMessage, 'Message');
    if (message.threadId)
      throw new ApiError(
        400,
        ErrorCode.InvalidFormBody,
        'A thread has already been created for this message',
      );
    const type =
      parent.channel.type === ChannelType.GuildAnnouncement
        ? ChannelType.AnnouncementThread
        : ChannelType.PublicThread;
    return this.create(principal, parent.channel, { ...input, type }, messageId);
  }

  /** POST /channels/:id/threads: a thread without a starting message (private by default, as in API v10). */
  async standalone(principal: Principal, channelId: string, input: CreateThreadInput): Promise<Channel> {
    const parent = await this.parent(principal, channelId);
    const type = input.type ?? ChannelType.PrivateThread;
    if (!isThreadType(type))
      throw invalidField(
        ['type'],
        'CHANNEL_TYPE_INVALID',
        `A thread's type is one of ${ChannelKind.thread.join(', ')}.`,
      );
    const needed =
      type === ChannelType.PrivateThread
        ? Permission.CREATE_PRIVATE_THREADS
        : Permission.CREATE_PUBLIC_THREADS;
    if (!hasPermission(parent.permissions, needed)) throw missingPermissions();
    return this.create(principal, parent.channel, { ...input, type }, null);
  }

  async get(principal: Principal, threadId: string): Promise<Channel> {
    const { channel } = await this.thread(principal, threadId, { preview: true });
    const [me] = await this.deps.db
      .select()
      .from(threadMembers)
      .where(and(eq(threadMembers.channelId, threadId), eq(threadMembers.userId, principal.userId)));
    return toThreadWire(channel, await this.memberCount(this.deps.db, threadId), me);
  }

  async join(principal: Principal, threadId: string): Promise<void> {
    const { channel } = await this.thread(principal, threadId);
    if (channel.archived && channel.locked) throw missingPermissions();
    await this.addMembers(channel, [principal.userId]);
  }

  async leave(principal: Principal, threadId: string): Promise<void> {
    const { channel } = await this.thread(principal, threadId);
    await this.removeMember(channel, principal.userId);
  }

  /** Adding someone needs the right to send in the thread; into a private thread, it must be invitable or managed. */
  async addMember(principal: Principal, threadId: string, userId: string): Promise<void> {
    const { channel, permissions, actor } = await this.thread(principal, threadId);
    if (!hasPermission(permissions, Permission.SEND_MESSAGES_IN_THREADS)) throw missingPermissions();
    const manages = hasPermission(permissions, Permission.MANAGE_THREADS);
    if (channel.type === ChannelType.PrivateThread && !manages && channel.invitable === false)
      throw missingPermissions();
    try {
      await loadGuildActor(this.deps.db, actor.guild.id, userId);
    } catch {
      throw notFound(ErrorCode.UnknownMember, 'Member');
    }
    await this.addMembers(channel, [userId]);
  }

  /** Removing someone else needs MANAGE_THREADS, or being the owner of a private thread. */
  async removeMemberBy(principal: Principal, threadId: string, userId: string): Promise<void> {
    const { channel, permissions } = await this.thread(principal, threadId);
    const owner = channel.type === ChannelType.PrivateThread && channel.ownerId === principal.userId;
    if (userId !== principal.userId && !owner && !hasPermission(permissions, Permission.MANAGE_THREADS))
      throw missingPermissions();
    await this.removeMember(channel, userId);
  }

  async members(principal: Principal, threadId: string) {
    await this.thread(principal, threadId);
    const rows = await this.deps.db
      .select()
      .from(threadMembers)
      .where(eq(threadMembers.channelId, threadId))
      .orderBy(asc(threadMembers.userId));
    return rows.map(toThreadMemberWire);
  }

  /** PATCH on a thread: MANAGE_THREADS, or its creator for name, archiving and archive duration; locking needs MANAGE_THREADS. */
  async modify(principal: Principal, threadId: string, input: ModifyThreadInput): Promise<Channel> {
    const { db } = this.deps;
    const { channel, permissions } = await this.thread(principal, threadId);
    const manages = hasPermission(permissions, Permission.MANAGE_THREADS);
    const owner = channel.ownerId === principal.userId;
    const changes: Partial<ChannelRow> = {};
    if (input.locked !== undefined || input.invitable !== undefined || input.rate_limit_per_user != null) {
      if (!manages) throw missingPermissions();
    }
    if (!manages && !owner) throw missingPermissions();
    if (channel.locked && channel.archived && input.archived === false && !manages)
      throw missingPermissions();
    if (input.name !== undefined) changes.name = input.name;
    if (input.locked !== undefined) changes.locked = input.locked;
    if (input.invitable !== undefined) changes.invitable = input.invitable;
    if (input.auto_archive_duration != null) changes.autoArchiveDuration = input.auto_archive_duration;
    if (input.rate_limit_per_user != null) changes.rateLimitPerUser = input.rate_limit_per_user;
    if (input.archived !== undefined && input.archived !== !!channel.archived) {
      changes.archived = input.archived;
      changes.archiveTimestamp = new Date();
    }
    const forum = await this.forumOf(db, channel);
    if (input.applied_tags != null) {
      if (!forum)
        throw invalidField(['applied_tags'], 'CHANNEL_FIELD_INVALID', 'Only forum posts have tags.');
      changes.appliedTags = checkAppliedTags(
        forum,
        input.applied_tags,
        permissions,
        channel.appliedTags ?? [],
      );
    }
    const pin = input.flags == null ? null : (input.flags & ChannelFlags.Pinned) !== 0;
    if (pin !== null && pin !== ((channel.flags & ChannelFlags.Pinned) !== 0)) {
      if (!forum) throw invalidField(['flags'], 'CHANNEL_FIELD_INVALID', 'Only forum posts can be pinned.');
      if (!manages) throw missingPermissions();
      changes.flags = pin ? channel.flags | ChannelFlags.Pinned : channel.flags & ~ChannelFlags.Pinned;
    }
    const [row] = Object.keys(changes).length
      ? await db.transaction(async (tx) => {
          if (pin && forum) {
            // One pinned post per forum: the forum's row serializes pinning within it.
            await lockChannels(tx, eq(channels.id, forum.id));
            const [other] = await tx
              .select({ id: channels.id })
              .from(channels)
              .where(
                and(
                  eq(channels.parentId, forum.id),
                  sql`${channels.flags} & ${ChannelFlags.Pinned} <> 0`,
                  sql`${channels.id} <> ${threadId}`,
                ),
              );
            if (other)
              throw new ApiError(
                400,
                ErrorCode.MaximumPinnedForumThreads,
                'Maximum number of pinned threads in a forum channel has been reached',
              );
          }
          return tx.update(channels).set(changes).where(eq(channels.id, threadId)).returning();
        })
      : [channel];
    const wire = toThreadWire(row, await this.memberCount(db, threadId));
    this.deps.events.publish('THREAD_UPDATE', Topic.guild(row.guildId!), wire);
    return wire;
  }

  /** Deletes a thread (a forum post with its comments): MANAGE_THREADS, in the audit log with the reason. */
  async delete(principal: Principal, threadId: string, reason: string | null = null): Promise<Channel> {
    const { channel, permissions } = await this.thread(principal, threadId);
    if (!hasPermission(permissions, Permission.MANAGE_THREADS)) throw missingPermissions();
    return this.remove(channel, { by: principal.userId, reason });
  }

  /**
   * Deletes the group posts that status `statusId` of `authorId` made (ADR 0031): its author deleted the status, so
   * the posts it made go with it, without MANAGE_THREADS (nobody else's doing: no audit entry). Answers their ids.
   */
  async deleteFromStatus(authorId: string, statusId: string): Promise<string[]> {
    const made = await this.deps.db
      .select()
      .from(channels)
      .where(and(eq(channels.sourceStatusId, statusId), eq(channels.ownerId, authorId)));
    for (const thread of made) await this.remove(thread, null);
    return made.map((t) => t.id);
  }

  /** Deletes a thread and its content; `audit`: the moderator's deletion, written to the audit log. */
  private async remove(
    channel: ChannelRow,
    audit: { by: string; reason: string | null } | null,
  ): Promise<Channel> {
    const threadId = channel.id;
    const pending = new PendingEvents();
    await this.deps.db.transaction(async (tx) => {
      if (audit)
        await writeAudit(tx, this.deps.ids, pending, {
          guildId: channel.guildId!,
          userId: audit.by,
          targetId: threadId,
          actionType: AuditLogEvent.ThreadDelete,
          changes: [
            { key: 'name', old_value: channel.name },
            { key: 'type', old_value: channel.type },
          ],
          reason: audit.reason,
        });
      await this.announceRemoval(tx, channel, audit !== null);
      await deleteChannelContent(tx, [threadId]);
      await tx
        .update(messages)
        .set({ threadId: null })
        .where(and(eq(messages.channelId, channel.parentId!), eq(messages.threadId, threadId)));
      await tx.delete(channels).where(eq(channels.id, threadId));
    });
    await deleteChannelFiles(this.deps, [threadId]);
    const wire = toThreadWire(channel, 0);
    this.deps.events.publish('THREAD_DELETE', Topic.guild(channel.guildId!), {
      id: threadId,
      guild_id: channel.guildId!,
      parent_id: channel.parentId,
      type: channel.type,
    });
    pending.publish(this.deps.events);
    return wire;
  }

  /**
   * A forum post of a federated group is deleted: the group Announces it to its remote followers (FEP-1b12), in `tx`.
   * A remote author's own deletion is announced by the inbox that received it; a moderator's is the group's Delete.
   */
  private async announceRemoval(tx: DbOrTx, thread: ChannelRow, moderated: boolean): Promise<void> {
    if (!thread.guildId || !thread.parentId || !thread.ownerId) return;
    const [row] = await tx
      .select({
        guild: guilds,
        forumType: sql<number>`(select type from ${channels} where id = ${thread.parentId})`,
      })
      .from(guilds)
      .where(eq(guilds.id, thread.guildId));
    if (!row || !isForumType(Number(row.forumType))) return;
    const remoteAuthor = await isRemote(tx, thread.ownerId);
    if (!moderated && remoteAuthor) return;
    const [source] =
      remoteAuthor && thread.sourceStatusId
        ? await tx
            .select({ uri: posts.uri })
            .from(posts)
            .where(and(eq(posts.userId, thread.ownerId), eq(posts.id, thread.sourceStatusId)))
        : [];
    await enqueueGroupDelivery(this.deps, tx, row.guild, {
      type: 'group-delete',
      guildId: thread.guildId,
      threadId: thread.id,
      authorId: thread.ownerId,
      moderated,
      sourceUri: source?.uri ?? null,
    });
  }

  /** GET /guilds/:id/threads/active: unarchived threads the caller can see, and the caller's memberships in them. */
  async active(principal: Principal, guildId: string) {
    const { db } = this.deps;
    const actor = await loadGuildReader(db, guildId, principal.userId);
    const [rows, overwrites] = await Promise.all([
      db
        .select()
        .from(channels)
        .where(and(eq(channels.guildId, guildId), channelTypeIn(channels.type, 'thread'))),
      db.select().from(permissionOverwrites).where(eq(permissionOverwrites.guildId, guildId)),
    ]);
    const live = rows.filter((t) => !t.archived);
    const mine = await memberships(
      db,
      principal.userId,
      live.map((t) => t.id),
    );
    const memberOf = new Map(mine.map((m) => [m.channelId, m]));
    const byChannel = groupBy(
      overwrites,
      (o) => o.channelId,
      (o) => o,
    );
    const visible = live.filter((t) => {
      const perms = actor.channelPermissions(byChannel.get(t.parentId ?? '') ?? [], { isThread: true });
      return hasPermission(privateThreadRule(t.type, perms, memberOf.has(t.id)), Permission.VIEW_CHANNEL);
    });
    const countOf = await threadMemberCounts(
      db,
      visible.map((t) => t.id),
    );
    return {
      threads: visible.map((t) => toThreadWire(t, countOf.get(t.id) ?? 0)),
      members: visible.filter((t) => memberOf.has(t.id)).map((t) => toThreadMemberWire(memberOf.get(t.id)!)),
    };
  }

  /**
   * GET /channels/:id/threads/archived/public|private: a text or forum channel's archived threads, newest archive
   * first, before `before` (an archive time); public ones need READ_MESSAGE_HISTORY, private ones MANAGE_THREADS too.
   */
  async archived(
    principal: Principal,
    channelId: string,
    kind: 'public' | 'private',
    q: { before?: string; limit?: number },
  ) {
    const { db } = this.deps;
    const { channel, permissions } = await loadChannelForActor(db, channelId, principal.userId, {
      preview: kind === 'public',
    });
    if (!isTextType(channel.type) && !isForumType(channel.type))
      throw new ApiError(
        400,
        ErrorCode.CannotExecuteOnChannelType,
        'Cannot execute action on this channel type',
      );
    const needed =
      kind === 'private'
        ? Permission.READ_MESSAGE_HISTORY | Permission.MANAGE_THREADS
        : Permission.READ_MESSAGE_HISTORY;
    if (!hasPermission(permissions, needed)) throw missingPermissions();
    const before = q.before ? new Date(q.before) : null;
    if (before && Number.isNaN(before.getTime()))
      throw invalidField(['before'], 'DATE_TIME_INVALID', 'Not an ISO 8601 timestamp.');
    const limit = q.limit ?? 50;
    const types =
      kind === 'private'
        ? [ChannelType.PrivateThread]
        : [ChannelType.PublicThread, ChannelType.AnnouncementThread];
    const rows = await db
      .select()
      .from(channels)
      .where(
        and(
          eq(channels.parentId, channelId),
          eq(channels.archived, true),
          inArray(channels.type, types),
          before ? lt(channels.archiveTimestamp, before) : undefined,
        ),
      )
      .orderBy(desc(channels.archiveTimestamp), desc(channels.id))
      .limit(limit + 1);
    const page = rows.slice(0, limit);
    const [countOf, mine] = await Promise.all([
      threadMemberCounts(
        db,
        page.map((t) => t.id),
      ),
      memberships(
        db,
        principal.userId,
        page.map((t) => t.id),
      ),
    ]);
    return {
      threads: page.map((t) => toThreadWire(t, countOf.get(t.id) ?? 0)),
      members: mine.map(toThreadMemberWire),
      has_more: rows.length > limit,
    };
  }

  /**
   * Archives every thread idle for longer than its auto_archive_duration (its last message, creation or last
   * archive change), publishing THREAD_UPDATE for each. Every process may run it: a thread is archived once.
   */
  async archiveInactive(now = new Date()): Promise<number> {
    const { db } = this.deps;
    const notArchived = or(eq(channels.archived, false), isNull(channels.archived));
    const open = await db
      .select()
      .from(channels)
      .where(and(channelTypeIn(channels.type, 'thread'), notArchived));
    let archived = 0;
    for (const t of open) {
      const lastMessage = t.lastMessageId ? snowflakeTimestamp(t.lastMessageId).getTime() : 0;
      const active = Math.max(lastMessage, (t.archiveTimestamp ?? t.createdAt).getTime());
      if (active + (t.autoArchiveDuration ?? 4320) * 60_000 > now.getTime()) continue;
      const [row] = await db
        .update(channels)
        .set({ archived: true, archiveTimestamp: now })
        .where(and(eq(channels.id, t.id), notArchived))
        .returning();
      if (!row) continue;
      archived++;
      this.deps.events.publish(
        'THREAD_UPDATE',
        Topic.guild(row.guildId!),
        toThreadWire(row, await this.memberCount(db, row.id)),
      );
    }
    return archived;
  }

  /**
   * A message sent in an archived (unlocked) thread reopens it; counters follow every message. Its author joins the
   * thread (as on Discord): a join adds THREAD_MEMBER_UPDATE (to them) and THREAD_MEMBERS_UPDATE to `pending`, as
   * PUT thread-members/@me does, so their other sessions and bots learn of it.
   */
  async onMessage(
    tx: DbOrTx,
    thread: ChannelRow,
    authorId: string | null,
    pending?: PendingEvents,
  ): Promise<void> {
    await tx
      .update(channels)
      .set({
        messageCount: sql`${channels.messageCount} + 1`,
        totalMessageSent: sql`${channels.totalMessageSent} + 1`,
        ...(thread.archived ? { archived: false, archiveTimestamp: new Date() } : {}),
      })
      .where(eq(channels.id, thread.id));
    // A webhook (no author) posts without joining the thread.
    if (authorId === null) return;
    const [joined] = await tx
      .insert(threadMembers)
      .values({ channelId: thread.id, userId: authorId, guildId: thread.guildId! })
      .onConflictDoNothing()
      .returning();
    if (!joined || !pending) return;
    pending.add('THREAD_MEMBER_UPDATE', Topic.user(authorId), {
      ...toThreadMemberWire(joined),
      guild_id: thread.guildId!,
    });
    pending.add('THREAD_MEMBERS_UPDATE', Topic.guild(thread.guildId!), {
      id: thread.id,
      guild_id: thread.guildId!,
      member_count: await this.memberCount(tx, thread.id),
      added_members: [toThreadMemberWire(joined)],
    });
  }

  private async create(
    principal: Principal,
    parent: ChannelRow,
    input: CreateThreadInput & { type: number },
    messageId: string | null,
  ): Promise<Channel> {
    const { db, ids } = this.deps;
    const thread = newThreadRow(parent, principal.userId, { ...input, id: messageId ?? ids.next() });
    const pending = new PendingEvents();
    const me = await db.transaction(async (tx) => {
      const member = await this.insertThread(tx, thread, pending);
      if (messageId) {
        await tx
          .update(messages)
          .set({ threadId: thread.id })
          .where(and(eq(messages.channelId, parent.id), eq(messages.id, messageId)));
      } else if (input.type !== ChannelType.PrivateThread) {
        // A THREAD_CREATED system message in the parent points at the new thread.
        const sysId = ids.next();
        const [sys] = await tx
          .insert(messages)
          .values({
            channelId: parent.id,
            id: sysId,
            guildId: parent.guildId,
            authorId: principal.userId,
            type: MessageType.ThreadCreated,
            content: input.name,
            referenceChannelId: thread.id,
            referenceGuildId: parent.guildId,
          })
          .returning(messageColumns);
        const [message] = await hydrateMessages(tx, this.deps.attachmentUrls, [sys]);
        pending.add('MESSAGE_CREATE', Topic.channel(parent.id), {
          ...message,
          guild_id: parent.guildId!,
          channel_type: parent.type,
        });
      }
      return member;
    });
    pending.publish(this.deps.events);
    return toThreadWire(thread, 1, me);
  }

  /**
   * In a creating transaction: writes a new thread (from newThreadRow) with its creator as its first member, and adds
   * THREAD_CREATE (newly_created) and the creator's THREAD_MEMBER_UPDATE to `pending`, ahead of anything the caller
   * adds after (a forum post's starter MESSAGE_CREATE must reach clients after its thread).
   */
  async insertThread(tx: DbOrTx, thread: ChannelRow, pending: PendingEvents) {
    await tx.insert(channels).values(thread);
    const [me] = await tx
      .insert(threadMembers)
      .values({ channelId: thread.id, userId: thread.ownerId!, guildId: thread.guildId! })
      .returning();
    pending.add('THREAD_CREATE', Topic.guild(thread.guildId!), {
      ...toThreadWire(thread, 1),
      newly_created: true,
    });
    pending.add('THREAD_MEMBER_UPDATE', Topic.user(thread.ownerId!), {
      ...toThreadMemberWire(me),
      guild_id: thread.guildId!,
    });
    return me;
  }

  private async parent(principal: Principal, channelId: string) {
    const loaded = await loadChannelForActor(this.deps.db, channelId, principal.userId);
    if (!isTextType(loaded.channel.type))
      throw new ApiError(
        400,
        ErrorCode.InvalidFormBody,
        isForumType(loaded.channel.type)
          ? 'A post in a forum channel is started with a message'
          : 'Threads can only be created in text and announcement channels',
      );
    return loaded;
  }

  /** The forum or media channel a thread is a post of; null for other threads. */
  private async forumOf(db: DbOrTx, thread: ChannelRow): Promise<ChannelRow | null> {
    if (!thread.parentId) return null;
    const [parent] = await db.select().from(channels).where(eq(channels.id, thread.parentId));
    return parent && isForumType(parent.type) ? parent : null;
  }

  private async thread(principal: Principal, threadId: string, opts: { preview?: boolean } = {}) {
    const loaded = await loadChannelForActor(this.deps.db, threadId, principal.userId, opts);
    if (!isThreadType(loaded.channel.type)) throw notFound(ErrorCode.UnknownChannel, 'Channel');
    return loaded;
  }

  private async addMembers(thread: ChannelRow, userIds: string[]): Promise<void> {
    const added = await this.deps.db
      .insert(threadMembers)
      .values(userIds.map((userId) => ({ channelId: thread.id, userId, guildId: thread.guildId! })))
      .onConflictDoNothing()
      .returning();
    if (!added.length) return;
    const pending = new PendingEvents();
    for (const m of added)
      pending.add('THREAD_MEMBER_UPDATE', Topic.user(m.userId), {
        ...toThreadMemberWire(m),
        guild_id: thread.guildId!,
      });
    pending.add('THREAD_MEMBERS_UPDATE', Topic.guild(thread.guildId!), {
      id: thread.id,
      guild_id: thread.guildId!,
      member_count: await this.memberCount(this.deps.db, thread.id),
      added_members: added.map(toThreadMemberWire),
    });
    pending.publish(this.deps.events);
  }

  private async removeMember(thread: ChannelRow, userId: string): Promise<void> {
    const removed = await this.deps.db
      .delete(threadMembers)
      .where(and(eq(threadMembers.channelId, thread.id), eq(threadMembers.userId, userId)))
      .returning();
    if (!removed.length) return;
    this.deps.events.publish('THREAD_MEMBERS_UPDATE', Topic.guild(thread.guildId!), {
      id: thread.id,
      guild_id: thread.guildId!,
      member_count: await this.memberCount(this.deps.db, thread.id),
      removed_member_ids: [userId],
    });
  }

  private async memberCount(db: DbOrTx, threadId: string): Promise<number> {
    const [{ n }] = await db
      .select({ n: count() })
      .from(threadMembers)
      .where(eq(threadMembers.channelId, threadId));
    return n;
  }
}

/** A new thread's row in `parent`, as written: unarchived, unlocked, the parent's defaults where the input says nothing. */
export function newThreadRow(
  parent: ChannelRow,
  ownerId: string,
  input: CreateThreadInput & { id: string; type: number; applied_tags?: string[] },
): ChannelRow {
  const now = new Date();
  return {
    id: input.id,
    type: input.type,
    guildId: parent.guildId,
    name: input.name,
    topic: null,
    position: 0,
    parentId: parent.id,
    nsfw: false,
    rateLimitPerUser: input.rate_limit_per_user ?? parent.defaultThreadRateLimitPerUser ?? 0,
    bitrate: null,
    userLimit: null,
    rtcRegion: null,
    videoQualityMode: null,
    defaultAutoArchiveDuration: null,
    lastMessageId: null,
    lastPinTimestamp: null,
    ownerId,
    icon: null,
    archived: false,
    locked: false,
    invitable: input.type === ChannelType.PrivateThread ? (input.invitable ?? true) : null,
    autoArchiveDuration: input.auto_archive_duration ?? parent.defaultAutoArchiveDuration ?? 4320,
    archiveTimestamp: now,
    messageCount: 0,
    totalMessageSent: 0,
    flags: 0,
    availableTags: null,
    defaultReactionEmoji: null,
    defaultThreadRateLimitPerUser: null,
    defaultSortOrder: null,
    defaultForumLayout: null,
    appliedTags: input.applied_tags ?? null,
    sourceStatusId: null,
    createdAt: now,
  };
}
