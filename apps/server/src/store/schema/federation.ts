import { boolean, index, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { snowflake, timestamptz } from './types';

// Federation (ADR 0040): what Fedify keeps on Hearth's database, so PGlite and PostgreSQL work alike.

/**
 * A local actor's key pairs, made on first use: `rsa` (RSASSA-PKCS1-v1_5, HTTP Signatures for Mastodon) and
 * `ed25519` (Object Integrity Proofs). JWKs; the private half never leaves the server.
 */
export const actorKeys = pgTable(
  'actor_keys',
  {
    /** A user id, or 0 for the instance actor. */
    userId: snowflake('user_id').notNull(),
    kind: text('kind').notNull(),
    publicKey: jsonb('public_key').$type<JsonWebKey>().notNull(),
    privateKey: jsonb('private_key').$type<JsonWebKey>().notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.kind] })],
);

/** Fedify's key–value store (its caches of remote documents and keys, inbox idempotence): JSON values with a TTL. */
export const fedifyKv = pgTable('fedify_kv', {
  /** The KvKey's parts as a JSON array. */
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  /** Gone once past (read as absent, and swept). */
  expiresAt: timestamptz('expires_at'),
});

/**
 * Instance-level domain blocks made by an admin (ADR 0040): nothing is accepted from the domain (or its
 * subdomains) and nothing is delivered to it. `domain` is a lower-case host name, without a port.
 */
export const domainBlocks = pgTable('domain_blocks', {
  id: snowflake('id').primaryKey(),
  domain: text('domain').notNull().unique(),
  /** Mastodon's severity; only `suspend` (all of the above) in this slice. */
  severity: text('severity').notNull().default('suspend'),
  /** A note for other admins, never shown to users. */
  privateComment: text('private_comment'),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
});

/** A user's own domain blocks (Mastodon's `/api/v1/domain_blocks`): that domain's accounts vanish for them. */
export const userDomainBlocks = pgTable(
  'user_domain_blocks',
  {
    userId: snowflake('user_id').notNull(),
    domain: text('domain').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.domain] })],
);

/**
 * What Hearth knows of another instance's health, for the admins' view of known instances: the last activity
 * received from it (after its signature was verified), the last delivery to it that succeeded, and the failed
 * deliveries since (a retry of one activity counts again). `domain` is a lower-case host name, without a port.
 */
export const federationInstances = pgTable('federation_instances', {
  domain: text('domain').primaryKey(),
  lastReceivedAt: timestamptz('last_received_at'),
  lastDeliveredAt: timestamptz('last_delivered_at'),
  lastFailedAt: timestamptz('last_failed_at'),
  /** Failed deliveries since the last one that succeeded. */
  failures: integer('failures').notNull().default(0),
  /** The last failure's message, cut short. */
  lastError: text('last_error'),
});

/**
 * Instances deliveries are failing to reach (ADR 0050). A row is written when Fedify's circuit breaker first opens
 * for the host (`failing_since`); when it opens again after the configured window with no success in between, the
 * instance is unavailable (`unavailable_since`): nothing more is sent there until it is heard from again (a verified
 * inbound activity) or a held delivery's probe succeeds, which delete the row. `host` is an inbox URL's host (with
 * its port), lower-case.
 */
export const instanceFailures = pgTable('instance_failures', {
  host: text('host').primaryKey(),
  failingSince: timestamptz('failing_since').notNull().defaultNow(),
  unavailableSince: timestamptz('unavailable_since'),
});

/**
 * Reports of accounts (Mastodon's `/api/v1/reports`; ADR 0050): made by a local account, or received from another
 * instance as a Flag (`reporter_id` is then the sending actor's account, usually that instance's actor). The instance
 * admins (INSTANCE_ADMINS) read them. `status_ids` are statuses of the target the report names.
 */
export const accountReports = pgTable(
  'account_reports',
  {
    id: snowflake('id').primaryKey(),
    reporterId: snowflake('reporter_id').notNull(),
    targetId: snowflake('target_id').notNull(),
    statusIds: jsonb('status_ids').$type<string[]>().notNull().default([]),
    comment: text('comment').notNull().default(''),
    category: text('category').notNull().default('other'),
    /** A copy was sent to the target's instance (a Flag from this instance's actor). */
    forwarded: boolean('forwarded').notNull().default(false),
    /** A received Flag's IRI: one delivered twice is stored once. */
    uri: text('uri').unique(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [index('account_reports_target_idx').on(t.targetId)],
);
