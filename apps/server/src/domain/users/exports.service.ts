import { once } from 'node:events';
import { extname } from 'node:path';
import { PassThrough } from 'node:stream';
import { ErrorCode } from '@hearth/protocol';
import { and, asc, desc, eq, gt, inArray, isNotNull, lt, ne, or, sql } from 'drizzle-orm';
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import type { StoredFile } from '../../media/storage';
import {
  accountArchives,
  attachments,
  bookmarks,
  channelRecipients,
  channels,
  credentials,
  followers,
  follows,
  listAccounts,
  lists,
  mediaAttachments,
  members,
  messages,
  mutes,
  postMentions,
  postReactions,
  posts,
  relationships,
  userDomainBlocks,
  users,
} from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { ApiError, rateLimited } from '../errors';
import { toAttachmentWire } from '../messages/attachments';
import { SocialUrls } from '../social/mastodon.wire';
import { hashtags } from '../social/text';

/** Rows read per query while writing a CSV or an archive: memory stays bounded whatever the account's size. */
const PAGE = 500;
/** Channels read per query when listing where the account may have written. */
const CHANNEL_PAGE = 200;
const DAY_MS = 86_400_000;
/** Relationship type 2 is a block (users.ts). */
const BLOCKED = 2;

/** Mastodon's CSV exports (`/settings/exports/*.csv`), by file name. */
export const CSV_EXPORTS = [
  'following',
  'followers',
  'lists',
  'blocks',
  'mutes',
  'domain_blocks',
  'bookmarks',
] as const;
export type CsvExport = (typeof CSV_EXPORTS)[number];

type ArchiveRow = typeof accountArchives.$inferSelect;

/**
 * A cell a spreadsheet would read as a formula (OWASP's "CSV injection"): one starting with `=`, `+`, `-`, `@`, a tab
 * or a carriage return. Of Hearth's exports only a list title can (an account address starts with a username, a domain
 * with a letter or digit, a bookmark with `http`), and Hearth's importer takes the apostrophe off again (ADR 0051).
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field: a formula-looking one behind an apostrophe, then quoted when it must be (RFC 4180). */
function csvField(v: string | boolean | null | undefined): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
const csvLine = (fields: Array<string | boolean | null | undefined>) => `${fields.map(csvField).join(',')}\n`;

/**
 * An account's own data, for taking elsewhere (ADR 0051): Mastodon's CSV exports (follows, followers, lists, blocks,
 * mutes, domain blocks, bookmarks), written row page by row page as they are read, and the archive: a zip built by
 * the `accounts.archive` job (ActivityPub outbox, actor, likes and bookmarks as Mastodon's archive has them, the
 * media files, and the chat side as Discord's data package has it), kept in media storage until it expires.
 */
export class AccountExportsService {
  private readonly urls: SocialUrls;
  /** This instance's host: the domain part of a local account's address in the CSVs. */
  private readonly host: string;

  constructor(private readonly deps: Deps) {
    this.urls = new SocialUrls(deps.config.publicUrl, deps.attachmentUrls);
    this.host = new URL(deps.config.publicUrl).host;
  }

  /** `name@host` of an account: a remote one's username already is. */
  private acct(u: { username: string; remote: boolean }): string {
    return u.remote ? u.username : `${u.username}@${this.host}`;
  }

  /** The ActivityPub IRI of a status: a remote one's own, a local one's built from its author and id. */
  private statusIri(p: { userId: string; id: string; uri: string | null }): string {
    return p.uri ?? this.urls.statusUri(p.userId, p.id);
  }

