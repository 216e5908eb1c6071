import { Limits } from '@hearth/protocol';
import { and, eq, exists, inArray, isNotNull, isNull, lte, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../../store/db';
import {
  actorKeys,
  followers,
  follows,
  instanceFailures,
  members,
  postMentions,
  posts,
  users,
} from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { ApiError } from '../errors';
import { storeImageBytes } from '../images';
import { fetchRemoteFile, RemoteFetchError } from './remote-fetch';

// Accounts of other instances and this instance's key pairs (ADR 0040). The federation area maps ActivityPub to
// these plain values; nothing here knows Fedify.

/** A remote actor as the federation area read it; `bio` is sanitised HTML. */
export interface RemoteAccountInput {
  uri: string;
  /** preferredUsername. */
  username: string;
  /** The actor's host (with its port, if any): with `username`, its acct. */
  host: string;
  url: string | null;
  inbox: string;
  sharedInbox: string | null;
  displayName: string | null;
  bio: string;
  locked: boolean;
  discoverable: boolean;
  bot: boolean;
  /** A Group actor (FEP-1b12). */
  group?: boolean;
  fields: Array<{ name: string; value: string }>;
  publicKey: string | null;
  /** The actor IRIs it says it also is (`alsoKnownAs`), at most ALIASES_MAX kept. */
  alsoKnownAs: string[];
  /** Its avatar (`icon`) and header (`image`) as its instance serves them (http(s) URLs), or null. */
  avatarUrl?: string | null;
  headerUrl?: string | null;
}

/** Finds an account of another instance by `name@host`, storing it: answers its id, or null. */
export interface AccountResolver {
  resolve(acct: string): Promise<string | null>;
}

/** What the federation area needs to know of a remote account. */
export interface RemoteAccount {
  id: string;
  uri: string;
  acct: string;
  inbox: string;
  sharedInbox: string | null;
}

/** What a remote account's avatar and header are fitted to (Mastodon's sizes). */
const PROFILE_IMAGE_SIZES = {
  avatar: { width: 400, height: 400 },
  header: { width: 1500, height: 500 },
} as const;

/** Longest display name, bio and field kept of a remote account (its instance may allow more than Hearth shows). */
const REMOTE_NAME_CHARS = 100;
const REMOTE_BIO_CHARS = 10_000;
const REMOTE_FIELDS = 16;
const REMOTE_FIELD_CHARS = 500;
/** Most aliases (alsoKnownAs) kept of an account, local or remote. */
export const ALIASES_MAX = 10;

/** The host (with its port) of a URL, lower-case, as delivery failures are kept; null when it is no URL. */
export function hostOf(url: string): string | null {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return null;
  }
}

/** A principal acting for a remote account: the inbox acts through the same services as a local user's request. */
export function remotePrincipal(userId: string): Principal {
  return { userId, sessionId: null, bot: false, applicationId: null, applicationFlags: 0 };
}

/** Whether account `id` is of another instance. */
export async function isRemote(db: DbOrTx, id: string): Promise<boolean> {
  const [row] = await db.select({ remote: users.remote }).from(users).where(eq(users.id, id));
  return row?.remote === true;
}

/** Whether `userId` has an accepted follower on another instance (then its statuses are delivered there). */
export async function hasRemoteFollowers(db: DbOrTx, userId: string): Promise<boolean> {
  const [row] = await db
    .select({ one: sql<number>`1` })
    .from(followers)
    .innerJoin(users, eq(users.id, followers.followerId))
    .where(and(eq(followers.userId, userId), eq(followers.accepted, true), eq(users.remote, true)))
    .limit(1);
  return row !== undefined;
}

/**
 * A local status's audience on other instances besides its author's followers (ids): the remote accounts it mentions,
 * and (unless it is direct) the remote author of the status it answers.
 */
export async function remoteAudience(
  db: DbOrTx,
  post: { userId: string; id: string; visibility: string; inReplyToAccountId: string | null },
): Promise<string[]> {
  const rows = await db
    .select({ id: users.id })
    .from(postMentions)
    .innerJoin(users, eq(users.id, postMentions.mentionedId))
    .where(
      and(eq(postMentions.userId, post.userId), eq(postMentions.postId, post.id), eq(users.remote, true)),
    )
    .limit(100);
  const ids = rows.map((r) => r.id);
  if (
    post.visibility !== 'direct' &&
    post.inReplyToAccountId &&
    (await isRemote(db, post.inReplyToAccountId))
  )
    ids.push(post.inReplyToAccountId);
  return [...new Set(ids)];
}

