import { and, asc, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import {
  accountImportRows,
  accountImports,
  bookmarks,
  follows,
  listAccounts,
  lists,
  mutes,
  posts,
  relationships,
  userDomainBlocks,
  users,
} from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { ApiError } from '../errors';
import { type RelationshipsService, RelationshipType } from '../relationships/relationships.service';
import type { DomainBlocksService } from '../social/domain-blocks.service';
import { recordNotFound, unprocessable } from '../social/errors';
import type { FollowsService } from '../social/follows.service';
import type { ListsService } from '../social/lists.service';
import type { BookmarksService } from '../social/marks.service';
import { SocialUrls } from '../social/mastodon.wire';
import type { MutesService } from '../social/mutes.service';
import type { ProfilesService } from '../social/profiles.service';

/** What Mastodon's importer takes (`/settings/imports`), by its names. */
export const IMPORT_TYPES = ['following', 'blocks', 'mutes', 'domain_blocks', 'bookmarks', 'lists'] as const;
export type ImportType = (typeof IMPORT_TYPES)[number];
export const IMPORT_MODES = ['merge', 'overwrite'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];

/** The largest file taken (Mastodon takes 20 MB; a 20,000-row CSV of addresses is well under 2 MiB). */
export const IMPORT_MAX_BYTES = 2 * 1024 * 1024;
/** Rows per file, as Mastodon's ROWS_PROCESSING_LIMIT. */
export const IMPORT_MAX_ROWS = 20_000;
/** Fields per row and characters per field: any real export is far inside these. */
const MAX_FIELDS = 8;
const MAX_FIELD_CHARS = 2048;
/** Rows worked through per job run (each may look an account up on another instance). */
const BATCH = 50;
/** Failed rows kept with their reasons per import; the count goes on past it. */
const FAILURES_KEPT = 100;
/** Imports listed (newest first); an import older than the newest ones stays readable by id. */
const LISTED = 20;

type ImportRow = typeof accountImports.$inferSelect;

/** Mastodon's header cell of the files that have one (following, mutes): its presence marks the header row. */
const HEADER_FIRST_CELL = 'account address';

/**
 * CSV text to rows of fields (RFC 4180: quoted fields, doubled quotes, CRLF or LF), blank lines skipped; null when it
 * is malformed (an unclosed quote) or past the bounds.
 */
export function parseCsv(text: string): string[][] | null {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endField = () => {
    row.push(field);
    field = '';
    return row.length <= MAX_FIELDS;
  };
  const endRow = () => {
    if (!(row.length === 1 && row[0] === '')) rows.push(row);
    row = [];
    return rows.length <= IMPORT_MAX_ROWS + 1;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += c;
      i++;
    } else if (c === '"' && field === '') {
      quoted = true;
      i++;
    } else if (c === ',') {
      if (!endField()) return null;
      i++;
    } else if (c === '\n' || c === '\r') {
      if (!endField() || !endRow()) return null;
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      field += c;
      i++;
    }
    if (field.length > MAX_FIELD_CHARS) return null;
  }
  if (quoted) return null;
  if (field !== '' || row.length > 0) {
    if (!endField() || !endRow()) return null;
  }
  return rows;
}

/** A cell Hearth's export put behind an apostrophe (a spreadsheet formula guard, ADR 0051): the apostrophe goes. */
export function unguardCell(s: string): string {
  return /^'[=+\-@\t\r]/.test(s) ? s.slice(1) : s;
}

/**
 * Mastodon's CSV imports (its `/settings/imports`; ADR 0051 addendum): a file of one of its kinds (following, blocks,
 * mutes, domain blocks, bookmarks, lists), merged into what the account has or overwriting it. The file is read and
 * checked in the request (bounded in bytes, rows and fields), its rows stored, and the `accounts.import` job works
 * through them a batch at a time through the same domain services the API uses (so every rule holds: blocks, locked
 * accounts, list bounds), looking remote accounts up through federation. A row that fails is counted with its reason.
 */
