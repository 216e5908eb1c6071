import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHearth, type TestServer, type TestUser } from '../harness';
import { mastodon, post } from '../social-helpers';

let h: TestServer;
let m: ReturnType<typeof mastodon>;
before(async () => {
  h = await startHearth();
  m = mastodon(h);
});
after(() => h.close());

const follow = (a: TestUser, b: TestUser) => m('POST', `/api/v1/accounts/${b.id}/follow`, a);
const ids = (list: any[]) => list.map((s) => s.id);
const home = async (u: TestUser) => ids((await m('GET', '/api/v1/timelines/home', u)).body);
const publicIds = async (u: TestUser) => ids((await m('GET', '/api/v1/timelines/public?limit=40', u)).body);
const relationship = async (u: TestUser, other: TestUser) =>
  (await m('GET', `/api/v1/accounts/relationships?id[]=${other.id}`, u)).body[0];

describe('bookmarks', () => {
  test('bookmark, list with Link, unbookmark; a boost bookmarks its status; gone with the status', async () => {
    const [a, b] = [await h.register(), await h.register()];
    const s1 = await post(h, a, { status: 'one' });
    const s2 = await post(h, a, { status: 'two' });
    const s3 = await post(h, a, { status: 'three' });
    const res = await m('POST', `/api/v1/statuses/${s1}/bookmark`, b);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.bookmarked, true);
    assert.equal(
      (await m('GET', `/api/v1/statuses/${s1}`, a)).body.bookmarked,
      false,
      'only for who bookmarked',
    );
    const boost = (await m('POST', `/api/v1/statuses/${s2}/reblog`, a)).body.id;
    assert.equal((await m('POST', `/api/v1/statuses/${boost}/bookmark`, b)).body.id, s2);
    await m('POST', `/api/v1/statuses/${s3}/bookmark`, b);
    await m('POST', `/api/v1/statuses/${s3}/bookmark`, b);

    const page = await m('GET', '/api/v1/bookmarks?limit=2', b);
    assert.deepEqual(ids(page.body), [s3, s2]);
    const next = /<([^>]+)>; rel="next"/.exec(page.headers.get('link') ?? '')?.[1];
    assert.ok(next);
    const rest = await m('GET', new URL(next).pathname + new URL(next).search, b);
    assert.deepEqual(ids(rest.body), [s1]);

    assert.equal((await m('POST', `/api/v1/statuses/${s1}/unbookmark`, b)).body.bookmarked, false);
    await m('DELETE', `/api/v1/statuses/${s3}`, a);
    assert.deepEqual(ids((await m('GET', '/api/v1/bookmarks', b)).body), [s2]);
    assert.equal((await m('GET', '/api/v1/bookmarks')).status, 401);
  });

  test('a status one may not see cannot be bookmarked, and leaves the list when it becomes unseen', async () => {
    const [a, b, c] = [await h.register(), await h.register(), await h.register()];
    await follow(b, a);
    const priv = await post(h, a, { status: 'followers', visibility: 'private' });
    assert.equal((await m('POST', `/api/v1/statuses/${priv}/bookmark`, c)).status, 404);
    assert.equal((await m('POST', `/api/v1/statuses/${priv}/bookmark`, b)).status, 200);
    await m('POST', `/api/v1/accounts/${a.id}/unfollow`, b);
    assert.deepEqual(ids((await m('GET', '/api/v1/bookmarks', b)).body), []);
  });
});