/** Whether a local status has an audience on other instances besides its author's followers (remoteAudience). */
export async function hasRemoteAudience(
  db: DbOrTx,
  post: { userId: string; id: string; visibility: string; inReplyToAccountId: string | null },
): Promise<boolean> {
  return (await remoteAudience(db, post)).length > 0;
}

const toRemote = (r: {
  id: string;
  uri: string | null;
  username: string;
  inbox: string | null;
  sharedInbox: string | null;
}): RemoteAccount => ({
  id: r.id,
  uri: r.uri ?? '',
  acct: r.username,
  inbox: r.inbox ?? '',
  sharedInbox: r.sharedInbox,
});

const remoteColumns = {
  id: users.id,
  uri: users.uri,
  username: users.username,
  inbox: users.inbox,
  sharedInbox: users.sharedInbox,
};

export class RemoteAccountsService {
  constructor(private readonly deps: Deps) {}

  /** Stores (or refreshes) a remote account by its actor IRI; answers its id. */
  async upsert(input: RemoteAccountInput): Promise<string> {
    const values = {
      username: `${input.username}@${input.host}`.slice(0, 320),
      globalName: input.displayName?.slice(0, REMOTE_NAME_CHARS) || null,
      bio: input.bio.slice(0, REMOTE_BIO_CHARS),
      bot: input.bot,
      groupActor: input.group ?? false,
      locked: input.locked,
      discoverable: input.discoverable,
      profileFields: input.fields.slice(0, REMOTE_FIELDS).map((f) => ({
        name: f.name.slice(0, REMOTE_FIELD_CHARS),
        value: f.value.slice(0, REMOTE_FIELD_CHARS),
      })),
      remote: true,
      uri: input.uri,
      url: input.url,
      inbox: input.inbox,
      sharedInbox: input.sharedInbox,
      publicKey: input.publicKey,
      alsoKnownAs: input.alsoKnownAs.filter((u) => u.length <= 2048).slice(0, ALIASES_MAX),
      fetchedAt: new Date(),
      updatedAt: new Date(),
    };
    const image = (u: string | null | undefined) =>
      u && u.length <= 2048 && /^https?:\/\//i.test(u) ? u : null;
    const avatarUrl = image(input.avatarUrl);
    const headerUrl = image(input.headerUrl);
    return this.deps.db.transaction(async (tx) => {
      const [before] = await tx
        .select({ avatarRemoteUrl: users.avatarRemoteUrl, headerRemoteUrl: users.headerRemoteUrl })
        .from(users)
        .where(eq(users.uri, input.uri));
      // A new or changed image replaces the stored one once fetched (shown by its remote URL until then).
      const avatarChanged = (before?.avatarRemoteUrl ?? null) !== avatarUrl;
      const headerChanged = (before?.headerRemoteUrl ?? null) !== headerUrl;
      const images = {
        avatarRemoteUrl: avatarUrl,
        headerRemoteUrl: headerUrl,
        ...(avatarChanged ? { avatar: null } : {}),
        ...(headerChanged ? { banner: null } : {}),
      };
      const [row] = await tx
        .insert(users)
        .values({ id: this.deps.ids.next(), ...values, ...images })
        .onConflictDoUpdate({
          target: users.uri,
          targetWhere: sql`${users.uri} is not null`,
          set: { ...values, ...images },
        })
        .returning({ id: users.id });
      for (const [kind, url, changed] of [
        ['avatar', avatarUrl, avatarChanged],
        ['header', headerUrl, headerChanged],
      ] as const)
        if (changed && url)
          await this.deps.jobs.enqueue(
            'social.remote-profile-image-fetch',
            { userId: row.id, kind, url },
            { key: `${row.id}:${kind}` },
            tx,
          );
      return row.id;
    });
  }

