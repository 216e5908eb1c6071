import { Limits, type MastodonPollInput } from '@hearth/protocol';
import { and, asc, desc, eq, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db';
import {
  postEdits,
  postIdempotencyKeys,
  postMentions,
  postReactions,
  posts,
  postTags,
  users,
} from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { PendingEvents } from '../pending-events';
import { adjustStats, loadAccounts } from './accounts';
import { removeWithBoosts } from './boosts';
import { ConversationsService } from './conversations.service';
import { recordNotFound, unprocessable } from './errors';
import { accountTopic } from './follows.service';
import type { GroupAccountsService } from './group-accounts.service';
import { type PostRow, SocialUrls, toAccount } from './mastodon.wire';
import { type MediaFields, MediaService, type RemoteMediaInput } from './media.service';
import {
  loadStatusMedia,
  type MediaRow,
  openVisibility,
  statusHasMedia,
  toMediaAttachment,
} from './media.wire';
import type { NotificationsService } from './notifications.service';
import { finishPage, type PageQuery, pageQuery } from './paging';
import { PollsService } from './polls.service';
import {
  type AccountResolver,
  hasRemoteAudience,
  hasRemoteFollowers,
  isRemote,
  remoteAudience,
  remotePrincipal,
} from './remote.service';
import { statusViews } from './status-views';
import { hashtags, mentionedUsernames, renderText } from './text';
import { type Visibility, visibleOriginal, visiblePostById, visibleTo } from './visibility';

export interface StatusInput {
  status?: string;
  in_reply_to_id?: string;
  sensitive?: boolean;
  spoiler_text?: string;
  visibility?: Visibility;
  language?: string;
  media_ids?: string[];
  /** An edit's new alt text or focus for attachments the status keeps. */
  media_attributes?: Array<{ id: string } & MediaFields>;
  poll?: MastodonPollInput | null;
}

/** A remote status as the federation area read it. */
export interface RemoteStatusInput {
  uri: string;
  url: string | null;
  /** Sanitised HTML, and the same as plain text. */
  content: string;
  text: string;
  spoilerText: string;
  sensitive: boolean;
  visibility: Visibility;
  language: string | null;
  published: Date | null;
  /** The stored status it answers, if it is one Hearth has. */
  inReplyTo: { userId: string; id: string } | null;
  /** Local accounts it mentions or addresses: they are notified, and may see it whatever its visibility. */
  mentions?: string[];
  /** Its attachments as its instance describes them (fetched and stored by a job; ADR 0052). */
  media?: RemoteMediaInput[];
}

/** Longest text kept of a remote status (other instances allow more than Hearth's own limit). */
const REMOTE_TEXT_CHARS = 100_000;
const REMOTE_CONTENT_CHARS = 200_000;
/** Most unknown `@name@host` mentions of one status looked up on their instances (each is a WebFinger request). */
const REMOTE_MENTION_LOOKUPS_MAX = 10;
/**
 * Longest a status's save waits for those lookups (they run side by side). One still running then goes on and
 * stores its account, but this status keeps that mention as plain text: a slow or silent instance cannot hold a post.
 */
const REMOTE_MENTION_WAIT_MS = 5000;

export interface AccountStatusesQuery extends PageQuery {
  exclude_replies?: boolean;
  exclude_reblogs?: boolean;
  only_media?: boolean;
  pinned?: boolean;
}

/** One attachment of a local status, as federated (posts.federatedMedia). */
export interface FederatedMedia {
  url: string;
  mediaType: string;
  description: string | null;
  width: number | null;
  height: number | null;
}

/** Statuses: posts and comments (a comment is a status replying to another), edits, deletion, favourites. */
export class PostsService {
  readonly urls: SocialUrls;
  /** Media attachments (uploads, attaching, expiry, serving). */
  readonly media: MediaService;
  /** Polls on statuses (votes, their end). */
  readonly polls: PollsService;
  /** Conversations of direct statuses. */
  readonly conversations: ConversationsService;
  constructor(
    private readonly deps: Deps,
    private readonly notifications: NotificationsService,
    private readonly groups: GroupAccountsService,
  ) {
    this.urls = new SocialUrls(deps.config.publicUrl, deps.attachmentUrls);
    this.media = new MediaService(deps, this.urls);
    this.polls = new PollsService(deps, notifications);
    this.conversations = new ConversationsService(deps);
  }

  /** Finds accounts of other instances for `@name@host` mentions (the federation area sets it; ADR 0040). */
  private resolver: AccountResolver | null = null;
  setResolver(resolver: AccountResolver): void {
    this.resolver = resolver;
  }

  /**
   * Posts a status, or a comment when `in_reply_to_id` names a status the caller may see. With an idempotency key
   * (the client's `Idempotency-Key`), a retry within an hour answers the status the first attempt made.
   */
  async create(
    principal: Principal,
    input: StatusInput,
    opts: { appId?: string | null; idempotencyKey?: string } = {},
  ) {
    const me = principal.userId;
    const text = checkText(input, { blankAllowed: (input.media_ids?.length ?? 0) > 0 });
    if (input.poll && input.media_ids?.length)
      throw unprocessable('A status may have media or a poll, not both');
    // A reply to a group post or comment (no status) is a comment in its thread (ADR 0031).
    if (input.in_reply_to_id && !(await visibleOriginal(this.deps.db, me, input.in_reply_to_id))) {
      if (input.poll || input.media_ids?.length)
        throw unprocessable('A comment on a group post takes text only here; attach files from the group');
      return this.groups.comment(principal, input.in_reply_to_id, text);
    }
    await this.resolveMentions(text);
    const id = this.deps.ids.next();
    const pending = new PendingEvents();
    let mentionedGroups: string[] = [];
    const outcome = await this.deps.db.transaction(
      async (tx): Promise<{ earlier: string } | { post: PostRow }> => {
        if (opts.idempotencyKey) {
          const earlier = await this.claimKey(tx, me, opts.idempotencyKey, id);
          if (earlier) return { earlier };
        }
        let parent: PostRow | null = null;
        if (input.in_reply_to_id) {
          // A boost's id answers the status it boosts, as Mastodon's clients expect.
          parent = await visibleOriginal(tx, me, input.in_reply_to_id);
          if (!parent) throw recordNotFound();
        }
        const { content, mentioned, groups } = await this.render(tx, text);
        mentionedGroups = groups;
        const [row] = await tx
          .insert(posts)
          .values({
            userId: me,
            id,
            text,
            content,
            spoilerText: (input.spoiler_text ?? '').trim(),
            sensitive: input.sensitive ?? false,
            visibility: input.visibility ?? 'public',
            language: input.language ?? null,
            inReplyToId: parent?.id ?? null,
            inReplyToAccountId: parent?.userId ?? null,
            applicationId: opts.appId ?? null,
          })
          .returning();
        if (input.media_ids?.length) await this.media.attach(tx, me, id, input.media_ids);
        if (input.poll) await this.polls.create(tx, me, id, input.poll);
        await this.writeMentions(tx, me, id, [...mentioned, ...groups.map((g) => ({ id: g }))]);
        await writeTags(tx, row);
        if (row.visibility === 'direct')
          await this.conversations.record(
            tx,
            pending,
            row,
            mentioned.map((u) => u.id),
          );
        // Mastodon's rule: a mention notifies the people named in the text (a reply alone notifies nobody); each
        // may see the status, since a mention is what lets them.
        await this.notifications.add(tx, pending, {
          type: 'mention',
          fromId: me,
          statusId: id,
          // A remote account hears of it from its own instance (the status is delivered there).
          recipients: mentioned.filter((u) => !u.remote).map((u) => u.id),
        });
        if (parent) await bumpReplies(tx, parent.userId, parent.id, 1);
        await adjustStats(tx, [{ userId: me, statuses: 1, posted: true }]);
        // Remote followers, remote accounts it mentions and the remote author it answers get it through federation
        // (ADR 0040); a direct status goes to the accounts it mentions only.
        if (
          (row.visibility !== 'direct' && (await hasRemoteFollowers(tx, me))) ||
          (await hasRemoteAudience(tx, row))
        )
          await this.deps.jobs.enqueue(
            'federation.deliver',
            { type: 'create', userId: me, postId: id },
            {},
            tx,
          );
        return { post: row };
      },
    );
    if ('earlier' in outcome) {
      // The first attempt's status, as it is now; gone if it was deleted since.
      const [earlier] = await this.deps.db
        .select()
        .from(posts)
        .where(and(eq(posts.userId, me), eq(posts.id, outcome.earlier)));
      if (!earlier) throw recordNotFound();
      const [status] = await statusViews(this.deps.db, this.urls, me, [earlier]);
      return status;
    }
    const { post } = outcome;
    const [status] = await statusViews(this.deps.db, this.urls, me, [post]);
    pending.add('SOCIAL_STATUS_CREATE', accountTopic(me), eventOf(post, status));
    pending.publish(this.deps.events);
    // Mentioning a group the author may post in posts into it (ADR 0031), once the status is safely stored.
    await this.groups.postMentioned(principal, post, mentionedGroups);
    return status;
  }

  /**
   * Stores a status of a remote account delivered by federation (ADR 0040); `content` is sanitised HTML. A status
   * already stored (the same `uri`) is not stored again. Answers its id.
   */
  async createRemote(authorId: string, input: RemoteStatusInput): Promise<string> {
    const pending = new PendingEvents();
    const id = await this.deps.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(posts)
        .values({
          userId: authorId,
          id: this.deps.ids.next(),
          text: input.text.slice(0, REMOTE_TEXT_CHARS),
          content: input.content.slice(0, REMOTE_CONTENT_CHARS),
          spoilerText: input.spoilerText.slice(0, Limits.spoilerChars),
          sensitive: input.sensitive,
          visibility: input.visibility,
          language: input.language,
          inReplyToId: input.inReplyTo?.id ?? null,
          inReplyToAccountId: input.inReplyTo?.userId ?? null,
          createdAt: input.published ?? new Date(),
          uri: input.uri,
          url: input.url,
        })
        .onConflictDoNothing()
        .returning();
      if (!row) {
        const [earlier] = await tx.select({ id: posts.id }).from(posts).where(eq(posts.uri, input.uri));
        return earlier.id;
      }
      if (input.inReplyTo) await bumpReplies(tx, input.inReplyTo.userId, input.inReplyTo.id, 1);
      if (input.media?.length) await this.media.attachRemote(tx, authorId, row.id, input.media);
      await adjustStats(tx, [{ userId: authorId, statuses: 1, posted: true }]);
      const mentioned = (input.mentions ?? []).slice(0, Limits.statusMentionsMax).map((id) => ({ id }));
      await this.writeMentions(tx, authorId, row.id, mentioned);
      // A direct status delivered here is a conversation of the local accounts it names.
      if (row.visibility === 'direct')
        await this.conversations.record(
          tx,
          pending,
          row,
          mentioned.map((u) => u.id),
          { remoteAuthor: true },
        );
      await this.notifications.add(tx, pending, {
        type: 'mention',
        fromId: authorId,
        statusId: row.id,
        recipients: mentioned.map((u) => u.id),
      });
      const [status] = await statusViews(tx, this.urls, authorId, [row]);
      pending.add('SOCIAL_STATUS_CREATE', accountTopic(authorId), eventOf(row, status));
      return row.id;
    });
    pending.publish(this.deps.events);
    return id;
  }

  /**
   * Tells remote followers and the status's other remote audience, in `tx`, that a local status they may have was
   * edited or deleted (ADR 0040). A deleted status's audience is read before its mentions go (`audience`).
   */
  private async federate(
    tx: DbOrTx,
    type: 'update' | 'delete',
    post: PostRow,
    audience: string[] = [],
  ): Promise<void> {
    if (post.uri || post.reblogOfId) return;
    const direct = post.visibility === 'direct';
    const followers = !direct && (await hasRemoteFollowers(tx, post.userId));
    const others = type === 'delete' ? audience.length > 0 : await hasRemoteAudience(tx, post);
    if (!followers && !others) return;
    await this.deps.jobs.enqueue(
      'federation.deliver',
      type === 'delete'
        ? { type, userId: post.userId, postId: post.id, to: audience, direct }
        : { type, userId: post.userId, postId: post.id },
      {},
      tx,
    );
  }

  /**
   * Applies a remote author's edit of its stored status `id` (ADR 0040): the version it replaces goes into the
   * history, as a local edit's does. Answers whether it changed anything (false, too, when there is no such status of
   * that author): an Update that repeats the status as stored edits nothing and announces nothing.
   */
  async editRemote(authorId: string, id: string, input: RemoteStatusInput): Promise<boolean> {
    const pending = new PendingEvents();
    let removedMedia: Array<{ userId: string; id: string }> = [];
    const post = await this.deps.db.transaction(async (tx) => {
      const [old] = await tx
        .select()
        .from(posts)
        .where(and(eq(posts.userId, authorId), eq(posts.id, id)))
        .for('update');
      if (!old?.uri) return null;
      // Attachments follow the edit: those still named keep their stored file, the others go (ADR 0052).
      const media = await this.media.attachRemote(tx, authorId, id, input.media ?? []);
      removedMedia = media.removed;
      const changed =
        old.content !== input.content.slice(0, REMOTE_CONTENT_CHARS) ||
        old.spoilerText !== input.spoilerText.slice(0, Limits.spoilerChars) ||
        old.sensitive !== input.sensitive ||
        media.changed;
      if (!changed) return null;
      await tx.insert(postEdits).values({
        userId: authorId,
        postId: id,
        id: this.deps.ids.next(),
        text: old.text,
        content: old.content,
        spoilerText: old.spoilerText,
        sensitive: old.sensitive,
        mediaIds: [],
        createdAt: old.editedAt ?? old.createdAt,
      });
      const [row] = await tx
        .update(posts)
        .set({
          text: input.text.slice(0, REMOTE_TEXT_CHARS),
          content: input.content.slice(0, REMOTE_CONTENT_CHARS),
          spoilerText: input.spoilerText.slice(0, Limits.spoilerChars),
          sensitive: input.sensitive,
          language: input.language ?? old.language,
          editedAt: new Date(),
        })
        .where(and(eq(posts.userId, authorId), eq(posts.id, id)))
        .returning();
      if (row.visibility === 'direct') {
        const named = await tx
          .select({ id: postMentions.mentionedId })
          .from(postMentions)
          .where(and(eq(postMentions.userId, authorId), eq(postMentions.postId, id)));
        await this.conversations.edited(
          tx,
          pending,
          row,
          named.map((m) => m.id),
          { remoteAuthor: true },
        );
      }
      const [status] = await statusViews(tx, this.urls, authorId, [row]);
      pending.add('SOCIAL_STATUS_UPDATE', accountTopic(authorId), eventOf(row, status));
      return row;
    });
    pending.publish(this.deps.events);
    await this.media.deleteFiles(removedMedia);
    // The group posts a remote member's status made (ADR 0031, federation) follow its edit, as a local one's do.
    if (post) await this.groups.statusEdited(remotePrincipal(authorId), post);
    return post !== null;
  }

  /** Up to `limit` ids of `authorId`'s statuses (a deleted remote account's, to remove them one by one). */
  async idsOf(authorId: string, limit: number): Promise<string[]> {
    const rows = await this.deps.db
      .select({ id: posts.id })
      .from(posts)
      .where(eq(posts.userId, authorId))
      .orderBy(posts.id)
      .limit(limit);
    return rows.map((r) => r.id);
  }

  /** A status by its ActivityPub IRI (a remote one's stored `uri`), or null. */
  async byUri(uri: string): Promise<PostRow | null> {
    const [row] = await this.deps.db.select().from(posts).where(eq(posts.uri, uri));
    return row ?? null;
  }

  /** A status by author and id, whoever may see it (the federation area decides what it serves), or null. */
  async statusRow(userId: string, id: string): Promise<PostRow | null> {
    if (!/^\d{1,20}$/.test(userId) || !/^\d{1,20}$/.test(id)) return null;
    const [row] = await this.deps.db
      .select()
      .from(posts)
      .where(and(eq(posts.userId, userId), eq(posts.id, id)));
    return row ?? null;
  }

  /**
   * A local status's attachments as its Note carries them to other instances: each file's URL (plain on a public or
   * unlisted status, signed for a day otherwise, as the Mastodon API gives them), content type, alt text and size.
   */
  async federatedMedia(post: PostRow): Promise<FederatedMedia[]> {
    const rows = (await loadStatusMedia(this.deps.db, [post.userId], [post.id])).get(post.id) ?? [];
    return rows.map((row) => ({
      url: toMediaAttachment(row, this.urls, { open: openVisibility(post.visibility) }).url,
      mediaType: row.contentType,
      description: row.description,
      width: row.width,
      height: row.height,
    }));
  }

  /** A status by id alone, or null. */
  async statusRowById(id: string): Promise<PostRow | null> {
    const [row] = await this.deps.db.select().from(posts).where(eq(posts.id, id));
    return row ?? null;
  }

  /** A status the caller (null: signed out) may see; otherwise 404, whether or not it exists. */
  async get(viewer: string | null, id: string) {
    const post = await this.visiblePost(this.deps.db, viewer, id);
    // Not a status: perhaps a group post the viewer may read (ADR 0031).
    if (!post) return this.groups.post(viewer, id);
    const [status] = await statusViews(this.deps.db, this.urls, viewer, [post]);
    return status;
  }

  /** Edits the caller's own status; the version it replaces is kept in its history. */
  async edit(principal: Principal, id: string, input: StatusInput) {
    const me = principal.userId;
    // Blank text is refused below unless the status keeps or gets media.
    const text = checkText(input, { blankAllowed: true });
    await this.resolveMentions(text);
    const pending = new PendingEvents();
    const post = await this.deps.db.transaction(async (tx) => {
      const [old] = await tx
        .select()
        .from(posts)
        .where(and(eq(posts.userId, me), eq(posts.id, id)))
        .for('update');
      if (!old) throw recordNotFound();
      if (old.reblogOfId) throw recordNotFound();
      const mediaBefore = await this.media.currentIds(tx, me, id);
      const mediaNow =
        input.media_ids !== undefined
          ? (await this.media.attach(tx, me, id, input.media_ids)).map((m) => m.id)
          : mediaBefore;
      if (input.media_attributes?.length) await this.media.describe(tx, me, id, input.media_attributes);
      if (!text && mediaNow.length === 0) throw unprocessable("Text can't be blank");
      const pollBefore = await this.polls.optionsOf(tx, me, id);
      // As Mastodon: without `poll` the poll stays; `poll: null` removes it; a poll and media never go together.
      let resetVoters: string[] = [];
      if (input.poll !== undefined) {
        if (input.poll && mediaNow.length) throw unprocessable('A status may have media or a poll, not both');
        ({ resetVoters } = await this.polls.edit(tx, me, id, input.poll));
      } else if (pollBefore && input.media_ids?.length)
        throw unprocessable('A status may have media or a poll, not both');
      await tx.insert(postEdits).values({
        userId: me,
        postId: id,
        id: this.deps.ids.next(),
        text: old.text,
        content: old.content,
        spoilerText: old.spoilerText,
        sensitive: old.sensitive,
        mediaIds: mediaBefore,
        pollOptions: pollBefore,
        createdAt: old.editedAt ?? old.createdAt,
      });
      const { content, mentioned, groups } = await this.render(tx, text);
      const [row] = await tx
        .update(posts)
        .set({
          text,
          content,
          spoilerText: input.spoiler_text !== undefined ? input.spoiler_text.trim() : old.spoilerText,
          sensitive: input.sensitive ?? old.sensitive,
          language: input.language ?? old.language,
          editedAt: new Date(),
        })
        .where(and(eq(posts.userId, me), eq(posts.id, id)))
        .returning();
      const before = await tx
        .delete(postMentions)
        .where(and(eq(postMentions.userId, me), eq(postMentions.postId, id)))
        .returning({ id: postMentions.mentionedId });
      await this.writeMentions(tx, me, id, [...mentioned, ...groups.map((g) => ({ id: g }))]);
      await tx.delete(postTags).where(and(eq(postTags.userId, me), eq(postTags.postId, id)));
      await writeTags(tx, row);
      if (row.visibility === 'direct')
        await this.conversations.edited(
          tx,
          pending,
          row,
          mentioned.map((u) => u.id),
        );
      // Who is newly named is notified; who is no longer named loses the notification (and, if direct, the status).
      const was = new Set(before.map((m) => m.id));
      const now = new Set(mentioned.filter((u) => !u.remote).map((u) => u.id));
      await this.notifications.add(tx, pending, {
        type: 'mention',
        fromId: me,
        statusId: id,
        recipients: [...now].filter((u) => !was.has(u)),
      });
      const dropped = [...was].filter((u) => !now.has(u));
      if (dropped.length)
        await this.notifications.removeFor(tx, {
          types: ['mention'],
          from: [me],
          recipients: dropped,
          statusId: id,
        });
      // Mastodon's `update` notification goes to those who boosted the status; Hearth also tells the voters whose
      // votes an edit of the poll's options reset (ADR 0051 addendum), or they would not know to vote again.
      const boosters = await tx
        .select({ id: posts.userId })
        .from(posts)
        .innerJoin(users, eq(users.id, posts.userId))
        .where(and(eq(posts.reblogOfId, id), eq(users.remote, false)));
      const localVoters = resetVoters.length
        ? await tx
            .select({ id: users.id })
            .from(users)
            .where(and(inArray(users.id, resetVoters), eq(users.remote, false)))
        : [];
      await this.notifications.add(tx, pending, {
        type: 'update',
        fromId: me,
        statusId: id,
        recipients: [...boosters, ...localVoters].map((u) => u.id),
      });
      await this.federate(tx, 'update', row);
      return row;
    });
    const [status] = await statusViews(this.deps.db, this.urls, me, [post]);
    pending.add('SOCIAL_STATUS_UPDATE', accountTopic(me), eventOf(post, status));
    pending.publish(this.deps.events);
    // The group posts it made follow it (ADR 0031).
    await this.groups.statusEdited(principal, post);
    return status;
  }

  /**
   * Deletes the caller's own status (its reactions, mentions and history with it); replies to it stay. `federate`
   * false sends no Delete of it (an account being deleted sends one Delete of itself instead).
   */
  async remove(principal: Principal, id: string, opts: { federate?: boolean } = {}) {
    const me = principal.userId;
    const [existing] = await this.deps.db
      .select()
      .from(posts)
      .where(and(eq(posts.userId, me), eq(posts.id, id)));
    if (!existing) throw recordNotFound();
    const [status] = await statusViews(this.deps.db, this.urls, me, [existing], { withText: true });
    let boostsGone: PostRow[] = [];
    const deleted = await this.deps.db.transaction(async (tx) => {
      const [gone] = await tx
        .delete(posts)
        .where(and(eq(posts.userId, me), eq(posts.id, id)))
        .returning();
      if (!gone) return null;
      boostsGone = await removeWithBoosts(tx, this.notifications, gone);
      // Who on other instances had it besides followers, read before its mentions go (its Delete goes to them too).
      const audience = gone.uri || gone.reblogOfId ? [] : await remoteAudience(tx, gone);
      await tx.delete(postMentions).where(and(eq(postMentions.userId, me), eq(postMentions.postId, id)));
      await tx.delete(postTags).where(and(eq(postTags.userId, me), eq(postTags.postId, id)));
      await tx.delete(postReactions).where(and(eq(postReactions.userId, me), eq(postReactions.postId, id)));
      await tx.delete(postEdits).where(and(eq(postEdits.userId, me), eq(postEdits.postId, id)));
      const media = await this.media.detachAll(tx, me, id);
      await this.polls.removeForStatus(tx, me, id);
      await this.notifications.removeForStatus(tx, id);
      if (gone.visibility === 'direct') await this.conversations.forget(tx, id);
      if (gone.inReplyToId && gone.inReplyToAccountId)
        await bumpReplies(tx, gone.inReplyToAccountId, gone.inReplyToId, -1);
      if (!gone.reblogOfId) await adjustStats(tx, [{ userId: me, statuses: -1 }]);
      if (opts.federate !== false) await this.federate(tx, 'delete', gone, audience);
      return { ...gone, media };
    });
    if (!deleted) throw recordNotFound();
    // Its files go once the deletion is committed: no file of a deleted status is served after.
    await this.media.deleteFiles(deleted.media);
    // So do the group posts it made (ADR 0031).
    if (!deleted.reblogOfId) await this.groups.statusDeleted(me, id);
    this.deps.events.publish('SOCIAL_STATUS_DELETE', accountTopic(me), {
      id,
      account_id: me,
      visibility: deleted.visibility,
      tags: deleted.reblogOfId ? [] : hashtags(deleted.text, Limits.statusTagsMax),
    });
    for (const boost of boostsGone)
      this.deps.events.publish('SOCIAL_STATUS_DELETE', accountTopic(boost.userId), {
        id: boost.id,
        account_id: boost.userId,
        visibility: boost.visibility,
      });
    return status;
  }

  /** Favourites (or stops favouriting) a status the caller may see; the count changes only with the row. */
  async favourite(principal: Principal, requested: string, on: boolean) {
    const me = principal.userId;
    const pending = new PendingEvents();
    const post = await this.deps.db.transaction(async (tx) => {
      // A boost's id favourites the status it boosts, as on Mastodon.
      const found = await visibleOriginal(tx, me, requested);
      if (!found) return null;
      const id = found.id;
      const key = and(
        eq(postReactions.userId, found.userId),
        eq(postReactions.postId, id),
        eq(postReactions.reactorId, me),
        eq(postReactions.emoji, ''),
      );
      // The favourite's time in microseconds tells one Like of the status from the next (its federation id).
      const made = {
        likeKey: sql<string>`(extract(epoch from ${postReactions.createdAt}) * 1000000)::bigint::text`,
      };
      const changed = on
        ? await tx
            .insert(postReactions)
            .values({ userId: found.userId, postId: id, reactorId: me, emoji: '' })
            .onConflictDoNothing()
            .returning(made)
        : await tx.delete(postReactions).where(key).returning(made);
      if (changed.length === 0) return found;
      if ((await isRemote(tx, found.userId)) && !(await isRemote(tx, me)))
        await this.deps.jobs.enqueue(
          'federation.deliver',
          {
            type: on ? 'like' : 'undo-like',
            userId: me,
            authorId: found.userId,
            postId: id,
            likeKey: String(changed[0].likeKey),
          },
          {},
          tx,
        );
      if (on)
        await this.notifications.add(tx, pending, {
          type: 'favourite',
          fromId: me,
          statusId: id,
          recipients: [found.userId],
        });
      else
        await this.notifications.removeFor(tx, {
          types: ['favourite'],
          from: [me],
          recipients: [found.userId],
          statusId: id,
        });
      const [row] = await tx
        .update(posts)
        .set({ favouritesCount: sql`${posts.favouritesCount} + ${on ? 1 : -1}` })
        .where(and(eq(posts.userId, found.userId), eq(posts.id, id)))
        .returning();
      if (on)
        pending.add('SOCIAL_FAVOURITE', accountTopic(found.userId), {
          status_id: id,
          account_id: me,
          visibility: found.visibility,
        });
      return row;
    });
    // Not a status: perhaps a group post, favourited as a reaction on it (ADR 0031).
    if (!post) return this.groups.favourite(principal, requested, on);
    pending.publish(this.deps.events);
    const [status] = await statusViews(this.deps.db, this.urls, me, [post]);
    return status;
  }

  /** Who favourited a status the caller may see, latest first (one page: Hearth keeps no id per favourite). */
  async favouritedBy(viewer: string | null, id: string, limit: number | undefined) {
    const { db } = this.deps;
    const post = await this.visiblePost(db, viewer, id);
    if (!post) throw recordNotFound();
    const rows = await db
      .select({ reactorId: postReactions.reactorId })
      .from(postReactions)
      .where(
        and(eq(postReactions.userId, post.userId), eq(postReactions.postId, id), eq(postReactions.emoji, '')),
      )
      .orderBy(desc(postReactions.createdAt))
      .limit(Math.min(limit ?? Limits.socialPageMax, Limits.socialPageMax));
    const accounts = await loadAccounts(
      db,
      rows.map((r) => r.reactorId),
    );
    return rows.flatMap((r) => {
      const a = accounts.get(r.reactorId);
      return a && !a.user.disabled ? [toAccount(a, this.urls)] : [];
    });
  }

  /** The versions of a status the caller may see, oldest first, the current one last (Mastodon's StatusEdit). */
  async history(viewer: string | null, id: string) {
    const { db } = this.deps;
    const post = await this.visiblePost(db, viewer, id);
    if (!post) throw recordNotFound();
    const [earlier, accounts] = await Promise.all([
      db
        .select()
        .from(postEdits)
        .where(and(eq(postEdits.userId, post.userId), eq(postEdits.postId, id)))
        .orderBy(asc(postEdits.id)),
      loadAccounts(db, [post.userId]),
    ]);
    const author = accounts.get(post.userId);
    if (!author) throw recordNotFound();
    const account = toAccount(author, this.urls);
    // Each version shows the attachments it had (they stay with the status until it is deleted).
    const [currentMedia, currentPoll] = await Promise.all([
      this.media.currentIds(db, post.userId, id),
      this.polls.optionsOf(db, post.userId, id),
    ]);
    const media = await this.media.byIds(db, post.userId, [
      ...new Set([...earlier.flatMap((e) => e.mediaIds), ...currentMedia]),
    ]);
    const open = openVisibility(post.visibility);
    const version = (v: {
      content: string;
      spoilerText: string;
      sensitive: boolean;
      createdAt: Date;
      mediaIds: string[];
      pollOptions: string[] | null;
    }) => ({
      content: v.content,
      spoiler_text: v.spoilerText,
      sensitive: v.sensitive,
      created_at: v.createdAt.toISOString(),
      account,
      // Mastodon's StatusEdit: the poll's options as they were in this version, without counts.
      poll: v.pollOptions ? { options: v.pollOptions.map((title) => ({ title })) } : null,
      media_attachments: v.mediaIds
        .map((m) => media.get(m))
        .filter((m): m is MediaRow => m !== undefined)
        .map((m) => toMediaAttachment(m, this.urls, { open })),
      emojis: [],
    });
    return [
      ...earlier.map(version),
      version({
        ...post,
        createdAt: post.editedAt ?? post.createdAt,
        mediaIds: currentMedia,
        pollOptions: currentPoll,
      }),
    ];
  }

  /** The thread around a status: its visible ancestors (oldest first) and descendants (in tree order). */
  async context(viewer: string | null, id: string) {
    const { db } = this.deps;
    const post = await this.visiblePost(db, viewer, id);
    if (!post) return this.groups.context(viewer, id);
    // Both ends of the thread are read by id through a recursive walk, bounded, then filtered by visibility.
    const ancestors = post.inReplyToId
      ? await this.visibleAmong(
          viewer,
          sql`(with recursive up(id, parent, depth) as (select p.id, p.in_reply_to_id, 1 from ${posts} p where p.id = ${post.inReplyToId} union all select p.id, p.in_reply_to_id, up.depth + 1 from ${posts} p join up on p.id = up.parent where up.depth < ${Limits.contextAncestorsMax}) select id from up)`,
        )
      : [];
    const below = await this.visibleAmong(
      viewer,
      sql`(with recursive down(id) as (select p.id from ${posts} p where p.in_reply_to_id = ${id} union select p.id from ${posts} p join down on p.in_reply_to_id = down.id) select id from down limit ${Limits.contextDescendantsMax})`,
    );
    const [a, d] = await Promise.all([
      statusViews(db, this.urls, viewer, ancestors),
      statusViews(db, this.urls, viewer, treeOrder(id, below)),
    ]);
    return { ancestors: a, descendants: d };
  }

  /** An account's statuses that the viewer may see, newest first. */
  async ofAccount(viewer: string | null, accountId: string, q: AccountStatusesQuery) {
    const { db } = this.deps;
    const [account] = await db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.id, accountId), eq(users.disabled, false)));
    // A group's account: its posts the viewer may read (ADR 0031).
    if (!account) return this.groups.statuses(viewer, accountId, q);
    // No pins yet: that filter finds nothing.
    if (q.pinned) return { items: [], newest: null, oldest: null };
    const p = pageQuery(posts.id, q);
    const rows = await db
      .select()
      .from(posts)
      .where(
        and(
          eq(posts.userId, accountId),
          visibleTo(viewer),
          q.exclude_replies ? isNull(posts.inReplyToId) : undefined,
          q.only_media ? statusHasMedia() : undefined,
          q.exclude_reblogs ? isNull(posts.reblogOfId) : undefined,
          p.where,
        ),
      )
      .orderBy(p.orderBy)
      .limit(p.limit);
    return this.page(
      viewer,
      finishPage(rows, (r) => r.id, p.ascending),
    );
  }

  /** A page of posts as statuses for `viewer`. */
  /** GET /api/v1/statuses/:id/source: the text as written, for an editor (a status the caller may see). */
  async source(viewer: string, id: string) {
    const post = await this.visiblePost(this.deps.db, viewer, id);
    if (!post || post.reblogOfId) throw recordNotFound();
    return { id: post.id, text: post.text, spoiler_text: post.spoilerText };
  }

  async page(
    viewer: string | null,
    page: { items: PostRow[]; newest: string | null; oldest: string | null },
  ) {
    return { ...page, items: await statusViews(this.deps.db, this.urls, viewer, page.items) };
  }

  /**
   * Records `key` for the post about to be made, or answers the post an earlier request with it made within the
   * hour. A concurrent request with the same key waits on the row until the first commits, then sees its post.
   */
  private async claimKey(tx: DbOrTx, userId: string, key: string, postId: string): Promise<string | null> {
    const [claimed] = await tx
      .insert(postIdempotencyKeys)
      .values({ userId, key, postId })
      .onConflictDoUpdate({
        target: [postIdempotencyKeys.userId, postIdempotencyKeys.key],
        set: { postId, createdAt: sql`now()` },
        setWhere: sql`${postIdempotencyKeys.createdAt} < now() - interval '1 hour'`,
      })
      .returning({ postId: postIdempotencyKeys.postId });
    if (claimed) return null;
    const [row] = await tx
      .select({ postId: postIdempotencyKeys.postId })
      .from(postIdempotencyKeys)
      .where(and(eq(postIdempotencyKeys.userId, userId), eq(postIdempotencyKeys.key, key)));
    return row?.postId ?? null;
  }

  /** The posts among the ids a subquery selects that `viewer` may see, oldest first. */
  private visibleAmong(viewer: string | null, ids: SQL): Promise<PostRow[]> {
    return this.deps.db
      .select()
      .from(posts)
      .where(and(inArray(posts.id, ids), visibleTo(viewer)))
      .orderBy(asc(posts.id));
  }

  /** A post `viewer` may see, by id alone (the author's shard is not known). */
  private visiblePost(db: DbOrTx, viewer: string | null, id: string): Promise<PostRow | null> {
    return visiblePostById(db, viewer, id);
  }

  /**
   * The accounts a status's mentions name, as stored names: `name@this-host` is the local `name`, `name@other-host`
   * a remote account's username (`name@host`).
   */
  private mentionNames(text: string): Map<string, string> {
    const here = new URL(this.deps.config.publicUrl).host.toLowerCase();
    const names = new Map<string, string>();
    for (const written of mentionedUsernames(text, Limits.statusMentionsMax)) {
      const at = written.indexOf('@');
      names.set(written, at >= 0 && written.slice(at + 1) === here ? written.slice(0, at) : written);
    }
    return names;
  }

  /**
   * Looks up (WebFinger, then the actor) the `@name@host` mentions of accounts not known here yet, before a write,
   * waiting at most REMOTE_MENTION_WAIT_MS for them all.
   */
  private async resolveMentions(text: string): Promise<void> {
    if (!this.resolver) return;
    const remoteNames = [...this.mentionNames(text).values()].filter((n) => n.includes('@'));
    if (!remoteNames.length) return;
    const known = await this.deps.db
      .select({ username: sql<string>`lower(${users.username})` })
      .from(users)
      .where(inArray(sql`lower(${users.username})`, remoteNames));
    const have = new Set(known.map((k) => k.username));
    const unknown = remoteNames.filter((n) => !have.has(n)).slice(0, REMOTE_MENTION_LOOKUPS_MAX);
    // An account that cannot be found (or not in time) is no mention: its text stays as written.
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, REMOTE_MENTION_WAIT_MS);
    });
    await Promise.race([
      Promise.all(
        unknown.map((acct) =>
          this.resolver?.resolve(acct).catch((err) => {
            this.deps.log.info({ err, acct }, 'a mentioned remote account could not be resolved');
            return null;
          }),
        ),
      ),
      waited,
    ]);
    clearTimeout(timer);
  }

  /**
   * The HTML of a text, the active users it mentions (local, and remote ones known here) and the groups it mentions
   * (their ids).
   */
  private async render(db: DbOrTx, text: string) {
    const names = this.mentionNames(text);
    const mentioned = names.size
      ? await db
          .select({
            id: users.id,
            username: users.username,
            remote: users.remote,
            url: users.url,
            uri: users.uri,
          })
          .from(users)
          .where(
            and(
              inArray(sql`lower(${users.username})`, [...new Set(names.values())]),
              eq(users.disabled, false),
            ),
          )
      : [];
    const byName = new Map(mentioned.map((u) => [u.username.toLowerCase(), u]));
    const known = new Map<string, string>();
    for (const [written, stored] of names) {
      const u = byName.get(stored);
      if (u) known.set(written, u.remote ? (u.url ?? u.uri ?? '') : this.urls.profile(u.username));
    }
    // A local name that is no user's may be a group's handle (ADR 0031).
    const unknownLocal = [...names].filter(
      ([written, stored]) => !known.has(written) && !stored.includes('@'),
    );
    const groups = await this.groups.handles(
      db,
      unknownLocal.map(([, stored]) => stored),
    );
    for (const [written, stored] of unknownLocal) {
      const g = groups.get(stored);
      // A private group's mention stays plain text: the stored HTML is everyone's, its link would show the group.
      if (g && !g.private) known.set(written, g.url);
    }
    return {
      content: renderText(text, known, this.urls.tag),
      mentioned,
      groups: [...groups.values()].map((g) => g.id),
    };
  }

  /** The accounts a status mentions (for its Note's Mention tags and addressing; ADR 0040). */
  async mentionsOf(userId: string, postId: string) {
    return this.deps.db
      .select({ id: users.id, username: users.username, remote: users.remote, uri: users.uri })
      .from(postMentions)
      .innerJoin(users, eq(users.id, postMentions.mentionedId))
      .where(and(eq(postMentions.userId, userId), eq(postMentions.postId, postId)))
      .limit(Limits.statusMentionsMax);
  }

  private async writeMentions(tx: DbOrTx, author: string, postId: string, mentioned: Array<{ id: string }>) {
    const rows = mentioned.filter((u) => u.id !== author);
    if (rows.length)
      await tx
        .insert(postMentions)
        .values(rows.map((u) => ({ userId: author, postId, mentionedId: u.id })))
        .onConflictDoNothing();
  }
}

