import { and, desc, eq, inArray } from 'drizzle-orm';
import { accountReports, posts } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { loadAccounts } from './accounts';
import { assertInstanceAdmin } from './admins';
import { recordNotFound, unprocessable } from './errors';
import { SocialUrls, toAccount } from './mastodon.wire';

// Reports of accounts (Mastodon's `/api/v1/reports`, ADR 0050): a local account reports another, naming some of its
// statuses; with `forward` a copy goes to a remote account's instance as a Flag from this instance's actor. A Flag
// received from another instance is a report too. Instance admins (INSTANCE_ADMINS) read them.

/** Most statuses one report names, longest comment, most reports an admin page answers. */
export const REPORT_STATUSES_MAX = 20;
export const REPORT_COMMENT_CHARS = 1000;
const ADMIN_PAGE_MAX = 100;
const CATEGORIES = ['spam', 'legal', 'violation', 'other'] as const;

type ReportRow = typeof accountReports.$inferSelect;

export interface ReportInput {
  account_id: string;
  status_ids?: string[];
  comment?: string;
  forward?: boolean;
  category?: string;
}

export class AccountReportsService {
  private readonly urls: SocialUrls;
  constructor(private readonly deps: Deps) {
    this.urls = new SocialUrls(deps.config.publicUrl, deps.attachmentUrls);
  }

  /** POST /api/v1/reports: answers Mastodon's Report. Statuses must be the target's own. */
  async create(principal: Principal, input: ReportInput) {
    const me = principal.userId;
    const target = (await loadAccounts(this.deps.db, [input.account_id])).get(input.account_id);
    if (!target || target.user.disabled) throw recordNotFound();
    if (target.user.id === me) throw unprocessable('You cannot report yourself');
    const category = input.category ?? 'other';
    if (!(CATEGORIES as readonly string[]).includes(category)) throw unprocessable('Unknown category');
    const statusIds = await this.statusesOf(target.user.id, input.status_ids ?? []);
    const forward = input.forward === true && target.user.remote;
    const row = await this.deps.db.transaction(async (tx) => {
      const [r] = await tx
        .insert(accountReports)
        .values({
          id: this.deps.ids.next(),
          reporterId: me,
          targetId: target.user.id,
          statusIds,
          comment: input.comment ?? '',
          category,
          forwarded: forward,
        })
        .returning();
      if (forward)
        await this.deps.jobs.enqueue('federation.deliver', { type: 'flag', reportId: r.id }, {}, tx);
      return r;
    });
    return {
      id: row.id,
      action_taken: false,
      action_taken_at: null,
      category: row.category,
      comment: row.comment,
      forwarded: row.forwarded,
      created_at: row.createdAt.toISOString(),
      status_ids: row.statusIds,
      rule_ids: [],
      target_account: toAccount(target, this.urls),
    };
  }

  /** A Flag from another instance (`reporterId` its sender's account): stored once per Flag IRI. */
  async createRemote(
    reporterId: string,
    input: { targetId: string; statusIds: string[]; comment: string; uri: string },
  ): Promise<void> {
    await this.deps.db
      .insert(accountReports)
      .values({
        id: this.deps.ids.next(),
        reporterId,
        targetId: input.targetId,
        statusIds: await this.statusesOf(input.targetId, input.statusIds),
        comment: input.comment.slice(0, REPORT_COMMENT_CHARS),
        uri: input.uri,
      })
      .onConflictDoNothing();
  }

  /** What a forwarded report's Flag carries: its target and the statuses' IRIs (null when it is not forwarded). */
  async forwarded(reportId: string) {
    const [row] = await this.deps.db
      .select()
      .from(accountReports)
      .where(and(eq(accountReports.id, reportId), eq(accountReports.forwarded, true)));
    if (!row) return null;
    const statuses = row.statusIds.length
      ? await this.deps.db
          .select({ uri: posts.uri })
          .from(posts)
          .where(and(eq(posts.userId, row.targetId), inArray(posts.id, row.statusIds)))
      : [];
    return {
      targetId: row.targetId,
      comment: row.comment,
      statusUris: statuses.map((s) => s.uri).filter((u) => u !== null),
    };
  }

  /** GET /api/v1/admin/reports: newest first, for instance admins only (403 for anyone else). */
  async list(principal: Principal) {
    await assertInstanceAdmin(this.deps, principal);
    const rows = await this.deps.db
      .select()
      .from(accountReports)
      .orderBy(desc(accountReports.id))
      .limit(ADMIN_PAGE_MAX);
    const accounts = await loadAccounts(
      this.deps.db,
      rows.flatMap((r) => [r.reporterId, r.targetId]),
    );
    const statusRows = await this.deps.db
      .select({ id: posts.id, content: posts.content, uri: posts.uri })
      .from(posts)
      .where(inArray(posts.id, [...new Set(rows.flatMap((r) => r.statusIds)), '0']));
    const statuses = new Map(statusRows.map((s) => [s.id, s]));
    return rows.map((r) => this.adminReport(r, accounts, statuses));
  }

  private adminReport(
    r: ReportRow,
    accounts: Awaited<ReturnType<typeof loadAccounts>>,
    statuses: Map<string, { id: string; content: string; uri: string | null }>,
  ) {
    const account = (id: string) => {
      const a = accounts.get(id);
      return a ? toAccount(a, this.urls) : null;
    };
    return {
      id: r.id,
      action_taken: false,
      action_taken_at: null,
      category: r.category,
      comment: r.comment,
      forwarded: r.forwarded,
      created_at: r.createdAt.toISOString(),
      updated_at: r.createdAt.toISOString(),
      account: account(r.reporterId),
      target_account: account(r.targetId),
      assigned_account: null,
      action_taken_by_account: null,
      statuses: r.statusIds.flatMap((id) => {
        const s = statuses.get(id);
        return s
          ? [{ id: s.id, uri: s.uri ?? this.urls.statusUri(r.targetId, s.id), content: s.content }]
          : [];
      }),
      rules: [],
      // Hearth's own: the Flag's IRI when another instance sent it.
      uri: r.uri,
    };
  }

  /** Those of `ids` that are statuses of `targetId` (others are left out), at most REPORT_STATUSES_MAX. */
  private async statusesOf(targetId: string, ids: string[]): Promise<string[]> {
    const wanted = [...new Set(ids)].filter((id) => /^\d{1,20}$/.test(id)).slice(0, REPORT_STATUSES_MAX);
    if (!wanted.length) return [];
    const rows = await this.deps.db
      .select({ id: posts.id })
      .from(posts)
      .where(and(eq(posts.userId, targetId), inArray(posts.id, wanted)));
    const found = new Set(rows.map((r) => r.id));
    return wanted.filter((id) => found.has(id));
  }
}
