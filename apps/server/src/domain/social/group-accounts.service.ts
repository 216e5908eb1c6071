import { hasPermission, Permission } from '@hearth/permissions';
import { ChannelType, isForumType, Limits, MessageType, snowflakeIsoTimestamp } from '@hearth/protocol';
import { and, asc, eq, inArray, isNotNull, ne, or, type SQL, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db';
import {
  attachments,
  bans,
  channels,
  guildJoinRequests,
  guilds,
  members,
  messages,
  permissionOverwrites,
  reactions,
  roles,
  users,
} from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { isFederatedGroup } from '../guilds/group-federation';
import type { GroupsService } from '../guilds/groups.service';
import {
  type ChannelRow,
  GuildActor,
  type GuildRow,
  isPreviewable,
  memberRoleIds,
  previewActor,
} from '../guilds/guild-access';
import type { MembersService } from '../guilds/members.service';
import type { AttachmentRow } from '../messages/attachments';
import type { MessagesService } from '../messages/messages.service';
import type { ReactionsService } from '../messages/reactions.service';
import type { ForumPostsService } from '../threads/forum-posts.service';
import type { ThreadsService } from '../threads/threads.service';
import { loadAccounts } from './accounts';
import { notAllowed, recordNotFound, unprocessable } from './errors';
import { type PostRow, SocialUrls, toAccount, toRelationship } from './mastodon.wire';
import { finishPage, type Page, type PageQuery, pageQuery } from './paging';
import { escapeHtml, hashtags, renderText } from './text';
import { authorHiddenFrom, blockedBetween } from './visibility';

// A group as a Mastodon account (ADR 0031): id = the guild's id (snowflakes never collide with users'), username =
// the group's handle (one namespace with usernames, kept by the database). Following is joining; a group post (a
// forum thread and its starter message) is a Status of the group's account. Who reads what is the permission
// engine's: a member's bits in each forum, or, for a non-member of a public listed group, a previewer's.

const FORUM_TYPES = [ChannelType.GuildForum, ChannelType.GuildMedia];
const READ = Permission.VIEW_CHANNEL | Permission.READ_MESSAGE_HISTORY;
const POST = Permission.VIEW_CHANNEL | Permission.SEND_MESSAGES;

/** A group as the viewer finds it: the guild, whether the viewer is a member, and whether it bans them. */
interface VisibleGroup {
  guild: GuildRow;
  member: boolean;
  banned: boolean;
}

/** Mastodon's favourite of a group post when its forum has no default reaction: a star, as Mastodon draws it. */
const FAVOURITE_FALLBACK_EMOJI = '⭐';

/** A group post: its thread, its starter message, and the forum it is in. */
export interface GroupPostRow {
  thread: ChannelRow;
  message: typeof messages.$inferSelect;
}

/**
 * The chat services a group post goes through: starting one from a status, editing and deleting it with the status,
 * and favouriting it (a reaction on its starter message).
 */
interface ChatParts {
  groups: GroupsService;
  members: MembersService;
  forumPosts: Pick<ForumPostsService, 'startThread'>;
  threads: Pick<ThreadsService, 'modify' | 'deleteFromStatus'>;
  messages: Pick<MessagesService, 'create' | 'edit' | 'delete'>;
  reactions: Pick<ReactionsService, 'add' | 'remove'>;
}

/** Message types that are a post's body or a comment (not system messages). */
const SAID = [MessageType.Default, MessageType.Reply];

export class GroupAccountsService {
  private readonly urls: SocialUrls;
  private parts: ChatParts | null = null;

  constructor(private readonly deps: Deps) {
    this.urls = new SocialUrls(deps.config.publicUrl, deps.attachmentUrls);
  }

  /** The chat services following and posting go through (composed after this one: they sit above the social layer). */
  connect(parts: ChatParts): void {
    this.parts = parts;
  }

  private get chat() {
    if (!this.parts) throw new Error('GroupAccountsService used before connect()');
    return this.parts;
  }

  /**
   * The groups among `where` that `viewer` may know of: a member's own; else a public or approval-required group
   * that does not ban them (a banned user still finds a listed one, as in the directory). A private group, and a
   * group without a handle (no account), are found by nobody else.
   */
  private async visible(
    db: DbOrTx,
    viewer: string | null,
    where: ReturnType<typeof and>,
  ): Promise<VisibleGroup[]> {
    const rows = await db
      .select({
        guild: guilds,
        member: viewer
          ? sql<boolean>`exists (select 1 from ${members} where ${members.guildId} = ${guilds.id} and ${members.userId} = ${viewer})`
          : sql<boolean>`false`,
        banned: viewer
          ? sql<boolean>`exists (select 1 from ${bans} where ${bans.guildId} = ${guilds.id} and ${bans.userId} = ${viewer})`
          : sql<boolean>`false`,
      })
      .from(guilds)
      .where(and(isNotNull(guilds.groupJoinMode), isNotNull(guilds.groupHandle), where))
      .limit(Limits.socialPageMax);
    return rows.flatMap((r): VisibleGroup[] => {
      if (r.member) return [{ guild: r.guild, member: true, banned: false }];
      if (r.guild.groupJoinMode === 'private') return [];
      if (r.banned && !r.guild.features.includes('DISCOVERABLE')) return [];
      return [{ guild: r.guild, member: false, banned: r.banned }];
    });
  }

  private async one(viewer: string | null, id: string): Promise<VisibleGroup> {
    const [g] = await this.visible(this.deps.db, viewer, eq(guilds.id, id));
    if (!g) throw recordNotFound();
    return g;
  }

  /** Whether `id` is a group's account (whoever may see it): the account routes ask before treating it as a user. */
  async isGroup(id: string): Promise<boolean> {
    const [row] = await this.deps.db
      .select({ id: guilds.id })
      .from(guilds)
      .where(and(eq(guilds.id, id), isNotNull(guilds.groupJoinMode), isNotNull(guilds.groupHandle)));
    return row !== undefined;
  }

  /** GET /api/v1/accounts/:id of a group. 404 when the viewer may not know it. */
  async account(viewer: string | null, id: string) {
    const [account] = await this.accounts([await this.one(viewer, id)]);
    return account;
  }

  /** A group's account by handle, or null (then the name is nobody's, or a user's). */
  async lookup(viewer: string | null, handle: string) {
    const [g] = await this.visible(
      this.deps.db,
      viewer,
      sql`lower(${guilds.groupHandle}) = lower(${handle})`,
    );
    return g ? (await this.accounts([g]))[0] : null;
  }

  /** Groups whose handle starts with `term` or whose name contains it, that the viewer may know of. */
  async search(viewer: string | null, term: string, limit: number) {
    const like = `${term.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}`;
    const found = await this.visible(
      this.deps.db,
      viewer,
      or(
        sql`lower(${guilds.groupHandle}) like ${`${like}%`}`,
        sql`lower(${guilds.name}) like ${`%${like}%`}`,
      ),
    );
    // Private groups of the viewer's are found; others' only when listed or named exactly.
    const listedOrExact = found.filter(
      (g) =>
        g.member ||
        g.guild.features.includes('DISCOVERABLE') ||
        g.guild.groupHandle?.toLowerCase() === term.toLowerCase(),
    );
    return this.accounts(listedOrExact.slice(0, limit));
  }

  private async accounts(groups: VisibleGroup[]) {
    if (groups.length === 0) return [];
    const ids = groups.map((g) => g.guild.id);
    const [memberCounts, postCounts] = await Promise.all([
      this.deps.db
        .select({ id: members.guildId, n: sql<number>`count(*)::int` })
        .from(members)
        .where(inArray(members.guildId, ids))
        .groupBy(members.guildId),
      this.deps.db
        .select({ id: channels.guildId, n: sql<number>`count(*)::int` })
        .from(channels)
        .where(
          and(
            inArray(channels.guildId, ids),
            eq(channels.type, ChannelType.PublicThread),
            sql`${channels.parentId} in (select ${channels.id} from ${channels} c where c.guild_id = ${channels.guildId} and c.type in (${sql.join(FORUM_TYPES, sql`, `)}))`,
          ),
        )
        .groupBy(channels.guildId),
    ]);
    const count = (list: Array<{ id: string | null; n: number }>, id: string) =>
      list.find((r) => r.id === id)?.n ?? 0;
    return groups.map((g) =>
      this.toGroupAccount(g.guild, count(memberCounts, g.guild.id), count(postCounts, g.guild.id)),
    );
  }

  /** Mastodon's Account of a group: `group: true`, followers = members. */
  private toGroupAccount(g: GuildRow, memberCount: number, postCount: number) {
    const base = this.urls.base;
    const avatar = g.icon ? `${base}/icons/${g.id}/${g.icon}.png` : `${base}/avatars/original/missing.png`;
    const header = g.banner
      ? `${base}/banners/${g.id}/${g.banner}.png`
      : `${base}/headers/original/missing.png`;
    const handle = g.groupHandle ?? '';
    const listed = g.features.includes('DISCOVERABLE');
    return {
      id: g.id,
      username: handle,
      acct: handle,
      url: `${base}/groups/${g.id}`,
      uri: `${base}/groups/${g.id}`,
      display_name: g.name,
      note: g.description ? `<p>${escapeHtml(g.description)}</p>` : '',
      avatar,
      avatar_static: avatar,
      header,
      header_static: header,
      // Joining needs someone's approval unless the group is public: Mastodon's "locked".
      locked: g.groupJoinMode !== 'public',
      fields: [],
      emojis: [],
      bot: false,
      group: true,
      discoverable: listed,
      indexable: listed,
      noindex: !listed,
      hide_collections: true,
      suspended: false,
      limited: false,
      memorial: false,
      moved: null,
      roles: [],
      created_at: `${g.createdAt.toISOString().slice(0, 10)}T00:00:00.000Z`,
      last_status_at: null,
      statuses_count: postCount,
      followers_count: memberCount,
      following_count: 0,
      hearth: { name_prefix: null, name_suffix: null, join_mode: g.groupJoinMode },
    };
  }

  /**
   * The forums of `groups` that `viewer` may read: a member's own bits in each; a non-member's those of a previewer
   * of a public listed group (nothing elsewhere). `post`: the forums they may post in instead (members only).
   */
  private async forumsFor(
    db: DbOrTx,
    viewer: string | null,
    groups: VisibleGroup[],
    opts: { post?: boolean } = {},
  ): Promise<ChannelRow[]> {
    // A banned user finds a listed group but reads none of it (as the chat side's preview refuses them).
    const readable = groups.filter((g) =>
      opts.post ? g.member : g.member || (isPreviewable(g.guild) && !g.banned),
    );
    if (readable.length === 0) return [];
    const ids = readable.map((g) => g.guild.id);
    const [roleRows, forumRows, mine] = await Promise.all([
      db.select().from(roles).where(inArray(roles.guildId, ids)),
      db
        .select()
        .from(channels)
        .where(and(inArray(channels.guildId, ids), inArray(channels.type, FORUM_TYPES)))
        .orderBy(asc(channels.position), asc(channels.id)),
      viewer
        ? db
            .select({ member: members, roleIds: memberRoleIds })
            .from(members)
            .where(and(inArray(members.guildId, ids), eq(members.userId, viewer)))
        : Promise.resolve([]),
    ]);
    if (forumRows.length === 0) return [];
    const overwrites = await db
      .select()
      .from(permissionOverwrites)
      .where(
        inArray(
          permissionOverwrites.channelId,
          forumRows.map((f) => f.id),
        ),
      );
    const actors = new Map<string, GuildActor>();
    for (const g of readable) {
      const guildRoles = roleRows.filter((r) => r.guildId === g.guild.id);
      const m = mine.find((r) => r.member.guildId === g.guild.id);
      actors.set(
        g.guild.id,
        m
          ? new GuildActor(g.guild, guildRoles, m.member, m.roleIds)
          : previewActor(g.guild, guildRoles, viewer ?? '0'),
      );
    }
    const need = opts.post ? POST : READ;
    return forumRows.filter((f) => {
      const actor = actors.get(f.guildId ?? '');
      if (!actor) return false;
      const bits = actor.channelPermissions(overwrites.filter((o) => o.channelId === f.id));
      return hasPermission(bits, need);
    });
  }

  /**
   * The posts of `forums` (public threads with their starter message), one page, newest first, but for those whose
   * author `hidden` names (an SQL test of `messages.author_id`).
   */
  private async postPage(
    db: DbOrTx,
    forums: ChannelRow[],
    q: PageQuery,
    hidden?: SQL,
  ): Promise<{ rows: GroupPostRow[]; ascending: boolean; limit: number }> {
    const p = pageQuery(channels.id, q);
    if (forums.length === 0) return { rows: [], ascending: p.ascending, limit: p.limit };
    const rows = await db
      .select({ thread: channels, message: messages })
      .from(channels)
      .innerJoin(messages, and(eq(messages.channelId, channels.id), eq(messages.id, channels.id)))
      .where(
        and(
          inArray(
            channels.parentId,
            forums.map((f) => f.id),
          ),
          eq(channels.type, ChannelType.PublicThread),
          activeAuthor(),
          hidden ? sql`not ${hidden}` : undefined,
          p.where,
        ),
      )
      .orderBy(p.orderBy)
      .limit(p.limit);
    return { rows, ascending: p.ascending, limit: p.limit };
  }

  /**
   * GET /api/v1/accounts/:id/statuses of a group: its posts the viewer may read, but for those of authors blocked
   * either way (404 when it may not know the group).
   */
  async statuses(viewer: string | null, id: string, q: PageQuery & { pinned?: boolean }) {
    const group = await this.one(viewer, id);
    if (q.pinned) return { items: [], newest: null, oldest: null };
    const forums = await this.forumsFor(this.deps.db, viewer, [group]);
    // Blocks either way hide an author's posts here too (a mute only keeps them off timelines, as on Mastodon).
    const page = await this.postPage(
      this.deps.db,
      forums,
      q,
      viewer ? blockedBetween(sql`${messages.authorId}`, viewer) : undefined,
    );
    const finished = finishPage(page.rows, (r) => r.thread.id, page.ascending);
    return { ...finished, items: await this.views(finished.items, viewer) };
  }

  /**
   * A page of the group posts on `userId`'s home timeline: those of the groups they belong to (following a group
   * is joining it), in the forums they may read. Paged like statuses (both are snowflakes).
   */
  async homePage(
    userId: string,
    q: PageQuery,
  ): Promise<Page<GroupPostRow> & { ascending: boolean; limit: number }> {
    const { db } = this.deps;
    const mine = await db
      .select({ guild: guilds })
      .from(members)
      .innerJoin(guilds, eq(guilds.id, members.guildId))
      .where(and(eq(members.userId, userId), isNotNull(guilds.groupJoinMode)));
    const forums = await this.forumsFor(
      db,
      userId,
      mine.map((m) => ({ guild: m.guild, member: true, banned: false })),
    );
    // None by an author they blocked, were blocked by, or muted, as statuses leave their timelines.
    const page = await this.postPage(db, forums, q, authorHiddenFrom(userId, sql`${messages.authorId}`));
    return {
      ...finishPage(page.rows, (r) => r.thread.id, page.ascending),
      ascending: page.ascending,
      limit: page.limit,
    };
  }

  /**
   * A group post (a forum thread of a group, by its id) that `viewer` may read, or with `comments` also a comment (a
   * message of such a thread, by its own id): they know the group and may read the forum (a member's bits; a
   * previewer's in a public listed group that does not ban them), and its author is active and not blocked either way.
   * 404 otherwise, whether or not it exists.
   */
  private async readablePost(
    viewer: string | null,
    id: string,
    opts: { comments?: boolean } = {},
  ): Promise<GroupPostRow> {
    const { db } = this.deps;
    if (!/^\d{1,20}$/.test(id)) throw recordNotFound();
    const readable = and(
      eq(channels.type, ChannelType.PublicThread),
      activeAuthor(),
      viewer ? sql`not ${blockedBetween(sql`${messages.authorId}`, viewer)}` : undefined,
    );
    let [row] = await db
      .select({ thread: channels, message: messages })
      .from(channels)
      .innerJoin(messages, and(eq(messages.channelId, channels.id), eq(messages.id, channels.id)))
      .where(and(eq(channels.id, id), readable));
    if (!row && opts.comments) {
      // A comment: a said message of a thread (found by its id alone, `messages_id_idx`), not its starter.
      [row] = await db
        .select({ thread: channels, message: messages })
        .from(messages)
        .innerJoin(channels, eq(channels.id, messages.channelId))
        .where(and(eq(messages.id, id), ne(messages.channelId, id), inArray(messages.type, SAID), readable))
        .limit(1);
      // The post itself must be readable too (its author active, not blocked either way).
      if (row) await this.readablePost(viewer, row.thread.id);
    }
    if (!row?.thread.guildId) throw recordNotFound();
    const [group] = await this.visible(db, viewer, eq(guilds.id, row.thread.guildId));
    if (!group) throw recordNotFound();
    const forums = await this.forumsFor(db, viewer, [group]);
    if (!forums.some((f) => f.id === row.thread.parentId)) throw recordNotFound();
    return row;
  }

  /** GET /api/v1/statuses/:id of a group post or comment the viewer may read (404 otherwise). */
  async post(viewer: string | null, id: string) {
    const [status] = await this.views([await this.readablePost(viewer, id, { comments: true })], viewer);
    if (!status) throw recordNotFound();
    return status;
  }

  /**
   * GET /api/v1/statuses/:id/context of a group post or comment. A post has no ancestors and its comments (the
   * thread's messages after the starter, oldest first) as descendants; a comment has the post and the comments it
   * answers, up the tree, as ancestors (oldest first), and the comments below it as descendants. Comments of
   * deactivated authors or authors blocked either way are left out (and so is what hangs only below them).
   */
  async context(viewer: string | null, id: string) {
    const row = await this.readablePost(viewer, id, { comments: true });
    const comments = await this.deps.db
      .select({ message: messages })
      .from(messages)
      .where(
        and(
          eq(messages.channelId, row.thread.id),
          ne(messages.id, row.thread.id),
          inArray(messages.type, SAID),
          activeAuthor(),
          viewer ? sql`not ${blockedBetween(sql`${messages.authorId}`, viewer)}` : undefined,
        ),
      )
      .orderBy(asc(messages.id))
      .limit(Limits.contextDescendantsMax);
    const asRow = (message: typeof messages.$inferSelect) => ({ thread: row.thread, message });
    if (row.message.id === row.thread.id)
      return {
        ancestors: [],
        descendants: await this.views(
          comments.map((c) => asRow(c.message)),
          viewer,
        ),
      };
    const byId = new Map(comments.map((c) => [c.message.id, c.message]));
    const parentOf = (m: typeof messages.$inferSelect) =>
      m.type === MessageType.Reply && m.referenceMessageId ? byId.get(m.referenceMessageId) : undefined;
    const ancestors: Array<typeof messages.$inferSelect> = [];
    const seen = new Set<string>([row.message.id]);
    for (let up = parentOf(row.message); up && !seen.has(up.id); up = parentOf(up)) {
      seen.add(up.id);
      ancestors.unshift(up);
    }
    const [starter] = await this.deps.db
      .select()
      .from(messages)
      .where(and(eq(messages.channelId, row.thread.id), eq(messages.id, row.thread.id)));
    // Below it: comments whose chain of answers reaches it (ids only grow down a thread, so one pass in order does).
    const below = new Set<string>([row.message.id]);
    const descendants = comments.filter((c) => {
      const up = parentOf(c.message);
      if (up && below.has(up.id)) {
        below.add(c.message.id);
        return true;
      }
      return false;
    });
    return {
      ancestors: await this.views([...(starter ? [starter] : []), ...ancestors].map(asRow), viewer),
      descendants: await this.views(
        descendants.map((c) => asRow(c.message)),
        viewer,
      ),
    };
  }

  /**
   * POST /api/v1/statuses with `in_reply_to_id` a group post or comment the caller may read: a comment in the post's
   * thread (answering the comment, if one is named) through the chat side's own call, so the one engine decides
   * (a member with SEND_MESSAGES_IN_THREADS, not in a locked post unless MANAGE_THREADS: else 403). Answers the
   * comment as a Status. 404 when the caller may not read it.
   */
  async comment(principal: Principal, id: string, text: string) {
    const target = await this.readablePost(principal.userId, id, { comments: true });
    const member = await this.deps.db
      .select({ id: members.userId })
      .from(members)
      .where(and(eq(members.guildId, target.thread.guildId ?? '0'), eq(members.userId, principal.userId)));
    // A reader who is not a member sees the post but may not comment (the chat side would answer 404: a lie here).
    if (member.length === 0) throw notAllowed();
    const content = text.trim().slice(0, Limits.messageContent);
    const message = await this.chat.messages.create(principal, target.thread.id, {
      content,
      ...(target.message.id !== target.thread.id
        ? { message_reference: { message_id: target.message.id, fail_if_not_exists: false } }
        : {}),
    });
    return this.post(principal.userId, message.id);
  }

  /**
   * Favourites (or stops favouriting) a group post or comment: the forum's default reaction (else ⭐) on its message, by
   * the chat side's reaction calls, so the one permission engine decides (a member's ADD_REACTIONS and
   * READ_MESSAGE_HISTORY; a reader who is no member may not react: 403).
   */
  async favourite(principal: Principal, id: string, on: boolean) {
    const post = await this.readablePost(principal.userId, id, { comments: true });
    const [forum] = await this.deps.db
      .select()
      .from(channels)
      .where(eq(channels.id, post.thread.parentId ?? '0'));
    const emoji = favouriteEmoji(forum?.defaultReactionEmoji ?? null);
    const group = post.thread.guildId ?? '';
    const member = await this.deps.db
      .select({ id: members.userId })
      .from(members)
      .where(and(eq(members.guildId, group), eq(members.userId, principal.userId)));
    // A reader who is not a member sees the post but may not react (the chat side would answer 404: a lie here).
    if (member.length === 0) throw notAllowed();
    const thread = post.thread.id;
    if (on) await this.chat.reactions.add(principal, thread, id, emoji.route);
    else await this.chat.reactions.remove(principal, thread, id, emoji.route, principal.userId);
    return this.post(principal.userId, id);
  }

  /**
   * Asked when `id` is no status `viewer` may boost: a group post or comment they may read cannot be boosted (422: the
   * group shares its posts itself, ADR 0031); anything else is 404.
   */
  async refuseBoost(viewer: string, id: string): Promise<never> {
    await this.readablePost(viewer, id, { comments: true });
    throw unprocessable('A group post cannot be boosted; favourite it or reply to it instead');
  }

  /**
   * Status objects of group posts and their comments (a row whose message is not the thread's starter is a comment).
   * A post has the group's account as `account`, the starter message as `content` (after the post's title), and
   * Hearth's `hearth_group_post` naming the group, the forum, the title and the author; a comment is its author's,
   * replying to the post or to the comment its message answers. Favourites are the forum's default reaction on the
   * message (else ⭐), media its attachments, mentions the users it mentions. Rows by deactivated authors are left out.
   */
  async views(rows: GroupPostRow[], viewer: string | null = null) {
    if (rows.length === 0) return [];
    const { db } = this.deps;
    const guildIds = [...new Set(rows.flatMap((r) => (r.thread.guildId ? [r.thread.guildId] : [])))];
    const forumIds = [...new Set(rows.flatMap((r) => (r.thread.parentId ? [r.thread.parentId] : [])))];
    const threadIds = [...new Set(rows.map((r) => r.thread.id))];
    const messageIds = rows.map((r) => r.message.id);
    const [guildRows, forumRows, accounts, reactionRows, files] = await Promise.all([
      db.select().from(guilds).where(inArray(guilds.id, guildIds)),
      db
        .select({ id: channels.id, emoji: channels.defaultReactionEmoji })
        .from(channels)
        .where(inArray(channels.id, forumIds.length ? forumIds : ['0'])),
      loadAccounts(
        db,
        rows.flatMap((r) => [r.message.authorId, ...r.message.mentionUserIds]),
      ),
      db
        .select({
          channelId: reactions.channelId,
          messageId: reactions.messageId,
          key: reactions.emojiKey,
          count: sql<number>`count(*)::int`,
          me: viewer ? sql<boolean>`bool_or(${reactions.userId} = ${viewer})` : sql<boolean>`false`,
        })
        .from(reactions)
        .where(and(inArray(reactions.channelId, threadIds), inArray(reactions.messageId, messageIds)))
        .groupBy(reactions.channelId, reactions.messageId, reactions.emojiKey),
      db
        .select()
        .from(attachments)
        .where(and(inArray(attachments.channelId, threadIds), inArray(attachments.messageId, messageIds)))
        .orderBy(asc(attachments.id)),
    ]);
    const groupAccounts = new Map(
      (await this.accounts(guildRows.map((g) => ({ guild: g, member: false, banned: false })))).map((a) => [
        a.id,
        a,
      ]),
    );
    const authorOf = new Map(rows.map((r) => [r.message.id, r.message.authorId]));
    return rows.flatMap((r) => {
      const group = groupAccounts.get(r.thread.guildId ?? '');
      const guild = guildRows.find((g) => g.id === r.thread.guildId);
      const author = accounts.get(r.message.authorId);
      if (!group || !guild || !author || author.user.disabled) return [];
      const starter = r.message.id === r.thread.id;
      const title = r.thread.name ?? '';
      const body = renderText(r.message.content, new Map(), this.urls.tag);
      const startsWithTitle = r.message.content.trimStart().startsWith(title);
      const url = `${this.urls.base}/groups/${guild.id}/posts/${r.thread.id}${starter ? '' : `#${r.message.id}`}`;
      const key = favouriteEmoji(forumRows.find((f) => f.id === r.thread.parentId)?.emoji ?? null).key;
      const favourites = reactionRows.find(
        (x) => x.channelId === r.thread.id && x.messageId === r.message.id && x.key === key,
      );
      // A comment answers the comment its message replies to (when that one is shown), else the post.
      const answers =
        r.message.type === MessageType.Reply && r.message.referenceMessageId
          ? r.message.referenceMessageId
          : r.thread.id;
      const answersAuthor = answers === r.thread.id ? guild.id : (authorOf.get(answers) ?? null);
      return [
        {
          id: r.message.id,
          uri: url,
          url,
          created_at: starter ? r.thread.createdAt.toISOString() : snowflakeIsoTimestamp(r.message.id),
          edited_at: r.message.editedAt ? r.message.editedAt.toISOString() : null,
          account: starter ? group : toAccount(author, this.urls),
          content:
            starter && title && !startsWithTitle
              ? `<p><strong>${escapeHtml(title)}</strong></p>${body}`
              : body,
          text: null,
          visibility: guild.groupJoinMode === 'public' ? 'public' : 'private',
          sensitive: false,
          spoiler_text: '',
          language: null,
          in_reply_to_id: starter ? null : answers,
          in_reply_to_account_id: starter ? null : answersAuthor,
          media_attachments: files
            .filter((f) => f.channelId === r.thread.id && f.messageId === r.message.id)
            .map((f) => this.mediaOf(f)),
          application: null,
          mentions: r.message.mentionUserIds.flatMap((id) => {
            const m = accounts.get(id);
            if (!m || m.user.disabled) return [];
            const a = toAccount(m, this.urls);
            return [{ id: a.id, username: a.username, acct: a.acct, url: a.url }];
          }),
          tags: hashtags(r.message.content, Limits.statusTagsMax).map((name) => ({
            name,
            url: this.urls.tag(name),
          })),
          emojis: [],
          reblogs_count: 0,
          favourites_count: favourites?.count ?? 0,
          replies_count: starter ? r.thread.messageCount : 0,
          reblog: null,
          poll: null,
          card: null,
          quote: null,
          filtered: [],
          favourited: favourites?.me === true,
          reblogged: false,
          muted: false,
          bookmarked: false,
          pinned: false,
          emoji_reactions: [],
          pleroma: { emoji_reactions: [] },
          // Hearth's own: who wrote it, in which group and forum, under which title.
          hearth_group_post: {
            group_id: guild.id,
            group_name: guild.name,
            forum_id: r.thread.parentId,
            post_id: r.thread.id,
            title,
            author: toAccount(author, this.urls),
          },
        },
      ];
    });
  }

  /** A chat attachment as Mastodon's MediaAttachment (signed URLs, as the chat side serves them; ADR 0004). */
  private mediaOf(f: AttachmentRow) {
    const signed = this.deps.attachmentUrls.sign(f);
    const type = f.contentType.startsWith('image/')
      ? 'image'
      : f.contentType.startsWith('video/')
        ? 'video'
        : f.contentType.startsWith('audio/')
          ? 'audio'
          : 'unknown';
    const original =
      f.width && f.height
        ? { original: { width: f.width, height: f.height, aspect: f.width / f.height } }
        : {};
    return {
      id: f.id,
      type,
      url: signed.url,
      preview_url: type === 'image' ? signed.proxy_url : null,
      remote_url: null,
      preview_remote_url: null,
      text_url: null,
      meta: original,
      description: f.description,
      blurhash: null,
    };
  }

  /**
   * The status `post` of its author was edited: the group posts it made (ADR 0031) take its text as their starter
   * message and its title, through the chat side's own edit calls (the author edits their own message and names the
   * thread they own). One that cannot be edited now (the author left the group) stays as it was, logged.
   */
  async statusEdited(principal: Principal, post: PostRow): Promise<void> {
    const made = await this.madeBy(principal.userId, post.id);
    for (const thread of made) {
      try {
        await this.chat.messages.edit(principal, thread.id, thread.id, {
          content: post.text.slice(0, Limits.messageContent),
        });
        const title = titleOf(post);
        if (title !== thread.name) await this.chat.threads.modify(principal, thread.id, { name: title });
      } catch (err) {
        this.deps.log.info({ err, threadId: thread.id, postId: post.id }, 'a group post was not edited');
      }
    }
  }

  /** The status `statusId` of `userId` was deleted: so are the group posts it made (ADR 0031). */
  async statusDeleted(userId: string, statusId: string): Promise<void> {
    await this.chat.threads.deleteFromStatus(userId, statusId);
  }

  /** The group posts status `statusId` made, still owned by its author. */
  private madeBy(userId: string, statusId: string) {
    return this.deps.db
      .select()
      .from(channels)
      .where(and(eq(channels.sourceStatusId, statusId), eq(channels.ownerId, userId)));
  }

  /**
   * POST /api/v1/accounts/:id/follow of a group: following is joining. A public group admits at once; an
   * approval-required one takes a join request (the relationship says `requested`); a private group is 404 to
   * anyone outside it (invite only). A member following changes nothing.
   */
  async follow(principal: Principal, id: string) {
    const group = await this.one(principal.userId, id);
    if (!group.member) {
      if (group.guild.groupJoinMode === 'public') await this.chat.groups.join(principal, id);
      else await this.chat.groups.request(principal, id);
    }
    return this.relationship(principal.userId, id);
  }

  /** Unfollowing a group is leaving it (not for its owner: 400), or withdrawing an open join request. */
  async unfollow(principal: Principal, id: string) {
    const group = await this.one(principal.userId, id);
    if (group.member) await this.chat.members.leave(principal, id);
    else if ((await this.relationship(principal.userId, id)).requested)
      await this.chat.groups.withdraw(principal, id);
    return this.relationship(principal.userId, id);
  }

  /** The caller's relationships with the groups among `ids` they may know of (following = member). */
  async relationships(userId: string, ids: string[]) {
    if (ids.length === 0) return [];
    const { db } = this.deps;
    const found = await this.visible(db, userId, inArray(guilds.id, ids));
    if (found.length === 0) return [];
    const requests = await db
      .select({ guildId: guildJoinRequests.guildId })
      .from(guildJoinRequests)
      .where(
        and(
          inArray(
            guildJoinRequests.guildId,
            found.map((g) => g.guild.id),
          ),
          eq(guildJoinRequests.userId, userId),
          eq(guildJoinRequests.status, 'SUBMITTED'),
        ),
      );
    return found.map((g) =>
      toRelationship(g.guild.id, {
        following: g.member,
        requested: !g.member && requests.some((r) => r.guildId === g.guild.id),
        followedBy: false,
        requestedBy: false,
        blocking: false,
        blockedBy: false,
      }),
    );
  }

  private async relationship(userId: string, id: string) {
    const [r] = await this.relationships(userId, [id]);
    if (!r) throw recordNotFound();
    return r;
  }

  /** The groups `names` mention (lowercased handles) that exist, with their profile URLs: a status links them. */
  async handles(
    db: DbOrTx,
    names: string[],
  ): Promise<Map<string, { id: string; url: string; private: boolean }>> {
    if (names.length === 0) return new Map();
    const rows = await db
      .select({ id: guilds.id, handle: guilds.groupHandle, mode: guilds.groupJoinMode })
      .from(guilds)
      .where(and(isNotNull(guilds.groupJoinMode), inArray(sql`lower(${guilds.groupHandle})`, names)));
    return new Map(
      rows.map((r) => [
        (r.handle ?? '').toLowerCase(),
        { id: r.id, url: `${this.urls.base}/groups/${r.id}`, private: r.mode === 'private' },
      ]),
    );
  }

  /**
   * A status that mentions groups, made public or unlisted: each mentioned group the author may post in (a member
   * with SEND_MESSAGES in one of its forums, the first by position) gets it as a new post, titled by its first line
   * (Lemmy's, Friendica's and Mastodon's group convention). Anywhere else it stays an ordinary mention. The status
   * is already committed; a post that fails (a forum's slowmode, a rule) is logged and the status stands.
   */
  async postMentioned(principal: Principal, post: PostRow, groupIds: string[]): Promise<string[]> {
    if (groupIds.length === 0 || (post.visibility !== 'public' && post.visibility !== 'unlisted')) return [];
    const { db } = this.deps;
    const mine = (await this.visible(db, principal.userId, inArray(guilds.id, groupIds))).filter(
      (g) => g.member,
    );
    const forums = await this.forumsFor(db, principal.userId, mine, { post: true });
    const made: string[] = [];
    for (const g of mine) {
      const forum = forums.find((f) => f.guildId === g.guild.id);
      if (!forum) continue;
      const title = titleOf(post);
      try {
        const thread = await this.chat.forumPosts.startThread(
          principal,
          forum.id,
          { name: title, message: { content: post.text.slice(0, Limits.messageContent) } },
          undefined,
          { sourceStatusId: post.id },
        );
        made.push(thread.id);
      } catch (err) {
        this.deps.log.info({ err, guildId: g.guild.id, postId: post.id }, 'a group mention was not posted');
      }
    }
    return made;
  }

  /**
   * Of `readers`, those whose home timeline has group post `threadId` of forum `forumId` now (members who may read
   * the forum and do not block, mute or get blocked by its active author), and the post as a Status: what the
   * streaming API sends on their `user` stream. The check is one batch of reads run together (the post with its
   * group, the guild's roles, the forum's overwrites, the readers' memberships), once per event and process, for all
   * of the process's readers at once; the Status is then rendered once for all of them.
   */
  async streamed(threadId: string, guildId: string, forumId: string, readers: string[]) {
    if (readers.length === 0) return null;
    const { db } = this.deps;
    const author = sql`(select ${messages.authorId} from ${messages} where ${messages.channelId} = ${threadId} and ${messages.id} = ${threadId})`;
    const [[row], roleRows, overwrites, memberRows] = await Promise.all([
      db
        .select({ thread: channels, message: messages, guild: guilds })
        .from(channels)
        .innerJoin(messages, and(eq(messages.channelId, channels.id), eq(messages.id, channels.id)))
        .innerJoin(guilds, eq(guilds.id, channels.guildId))
        .where(
          and(
            eq(channels.id, threadId),
            eq(channels.guildId, guildId),
            eq(channels.parentId, forumId),
            isNotNull(guilds.groupJoinMode),
            // A post of a forum (not a thread of a chat channel).
            sql`exists (select 1 from ${channels} f where f.id = ${forumId} and f.type in (${sql.join(FORUM_TYPES, sql`, `)}))`,
            activeAuthor(),
          ),
        ),
      db.select().from(roles).where(eq(roles.guildId, guildId)),
      db.select().from(permissionOverwrites).where(eq(permissionOverwrites.channelId, forumId)),
      db
        .select({ member: members, roleIds: memberRoleIds })
        .from(members)
        .where(
          and(
            eq(members.guildId, guildId),
            inArray(members.userId, readers),
            // Not to a reader who blocked the author, was blocked by them, or muted them.
            sql`not ${authorHiddenFrom(sql`${members.userId}`, author)}`,
          ),
        ),
    ]);
    if (!row) return null;
    const allowed = new Set<string>();
    for (const m of memberRows) {
      const actor = new GuildActor(row.guild, roleRows, m.member, m.roleIds);
      if (hasPermission(actor.channelPermissions(overwrites), READ)) allowed.add(m.member.userId);
    }
    if (allowed.size === 0) return null;
    const [status] = await this.views([row]);
    return status ? { status, readers: allowed } : null;
  }
  // --- federation (ADR 0031, federation addendum; FEP-1b12) ------------------------------------------------------

  /**
   * A group that is an ActivityPub Group actor (public or approval-required, with a handle), or null: a private group
   * and a guild that is no group are no actor (404), whoever asks.
   */
  async federated(id: string): Promise<GuildRow | null> {
    if (!/^\d{1,20}$/.test(id)) return null;
    const [row] = await this.deps.db.select().from(guilds).where(eq(guilds.id, id));
    return row && isFederatedGroup(row) ? row : null;
  }

  /** The id of the federated group with this handle (WebFinger's `acct:handle@host`), or null. */
  async federatedByHandle(handle: string): Promise<string | null> {
    const [row] = await this.deps.db
      .select()
      .from(guilds)
      .where(eq(sql`lower(${guilds.groupHandle})`, handle.toLowerCase()));
    return row && isFederatedGroup(row) ? row.id : null;
  }

  /** The group's member count and its posts' count (the Group actor's collections). */
  async counts(id: string): Promise<{ members: number; posts: number }> {
    const g = await this.federated(id);
    if (!g) return { members: 0, posts: 0 };
    const [account] = await this.accounts([{ guild: g, member: false, banned: false }]);
    return { members: account?.followers_count ?? 0, posts: account?.statuses_count ?? 0 };
  }

  /**
   * A remote account's Follow of a federated group: joining, as a local follow is (a public group admits at once, an
   * approval-required one takes a join request answered by its moderators). A banned account, or one the group may
   * not take, is refused.
   */
  async followRemote(principal: Principal, id: string): Promise<'joined' | 'requested' | 'refused'> {
    if (!(await this.federated(id))) return 'refused';
    try {
      const r = await this.follow(principal, id);
      return r.following ? 'joined' : r.requested ? 'requested' : 'refused';
    } catch (err) {
      this.deps.log.info({ err, guildId: id, userId: principal.userId }, 'a remote join was refused');
      return 'refused';
    }
  }

  /** The federated groups among `ids` that status `statusId` made posts in (its Update and Delete are relayed). */
  async postedFrom(userId: string, statusId: string): Promise<string[]> {
    const made = await this.madeBy(userId, statusId);
    const ids = [...new Set(made.map((t) => t.guildId).filter((g) => g !== null))];
    const fed = await Promise.all(ids.map((g) => this.federated(g)));
    return fed.filter((g) => g !== null).map((g) => g.id);
  }

  /**
   * A post of a federated group as the Group actor serves it (its thread, starter message and author), or null when
   * there is none or its forum is one a non-member may not read (what only members read is not federated).
   */
  async federatedPost(guildId: string, threadId: string) {
    const g = await this.federated(guildId);
    if (!g || !/^\d{1,20}$/.test(threadId)) return null;
    const { db } = this.deps;
    const [row] = await db
      .select({ thread: channels, message: messages })
      .from(channels)
      .innerJoin(messages, and(eq(messages.channelId, channels.id), eq(messages.id, channels.id)))
      .where(and(eq(channels.guildId, guildId), eq(channels.id, threadId)));
    if (!row?.thread.parentId || row.thread.type !== ChannelType.PublicThread) return null;
    const [forum, guildRoles, overwrites] = await Promise.all([
      db.select().from(channels).where(eq(channels.id, row.thread.parentId)),
      db.select().from(roles).where(eq(roles.guildId, guildId)),
      db.select().from(permissionOverwrites).where(eq(permissionOverwrites.channelId, row.thread.parentId)),
    ]);
    if (!forum[0] || !isForumType(forum[0].type)) return null;
    // What a member with no roles may read (the engine's @everyone): nothing only some members read is federated.
    const everyone = previewActor(g, guildRoles, '0');
    if (!hasPermission(everyone.channelPermissions(overwrites), READ)) return null;
    return { guild: g, thread: row.thread, message: row.message };
  }

  /**
   * A comment (a said message, not the starter) of a post of a federated group, by its id alone, as the Group actor
   * serves it, or null: the same rule as `federatedPost` (what only some members read is not federated).
   */
  async federatedComment(guildId: string, id: string) {
    if (!/^\d{1,20}$/.test(id) || !/^\d{1,20}$/.test(guildId)) return null;
    const [row] = await this.deps.db
      .select({ thread: channels, message: messages })
      .from(messages)
      .innerJoin(channels, eq(channels.id, messages.channelId))
      .where(
        and(
          eq(messages.id, id),
          ne(messages.channelId, id),
          eq(channels.guildId, guildId),
          inArray(messages.type, SAID),
          activeAuthor(),
        ),
      )
      .limit(1);
    if (!row || !(await this.federatedPost(guildId, row.thread.id))) return null;
    return row;
  }

  /** The federated group post that remote status `statusId` of `userId` made (its thread), or null. */
  async federatedPostOfStatus(userId: string, statusId: string) {
    for (const thread of await this.madeBy(userId, statusId))
      if (thread.guildId && (await this.federatedPost(thread.guildId, thread.id)))
        return { guildId: thread.guildId, threadId: thread.id };
    return null;
  }

  /**
   * A remote member's reply to a post of a federated group (or to one of its comments, `answers`) becomes a comment
   * through the chat side's own call, so the one engine decides: a member with SEND_MESSAGES_IN_THREADS, and not in
   * a locked post (unless MANAGE_THREADS). Answers the comment's id, or null when it is refused (nothing stored).
   */
  async commentRemote(
    principal: Principal,
    target: { guildId: string; threadId: string; answers: string },
    text: string,
  ): Promise<string | null> {
    if (!(await this.federatedPost(target.guildId, target.threadId))) return null;
    const content = text.trim().slice(0, Limits.messageContent);
    if (!content) return null;
    try {
      const message = await this.chat.messages.create(principal, target.threadId, {
        content,
        ...(target.answers !== target.threadId
          ? { message_reference: { message_id: target.answers, fail_if_not_exists: false } }
          : {}),
        // A remote text naming @everyone or <@id> pings nobody here.
        allowed_mentions: { parse: [] },
      });
      return message.id;
    } catch (err) {
      this.deps.log.info(
        { err, threadId: target.threadId, userId: principal.userId },
        'a remote comment was refused',
      );
      return null;
    }
  }

  /** A remote author's edit of their comment `messageId`: applied unless it changes nothing. Answers whether it did. */
  async editCommentRemote(principal: Principal, threadId: string, messageId: string, text: string) {
    const content = text.trim().slice(0, Limits.messageContent);
    const [old] = await this.deps.db
      .select({ content: messages.content, authorId: messages.authorId })
      .from(messages)
      .where(and(eq(messages.channelId, threadId), eq(messages.id, messageId)));
    if (!old || old.authorId !== principal.userId || !content || old.content === content) return false;
    try {
      await this.chat.messages.edit(principal, threadId, messageId, {
        content,
        allowed_mentions: { parse: [] },
      });
      return true;
    } catch (err) {
      this.deps.log.info({ err, threadId, messageId }, 'a remote comment edit was refused');
      return false;
    }
  }

  /** A remote author's deletion of their comment `messageId` (their own only). Answers whether it was deleted. */
  async deleteCommentRemote(principal: Principal, threadId: string, messageId: string): Promise<boolean> {
    const [old] = await this.deps.db
      .select({ authorId: messages.authorId })
      .from(messages)
      .where(and(eq(messages.channelId, threadId), eq(messages.id, messageId)));
    if (old?.authorId !== principal.userId) return false;
    try {
      await this.chat.messages.delete(principal, threadId, messageId);
      return true;
    } catch (err) {
      this.deps.log.info({ err, threadId, messageId }, 'a remote comment deletion failed');
      return false;
    }
  }

  /** Whether `emoji` is the favourite reaction of post `threadId` (its forum's default reaction, else ⭐): a Like. */
  async isFavouriteReaction(threadId: string, emoji: string): Promise<boolean> {
    const [forum] = await this.deps.db
      .select({ emoji: channels.defaultReactionEmoji })
      .from(channels)
      .where(sql`${channels.id} = (select ${channels.parentId} from ${channels} t where t.id = ${threadId})`);
    return favouriteEmoji(forum?.emoji ?? null).key === emoji;
  }

  /**
   * A remote member's reaction (`emoji`; null: a plain Like, the forum's favourite reaction, else ⭐) on a federated
   * group's post or comment, added or (`on` false) taken back, through the chat side's reaction calls: ADD_REACTIONS
   * and READ_MESSAGE_HISTORY decide; a non-member is refused. Answers whether it was applied.
   */
  async reactRemote(
    principal: Principal,
    target: { guildId: string; threadId: string; messageId: string },
    emoji: string | null,
    on: boolean,
  ): Promise<boolean> {
    const post = await this.federatedPost(target.guildId, target.threadId);
    if (!post) return false;
    const [forum] = await this.deps.db
      .select({ emoji: channels.defaultReactionEmoji })
      .from(channels)
      .where(eq(channels.id, post.thread.parentId ?? '0'));
    const route = emoji ?? favouriteEmoji(forum?.emoji ?? null).route;
    try {
      if (on) await this.chat.reactions.add(principal, target.threadId, target.messageId, route);
      else
        await this.chat.reactions.remove(
          principal,
          target.threadId,
          target.messageId,
          route,
          principal.userId,
        );
      return true;
    } catch (err) {
      this.deps.log.info({ err, ...target, userId: principal.userId }, 'a remote reaction was refused');
      return false;
    }
  }
}

/** A post's title from a status: its content warning, else its first line, within a thread name's 100 characters. */
function titleOf(post: PostRow): string {
  const line =
    post.spoilerText.trim() ||
    post.text
      .split('\n')
      .find((l) => l.trim())
      ?.trim() ||
    'Post';
  return line.length > 100 ? `${line.slice(0, 99)}…` : line;
}

/** Posts and comments by active authors only (a deactivated account's are left out, as its statuses are). */
function activeAuthor(): SQL {
  return sql`not exists (select 1 from ${users} u where u.id = ${messages.authorId} and u.disabled)`;
}

/**
 * The reaction a favourite of a group post is: its forum's default reaction emoji (a custom one by id), else ⭐.
 * `key` as reactions store it, `route` as the reaction calls take it.
 */
function favouriteEmoji(d: { emoji_id: string | null; emoji_name: string | null } | null) {
  if (d?.emoji_id) return { key: d.emoji_id, route: `emoji:${d.emoji_id}` };
  const name = d?.emoji_name || FAVOURITE_FALLBACK_EMOJI;
  return { key: name, route: name };
}