  /**
   * The `social.remote-profile-image-fetch` job: a remote account's avatar or header fetched (through the guard,
   * at most Limits.imageUploadBytes), re-encoded and stored as a local one is, if the account still names `url`.
   * A refused file leaves the remote URL shown; an instance that did not answer is tried again (the job throws).
   */
  async fetchProfileImage(userId: string, kind: 'avatar' | 'header', url: string): Promise<void> {
    const column = kind === 'avatar' ? users.avatarRemoteUrl : users.headerRemoteUrl;
    const current = and(eq(users.id, userId), eq(users.remote, true), eq(column, url));
    const [row] = await this.deps.db.select({ id: users.id }).from(users).where(current);
    if (!row) return;
    let data: Buffer;
    try {
      data = await fetchRemoteFile(this.deps, url, Limits.imageUploadBytes);
    } catch (err) {
      if (!(err instanceof RemoteFetchError)) throw err;
      if (err.kind === 'rate') {
        await this.deps.jobs.enqueue(
          'social.remote-profile-image-fetch',
          { userId, kind, url },
          { key: `${userId}:${kind}:later`, delayMs: err.waitMs + 1000 },
        );
        return;
      }
      if (err.kind === 'retry') throw err;
      this.deps.log.info({ url, reason: err.message }, 'a remote profile image was not fetched');
      return;
    }
    const purpose = kind === 'avatar' ? 'avatar' : 'banner';
    let hash: string;
    try {
      hash = await storeImageBytes(
        this.deps,
        {
          purpose,
          folder: `${purpose}s/${userId}`,
          ownerId: userId,
          field: purpose,
          ...PROFILE_IMAGE_SIZES[kind],
        },
        data,
      );
    } catch (err) {
      if (err instanceof ApiError && err.status !== 503) {
        this.deps.log.info({ url, err: err.message }, 'a remote profile image was refused');
        return;
      }
      throw err;
    }
    await this.deps.db
      .update(users)
      .set(kind === 'avatar' ? { avatar: hash } : { banner: hash })
      .where(current);
  }

  async byUri(uri: string): Promise<RemoteAccount | null> {
    const [row] = await this.deps.db
      .select(remoteColumns)
      .from(users)
      .where(and(eq(users.uri, uri), eq(users.remote, true)));
    return row ? toRemote(row) : null;
  }

  async byId(id: string): Promise<RemoteAccount | null> {
    const [row] = await this.deps.db
      .select(remoteColumns)
      .from(users)
      .where(and(eq(users.id, id), eq(users.remote, true)));
    return row ? toRemote(row) : null;
  }

  /**
   * The remote Group actor (FEP-1b12) `uri` names when an account here follows it (accepted), else null: only then
   * are its Announces of its members' posts wanted here (ADR 0031 addendum); anything else of it is stored not.
   */
  async followedGroup(uri: string): Promise<RemoteAccount | null> {
    const local = alias(users, 'local_follower');
    const [row] = await this.deps.db
      .select(remoteColumns)
      .from(users)
      .where(
        and(
          eq(users.uri, uri),
          eq(users.remote, true),
          eq(users.groupActor, true),
          eq(users.disabled, false),
          exists(
            this.deps.db
              .select({ one: sql`1` })
              .from(followers)
              .innerJoin(local, eq(local.id, followers.followerId))
              .where(
                and(eq(followers.userId, users.id), eq(followers.accepted, true), eq(local.remote, false)),
              ),
          ),
        ),
      );
    return row ? toRemote(row) : null;
  }

  /** A remote account already known by its acct (`name@host`). */
  async byAcct(acct: string): Promise<RemoteAccount | null> {
    const [row] = await this.deps.db
      .select(remoteColumns)
      .from(users)
      .where(and(sql`lower(${users.username}) = lower(${acct})`, eq(users.remote, true)));
    return row ? toRemote(row) : null;
  }

  /**
   * A local, active person or bot account (an actor this instance serves), or null; with `deleted`, a deleted one too
   * (it still signs its own Delete).
   */
  async local(id: string, opts: { deleted?: boolean } = {}) {
    if (!/^\d{1,20}$/.test(id)) return null;
    const [row] = await this.deps.db
      .select()
      .from(users)
      .where(
        and(
          eq(users.id, id),
          eq(users.remote, false),
          opts.deleted
            ? or(eq(users.disabled, false), eq(users.status, 'deleted'))
            : eq(users.disabled, false),
        ),
      );
    return row ?? null;
  }

  /** A local, active account by username (WebFinger), or null. */
  async localByUsername(username: string) {
    const [row] = await this.deps.db
      .select({ id: users.id })
      .from(users)
      .where(
        and(
          sql`lower(${users.username}) = lower(${username})`,
          eq(users.remote, false),
          eq(users.disabled, false),
        ),
      );
    return row?.id ?? null;
  }

  /** `userId`'s accepted remote followers, for delivery: actor IRI and inboxes. */
  async remoteFollowers(userId: string, limit: number): Promise<RemoteAccount[]> {
    const rows = await this.deps.db
      .select(remoteColumns)
      .from(followers)
      .innerJoin(users, eq(users.id, followers.followerId))
      .where(and(eq(followers.userId, userId), eq(followers.accepted, true), eq(users.remote, true)))
      .orderBy(followers.id)
      .limit(limit);
    return rows.map(toRemote);
  }

