import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq, sql } from 'drizzle-orm';
import { instanceFailures, jobs, users } from '../../src/store/schema';
import { eventually, followPeer, PUBLIC, settled as settledJobs } from '../federation-helpers';
import { type Peer, type PeerActor, startPeer } from '../fediverse-peer';
import { startHearth, type TestServer, type TestUser } from '../harness';
import { mastodon, post } from '../social-helpers';

// Account moves (aliases, Move both ways, local to local), reports (Flag both ways), key rotation of a remote actor,
// and instances whose deliveries keep failing (ADR 0050), against the stand-in peer of the inbound tests.

const ADMIN = 'reportadmin';
let h: TestServer;
let m: ReturnType<typeof mastodon>;
let peer: Peer;
/** A server of its own for the dead-instance test: other tests' activities must not count as hearing from it. */
let lonePeer: Peer;

before(async () => {
  h = await startHearth({
    federationAllowPrivateAddresses: true,
    federationAllowHttp: true,
    // Deliveries failing once Fedify's breaker opens make the instance unavailable at once (the window is 0 s).
    federationUnavailableAfterS: 0,
    instanceAdmins: [ADMIN],
  });
  m = mastodon(h);
  peer = await startPeer();
  lonePeer = await startPeer({ hostName: 'localhost' });
});
after(async () => {
  await h.close();
  await peer.close();
  await lonePeer.close();
});

const settled = () => settledJobs(h);
const actorOf = (u: TestUser) => `http://hearth.test/users/${u.id}`;
const relationship = async (u: TestUser, id: string) =>
  (await m('GET', `/api/v1/accounts/relationships?id[]=${id}`, u)).body[0];

let adminUser: TestUser | null = null;
/** The instance's admin (INSTANCE_ADMINS names it), registered by the first test that needs it. */
async function instanceAdmin(): Promise<TestUser> {
  adminUser ??= await h.register({ username: ADMIN });
  return adminUser;
}

/** `unavailable_since` of `domain` in the admins' view of known instances. */
async function unavailableSince(domain: string): Promise<string | null | undefined> {
  const r = await m('GET', '/api/v1/hearth/admin/instances', await instanceAdmin());
  assert.equal(r.status, 200, r.text);
  return r.body.find((i: { domain: string }) => i.domain === domain)?.unavailable_since;
}

/** A peer actor following local `u` (its Follow accepted by Hearth); answers the peer account's id here. */
async function followedBy(u: TestUser, actor: PeerActor, at: Peer = peer): Promise<string> {
  await at.send(actor, `${h.url}/inbox`, {
    id: `${actor.id}#follows/${u.id}`,
    type: 'Follow',
    actor: actor.id,
    object: actorOf(u),
  });
  const found = await m('GET', `/api/v1/accounts/lookup?acct=${actor.name}@${at.host}`, u);
  await eventually('the peer follows', async () => (await relationship(u, found.body.id))?.followed_by);
  return found.body.id;
}