describe('pins', () => {
  test('pin own statuses (at most 5), pinned=true lists them, pinned flag; not others, boosts or direct', async () => {
    const [a, b] = [await h.register(), await h.register()];
    const mine = [];
    for (let i = 0; i < 6; i++) mine.push(await post(h, a, { status: `s${i}` }));
    const res = await m('POST', `/api/v1/statuses/${mine[0]}/pin`, a);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.pinned, true);
    assert.equal((await m('POST', `/api/v1/statuses/${mine[0]}/pin`, a)).status, 200, 'again: no change');
    for (const id of mine.slice(1, 5))
      assert.equal((await m('POST', `/api/v1/statuses/${id}/pin`, a)).status, 200);
    const sixth = await m('POST', `/api/v1/statuses/${mine[5]}/pin`, a);
    assert.equal(sixth.status, 422);
    assert.match(sixth.body.error, /more than 5/);
    assert.deepEqual(
      ids((await m('GET', `/api/v1/accounts/${a.id}/statuses?pinned=true`)).body),
      mine.slice(0, 5).reverse(),
    );

    assert.equal((await m('POST', `/api/v1/statuses/${mine[0]}/pin`, b)).status, 404, "another's status");
    const theirs = await post(h, b, { status: 'b' });
    const boost = (await m('POST', `/api/v1/statuses/${theirs}/reblog`, a)).body.id;
    assert.equal((await m('POST', `/api/v1/statuses/${boost}/pin`, a)).status, 422);
    const direct = await post(h, a, { status: `@${b.username} hi`, visibility: 'direct' });
    assert.equal((await m('POST', `/api/v1/statuses/${direct}/pin`, a)).status, 422);
    assert.equal((await m('POST', `/api/v1/statuses/${mine[0]}/pin`)).status, 401);

    assert.equal((await m('POST', `/api/v1/statuses/${mine[0]}/unpin`, a)).body.pinned, false);
    await m('DELETE', `/api/v1/statuses/${mine[1]}`, a);
    assert.deepEqual(
      ids((await m('GET', `/api/v1/accounts/${a.id}/statuses?pinned=true`, b)).body),
      mine.slice(2, 5).reverse(),
    );
    // A followers-only pin is shown only to who may see it.
    const priv = await post(h, a, { status: 'followers', visibility: 'private' });
    assert.equal((await m('POST', `/api/v1/statuses/${priv}/pin`, a)).status, 200);
    assert.ok(!ids((await m('GET', `/api/v1/accounts/${a.id}/statuses?pinned=true`, b)).body).includes(priv));
    assert.ok(ids((await m('GET', `/api/v1/accounts/${a.id}/statuses?pinned=true`, a)).body).includes(priv));
  });
});

describe('mutes', () => {
  test("a muted account's statuses and boosts leave home and public timelines; relationship; list; unmute", async () => {
    const [me, loud, booster] = [await h.register(), await h.register(), await h.register()];
    await follow(me, loud);
    await follow(me, booster);
    const s = await post(h, loud, { status: 'loud' });
    const boost = (await m('POST', `/api/v1/statuses/${s}/reblog`, booster)).body.id;
    assert.deepEqual(await home(me), [boost, s]);

    const res = await m('POST', `/api/v1/accounts/${loud.id}/mute`, me, { notifications: false });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.muting, true);
    assert.equal(res.body.muting_notifications, false);
    assert.deepEqual(await home(me), []);
    assert.ok(!(await publicIds(me)).includes(s));
    assert.ok((await publicIds(booster)).includes(s), 'others still see it');
    assert.equal((await m('GET', `/api/v1/statuses/${s}`, me)).status, 200, 'still readable by id');
    assert.deepEqual(ids((await m('GET', '/api/v1/mutes', me)).body), [loud.id]);
    assert.equal((await relationship(loud, me)).muting, false, 'the muted is not told');

    const un = await m('POST', `/api/v1/accounts/${loud.id}/unmute`, me);
    assert.equal(un.body.muting, false);
    assert.deepEqual(await home(me), [boost, s]);
    assert.deepEqual((await m('GET', '/api/v1/mutes', me)).body, []);
  });

  test('notifications are muted only with notifications=true (the default); a mute with a duration expires', async () => {
    const [me, other, third] = [await h.register(), await h.register(), await h.register()];
    await post(h, other, { status: `hey @${me.username}` });
    const count = async () => (await m('GET', '/api/v1/notifications', me)).body.length;
    assert.equal(await count(), 1);
    await m('POST', `/api/v1/accounts/${other.id}/mute`, me, { notifications: false });
    assert.equal(await count(), 1);
    const muted = await m('POST', `/api/v1/accounts/${other.id}/mute`, me);
    assert.equal(muted.body.muting_notifications, true);
    assert.equal(await count(), 0);

    await m('POST', `/api/v1/accounts/${third.id}/mute`, me, { duration: 1 });
    assert.deepEqual(ids((await m('GET', '/api/v1/mutes', me)).body).sort(), [other.id, third.id].sort());
    await new Promise((r) => setTimeout(r, 1100));
    assert.deepEqual(ids((await m('GET', '/api/v1/mutes', me)).body), [other.id]);
    assert.equal((await relationship(me, third)).muting, false);
  });

  test('bad input and callers without the right', async () => {
    const [me, other] = [await h.register(), await h.register()];
    assert.equal((await m('POST', `/api/v1/accounts/${other.id}/mute`)).status, 401);
    assert.equal((await m('POST', `/api/v1/accounts/${me.id}/mute`, me)).status, 403);
    assert.equal((await m('POST', '/api/v1/accounts/123456789012345678/mute', me)).status, 404);
    assert.equal((await m('POST', `/api/v1/accounts/${other.id}/mute`, me, { duration: -1 })).status, 400);
    assert.equal((await m('GET', '/api/v1/mutes')).status, 401);
  });
});
