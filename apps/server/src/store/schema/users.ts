import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { snowflake, timestamptz } from './types';

export const users = pgTable(
  'users',
  {
    id: snowflake('id').primaryKey(),
    username: text('username').notNull(),
    globalName: text('global_name'),
    avatar: text('avatar'),
    banner: text('banner'),
    accentColor: integer('accent_color'),
    bio: text('bio').notNull().default(''),
    /** Shown beside the name in the profile (Discord's user_profile.pronouns, at most 40 characters). */
    pronouns: text('pronouns').notNull().default(''),
    bot: boolean('bot').notNull().default(false),
    system: boolean('system').notNull().default(false),
    flags: integer('flags').notNull().default(0),
    locale: text('locale').notNull().default('en-US'),
    /** A disabled account cannot log in or use its tokens. */
    disabled: boolean('disabled').notNull().default(false),
    /**
     * The account's lifecycle (the seed's USERS.status): `active`; `inactive`, deactivated by its owner (hidden, as
     * `disabled`, until they sign in again); `deleted`, its content being removed by the `accounts.delete` job and its
     * username kept so nobody else takes it.
     */
    status: text('status').$type<'active' | 'inactive' | 'deleted'>().notNull().default('active'),
    /** Social profile (ADR 0028): shown before and after the display name, e.g. "Dr." / "PhD". */
    namePrefix: text('name_prefix'),
    nameSuffix: text('name_suffix'),
    /** Listed in the directory and search. */
    discoverable: boolean('discoverable').notNull().default(true),
    /** Follows need approval (the seed's auto_approve_follower, inverted). */
    locked: boolean('locked').notNull().default(false),
    /** Mastodon's profile fields: label/value pairs. */
    profileFields: jsonb('profile_fields')
      .$type<Array<{ name: string; value: string }>>()
      .notNull()
      .default([]),
    /**
     * An account of another instance, known through federation (ADR 0040): its `username` is `name@host` (Mastodon's
     * acct), it has no credentials, and the columns below say where it lives.
     */
    remote: boolean('remote').notNull().default(false),
    /** A remote account's ActivityPub actor IRI (its identity); null for local accounts. */
    uri: text('uri'),
    /** A remote account's profile page. */
    url: text('url'),
    /** A remote account's inbox and its instance's shared inbox. */
    inbox: text('inbox'),
    sharedInbox: text('shared_inbox'),
    /**
     * A remote account that is a Group actor (a Lemmy community, another Hearth's group; FEP-1b12): Mastodon's
     * `group`. Its Announces of its members' posts reach its followers here as its boosts (ADR 0031 addendum).
     */
    groupActor: boolean('group_actor').notNull().default(false),
    /** A remote account's main public key (PEM), as last fetched; Fedify verifies signatures with the live one. */
    publicKey: text('public_key'),
    /** When a remote account was last fetched. */
    fetchedAt: timestamptz('fetched_at'),
    /**
     * A remote account's avatar and header as its instance serves them (Mastodon's avatar_remote_url): fetched into
     * `avatar`/`banner` by a job; shown as they are until then (ADR 0052).
     */
    avatarRemoteUrl: text('avatar_remote_url'),
    headerRemoteUrl: text('header_remote_url'),
    /**
     * The actor IRIs this account says it also is (ActivityPub `alsoKnownAs`): a local account's aliases, set before
     * an account moves here; a remote account's as last fetched. A Move is followed only when its target lists the
     * origin here (ADR 0050).
     */
    alsoKnownAs: jsonb('also_known_as').$type<string[]>().notNull().default([]),
    /**
     * The account this one moved to (the seed's `redirect_url`, ActivityPub `movedTo`, Mastodon's `moved`): local or
     * remote. Set by a Move; null while the account has not moved.
     */
    movedToId: snowflake('moved_to_id'),
    uploadLimit: bigint('upload_limit', { mode: 'number' })
      .notNull()
      .default(25 * 1024 * 1024),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('users_username_key').on(sql`lower(${t.username})`),
    uniqueIndex('users_uri_key').on(t.uri).where(sql`${t.uri} is not null`),
    check('users_status_check', sql`${t.status} in ('active', 'inactive', 'deleted')`),
  ],
);