describe('aliases and moves', () => {
  test('routes need a signed-in caller, a right password, and a target naming the mover', async () => {
    const old = await h.register();
    const neu = await h.register();
    assert.equal((await m('GET', '/api/v1/hearth/account/aliases')).status, 401);
    assert.equal(
      (await m('POST', '/api/v1/hearth/account/aliases', null, { acct: old.username })).status,
      401,
    );
    assert.equal(
      (await m('POST', '/api/v1/hearth/account/move', null, { acct: neu.username, password: 'x' })).status,
      401,
    );
    // Bad input is a 4xx: no acct, an unknown one, oneself.
    assert.equal((await m('POST', '/api/v1/hearth/account/aliases', neu, {})).status, 400);
    assert.equal(
      (await m('POST', '/api/v1/hearth/account/aliases', neu, { acct: 'nobody_here' })).status,
      404,
    );
    assert.equal(
      (await m('POST', '/api/v1/hearth/account/aliases', neu, { acct: neu.username })).status,
      422,
    );
    // The target does not name old yet: the move is refused and nothing changes.
    const early = await m('POST', '/api/v1/hearth/account/move', old, {
      acct: neu.username,
      password: old.password,
    });
    assert.equal(early.status, 422, early.text);
    assert.match(early.body.error, /alias/);
    const added = await m('POST', '/api/v1/hearth/account/aliases', neu, { acct: old.username });
    assert.equal(added.status, 200, added.text);
    assert.deepEqual(added.body.aliases, [actorOf(old)]);
    assert.deepEqual((await m('GET', '/api/v1/hearth/account/aliases', neu)).body.aliases, [actorOf(old)]);
    // The wrong password moves nothing.
    const wrong = await m('POST', '/api/v1/hearth/account/move', old, {
      acct: neu.username,
      password: 'not the password',
    });
    assert.equal(wrong.status, 400, wrong.text);
    assert.equal((await m('GET', `/api/v1/accounts/${old.id}`)).body.moved, null);
    // Taking the alias away (as an actor IRI or an acct) refuses the move again.
    const removed = await m('DELETE', '/api/v1/hearth/account/aliases', neu, { acct: old.username });
    assert.deepEqual(removed.body.aliases, []);
    assert.equal(
      (await m('POST', '/api/v1/hearth/account/move', old, { acct: neu.username, password: old.password }))
        .status,
      422,
    );
  });

  test('a local move: followers follow the target (a request when it is locked), are notified, and a blocked follower stays', async () => {
    const old = await h.register();
    const neu = await h.register();
    const fan = await h.register();
    const shunned = await h.register();
    for (const f of [fan, shunned])
      assert.equal((await m('POST', `/api/v1/accounts/${old.id}/follow`, f)).status, 200);
    assert.equal((await m('POST', `/api/v1/accounts/${shunned.id}/block`, neu)).status, 200);
    assert.equal(
      (await m('PATCH', '/api/v1/accounts/update_credentials', neu, { locked: true })).status,
      200,
    );
    assert.equal(
      (await m('POST', '/api/v1/hearth/account/aliases', neu, { acct: old.username })).status,
      200,
    );

    const moved = await m('POST', '/api/v1/hearth/account/move', old, {
      acct: `@${neu.username}`,
      password: old.password,
    });
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.body.moved.id, neu.id);
    assert.equal((await m('GET', `/api/v1/accounts/${old.id}`)).body.moved.acct, neu.username);

    const toNew = await relationship(fan, neu.id);
    assert.equal(toNew.requested, true);
    assert.equal(toNew.following, false);
    assert.equal((await relationship(fan, old.id)).following, false);
    const notes = await m('GET', '/api/v1/notifications?types[]=move', fan);
    assert.deepEqual(
      notes.body.map((n: any) => [n.type, n.account.id]),
      [['move', old.id]],
    );
    // Blocked by the target: keeps following the old account, is not told to move.
    assert.equal((await relationship(shunned, old.id)).following, true);
    assert.equal((await relationship(shunned, neu.id)).requested, false);
    assert.deepEqual((await m('GET', '/api/v1/notifications?types[]=move', shunned)).body, []);
    // The old actor names where it went.
    const actor = await h.api('GET', `/users/${old.id}`, {
      root: true,
      headers: { accept: 'application/activity+json' },
    });
    assert.equal(actor.body.movedTo, actorOf(neu));
  });

  test('an outbound Move reaches remote followers; the target checked against its remote aliases', async () => {
    const old = await h.register();
    const watcher = await peer.actor('watcher');
    await followedBy(old, watcher);
    // A remote target that does not name old is refused (it is fetched again to check).
    const there = await peer.actor('there');
    const refused = await m('POST', '/api/v1/hearth/account/move', old, {
      acct: `${there.name}@${peer.host}`,
      password: old.password,
    });
    assert.equal(refused.status, 422, refused.text);
    there.extra.alsoKnownAs = [actorOf(old)];
    const moved = await m('POST', '/api/v1/hearth/account/move', old, {
      acct: `${there.name}@${peer.host}`,
      password: old.password,
    });
    assert.equal(moved.status, 200, moved.text);
    const move = await eventually('the Move reaches the peer', async () =>
      peer.received.find((a) => a.type === 'Move' && a.actor === actorOf(old)),
    );
    assert.equal(move.object, actorOf(old));
    assert.equal(move.target, there.id);
  });

  test('an inbound Move: followed only when the target names the origin; local followers move', async () => {
    const u = await h.register();
    const before = await peer.actor('before');
    const liar = await peer.actor('liar');
    const after = await peer.actor('after');
    after.extra.alsoKnownAs = [before.id];
    const beforeId = await followPeer(h, u, before, peer);
    const inbox = `${h.url}/inbox`;

    // liar does not name `before`: the Move is ignored.
    await peer.send(before, inbox, {
      id: `${before.id}#moves/1`,
      type: 'Move',
      actor: before.id,
      object: before.id,
      target: liar.id,
    });
    // Nor may anyone move another account.
    await peer.send(liar, inbox, {
      id: `${liar.id}#moves/2`,
      type: 'Move',
      actor: liar.id,
      object: before.id,
      target: after.id,
    });
    await settled();
    assert.equal((await relationship(u, beforeId)).following, true);
    assert.equal((await m('GET', `/api/v1/accounts/${beforeId}`)).body.moved, null);
    assert.ok(!peer.received.some((a) => a.type === 'Follow' && a.object === liar.id));

    await peer.send(before, inbox, {
      id: `${before.id}#moves/3`,
      type: 'Move',
      actor: before.id,
      object: before.id,
      target: after.id,
    });
    await eventually('u asks to follow after', async () =>
      peer.received.find((a) => a.type === 'Follow' && a.object === after.id && a.actor === actorOf(u)),
    );
    await eventually('u unfollows before', async () =>
      peer.received.find(
        (a) => a.type === 'Undo' && a.object?.object === before.id && a.actor === actorOf(u),
      ),
    );
    const account = await m('GET', `/api/v1/accounts/${beforeId}`);
    assert.equal(account.body.moved.acct, `after@${peer.host}`);
    assert.equal((await relationship(u, beforeId)).following, false);
    const notes = await m('GET', '/api/v1/notifications?types[]=move', u);
    assert.deepEqual(
      notes.body.map((n: any) => [n.type, n.account.id]),
      [['move', beforeId]],
    );
  });
});