  /** One of Mastodon's CSV exports of the caller's account, as lines (the header first where Mastodon has one). */
  async *csv(principal: Principal, name: CsvExport): AsyncGenerator<string> {
    const me = principal.userId;
    const db = this.deps.db;
    switch (name) {
      case 'following': {
        yield csvLine(['Account address', 'Show boosts', 'Notify on new posts', 'Languages']);
        let after = '0';
        for (;;) {
          const rows = await db
            .select({ id: follows.id, username: users.username, remote: users.remote })
            .from(follows)
            .innerJoin(users, eq(users.id, follows.targetId))
            .where(and(eq(follows.userId, me), eq(follows.accepted, true), gt(follows.id, after)))
            .orderBy(asc(follows.id))
            .limit(PAGE);
          // Hearth has no per-follow boost, notify or language settings: boosts shown, no notifications, all languages.
          yield rows.map((r) => csvLine([this.acct(r), true, false, ''])).join('');
          if (rows.length < PAGE) return;
          after = rows[rows.length - 1]!.id;
        }
      }
      case 'followers': {
        yield csvLine(['Account address']);
        let after = '0';
        for (;;) {
          const rows = await db
            .select({ id: followers.id, username: users.username, remote: users.remote })
            .from(followers)
            .innerJoin(users, eq(users.id, followers.followerId))
            .where(and(eq(followers.userId, me), eq(followers.accepted, true), gt(followers.id, after)))
            .orderBy(asc(followers.id))
            .limit(PAGE);
          yield rows.map((r) => csvLine([this.acct(r)])).join('');
          if (rows.length < PAGE) return;
          after = rows[rows.length - 1]!.id;
        }
      }
      case 'lists': {
        // No header, as Mastodon: `list title,account address` per member.
        const own = await db
          .select({ id: lists.id, title: lists.title })
          .from(lists)
          .where(eq(lists.userId, me))
          .orderBy(asc(lists.id));
        for (const list of own) {
          let after = '0';
          for (;;) {
            const rows = await db
              .select({ id: listAccounts.id, username: users.username, remote: users.remote })
              .from(listAccounts)
              .innerJoin(users, eq(users.id, listAccounts.accountId))
              .where(
                and(
                  eq(listAccounts.userId, me),
                  eq(listAccounts.listId, list.id),
                  gt(listAccounts.id, after),
                ),
              )
              .orderBy(asc(listAccounts.id))
              .limit(PAGE);
            yield rows.map((r) => csvLine([list.title, this.acct(r)])).join('');
            if (rows.length < PAGE) break;
            after = rows[rows.length - 1]!.id;
          }
        }
        return;
      }
      case 'blocks': {
        // No header: an address per line.
        let after = '0';
        for (;;) {
          const rows = await db
            .select({ id: relationships.otherId, username: users.username, remote: users.remote })
            .from(relationships)
            .innerJoin(users, eq(users.id, relationships.otherId))
            .where(
              and(
                eq(relationships.userId, me),
                eq(relationships.type, BLOCKED),
                gt(relationships.otherId, after),
              ),
            )
            .orderBy(asc(relationships.otherId))
            .limit(PAGE);
          yield rows.map((r) => csvLine([this.acct(r)])).join('');
          if (rows.length < PAGE) return;
          after = rows[rows.length - 1]!.id;
        }
      }
      case 'mutes': {
        yield csvLine(['Account address', 'Hide notifications']);
        let after = '0';
        for (;;) {
          const rows = await db
            .select({
              id: mutes.id,
              notifications: mutes.notifications,
              expiresAt: mutes.expiresAt,
              username: users.username,
              remote: users.remote,
            })
            .from(mutes)
            .innerJoin(users, eq(users.id, mutes.targetId))
            .where(and(eq(mutes.userId, me), gt(mutes.id, after)))
            .orderBy(asc(mutes.id))
            .limit(PAGE);
          const now = Date.now();
          yield rows
            .filter((r) => !r.expiresAt || r.expiresAt.getTime() > now)
            .map((r) => csvLine([this.acct(r), r.notifications]))
            .join('');
          if (rows.length < PAGE) return;
          after = rows[rows.length - 1]!.id;
        }
      }
      case 'domain_blocks': {
        let after = '';
        for (;;) {
          const rows = await db
            .select({ domain: userDomainBlocks.domain })
            .from(userDomainBlocks)
            .where(and(eq(userDomainBlocks.userId, me), gt(userDomainBlocks.domain, after)))
            .orderBy(asc(userDomainBlocks.domain))
            .limit(PAGE);
          yield rows.map((r) => csvLine([r.domain])).join('');
          if (rows.length < PAGE) return;
          after = rows[rows.length - 1]!.domain;
        }
      }
      case 'bookmarks': {
        // No header: the bookmarked status's ActivityPub IRI per line.
        for await (const rows of this.bookmarkPages(me)) yield rows.map((iri) => csvLine([iri])).join('');
        return;
      }
    }
  }

