import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import {
  type Context,
  createFederation,
  exportJwk,
  type Federation,
  generateCryptoKeyPair,
  importJwk,
} from '@fedify/fedify';
import {
  Accept,
  Activity,
  type Actor,
  Announce,
  Application,
  Block,
  Create,
  Delete,
  EmojiReact,
  Endpoints,
  Flag,
  Follow,
  Group,
  Image,
  isActor,
  Like,
  Move,
  Note,
  Page,
  Person,
  PropertyValue,
  PUBLIC_COLLECTION,
  type Recipient,
  Reject,
  Service,
  Tombstone,
  Undo,
  Update,
} from '@fedify/vocab';
import { exportSpki, FetchError, getDocumentLoader } from '@fedify/vocab-runtime';
import { Temporal } from '@js-temporal/polyfill';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { RelationshipType } from '../domain/relationships/relationships.service';
import type { Services } from '../domain/services';
import { hostOf, type RemoteAccount, remotePrincipal } from '../domain/social/remote.service';
import type { FederationDelivery, JobPayloads } from '../jobs/kinds';
import type { JobWorker } from '../jobs/worker';
import type { Db } from '../store/db';
import type { DatabaseKvStore } from './kv';
import {
  actorImageUrl,
  createOf,
  instant,
  namedActors,
  noteToStatus,
  pageLink,
  plainText,
  type RemoteAttachment,
  remoteAttachments,
  sanitizeContent,
  statusToNote,
  type Visibility,
} from './note';
import { JobsMessageQueue } from './queue';
import { webFingerSelf } from './safe-fetch';

/** The instance actor's identifier (user ids are digits, so it names no user). */
const INSTANCE = 'instance';
/** Most remote followers one status is fanned out to in this slice. */
const FANOUT_MAX = 50_000;
/** Most objects (accounts, statuses) of a received Flag read. */
const REPORT_OBJECTS_MAX = 50;
/** How long a deleted remote status's IRI is remembered, so a late or replayed Create does not bring it back. */
const TOMBSTONE_TTL_DAYS = 90;

export type HearthFederation = Federation<null>;

/** The delivery task being run (processTask), for Fedify's error callback to mark it failed. */
const deliveryRun = new AsyncLocalStorage<{ error: string | null }>();

const tombstoneKey = (uri: string) => ['hearth', 'tombstone', uri] as const;
/** The IRI of a remote account's Follow of a group, while its join request waits for the moderators. */
const groupFollowKey = (guildId: string, userId: string) =>
  ['hearth', 'group-follow', guildId, userId] as const;
/** A remote member's comment on a group post, by its Note's IRI: `{guildId, threadId, messageId}` (its edit, deletion). */
const groupCommentKey = (uri: string) => ['hearth', 'group-comment', uri] as const;
/** How long a request's Follow IRI is kept (an answer after that is sent naming the Follow by its parts). */
const GROUP_FOLLOW_TTL_DAYS = 90;
/** Where Fedify keeps its delivery circuit breaker's state per host (named here so a heard-from host can be reset). */
const CIRCUIT_PREFIX = ['hearth', 'circuit'] as const;

