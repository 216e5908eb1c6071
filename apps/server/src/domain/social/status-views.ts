import { and, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db';
import {
  bookmarks,
  guilds,
  members,
  oauthApps,
  postMentions,
  postReactions,
  posts,
  statusPins,
} from '../../store/schema';
import { type AccountRow, loadAccounts } from './accounts';
import { type PostRow, type SocialUrls, toStatus } from './mastodon.wire';
import { loadStatusMedia, openVisibility, toMediaAttachment } from './media.wire';
import { loadPolls } from './polls.wire';
import { reactionEmojiFields } from './reaction-emoji';

/**
 * Builds Mastodon Status objects for a list of posts a viewer may see: authors, mentions and the viewer's flags, a
 * boost with the status it boosts nested as `reblog` (the boost's flags are the boosted status's, as clients read
 * them on either).
 */
export async function statusViews(
  db: DbOrTx,
  urls: SocialUrls,
  viewer: string | null,
  rows: PostRow[],
  opts: { withText?: boolean } = {},
) {
  if (rows.length === 0) return [];
  const boostedIds = [...new Set(rows.flatMap((p) => (p.reblogOfId ? [p.reblogOfId] : [])))];
  const boosted = boostedIds.length ? await db.select().from(posts).where(inArray(posts.id, boostedIds)) : [];
  const all = [...rows, ...boosted.filter((b) => !rows.some((r) => r.id === b.id))];
  const [views, flags] = await Promise.all([
    plainViews(db, urls, viewer, all, opts),
    viewerFlags(
      db,
      viewer,
      all.filter((p) => !p.reblogOfId),
    ),
  ]);
  const byId = new Map(views.map((v) => [v.id, v]));
  const withFlags = (id: string) => {
    const view = byId.get(id);
    if (!view) return undefined;
    return {
      ...view,
      reblogged: flags.reblogged.has(id),
      bookmarked: flags.bookmarked.has(id),
      pinned: flags.pinned.has(id),
    };
  };
  const out = [];
  for (const row of rows) {
    const view = byId.get(row.id);
    if (!view) continue;
    if (!row.reblogOfId) {
      out.push({ ...withFlags(row.id)!, reblog: null });
      continue;
    }
    const reblog = withFlags(row.reblogOfId);
    if (!reblog) continue;
    out.push({
      ...view,
      favourited: reblog.favourited,
      reblogged: reblog.reblogged,
      bookmarked: reblog.bookmarked,
      pinned: false,
      reblog: { ...reblog, reblog: null },
    });
  }
  return out;
}

/** What the viewer did to each of `rows` (not boosts): boosted it, bookmarked it, pinned it (their own). */
async function viewerFlags(db: DbOrTx, viewer: string | null, rows: PostRow[]) {
  const ids = rows.map((r) => r.id);
  if (!viewer || ids.length === 0)
    return { reblogged: new Set<string>(), bookmarked: new Set<string>(), pinned: new Set<string>() };
  const own = rows.filter((r) => r.userId === viewer).map((r) => r.id);
  const [reblogged, bookmarked, pinned] = await Promise.all([
    db
      .select({ id: posts.reblogOfId })
      .from(posts)
      .where(and(eq(posts.userId, viewer), inArray(posts.reblogOfId, ids))),
    db
      .select({ id: bookmarks.postId })
      .from(bookmarks)
      .where(and(eq(bookmarks.userId, viewer), inArray(bookmarks.postId, ids))),
    own.length
      ? db
          .select({ id: statusPins.postId })
          .from(statusPins)
          .where(and(eq(statusPins.userId, viewer), inArray(statusPins.postId, own)))
      : Promise.resolve([]),
  ]);
  const set = (list: Array<{ id: string | null }>) => new Set(list.flatMap((r) => (r.id ? [r.id] : [])));
  return { reblogged: set(reblogged), bookmarked: set(bookmarked), pinned: set(pinned) };
}

/** The Status objects of `rows` as they are (a boost's own, without the status it boosts). */
async function plainViews(
  db: DbOrTx,
  urls: SocialUrls,
  viewer: string | null,
  rows: PostRow[],
  opts: { withText?: boolean } = {},
) {
  if (rows.length === 0) return [];
  const ids = rows.map((p) => p.id);
  const authorIds = [...new Set(rows.map((p) => p.userId))];
  const appIds = [...new Set(rows.flatMap((p) => (p.applicationId ? [p.applicationId] : [])))];
  const [mentions, favourites, apps, reactionRows] = await Promise.all([
    db
      .select({ postId: postMentions.postId, mentionedId: postMentions.mentionedId })
      .from(postMentions)
      .where(and(inArray(postMentions.userId, authorIds), inArray(postMentions.postId, ids))),
    viewer
      ? db
          .select({ postId: postReactions.postId })
          .from(postReactions)
          .where(
            and(
              inArray(postReactions.userId, authorIds),
              inArray(postReactions.postId, ids),
              eq(postReactions.reactorId, viewer),
              eq(postReactions.emoji, ''),
            ),
          )
      : Promise.resolve([]),
    appIds.length
      ? db
          .select({ id: oauthApps.id, name: oauthApps.name, website: oauthApps.website })
          .from(oauthApps)
          .where(inArray(oauthApps.id, appIds))
      : Promise.resolve([]),
    // Emoji reactions (not favourites), per status and emoji: how many, and whether the viewer is among them.
    db
      .select({
        postId: postReactions.postId,
        emoji: postReactions.emoji,
        count: sql<number>`count(*)::int`,
        me: viewer ? sql<boolean>`bool_or(${postReactions.reactorId} = ${viewer})` : sql<boolean>`false`,
      })
      .from(postReactions)
      .where(
        and(
          inArray(postReactions.userId, authorIds),
          inArray(postReactions.postId, ids),
          sql`${postReactions.emoji} <> ''`,
        ),
      )
      .groupBy(postReactions.postId, postReactions.emoji)
      .orderBy(sql`min(${postReactions.createdAt})`),
  ]);
  const [accounts, media, polls] = await Promise.all([
    loadAccounts(db, [...authorIds, ...mentions.map((m) => m.mentionedId)]),
    loadStatusMedia(db, authorIds, ids),
    loadPolls(db, viewer, rows),
  ]);
  // A mention of no account is of a group (ADR 0031): named by its handle while it has one, and a private group's
  // only to its members (to anyone else it is nobody's: neither its handle nor its id is shown).
  const groupIds = [...new Set(mentions.map((m) => m.mentionedId).filter((id) => !accounts.has(id)))];
  const groupRows = groupIds.length
    ? await db
        .select({ id: guilds.id, handle: guilds.groupHandle })
        .from(guilds)
        .where(
          and(
            inArray(guilds.id, groupIds),
            isNotNull(guilds.groupJoinMode),
            isNotNull(guilds.groupHandle),
            viewer
              ? sql`(${guilds.groupJoinMode} <> 'private' or exists (select 1 from ${members} where ${members.guildId} = ${guilds.id} and ${members.userId} = ${viewer}))`
              : sql`${guilds.groupJoinMode} <> 'private'`,
          ),
        )
    : [];
  const groupHandles = new Map(groupRows.map((g) => [g.id, g.handle ?? '']));
  const favourited = new Set(favourites.map((f) => f.postId));
  const out = [];
  for (const post of rows) {
    const author = accounts.get(post.userId);
    if (!author) continue;
    const app = apps.find((a) => a.id === post.applicationId);
    out.push(
      toStatus(
        {
          post,
          author,
          mentions: mentions
            .filter((m) => m.postId === post.id)
            .map((m) => accounts.get(m.mentionedId))
            .filter((a): a is AccountRow => a !== undefined),
          groupMentions: mentions.flatMap((m) => {
            const handle = m.postId === post.id ? groupHandles.get(m.mentionedId) : undefined;
            return handle ? [{ id: m.mentionedId, handle }] : [];
          }),
          application: app ? { name: app.name, website: app.website } : null,
          viewer: viewer ? { favourited: favourited.has(post.id) } : null,
          withText: opts.withText,
          media: (media.get(post.id) ?? []).map((m) =>
            toMediaAttachment(m, urls, { open: openVisibility(post.visibility) }),
          ),
          poll: polls.get(post.id),
          reactions: reactionRows
            .filter((r) => r.postId === post.id)
            .map((r) => {
              const { emoji, emoji_url } = reactionEmojiFields(r.emoji, urls.base);
              return { name: emoji, count: r.count, me: r.me === true, url: emoji_url };
            }),
        },
        urls,
      ),
    );
  }
  return out;
}