  /** The IRIs of the statuses `me` bookmarked, oldest bookmark first, a page at a time. */
  private async *bookmarkPages(me: string): AsyncGenerator<string[]> {
    let after = '0';
    for (;;) {
      const rows = await this.deps.db
        .select({ id: bookmarks.id, userId: posts.userId, postId: posts.id, uri: posts.uri })
        .from(bookmarks)
        .innerJoin(posts, eq(posts.id, bookmarks.postId))
        .where(and(eq(bookmarks.userId, me), gt(bookmarks.id, after)))
        .orderBy(asc(bookmarks.id))
        .limit(PAGE);
      yield rows.map((r) => this.statusIri({ userId: r.userId, id: r.postId, uri: r.uri }));
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1]!.id;
    }
  }

  /** The IRIs of the statuses `me` favourited, a page at a time. */
  private async *likePages(me: string): AsyncGenerator<string[]> {
    let after = '0';
    for (;;) {
      const rows = await this.deps.db
        .select({ postId: postReactions.postId, userId: postReactions.userId })
        .from(postReactions)
        .where(
          and(eq(postReactions.reactorId, me), eq(postReactions.emoji, ''), gt(postReactions.postId, after)),
        )
        .orderBy(asc(postReactions.postId))
        .limit(PAGE);
      const uris = await this.uris(rows.map((r) => r.postId));
      yield rows.map((r) => uris.get(r.postId) ?? this.urls.statusUri(r.userId, r.postId));
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1]!.postId;
    }
  }

  /** The IRIs of the statuses `ids` (local or remote) that still exist. */
  private async uris(ids: string[]): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    const rows = await this.deps.db
      .select({ userId: posts.userId, id: posts.id, uri: posts.uri })
      .from(posts)
      .where(inArray(posts.id, [...new Set(ids)]));
    return new Map(rows.map((r) => [r.id, this.statusIri(r)]));
  }

  // --- The archive ---

  private archiveWire(row: ArchiveRow | undefined) {
    const interval = this.deps.config.archiveIntervalDays * DAY_MS;
    const next = row && row.state !== 'failed' ? new Date(row.createdAt.getTime() + interval) : null;
    return {
      archive: row
        ? {
            id: row.id,
            state: row.state,
            created_at: row.createdAt.toISOString(),
            completed_at: row.completedAt?.toISOString() ?? null,
            expires_at: row.expiresAt?.toISOString() ?? null,
            size: row.size ?? null,
            download_url:
              row.state === 'ready'
                ? `${this.deps.config.publicUrl}/api/v1/hearth/account/archive/${row.id}/download`
                : null,
          }
        : null,
      next_request_at: next && next.getTime() > Date.now() ? next.toISOString() : null,
    };
  }

  private async newest(me: string): Promise<ArchiveRow | undefined> {
    const [row] = await this.deps.db
      .select()
      .from(accountArchives)
      .where(eq(accountArchives.userId, me))
      .orderBy(desc(accountArchives.id))
      .limit(1);
    return row;
  }

  /** The caller's newest archive (pending, ready or failed) and when they may ask for another. */
  async archiveStatus(principal: Principal) {
    return this.archiveWire(await this.newest(principal.userId));
  }

  /**
   * Asks for an archive of the caller's data: at most one per `archiveIntervalDays` (Mastodon's one a week; a failed
   * one does not count), built by the `accounts.archive` job. Earlier archives go when this one is ready.
   */
  async requestArchive(principal: Principal) {
    const me = principal.userId;
    const intervalMs = this.deps.config.archiveIntervalDays * DAY_MS;
    const row = await this.deps.db.transaction(async (tx) => {
      // One request at a time per account: the user row is the lock, so two at once cannot both pass the check.
      await tx.select({ id: users.id }).from(users).where(eq(users.id, me)).for('update');
      const [last] = await tx
        .select({ createdAt: accountArchives.createdAt })
        .from(accountArchives)
        .where(and(eq(accountArchives.userId, me), ne(accountArchives.state, 'failed')))
        .orderBy(desc(accountArchives.id))
        .limit(1);
      const wait = last ? last.createdAt.getTime() + intervalMs - Date.now() : 0;
      if (wait > 0) throw rateLimited(ErrorCode.General, 'You can request an archive once per period.', wait);
      const [created] = await tx
        .insert(accountArchives)
        .values({ userId: me, id: this.deps.ids.next() })
        .returning();
      await this.deps.jobs.enqueue('accounts.archive', { userId: me, archiveId: created!.id }, {}, tx);
      return created!;
    });
    return this.archiveWire(row);
  }

  /** The file of the caller's archive `id` while it is ready and unexpired; 404 for anyone else's or any other. */
  async openArchive(principal: Principal, id: string): Promise<{ file: StoredFile; filename: string }> {
    const notFound = () => new ApiError(404, ErrorCode.General, 'Record not found');
    const [row] = await this.deps.db
      .select()
      .from(accountArchives)
      .where(and(eq(accountArchives.userId, principal.userId), eq(accountArchives.id, id)));
    if (row?.state !== 'ready' || !row.storageKey || (row.expiresAt && row.expiresAt < new Date()))
      throw notFound();
    const file = await this.deps.storage.get(row.storageKey);
    if (!file) throw notFound();
    return { file, filename: `archive-${row.createdAt.toISOString().slice(0, 10)}-${row.id}.zip` };
  }

  /**
   * One run of `accounts.archive`: builds the zip of archive `archiveId` into media storage, marks it ready with its
   * expiry, removes the account's earlier archives and mails the owner. A failure marks it failed (the owner may ask
   * again at once) and leaves no file.
   */
  async buildArchive(userId: string, archiveId: string): Promise<void> {
    const db = this.deps.db;
    const [row] = await db
      .select()
      .from(accountArchives)
      .where(and(eq(accountArchives.userId, userId), eq(accountArchives.id, archiveId)));
    if (row?.state !== 'pending') return;
    const [user] = await db.select().from(users).where(eq(users.id, userId));
    if (!user || user.status === 'deleted') {
      await db.delete(accountArchives).where(eq(accountArchives.userId, userId));
      return;
    }
    const key = `archives/${userId}/${archiveId}-${this.deps.ids.next()}.zip`;
    const out = new PassThrough({ highWaterMark: 256 * 1024 });
    const stored = this.deps.storage.put(key, out, 'application/zip');
    try {
      const zip = new Zip((err, chunk, final) => {
        if (err) out.destroy(err);
        else {
          out.write(chunk);
          if (final) out.end();
        }
      });
      await this.writeArchive(new ZipWriter(zip, out), user);
      zip.end();
      const { size } = await stored;
      const now = new Date();
      await db
        .update(accountArchives)
        .set({
          state: 'ready',
          storageKey: key,
          size,
          completedAt: now,
          expiresAt: new Date(now.getTime() + this.deps.config.archiveRetentionDays * DAY_MS),
        })
        .where(and(eq(accountArchives.userId, userId), eq(accountArchives.id, archiveId)));
    } catch (err) {
      out.destroy(err as Error);
      await stored.catch(() => {});
      await this.deps.storage.delete(key).catch(() => {});
      this.deps.log.error({ err, userId, archiveId }, 'account archive failed');
      await db
        .update(accountArchives)
        .set({ state: 'failed', completedAt: new Date() })
        .where(and(eq(accountArchives.userId, userId), eq(accountArchives.id, archiveId)));
      return;
    }
    // The earlier archives give way to this one.
    const earlier = await db
      .select()
      .from(accountArchives)
      .where(and(eq(accountArchives.userId, userId), lt(accountArchives.id, archiveId)));
    await this.removeArchives(earlier);
    const [cred] = await db
      .select({ email: credentials.email })
      .from(credentials)
      .where(eq(credentials.userId, userId));
    if (cred?.email) {
      const link = `${this.deps.config.publicUrl}/settings/account`;
      await this.deps.mailer
        .send({
          to: cred.email,
          subject: 'Your Hearth archive is ready',
          text: `The archive of your data you asked for is ready. Download it from ${link} (signed in) within ${this.deps.config.archiveRetentionDays} days.`,
        })
        .catch((err) => this.deps.log.warn({ err, userId }, 'archive mail not sent'));
    }
  }

  /** Removes up to 100 archives past their expiry (and failed ones as old), files first; answers how many. */
  async sweepExpired(now = new Date()): Promise<number> {
    const old = new Date(now.getTime() - this.deps.config.archiveRetentionDays * DAY_MS);
    const rows = await this.deps.db
      .select()
      .from(accountArchives)
      .where(
        or(
          lt(accountArchives.expiresAt, now),
          and(eq(accountArchives.state, 'failed'), lt(accountArchives.createdAt, old)),
        ),
      )
      .limit(100);
    await this.removeArchives(rows);
    return rows.length;
  }

  /** Removes every archive of an account (its deletion, ADR 0049). */
  async removeAllOf(userId: string): Promise<void> {
    await this.removeArchives(
      await this.deps.db.select().from(accountArchives).where(eq(accountArchives.userId, userId)),
    );
  }

  private async removeArchives(rows: ArchiveRow[]): Promise<void> {
    for (const r of rows) {
      if (r.storageKey) await this.deps.storage.delete(r.storageKey);
      await this.deps.db
        .delete(accountArchives)
        .where(and(eq(accountArchives.userId, r.userId), eq(accountArchives.id, r.id)));
    }
  }

  /** Everything the archive holds, file after file. */
  private async writeArchive(z: ZipWriter, user: typeof users.$inferSelect): Promise<void> {
    const me = user.id;
    const actor = this.urls.actor(me);
    const context = 'https://www.w3.org/ns/activitystreams';
    const avatar = user.avatar
      ? `avatars/${me}/${user.avatar}.${user.avatar.startsWith('a_') ? 'gif' : 'png'}`
      : null;
    const banner = user.banner
      ? `banners/${me}/${user.banner}.${user.banner.startsWith('a_') ? 'gif' : 'png'}`
      : null;
    const [avatarFile, bannerFile] = await Promise.all([
      avatar ? this.deps.storage.get(avatar) : null,
      banner ? this.deps.storage.get(banner) : null,
    ]);
    const avatarName = avatarFile && avatar ? `avatar${extname(avatar)}` : null;
    const headerName = bannerFile && banner ? `header${extname(banner)}` : null;
    // actor.json: the Person, as Mastodon's archive has it, with the collections pointing at the files beside it.
    await z.text(
      'actor.json',
      JSON.stringify(
        {
          '@context': [context, 'https://w3id.org/security/v1'],
          id: actor,
          type: 'Person',
          preferredUsername: user.username,
          name: user.globalName ?? user.username,
          summary: user.bio,
          url: this.urls.profile(user.username),
          published: user.createdAt.toISOString(),
          manuallyApprovesFollowers: user.locked,
          discoverable: user.discoverable,
          followers: `${actor}/followers`,
          following: `${actor}/following`,
          outbox: 'outbox.json',
          likes: 'likes.json',
          bookmarks: 'bookmarks.json',
          attachment: user.profileFields.map((f) => ({
            type: 'PropertyValue',
            name: f.name,
            value: f.value,
          })),
          icon: avatarName ? { type: 'Image', url: avatarName } : null,
          image: headerName ? { type: 'Image', url: headerName } : null,
        },
        null,
        2,
      ),
    );
    if (avatarFile && avatarName) await z.stream(avatarName, avatarFile);
    if (bannerFile && headerName) await z.stream(headerName, bannerFile);

    // outbox.json: every status as a Create (a boost as an Announce), oldest first.
    const [{ n: total } = { n: 0 }] = await this.deps.db
      .select({ n: sql<number>`count(*)::int` })
      .from(posts)
      .where(eq(posts.userId, me));
    await z.lines('outbox.json', this.outboxLines(user, Number(total)));
    await z.lines('likes.json', this.collectionLines('likes.json', this.likePages(me)));
    await z.lines('bookmarks.json', this.collectionLines('bookmarks.json', this.bookmarkPages(me)));

    // The media files of the account's statuses and library, named by id as the outbox refers to them.
    let after = '0';
    for (;;) {
      const rows = await this.deps.db
        .select({ id: mediaAttachments.id, storageKey: mediaAttachments.storageKey })
        .from(mediaAttachments)
        .where(and(eq(mediaAttachments.userId, me), gt(mediaAttachments.id, after)))
        .orderBy(asc(mediaAttachments.id))
        .limit(PAGE);
      for (const r of rows) {
        const file = await this.deps.storage.get(r.storageKey);
        if (file) await z.stream(mediaPath(r), file);
      }
      if (rows.length < PAGE) break;
      after = rows[rows.length - 1]!.id;
    }

    await this.writeChat(z, user);
  }

  /** An ActivityPub OrderedCollection of IRIs, as JSON text written page by page. */
  private async *collectionLines(id: string, pages: AsyncGenerator<string[]>): AsyncGenerator<string> {
    yield `{"@context":"https://www.w3.org/ns/activitystreams","id":${JSON.stringify(id)},"type":"OrderedCollection","orderedItems":[`;
    let first = true;
    for await (const page of pages) {
      if (!page.length) continue;
      yield `${first ? '' : ','}\n${page.map((s) => JSON.stringify(s)).join(',\n')}`;
      first = false;
    }
    yield '\n]}\n';
  }

  private async *outboxLines(user: typeof users.$inferSelect, total: number): AsyncGenerator<string> {
    const me = user.id;
    const actor = this.urls.actor(me);
    const publicAddr = 'https://www.w3.org/ns/activitystreams#Public';
    const followersAddr = `${actor}/followers`;
    yield `{"@context":"https://www.w3.org/ns/activitystreams","id":"outbox.json","type":"OrderedCollection","totalItems":${total},"orderedItems":[`;
    let first = true;
    let after = '0';
    for (;;) {
      const rows = await this.deps.db
        .select()
        .from(posts)
        .where(and(eq(posts.userId, me), gt(posts.id, after)))
        .orderBy(asc(posts.id))
        .limit(PAGE);
      if (!rows.length) break;
      const ids = rows.map((r) => r.id);
      const [mentioned, media, targets] = await Promise.all([
        this.deps.db
          .select({ postId: postMentions.postId, id: users.id, uri: users.uri, remote: users.remote })
          .from(postMentions)
          .innerJoin(users, eq(users.id, postMentions.mentionedId))
          .where(and(eq(postMentions.userId, me), inArray(postMentions.postId, ids))),
        this.deps.db
          .select()
          .from(mediaAttachments)
          .where(
            and(
              eq(mediaAttachments.userId, me),
              inArray(mediaAttachments.statusId, ids),
              isNotNull(mediaAttachments.position),
            ),
          )
          .orderBy(asc(mediaAttachments.position)),
        this.uris(rows.flatMap((r) => [r.inReplyToId, r.reblogOfId]).filter((x): x is string => x !== null)),
      ]);
      const items: string[] = [];
      for (const p of rows) {
        const iri = this.urls.statusUri(me, p.id);
        const mentions = mentioned
          .filter((m) => m.postId === p.id)
          .map((m) => (m.remote ? (m.uri ?? '') : this.urls.actor(m.id)));
        const [to, cc] =
          p.visibility === 'public'
            ? [[publicAddr], [followersAddr, ...mentions]]
            : p.visibility === 'unlisted'
              ? [[followersAddr], [publicAddr, ...mentions]]
              : p.visibility === 'private'
                ? [[followersAddr], mentions]
                : [mentions, []];
        const published = p.createdAt.toISOString();
        if (p.reblogOfId) {
          items.push(
            JSON.stringify({
              id: `${iri}/activity`,
              type: 'Announce',
              actor,
              published,
              to,
              cc,
              object: targets.get(p.reblogOfId) ?? null,
            }),
          );
          continue;
        }
        items.push(
          JSON.stringify({
            id: `${iri}/activity`,
            type: 'Create',
            actor,
            published,
            to,
            cc,
            object: {
              id: iri,
              type: 'Note',
              summary: p.spoilerText || null,
              inReplyTo: p.inReplyToId ? (targets.get(p.inReplyToId) ?? null) : null,
              published,
              updated: p.editedAt?.toISOString() ?? null,
              url: this.urls.status(user.username, p.id),
              attributedTo: actor,
              to,
              cc,
              sensitive: p.sensitive,
              content: p.content,
              contentMap: p.language ? { [p.language]: p.content } : undefined,
              source: { content: p.text, mediaType: 'text/plain' },
              attachment: media
                .filter((m) => m.statusId === p.id)
                .map((m) => ({
                  type: 'Document',
                  mediaType: m.contentType,
                  url: mediaPath(m),
                  name: m.description,
                  blurhash: m.blurhash,
                  width: m.width,
                  height: m.height,
                })),
              tag: hashtags(p.text, 100).map((t) => ({
                type: 'Hashtag',
                href: this.urls.tag(t),
                name: `#${t}`,
              })),
            },
          }),
        );
      }
      yield `${first ? '' : ','}\n${items.join(',\n')}`;
      first = false;
      if (rows.length < PAGE) break;
      after = rows[rows.length - 1]!.id;
    }
    yield '\n]}\n';
  }

  /**
   * The chat side as Discord's data package lays it out: `account/user.json`, `messages/index.json` (channel id →
   * name) and per channel `messages/c<id>/channel.json` and `messages/c<id>/messages.csv` (ID, Timestamp, Contents,
   * Attachments), the account's own messages in the guild channels, threads and DMs it is in now.
   */
  private async writeChat(z: ZipWriter, user: typeof users.$inferSelect): Promise<void> {
    const me = user.id;
    const [cred] = await this.deps.db
      .select({ email: credentials.email, verified: credentials.emailVerified })
      .from(credentials)
      .where(eq(credentials.userId, me));
    await z.text(
      'account/user.json',
      JSON.stringify(
        {
          id: me,
          username: user.username,
          global_name: user.globalName,
          discriminator: '0',
          email: cred?.email ?? null,
          verified: cred?.verified ?? false,
          avatar_hash: user.avatar,
          bio: user.bio,
          pronouns: user.pronouns,
          locale: user.locale,
          flags: user.flags,
          created_at: user.createdAt.toISOString(),
        },
        null,
        2,
      ),
    );
    const index: Record<string, string | null> = {};
    let after = '0';
    for (;;) {
      // The channels it may have written in: those of its guilds (threads included) and its DMs.
      const page = await this.deps.db
        .select({ id: channels.id, type: channels.type, name: channels.name, guildId: channels.guildId })
        .from(channels)
        .where(
          and(
            gt(channels.id, after),
            or(
              inArray(
                channels.guildId,
                this.deps.db.select({ id: members.guildId }).from(members).where(eq(members.userId, me)),
              ),
              inArray(
                channels.id,
                this.deps.db
                  .select({ id: channelRecipients.channelId })
                  .from(channelRecipients)
                  .where(eq(channelRecipients.userId, me)),
              ),
            ),
          ),
        )
        .orderBy(asc(channels.id))
        .limit(CHANNEL_PAGE);
      for (const ch of page) {
        const [any] = await this.deps.db
          .select({ id: messages.id })
          .from(messages)
          .where(and(eq(messages.channelId, ch.id), eq(messages.authorId, me)))
          .limit(1);
        if (!any) continue;
        index[ch.id] = ch.name;
        await z.text(
          `messages/c${ch.id}/channel.json`,
          JSON.stringify({
            id: ch.id,
            type: ch.type,
            name: ch.name,
            guild: ch.guildId ? { id: ch.guildId } : null,
          }),
        );
        await z.lines(`messages/c${ch.id}/messages.csv`, this.messageLines(ch.id, me));
      }
      if (page.length < CHANNEL_PAGE) break;
      after = page[page.length - 1]!.id;
    }
    await z.text('messages/index.json', JSON.stringify(index, null, 2));
  }

  private async *messageLines(channelId: string, me: string): AsyncGenerator<string> {
    yield csvLine(['ID', 'Timestamp', 'Contents', 'Attachments']);
    let after = '0';
    for (;;) {
      const rows = await this.deps.db
        .select({ id: messages.id, content: messages.content, editedAt: messages.editedAt })
        .from(messages)
        .where(and(eq(messages.channelId, channelId), eq(messages.authorId, me), gt(messages.id, after)))
        .orderBy(asc(messages.id))
        .limit(PAGE);
      if (!rows.length) return;
      const files = await this.deps.db
        .select()
        .from(attachments)
        .where(
          and(
            eq(attachments.channelId, channelId),
            inArray(
              attachments.messageId,
              rows.map((r) => r.id),
            ),
          ),
        );
      yield rows
        .map((r) =>
          csvLine([
            r.id,
            snowflakeTime(r.id).toISOString(),
            r.content,
            files
              .filter((f) => f.messageId === r.id)
              .map((f) => toAttachmentWire(f, this.deps.attachmentUrls).url)
              .join(' '),
          ]),
        )
        .join('');
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1]!.id;
    }
  }
}