/** Email and password of a person's account (bots have none). */
export const credentials = pgTable(
  'credentials',
  {
    userId: snowflake('user_id').primaryKey(),
    email: text('email').notNull(),
    emailVerified: boolean('email_verified').notNull().default(false),
    passwordHash: text('password_hash').notNull(),
    passwordChangedAt: timestamptz('password_changed_at').notNull().defaultNow(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('credentials_email_key').on(sql`lower(${t.email})`)],
);

/** Single-use tokens sent by mail: email confirmation and password recovery. Stored hashed. */
export const mailTokens = pgTable(
  'mail_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: snowflake('user_id').notNull(),
    /** 'verify_email' | 'reset_password' */
    purpose: text('purpose').notNull(),
    email: text('email').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    expiresAt: timestamptz('expires_at').notNull(),
    usedAt: timestamptz('used_at'),
  },
  (t) => [index('mail_tokens_user_idx').on(t.userId, t.purpose)],
);

/** A login: one per device. Access tokens name it; revoking it fails them at once. */
export const sessions = pgTable(
  'sessions',
  {
    userId: snowflake('user_id').notNull(),
    id: snowflake('id').notNull(),
    client: text('client'),
    ip: text('ip'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    lastUsedAt: timestamptz('last_used_at').notNull().defaultNow(),
    expiresAt: timestamptz('expires_at').notNull(),
    revokedAt: timestamptz('revoked_at'),
  },
  (t) => [primaryKey({ columns: [t.userId, t.id] })],
);

/** Rotating refresh tokens of a session, stored hashed; a used one presented again revokes the session. */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    userId: snowflake('user_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    sessionId: snowflake('session_id').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    expiresAt: timestamptz('expires_at').notNull(),
    usedAt: timestamptz('used_at'),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.tokenHash] }),
    index('refresh_tokens_session_idx').on(t.userId, t.sessionId),
  ],
);

export const userSettings = pgTable('user_settings', {
  userId: snowflake('user_id').primaryKey(),
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
  version: integer('version').notNull().default(0),
  updatedAt: timestamptz('updated_at').notNull().defaultNow(),
});

/** One row per direction: type 1 friend, 2 blocked, 3 incoming request, 4 outgoing request. */
export const relationships = pgTable(
  'relationships',
  {
    userId: snowflake('user_id').notNull(),
    otherId: snowflake('other_id').notNull(),
    type: smallint('type').notNull(),
    nickname: text('nickname'),
    since: timestamptz('since').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.otherId] })],
);

/** Server-wide values created once, such as the token signing secret. */
export const instanceSettings = pgTable('instance_settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/**
 * How a user is notified in one guild (Discord's user guild settings): its level (0 all messages, 1 mentions only,
 * 2 nothing, 3 the guild's default), a mute until a time or for good, and per-channel overrides of both.
 */
export const userGuildSettings = pgTable(
  'user_guild_settings',
  {
    userId: snowflake('user_id').notNull(),
    guildId: snowflake('guild_id').notNull(),
    messageNotifications: smallint('message_notifications').notNull().default(3),
    muted: boolean('muted').notNull().default(false),
    /** When a timed mute ends (null: until unmuted). */
    muteEndTime: timestamptz('mute_end_time'),
    /** The mute's length as chosen, in seconds (-1: until unmuted), as Discord's clients show it. */
    muteWindow: integer('mute_window'),
    suppressEveryone: boolean('suppress_everyone').notNull().default(false),
    suppressRoles: boolean('suppress_roles').notNull().default(false),
    channelOverrides: jsonb('channel_overrides')
      .$type<
        Array<{
          channel_id: string;
          message_notifications: number;
          muted: boolean;
          mute_end_time: string | null;
          mute_window: number | null;
          collapsed: boolean;
        }>
      >()
      .notNull()
      .default([]),
    version: integer('version').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.userId, t.guildId] })],
);
