import { and, asc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../../store/db';
import { domainBlocks, followers, follows, userDomainBlocks, users } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import type { FollowRemover } from '../relationships/relationships.service';
import { assertInstanceAdmin } from './admins';
import { recordNotFound, unprocessable } from './errors';

// Domain blocks (ADR 0040). An admin's block of a domain is the instance's: the federation area accepts nothing
// from it (after checking the signature, so a forged sender cannot get a domain blocked) and delivers nothing to it.
// A user's own block hides that domain's accounts from their timelines and notifications (visibility.ts).

/** Most domains one user may block for themselves, and most blocks an admin list answers. */
const USER_DOMAIN_BLOCKS_MAX = 1000;
const ADMIN_LIST_MAX = 500;
/** Most follows between local accounts and a newly blocked domain's accounts ended by the block itself. */
const SEVER_MAX = 10_000;

/** A domain as stored: a lower-case host name without port; null when `raw` is no host name. */
export function normalDomain(raw: string): string | null {
  const trimmed = raw.trim().toLowerCase().replace(/\.$/, '');
  if (!trimmed || trimmed.length > 253 || !/^[a-z0-9.-]+$/.test(trimmed)) return null;
  if (trimmed.startsWith('.') || trimmed.endsWith('-') || trimmed.includes('..')) return null;
  return trimmed;
}

/** The host name of a URL and each parent domain of it (`a.b.example` → itself, `b.example`, `example`). */
function domainsOf(url: string): string[] {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, '');
  } catch {
    return [];
  }
  if (/^[\d.]+$/.test(host) || host.includes(':')) return [host];
  const parts = host.split('.');
  return parts.map((_, i) => parts.slice(i).join('.')).filter((d) => d.length > 0);
}

/** The host name, without port, of the remote username (`name@host[:port]`) an SQL value holds. */
export function remoteHost(username: SQL | PgColumn): SQL<string> {
  return sql<string>`split_part(split_part(${username}, '@', 2), ':', 1)`;
}

/** Whether the `users` row in scope is a remote account on `domain` or a subdomain of it. */
function onDomain(domain: string) {
  const host = remoteHost(users.username);
  return sql`${users.remote} and (${host} = ${domain} or ${host} like ${`%.${domain}`})`;
}

export interface AdminDomainBlock {
  id: string;
  domain: string;
  created_at: string;
  severity: string;
  reject_media: boolean;
  reject_reports: boolean;
  private_comment: string | null;
  public_comment: string | null;
  obfuscate: boolean;
}

const wire = (r: typeof domainBlocks.$inferSelect): AdminDomainBlock => ({
  id: r.id,
  domain: r.domain,
  created_at: r.createdAt.toISOString(),
  severity: r.severity,
  // A suspended domain's media and reports are refused with everything else; a silenced one's are not.
  reject_media: r.severity === 'suspend',
  reject_reports: r.severity === 'suspend',
  private_comment: r.privateComment,
  public_comment: null,
  obfuscate: false,
});

export class DomainBlocksService {
  constructor(
    private readonly deps: Deps,
    private readonly follows: FollowRemover,
  ) {}

  /**
   * Whether the server of `url` (an actor or inbox IRI) is suspended by an admin: itself or a parent domain. A
   * silenced domain is not: it federates, its statuses are only kept out of public places (visibility.ts).
   */
  async blocksUrl(url: string, db: DbOrTx = this.deps.db): Promise<boolean> {
    const candidates = domainsOf(url);
    if (!candidates.length) return false;
    const [row] = await db
      .select({ one: sql`1` })
      .from(domainBlocks)
      .where(and(inArray(domainBlocks.domain, candidates), eq(domainBlocks.severity, 'suspend')))
      .limit(1);
    return row !== undefined;
  }

  /** Of some URLs, those whose server no admin suspended (one query for a delivery's recipients). */
  async allowedUrls<T>(items: T[], urlOf: (item: T) => string): Promise<T[]> {
    if (!items.length) return items;
    const blocked = await this.deps.db
      .select({ domain: domainBlocks.domain })
      .from(domainBlocks)
      .where(eq(domainBlocks.severity, 'suspend'))
      .orderBy(asc(domainBlocks.id));
    if (!blocked.length) return items;
    const set = new Set(blocked.map((b) => b.domain));
    return items.filter((i) => !domainsOf(urlOf(i)).some((d) => set.has(d)));
  }

  /** The admin's list of the instance's domain blocks (403 for anyone else). */
  async list(principal: Principal): Promise<AdminDomainBlock[]> {
    await this.assertAdmin(principal);
    const rows = await this.deps.db
      .select()
      .from(domainBlocks)
      .orderBy(asc(domainBlocks.id))
      .limit(ADMIN_LIST_MAX);
    return rows.map(wire);
  }

  async get(principal: Principal, id: string): Promise<AdminDomainBlock> {
    await this.assertAdmin(principal);
    const [row] = await this.deps.db.select().from(domainBlocks).where(eq(domainBlocks.id, id));
    if (!row) throw recordNotFound();
    return wire(row);
  }

