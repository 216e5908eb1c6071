import type { HearthKnownInstance } from '@hearth/protocol';
import { and, desc, eq, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import {
  domainBlocks,
  federationInstances,
  followers,
  follows,
  instanceFailures,
  users,
} from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { assertInstanceAdmin } from './admins';
import { normalDomain, remoteHost } from './domain-blocks.service';

// The instances Hearth federates with (ADR 0040): what the admins' view of known instances lists. The federation
// area reports each verified inbound activity and each delivery's outcome here; the counts come from the accounts.

/** Most instances one listing answers. */
const LIST_MAX = 500;
/** A receipt is written at most this often per instance (every inbound activity would be a write otherwise). */
const RECEIPT_EVERY = sql`interval '1 minute'`;

/** The domain (lower-case host, no port) of an actor or inbox URL, or null. */
function domainOf(url: string): string | null {
  try {
    return normalDomain(new URL(url).hostname.replace(/^\[|\]$/g, ''));
  } catch {
    return null;
  }
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export class InstancesService {
  constructor(private readonly deps: Deps) {}

  /** Notes that a verified activity came from the server of `actorUrl` (written at most once a minute). */
  async received(actorUrl: string): Promise<void> {
    const domain = domainOf(actorUrl);
    if (!domain) return;
    await this.deps.db
      .insert(federationInstances)
      .values({ domain, lastReceivedAt: sql`now()` })
      .onConflictDoUpdate({
        target: federationInstances.domain,
        set: { lastReceivedAt: sql`now()` },
        where: or(
          isNull(federationInstances.lastReceivedAt),
          lt(federationInstances.lastReceivedAt, sql`now() - ${RECEIPT_EVERY}`),
        ),
      });
  }

  /** Notes a delivery to the inbox `inboxUrl`: delivered (the failure count starts again) or failed with `error`. */
  async delivered(inboxUrl: string, outcome: { ok: true } | { ok: false; error: string }): Promise<void> {
    const domain = domainOf(inboxUrl);
    if (!domain) return;
    const set = outcome.ok
      ? { lastDeliveredAt: sql`now()`, failures: 0 }
      : {
          lastFailedAt: sql`now()`,
          failures: sql`${federationInstances.failures} + 1`,
          lastError: outcome.error.slice(0, 500),
        };
    await this.deps.db
      .insert(federationInstances)
      .values(
        outcome.ok
          ? { domain, lastDeliveredAt: sql`now()` }
          : { domain, lastFailedAt: sql`now()`, failures: 1, lastError: outcome.error.slice(0, 500) },
      )
      .onConflictDoUpdate({ target: federationInstances.domain, set });
  }

  /**
   * The admins' view of known instances (403 for anyone else): every domain with stored accounts, recorded traffic
   * or an admin's block, with its accounts, follows both ways, last receipt and delivery, failures and block;
   * most accounts first.
   */
  async list(principal: Principal): Promise<HearthKnownInstance[]> {
    await assertInstanceAdmin(this.deps, principal);
    const { db } = this.deps;
    const host = remoteHost(users.username);
    const count = sql<number>`count(*)::int`;
    const [accounts, followedBy, following, traffic, blocks, unavailable] = await Promise.all([
      db
        .select({ domain: host, n: count })
        .from(users)
        .where(eq(users.remote, true))
        .groupBy(host)
        .orderBy(desc(count))
        .limit(LIST_MAX),
      db
        .select({ domain: host, n: count })
        .from(followers)
        .innerJoin(users, eq(users.id, followers.followerId))
        .where(and(eq(users.remote, true), eq(followers.accepted, true)))
        .groupBy(host)
        .limit(LIST_MAX),
      db
        .select({ domain: host, n: count })
        .from(follows)
        .innerJoin(users, eq(users.id, follows.targetId))
        .where(and(eq(users.remote, true), eq(follows.accepted, true)))
        .groupBy(host)
        .limit(LIST_MAX),
      db.select().from(federationInstances).limit(LIST_MAX),
      db
        .select({ id: domainBlocks.id, domain: domainBlocks.domain, severity: domainBlocks.severity })
        .from(domainBlocks)
        .limit(LIST_MAX),
      db
        .select({ host: instanceFailures.host, since: instanceFailures.unavailableSince })
        .from(instanceFailures)
        .where(isNotNull(instanceFailures.unavailableSince))
        .limit(LIST_MAX),
    ]);
    const counts = (rows: Array<{ domain: string; n: number }>) =>
      new Map(rows.map((r) => [r.domain, Number(r.n)]));
    const [nAccounts, nFollowers, nFollowing] = [counts(accounts), counts(followedBy), counts(following)];
    const byDomain = new Map(traffic.map((t) => [t.domain, t]));
    // Unavailability is kept per host and port (where deliveries go); the view is per domain: its earliest mark.
    const unavailableSince = new Map<string, Date>();
    for (const u of unavailable) {
      const domain = domainOf(`https://${u.host}`);
      const seen = domain ? unavailableSince.get(domain) : undefined;
      if (domain && u.since && (!seen || u.since < seen)) unavailableSince.set(domain, u.since);
    }
    const blockOf = new Map(blocks.map((b) => [b.domain, { id: b.id, severity: b.severity }]));
    const domains = new Set([
      ...nAccounts.keys(),
      ...byDomain.keys(),
      ...blockOf.keys(),
      ...unavailableSince.keys(),
    ]);
    return [...domains]
      .filter((d) => d.length > 0)
      .map((domain): HearthKnownInstance => {
        const t = byDomain.get(domain);
        return {
          domain,
          accounts_count: nAccounts.get(domain) ?? 0,
          followers_count: nFollowers.get(domain) ?? 0,
          following_count: nFollowing.get(domain) ?? 0,
          last_received_at: iso(t?.lastReceivedAt ?? null),
          last_delivered_at: iso(t?.lastDeliveredAt ?? null),
          last_failed_at: iso(t?.lastFailedAt ?? null),
          failures: t?.failures ?? 0,
          last_error: t?.lastError ?? null,
          unavailable_since: iso(unavailableSince.get(domain) ?? null),
          block: blockOf.get(domain) ?? null,
        };
      })
      .sort((a, b) => b.accounts_count - a.accounts_count || a.domain.localeCompare(b.domain))
      .slice(0, LIST_MAX);
  }
}
