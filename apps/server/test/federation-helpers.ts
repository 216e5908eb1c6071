import assert from 'node:assert/strict';
import { and, inArray, like, lte, ne, sql } from 'drizzle-orm';
import { jobs } from '../src/store/schema';
import type { Peer, PeerActor } from './fediverse-peer';
import type { TestServer, TestUser } from './harness';
import { mastodon } from './social-helpers';

// What the scenario tests of Hearth's inbox share (ADR 0040): waiting for the job queue, and following an actor of
// the stand-in peer.

export const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public';

/** Asks until `check` answers something truthy (the inbox works through the job queue). */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | null | undefined | false>,
): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never happened: ${what}`);
}

/** Waits until no federation job is due or running: what was delivered to the inbox or asked to be sent is done. */
export async function settled(h: TestServer): Promise<void> {
  await eventually('the federation jobs done', async () => {
    const [row] = await h.app.database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(jobs)
      .where(
        and(
          like(jobs.kind, 'federation.%'),
          ne(jobs.kind, 'federation.kv-sweep'),
          inArray(jobs.state, ['queued', 'running']),
          lte(jobs.runAt, sql`now()`),
        ),
      );
    return Number(row.n) === 0;
  });
}

/** A local user following `actor` (looked up by WebFinger, accepted by a signed Accept): answers its account id. */
export async function followPeer(h: TestServer, u: TestUser, actor: PeerActor, at: Peer): Promise<string> {
  const m = mastodon(h);
  const found = await m('GET', `/api/v1/accounts/lookup?acct=${actor.name}@${at.host}`, u);
  assert.equal(found.status, 200, found.text);
  assert.equal((await m('POST', `/api/v1/accounts/${found.body.id}/follow`, u)).status, 200);
  const followActivity = await eventually('the Follow reaches the peer', async () =>
    at.received.find(
      (a) => a.type === 'Follow' && a.object === actor.id && a.actor.endsWith(`/users/${u.id}`),
    ),
  );
  const status = await at.send(actor, `${h.url}/users/${u.id}/inbox`, {
    id: `${actor.id}#accepts/${u.id}`,
    type: 'Accept',
    actor: actor.id,
    object: followActivity,
  });
  assert.equal(status, 202);
  await eventually('the follow accepted', async () => {
    const r = await m('GET', `/api/v1/accounts/relationships?id[]=${found.body.id}`, u);
    return r.body[0]?.following === true;
  });
  return found.body.id;
}