/** Where a status's media file is inside the archive (Mastodon's folder). */
function mediaPath(m: { id: string; storageKey: string }): string {
  return `media_attachments/files/${m.id}${extname(m.storageKey)}`;
}

/** When a snowflake was made (Discord's epoch, 2015). */
function snowflakeTime(id: string): Date {
  return new Date(Number((BigInt(id) >> 22n) + 1420070400000n));
}

/**
 * Writes zip entries into a stream, waiting whenever the stream's buffer is full, so however much the archive holds
 * only about a buffer of it is in memory at a time.
 */
class ZipWriter {
  constructor(
    private readonly zip: Zip,
    private readonly out: PassThrough,
  ) {}

  private async drain(): Promise<void> {
    if (this.out.destroyed) throw this.out.errored ?? new Error('archive stream closed');
    if (this.out.writableNeedDrain) await once(this.out, 'drain');
  }

  async text(name: string, text: string): Promise<void> {
    const entry = new ZipDeflate(name, { level: 6 });
    this.zip.add(entry);
    entry.push(Buffer.from(text), true);
    await this.drain();
  }

  /** A compressed entry of text produced piece by piece. */
  async lines(name: string, pieces: AsyncIterable<string>): Promise<void> {
    const entry = new ZipDeflate(name, { level: 6 });
    this.zip.add(entry);
    for await (const piece of pieces) {
      if (piece) entry.push(Buffer.from(piece));
      await this.drain();
    }
    entry.push(new Uint8Array(0), true);
    await this.drain();
  }

  /** A stored (uncompressed: media files are compressed already) entry copied from a stored file. */
  async stream(name: string, file: StoredFile): Promise<void> {
    const entry = new ZipPassThrough(name);
    this.zip.add(entry);
    for await (const chunk of file.body) {
      entry.push(chunk as Uint8Array);
      await this.drain();
    }
    entry.push(new Uint8Array(0), true);
    await this.drain();
  }
}
