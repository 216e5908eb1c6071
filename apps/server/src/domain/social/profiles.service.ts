import { eq, sql } from 'drizzle-orm';
import { posts, users } from '../../store/schema';
import type { ClientMeta, Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { PendingEvents } from '../pending-events';
import type { UsersService } from '../users/users.service';
import { accountByUsername, loadAccounts } from './accounts';
import { recordNotFound } from './errors';
import { accountTopic, type FollowsService } from './follows.service';
import type { GroupAccountsService } from './group-accounts.service';
import { SocialUrls, toAccount, toCredentialAccount } from './mastodon.wire';
import { type AccountResolver, hasRemoteFollowers } from './remote.service';

export interface ProfileChanges {
  display_name?: string;
  note?: string;
  locked?: boolean;
  discoverable?: boolean;
  name_prefix?: string;
  name_suffix?: string;
  fields?: Array<{ name: string; value: string }>;
  /** Images as data URIs, stored the way the chat profile stores them. */
  avatar?: string;
  header?: string;
}

/** Social profiles: the `users` row seen as a Mastodon account (ADR 0028). */
export class ProfilesService {
  private readonly urls: SocialUrls;
  constructor(
    private readonly deps: Deps,
    private readonly users: UsersService,
    private readonly follows: FollowsService,
    private readonly groups: GroupAccountsService,
  ) {
    this.urls = new SocialUrls(deps.config.publicUrl, deps.attachmentUrls);
  }

  /** What the instance entity counts: people (not bots) and statuses. */
  async instanceStats(): Promise<{ users: number; statuses: number }> {
    const [row] = await this.deps.db
      .select({
        users: sql<number>`(select count(*)::int from ${users} where not ${users.bot} and not ${users.system} and not ${users.remote})`,
        statuses: sql<number>`(select count(*)::int from ${posts} where ${posts.uri} is null)`,
      })
      .from(sql`(select 1) as one`);
    return { users: Number(row?.users ?? 0), statuses: Number(row?.statuses ?? 0) };
  }

  /** Any active account, signed in or not. */
  async account(id: string) {
    const a = (await loadAccounts(this.deps.db, [id])).get(id);
    if (!a || a.user.disabled) throw recordNotFound();
    return toAccount(a, this.urls);
  }

  /** GET /api/v1/accounts/:id: a user's account, or a group's (ADR 0031) that the viewer may know of. */
  async accountFor(viewer: string | null, id: string) {
    const a = (await loadAccounts(this.deps.db, [id])).get(id);
    if (a && !a.user.disabled) return toAccount(a, this.urls);
    return this.groups.account(viewer, id);
  }

  /** GET /api/v1/accounts/lookup: a user, else a group by its handle (one namespace: never both). */
  async lookupFor(viewer: string | null, acct: string) {
    try {
      return await this.lookup(acct);
    } catch (err) {
      const name = acct.replace(/^@/, '');
      const at = name.indexOf('@');
      const local =
        at < 0 || name.slice(at + 1).toLowerCase() === new URL(this.deps.config.publicUrl).host.toLowerCase();
      const group = local ? await this.groups.lookup(viewer, at < 0 ? name : name.slice(0, at)) : null;
      if (!group) throw err;
      return group;
    }
  }

  /** Finds accounts of other instances (the federation area sets it; ADR 0040). */
  private resolver: AccountResolver | null = null;
  setResolver(resolver: AccountResolver): void {
    this.resolver = resolver;
  }

  /**
   * `acct` is `username`, `username@this-host`, or `username@other-host`: an account of another instance, looked up
   * there (WebFinger) and stored when it is not known yet.
   */
  async lookup(acct: string) {
    const name = acct.replace(/^@/, '');
    const at = name.indexOf('@');
    if (
      at >= 0 &&
      name.slice(at + 1).toLowerCase() !== new URL(this.deps.config.publicUrl).host.toLowerCase()
    ) {
      const id = await this.resolver?.resolve(name).catch((err) => {
        this.deps.log.info({ err, acct: name }, 'could not resolve a remote account');
        return null;
      });
      if (!id) throw recordNotFound();
      return this.account(id);
    }
    const a = await accountByUsername(this.deps.db, at >= 0 ? name.slice(0, at) : name);
    if (!a || a.user.disabled) throw recordNotFound();
    return toAccount(a, this.urls);
  }

  async verifyCredentials(principal: Principal) {
    const a = (await loadAccounts(this.deps.db, [principal.userId])).get(principal.userId);
    if (!a) throw recordNotFound();
    return toCredentialAccount(a, this.urls, await this.follows.pendingCount(principal.userId));
  }

  /**
   * Changes the caller's profile. Display name, bio and images are the chat profile's too (changed through the
   * users service, which tells the chat side); unlocking accepts every pending follow request, as Mastodon does.
   */
  async update(principal: Principal, changes: ProfileChanges, meta: ClientMeta) {
    const shared: Parameters<UsersService['modifyMe']>[1] = {};
    if (changes.display_name !== undefined) shared.global_name = changes.display_name.trim() || null;
    if (changes.note !== undefined) shared.bio = changes.note;
    if (changes.avatar !== undefined) shared.avatar = changes.avatar;
    if (changes.header !== undefined) shared.banner = changes.header;
    if (Object.keys(shared).length) await this.users.modifyMe(principal, shared, meta);

    const own: Partial<typeof users.$inferInsert> = {};
    if (changes.locked !== undefined) own.locked = changes.locked;
    if (changes.discoverable !== undefined) own.discoverable = changes.discoverable;
    if (changes.name_prefix !== undefined) own.namePrefix = changes.name_prefix.trim() || null;
    if (changes.name_suffix !== undefined) own.nameSuffix = changes.name_suffix.trim() || null;
    if (changes.fields !== undefined)
      own.profileFields = changes.fields
        .map((f) => ({ name: f.name.trim(), value: f.value.trim() }))
        .filter((f) => f.name || f.value);
    const pending = new PendingEvents();
    if (Object.keys(own).length) {
      await this.deps.db.transaction(async (tx) => {
        const [before] = await tx
          .select({ locked: users.locked })
          .from(users)
          .where(eq(users.id, principal.userId))
          .for('update');
        await tx
          .update(users)
          .set({ ...own, updatedAt: new Date() })
          .where(eq(users.id, principal.userId));
        if (before?.locked && own.locked === false) {
          for (const followerId of await this.follows.acceptAllPending(tx, principal.userId)) {
            const d = { account_id: followerId, target_id: principal.userId, accepted: true };
            pending.add('SOCIAL_FOLLOW', accountTopic(principal.userId), d);
            pending.add('SOCIAL_FOLLOW', accountTopic(followerId), d);
          }
        }
      });
    }
    // Remote followers' instances hear of it as an Update of the Person (ADR 0040).
    if (await hasRemoteFollowers(this.deps.db, principal.userId))
      await this.deps.jobs.enqueue('federation.deliver', { type: 'update-person', userId: principal.userId });
    const account = await this.verifyCredentials(principal);
    // What anyone may see of it: `source` (follow requests waiting, defaults) stays with its owner.
    const { source: _source, role: _role, ...visible } = account;
    pending.add('SOCIAL_ACCOUNT_UPDATE', accountTopic(principal.userId), visible);
    pending.publish(this.deps.events);
    return account;
  }
}
