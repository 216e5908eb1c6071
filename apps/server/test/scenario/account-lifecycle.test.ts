import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { and, eq, or, type SQL, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import sharp from 'sharp';
import {
  followers,
  follows,
  jobs,
  listAccounts,
  mediaAttachments,
  mutes,
  notifications,
  pollVotes,
  postReactions,
  posts,
  users,
} from '../../src/store/schema';
import { createGuild, join } from '../guild-helpers';
import { filesUnder, startHearth, type TestServer, type TestUser } from '../harness';
import { mastodon, post } from '../social-helpers';

// The account lifecycle (USERS.status): deactivation (hidden, back by signing in) and deletion (hidden at once, its
// social content removed by the `accounts.delete` job, its username reserved, its chat messages by "Deleted User").

let h: TestServer;
let m: ReturnType<typeof mastodon>;
before(async () => {
  h = await startHearth();
  m = mastodon(h);
});
after(() => h.close());

const db = () => h.app.database.db;
const follow = async (a: TestUser, b: TestUser) =>
  assert.equal((await m('POST', `/api/v1/accounts/${b.id}/follow`, a)).status, 200);
const ids = (body: Array<{ id: string }>) => body.map((s) => s.id);
const signIn = (u: TestUser, password = u.password) =>
  h.api('POST', '/auth/login', { body: { login: u.email, password } });

async function uploadPng(u: TestUser): Promise<string> {
  const png = await sharp({ create: { width: 40, height: 30, channels: 4, background: '#aa0000' } })
    .png()
    .toBuffer();
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(png)]), 'dot.png');
  const res = await fetch(`${h.url}/api/v1/media`, {
    method: 'POST',
    headers: { authorization: `Bearer ${u.token}` },
    body: form,
  });
  assert.equal(res.status, 200);
  return (await res.json()).id;
}

