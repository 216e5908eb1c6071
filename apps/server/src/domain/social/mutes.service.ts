import { and, eq } from 'drizzle-orm';
import { mutes } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { loadAccounts } from './accounts';
import { notAllowed } from './errors';
import type { FollowsService } from './follows.service';
import { SocialUrls, toAccount } from './mastodon.wire';
import { finishPage, type PageQuery, pageQuery } from './paging';
import { muteActive } from './visibility';

/**
 * Mutes: the muted account's statuses (and boosts of them) leave the muter's timelines and streams, and with
 * `notifications` its notifications too; it is not told, and still sees and follows as before.
 */
export class MutesService {
  private readonly urls: SocialUrls;
  constructor(
    private readonly deps: Deps,
    private readonly follows: FollowsService,
  ) {
    this.urls = new SocialUrls(deps.config.publicUrl, deps.attachmentUrls);
  }

  /** Mutes `targetId` (again: with the new options), for `duration` seconds (0: until unmuted). */
  async mute(principal: Principal, targetId: string, opts: { notifications?: boolean; duration?: number }) {
    const me = principal.userId;
    await this.follows.assertExists(targetId);
    if (targetId === me) throw notAllowed();
    const notifications = opts.notifications ?? true;
    const expiresAt = opts.duration ? new Date(Date.now() + opts.duration * 1000) : null;
    await this.deps.db
      .insert(mutes)
      .values({ userId: me, targetId, id: this.deps.ids.next(), notifications, expiresAt })
      .onConflictDoUpdate({ target: [mutes.userId, mutes.targetId], set: { notifications, expiresAt } });
    return this.follows.relationship(me, targetId);
  }

  async unmute(principal: Principal, targetId: string) {
    const me = principal.userId;
    await this.follows.assertExists(targetId);
    await this.deps.db.delete(mutes).where(and(eq(mutes.userId, me), eq(mutes.targetId, targetId)));
    return this.follows.relationship(me, targetId);
  }

  /** The accounts the caller mutes now, latest mute first, paged by the mute's id. */
  async list(principal: Principal, q: PageQuery) {
    const p = pageQuery(mutes.id, q);
    const rows = await this.deps.db
      .select({ id: mutes.id, targetId: mutes.targetId })
      .from(mutes)
      .where(and(eq(mutes.userId, principal.userId), muteActive(), p.where))
      .orderBy(p.orderBy)
      .limit(p.limit);
    const page = finishPage(rows, (r) => r.id, p.ascending);
    const accounts = await loadAccounts(
      this.deps.db,
      page.items.map((r) => r.targetId),
    );
    return {
      ...page,
      items: page.items.flatMap((r) => {
        const a = accounts.get(r.targetId);
        return a && !a.user.disabled ? [toAccount(a, this.urls)] : [];
      }),
    };
  }
}
