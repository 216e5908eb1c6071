import { and, eq } from 'drizzle-orm';
import { followers, users } from '../../store/schema';
import type { AuthService, Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { PendingEvents } from '../pending-events';
import { unprocessable } from './errors';
import type { FollowsService } from './follows.service';
import { SocialUrls } from './mastodon.wire';
import type { NotificationsService } from './notifications.service';
import type { ProfilesService } from './profiles.service';
import { type AccountResolver, ALIASES_MAX, hasRemoteFollowers, remotePrincipal } from './remote.service';

// Moving an account (ADR 0050, Mastodon's account migration): the new account first names the old one among its
// aliases (ActivityPub `alsoKnownAs`), then the old one moves — its `moved_to_id` (the seed's `redirect_url`,
// ActivityPub `movedTo`, Mastodon's `moved`) is set, a Move goes to its remote followers, and its local followers
// follow the new account instead. A Move received from another instance takes the last step for the local followers
// of a remote account, after the same alias check.

/** Most local followers one move carries over (each a follow and an unfollow). */
const MOVE_FOLLOWERS_MAX = 10_000;

/** What moving needs of federation: finding an account of another instance, and fetching it again afresh. */
export interface MoveResolver extends AccountResolver {
  /** Fetches a remote account's actor again (not from a cache) and stores it; whether that worked. */
  refresh(accountId: string): Promise<boolean>;
}

export class MovesService {
  private readonly urls: SocialUrls;
  private resolver: MoveResolver | null = null;
  constructor(
    private readonly deps: Deps,
    private readonly auth: AuthService,
    private readonly profiles: ProfilesService,
    private readonly follows: FollowsService,
    private readonly notifications: NotificationsService,
  ) {
    this.urls = new SocialUrls(deps.config.publicUrl, deps.attachmentUrls);
  }

  setResolver(resolver: MoveResolver): void {
    this.resolver = resolver;
  }

  /** The caller's aliases: the actor IRIs of the accounts it says it also is. */
  async aliases(principal: Principal): Promise<{ aliases: string[] }> {
    const [row] = await this.deps.db
      .select({ alsoKnownAs: users.alsoKnownAs })
      .from(users)
      .where(eq(users.id, principal.userId));
    return { aliases: row?.alsoKnownAs ?? [] };
  }

  /** Adds the account `acct` (local, or looked up on its instance) to the caller's aliases. */
  async addAlias(principal: Principal, acct: string): Promise<{ aliases: string[] }> {
    const other = await this.profiles.lookup(acct);
    if (other.id === principal.userId) throw unprocessable('An account cannot be its own alias');
    const { aliases } = await this.aliases(principal);
    if (aliases.includes(other.uri)) return { aliases };
    if (aliases.length >= ALIASES_MAX) throw unprocessable(`At most ${ALIASES_MAX} aliases`);
    return this.saveAliases(principal.userId, [...aliases, other.uri]);
  }

  /** Takes `acct` (or an actor IRI) off the caller's aliases; one that is not there changes nothing. */
  async removeAlias(principal: Principal, acct: string): Promise<{ aliases: string[] }> {
    const { aliases } = await this.aliases(principal);
    const uri = aliases.includes(acct)
      ? acct
      : await this.profiles.lookup(acct).then(
          (a) => a.uri,
          () => null,
        );
    return uri && aliases.includes(uri)
      ? this.saveAliases(
          principal.userId,
          aliases.filter((a) => a !== uri),
        )
      : { aliases };
  }

  private async saveAliases(userId: string, aliases: string[]): Promise<{ aliases: string[] }> {
    await this.deps.db
      .update(users)
      .set({ alsoKnownAs: aliases, updatedAt: new Date() })
      .where(eq(users.id, userId));
    await this.enqueuePersonUpdate(userId);
    return { aliases };
  }

  /** Remote followers hear of a changed actor (aliases, movedTo) through Update(Person). */
  private async enqueuePersonUpdate(userId: string): Promise<void> {
    if (await hasRemoteFollowers(this.deps.db, userId))
      await this.deps.jobs.enqueue('federation.deliver', { type: 'update-person', userId }, {});
  }

  /**
   * Moves the caller to `acct` (password confirmed): the target must list the caller among its aliases — a remote
   * one is fetched again to check. Answers the caller's account, `moved` set.
   */
  async move(principal: Principal, input: { acct: string; password: string }, ip: string | null) {
    const me = principal.userId;
    await this.auth.confirmPassword(me, input.password, ip);
    const target = await this.profiles.lookup(input.acct);
    if (target.id === me) throw unprocessable('An account cannot move to itself');
    if (target.acct.includes('@') && !(await this.resolver?.refresh(target.id)))
      throw unprocessable('The target account could not be fetched');
    const [row] = await this.deps.db
      .select({ alsoKnownAs: users.alsoKnownAs, movedToId: users.movedToId })
      .from(users)
      .where(eq(users.id, target.id));
    if (row?.movedToId) throw unprocessable('The target account has moved itself');
    if (!row?.alsoKnownAs.includes(this.urls.actor(me)))
      throw unprocessable('The target account does not name this account among its aliases (alsoKnownAs)');
    await this.deps.db.transaction(async (tx) => {
      await tx.update(users).set({ movedToId: target.id, updatedAt: new Date() }).where(eq(users.id, me));
      if (await hasRemoteFollowers(tx, me))
        await this.deps.jobs.enqueue(
          'federation.deliver',
          { type: 'move', userId: me, targetId: target.id },
          {},
          tx,
        );
    });
    await this.followersMoved(me, target.id);
    return this.profiles.account(me);
  }

  /**
   * A remote account moved to `targetId` (its Move passed the alias check in the federation area): it is marked
   * moved, and its local followers follow the target instead.
   */
  async movedRemote(originId: string, targetId: string): Promise<void> {
    await this.deps.db
      .update(users)
      .set({ movedToId: targetId, updatedAt: new Date() })
      .where(and(eq(users.id, originId), eq(users.remote, true)));
    await this.followersMoved(originId, targetId);
  }

  /**
   * The local followers of `originId` follow `targetId` (a request when it is locked) and stop following the
   * origin, each notified (`move`). A follower the target cannot be followed by (a block either way) keeps its follow
   * of the origin: nothing is lost that could not be replaced.
   */
  private async followersMoved(originId: string, targetId: string): Promise<void> {
    const rows = await this.deps.db
      .select({ id: followers.followerId })
      .from(followers)
      .innerJoin(users, eq(users.id, followers.followerId))
      .where(and(eq(followers.userId, originId), eq(followers.accepted, true), eq(users.remote, false)))
      .orderBy(followers.id)
      .limit(MOVE_FOLLOWERS_MAX);
    const moved: string[] = [];
    for (const { id } of rows) {
      // The follower acts through the follows service as it would itself (no session: nothing is asked of it).
      const who = remotePrincipal(id);
      if (id !== targetId) {
        const followed = await this.follows.follow(who, targetId).then(
          () => true,
          (err) => {
            this.deps.log.info({ err, follower: id, targetId }, 'a moved follow was refused');
            return false;
          },
        );
        if (!followed) continue;
      }
      await this.follows.unfollow(who, originId).catch(() => {});
      moved.push(id);
    }
    if (!moved.length) return;
    const pending = new PendingEvents();
    await this.deps.db.transaction((tx) =>
      this.notifications.add(tx, pending, { type: 'move', fromId: originId, recipients: moved }),
    );
    pending.publish(this.deps.events);
  }
}