/** Waits until no `accounts.delete` job of `userId` is left (it enqueues itself while content remains). */
async function deletionFinished(userId: string): Promise<void> {
  for (;;) {
    const [row] = await db()
      .select({ n: sql<number>`count(*)::int` })
      .from(jobs)
      .where(eq(jobs.key, `accounts.delete:${userId}`));
    const [dead] = await db()
      .select({ n: sql<number>`count(*)::int` })
      .from(jobs)
      .where(and(eq(jobs.kind, 'accounts.delete'), eq(jobs.state, 'dead')));
    assert.equal(Number(dead?.n), 0, 'no deletion run failed for good');
    if (Number(row?.n) === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** How many rows of `table` match `where`. */
async function count(table: PgTable, where: SQL | undefined): Promise<number> {
  const [row] = await db().select({ n: sql<number>`count(*)::int` }).from(table).where(where);
  return Number(row?.n);
}

describe('account lifecycle', () => {
  test('deactivate: needs the password, hides the profile and statuses, ends sessions; signing in reactivates', async () => {
    const [gone, reader] = [await h.register({ password: 'gone-secret-words' }), await h.register()];
    const status = await post(h, gone, { status: 'still here?' });
    assert.equal(
      (await h.api('POST', '/users/@me/disable', { body: { password: gone.password } })).status,
      401,
    );
    const wrong = await h.api('POST', '/users/@me/disable', {
      token: gone.token,
      body: { password: 'nope-nope' },
    });
    assert.equal(wrong.status, 400);
    assert.equal((await h.api('POST', '/users/@me/disable', { token: gone.token, body: {} })).status, 400);
    // Someone else's password does not deactivate anyone: the route is the caller's own account only.
    const other = await h.api('POST', '/users/@me/disable', {
      token: reader.token,
      body: { password: gone.password },
    });
    assert.equal(other.status, 400);
    assert.equal((await m('GET', `/api/v1/accounts/${gone.id}`, reader)).status, 200);

    const res = await h.api('POST', '/users/@me/disable', {
      token: gone.token,
      body: { password: gone.password },
    });
    assert.equal(res.status, 204, res.text);
    assert.equal((await h.api('GET', '/users/@me', { token: gone.token })).status, 401, 'its sessions ended');
    assert.equal((await m('GET', `/api/v1/accounts/${gone.id}`, reader)).status, 404);
    assert.equal((await m('GET', `/api/v1/statuses/${status}`, reader)).status, 404);
    assert.equal((await signIn(gone, 'wrong-password')).status, 400, 'a wrong password does not reactivate');
    assert.equal((await m('GET', `/api/v1/accounts/${gone.id}`, reader)).status, 404);

    const back = await signIn(gone);
    assert.equal(back.status, 200, back.text);
    assert.equal((await m('GET', `/api/v1/accounts/${gone.id}`, reader)).status, 200);
    assert.equal((await m('GET', `/api/v1/statuses/${status}`, reader)).status, 200);
    const [row] = await db().select({ status: users.status }).from(users).where(eq(users.id, gone.id));
    assert.equal(row?.status, 'active');
  });

  test('delete: content removed by the job, counts exact, third parties see nothing of it, username reserved', async () => {
    const alice = await h.register({ password: 'alice-secret-words' });
    const [bob, carol, dave] = [await h.register(), await h.register(), await h.register()];
    assert.equal(
      (await m('PATCH', '/api/v1/accounts/update_credentials', dave, { locked: true })).status,
      200,
    );
    await follow(bob, alice);
    await follow(alice, bob);
    await follow(carol, alice);
    await follow(alice, dave); // a request: dave is locked
    await follow(bob, carol);

    const media = await uploadPng(alice);
    const spare = await uploadPng(alice); // never attached
    const pub = await post(h, alice, { status: `hello @${bob.username}`, media_ids: [media] });
    await post(h, alice, { status: `@${bob.username} just us`, visibility: 'direct' });
    const bobs = await post(h, bob, {
      status: 'what do you drink?',
      poll: { options: ['tea', 'coffee'], expires_in: 3600 },
    });
    const pollId = (await m('GET', `/api/v1/statuses/${bobs}`, bob)).body.poll.id;
    assert.equal((await m('POST', `/api/v1/polls/${pollId}/votes`, alice, { choices: [0] })).status, 200);
    assert.equal((await m('POST', `/api/v1/statuses/${bobs}/favourite`, alice)).status, 200);
    assert.equal((await m('POST', `/api/v1/statuses/${bobs}/reblog`, alice)).status, 200);
    await post(h, alice, { status: 'a comment', in_reply_to_id: bobs });
    const carols = await post(h, carol, { status: 'carol speaking' });
    assert.equal((await m('POST', `/api/v1/statuses/${carols}/favourite`, alice)).status, 200);
    const list = (await m('POST', '/api/v1/lists', bob, { title: 'people' })).body.id;
    assert.equal(
      (await m('POST', `/api/v1/lists/${list}/accounts`, bob, { account_ids: [alice.id] })).status,
      200,
    );
    assert.equal((await m('POST', `/api/v1/accounts/${alice.id}/mute`, carol)).status, 200);
    const url: string = (await m('GET', `/api/v1/statuses/${pub}`, bob)).body.media_attachments[0].url;
    const filesBefore = filesUnder(h.dataDir).filter((f) => f.includes(alice.id)).length;
    assert.ok(filesBefore >= 2, 'the uploads are stored');
    const before = await m('GET', `/api/v1/statuses/${bobs}`, bob);
    assert.deepEqual(
      [before.body.favourites_count, before.body.reblogs_count, before.body.replies_count],
      [1, 1, 1],
    );
    assert.equal((await m('GET', '/api/v1/conversations', bob)).body.length, 1);
    assert.ok(
      (await m('GET', '/api/v1/notifications', bob)).body.some((n: any) => n.account.id === alice.id),
    );

    // No one deletes an account without its password, and signed out is 401.
    assert.equal(
      (await h.api('POST', '/users/@me/delete', { body: { password: alice.password } })).status,
      401,
    );
    const bobTries = await h.api('POST', '/users/@me/delete', {
      token: bob.token,
      body: { password: alice.password },
    });
    assert.equal(bobTries.status, 400);
    assert.equal((await m('GET', `/api/v1/accounts/${alice.id}`, carol)).status, 200);
    assert.equal((await m('GET', `/api/v1/accounts/${bob.id}`, carol)).status, 200);

    const res = await h.api('POST', '/users/@me/delete', {
      token: alice.token,
      body: { password: alice.password },
    });
    assert.equal(res.status, 204, res.text);
    // At once: no session, no sign-in, no profile.
    assert.equal((await h.api('GET', '/users/@me', { token: alice.token })).status, 401);
    assert.equal((await signIn(alice)).status, 400);
    assert.equal((await m('GET', `/api/v1/accounts/${alice.id}`, bob)).status, 404);
    assert.equal((await fetch(url.replace('http://hearth.test', h.url))).status, 404);

    await deletionFinished(alice.id);
    // Its rows are gone, and so are its stored files.
    assert.equal(await count(posts, eq(posts.userId, alice.id)), 0);
    assert.equal(await count(mediaAttachments, eq(mediaAttachments.userId, alice.id)), 0);
    assert.equal(
      filesUnder(h.dataDir).filter((f) => f.includes(alice.id) && (f.includes(media) || f.includes(spare)))
        .length,
      0,
    );
    assert.equal(await count(postReactions, eq(postReactions.reactorId, alice.id)), 0);
    assert.equal(await count(pollVotes, eq(pollVotes.voterId, alice.id)), 0);
    assert.equal(await count(follows, or(eq(follows.userId, alice.id), eq(follows.targetId, alice.id))), 0);
    assert.equal(
      await count(followers, or(eq(followers.userId, alice.id), eq(followers.followerId, alice.id))),
      0,
    );
    assert.equal(await count(listAccounts, eq(listAccounts.accountId, alice.id)), 0);
    assert.equal(await count(mutes, eq(mutes.targetId, alice.id)), 0);
    assert.equal(
      await count(notifications, or(eq(notifications.fromId, alice.id), eq(notifications.userId, alice.id))),
      0,
    );

    // Third parties: counts exact, nothing of it in their timelines, notifications, lists, conversations, requests.
    const after = await m('GET', `/api/v1/statuses/${bobs}`, bob);
    assert.deepEqual(
      [after.body.favourites_count, after.body.reblogs_count, after.body.replies_count],
      [0, 0, 0],
    );
    assert.equal((await m('GET', `/api/v1/statuses/${carols}`, carol)).body.favourites_count, 0);
    assert.deepEqual(
      (await m('GET', `/api/v1/polls/${pollId}`, bob)).body.options.map((o: any) => o.votes_count),
      [0, 0],
    );
    const bobAccount = (await m('GET', `/api/v1/accounts/${bob.id}`, bob)).body;
    assert.deepEqual([bobAccount.followers_count, bobAccount.following_count], [0, 1]);
    const carolAccount = (await m('GET', `/api/v1/accounts/${carol.id}`, carol)).body;
    assert.deepEqual([carolAccount.followers_count, carolAccount.following_count], [1, 0]);
    const home = await m('GET', '/api/v1/timelines/home?limit=40', bob);
    assert.ok(!home.body.some((s: any) => s.account.id === alice.id || s.reblog?.account.id === alice.id));
    assert.ok(
      !(await m('GET', '/api/v1/notifications', bob)).body.some((n: any) => n.account.id === alice.id),
    );
    assert.deepEqual((await m('GET', `/api/v1/lists/${list}/accounts`, bob)).body, []);
    assert.deepEqual((await m('GET', '/api/v1/conversations', bob)).body, []);
    assert.deepEqual(ids((await m('GET', '/api/v1/follow_requests', dave)).body), []);
    assert.deepEqual(ids((await m('GET', `/api/v1/accounts/${bob.id}/followers`, bob)).body), []);

    // The username stays taken; the email is free again.
    const again = await h.api('POST', '/auth/register', {
      body: { username: alice.username, email: `x${alice.email}`, password: 'correct horse battery' },
    });
    assert.equal(again.status, 400);
    assert.match(again.text, /USERNAME_ALREADY_TAKEN/);
    const fresh = await h.api('POST', '/auth/register', {
      body: {
        username: `n${alice.username}`.slice(0, 32),
        email: alice.email,
        password: 'correct horse battery',
      },
    });
    assert.equal(fresh.status, 201, fresh.text);
  });

  test('delete: chat messages stay, by "Deleted User"; a guild owner must hand the guild over first', async () => {
    const guild = await createGuild(h);
    const refused = await h.api('POST', '/users/@me/delete', {
      token: guild.owner.token,
      body: { password: guild.owner.password },
    });
    assert.equal(refused.status, 400);
    assert.match(refused.text, /40011/);
    const member = await join(h, guild);
    const sent = await h.api('POST', `/channels/${guild.textChannelId}/messages`, {
      token: member.token,
      body: { content: 'hi' },
    });
    assert.equal(sent.status, 200, sent.text);
    const res = await h.api('POST', '/users/@me/delete', {
      token: member.token,
      body: { password: member.password },
    });
    assert.equal(res.status, 204, res.text);
    const history = await h.api('GET', `/channels/${guild.textChannelId}/messages`, {
      token: guild.owner.token,
    });
    const mine = history.body.find((x: { id: string }) => x.id === sent.body.id);
    assert.equal(mine.content, 'hi');
    assert.deepEqual(
      [mine.author.id, mine.author.username, mine.author.global_name, mine.author.avatar],
      [member.id, 'deleted_user', 'Deleted User', null],
    );
  });
});