/** Text of a new or edited status, checked as Mastodon checks it (422 for what it cannot accept). */
function checkText(input: StatusInput, opts: { blankAllowed: boolean }): string {
  const text = (input.status ?? '').trim();
  if (!text && !opts.blankAllowed) throw unprocessable("Text can't be blank");
  if ([...text].length > Limits.statusChars)
    throw unprocessable(`Text character limit of ${Limits.statusChars} exceeded`);
  if (input.spoiler_text && [...input.spoiler_text].length > Limits.spoilerChars)
    throw unprocessable(`Content warning character limit of ${Limits.spoilerChars} exceeded`);
  return text;
}

/** Indexes a status's hashtags (tag timelines, search, trends), dated as the status. */
async function writeTags(tx: DbOrTx, post: PostRow) {
  const tags = hashtags(post.text, Limits.statusTagsMax);
  if (tags.length)
    await tx
      .insert(postTags)
      .values(tags.map((tag) => ({ tag, postId: post.id, userId: post.userId, createdAt: post.createdAt })))
      .onConflictDoNothing();
}

async function bumpReplies(tx: DbOrTx, authorId: string, postId: string, by: number) {
  await tx
    .update(posts)
    .set({ repliesCount: sql`greatest(${posts.repliesCount} + ${by}, 0)` })
    .where(and(eq(posts.userId, authorId), eq(posts.id, postId)));
}

/** Replies in depth-first order under `rootId`, each level oldest first; one whose parent is hidden hangs from the root. */
function treeOrder(rootId: string, rows: PostRow[]): PostRow[] {
  const children = new Map<string, PostRow[]>();
  const present = new Set(rows.map((r) => r.id));
  for (const r of rows) {
    const parent = r.inReplyToId && present.has(r.inReplyToId) ? r.inReplyToId : rootId;
    const list = children.get(parent) ?? [];
    list.push(r);
    children.set(parent, list);
  }
  const out: PostRow[] = [];
  const stack = [...(children.get(rootId) ?? [])].reverse();
  while (stack.length) {
    const next = stack.pop() as PostRow;
    out.push(next);
    stack.push(...[...(children.get(next.id) ?? [])].reverse());
  }
  return out;
}

/** What a status event carries: the status (as its author sees it) and its visibility, for consumers to filter by. */
function eventOf(post: PostRow, status: unknown) {
  return { id: post.id, account_id: post.userId, visibility: post.visibility, status };
}
