import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRestAPIClient, createStreamingAPIClient } from 'masto';
import { follows, listAccounts, users } from '../../src/store/schema';
import { startHearth, type TestServer, type TestUser } from '../harness';
import { mastodon, post } from '../social-helpers';

// Mastodon lists (/api/v1/lists…, /api/v1/timelines/list/:id, the `list` stream) and conversations
// (/api/v1/conversations…, the `direct` stream): ownership, the follow rule, visibility, replies policy, exclusive
// lists, bounds, and masto.js's REST and streaming clients.

let h: TestServer;
let m: ReturnType<typeof mastodon>;
before(async () => {
  h = await startHearth();
  m = mastodon(h);
});
after(() => h.close());

const follow = async (a: TestUser, b: TestUser) =>
  assert.equal((await m('POST', `/api/v1/accounts/${b.id}/follow`, a)).status, 200);
const ids = (body: Array<{ id: string }>) => body.map((s) => s.id);
const newList = async (u: TestUser, body: Record<string, unknown> = { title: 'friends' }) => {
  const res = await m('POST', '/api/v1/lists', u, body);
  assert.equal(res.status, 200, res.text);
  return res.body.id as string;
};
const timeline = async (u: TestUser, listId: string) => {
  const res = await m('GET', `/api/v1/timelines/list/${listId}?limit=40`, u);
  assert.equal(res.status, 200, res.text);
  return ids(res.body);
};
/** Polls until `check` holds (the streaming server subscribes asynchronously); no timing is asserted. */
const until = async (check: () => boolean) => {
  while (!check()) await new Promise((r) => setTimeout(r, 20));
};

