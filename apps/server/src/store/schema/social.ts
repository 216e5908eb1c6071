import { type SQL, sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { snowflake, timestamptz } from './types';

// The social layer (ADR 0028). Every table owned by a user starts its key with `user_id` (ADR 0002).

/**
 * What status search matches (ADR 0028 addendum): the content warning and the text as written, as a `simple`
 * (language-neutral, unstemmed) text-search vector. The GIN index `posts_search_idx` is on exactly this expression,
 * so a query must build it here to use the index.
 */
export function postSearchDocument(t: { spoilerText: AnyPgColumn; text: AnyPgColumn }): SQL {
  return sql`to_tsvector('simple'::regconfig, ${t.spoilerText} || ' ' || ${t.text})`;
}

/** A user's social counts, kept exact by the transactions that change them. */
export const accountStats = pgTable('account_stats', {
  userId: snowflake('user_id').primaryKey(),
  followersCount: integer('followers_count').notNull().default(0),
  followingCount: integer('following_count').notNull().default(0),
  statusesCount: integer('statuses_count').notNull().default(0),
  lastStatusAt: timestamptz('last_status_at'),
});

/** Whom `user_id` follows (or asked to: `accepted` false while a locked account has not answered). */
export const follows = pgTable(
  'follows',
  {
    userId: snowflake('user_id').notNull(),
    targetId: snowflake('target_id').notNull(),
    /** The follow's id, the same in `followers`: pages the lists. */
    id: snowflake('id').notNull(),
    accepted: boolean('accepted').notNull(),
    /** The Follow activity's IRI when either side is remote (an Accept or Undo names it; ADR 0040). */
    uri: text('uri'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.targetId] }), index('follows_user_id_idx').on(t.userId, t.id)],
);

/** Who follows `user_id`: the mirror of `follows`, written in the same transaction. */
export const followers = pgTable(
  'followers',
  {
    userId: snowflake('user_id').notNull(),
    followerId: snowflake('follower_id').notNull(),
    id: snowflake('id').notNull(),
    accepted: boolean('accepted').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.followerId] }),
    index('followers_user_id_idx').on(t.userId, t.accepted, t.id),
  ],
);

/** A status: a post, or a comment when `in_reply_to_id` names the status it answers. `user_id` is the author. */
export const posts = pgTable(
  'posts',
  {
    userId: snowflake('user_id').notNull(),
    id: snowflake('id').notNull(),
    /** The text as written (Mastodon's `source`); `content` is it rendered as HTML. */
    text: text('text').notNull(),
    content: text('content').notNull(),
    spoilerText: text('spoiler_text').notNull().default(''),
    sensitive: boolean('sensitive').notNull().default(false),
    /** public | unlisted | private (followers only) | direct (mentioned people only). */
    visibility: text('visibility').notNull(),
    language: text('language'),
    inReplyToId: snowflake('in_reply_to_id'),
    inReplyToAccountId: snowflake('in_reply_to_account_id'),
    /** The app that posted it (an oauth_apps id), if any. */
    applicationId: snowflake('application_id'),
    repliesCount: integer('replies_count').notNull().default(0),
    favouritesCount: integer('favourites_count').notNull().default(0),
    reblogsCount: integer('reblogs_count').notNull().default(0),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    editedAt: timestamptz('edited_at'),
    /** A boost (reblog): the status it boosts and that status's author; its own text is empty. */
    reblogOfId: snowflake('reblog_of_id'),
    reblogOfAccountId: snowflake('reblog_of_account_id'),
    /** A remote status's ActivityPub object IRI and its page (ADR 0040); null for local statuses. */
    uri: text('uri'),
    url: text('url'),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.id] }),
    index('posts_id_idx').on(t.id),
    index('posts_reblog_of_idx').on(t.reblogOfId),
    // One boost per account and status: a second one changes nothing (reblogs_count exact).
    uniqueIndex('posts_reblog_key').on(t.userId, t.reblogOfId).where(sql`${t.reblogOfId} is not null`),
    index('posts_in_reply_to_idx').on(t.inReplyToId),
    uniqueIndex('posts_uri_key').on(t.uri).where(sql`${t.uri} is not null`),
    index('posts_public_idx').on(t.id).where(sql`${t.visibility} = 'public'`),
    index('posts_search_idx').using('gin', postSearchDocument(t)),
    check('posts_visibility_check', sql`${t.visibility} in ('public', 'unlisted', 'private', 'direct')`),
  ],
);

