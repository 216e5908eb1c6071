import { hasPermission, Permission } from '@hearth/permissions';
import { type Channel, ChannelType, ErrorCode, isForumType, type Message } from '@hearth/protocol';
import { eq, sql } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import { channels } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { ApiError, invalidField, missingPermissions } from '../errors';
import { loadChannelContext } from '../guilds/channel-context';
import { enqueueGroupDelivery } from '../guilds/group-federation';
import { type ChannelForActor, channelForActor, type GuildActor } from '../guilds/guild-access';
import type { MessageChannel } from '../messages/message-channel';
import type { MessagesService } from '../messages/messages.service';
import type { UploadBatch } from '../messages/uploads';
import { PendingEvents } from '../pending-events';
import { isRemote } from '../social/remote.service';
import { checkAppliedTags } from './forum';
import { type ForumPostInput, newThreadRow, type ThreadsService } from './threads.service';
import { toThreadWire } from './threads.wire';

/**
 * POST /channels/:id/threads. In a forum or media channel it starts a post: the thread and its starter message (whose
 * id is the thread's) in one transaction, as Discord does (ADR 0031). Elsewhere it is ThreadsService.standalone.
 */
export class ForumPostsService {
  constructor(
    private readonly deps: Deps,
    private readonly threads: ThreadsService,
    private readonly messages: MessagesService,
  ) {}

  /**
   * A multipart post's files, authorized before any byte is read: a forum the caller may post in with ATTACH_FILES.
   * The batch is bound to the id the new thread will have.
   */
  async startUpload(principal: Principal, forumId: string): Promise<UploadBatch> {
    const forum = await this.forum(principal, forumId);
    if (!hasPermission(forum.permissions, Permission.ATTACH_FILES)) throw missingPermissions();
    return this.messages.uploadBatch(principal.userId, this.deps.ids.next());
  }

  /**
   * Starts a thread in `channelId`: a forum post (with its starter message) or, elsewhere, a thread without one.
   * `sourceStatusId`: the status a group mention made it from (ADR 0031), which later edits and deletes it.
   */
  async startThread(
    principal: Principal,
    channelId: string,
    input: ForumPostInput,
    upload?: UploadBatch,
    opts: { sourceStatusId?: string } = {},
  ): Promise<Channel & { message?: Message }> {
    const loaded = await this.load(principal, channelId);
    if (!isForumType(loaded.channel.type)) {
      await upload?.discard();
      if (upload) throw notForum();
      return this.threads.standalone(principal, channelId, input);
    }
    try {
      return await this.post(principal, checkPoster(loaded), input, upload, opts.sourceStatusId ?? null);
    } catch (err) {
      await upload?.discard();
      throw err;
    }
  }

  private async post(
    principal: Principal,
    { actor, channel: forum, permissions, caller }: Poster,
    input: ForumPostInput,
    upload: UploadBatch | undefined,
    sourceStatusId: string | null,
  ): Promise<Channel & { message: Message }> {
    if (!input.message) throw invalidField(['message'], 'BASE_TYPE_REQUIRED', 'This field is required');
    if (input.type !== undefined && input.type !== ChannelType.PublicThread)
      throw invalidField(['type'], 'CHANNEL_TYPE_INVALID', 'A forum post is a public thread (11).');
    const appliedTags = checkAppliedTags(forum, input.applied_tags, permissions);
    // The forum's slowmode paces new posts.
    const inForum = { channel: forum, guildId: forum.guildId, permissions, actor, caller };
    await this.messages.enforceSlowmode(inForum, principal.userId);
    const id = upload?.grant.channelId ?? this.deps.ids.next();
    const thread = {
      ...newThreadRow(forum, principal.userId, {
        ...input,
        id,
        type: ChannelType.PublicThread,
        applied_tags: appliedTags,
      }),
      lastMessageId: id,
      sourceStatusId,
    };
    const pending = new PendingEvents();
    let member: Awaited<ReturnType<ThreadsService['insertThread']>> | undefined;
    const message = await this.messages.createStarter(principal, input.message, upload, {
      // The starter is sent with the poster's permissions in the forum (SEND_MESSAGES decided above).
      ctx: { ...inForum, channel: thread },
      pending,
      write: async (tx) => {
        member = await this.threads.insertThread(tx, thread, pending);
        // A federated group Announces a local member's post to its remote followers (FEP-1b12); a remote member's
        // post is announced by the inbox that accepted it.
        if (!(await isRemote(tx, principal.userId)))
          await enqueueGroupDelivery(this.deps, tx, actor.guild, {
            type: 'group-create',
            guildId: actor.guild.id,
            threadId: id,
            authorId: principal.userId,
          });
        // A forum's last_message_id is its newest post (whichever of two concurrent posts commits last).
        await tx
          .update(channels)
          .set({ lastMessageId: sql`greatest(coalesce(${channels.lastMessageId}, 0), ${id}::bigint)` })
          .where(eq(channels.id, forum.id));
      },
    });
    // A group's post reaches its members' home timelines on the Mastodon streaming API (ADR 0031).
    if (actor.guild.groupJoinMode)
      this.deps.events.publish('SOCIAL_GROUP_POST_CREATE', Topic.account(actor.guild.id), {
        id,
        group_id: actor.guild.id,
        forum_id: forum.id,
      });
    return { ...toThreadWire(thread, 1, member), message };
  }

  /** A forum or media channel the caller may post in. */
  private async forum(principal: Principal, forumId: string): Promise<Poster> {
    const loaded = await this.load(principal, forumId);
    if (!isForumType(loaded.channel.type)) throw notForum();
    return checkPoster(loaded);
  }

  /** The channel as the caller sees it (404 when they cannot), with their user row. */
  private async load(principal: Principal, channelId: string): Promise<Poster> {
    const ctx = await loadChannelContext(this.deps.db, channelId, principal.userId);
    return { ...channelForActor(ctx), caller: ctx?.caller ?? null };
  }
}

type Poster = ChannelForActor & { caller: MessageChannel['caller']; actor: GuildActor };

/** Posting in a forum needs SEND_MESSAGES there, as on Discord (commenting needs SEND_MESSAGES_IN_THREADS). */
function checkPoster(loaded: Poster): Poster {
  if (!hasPermission(loaded.permissions, Permission.SEND_MESSAGES)) throw missingPermissions();
  return loaded;
}

const notForum = () =>
  new ApiError(400, ErrorCode.CannotExecuteOnChannelType, 'Only a forum post is started with files');