describe('lists', () => {
  test('create, read, update, delete: List entities, blank titles 422, another user’s list 404, signed out 401', async () => {
    const [alice, bob] = [await h.register(), await h.register()];
    const created = await m('POST', '/api/v1/lists', alice, { title: '  Close friends ' });
    assert.equal(created.status, 200, created.text);
    assert.deepEqual(
      { ...created.body, id: undefined },
      { id: undefined, title: 'Close friends', replies_policy: 'list', exclusive: false },
    );
    const id = created.body.id;
    assert.equal((await m('POST', '/api/v1/lists', alice, { title: '   ' })).status, 422);
    assert.equal((await m('POST', '/api/v1/lists', alice, {})).status, 422);
    assert.equal(
      (await m('POST', '/api/v1/lists', alice, { title: 'x', replies_policy: 'all' })).status,
      400,
    );
    assert.equal((await m('POST', '/api/v1/lists', alice, { title: 'x'.repeat(101) })).status, 400);

    const updated = await m('PUT', `/api/v1/lists/${id}`, alice, { replies_policy: 'none', exclusive: true });
    assert.equal(updated.status, 200, updated.text);
    assert.deepEqual(updated.body, { id, title: 'Close friends', replies_policy: 'none', exclusive: true });
    assert.deepEqual((await m('GET', `/api/v1/lists/${id}`, alice)).body, updated.body);
    assert.deepEqual((await m('GET', '/api/v1/lists', alice)).body, [updated.body]);

    // Bob learns nothing of Alice's list: every route answers as for a list that does not exist.
    const missing = await m('GET', '/api/v1/lists/1234567890', bob);
    assert.equal(missing.status, 404);
    for (const [method, path, body] of [
      ['GET', `/api/v1/lists/${id}`, undefined],
      ['PUT', `/api/v1/lists/${id}`, { title: 'mine' }],
      ['DELETE', `/api/v1/lists/${id}`, undefined],
      ['GET', `/api/v1/lists/${id}/accounts`, undefined],
      ['POST', `/api/v1/lists/${id}/accounts`, { account_ids: [alice.id] }],
      ['DELETE', `/api/v1/lists/${id}/accounts`, { account_ids: [alice.id] }],
      ['GET', `/api/v1/timelines/list/${id}`, undefined],
    ] as const) {
      const res = await m(method, path, bob, body);
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.deepEqual(res.body, missing.body, `${method} ${path}`);
    }
    assert.deepEqual((await m('GET', '/api/v1/lists', bob)).body, []);
    assert.equal((await m('GET', '/api/v1/lists', null)).status, 401);
    assert.equal((await m('GET', `/api/v1/timelines/list/${id}`, null)).status, 401);
    assert.equal((await m('GET', `/api/v1/lists/${id}`, alice)).body.title, 'Close friends', 'unchanged');

    assert.equal((await m('DELETE', `/api/v1/lists/${id}`, alice)).status, 200);
    assert.equal((await m('GET', `/api/v1/lists/${id}`, alice)).status, 404);
    assert.ok(
      h.events.some((e) => e.t === 'SOCIAL_LIST_UPDATE' && (e.d as { deleted: boolean }).deleted),
      'deletion told to the owner’s streams',
    );
  });

  test('members: only accounts one follows, once each; listed, paged, found by account; unfollowing removes them', async () => {
    const [alice, bob, carol, dave, stranger] = await Promise.all(
      Array.from({ length: 5 }, () => h.register()),
    );
    for (const u of [bob, carol, dave]) await follow(alice, u);
    const id = await newList(alice);

    const notFollowed = await m('POST', `/api/v1/lists/${id}/accounts`, alice, {
      account_ids: [stranger.id],
    });
    assert.equal(notFollowed.status, 422, notFollowed.text);
    assert.equal(
      (await m('POST', `/api/v1/lists/${id}/accounts`, alice, { account_ids: ['1234567890'] })).status,
      404,
    );
    assert.equal((await m('POST', `/api/v1/lists/${id}/accounts`, alice, {})).status, 422);
    // All or none: a followed account beside one not followed is not added either.
    assert.equal(
      (await m('POST', `/api/v1/lists/${id}/accounts`, alice, { account_ids: [bob.id, stranger.id] })).status,
      422,
    );
    assert.deepEqual((await m('GET', `/api/v1/lists/${id}/accounts`, alice)).body, []);

    for (const u of [bob, carol, dave]) {
      const res = await m('POST', `/api/v1/lists/${id}/accounts`, alice, { account_ids: [u.id] });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, {});
    }
    assert.equal(
      (await m('POST', `/api/v1/lists/${id}/accounts`, alice, { account_ids: [bob.id] })).status,
      422,
    );

    const first = await m('GET', `/api/v1/lists/${id}/accounts?limit=2`, alice);
    assert.deepEqual(ids(first.body), [dave.id, carol.id], 'latest added first');
    const next = /<([^>]+)>; rel="next"/.exec(String(first.headers.get('link')))?.[1];
    assert.ok(next);
    assert.deepEqual(ids((await m('GET', new URL(next).pathname + new URL(next).search, alice)).body), [
      bob.id,
    ]);
    const all = await m('GET', `/api/v1/lists/${id}/accounts?limit=0`, alice);
    assert.equal(all.body.length, 3);
    assert.equal(all.headers.get('link'), null, 'limit=0 is unpaged');

    const other = await newList(alice, { title: 'work' });
    await m('POST', `/api/v1/lists/${other}/accounts`, alice, { account_ids: [bob.id] });
    const bobsLists = await m('GET', `/api/v1/accounts/${bob.id}/lists`, alice);
    assert.deepEqual(bobsLists.body.map((l: { id: string }) => l.id).sort(), [id, other].sort());
    assert.deepEqual(
      (await m('GET', `/api/v1/accounts/${bob.id}/lists`, carol)).body,
      [],
      'only one’s own lists',
    );
    assert.equal((await m('GET', '/api/v1/accounts/1234567890/lists', alice)).status, 404);

    // Removal by query (as clients send DELETE) and by body; an account not on the list is ignored.
    const removed = await m('DELETE', `/api/v1/lists/${id}/accounts?account_ids[]=${carol.id}`, alice);
    assert.equal(removed.status, 200, removed.text);
    await m('DELETE', `/api/v1/lists/${id}/accounts`, alice, { account_ids: [stranger.id] });
    assert.deepEqual(ids((await m('GET', `/api/v1/lists/${id}/accounts`, alice)).body), [dave.id, bob.id]);

    // Unfollowing (or a block) takes the account off every list.
    await m('POST', `/api/v1/accounts/${bob.id}/unfollow`, alice);
    assert.deepEqual(ids((await m('GET', `/api/v1/lists/${id}/accounts`, alice)).body), [dave.id]);
    assert.deepEqual((await m('GET', `/api/v1/accounts/${bob.id}/lists`, alice)).body, []);
    await h.api('PUT', `/users/@me/relationships/${dave.id}`, { token: alice.token, body: { type: 2 } });
    assert.deepEqual((await m('GET', `/api/v1/lists/${id}/accounts`, alice)).body, []);
  });

  test('timeline: members’ statuses the owner may see, boosts, Link paging; followers-only of someone unfollowed leaves', async () => {
    const [alice, bob, carol, outsider] = await Promise.all(Array.from({ length: 4 }, () => h.register()));
    await follow(alice, bob);
    await follow(alice, carol);
    const id = await newList(alice);
    await m('POST', `/api/v1/lists/${id}/accounts`, alice, { account_ids: [bob.id] });

    const pub = await post(h, bob, { status: 'public from bob' });
    const priv = await post(h, bob, { status: 'followers of bob', visibility: 'private' });
    const direct = await post(h, bob, { status: `@${outsider.username} secret`, visibility: 'direct' });
    const toAlice = await post(h, bob, { status: `@${alice.username} for you`, visibility: 'direct' });
    const fromCarol = await post(h, carol, { status: 'not on the list' });
    const own = await post(h, alice, { status: 'mine' });
    const outside = await post(h, outsider, { status: 'outsider' });
    const boost = (await m('POST', `/api/v1/statuses/${outside}/reblog`, bob)).body.id;

    assert.deepEqual(await timeline(alice, id), [boost, priv, pub]);
    // Direct statuses are conversations, not list posts, even those naming the owner (as on Mastodon).
    assert.ok(!(await timeline(alice, id)).some((s) => [direct, toAlice, fromCarol, own].includes(s)));

    const first = await m('GET', `/api/v1/timelines/list/${id}?limit=2`, alice);
    assert.deepEqual(ids(first.body), [boost, priv]);
    const next = /<([^>]+)>; rel="next"/.exec(String(first.headers.get('link')))?.[1];
    assert.ok(next);
    assert.ok(next.includes(`/api/v1/timelines/list/${id}?`), next);
    assert.deepEqual(ids((await m('GET', new URL(next).pathname + new URL(next).search, alice)).body), [pub]);

    // Muting a member hides them here as at home.
    await m('POST', `/api/v1/accounts/${bob.id}/mute`, alice);
    assert.deepEqual(await timeline(alice, id), []);
    await m('POST', `/api/v1/accounts/${bob.id}/unmute`, alice);

    // Bob removes Alice from his followers: she is no longer allowed his followers-only status, and he leaves the list.
    await m('POST', `/api/v1/accounts/${alice.id}/remove_from_followers`, bob);
    assert.deepEqual(await timeline(alice, id), []);
    await follow(alice, bob);
    await m('POST', `/api/v1/lists/${id}/accounts`, alice, { account_ids: [bob.id] });
    assert.deepEqual(await timeline(alice, id), [boost, priv, pub]);
  });

  test('replies policy: followed, list, none; replies to the owner and self-replies always', async () => {
    const [alice, bob, carol, stranger] = await Promise.all(Array.from({ length: 4 }, () => h.register()));
    await follow(alice, bob);
    await follow(alice, carol);
    const id = await newList(alice, { title: 'replies', replies_policy: 'list' });
    await m('POST', `/api/v1/lists/${id}/accounts`, alice, { account_ids: [bob.id] });

    const toAlice = await post(h, bob, {
      status: 'to alice',
      in_reply_to_id: await post(h, alice, { status: 'a' }),
    });
    const self = await post(h, bob, {
      status: 'thread',
      in_reply_to_id: await post(h, bob, { status: 'b' }),
    });
    const toCarol = await post(h, bob, {
      status: 'to carol',
      in_reply_to_id: await post(h, carol, { status: 'c' }),
    });
    const toStranger = await post(h, bob, {
      status: 'to a stranger',
      in_reply_to_id: await post(h, stranger, { status: 's' }),
    });
    const shown = async () =>
      (await timeline(alice, id)).filter((s) => [toAlice, self, toCarol, toStranger].includes(s));

    assert.deepEqual(await shown(), [self, toAlice], 'list: replies to members only (carol is not one)');
    await m('POST', `/api/v1/lists/${id}/accounts`, alice, { account_ids: [carol.id] });
    assert.deepEqual(await shown(), [toCarol, self, toAlice], 'carol joined');
    await m('DELETE', `/api/v1/lists/${id}/accounts`, alice, { account_ids: [carol.id] });
    await m('PUT', `/api/v1/lists/${id}`, alice, { replies_policy: 'followed' });
    assert.deepEqual(await shown(), [toCarol, self, toAlice], 'followed: carol is followed');
    await m('PUT', `/api/v1/lists/${id}`, alice, { replies_policy: 'none' });
    assert.deepEqual(await shown(), [self, toAlice]);
  });

  test('exclusive lists: their members’ statuses leave the home timeline', async () => {
    const [alice, bob, carol] = await Promise.all(Array.from({ length: 3 }, () => h.register()));
    await follow(alice, bob);
    await follow(alice, carol);
    const id = await newList(alice, { title: 'quiet' });
    await m('POST', `/api/v1/lists/${id}/accounts`, alice, { account_ids: [bob.id] });
    const fromBob = await post(h, bob, { status: 'bob' });
    const fromCarol = await post(h, carol, { status: 'carol' });
    const home = async () => ids((await m('GET', '/api/v1/timelines/home?limit=40', alice)).body);
    assert.deepEqual(await home(), [fromCarol, fromBob], 'not exclusive: both');
    await m('PUT', `/api/v1/lists/${id}`, alice, { exclusive: true });
    assert.deepEqual(await home(), [fromCarol]);
    assert.deepEqual(await timeline(alice, id), [fromBob], 'still in the list');
    await m('DELETE', `/api/v1/lists/${id}`, alice);
    assert.deepEqual(await home(), [fromCarol, fromBob], 'the list gone, home has it again');
  });

  test('bounds: lists per account, under concurrent creation too', async () => {
    const alice = await h.register();
    for (let i = 0; i < 47; i++) await newList(alice, { title: `l${i}` });
    const racing = await Promise.all(
      Array.from({ length: 6 }, (_, i) => m('POST', '/api/v1/lists', alice, { title: `race${i}` })),
    );
    assert.deepEqual(racing.map((r) => r.status).sort(), [200, 200, 200, 422, 422, 422]);
    const over = await m('POST', '/api/v1/lists', alice, { title: 'one too many' });
    assert.equal(over.status, 422, over.text);
    assert.equal((await m('GET', '/api/v1/lists', alice)).body.length, 50);
  });

  test('bounds: at most 1,000 accounts a list; the thousandth is added, the next refused, all or none', async () => {
    const owner = await h.register();
    const list = await newList(owner);
    // 999 followed accounts already on the list, written directly (registering them over HTTP would take minutes).
    const { db } = h.app.database;
    // Ids from long ago (never generated now), distinct per owner.
    const base = 10n ** 15n + (BigInt(owner.id) % 10n ** 9n) * 2000n;
    const people = Array.from({ length: 1001 }, (_, i) => ({
      id: (base + BigInt(i)).toString(),
      username: `cap${owner.id.slice(-8)}_${i}`,
    }));
    await db.insert(users).values(people);
    await db
      .insert(follows)
      .values(people.map((p) => ({ userId: owner.id, targetId: p.id, id: p.id, accepted: true })));
    await db
      .insert(listAccounts)
      .values(
        people.slice(0, 999).map((p) => ({ userId: owner.id, listId: list, accountId: p.id, id: p.id })),
      );
    const two = await m('POST', `/api/v1/lists/${list}/accounts`, owner, {
      account_ids: [people[999].id, people[1000].id],
    });
    assert.equal(two.status, 422, 'two more would make 1,001: neither is added');
    assert.match(two.text, /at most 1000/);
    const thousandth = await m('POST', `/api/v1/lists/${list}/accounts`, owner, {
      account_ids: [people[999].id],
    });
    assert.equal(thousandth.status, 200, thousandth.text);
    const over = await m('POST', `/api/v1/lists/${list}/accounts`, owner, { account_ids: [people[1000].id] });
    assert.equal(over.status, 422, over.text);
    const all = await m('GET', `/api/v1/lists/${list}/accounts?limit=0`, owner);
    assert.equal(all.body.length, 1000);
    assert.ok(!ids(all.body).includes(people[1000].id));
  });

  test('masto.js: lists through its REST client, and the `list` stream (another user’s list refused)', async () => {
    const [alice, bob, carol] = await Promise.all(Array.from({ length: 3 }, () => h.register()));
    await follow(alice, bob);
    await follow(alice, carol);
    const client = createRestAPIClient({ url: h.url, accessToken: alice.token });
    // masto.js's types lack `repliesPolicy` (Mastodon 4.0); it sends it as `replies_policy` all the same.
    const params = { title: 'masto', repliesPolicy: 'followed' };
    const list = await client.v1.lists.create(params);
    assert.equal(list.repliesPolicy, 'followed');
    await client.v1.lists.$select(list.id).accounts.create({ accountIds: [bob.id] });
    const members = await client.v1.lists.$select(list.id).accounts.list();
    assert.deepEqual(
      members.map((a) => a.id),
      [bob.id],
    );
    const updated = await client.v1.lists.$select(list.id).update({ title: 'renamed', exclusive: true });
    assert.equal(updated.title, 'renamed');
    assert.deepEqual(
      (await client.v1.accounts.$select(bob.id).lists.list()).map((l) => l.id),
      [list.id],
    );

    const streamingApiUrl = h.url.replace(/^http/, 'ws');
    const stream = createStreamingAPIClient({ streamingApiUrl, accessToken: alice.token, retry: false });
    const bobStream = createStreamingAPIClient({ streamingApiUrl, accessToken: bob.token, retry: false });
    try {
      const events: any[] = [];
      (async () => {
        for await (const e of stream.list.subscribe({ list: list.id })) events.push(e);
      })().catch(() => {});
      // Bob may not stream Alice's list: he gets nothing from it, and is not subscribed.
      const refused: any[] = [];
      (async () => {
        for await (const e of bobStream.list.subscribe({ list: list.id })) refused.push(e);
      })().catch(() => {});
      const home: any[] = [];
      (async () => {
        for await (const e of stream.user.subscribe()) home.push(e);
      })().catch(() => {});
      await until(() => h.app.streaming.streamsOf(alice.id).includes(`list:${list.id}`));
      await until(() => h.app.streaming.streamsOf(alice.id).includes('user'));

      await post(h, carol, { status: 'carol is not on the list' });
      const fromBob = await post(h, bob, { status: 'bob on the list' });
      await until(() => events.some((e) => e.event === 'update'));
      const updates = events.filter((e) => e.event === 'update');
      assert.deepEqual(
        updates.map((e) => e.payload.id),
        [fromBob],
      );
      assert.deepEqual(updates[0].stream, ['list', list.id]);
      assert.ok(!h.app.streaming.streamsOf(bob.id).includes(`list:${list.id}`));
      assert.deepEqual(refused, []);
      // The list is exclusive: Bob's status is not on Alice's user stream. Carol's next one is, and the stream keeps
      // the bus's order, so Bob's would have come before it.
      const sync = await post(h, carol, { status: 'carol at home' });
      await until(() => home.some((e) => e.event === 'update' && e.payload.id === sync));
      assert.ok(
        !home.some((e) => e.event === 'update' && e.payload.id === fromBob),
        'exclusive: not at home',
      );

      // A member added later is streamed too; a deleted status reaches the list as `delete`.
      await client.v1.lists.$select(list.id).accounts.create({ accountIds: [carol.id] });
      const fromCarol = await post(h, carol, { status: 'carol joined' });
      await until(() => events.some((e) => e.event === 'update' && e.payload.id === fromCarol));
      await m('DELETE', `/api/v1/statuses/${fromBob}`, bob);
      await until(() => events.some((e) => e.event === 'delete' && e.payload === fromBob));
    } finally {
      stream.close();
      bobStream.close();
    }
    // Server-Sent Events: another user's list is refused before the stream starts; one's own opens.
    const sse = (u: TestUser, query: string) =>
      fetch(`${h.url}/api/v1/streaming/list?${query}`, { headers: { authorization: `Bearer ${u.token}` } });
    const notHis = await sse(bob, `list=${list.id}`);
    assert.equal(notHis.status, 401);
    assert.deepEqual(await notHis.json(), { error: 'Not authorized to stream this list' });
    assert.equal((await sse(alice, 'list=abc')).status, 401);
    const own = await sse(alice, `list=${list.id}`);
    assert.equal(own.status, 200);
    assert.match(own.headers.get('content-type') ?? '', /text\/event-stream/);
    await own.body?.cancel();

    await client.v1.lists.$select(list.id).remove();
    assert.deepEqual(await client.v1.lists.list(), []);
  });
});