/** People a status mentions (they may see it when it is direct). Keyed by the post's author, beside the post. */
export const postMentions = pgTable(
  'post_mentions',
  {
    userId: snowflake('user_id').notNull(),
    postId: snowflake('post_id').notNull(),
    mentionedId: snowflake('mentioned_id').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.postId, t.mentionedId] }),
    index('post_mentions_mentioned_idx').on(t.mentionedId, t.postId),
  ],
);

/** Favourites (emoji '') and emoji reactions on a status. Keyed by the post's author, beside the post. */
export const postReactions = pgTable(
  'post_reactions',
  {
    userId: snowflake('user_id').notNull(),
    postId: snowflake('post_id').notNull(),
    reactorId: snowflake('reactor_id').notNull(),
    /** '' is a favourite; otherwise a Unicode emoji or a custom emoji's `:name:`. */
    emoji: text('emoji').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.postId, t.reactorId, t.emoji] }),
    index('post_reactions_reactor_idx').on(t.reactorId, t.postId),
  ],
);

/**
 * The hashtags of a status (lower case), for tag timelines, hashtag search and trends. Keyed by the tag: a tag's
 * statuses are one read; `created_at` is the status's, for the trends' window.
 */
export const postTags = pgTable(
  'post_tags',
  {
    tag: text('tag').notNull(),
    postId: snowflake('post_id').notNull(),
    userId: snowflake('user_id').notNull(),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tag, t.postId] }),
    index('post_tags_post_idx').on(t.userId, t.postId),
    index('post_tags_created_idx').on(t.createdAt),
  ],
);

/** Earlier versions of an edited status (edit history). */
export const postEdits = pgTable(
  'post_edits',
  {
    userId: snowflake('user_id').notNull(),
    postId: snowflake('post_id').notNull(),
    id: snowflake('id').notNull(),
    text: text('text').notNull(),
    content: text('content').notNull(),
    spoilerText: text('spoiler_text').notNull(),
    sensitive: boolean('sensitive').notNull(),
    /** The media attachments of this version, in order (their rows stay with the status until it is deleted). */
    mediaIds: text('media_ids').array().notNull().default(sql`'{}'`),
    /** The poll's options in this version (Mastodon's StatusEdit `poll`); null when it had no poll. */
    pollOptions: text('poll_options').array(),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.postId, t.id] })],
);

/** Mastodon client applications (POST /api/v1/apps); `id` is the client_id. */
export const oauthApps = pgTable('oauth_apps', {
  id: snowflake('id').primaryKey(),
  name: text('name').notNull(),
  website: text('website'),
  redirectUris: text('redirect_uris').array().notNull(),
  scopes: text('scopes').notNull(),
  secretHash: text('secret_hash').notNull(),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
});

/** Access tokens handed to Mastodon clients: opaque, stored hashed, each bound to a Hearth session. */
export const oauthTokens = pgTable(
  'oauth_tokens',
  {
    userId: snowflake('user_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    sessionId: snowflake('session_id').notNull(),
    appId: snowflake('app_id').notNull(),
    scopes: text('scopes').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.tokenHash] }),
    uniqueIndex('oauth_tokens_session_key').on(t.userId, t.sessionId),
  ],
);

/**
 * Authorization codes of `/oauth/authorize` (RFC 6749 §4.1), stored hashed: single use (taken with `delete …
 * returning`), ten minutes at most, bound to the client, the redirect URI and, with PKCE, the S256 challenge.
 */
export const oauthCodes = pgTable(
  'oauth_codes',
  {
    codeHash: text('code_hash').primaryKey(),
    appId: snowflake('app_id').notNull(),
    userId: snowflake('user_id').notNull(),
    redirectUri: text('redirect_uri').notNull(),
    scopes: text('scopes').notNull(),
    /** BASE64URL(SHA-256(code_verifier)) when the client used PKCE; null otherwise. */
    codeChallenge: text('code_challenge'),
    expiresAt: timestamptz('expires_at').notNull(),
  },
  (t) => [index('oauth_codes_expires_idx').on(t.expiresAt)],
);