/** Builds Hearth's ActivityPub side (ADR 0040) over the social services. */
export function createHearthFederation(opts: {
  config: Config;
  db: Db;
  services: Services;
  jobs: Pick<JobWorker<JobPayloads>, 'enqueue'>;
  log: Logger;
  kv: DatabaseKvStore;
}) {
  const { config, services, log } = opts;
  const social = services.social;
  const remote = social.remote;
  const domainBlocks = social.domainBlocks;
  const host = new URL(config.publicUrl).host;
  const kv = opts.kv;
  const federation = createFederation<null>({
    kv,
    queue: new JobsMessageQueue(opts.jobs),
    manuallyStartQueue: true,
    origin: config.publicUrl,
    allowPrivateAddress: config.federationAllowPrivateAddresses,
    userAgent: { software: 'Hearth/0.1' },
    // Called inside the failed task's run (retries included): the run below notes the failure for its instance.
    onOutboxError: (err) => {
      const run = deliveryRun.getStore();
      if (run) run.error = err.message || String(err);
    },
    kvPrefixes: { circuitBreaker: [...CIRCUIT_PREFIX] },
    // Fedify's breaker holds deliveries to a host that keeps failing (5 failures in 10 minutes, a probe every 30);
    // Hearth watches it to mark an instance unavailable once it has kept failing for the configured window.
    circuitBreaker: {
      onStateChange: async (remoteHost, _from, to) => {
        const host = remoteHost.toLowerCase();
        if (to === 'open') await remote.deliveriesFailing(host, config.federationUnavailableAfterS);
        else if (to === 'closed') await remote.instanceReachable(host);
      },
    },
  });
  /** Fetches documents afresh (no cache), with the same address rules: a Move's target is checked as it is now. */
  const freshLoader = getDocumentLoader({
    allowPrivateAddress: config.federationAllowPrivateAddresses,
    userAgent: { software: 'Hearth/0.1' },
  });

  /**
   * Runs one of Fedify's queued tasks; for a delivery (an `outbox` task) notes its outcome for the inbox's instance
   * (the instances view): Fedify reports a failure through `onOutboxError` and retries it as a new task itself.
   */
  async function processTask(message: unknown): Promise<void> {
    const run: { error: string | null } = { error: null };
    await deliveryRun.run(run, () =>
      federation.processQueuedTask(null, message as Parameters<HearthFederation['processQueuedTask']>[1]),
    );
    const m = message as { type?: unknown; inbox?: unknown };
    if (m?.type !== 'outbox' || typeof m.inbox !== 'string') return;
    await social.instances
      .delivered(m.inbox, run.error === null ? { ok: true } : { ok: false, error: run.error })
      .catch((err) => log.warn({ err }, 'a delivery outcome was not noted'));
  }

  // --- actors and keys ---------------------------------------------------------------------------------------

  const keyOwner = (identifier: string) => (identifier === INSTANCE ? '0' : identifier);
  /** The instance actor or a local account's Person (null when there is none). */
  const actorOf = async (ctx: Context<null>, identifier: string) => {
    const keys = await ctx.getActorKeyPairs(identifier);
    const common = {
      id: ctx.getActorUri(identifier),
      inbox: ctx.getInboxUri(identifier),
      outbox: ctx.getOutboxUri(identifier),
      followers: ctx.getFollowersUri(identifier),
      following: ctx.getFollowingUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      publicKey: keys[0]?.cryptographicKey ?? null,
      assertionMethods: keys.map((k) => k.multikey),
    };
    if (identifier === INSTANCE)
      return new Application({
        ...common,
        preferredUsername: host,
        name: 'Hearth',
        manuallyApprovesFollowers: true,
        url: new URL(config.publicUrl),
      });
    const user = await remote.local(identifier);
    if (!user) return groupActor(identifier, common);
    const account = await social.profiles.account(user.id);
    const movedTo = user.movedToId
      ? ((await remote.byId(user.movedToId))?.uri ?? ctx.getActorUri(user.movedToId).href)
      : null;
    return new Person({
      ...common,
      preferredUsername: user.username,
      name: user.globalName ?? user.username,
      summary: account.note || null,
      url: new URL(account.url),
      published: instant(user.createdAt),
      manuallyApprovesFollowers: user.locked,
      discoverable: user.discoverable,
      icon: user.avatar ? new Image({ url: new URL(account.avatar) }) : null,
      image: user.banner ? new Image({ url: new URL(account.header) }) : null,
      attachments: account.fields.map((f) => new PropertyValue({ name: f.name, value: f.value })),
      aliases: user.alsoKnownAs.map((u) => new URL(u)),
      successor: movedTo ? new URL(movedTo) : null,
    });
  };
  /**
   * A federated group's Group actor (FEP-1b12; ADR 0031): public or approval-required groups with a handle, whose
   * followers are its remote members. A private group is no actor (404), as it is no account to outsiders.
   */
  const groupActor = async (identifier: string, common: ConstructorParameters<typeof Group>[0]) => {
    if (!(await social.groupAccounts.federated(identifier))) return null;
    const account = await social.groupAccounts.account(null, identifier);
    return new Group({
      ...common,
      following: null,
      preferredUsername: account.username,
      name: account.display_name,
      summary: account.note || null,
      url: new URL(account.url),
      manuallyApprovesFollowers: account.locked,
      discoverable: account.discoverable ?? false,
      icon: account.avatar ? new Image({ url: new URL(account.avatar) }) : null,
      image: account.header ? new Image({ url: new URL(account.header) }) : null,
    });
  };
  /** The local account, or failing that the federated group, a WebFinger handle names. */
  const handleOwner = async (username: string) =>
    (await remote.localByUsername(username)) ?? (await social.groupAccounts.federatedByHandle(username));
  federation
    .setActorDispatcher('/users/{identifier}', actorOf)
    .mapHandle(async (_ctx, username) =>
      username.toLowerCase() === host.toLowerCase() ? INSTANCE : handleOwner(username),
    )
    .setKeyPairsDispatcher(async (_ctx, identifier) => {
      const owner = keyOwner(identifier);
      // A deleted account still signs: its Delete must reach other instances.
      if (
        owner !== '0' &&
        !(await remote.local(owner, { deleted: true })) &&
        !(await social.groupAccounts.federated(owner))
      )
        return [];
      let rows = await remote.keyPairs(owner);
      const kinds = { rsa: 'RSASSA-PKCS1-v1_5', ed25519: 'Ed25519' } as const;
      const missing = (Object.keys(kinds) as Array<keyof typeof kinds>).filter(
        (k) => !rows.some((r) => r.kind === k),
      );
      for (const kind of missing) {
        const pair = await generateCryptoKeyPair(kinds[kind]);
        await remote.saveKeyPair(
          owner,
          kind,
          await exportJwk(pair.publicKey),
          await exportJwk(pair.privateKey),
        );
      }
      if (missing.length) rows = await remote.keyPairs(owner);
      // RSA first: `publicKey` (what Mastodon reads) is the first pair's.
      rows.sort((a, b) => (a.kind === 'rsa' ? -1 : b.kind === 'rsa' ? 1 : 0));
      return Promise.all(
        rows.map(async (r) => ({
          publicKey: await importJwk(r.publicKey, 'public'),
          privateKey: await importJwk(r.privateKey, 'private'),
        })),
      );
    });

  // --- collections ---------------------------------------------------------------------------------------------

  federation
    .setFollowersDispatcher('/users/{identifier}/followers', async (_ctx, identifier) => {
      const user = await remote.local(identifier);
      // A group's followers are its remote members (FEP-1b12).
      if (!user && !(await social.groupAccounts.federated(identifier))) return null;
      const followers = user
        ? await remote.remoteFollowers(identifier, FANOUT_MAX)
        : await remote.remoteMembers(identifier, FANOUT_MAX);
      // No follower on a blocked domain is listed, so Fedify's fan-out never delivers there.
      const list = await remote.reachable(
        await domainBlocks.allowedUrls(followers, (f: RemoteAccount) => f.uri),
        (f) => f.inbox,
      );
      const items: Recipient[] = list.map((f) => ({
        id: new URL(f.uri),
        inboxId: new URL(f.inbox),
        endpoints: f.sharedInbox ? { sharedInbox: new URL(f.sharedInbox) } : null,
      }));
      return { items };
    })
    .setCounter(async (_ctx, identifier) => {
      if (!(await remote.local(identifier)))
        return (await social.groupAccounts.federated(identifier))
          ? (await social.groupAccounts.counts(identifier)).members
          : null;
      return (await social.profiles.account(identifier)).followers_count;
    });
  federation
    .setFollowingDispatcher('/users/{identifier}/following', async (_ctx, identifier) =>
      (await remote.local(identifier)) ? { items: [] } : null,
    )
    .setCounter(async (_ctx, identifier) =>
      (await remote.local(identifier)) ? (await social.profiles.account(identifier)).following_count : null,
    );
  federation
    .setOutboxDispatcher('/users/{identifier}/outbox', async (_ctx, identifier) =>
      (await remote.local(identifier)) || (await social.groupAccounts.federated(identifier))
        ? { items: [] }
        : null,
    )
    .setCounter(async (_ctx, identifier) =>
      (await remote.local(identifier))
        ? (await social.profiles.account(identifier)).statuses_count
        : (await social.groupAccounts.federated(identifier))
          ? (await social.groupAccounts.counts(identifier)).posts
          : null,
    );

  /** A local status as its Note's parts, or null unless it is local and public or unlisted. */
  const localStatus = async (ctx: Context<null>, userId: string, id: string) => {
    const post = await social.posts.statusRow(userId, id);
    if (!post || post.uri || post.reblogOfId) return null;
    const parent = post.inReplyToId ? await social.posts.statusRowById(post.inReplyToId) : null;
    const parentAuthor = parent
      ? ((await remote.byId(parent.userId))?.uri ?? ctx.getActorUri(parent.userId).href)
      : null;
    const mentioned = await social.posts.mentionsOf(userId, id);
    return {
      uri: ctx.getObjectUri(Note, { userId, id }).href,
      url: `${config.publicUrl}/@${(await remote.local(userId))?.username ?? userId}/${id}`,
      actor: ctx.getActorUri(userId).href,
      followers: ctx.getFollowersUri(userId).href,
      content: post.content,
      spoilerText: post.spoilerText,
      sensitive: post.sensitive,
      visibility: post.visibility as Visibility,
      language: post.language,
      createdAt: post.createdAt,
      inReplyTo: parent
        ? (parent.uri ?? ctx.getObjectUri(Note, { userId: parent.userId, id: parent.id }).href)
        : null,
      inReplyToAuthor: parentAuthor,
      mentions: mentioned.map((m) =>
        m.remote && m.uri
          ? { href: m.uri, name: `@${m.username}` }
          : { href: ctx.getActorUri(m.id).href, name: `@${m.username}@${host}` },
      ),
      attachments: await social.posts.federatedMedia(post),
      /** Remote accounts it mentions, and the remote author it answers (null when local), to deliver it to. */
      remoteMentioned: mentioned.filter((m) => m.remote).map((m) => m.id),
      remoteParentAuthor: parent && (await remote.byId(parent.userId)) ? parent.userId : null,
    };
  };
  federation.setObjectDispatcher(Note, '/users/{userId}/statuses/{id}', async (ctx, values) => {
    // A federated group's comments are its Notes, at the group's `statuses/{comment id}` (FEP-1b12).
    if (await social.groupAccounts.federated(values.userId))
      return groupComment(ctx, values.userId, values.id);
    const s = await localStatus(ctx, values.userId, values.id);
    // Followers-only and direct statuses are not served to unsigned fetches in this slice.
    if (!s || (s.visibility !== 'public' && s.visibility !== 'unlisted')) return null;
    return statusToNote(s);
  });

  /**
   * A federated group's post (a forum thread and its starter message) as a Page (FEP-1b12, as Lemmy's posts): `name`
   * the title, attributed to its author, in the group's `audience`. Null for a post only some members may read.
   */
  const groupPage = async (ctx: Context<null>, guildId: string, threadId: string) => {
    const post = await social.groupAccounts.federatedPost(guildId, threadId);
    if (!post) return null;
    const [status] = await social.groupAccounts.views([post]);
    if (!status) return null;
    const author =
      (await remote.byId(post.message.authorId))?.uri ?? ctx.getActorUri(post.message.authorId).href;
    const group = ctx.getActorUri(guildId);
    return new Page({
      id: ctx.getObjectUri(Page, { guildId, id: threadId }),
      attribution: new URL(author),
      name: post.thread.name ?? null,
      content: status.content,
      url: new URL(status.url ?? `${config.publicUrl}/groups/${guildId}`),
      published: instant(new Date(status.created_at)),
      updated: status.edited_at ? instant(new Date(status.edited_at)) : null,
      to: PUBLIC_COLLECTION,
      ccs: [group, ctx.getFollowersUri(guildId)],
      audience: group,
    });
  };
  /**
   * A comment on a federated group's post as a Note: attributed to its author, replying to the post's Page or to the
   * comment it answers, in the group's `audience`. Null where the post is not federated (see `groupPage`).
   */
  const groupComment = async (ctx: Context<null>, guildId: string, id: string) => {
    const row = await social.groupAccounts.federatedComment(guildId, id);
    if (!row) return null;
    const [status] = await social.groupAccounts.views([row]);
    if (!status) return null;
    const author =
      (await remote.byId(row.message.authorId))?.uri ?? ctx.getActorUri(row.message.authorId).href;
    const group = ctx.getActorUri(guildId);
    const answers = status.in_reply_to_id ?? row.thread.id;
    return new Note({
      id: ctx.getObjectUri(Note, { userId: guildId, id }),
      attribution: new URL(author),
      content: status.content,
      url: new URL(status.url ?? `${config.publicUrl}/groups/${guildId}`),
      published: instant(new Date(status.created_at)),
      updated: status.edited_at ? instant(new Date(status.edited_at)) : null,
      replyTarget:
        answers === row.thread.id
          ? ctx.getObjectUri(Page, { guildId, id: row.thread.id })
          : await groupCommentUri(ctx, guildId, answers),
      to: PUBLIC_COLLECTION,
      ccs: [group, ctx.getFollowersUri(guildId)],
      audience: group,
    });
  };
  /** The IRI of comment `id` of a group: a remote member's own Note's, else the group's. */
  const groupCommentUri = async (ctx: Context<null>, guildId: string, id: string) =>
    new URL(
      (await kv.get<string>(['hearth', 'group-comment-uri', id])) ??
        ctx.getObjectUri(Note, { userId: guildId, id }).href,
    );
  federation.setObjectDispatcher(Page, '/users/{guildId}/posts/{id}', (ctx, values) =>
    groupPage(ctx, values.guildId, values.id),
  );

  federation.setNodeInfoDispatcher('/nodeinfo/2.1', async () => {
    const usage = await remote.usage();
    return {
      software: { name: 'hearth', version: '0.1.0' },
      protocols: ['activitypub'],
      openRegistrations: true,
      usage: { users: { total: usage.users }, localPosts: usage.statuses, localComments: 0 },
    };
  });

  // --- remote actors -------------------------------------------------------------------------------------------

  /** Stores (or refreshes) a remote actor as an account; answers its id. */
  const storeActor = async (actor: Actor): Promise<string | null> => {
    if (!actor.id || !actor.inboxId || !actor.preferredUsername) return null;
    // Nothing of a domain the admins blocked is stored (a lookup, a boosted status's author).
    if (await domainBlocks.blocksUrl(actor.id.href)) return null;
    const fields: Array<{ name: string; value: string }> = [];
    for await (const a of actor.getAttachments())
      if (a instanceof PropertyValue && a.name && a.value)
        fields.push({ name: plainText(a.name.toString()), value: plainText(a.value.toString()) });
    const key = await actor.getPublicKey().catch(() => null);
    return remote.upsert({
      uri: actor.id.href,
      username: actor.preferredUsername.toString(),
      host: actor.id.host,
      url: actor.url instanceof URL ? actor.url.href : (actor.url?.href?.href ?? null),
      inbox: actor.inboxId.href,
      sharedInbox: actor.endpoints?.sharedInbox?.href ?? null,
      displayName: actor.name ? plainText(actor.name.toString()) : null,
      bio: actor.summary ? sanitizeContent(actor.summary.toString()) : '',
      locked: actor.manuallyApprovesFollowers ?? false,
      discoverable: ('discoverable' in actor ? actor.discoverable : null) ?? false,
      bot: actor instanceof Service || actor instanceof Application,
      group: actor instanceof Group,
      fields,
      publicKey: key?.publicKey ? await exportSpki(key.publicKey) : null,
      alsoKnownAs: actor.aliasIds.map((u) => u.href),
      avatarUrl: await actorImageUrl((o) => actor.getIcon(o)),
      headerUrl: await actorImageUrl((o) => actor.getImage(o)),
    });
  };

  /** Fetches a remote actor afresh (not from Fedify's cache) and stores it; answers the actor and its account id. */
  const fetchActorFresh = async (ctx: Context<null>, uri: URL) => {
    if (await domainBlocks.blocksUrl(uri.href)) return null;
    const actor = await ctx.lookupObject(uri, { documentLoader: freshLoader }).catch(() => null);
    if (!actor || !isActor(actor) || actor.id?.href !== uri.href) return null;
    const id = await storeActor(actor);
    return id ? { actor, id } : null;
  };

  /** The local account an actor IRI of this instance names, or null. */
  const localActor = async (ctx: Context<null>, uri: URL | null) => {
    const parsed = uri ? ctx.parseUri(uri) : null;
    if (parsed?.type !== 'actor') return null;
    return remote.local(parsed.identifier);
  };

  /** The stored account of an activity's sender (fetched and stored when new). */
  const senderOf = async (
    ctx: Context<null>,
    activity: { actorId: URL | null; getActor: Follow['getActor'] },
  ) => {
    if (!activity.actorId) return null;
    const known = await remote.byUri(activity.actorId.href);
    if (known) return known.id;
    const actor = await activity.getActor(ctx);
    return actor && isActor(actor) ? storeActor(actor) : null;
  };

  // --- inbox ---------------------------------------------------------------------------------------------------

  federation
    .setInboxListeners('/users/{identifier}/inbox', '/inbox')
    .on(Follow, async (ctx, follow) => {
      if (await dropped(follow)) return;
      if (!follow.id || !follow.actorId) return;
      const target = await localActor(ctx, follow.objectId);
      if (!target) {
        const group = await groupNamed(ctx, follow.objectId);
        if (group) await followGroup(ctx, follow, group);
        return;
      }
      const followerId = await senderOf(ctx, follow);
      if (!followerId) return;
      let refused = false;
      let requested = false;
      try {
        const rel = await social.follows.follow(remotePrincipal(followerId), target.id, {
          uri: follow.id.href,
        });
        requested = rel.requested;
      } catch (err) {
        log.info({ err, follow: follow.id.href }, 'a remote follow was refused');
        refused = true;
      }
      // A locked account's request, or one from a silenced domain, is answered when the account owner decides.
      if (!refused && requested) return;
      const follower = await remote.byId(followerId);
      if (!follower) return;
      const answer = {
        id: new URL(`${ctx.getActorUri(target.id).href}#${refused ? 'rejects' : 'accepts'}/${randomUUID()}`),
        actor: ctx.getActorUri(target.id),
        object: follow,
      };
      await send(
        ctx,
        { identifier: target.id },
        [follower],
        refused ? new Reject(answer) : new Accept(answer),
      );
    })
    .on(Accept, async (ctx, accept) => {
      if (!(await dropped(accept))) await answered(ctx, accept, true);
    })
    .on(Reject, async (ctx, reject) => {
      if (!(await dropped(reject))) await answered(ctx, reject, false);
    })
    .on(Undo, async (ctx, undo) => {
      if (await dropped(undo)) return;
      const object = await undo.getObject(ctx);
      const senderId = undo.actorId ? (await remote.byUri(undo.actorId.href))?.id : null;
      if (!senderId || !object) return;
      if (object instanceof Block && object.actorId?.href === undo.actorId?.href) {
        const target = await localActor(ctx, object.objectId);
        if (target) await services.relationships.remove(remotePrincipal(senderId), target.id).catch(() => {});
      } else if (object instanceof Follow && object.actorId?.href === undo.actorId?.href) {
        const target = await localActor(ctx, object.objectId);
        if (target) await social.follows.unfollow(remotePrincipal(senderId), target.id).catch(() => {});
        // Undoing the Follow of a group is leaving it, or withdrawing the request to join.
        const group = target ? null : await groupNamed(ctx, object.objectId);
        if (group) {
          await social.groupAccounts.unfollow(remotePrincipal(senderId), group).catch(() => {});
          await kv.delete(groupFollowKey(group, senderId));
        }
      } else if (object instanceof Announce && object.actorId?.href === undo.actorId?.href) {
        const post = object.objectId
          ? ((await localPostOf(ctx, object.objectId)) ?? (await social.posts.byUri(object.objectId.href)))
          : null;
        if (post) await social.reblogs.unreblog(remotePrincipal(senderId), post.id).catch(() => {});
      } else if (
        (object instanceof EmojiReact || (object instanceof Like && reactionOf(object))) &&
        object.actorId?.href === undo.actorId?.href
      ) {
        await reacted(ctx, object, false);
      } else if (object instanceof Like && object.actorId?.href === undo.actorId?.href) {
        const post = await localPostOf(ctx, object.objectId);
        if (post) await social.posts.favourite(remotePrincipal(senderId), post.id, false).catch(() => {});
        else await groupReacted(ctx, object, false);
      }
    })
    .on(Create, async (ctx, create) => {
      if (await dropped(create)) return;
      const object = await create.getObject(ctx);
      if (!(object instanceof Note) || !create.actorId) return;
      // Only an author may create its notes (Fedify checked that the activity is signed by `actor`).
      if (object.attributionId?.href !== create.actorId.href) return;
      // A reply to a federated group's post or comment is a comment on it, nothing else (FEP-1b12).
      const groupTarget = await groupTargetOf(ctx, object.replyTargetId);
      if (groupTarget) return commentFromRemote(ctx, create, object, groupTarget);
      // Read first: Fedify forgets the activity's JSON (Mastodon's blurhash and focal points) once it fetches its actor.
      const media = await remoteAttachments(object, create);
      // A remote status is stored when someone here follows its author, when it answers a status Hearth has, or
      // when it names a local account (a mention, or a direct status addressed to one).
      const mentions = await localAccountsNamed(ctx, object);
      // Groups it is addressed to (to, cc, audience) or mentions (FEP-1b12): a member's note becomes a group post.
      const groups = await groupsNamed(ctx, object);
      const parent = object.replyTargetId
        ? ((await localPostOf(ctx, object.replyTargetId)) ??
          (await social.posts.byUri(object.replyTargetId.href)))
        : null;
      const known = await remote.byUri(create.actorId.href);
      const wanted = mentions.length > 0 || parent !== null || groups.length > 0;
      if (!known && !wanted) return;
      if (known && !wanted && !(await social.follows.hasLocalFollower(known.id))) return;
      const authorId = known?.id ?? (await senderOf(ctx, create));
      if (!authorId) return;
      const actor = await create.getActor(ctx);
      const id = await storeNote(
        ctx,
        object,
        authorId,
        actor && isActor(actor) ? actor : null,
        mentions,
        media,
      );
      if (id && groups.length) await postToGroups(ctx, create, authorId, id, groups);
    })
    .on(Announce, async (ctx, announce) => {
      if (await dropped(announce)) return;
      if (!announce.actorId || !announce.objectId) return;
      // A remote group relaying its members' posts (FEP-1b12) is read apart; anything else is an ordinary boost.
      if (await relayedByRemoteGroup(ctx, announce)) return;
      const boosterId = await senderOf(ctx, announce);
      if (!boosterId) return;
      let post =
        (await localPostOf(ctx, announce.objectId)) ?? (await social.posts.byUri(announce.objectId.href));
      // A status not stored yet is fetched from its own server when someone here follows the booster.
      if (!post && (await social.follows.hasLocalFollower(boosterId))) {
        const note = await announce.getObject(ctx).catch(() => null);
        if (note instanceof Note) {
          const author = await note.getAttribution(ctx).catch(() => null);
          const authorId = author && isActor(author) ? await storeActor(author) : null;
          const id = authorId ? await storeNote(ctx, note, authorId, author) : null;
          post = id ? await social.posts.statusRowById(id) : null;
        }
      }
      if (post) await boostAs(boosterId, post.id, announce);
    })
    .on(Update, async (ctx, update) => {
      if (await dropped(update)) return;
      if (!update.actorId) return;
      const object = await update.getObject(ctx);
      if (isActor(object)) {
        // Only an actor may update itself: its profile and keys are stored again, as its server serves them now (an
        // embedded copy does not carry a trustworthy key; a rotated key replaces the stored one).
        if (object.id?.href === update.actorId.href)
          if (!(await fetchActorFresh(ctx, update.actorId))) await storeActor(object);
        return;
      }
      if (!(object instanceof Note) || !object.id) return;
      if (await groupCommentChanged(ctx, update, object)) return;
      const media = await remoteAttachments(object, update);
      // The actor must own the note: it is attributed to the actor and lives on the actor's origin.
      if (object.attributionId?.href !== update.actorId.href || object.id.origin !== update.actorId.origin)
        return;
      const [author, post] = await Promise.all([
        remote.byUri(update.actorId.href),
        social.posts.byUri(object.id.href),
      ]);
      if (!author || !post || post.userId !== author.id) return;
      const status = noteToStatus(object, null);
      if (!status) return;
      // An edit never changes who may see a status (Mastodon's rule too): the stored visibility stays.
      const changed = await social.posts.editRemote(author.id, post.id, {
        ...status,
        inReplyTo: null,
        media,
      });
      // An Update that changes nothing (a repeated delivery, a refetch) re-edits nothing and is not relayed.
      if (!changed) return;
      // The groups it was posted in relay the edit to their followers (FEP-1b12).
      for (const group of await social.groupAccounts.postedFrom(author.id, post.id))
        await announceFromGroup(ctx, group, update);
    })
    .on(Delete, async (_ctx, del) => {
      if (await dropped(del)) return;
      const actorId = del.actorId;
      const objectId = del.objectId;
      if (!actorId || !objectId) return;
      const author = await remote.byUri(actorId.href);
      if (objectId.href === actorId.href) {
        if (author) await services.lifecycle.deleteRemote(author.id);
        return;
      }
      // Only the owner's origin can delete an object; the IRI is remembered even when it never arrived here.
      if (objectId.origin !== actorId.origin) return;
      await kv.set(tombstoneKey(objectId.href), true, {
        ttl: Temporal.Duration.from({ hours: TOMBSTONE_TTL_DAYS * 24 }) as never,
      });
      if (author && (await groupCommentChanged(_ctx, del, null))) return;
      const post = await social.posts.byUri(objectId.href);
      if (!author || !post || post.userId !== author.id) return;
      // The groups it was posted in relay the deletion to their followers (FEP-1b12), read before the posts go.
      const groups = await social.groupAccounts.postedFrom(author.id, post.id);
      await social.posts.remove(remotePrincipal(author.id), post.id).catch((err) => {
        log.info({ err, object: objectId.href }, 'a remote delete failed');
      });
      for (const group of groups) await announceFromGroup(_ctx, group, del);
    })
    .on(EmojiReact, async (ctx, react) => {
      if (!(await dropped(react))) await reacted(ctx, react, true);
    })
    .on(Block, async (ctx, block) => {
      if (await dropped(block)) return;
      // A remote account blocks a local one: the blocker's statuses are hidden from the blocked, follows both ways end.
      const target = await localActor(ctx, block.objectId);
      const blockerId = target ? await senderOf(ctx, block) : null;
      if (!target || !blockerId) return;
      await services.relationships
        .put(remotePrincipal(blockerId), target.id, RelationshipType.Blocked)
        .catch((err) => log.info({ err, block: block.id?.href }, 'a remote block failed'));
    })
    .on(Move, async (ctx, move) => {
      if (await dropped(move)) return;
      // An account moves itself only: actor and object are the origin, signed by it.
      if (!move.actorId || move.objectId?.href !== move.actorId.href || !move.targetId) return;
      const origin = await remote.byUri(move.actorId.href);
      if (!origin) return; // nobody here knows it, so nobody here follows it
      const targetId = await moveTarget(ctx, move.targetId, origin.uri);
      if (!targetId) {
        log.info({ move: move.id?.href }, 'a Move whose target does not name its origin was ignored');
        return;
      }
      await social.moves.movedRemote(origin.id, targetId);
    })
    .on(Flag, async (ctx, flag) => {
      if (await dropped(flag)) return;
      if (!flag.id) return;
      // The objects name one local account and, perhaps, some of its statuses; anything else is left out.
      let target: string | null = null;
      const statusIds: string[] = [];
      for (const uri of flag.objectIds.slice(0, REPORT_OBJECTS_MAX)) {
        const account = await localActor(ctx, uri);
        if (account) target ??= account.id;
        const post = account ? null : await localPostOf(ctx, uri);
        if (post) {
          target ??= post.userId;
          if (post.userId === target) statusIds.push(post.id);
        }
      }
      const reporterId = target ? await senderOf(ctx, flag) : null;
      if (!target || !reporterId) return;
      await social.accountReports.createRemote(reporterId, {
        targetId: target,
        statusIds,
        comment: flag.content ? plainText(flag.content.toString()) : '',
        uri: flag.id.href,
      });
    })
    .on(Like, async (ctx, like) => {
      if (await dropped(like)) return;
      const post = await localPostOf(ctx, like.objectId);
      if (!post) return groupReacted(ctx, like, true);
      // Misskey sends its reactions as a Like whose content (and `_misskey_reaction`) is the emoji.
      if (reactionOf(like)) return reacted(ctx, like, true);
      const likerId = await senderOf(ctx, like);
      if (!likerId) return;
      await social.posts.favourite(remotePrincipal(likerId), post.id, true).catch((err) => {
        log.info({ err, like: like.id?.href }, 'a remote favourite was refused');
      });
    })
    .onError((_ctx, err) => log.warn({ err }, 'an inbox activity failed'));

  // --- groups (FEP-1b12; ADR 0031) -----------------------------------------------------------------------------

  /** The federated group an actor IRI of this instance names, or null (a user, a private group, anything else). */
  async function groupNamed(ctx: Context<null>, uri: URL | null): Promise<string | null> {
    const parsed = uri ? ctx.parseUri(uri) : null;
    if (parsed?.type !== 'actor' || parsed.identifier === INSTANCE) return null;
    return (await social.groupAccounts.federated(parsed.identifier))?.id ?? null;
  }

  /** The federated groups a remote note is addressed to (to, cc, audience) or mentions (ids, each once; at most 5). */
  async function groupsNamed(ctx: Context<null>, note: Note): Promise<string[]> {
    const named = [...(await namedActors(note)), ...note.audienceIds.slice(0, 5).map((u) => u.href)];
    const ids = new Set<string>();
    for (const href of named) {
      if (ids.size >= 5) break;
      const url = URL.canParse(href) ? new URL(href) : null;
      if (url?.origin !== new URL(config.publicUrl).origin) continue;
      const group = await groupNamed(ctx, url);
      if (group) ids.add(group);
    }
    return [...ids];
  }

  /**
   * A remote Follow of a group: joining it (ADR 0031). A public group admits at once and Accepts; an
   * approval-required one keeps a join request (its moderators' answer is sent later, `group-accept`/`group-reject`);
   * a banned account, or one the group may not take, gets a Reject.
   */
  async function followGroup(ctx: Context<null>, follow: Follow, group: string): Promise<void> {
    const followerId = await senderOf(ctx, follow);
    const follower = followerId ? await remote.byId(followerId) : null;
    if (!followerId || !follower || !follow.id) return;
    const outcome = await social.groupAccounts.followRemote(remotePrincipal(followerId), group);
    // The Follow's IRI, for the Accept or Reject of a request answered later (kept while the request may be open),
    // and for the Reject that tells a member's instance they were kicked or banned (kept while they are a member).
    if (outcome === 'requested')
      await kv.set(groupFollowKey(group, followerId), follow.id.href, {
        ttl: Temporal.Duration.from({ hours: GROUP_FOLLOW_TTL_DAYS * 24 }) as never,
      });
    if (outcome === 'joined') await kv.set(groupFollowKey(group, followerId), follow.id.href);
    if (outcome === 'requested') return;
    await answerGroupFollow(ctx, group, follower, follow.id.href, outcome === 'joined');
  }

  /** The group's Accept or Reject of `follower`'s Follow `followUri`. */
  async function answerGroupFollow(
    ctx: Context<null>,
    group: string,
    follower: RemoteAccount,
    followUri: string | null,
    accept: boolean,
  ): Promise<void> {
    const me = ctx.getActorUri(group);
    const follow = new Follow({
      id: followUri ? new URL(followUri) : null,
      actor: new URL(follower.uri),
      object: me,
    });
    const answer = {
      id: new URL(`${me.href}#${accept ? 'accepts' : 'rejects'}/${randomUUID()}`),
      actor: me,
      object: follow,
    };
    await send(ctx, { identifier: group }, [follower], accept ? new Accept(answer) : new Reject(answer));
  }

  /**
   * A remote member's note addressed to groups (stored as status `statusId`): posted into each group that takes it
   * (a member with the right to post; anyone else, a banned account included, is refused and nothing is posted), and
   * the group Announces the Create it accepted to its followers (FEP-1b12).
   */
  async function postToGroups(
    ctx: Context<null>,
    create: Create,
    authorId: string,
    statusId: string,
    groups: string[],
  ): Promise<void> {
    const row = await social.posts.statusRow(authorId, statusId);
    if (!row) return;
    const made = await social.groupAccounts.postMentioned(remotePrincipal(authorId), row, groups);
    if (made.length === 0) {
      log.info(
        { create: create.id?.href, groups },
        'a remote group post was refused (not a member who may post)',
      );
      return;
    }
    for (const group of await social.groupAccounts.postedFrom(authorId, statusId))
      await announceFromGroup(ctx, group, create);
  }

  /**
   * The federated group post or comment an IRI names, as the thread and the message a reply answers, or null: the
   * group's Page (`/users/{guild}/posts/{thread}`) or comment Note (`/users/{guild}/statuses/{message}`), a remote
   * member's status that made a post, or a remote member's comment (by its Note's IRI).
   */
  async function groupTargetOf(
    ctx: Context<null>,
    uri: URL | null,
  ): Promise<{ guildId: string; threadId: string; answers: string } | null> {
    if (!uri) return null;
    const parsed = ctx.parseUri(uri);
    if (parsed?.type === 'object' && parsed.class === Page) {
      const post = await social.groupAccounts.federatedPost(parsed.values.guildId, parsed.values.id);
      return post ? { guildId: post.guild.id, threadId: post.thread.id, answers: post.thread.id } : null;
    }
    if (parsed?.type === 'object' && parsed.class === Note) {
      const comment = await social.groupAccounts.federatedComment(parsed.values.userId, parsed.values.id);
      return comment?.thread.guildId
        ? { guildId: comment.thread.guildId, threadId: comment.thread.id, answers: comment.message.id }
        : null;
    }
    if (parsed) return null;
    const known = await kv.get<{ guildId: string; threadId: string; messageId: string }>(
      groupCommentKey(uri.href),
    );
    if (known) return { guildId: known.guildId, threadId: known.threadId, answers: known.messageId };
    const status = await social.posts.byUri(uri.href);
    const post = status ? await social.groupAccounts.federatedPostOfStatus(status.userId, status.id) : null;
    return post ? { ...post, answers: post.threadId } : null;
  }

  /**
   * A remote note replying to a federated group's post or comment: a comment where its author may comment (a member
   * with the right; anyone else is refused and nothing is stored), remembered by the note's IRI, and the group
   * Announces the Create to its followers.
   */
  async function commentFromRemote(
    ctx: Context<null>,
    create: Create,
    note: Note,
    target: { guildId: string; threadId: string; answers: string },
  ): Promise<void> {
    if (!note.id || !create.actorId || note.id.origin !== create.actorId.origin) return;
    if (await kv.get(groupCommentKey(note.id.href))) return; // delivered again
    const authorId = await senderOf(ctx, create);
    const status = noteToStatus(note, null);
    if (!authorId || !status) return;
    const id = await social.groupAccounts.commentRemote(remotePrincipal(authorId), target, status.text);
    if (!id) return;
    await kv.set(groupCommentKey(note.id.href), {
      guildId: target.guildId,
      threadId: target.threadId,
      messageId: id,
    });
    await kv.set(['hearth', 'group-comment-uri', id], note.id.href);
    await announceFromGroup(ctx, target.guildId, create);
  }

  /**
   * A remote member's Update (`note` its new version) or Delete (`note` null) of their comment on a group post:
   * applied (an Update that changes nothing is not) and Announced by the group. False when it names no such comment.
   */
  async function groupCommentChanged(
    ctx: Context<null>,
    activity: Update | Delete,
    note: Note | null,
  ): Promise<boolean> {
    const uri = note ? note.id : activity.objectId;
    if (!uri || !activity.actorId || uri.origin !== activity.actorId.origin) return false;
    const known = await kv.get<{ guildId: string; threadId: string; messageId: string }>(
      groupCommentKey(uri.href),
    );
    const author = known ? await remote.byUri(activity.actorId.href) : null;
    if (!known || !author) return false;
    if (note && note.attributionId?.href !== activity.actorId.href) return true;
    const principal = remotePrincipal(author.id);
    if (note) {
      const status = noteToStatus(note, null);
      const edited =
        status &&
        (await social.groupAccounts.editCommentRemote(
          principal,
          known.threadId,
          known.messageId,
          status.text,
        ));
      if (edited) await announceFromGroup(ctx, known.guildId, activity);
      return true;
    }
    if (await social.groupAccounts.deleteCommentRemote(principal, known.threadId, known.messageId)) {
      await kv.delete(groupCommentKey(uri.href));
      await kv.delete(['hearth', 'group-comment-uri', known.messageId]);
      await announceFromGroup(ctx, known.guildId, activity);
    }
    return true;
  }

  /**
   * A remote Like or EmojiReact (added, or with `on` false taken back) of a federated group's post or comment: a
   * reaction where its sender may react, Announced by the group to its followers.
   */
  async function groupReacted(ctx: Context<null>, activity: Like | EmojiReact, on: boolean): Promise<void> {
    const target = await groupTargetOf(ctx, activity.objectId);
    if (!target) return;
    const reactorId = on
      ? await senderOf(ctx, activity)
      : activity.actorId
        ? (await remote.byUri(activity.actorId.href))?.id
        : null;
    if (!reactorId) return;
    const applied = await social.groupAccounts.reactRemote(
      remotePrincipal(reactorId),
      { guildId: target.guildId, threadId: target.threadId, messageId: target.answers },
      reactionOf(activity),
      on,
    );
    if (applied && on) await announceFromGroup(ctx, target.guildId, activity);
  }

  /** The group Announces an activity (a Create, Update or Delete of one of its posts) to its followers. */
  async function announceFromGroup(
    ctx: Context<null>,
    group: string,
    activity: Create | Update | Delete | Like | EmojiReact | Undo,
    id?: URL,
  ): Promise<void> {
    const me = ctx.getActorUri(group);
    const announce = new Announce({
      id: id ?? new URL(`${me.href}#announces/${randomUUID()}`),
      actor: me,
      object: activity,
      to: PUBLIC_COLLECTION,
      ccs: [ctx.getFollowersUri(group)],
    });
    await ctx.sendActivity({ identifier: group }, 'followers', announce, { preferSharedInbox: true });
  }

  // --- remote groups (FEP-1b12; ADR 0031 addendum) ------------------------------------------------------------

  /** A remote account's boost of a status, public or unlisted or followers-only as its Announce is addressed. */
  async function boostAs(boosterId: string, postId: string, announce: Announce): Promise<void> {
    const to = announce.toIds.map((u) => u.href);
    const cc = announce.ccIds.map((u) => u.href);
    const visibility = to.includes(PUBLIC_COLLECTION.href)
      ? 'public'
      : cc.includes(PUBLIC_COLLECTION.href)
        ? 'unlisted'
        : 'private';
    await social.reblogs.reblog(remotePrincipal(boosterId), postId, visibility).catch((err) => {
      log.info({ err, announce: announce.id?.href }, 'a remote boost was refused');
    });
  }

  /** Reads only what a document embeds: nothing given by IRI is fetched. */
  const embeddedOnly = (ctx: Context<null>) => ({
    documentLoader: async (): Promise<never> => {
      throw new Error('not fetched: embedded objects only');
    },
    contextLoader: ctx.contextLoader,
    suppressError: true,
    crossOrigin: 'trust' as const,
  });

  /**
   * An Announce by a remote Group actor (a Lemmy community, another Hearth's group) of one of its posts: the Create
   * of a Note or Page (or the Note or Page itself), its Update or its Delete. Answers false when it is none of those
   * (an ordinary boost, which the caller reads); true when it was read here. Only a group someone here follows is
   * read: its post is stored as its author's status and shown to the group's followers as the group's boost (a
   * reply is stored only under a status Hearth has, and not boosted), its author's edit edits it, a deletion deletes
   * it (or, a moderator's, ends the group's boost). Anything else is ignored and nothing is stored: a group nobody
   * here follows, an Announce of an Announce, votes and other activities. Embedded content is believed only from the
   * origin that signed or served it; anything else is fetched from its own origin (the document loader's limits).
   */
  async function relayedByRemoteGroup(ctx: Context<null>, announce: Announce): Promise<boolean> {
    const actorId = announce.actorId;
    if (!actorId || !announce.objectId) return true;
    const embedded = await announce.getObject(embeddedOnly(ctx)).catch(() => null);
    const group = await remote.followedGroup(actorId.href);
    // Someone else's relay of an activity is nobody's concern here; an object is an ordinary boost.
    if (!group) return embedded instanceof Activity;
    let object = embedded;
    if (!object) {
      const known =
        (await localPostOf(ctx, announce.objectId)) ?? (await social.posts.byUri(announce.objectId.href));
      if (known) {
        await boostAs(group.id, known.id, announce);
        return true;
      }
      // Fetched from its own origin: Fedify refuses a document whose id names another.
      object = await announce.getObject(ctx).catch(() => null);
    }
    if (object instanceof Announce) {
      log.info({ announce: announce.id?.href }, 'an Announce of an Announce was refused');
      return true;
    }
    // Whose word the object's embedded parts carry: the group's server signed what it embedded; a fetched
    // document's own origin served it.
    const vouchedBy = embedded ? actorId.origin : (object?.id?.origin ?? null);
    if (object instanceof Delete) {
      await groupDeleted(group, object, vouchedBy);
      return true;
    }
    let claimed: Note | Page | null = null;
    let postId: URL | null = null;
    let verb: 'create' | 'update' = 'create';
    let actor: URL | null = null;
    if (object instanceof Create || object instanceof Update) {
      const inner = await object.getObject(embeddedOnly(ctx)).catch(() => null);
      if (inner instanceof Activity) return true;
      claimed = inner instanceof Note || inner instanceof Page ? inner : null;
      postId = inner?.id ?? object.objectId;
      verb = object instanceof Update ? 'update' : 'create';
      actor = object.actorId;
      if (!actor) return true;
    } else if (object instanceof Note || object instanceof Page) {
      claimed = object;
      postId = object.id;
    } else return true; // a vote, a Lemmy Remove or Lock, …: not read
    if (!postId) return true;
    const local = await localPostOf(ctx, postId);
    if (local) {
      if (verb === 'create') await boostAs(group.id, local.id, announce);
      return true;
    }
    const note =
      claimed?.id?.href === postId.href && postId.origin === vouchedBy
        ? claimed
        : await fetchPost(ctx, postId, verb === 'update');
    const authorUri = note?.attributionId;
    if (!note?.id || !authorUri || (actor && actor.href !== authorUri.href)) return true;
    if (verb === 'update') {
      await groupPostEdited(note, authorUri);
      return true;
    }
    let post = await social.posts.byUri(note.id.href);
    if (!post) {
      // A comment is kept under the status it answers when Hearth has it, and is no boost of the group's.
      const parent = note.replyTargetId
        ? ((await localPostOf(ctx, note.replyTargetId)) ??
          (await social.posts.byUri(note.replyTargetId.href)))
        : null;
      if (note.replyTargetId && !parent) return true;
      const known = await remote.byUri(authorUri.href);
      const author = known ? null : await note.getAttribution(ctx).catch(() => null);
      const authorId = known?.id ?? (author && isActor(author) ? await storeActor(author) : null);
      if (!authorId) return true;
      const id = await storeNote(ctx, note, authorId, author && isActor(author) ? author : null);
      post = id ? await social.posts.statusRowById(id) : null;
    }
    if (post && !post.inReplyToId) await boostAs(group.id, post.id, announce);
    return true;
  }

  /** A remote group's post fetched from its own origin (afresh for an edit): a Note or Page with that id, or null. */
  async function fetchPost(ctx: Context<null>, id: URL, fresh: boolean): Promise<Note | Page | null> {
    if (await domainBlocks.blocksUrl(id.href)) return null;
    const found = await ctx.lookupObject(id, fresh ? { documentLoader: freshLoader } : {}).catch(() => null);
    return (found instanceof Note || found instanceof Page) && found.id?.href === id.href ? found : null;
  }

  /** A remote group relays its author's edit of a post stored here: the status is edited (its visibility stays). */
  async function groupPostEdited(note: Note | Page, authorUri: URL): Promise<void> {
    if (!note.id || note.id.origin !== authorUri.origin) return;
    const [author, post] = await Promise.all([
      remote.byUri(authorUri.href),
      social.posts.byUri(note.id.href),
    ]);
    if (!author || !post || post.userId !== author.id) return;
    const status = noteToStatus(note, null, note instanceof Page ? await pageLink(note) : null);
    if (!status) return;
    await social.posts.editRemote(author.id, post.id, {
      ...status,
      inReplyTo: null,
      media: await remoteAttachments(note),
    });
  }

  /**
   * A remote group relays a deletion of a post stored here. Its author's deletion deletes the status, when the
   * group's server vouches for it (the author lives there) or the post is gone from its origin (404, 410, a
   * Tombstone); a deletion by anyone else the group vouches for (a moderator's removal), or by the group itself,
   * ends the group's boost of it and leaves its author's status be.
   */
  async function groupDeleted(group: RemoteAccount, del: Delete, vouchedBy: string | null): Promise<void> {
    const objectId = del.objectId;
    const actorId = del.actorId;
    if (!objectId || !actorId) return;
    const post = await social.posts.byUri(objectId.href);
    if (!post) return;
    const author = await remote.byId(post.userId);
    const vouched = actorId.origin === vouchedBy;
    if (author && actorId.href === author.uri && objectId.origin === actorId.origin) {
      if (!vouched && !(await goneAtOrigin(objectId))) return;
      await kv.set(tombstoneKey(objectId.href), true, {
        ttl: Temporal.Duration.from({ hours: TOMBSTONE_TTL_DAYS * 24 }) as never,
      });
      await social.posts.remove(remotePrincipal(author.id), post.id).catch((err) => {
        log.info({ err, object: objectId.href }, 'a relayed delete failed');
      });
      return;
    }
    if (vouched || actorId.href === group.uri)
      await social.reblogs.unreblog(remotePrincipal(group.id), post.id).catch(() => {});
  }

  /** Whether a remote object is gone from its origin: 404, 410 or a Tombstone there (anything else: not known). */
  async function goneAtOrigin(id: URL): Promise<boolean> {
    try {
      const doc = (await freshLoader(id.href)).document as { type?: unknown } | null;
      return doc?.type === 'Tombstone';
    } catch (err) {
      const status = err instanceof FetchError ? err.response?.status : undefined;
      return status === 404 || status === 410;
    }
  }

  /**
   * Whether an activity is dropped unread: its sender is on a domain the admins suspended (Fedify verified its
   * signature already). Every listener asks first, so this is also where a verified receipt from an instance is noted
   * (the instances view) and where an instance is heard from: deliveries there resume (ADR 0050).
   */
  async function dropped(activity: { actorId: URL | null }): Promise<boolean> {
    if (!activity.actorId || (await domainBlocks.blocksUrl(activity.actorId.href))) return true;
    await social.instances
      .received(activity.actorId.href)
      .catch((err) => log.warn({ err }, 'an instance receipt was not noted'));
    const host = hostOf(activity.actorId.href);
    // Deliveries held by Fedify's breaker go out again at their next try, not after its probe.
    if (host && (await remote.instanceReachable(host))) await kv.delete([...CIRCUIT_PREFIX, host]);
    return false;
  }

  /**
   * The account a Move's target names (local, or remote fetched afresh and stored) when it lists `originUri` among its
   * aliases (alsoKnownAs), else null.
   */
  async function moveTarget(ctx: Context<null>, target: URL, originUri: string): Promise<string | null> {
    const local = await localActor(ctx, target);
    if (local) return local.alsoKnownAs.includes(originUri) ? local.id : null;
    const fetched = await fetchActorFresh(ctx, target);
    return fetched?.actor.aliasIds.some((u) => u.href === originUri) ? fetched.id : null;
  }

  /** The local accounts a remote note mentions or addresses (ids, each once). */
  async function localAccountsNamed(ctx: Context<null>, note: Note): Promise<string[]> {
    const ids = new Set<string>();
    for (const href of await namedActors(note)) {
      const user = await localActor(ctx, new URL(href));
      if (user) ids.add(user.id);
    }
    return [...ids];
  }

  /**
   * Stores a remote Note of `authorId` (its author's actor, when known, tells followers-only from direct); answers
   * the status's id, or null when it is nothing to store (direct, deleted, not the author's own).
   */
  async function storeNote(
    ctx: Context<null>,
    note: Note | Page,
    authorId: string,
    authorActor: Actor | null,
    mentions: string[] = [],
    media: RemoteAttachment[] | null = null,
  ): Promise<string | null> {
    const account = await remote.byId(authorId);
    // The note must live on its author's server.
    if (!account || !note.id || note.id.origin !== new URL(account.uri).origin) return null;
    if (note.attributionId?.href !== account.uri) return null;
    const link = note instanceof Page ? await pageLink(note) : null;
    const status = noteToStatus(note, authorActor?.followersId?.href ?? null, link);
    // A direct status is kept only for the local accounts it names (they alone may see it).
    if (!status || (status.visibility === 'direct' && !mentions.length)) return null;
    if (await kv.get(tombstoneKey(status.uri))) return null;
    const parent = status.inReplyTo
      ? ((await localPostOf(ctx, new URL(status.inReplyTo))) ?? (await social.posts.byUri(status.inReplyTo)))
      : null;
    return social.posts.createRemote(authorId, {
      ...status,
      inReplyTo: parent ? { userId: parent.userId, id: parent.id } : null,
      mentions,
      media: media ?? (await remoteAttachments(note)),
    });
  }

  /** The Unicode emoji an EmojiReact or a Misskey reaction Like carries, or null (a plain Like, a custom emoji). */
  function reactionOf(activity: Like | EmojiReact): string | null {
    const content = activity.content?.toString().trim() ?? '';
    return content && content.length <= 32 && /^\p{RGI_Emoji}$/v.test(content) ? content : null;
  }

  /** A remote account's emoji reaction to a local status, added or (`on` false) taken back. */
  async function reacted(ctx: Context<null>, activity: Like | EmojiReact, on: boolean): Promise<void> {
    const emoji = reactionOf(activity);
    const post = emoji ? await localPostOf(ctx, activity.objectId) : null;
    if (emoji && !post) return groupReacted(ctx, activity, on);
    if (!emoji || !post) return;
    const reactorId = on
      ? await senderOf(ctx, activity)
      : activity.actorId
        ? (await remote.byUri(activity.actorId.href))?.id
        : null;
    if (!reactorId) return;
    await social.reactions
      .react(remotePrincipal(reactorId), post.id, emoji, on)
      .catch((err) => log.info({ err, activity: activity.id?.href }, 'a remote reaction was refused'));
  }

  /** A local status an object IRI names. */
  async function localPostOf(ctx: Context<null>, uri: URL | null) {
    const parsed = uri ? ctx.parseUri(uri) : null;
    if (parsed?.type !== 'object' || parsed.class !== Note) return null;
    const post = await social.posts.statusRow(parsed.values.userId, parsed.values.id);
    return post && !post.uri ? post : null;
  }

  /** A remote account's Accept or Reject of a local account's follow. */
  async function answered(ctx: Context<null>, activity: Accept | Reject, accept: boolean) {
    const senderId = activity.actorId ? (await remote.byUri(activity.actorId.href))?.id : null;
    if (!senderId) return;
    const follow = await activity.getObject(ctx).catch(() => null);
    // Mastodon embeds the Follow; a bare IRI names one of ours (`/users/{id}/follows/{id}`).
    const followerUri =
      follow instanceof Follow
        ? follow.actorId
        : activity.objectId
          ? followerOfFollowUri(activity.objectId)
          : null;
    const follower = await localActor(ctx, followerUri);
    if (!follower) return;
    // A Reject ends the follow whether or not it was accepted (Mastodon sends one when it removes a follower).
    if (accept)
      await social.follows.answerRequest(remotePrincipal(senderId), follower.id, true).catch(() => {});
    else await social.follows.removeFollower(remotePrincipal(senderId), follower.id).catch(() => {});
  }
  function followerOfFollowUri(uri: URL): URL | null {
    const m = /^(.*\/users\/\d+)\/follows\/\d+$/.exec(uri.href);
    return m ? new URL(m[1]) : null;
  }

  // --- what the domain asks to send ----------------------------------------------------------------------------

  const recipientOf = (a: { uri: string; inbox: string; sharedInbox: string | null }): Recipient => ({
    id: new URL(a.uri),
    inboxId: new URL(a.inbox),
    endpoints: a.sharedInbox ? { sharedInbox: new URL(a.sharedInbox) } : null,
  });

  async function deliver(d: FederationDelivery): Promise<void> {
    const ctx = federation.createContext(new URL(config.publicUrl), null);
    if (d.type === 'flag') return sendFlag(ctx, d.reportId);
    if ('guildId' in d) return deliverForGroup(ctx, d);
    const me = ctx.getActorUri(d.userId);
    const sender = { identifier: d.userId };
    switch (d.type) {
      case 'follow':
      case 'undo-follow': {
        const target = await remote.byId(d.targetId);
        if (!target) return;
        const follow = new Follow({
          id: new URL(social.posts.urls.followUri(d.userId, d.followId)),
          actor: me,
          object: new URL(target.uri),
        });
        const activity =
          d.type === 'follow'
            ? follow
            : new Undo({ id: new URL(`${follow.id?.href}/undo`), actor: me, object: follow });
        await send(ctx, sender, [target], activity);
        return;
      }
      case 'accept':
      case 'reject': {
        const follower = await remote.byId(d.followerId);
        if (!follower) return;
        const follow = new Follow({
          id: d.followUri ? new URL(d.followUri) : null,
          actor: new URL(follower.uri),
          object: me,
        });
        const answer = { id: new URL(`${me.href}#${d.type}s/${randomUUID()}`), actor: me, object: follow };
        await send(ctx, sender, [follower], d.type === 'accept' ? new Accept(answer) : new Reject(answer));
        return;
      }
      case 'create': {
        const s = await localStatus(ctx, d.userId, d.postId);
        if (!s) return;
        await sendToAudience(
          ctx,
          d.userId,
          { direct: s.visibility === 'direct', named: await namedOf(s) },
          createOf(s),
        );
        return;
      }
      case 'update': {
        const s = await localStatus(ctx, d.userId, d.postId);
        if (!s) return;
        const note = statusToNote(s);
        const update = new Update({
          id: new URL(`${s.uri}#updates/${Date.now()}`),
          actor: me,
          object: note,
          tos: note.toIds,
          ccs: note.ccIds,
          updated: note.updated,
        });
        await sendToAudience(
          ctx,
          d.userId,
          { direct: s.visibility === 'direct', named: await namedOf(s) },
          update,
        );
        return;
      }
      case 'block':
      case 'undo-block': {
        const target = await remote.byId(d.targetId);
        if (!target) return;
        // A fresh id each time: a receiver that remembers processed activity ids must not drop a block made again.
        const block = new Block({
          id: new URL(`${me.href}#blocks/${d.targetId}/${randomUUID()}`),
          actor: me,
          object: new URL(target.uri),
        });
        const activity =
          d.type === 'block'
            ? block
            : new Undo({ id: new URL(`${block.id?.href}/undo/${randomUUID()}`), actor: me, object: block });
        await send(ctx, sender, [target], activity);
        return;
      }
      case 'delete': {
        const uri = ctx.getObjectUri(Note, { userId: d.userId, id: d.postId });
        const named = (await Promise.all((d.to ?? []).map((id) => remote.byId(id)))).filter(
          (a) => a !== null,
        );
        const del = new Delete({
          id: new URL(`${uri.href}#delete`),
          actor: me,
          object: new Tombstone({ id: uri }),
          ...(d.direct
            ? { tos: named.map((a) => new URL(a.uri)) }
            : {
                to: PUBLIC_COLLECTION,
                ccs: [ctx.getFollowersUri(d.userId), ...named.map((a) => new URL(a.uri))],
              }),
        });
        await sendToAudience(ctx, d.userId, { direct: d.direct === true, named }, del);
        return;
      }
      case 'announce':
      case 'undo-announce': {
        const original = await social.posts.statusRow(d.originalUserId, d.originalId);
        if (!original) return;
        const author = await remote.byId(d.originalUserId);
        const announce = new Announce({
          id: new URL(`${me.href}/statuses/${d.boostId}/activity`),
          actor: me,
          object: original.uri
            ? new URL(original.uri)
            : ctx.getObjectUri(Note, { userId: original.userId, id: original.id }),
          to: PUBLIC_COLLECTION,
          ccs: [
            author ? new URL(author.uri) : ctx.getActorUri(original.userId),
            ctx.getFollowersUri(d.userId),
          ],
        });
        const activity =
          d.type === 'announce'
            ? announce
            : new Undo({ id: new URL(`${announce.id?.href}/undo`), actor: me, object: announce });
        await ctx.sendActivity(sender, 'followers', activity, { preferSharedInbox: true });
        // The boosted status's author hears of it even when not following the booster.
        if (author) await send(ctx, sender, [author], activity);
        return;
      }
      case 'react':
      case 'undo-react': {
        const [author, post] = await Promise.all([
          remote.byId(d.authorId),
          social.posts.statusRow(d.authorId, d.postId),
        ]);
        if (!author || !post?.uri) return;
        const react = new EmojiReact({
          id: new URL(`${me.href}#reactions/${d.postId}/${encodeURIComponent(d.emoji)}`),
          actor: me,
          object: new URL(post.uri),
          content: d.emoji,
        });
        const activity =
          d.type === 'react'
            ? react
            : new Undo({ id: new URL(`${react.id?.href}/undo/${randomUUID()}`), actor: me, object: react });
        await send(ctx, sender, [author], activity);
        return;
      }
      case 'delete-person': {
        const to = (await Promise.all(d.to.map((id) => remote.byId(id)))).filter((a) => a !== null);
        const del = new Delete({
          id: new URL(`${me.href}#delete`),
          actor: me,
          object: me,
          to: PUBLIC_COLLECTION,
        });
        await send(ctx, sender, to, del, { preferSharedInbox: true });
        return;
      }
      case 'move': {
        const target = await remote.byId(d.targetId);
        const move = new Move({
          id: new URL(`${me.href}#moves/${randomUUID()}`),
          actor: me,
          object: me,
          target: target ? new URL(target.uri) : ctx.getActorUri(d.targetId),
          to: ctx.getFollowersUri(d.userId),
        });
        await sendToAudience(ctx, d.userId, { direct: false, named: [] }, move);
        return;
      }
      case 'update-person': {
        const person = await actorOf(ctx, d.userId);
        if (!person) return;
        const update = new Update({
          id: new URL(`${me.href}#updates/${Date.now()}`),
          actor: me,
          object: person,
          to: PUBLIC_COLLECTION,
          ccs: [ctx.getFollowersUri(d.userId)],
        });
        await ctx.sendActivity(sender, 'followers', update, { preferSharedInbox: true });
        return;
      }
      case 'like':
      case 'undo-like': {
        const [author, post] = await Promise.all([
          remote.byId(d.authorId),
          social.posts.statusRow(d.authorId, d.postId),
        ]);
        if (!author || !post?.uri) return;
        // One id per favourite: favouriting again after an Undo is a new Like, and the Undo names the one it ends.
        const likeId = `${me.href}#likes/${d.postId}${d.likeKey ? `/${d.likeKey}` : ''}`;
        const like = new Like({ id: new URL(likeId), actor: me, object: new URL(post.uri) });
        const activity =
          d.type === 'like' ? like : new Undo({ id: new URL(`${likeId}/undo`), actor: me, object: like });
        await send(ctx, sender, [author], activity);
        return;
      }
    }
  }

  /** What a group sends: its moderators' answer to a remote join request, or the Announce of one of its posts. */
  async function deliverForGroup(
    ctx: Context<null>,
    d: Extract<FederationDelivery, { guildId: string }>,
  ): Promise<void> {
    if ('followerId' in d) {
      const follower = await remote.byId(d.followerId);
      if (!follower || !(await social.groupAccounts.federated(d.guildId))) return;
      const key = groupFollowKey(d.guildId, d.followerId);
      const followUri = (await kv.get<string>(key)) ?? null;
      await kv.delete(key);
      return answerGroupFollow(ctx, d.guildId, follower, followUri, d.type === 'group-accept');
    }
    if (d.type === 'group-comment' || d.type === 'group-comment-update') return sendGroupComment(ctx, d);
    if (d.type === 'group-react') return sendGroupReaction(ctx, d);
    if (d.type === 'group-comment-delete') return sendGroupCommentDelete(ctx, d);
    return sendGroupPost(ctx, d);
  }

  /**
   * A local member's reaction on a federated group's post or comment (or its Undo): the group Announces its Like (the
   * post's favourite reaction, which Mastodon shows as a favourite) or EmojiReact with the emoji as `content`.
   */
  async function sendGroupReaction(
    ctx: Context<null>,
    d: Extract<FederationDelivery, { type: 'group-react' }>,
  ): Promise<void> {
    const post = await social.groupAccounts.federatedPost(d.guildId, d.threadId);
    if (!post) return;
    const object =
      d.messageId === d.threadId
        ? ctx.getObjectUri(Page, { guildId: d.guildId, id: d.threadId })
        : await groupCommentUri(ctx, d.guildId, d.messageId);
    const me = ctx.getActorUri(d.userId);
    const like = await social.groupAccounts.isFavouriteReaction(d.threadId, d.emoji);
    const id = new URL(`${me.href}#group-reactions/${d.messageId}/${encodeURIComponent(d.emoji)}`);
    const reaction = like
      ? new Like({ id, actor: me, object })
      : new EmojiReact({ id, actor: me, object, content: d.emoji });
    const activity = d.on
      ? reaction
      : new Undo({ id: new URL(`${id.href}/undo`), actor: me, object: reaction });
    await announceFromGroup(ctx, d.guildId, activity, new URL(`${activity.id?.href}/announce/${Date.now()}`));
  }

  /**
   * A comment deleted by its local author, or removed by a moderator: the group Announces the Delete (the author's, or
   * its own) of the comment's Note (a remote member's own IRI for theirs).
   */
  async function sendGroupCommentDelete(
    ctx: Context<null>,
    d: Extract<FederationDelivery, { type: 'group-comment-delete' }>,
  ): Promise<void> {
    if (!(await social.groupAccounts.federated(d.guildId))) return;
    const object = await groupCommentUri(ctx, d.guildId, d.messageId);
    const authorRemote = await remote.byId(d.authorId);
    const group = ctx.getActorUri(d.guildId);
    const del = new Delete({
      id: new URL(`${ctx.getObjectUri(Note, { userId: d.guildId, id: d.messageId }).href}#delete`),
      actor: d.moderated ? group : authorRemote ? new URL(authorRemote.uri) : ctx.getActorUri(d.authorId),
      object: new Tombstone({ id: object }),
      to: PUBLIC_COLLECTION,
      ccs: [group, ctx.getFollowersUri(d.guildId)],
    });
    await announceFromGroup(ctx, d.guildId, del, new URL(`${del.id?.href}/announce`));
    if (object.href !== ctx.getObjectUri(Note, { userId: d.guildId, id: d.messageId }).href) {
      await kv.delete(groupCommentKey(object.href));
      await kv.delete(['hearth', 'group-comment-uri', d.messageId]);
    }
  }

  /**
   * A local member's comment on a federated group's post, or its edit: the group Announces its author's Create (or
   * Update) of the Note.
   */
  async function sendGroupComment(
    ctx: Context<null>,
    d: Extract<FederationDelivery, { type: 'group-comment' | 'group-comment-update' }>,
  ): Promise<void> {
    const note = await groupComment(ctx, d.guildId, d.messageId);
    if (!note?.id) return;
    const parts = {
      actor: ctx.getActorUri(d.authorId),
      object: note,
      to: PUBLIC_COLLECTION,
      ccs: [ctx.getActorUri(d.guildId), ctx.getFollowersUri(d.guildId)],
    };
    const activity =
      d.type === 'group-comment'
        ? new Create({ id: new URL(`${note.id.href}#create`), ...parts })
        : new Update({ id: new URL(`${note.id.href}#updates/${Date.now()}`), ...parts });
    await announceFromGroup(ctx, d.guildId, activity, new URL(`${activity.id?.href}/announce`));
  }

  /**
   * A federated group's local post created, edited or deleted: the group Announces its author's Create or Update of
   * the Page, or the Delete (by the author, or by the group when a moderator removed it), to its followers.
   */
  async function sendGroupPost(
    ctx: Context<null>,
    d: Extract<FederationDelivery, { type: 'group-create' | 'group-update' | 'group-delete' }>,
  ): Promise<void> {
    if (!(await social.groupAccounts.federated(d.guildId))) return;
    const group = ctx.getActorUri(d.guildId);
    const pageId = ctx.getObjectUri(Page, { guildId: d.guildId, id: d.threadId });
    const authorRemote = await remote.byId(d.authorId);
    const author = authorRemote ? new URL(authorRemote.uri) : ctx.getActorUri(d.authorId);
    const audience = { to: PUBLIC_COLLECTION, ccs: [group, ctx.getFollowersUri(d.guildId)] };
    let activity: Create | Update | Delete;
    if (d.type === 'group-delete') {
      // A remote author's post removed by a moderator is its status's IRI; a local one is the Page.
      const object = authorRemote && d.sourceUri ? new URL(d.sourceUri) : pageId;
      activity = new Delete({
        id: new URL(`${pageId.href}#delete`),
        actor: d.moderated ? group : author,
        object: new Tombstone({ id: object }),
        ...audience,
      });
    } else {
      const page = await groupPage(ctx, d.guildId, d.threadId);
      if (!page) return;
      const parts = { actor: author, object: page, ...audience };
      activity =
        d.type === 'group-create'
          ? new Create({ id: new URL(`${pageId.href}#create`), ...parts })
          : new Update({ id: new URL(`${pageId.href}#updates/${Date.now()}`), ...parts });
    }
    await announceFromGroup(ctx, d.guildId, activity, new URL(`${activity.id?.href}/announce`));
  }

  /** A forwarded report to its target's instance: a Flag from the instance actor, as Mastodon sends them. */
  async function sendFlag(ctx: Context<null>, reportId: string): Promise<void> {
    const report = await social.accountReports.forwarded(reportId);
    const target = report ? await remote.byId(report.targetId) : null;
    if (!report || !target) return;
    const flag = new Flag({
      id: new URL(`${ctx.getActorUri(INSTANCE).href}#flags/${reportId}`),
      actor: ctx.getActorUri(INSTANCE),
      objects: [new URL(target.uri), ...report.statusUris.map((u) => new URL(u))],
      content: report.comment,
    });
    await send(ctx, { identifier: INSTANCE }, [target], flag);
  }

  /** Sends to remote accounts, leaving out those on a domain the admins blocked. */
  async function send(
    ctx: Context<null>,
    sender: { identifier: string },
    to: Array<{ uri: string; inbox: string; sharedInbox: string | null }>,
    activity: Parameters<Context<null>['sendActivity']>[2],
    opts: { preferSharedInbox?: boolean } = {},
  ): Promise<void> {
    // Nothing goes to a domain the admins blocked, nor to an instance marked unavailable (ADR 0050).
    const allowed = await remote.reachable(await domainBlocks.allowedUrls(to, (a) => a.uri), (a) => a.inbox);
    if (allowed.length) await ctx.sendActivity(sender, allowed.map(recipientOf), activity, opts);
  }

  /**
   * Sends a status's Create, Update or Delete to its audience on other instances: its author's remote followers
   * (unless it is direct) and `named`, the remote accounts it mentions and the remote author it answers.
   */
  async function sendToAudience(
    ctx: Context<null>,
    userId: string,
    audience: { direct: boolean; named: Array<RemoteAccount | null> },
    activity: Parameters<Context<null>['sendActivity']>[2],
  ): Promise<void> {
    const named = audience.named.filter((a) => a !== null);
    const all = audience.direct ? named : [...(await remote.remoteFollowers(userId, FANOUT_MAX)), ...named];
    const unique = [...new Map(all.map((a) => [a.id, a])).values()];
    await send(ctx, { identifier: userId }, unique, activity, { preferSharedInbox: true });
  }

  /** The remote accounts a local status names besides followers: those it mentions, and the author it answers. */
  const namedOf = (s: {
    visibility: Visibility;
    remoteMentioned: string[];
    remoteParentAuthor: string | null;
  }) => {
    const ids = [...s.remoteMentioned];
    if (s.visibility !== 'direct' && s.remoteParentAuthor) ids.push(s.remoteParentAuthor);
    return Promise.all(ids.map((id) => remote.byId(id)));
  };

  /** `name@host` of another instance: WebFinger there, then its actor, stored as an account. */
  async function resolve(acct: string): Promise<string | null> {
    const known = await remote.byAcct(acct);
    if (known) return known.id;
    const at = acct.lastIndexOf('@');
    if (at < 0 || (await domainBlocks.blocksUrl(`https://${acct.slice(at + 1)}/`))) return null;
    const actorUrl = await webFingerSelf(acct, {
      allowPrivate: config.federationAllowPrivateAddresses,
      allowHttp: config.federationAllowHttp,
    });
    if (!actorUrl) return null;
    const ctx = federation.createContext(new URL(config.publicUrl), null);
    const actor = await ctx.lookupObject(actorUrl);
    return actor && isActor(actor) ? storeActor(actor) : null;
  }

  /** Fetches a remote account's actor again, afresh, and stores it (a Move's alias check); whether that worked. */
  async function refresh(accountId: string): Promise<boolean> {
    const account = await remote.byId(accountId);
    if (!account) return false;
    const ctx = federation.createContext(new URL(config.publicUrl), null);
    return (await fetchActorFresh(ctx, new URL(account.uri))) !== null;
  }

  return { federation, resolve, deliver, processTask, refresh };
}