describe('conversations', () => {
  test('a direct status makes a conversation for each participant: unread, read, paged, deleted; others’ 404', async () => {
    const [alice, bob, carol, eve] = await Promise.all(Array.from({ length: 4 }, () => h.register()));
    const first = await post(h, alice, {
      status: `@${bob.username} @${carol.username} hi`,
      visibility: 'direct',
    });
    const list = async (u: TestUser) => {
      const res = await m('GET', '/api/v1/conversations', u);
      assert.equal(res.status, 200, res.text);
      return res.body as Array<{
        id: string;
        unread: boolean;
        accounts: Array<{ id: string }>;
        last_status: any;
      }>;
    };
    const [ofBob] = await list(bob);
    assert.equal(ofBob.unread, true);
    assert.equal(ofBob.last_status.id, first);
    assert.deepEqual(ofBob.accounts.map((a) => a.id).sort(), [alice.id, carol.id].sort());
    const [ofAlice] = await list(alice);
    assert.equal(ofAlice.unread, false, 'the author has read their own');
    assert.deepEqual(ofAlice.accounts.map((a) => a.id).sort(), [bob.id, carol.id].sort());
    assert.deepEqual(await list(eve), []);

    // A reply continues the conversation: the same one, its latest status, unread for the others.
    const read = await m('POST', `/api/v1/conversations/${ofBob.id}/read`, bob);
    assert.equal(read.status, 200, read.text);
    assert.equal(read.body.unread, false);
    const reply = await post(h, bob, {
      status: `@${alice.username} @${carol.username} hello back`,
      visibility: 'direct',
      in_reply_to_id: first,
    });
    const [again] = await list(bob);
    assert.equal(again.id, ofBob.id);
    assert.equal(again.last_status.id, reply);
    assert.equal(again.unread, false);
    const [aliceAgain] = await list(alice);
    assert.equal(aliceAgain.id, ofAlice.id);
    assert.equal(aliceAgain.unread, true);

    // Deleting the latest status falls back to the one before; deleting both ends the conversation.
    await m('DELETE', `/api/v1/statuses/${reply}`, bob);
    assert.equal((await list(alice))[0].last_status.id, first);
    await m('DELETE', `/api/v1/statuses/${first}`, alice);
    assert.deepEqual(await list(alice), []);
    assert.deepEqual(await list(carol), []);

    // Another thread with the same people is another conversation; paging by the latest status, with Link.
    const t1 = await post(h, alice, { status: `@${bob.username} one`, visibility: 'direct' });
    const t2 = await post(h, alice, { status: `@${bob.username} two`, visibility: 'direct' });
    const page = await m('GET', '/api/v1/conversations?limit=1', bob);
    assert.deepEqual(
      page.body.map((c: any) => c.last_status.id),
      [t2],
    );
    const next = /<([^>]+)>; rel="next"/.exec(String(page.headers.get('link')))?.[1];
    assert.ok(next);
    const older = await m('GET', new URL(next).pathname + new URL(next).search, bob);
    assert.deepEqual(
      older.body.map((c: any) => c.last_status.id),
      [t1],
    );

    // Someone else's conversation: 404 for reading and deleting, as for none; public statuses make none.
    const theirs = page.body[0].id;
    for (const [method, path] of [
      ['POST', `/api/v1/conversations/${theirs}/read`],
      ['DELETE', `/api/v1/conversations/${theirs}`],
    ] as const) {
      assert.equal((await m(method, path, eve)).status, 404, path);
      assert.equal((await m(method, path, null)).status, 401, path);
    }
    await post(h, alice, { status: `@${eve.username} public mention` });
    assert.deepEqual(await list(eve), []);

    assert.equal((await m('DELETE', `/api/v1/conversations/${theirs}`, bob)).status, 200);
    assert.deepEqual(
      (await list(bob)).map((c) => c.last_status.id),
      [t1],
    );
    // A block hides the conversation whose latest status the blocker may no longer see.
    await h.api('PUT', `/users/@me/relationships/${alice.id}`, { token: bob.token, body: { type: 2 } });
    assert.deepEqual(await list(bob), []);
  });

  test('editing a direct status: its conversation shows the edit, tells the streams, follows who it names', async () => {
    const [alice, bob, carol] = await Promise.all(Array.from({ length: 3 }, () => h.register()));
    const first = await post(h, alice, { status: `@${bob.username} hi`, visibility: 'direct' });
    const convOf = async (u: TestUser) => (await m('GET', '/api/v1/conversations', u)).body as any[];
    const [before] = await convOf(bob);
    assert.equal(await m('POST', `/api/v1/conversations/${before.id}/read`, bob).then((r) => r.status), 200);
    const seen = h.events.length;
    const edited = await m('PUT', `/api/v1/statuses/${first}`, alice, {
      status: `@${bob.username} hello, edited`,
    });
    assert.equal(edited.status, 200, edited.text);
    const [after] = await convOf(bob);
    assert.equal(after.id, before.id, 'the same conversation');
    assert.equal(after.last_status.id, first);
    assert.match(after.last_status.content, /hello, edited/);
    assert.equal(after.unread, true, 'the edit is news to the others');
    assert.ok(
      h.events
        .slice(seen)
        .some((e) => e.t === 'SOCIAL_CONVERSATION' && (e.d as { account_id: string }).account_id === bob.id),
      'their direct streams are told',
    );
    // Naming someone else instead: the new one has the conversation, the one no longer named loses it.
    const renamed = await m('PUT', `/api/v1/statuses/${first}`, alice, {
      status: `@${carol.username} only you`,
    });
    assert.equal(renamed.status, 200, renamed.text);
    assert.deepEqual(await convOf(bob), []);
    const [ofCarol] = await convOf(carol);
    assert.equal(ofCarol.last_status.id, first);
    assert.deepEqual(
      ofCarol.accounts.map((a: { id: string }) => a.id),
      [alice.id],
    );
    const ofAlice = await convOf(alice);
    assert.deepEqual(
      ofAlice.map((c) => c.accounts.map((a: { id: string }) => a.id)),
      [[carol.id]],
    );
  });

  test('the `direct` stream gets `conversation` events (masto.js); signed out it is refused', async () => {
    const [alice, bob] = await Promise.all(Array.from({ length: 2 }, () => h.register()));
    const streamingApiUrl = h.url.replace(/^http/, 'ws');
    const stream = createStreamingAPIClient({ streamingApiUrl, accessToken: bob.token, retry: false });
    try {
      const events: any[] = [];
      (async () => {
        for await (const e of stream.direct.subscribe()) events.push(e);
      })().catch(() => {});
      await until(() => h.app.streaming.streamsOf(bob.id).includes('direct'));
      await post(h, alice, { status: 'public, not a conversation' });
      const id = await post(h, alice, { status: `@${bob.username} psst`, visibility: 'direct' });
      await until(() => events.some((e) => e.event === 'conversation'));
      const [conversation] = events.filter((e) => e.event === 'conversation');
      assert.deepEqual(conversation.stream, ['direct']);
      assert.equal(conversation.payload.lastStatus.id, id, 'masto.js camel-cases the payload');
      assert.equal(conversation.payload.unread, true);
      assert.deepEqual(
        conversation.payload.accounts.map((a: { id: string }) => a.id),
        [alice.id],
      );
    } finally {
      stream.close();
    }
    const sse = await fetch(`${h.url}/api/v1/streaming/direct`);
    assert.equal(sse.status, 401);
    await sse.body?.cancel();
  });
});