/** Tokens of the `client_credentials` grant: they name an app, not a person, and read only what anyone may. */
export const oauthClientTokens = pgTable(
  'oauth_client_tokens',
  {
    appId: snowflake('app_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    scopes: text('scopes').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.appId, t.tokenHash] })],
);

/** `Idempotency-Key`s of status creation: the same key within an hour answers the status it made. */
export const postIdempotencyKeys = pgTable(
  'post_idempotency_keys',
  {
    userId: snowflake('user_id').notNull(),
    key: text('key').notNull(),
    postId: snowflake('post_id').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] })],
);

/**
 * What happened to `user_id` (the recipient) on the social side, Mastodon's notification types: `follow`,
 * `follow_request`, `mention`, `favourite`, and those whose causes are not built yet (`status`, `reblog`, `poll`,
 * `update`, `pleroma:emoji_reaction`). Written in the transaction of its cause and removed with it.
 */
export const notifications = pgTable(
  'notifications',
  {
    userId: snowflake('user_id').notNull(),
    id: snowflake('id').notNull(),
    type: text('type').notNull(),
    /** Who caused it. */
    fromId: snowflake('from_id').notNull(),
    /** The status it is about (mention, favourite, …); null for follows. */
    statusId: snowflake('status_id'),
    /** The emoji of a `pleroma:emoji_reaction` (as post_reactions stores it); null otherwise. */
    emoji: text('emoji'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.id] }),
    index('notifications_status_idx').on(t.statusId),
    index('notifications_from_idx').on(t.fromId, t.userId),
    check(
      'notifications_type_check',
      sql`${t.type} in ('mention', 'status', 'reblog', 'follow', 'follow_request', 'favourite', 'poll', 'update', 'move', 'pleroma:emoji_reaction')`,
    ),
  ],
);

/** Where a user stopped reading a timeline (`home`, `notifications`): Mastodon's markers; `version` counts saves. */
export const markers = pgTable(
  'markers',
  {
    userId: snowflake('user_id').notNull(),
    timeline: text('timeline').notNull(),
    lastReadId: snowflake('last_read_id').notNull(),
    version: integer('version').notNull().default(1),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.timeline] }),
    check('markers_timeline_check', sql`${t.timeline} in ('home', 'notifications')`),
  ],
);

/**
 * A file posted on the social side (the seed's MEDIA; Mastodon's MediaAttachment), owned by `user_id`, who uploaded
 * it. It is attached to at most one status (`status_id`, as Mastodon has it) and stays with that status until the
 * status is deleted, even when an edit takes it out (the edit history shows it). Unattached uploads expire after a
 * day (ADR 0033).
 */
export const mediaAttachments = pgTable(
  'media_attachments',
  {
    userId: snowflake('user_id').notNull(),
    id: snowflake('id').notNull(),
    /** Mastodon's type: image | gifv | video | audio | unknown. */
    type: text('type').notNull(),
    contentType: text('content_type').notNull(),
    storageKey: text('storage_key').notNull(),
    /** The `small` version of an image (WebP); null for other types. */
    previewKey: text('preview_key'),
    size: bigint('size', { mode: 'number' }).notNull(),
    width: integer('width'),
    height: integer('height'),
    previewWidth: integer('preview_width'),
    previewHeight: integer('preview_height'),
    /** Alt text. */
    description: text('description'),
    focusX: real('focus_x').notNull().default(0),
    focusY: real('focus_y').notNull().default(0),
    blurhash: text('blurhash'),
    /** The status it is attached to; null until it is posted. */
    statusId: snowflake('status_id'),
    /** Its place among the status's current attachments; null when an edit took it out (kept for history). */
    position: integer('position'),
    /**
     * Moved to the trash by its owner (the seed's status `trash`; null: `visible`): hidden from its status and from
     * everyone but the owner until restored, or deleted for good from the trash.
     */
    trashedAt: timestamptz('trashed_at'),
    /**
     * A remote status's attachment: where its instance serves it (Mastodon's remote_url); null for local uploads.
     * Its file is stored here only while `cached_at` is set (ADR 0052).
     */
    remoteUrl: text('remote_url'),
    /** When a remote attachment's file was fetched and stored; null: not (yet, or any more), `url` is `remote_url`. */
    cachedAt: timestamptz('cached_at'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.id] }),
    index('media_attachments_status_idx').on(t.userId, t.statusId),
    index('media_attachments_cached_idx').on(t.cachedAt).where(sql`${t.cachedAt} is not null`),
    index('media_attachments_unattached_idx').on(t.createdAt).where(sql`${t.statusId} is null`),
    check('media_attachments_type_check', sql`${t.type} in ('image', 'gifv', 'video', 'audio', 'unknown')`),
  ],
);