export class AccountImportsService {
  private readonly host: string;
  private readonly urls: SocialUrls;

  constructor(
    private readonly deps: Deps,
    private readonly social: {
      profiles: ProfilesService;
      follows: FollowsService;
      relationships: RelationshipsService;
      mutes: MutesService;
      domainBlocks: DomainBlocksService;
      bookmarks: BookmarksService;
      lists: ListsService;
    },
  ) {
    this.host = new URL(deps.config.publicUrl).host.toLowerCase();
    this.urls = new SocialUrls(deps.config.publicUrl, deps.attachmentUrls);
  }

  /**
   * Starts an import of `data` (the file's bytes): 422 for a file that is not CSV text of that kind or holds no rows,
   * or while another import of the caller is still being worked through. Answers the import, pending.
   */
  async start(principal: Principal, type: ImportType, mode: ImportMode, data: Buffer) {
    const me = principal.userId;
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(data);
    } catch {
      throw unprocessable('Data is not UTF-8 text');
    }
    if (text.includes('\0')) throw unprocessable('Data is not CSV text');
    const parsed = parseCsv(text.replace(/^\uFEFF/, ''));
    if (!parsed) throw unprocessable(`Data is not CSV, or has more than ${IMPORT_MAX_ROWS} rows`);
    const rows = this.dataRows(type, parsed);
    if (rows.length === 0) throw unprocessable('Data has no rows');
    if (rows.length > IMPORT_MAX_ROWS) throw unprocessable(`Data has more than ${IMPORT_MAX_ROWS} rows`);
    const id = this.deps.ids.next();
    const row = await this.deps.db.transaction(async (tx) => {
      // One import at a time per account, decided under a lock on the account's imports.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`imports:${me}`}))`);
      const [busy] = await tx
        .select({ id: accountImports.id })
        .from(accountImports)
        .where(and(eq(accountImports.userId, me), eq(accountImports.state, 'pending')))
        .limit(1);
      if (busy) throw unprocessable('Another import is still being processed');
      const [created] = await tx
        .insert(accountImports)
        .values({ userId: me, id, type, mode, total: rows.length })
        .returning();
      for (let i = 0; i < rows.length; i += 1000)
        await tx
          .insert(accountImportRows)
          .values(
            rows
              .slice(i, i + 1000)
              .map((fields, k) => ({ userId: me, importId: id, row: i + k + 1, fields })),
          );
      await this.deps.jobs.enqueue('accounts.import', { userId: me, importId: id }, { key: id }, tx);
      return created!;
    });
    return toImport(row);
  }

  /** The caller's newest imports, newest first. */
  async list(principal: Principal) {
    const rows = await this.deps.db
      .select()
      .from(accountImports)
      .where(eq(accountImports.userId, principal.userId))
      .orderBy(desc(accountImports.id))
      .limit(LISTED);
    return rows.map(toImport);
  }

  /** One of the caller's imports; anyone else's is the same 404 as none. */
  async get(principal: Principal, id: string) {
    const [row] = await this.deps.db
      .select()
      .from(accountImports)
      .where(and(eq(accountImports.userId, principal.userId), eq(accountImports.id, id)));
    if (!row) throw recordNotFound();
    return toImport(row);
  }

  /**
   * Works through the next batch of an import's rows (the `accounts.import` job); true while rows remain. An overwrite
   * first undoes what the account has that the file does not name. A run cut short is repeated whole: every step is
   * one a second time leaves as it is.
   */
  async runBatch(userId: string, importId: string): Promise<boolean> {
    const db = this.deps.db;
    const [imp] = await db
      .select()
      .from(accountImports)
      .where(and(eq(accountImports.userId, userId), eq(accountImports.id, importId)));
    if (imp?.state !== 'pending') return false;
    const [owner] = await db.select({ id: users.id }).from(users).where(eq(users.id, userId));
    if (!owner) return false;
    const principal: Principal = {
      userId,
      sessionId: null,
      bot: false,
      applicationId: null,
      applicationFlags: 0,
    };
    if (imp.mode === 'overwrite' && imp.processed === 0) await this.overwrite(principal, imp);
    const batch = await db
      .select()
      .from(accountImportRows)
      .where(and(eq(accountImportRows.userId, userId), eq(accountImportRows.importId, importId)))
      .orderBy(asc(accountImportRows.row))
      .limit(BATCH);
    const failures: Array<{ row: number; value: string; error: string }> = [];
    for (const r of batch) {
      try {
        await this.importRow(principal, imp.type, r.fields);
      } catch (err) {
        failures.push({ row: r.row, value: r.fields.join(','), error: reasonOf(err) });
      }
    }
    const last = batch.at(-1)?.row ?? 0;
    const done = batch.length < BATCH;
    return db.transaction(async (tx) => {
      await tx
        .delete(accountImportRows)
        .where(
          and(
            eq(accountImportRows.userId, userId),
            eq(accountImportRows.importId, importId),
            lt(accountImportRows.row, last + 1),
          ),
        );
      const [left] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(accountImportRows)
        .where(and(eq(accountImportRows.userId, userId), eq(accountImportRows.importId, importId)));
      const finished = done || Number(left?.n ?? 0) === 0;
      await tx
        .update(accountImports)
        .set({
          processed: sql`${accountImports.processed} + ${batch.length}`,
          imported: sql`${accountImports.imported} + ${batch.length - failures.length}`,
          failed: sql`${accountImports.failed} + ${failures.length}`,
          failures: sql`(${accountImports.failures} || ${JSON.stringify(failures)}::jsonb)`,
          ...(finished ? { state: 'finished' as const, finishedAt: new Date() } : {}),
        })
        .where(and(eq(accountImports.userId, userId), eq(accountImports.id, importId)));
      // Only the first failures are kept with their reasons.
      await tx.execute(
        sql`update ${accountImports} set failures = (select coalesce(jsonb_agg(f), '[]'::jsonb) from (select f from jsonb_array_elements(${accountImports.failures}) f limit ${FAILURES_KEPT}) s) where ${accountImports.userId} = ${userId} and ${accountImports.id} = ${importId} and jsonb_array_length(${accountImports.failures}) > ${FAILURES_KEPT}`,
      );
      return !finished;
    });
  }

  /** The data rows of a file of `type`: the header row (of the kinds that have one) left out, cells trimmed. */
  private dataRows(type: ImportType, parsed: string[][]): string[][] {
    const rows = parsed.map((r) => r.map((c) => c.trim()));
    if (
      rows[0]?.[0]?.toLowerCase() === HEADER_FIRST_CELL &&
      (type === 'following' || type === 'mutes' || type === 'blocks')
    )
      rows.shift();
    return rows;
  }

  /** One row: done through the domain's own rules, or thrown with why not. */
  private async importRow(principal: Principal, type: ImportType, fields: string[]): Promise<void> {
    const s = this.social;
    switch (type) {
      case 'following':
        await s.follows.follow(principal, await this.account(fields[0]));
        return;
      case 'blocks':
        await s.relationships.put(principal, await this.account(fields[0]), RelationshipType.Blocked);
        return;
      case 'mutes':
        await s.mutes.mute(principal, await this.account(fields[0]), {
          notifications: (fields[1] ?? 'true').toLowerCase() !== 'false',
        });
        return;
      case 'domain_blocks':
        await s.domainBlocks.block(principal, fields[0] ?? '');
        return;
      case 'bookmarks': {
        const url = fields[0] ?? '';
        if (!/^https?:\/\//i.test(url)) throw new ImportRowError('not a status URL');
        const id = await this.statusId(url);
        if (!id) throw new ImportRowError('status not found');
        // Whether the caller may see it is the bookmark's own rule (404 otherwise).
        await s.bookmarks.set(principal, id, true);
        return;
      }
      case 'lists': {
        const title = unguardCell(fields[0] ?? '');
        if (!title) throw new ImportRowError('no list title');
        const target = await this.account(fields[1]);
        const listId = await this.listNamed(principal, title);
        // As Mastodon's importer: a list's member is followed first (a list holds followed accounts only).
        if (target !== principal.userId) await s.follows.follow(principal, target);
        const [on] = await this.deps.db
          .select({ id: listAccounts.id })
          .from(listAccounts)
          .where(
            and(
              eq(listAccounts.userId, principal.userId),
              eq(listAccounts.listId, listId),
              eq(listAccounts.accountId, target),
            ),
          );
        if (!on) await s.lists.addAccounts(principal, listId, [target]);
        return;
      }
    }
  }

  /** The id of the account an address names (`name`, `name@this-host`, `name@other-host` looked up there). */
  private async account(address: string | undefined): Promise<string> {
    const acct = (address ?? '').replace(/^@/, '');
    if (!/^[^@\s]+(@[^@\s]+)?$/.test(acct)) throw new ImportRowError('not an account address');
    try {
      return (await this.social.profiles.lookup(acct)).id;
    } catch {
      throw new ImportRowError('account not found');
    }
  }

  /**
   * The status a bookmark export names: this instance's own (its ActivityPub IRI `/users/{account}/statuses/{id}` or
   * its page `/@name/{id}`), or a remote one already known here by its IRI. A remote status not known here is not
   * fetched (Hearth has no lookup of a status by URL yet).
   */
  private async statusId(url: string): Promise<string | null> {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return null;
    }
    if (u.origin === new URL(this.deps.config.publicUrl).origin) {
      const m = u.pathname.match(/^\/(?:users\/[0-9]{1,20}\/statuses|@[A-Za-z0-9_.]+)\/([0-9]{1,20})\/?$/);
      return m?.[1] ?? null;
    }
    const [row] = await this.deps.db.select({ id: posts.id }).from(posts).where(eq(posts.uri, url)).limit(1);
    return row?.id ?? null;
  }

  /** The caller's list of that title, made if there is none. */
  private async listNamed(principal: Principal, title: string): Promise<string> {
    const [found] = await this.deps.db
      .select({ id: lists.id })
      .from(lists)
      .where(and(eq(lists.userId, principal.userId), eq(lists.title, title)))
      .orderBy(asc(lists.id))
      .limit(1);
    if (found) return found.id;
    return (await this.social.lists.create(principal, { title })).id;
  }

  /**
   * An overwrite's first step: what the account has of the import's kind that the file does not name is undone
   * (unfollowed, unblocked, unmuted, unbookmarked; lists not named deleted, members not named taken off), compared by
   * address, domain, status URI or list title, so nothing needs looking up.
   */
  private async overwrite(principal: Principal, imp: ImportRow): Promise<void> {
    const me = principal.userId;
    const db = this.deps.db;
    const fileRows = (
      await db
        .select({ fields: accountImportRows.fields })
        .from(accountImportRows)
        .where(and(eq(accountImportRows.userId, me), eq(accountImportRows.importId, imp.id)))
    ).map((r) => r.fields);
    const addr = (s: string | undefined) => {
      const a = (s ?? '').replace(/^@/, '').toLowerCase();
      return a.includes('@') ? a : `${a}@${this.host}`;
    };
    const acctOf = (u: { username: string; remote: boolean }) =>
      (u.remote ? u.username : `${u.username}@${this.host}`).toLowerCase();
    const named = new Set(fileRows.map((f) => addr(f[0])));
    const s = this.social;
    switch (imp.type) {
      case 'following': {
        const rows = await db
          .select({ id: users.id, username: users.username, remote: users.remote })
          .from(follows)
          .innerJoin(users, eq(users.id, follows.targetId))
          .where(eq(follows.userId, me));
        for (const u of rows) if (!named.has(acctOf(u))) await quietly(s.follows.unfollow(principal, u.id));
        return;
      }
      case 'blocks': {
        const rows = await db
          .select({ id: users.id, username: users.username, remote: users.remote })
          .from(relationships)
          .innerJoin(users, eq(users.id, relationships.otherId))
          .where(and(eq(relationships.userId, me), eq(relationships.type, RelationshipType.Blocked)));
        for (const u of rows)
          if (!named.has(acctOf(u))) await quietly(s.relationships.remove(principal, u.id));
        return;
      }
      case 'mutes': {
        const rows = await db
          .select({ id: users.id, username: users.username, remote: users.remote })
          .from(mutes)
          .innerJoin(users, eq(users.id, mutes.targetId))
          .where(eq(mutes.userId, me));
        for (const u of rows) if (!named.has(acctOf(u))) await quietly(s.mutes.unmute(principal, u.id));
        return;
      }
      case 'domain_blocks': {
        const domains = new Set(fileRows.map((f) => (f[0] ?? '').toLowerCase()));
        const rows = await db
          .select({ domain: userDomainBlocks.domain })
          .from(userDomainBlocks)
          .where(eq(userDomainBlocks.userId, me));
        for (const r of rows)
          if (!domains.has(r.domain)) await quietly(s.domainBlocks.unblock(principal, r.domain));
        return;
      }
      case 'bookmarks': {
        const uris = new Set(fileRows.map((f) => f[0] ?? ''));
        const rows = await db
          .select({ postId: posts.id, userId: posts.userId, uri: posts.uri })
          .from(bookmarks)
          .innerJoin(posts, eq(posts.id, bookmarks.postId))
          .where(eq(bookmarks.userId, me));
        const gone = rows
          .filter((r) => !uris.has(r.uri ?? this.urls.statusUri(r.userId, r.postId)))
          .map((r) => r.postId);
        for (let i = 0; i < gone.length; i += 500)
          await db
            .delete(bookmarks)
            .where(and(eq(bookmarks.userId, me), inArray(bookmarks.postId, gone.slice(i, i + 500))));
        return;
      }
      case 'lists': {
        const wanted = new Map<string, Set<string>>();
        for (const f of fileRows) {
          const title = unguardCell(f[0] ?? '');
          if (!wanted.has(title)) wanted.set(title, new Set());
          wanted.get(title)!.add(addr(f[1]));
        }
        const own = await db
          .select({ id: lists.id, title: lists.title })
          .from(lists)
          .where(eq(lists.userId, me));
        for (const list of own) {
          const members = wanted.get(list.title);
          if (!members) {
            await quietly(s.lists.remove(principal, list.id));
            continue;
          }
          const rows = await db
            .select({ id: users.id, username: users.username, remote: users.remote })
            .from(listAccounts)
            .innerJoin(users, eq(users.id, listAccounts.accountId))
            .where(and(eq(listAccounts.userId, me), eq(listAccounts.listId, list.id)));
          const off = rows.filter((u) => !members.has(acctOf(u))).map((u) => u.id);
          if (off.length) await quietly(s.lists.removeAccounts(principal, list.id, off));
        }
        return;
      }
    }
  }
}

/**
 * One undoing step of an overwrite: one the domain refuses (an account gone meanwhile) is left, so the rest goes on
 * and the import is not stuck retrying it.
 */
async function quietly(step: Promise<unknown>): Promise<void> {
  try {
    await step;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
  }
}

/** Why one row was not imported, in words for its owner. */
class ImportRowError extends Error {}

function reasonOf(err: unknown): string {
  if (err instanceof ImportRowError) return err.message;
  if (err instanceof ApiError) return err.message.replace(/^Validation failed: /, '').slice(0, 200);
  return 'could not be imported';
}

/** An import as the API shows it. */
function toImport(r: ImportRow) {
  return {
    id: r.id,
    type: r.type,
    mode: r.mode,
    state: r.state,
    total_rows: r.total,
    processed_rows: r.processed,
    imported_rows: r.imported,
    failed_rows: r.failed,
    failures: r.failures,
    created_at: r.createdAt.toISOString(),
    finished_at: r.finishedAt?.toISOString() ?? null,
  };
}