  /** Up to `limit` remote members of group `guildId`: its Group actor's followers (ADR 0031, FEP-1b12). */
  async remoteMembers(guildId: string, limit: number): Promise<RemoteAccount[]> {
    const rows = await this.deps.db
      .select(remoteColumns)
      .from(members)
      .innerJoin(users, eq(users.id, members.userId))
      .where(and(eq(members.guildId, guildId), eq(users.remote, true)))
      .orderBy(members.userId)
      .limit(limit);
    return rows.map(toRemote);
  }

  /** Up to `limit` remote accounts following `userId` (or asking to) or followed by it (read in `db`): its Delete's audience. */
  async neighbours(db: DbOrTx, userId: string, limit: number): Promise<string[]> {
    const rows = await db
      .select({ id: users.id })
      .from(users)
      .where(
        and(
          eq(users.remote, true),
          or(
            exists(
              db
                .select({ one: sql`1` })
                .from(followers)
                .where(and(eq(followers.userId, userId), eq(followers.followerId, users.id))),
            ),
            exists(
              db
                .select({ one: sql`1` })
                .from(follows)
                .where(and(eq(follows.userId, userId), eq(follows.targetId, users.id))),
            ),
          ),
        ),
      )
      .limit(limit);
    return rows.map((r) => r.id);
  }

  /** The aliases (alsoKnownAs) stored of an account, local or remote; [] when there is none. */
  async aliasesOf(id: string): Promise<string[]> {
    const [row] = await this.deps.db
      .select({ alsoKnownAs: users.alsoKnownAs })
      .from(users)
      .where(eq(users.id, id));
    return row?.alsoKnownAs ?? [];
  }

  // --- instances deliveries fail to reach (ADR 0050) ---

  /**
   * Fedify's circuit breaker opened for `host` (deliveries there failed repeatedly): the first time, when it began is
   * kept; once it has kept failing for `windowS` seconds with no success in between, the instance is unavailable.
   */
  async deliveriesFailing(host: string, windowS: number): Promise<void> {
    const { db } = this.deps;
    await db.insert(instanceFailures).values({ host }).onConflictDoNothing();
    await db
      .update(instanceFailures)
      .set({ unavailableSince: new Date() })
      .where(
        and(
          eq(instanceFailures.host, host),
          isNull(instanceFailures.unavailableSince),
          lte(instanceFailures.failingSince, sql`now() - make_interval(secs => ${windowS})`),
        ),
      );
  }

  /**
   * `host` answered (a delivery probe succeeded) or was heard from (a verified inbound activity): it is reachable.
   * Whether deliveries there had been failing.
   */
  async instanceReachable(host: string): Promise<boolean> {
    const gone = await this.deps.db
      .delete(instanceFailures)
      .where(eq(instanceFailures.host, host))
      .returning({ host: instanceFailures.host });
    return gone.length > 0;
  }

  /** The items whose URL is not on an unavailable instance (deliveries skip those). */
  async reachable<T>(items: T[], urlOf: (item: T) => string): Promise<T[]> {
    const hosts = [...new Set(items.map((i) => hostOf(urlOf(i))).filter((h) => h !== null))];
    if (!hosts.length) return items;
    const rows = await this.deps.db
      .select({ host: instanceFailures.host })
      .from(instanceFailures)
      .where(and(inArray(instanceFailures.host, hosts), isNotNull(instanceFailures.unavailableSince)));
    if (!rows.length) return items;
    const down = new Set(rows.map((r) => r.host));
    return items.filter((i) => !down.has(hostOf(urlOf(i)) ?? ''));
  }

  /** The key pairs of a local actor (a user id, or '0' for the instance actor) as stored JWKs. */
  async keyPairs(userId: string) {
    return this.deps.db.select().from(actorKeys).where(eq(actorKeys.userId, userId)).orderBy(actorKeys.kind);
  }

  /** Keeps a new key pair unless one of `kind` exists already (two processes made one at once: the first wins). */
  async saveKeyPair(userId: string, kind: string, publicKey: JsonWebKey, privateKey: JsonWebKey) {
    await this.deps.db
      .insert(actorKeys)
      .values({ userId, kind, publicKey, privateKey })
      .onConflictDoNothing();
  }

  /** NodeInfo's usage: local people (not bots) and local statuses. */
  async usage(): Promise<{ users: number; statuses: number }> {
    const [row] = await this.deps.db
      .select({
        users: sql<number>`(select count(*)::int from ${users} where not ${users.bot} and not ${users.system} and not ${users.remote})`,
        statuses: sql<number>`(select count(*)::int from ${posts} where ${posts.uri} is null)`,
      })
      .from(sql`(select 1) as one`);
    return { users: Number(row?.users ?? 0), statuses: Number(row?.statuses ?? 0) };
  }
}