/**
 * A status's poll (`id` is the status's id), beside it under its author's key. Votes are counted from `poll_votes`
 * on read, so counts are exact whatever the interleaving.
 */
export const polls = pgTable(
  'polls',
  {
    userId: snowflake('user_id').notNull(),
    id: snowflake('id').notNull(),
    options: text('options').array().notNull(),
    multiple: boolean('multiple').notNull().default(false),
    hideTotals: boolean('hide_totals').notNull().default(false),
    expiresAt: timestamptz('expires_at').notNull(),
    /** Its end was notified (the `social.poll-end` job runs at least once; this makes it notify once). */
    endNotified: boolean('end_notified').notNull().default(false),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.id] })],
);

/** One chosen option of one voter (several rows for a multiple-choice poll), keyed by the poll's author. */
export const pollVotes = pgTable(
  'poll_votes',
  {
    userId: snowflake('user_id').notNull(),
    pollId: snowflake('poll_id').notNull(),
    voterId: snowflake('voter_id').notNull(),
    choice: integer('choice').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.pollId, t.voterId, t.choice] })],
);

/** Statuses `user_id` bookmarked; `id` pages the list (newest bookmark first). */
export const bookmarks = pgTable(
  'bookmarks',
  {
    userId: snowflake('user_id').notNull(),
    postId: snowflake('post_id').notNull(),
    id: snowflake('id').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.postId] }),
    index('bookmarks_user_id_idx').on(t.userId, t.id),
    index('bookmarks_post_idx').on(t.postId),
  ],
);

/** Statuses `user_id` pinned to their profile (their own, at most Limits.pinnedStatusesMax). */
export const statusPins = pgTable(
  'status_pins',
  {
    userId: snowflake('user_id').notNull(),
    postId: snowflake('post_id').notNull(),
    id: snowflake('id').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.postId] })],
);

/**
 * Accounts `user_id` muted: their statuses leave the muter's timelines, and with `notifications` their
 * notifications too. A mute with `expires_at` in the past is no mute (checked where it is read).
 */
export const mutes = pgTable(
  'mutes',
  {
    userId: snowflake('user_id').notNull(),
    targetId: snowflake('target_id').notNull(),
    id: snowflake('id').notNull(),
    notifications: boolean('notifications').notNull(),
    expiresAt: timestamptz('expires_at'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.targetId] }), index('mutes_user_id_idx').on(t.userId, t.id)],
);

/**
 * Hashtags `user_id` follows (lower case, as `post_tags` has them): public statuses carrying one reach the follower's
 * home timeline and stream. `id` pages the list (GET /api/v1/followed_tags); `tag` finds a tag's followers.
 */
export const followedTags = pgTable(
  'followed_tags',
  {
    userId: snowflake('user_id').notNull(),
    tag: text('tag').notNull(),
    id: snowflake('id').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.tag] }),
    index('followed_tags_user_id_idx').on(t.userId, t.id),
    index('followed_tags_tag_idx').on(t.tag),
  ],
);

/**
 * Mastodon lists: a user's named selections of accounts they follow, each with its own timeline. `replies_policy`
 * (followed | list | none) says which replies of members it shows; `exclusive` takes members' statuses out of home.
 */
export const lists = pgTable(
  'lists',
  {
    userId: snowflake('user_id').notNull(),
    id: snowflake('id').notNull(),
    title: text('title').notNull(),
    repliesPolicy: text('replies_policy').notNull().default('list'),
    exclusive: boolean('exclusive').notNull().default(false),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.id] }),
    index('lists_id_idx').on(t.id),
    check('lists_replies_policy_check', sql`${t.repliesPolicy} in ('followed', 'list', 'none')`),
  ],
);