  /**
   * Blocks a domain for the whole instance: `suspend` (nothing in or out, follows severed) or `silence` (Mastodon's
   * "limit": its statuses leave public timelines and search for non-followers, its accounts notify only their
   * followers, their follows wait for approval). Blocking one already blocked answers 422, as Mastodon does.
   */
  async create(
    principal: Principal,
    input: { domain: string; severity?: string; private_comment?: string },
  ): Promise<AdminDomainBlock> {
    await this.assertAdmin(principal);
    const domain = normalDomain(input.domain);
    if (!domain) throw unprocessable('Domain is not a valid host name');
    if (domain === new URL(this.deps.config.publicUrl).hostname.toLowerCase())
      throw unprocessable('Domain is this instance');
    const severity = input.severity ?? 'silence';
    if (severity !== 'suspend' && severity !== 'silence')
      throw unprocessable('Severity must be silence or suspend');
    const outcome = await this.deps.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(domainBlocks)
        .values({
          id: this.deps.ids.next(),
          domain,
          severity,
          privateComment: input.private_comment?.slice(0, 1000) || null,
        })
        .onConflictDoNothing()
        .returning();
      if (!row) return null;
      if (severity === 'silence') return { row, severed: 0 };
      // Suspending severs: follows between local accounts and the domain's end here (nothing is sent there).
      const pairs = await tx
        .select({ followerId: follows.userId, userId: follows.targetId })
        .from(follows)
        .innerJoin(users, sql`${users.id} in (${follows.userId}, ${follows.targetId})`)
        .where(onDomain(domain))
        .limit(SEVER_MAX);
      const inbound = await tx
        .select({ followerId: followers.followerId, userId: followers.userId })
        .from(followers)
        .innerJoin(users, eq(users.id, followers.followerId))
        .where(onDomain(domain))
        .limit(SEVER_MAX);
      const seen = new Set<string>();
      for (const p of [...pairs, ...inbound]) {
        const key = `${p.followerId}:${p.userId}`;
        if (seen.has(key)) continue;
        seen.add(key);
        await this.follows.removeFollow(tx, p.followerId, p.userId);
      }
      return { row, severed: seen.size };
    });
    if (!outcome) throw unprocessable('Domain is already blocked');
    this.deps.log.info({ domain, by: principal.userId, severed: outcome.severed }, 'a domain was blocked');
    return wire(outcome.row);
  }

  /** Lifts an instance domain block; answers it as it was. */
  async remove(principal: Principal, id: string): Promise<AdminDomainBlock> {
    await this.assertAdmin(principal);
    const [row] = await this.deps.db.delete(domainBlocks).where(eq(domainBlocks.id, id)).returning();
    if (!row) throw recordNotFound();
    return wire(row);
  }

  /** The domains the caller blocked for themselves, in the order they did. */
  async mine(principal: Principal): Promise<string[]> {
    const rows = await this.deps.db
      .select({ domain: userDomainBlocks.domain })
      .from(userDomainBlocks)
      .where(eq(userDomainBlocks.userId, principal.userId))
      .orderBy(asc(userDomainBlocks.createdAt), asc(userDomainBlocks.domain))
      .limit(USER_DOMAIN_BLOCKS_MAX);
    return rows.map((r) => r.domain);
  }

  /** Blocks a domain for the caller (again: no change); its accounts following the caller stop. */
  async block(principal: Principal, raw: string): Promise<void> {
    const domain = normalDomain(raw);
    if (!domain) throw unprocessable('Domain is not a valid host name');
    const me = principal.userId;
    await this.deps.db.transaction(async (tx) => {
      const [{ n }] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(userDomainBlocks)
        .where(eq(userDomainBlocks.userId, me));
      if (Number(n) >= USER_DOMAIN_BLOCKS_MAX)
        throw unprocessable(`At most ${USER_DOMAIN_BLOCKS_MAX} domains can be blocked`);
      await tx.insert(userDomainBlocks).values({ userId: me, domain }).onConflictDoNothing();
      // As on Mastodon, the domain's accounts stop following the user.
      const theirs = await tx
        .select({ followerId: followers.followerId })
        .from(followers)
        .innerJoin(users, eq(users.id, followers.followerId))
        .where(and(eq(followers.userId, me), onDomain(domain)))
        .limit(SEVER_MAX);
      for (const f of theirs) await this.follows.removeFollow(tx, f.followerId, me);
    });
  }

  async unblock(principal: Principal, raw: string): Promise<void> {
    const domain = normalDomain(raw);
    if (!domain) throw unprocessable('Domain is not a valid host name');
    await this.deps.db
      .delete(userDomainBlocks)
      .where(and(eq(userDomainBlocks.userId, principal.userId), eq(userDomainBlocks.domain, domain)));
  }

  /** Only a local account named in INSTANCE_ADMINS administers the instance. */
  private assertAdmin(principal: Principal): Promise<void> {
    return assertInstanceAdmin(this.deps, principal);
  }
}