describe('reports', () => {
  test('a forwarded report is a Flag from the instance actor; a received Flag is a report only admins read', async () => {
    const u = await h.register();
    const admin = await instanceAdmin();
    const spammer = await peer.actor('spammer');
    const spammerId = await followPeer(h, u, spammer, peer);
    const n = {
      id: `${spammer.id}/statuses/1`,
      type: 'Note',
      attributedTo: spammer.id,
      to: [PUBLIC],
      cc: [`${spammer.id}/followers`],
      content: '<p>buy now</p>',
      published: '2026-12-01T10:00:00Z',
    };
    await peer.send(spammer, `${h.url}/inbox`, {
      id: `${n.id}/activity`,
      type: 'Create',
      actor: spammer.id,
      object: n,
    });
    const status = await eventually('the note', async () =>
      ((await m('GET', '/api/v1/timelines/home', u)).body as any[]).find((s) => s.uri === n.id),
    );

    assert.equal((await m('POST', '/api/v1/reports', null, { account_id: spammerId })).status, 401);
    assert.equal((await m('POST', '/api/v1/reports', u, { account_id: u.id })).status, 422);
    assert.equal((await m('POST', '/api/v1/reports', u, { account_id: '123456789012345678' })).status, 404);
    assert.equal(
      (await m('POST', '/api/v1/reports', u, { account_id: spammerId, comment: 'x'.repeat(1001) })).status,
      400,
    );
    const report = await m('POST', '/api/v1/reports', u, {
      account_id: spammerId,
      status_ids: [status.id],
      comment: 'spam',
      forward: true,
      category: 'spam',
    });
    assert.equal(report.status, 200, report.text);
    assert.equal(report.body.forwarded, true);
    assert.deepEqual(report.body.status_ids, [status.id]);
    assert.equal(report.body.target_account.id, spammerId);
    const flag = await eventually('the Flag reaches the peer', async () =>
      peer.received.find((a) => a.type === 'Flag'),
    );
    assert.equal(flag.actor, 'http://hearth.test/users/instance');
    assert.deepEqual([flag.object].flat(), [spammer.id, n.id]);
    assert.equal(flag.content, 'spam');

    // A Flag from the peer's instance about u and u's status.
    const mine = await post(h, u, { status: 'reported from afar' });
    const mod = await peer.actor('moderation');
    await peer.send(mod, `${h.url}/inbox`, {
      id: `${mod.id}#flags/1`,
      type: 'Flag',
      actor: mod.id,
      object: [actorOf(u), `${actorOf(u)}/statuses/${mine}`],
      content: 'rude',
    });
    const list = await eventually('the admin sees both reports', async () => {
      const r = await m('GET', '/api/v1/admin/reports', admin);
      return r.body.length >= 2 ? r.body : null;
    });
    const received = list.find((r: any) => r.uri === `${mod.id}#flags/1`);
    assert.equal(received.target_account.id, u.id);
    assert.equal(received.account.acct, `moderation@${peer.host}`);
    assert.equal(received.comment, 'rude');
    assert.deepEqual(
      received.statuses.map((s: any) => s.id),
      [mine],
    );
    const sent = list.find((r: any) => r.forwarded);
    assert.equal(sent.account.id, u.id);
    assert.deepEqual(
      sent.statuses.map((s: any) => s.id),
      [status.id],
    );
    // Nobody else reads them.
    assert.equal((await m('GET', '/api/v1/admin/reports', u)).status, 403);
    assert.equal((await m('GET', '/api/v1/admin/reports')).status, 401);
  });
});