/** The accounts of list `list_id` (owned by `user_id`, beside the list); `id` pages the list's accounts. */
export const listAccounts = pgTable(
  'list_accounts',
  {
    userId: snowflake('user_id').notNull(),
    listId: snowflake('list_id').notNull(),
    accountId: snowflake('account_id').notNull(),
    id: snowflake('id').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.listId, t.accountId] }),
    index('list_accounts_user_account_idx').on(t.userId, t.accountId),
    index('list_accounts_list_id_idx').on(t.userId, t.listId, t.id),
  ],
);

/**
 * Mastodon conversations: for each participant (`user_id`) of a thread of direct statuses with one set of people
 * (`participant_ids`, the others, sorted, comma-separated), its latest status and whether they have read it.
 * `thread_id` is the thread's first status. Paged by `last_status_id`, as Mastodon pages them.
 */
export const conversations = pgTable(
  'conversations',
  {
    userId: snowflake('user_id').notNull(),
    id: snowflake('id').notNull(),
    threadId: snowflake('thread_id').notNull(),
    participantIds: text('participant_ids').notNull(),
    lastStatusId: snowflake('last_status_id').notNull(),
    unread: boolean('unread').notNull().default(false),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.id] }),
    uniqueIndex('conversations_thread_key').on(t.userId, t.threadId, t.participantIds),
    index('conversations_last_status_idx').on(t.userId, t.lastStatusId),
  ],
);

/** The direct statuses of a participant's conversation: its last status falls back to the previous on a delete. */
export const conversationStatuses = pgTable(
  'conversation_statuses',
  {
    userId: snowflake('user_id').notNull(),
    conversationId: snowflake('conversation_id').notNull(),
    statusId: snowflake('status_id').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.conversationId, t.statusId] }),
    index('conversation_statuses_status_idx').on(t.statusId),
  ],
);

/**
 * Archives of an account's data its owner asked for (ADR 0051): built by the `accounts.archive` job into a zip kept in
 * media storage under `storage_key`, downloadable by the owner until `expires_at`, then swept. `state`: pending while
 * the job builds it, ready, failed. The newest row's `created_at` also rate-limits requests.
 */
export const accountArchives = pgTable(
  'account_archives',
  {
    userId: snowflake('user_id').notNull(),
    id: snowflake('id').notNull(),
    state: text('state').$type<'pending' | 'ready' | 'failed'>().notNull().default('pending'),
    storageKey: text('storage_key'),
    size: bigint('size', { mode: 'number' }),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    completedAt: timestamptz('completed_at'),
    expiresAt: timestamptz('expires_at'),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.id] }),
    index('account_archives_expires_idx').on(t.expiresAt),
    check('account_archives_state_check', sql`${t.state} in ('pending', 'ready', 'failed')`),
  ],
);

/**
 * A CSV import of Mastodon's kinds (ADR 0051 addendum): `type` following | blocks | mutes | domain_blocks | bookmarks
 * | lists, `mode` merge | overwrite. Its rows wait in `account_import_rows` and are worked through in batches by the
 * `accounts.import` job; `processed` counts rows done (imported or failed), `failures` keeps the first failed rows
 * with their reasons (bounded). `state`: pending until the job has taken every row, then finished.
 */
export const accountImports = pgTable(
  'account_imports',
  {
    userId: snowflake('user_id').notNull(),
    id: snowflake('id').notNull(),
    type: text('type')
      .$type<'following' | 'blocks' | 'mutes' | 'domain_blocks' | 'bookmarks' | 'lists'>()
      .notNull(),
    mode: text('mode').$type<'merge' | 'overwrite'>().notNull(),
    state: text('state').$type<'pending' | 'finished'>().notNull().default('pending'),
    total: integer('total').notNull(),
    processed: integer('processed').notNull().default(0),
    imported: integer('imported').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    failures: jsonb('failures')
      .$type<Array<{ row: number; value: string; error: string }>>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    finishedAt: timestamptz('finished_at'),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.id] }),
    check('account_imports_state_check', sql`${t.state} in ('pending', 'finished')`),
  ],
);

/** The rows of an import not yet worked through, in file order (`row` is the line's number among the data rows). */
export const accountImportRows = pgTable(
  'account_import_rows',
  {
    userId: snowflake('user_id').notNull(),
    importId: snowflake('import_id').notNull(),
    row: integer('row').notNull(),
    fields: text('fields').array().notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.importId, t.row] })],
);
