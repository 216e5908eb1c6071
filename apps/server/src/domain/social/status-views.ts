import { and, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db';
import { oauthApps, postMentions, postReactions } from '../../store/schema';
import { type AccountRow, loadAccounts } from './accounts';
import { type PostRow, type SocialUrls, toStatus } from './mastodon.wire';
import { loadStatusMedia, openVisibility, toMediaAttachment } from './media.wire';
import { loadPolls } from './polls.wire';

/** Builds Mastodon Status objects for a list of posts a viewer may see: authors, mentions and the viewer's flags. */
export async function statusViews(
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
  const [mentions, favourites, apps] = await Promise.all([
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
  ]);
  const [accounts, media, polls] = await Promise.all([
    loadAccounts(db, [...authorIds, ...mentions.map((m) => m.mentionedId)]),
    loadStatusMedia(db, authorIds, ids),
    loadPolls(db, viewer, rows),
  ]);
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
          application: app ? { name: app.name, website: app.website } : null,
          viewer: viewer ? { favourited: favourited.has(post.id) } : null,
          withText: opts.withText,
          media: (media.get(post.id) ?? []).map((m) =>
            toMediaAttachment(m, urls, { open: openVisibility(post.visibility) }),
          ),
          poll: polls.get(post.id),
        },
        urls,
      ),
    );
  }
  return out;
}