describe('key rotation', () => {
  test('a remote actor with a new key: its activities are verified after one refetch, its Update stores the key', async () => {
    const u = await h.register();
    const rolling = await peer.actor('rolling');
    const rollingId = await followPeer(h, u, rolling, peer);
    const stored = async () =>
      (await h.app.database.db.select({ key: users.publicKey }).from(users).where(eq(users.id, rollingId)))[0]
        .key;
    const oldKey = await stored();
    assert.equal(oldKey, rolling.publicKeyPem);

    await peer.rotateKey(rolling);
    // Signed with the new key while Hearth has the old one cached: the key is fetched again and the note is taken.
    const n = {
      id: `${rolling.id}/statuses/1`,
      type: 'Note',
      attributedTo: rolling.id,
      to: [PUBLIC],
      cc: [`${rolling.id}/followers`],
      content: '<p>after the rotation</p>',
      published: '2026-12-01T10:00:00Z',
    };
    assert.equal(
      await peer.send(rolling, `${h.url}/inbox`, {
        id: `${n.id}/activity`,
        type: 'Create',
        actor: rolling.id,
        object: n,
      }),
      202,
    );
    await eventually('the note in the home timeline', async () =>
      ((await m('GET', '/api/v1/timelines/home', u)).body as any[]).find((s) => s.uri === n.id),
    );
    await peer.send(rolling, `${h.url}/inbox`, {
      id: `${rolling.id}#updates/1`,
      type: 'Update',
      actor: rolling.id,
      object: {
        id: rolling.id,
        type: 'Person',
        preferredUsername: rolling.name,
        inbox: `${rolling.id}/inbox`,
      },
    });
    await eventually('the new key stored', async () => (await stored()) === rolling.publicKeyPem);
    assert.notEqual(rolling.publicKeyPem, oldKey);

    // A key that is nobody's (a forger's) is still refused after the refetch.
    const forger = await peer.actor('forger');
    const real = { ...rolling };
    const status = await peer.send({ ...real, privateKey: forger.privateKey }, `${h.url}/inbox`, {
      id: `${rolling.id}#likes/forged`,
      type: 'Like',
      actor: rolling.id,
      object: `${n.id}`,
    });
    assert.equal(status, 401);
  });
});

describe('dead instances', () => {
  test('deliveries that keep failing mark the instance unavailable; it is skipped until heard from again', async () => {
    const peer = lonePeer;
    const u = await h.register();
    const far = await peer.actor('far');
    const farId = await followedBy(u, far, peer);
    const failures = async () =>
      (
        await h.app.database.db.select().from(instanceFailures).where(eq(instanceFailures.host, peer.host))
      )[0] ?? null;
    const creates = (text: string) =>
      peer.received.filter((a) => a.type === 'Create' && String(a.object?.content).includes(text));

    peer.down = true;
    // Fedify's breaker opens after five failed deliveries; with a window of 0 s the instance is unavailable then.
    for (let i = 0; i < 5; i++) await post(h, u, { status: `while down ${i}` });
    const row = await eventually('the instance marked unavailable', async () => {
      const r = await failures();
      return r?.unavailableSince ? r : null;
    });
    assert.ok(row.failingSince);
    // The admins see it (the view is per domain; the mark is per host and port).
    assert.equal(await unavailableSince('localhost'), row.unavailableSince!.toISOString());

    // Unavailable: new statuses are not even queued for it (those Fedify held go out once it is back).
    await post(h, u, { status: 'skipped while unavailable' });
    const mine = await post(h, u, { status: 'liked from afar' });
    await settled();
    peer.down = false;

    // Heard from again: any verified activity from there.
    await peer.send(far, `${h.url}/inbox`, {
      id: `${far.id}#likes/1`,
      type: 'Like',
      actor: far.id,
      object: `${actorOf(u)}/statuses/${mine}`,
    });
    await eventually('reachable again', async () => (await failures()) === null);
    assert.equal(await unavailableSince('localhost'), null);
    // The deliveries Fedify held go out at their next try (brought forward here, as a clock would).
    await h.app.database.db
      .update(jobs)
      .set({ runAt: sql`now()` })
      .where(sql`${jobs.kind} = 'federation.task' and ${jobs.state} = 'queued'`);
    await post(h, u, { status: 'back again' });
    await eventually('the new status delivered', async () => creates('back again').length === 1);
    for (let i = 0; i < 5; i++)
      await eventually(`held status ${i} delivered`, async () => creates(`while down ${i}`).length > 0);
    await settled();
    assert.deepEqual(creates('skipped while unavailable'), []);
    assert.deepEqual(creates('liked from afar'), []);
    assert.equal((await relationship(u, farId)).followed_by, true);
  });
});
