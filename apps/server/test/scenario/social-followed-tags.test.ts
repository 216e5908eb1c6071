import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRestAPIClient } from 'masto';
import generator from 'megalodon';
import { startHearth, type TestServer, type TestUser } from '../harness';
import { mastodon, post } from '../social-helpers';

// Followed hashtags: /api/v1/tags/:name/follow and /unfollow, /api/v1/followed_tags, `following` on Tag entities,
// and public statuses with a followed tag in the home timeline (blocks, mutes and visibility still apply).

let h: TestServer;
let m: ReturnType<typeof mastodon>;
before(async () => {
  h = await startHearth();
  m = mastodon(h);
});
after(() => h.close());

/** A tag unique to one test, so tests sharing a server do not see each other's. */
const unique = (base: string) => `${base}${Math.random().toString(36).slice(2, 8)}`;
const home = async (u: TestUser) => {
  const res = await m('GET', '/api/v1/timelines/home?limit=40', u);
  assert.equal(res.status, 200, res.text);
  return (res.body as Array<{ id: string }>).map((s) => s.id);
};

describe('followed hashtags', () => {
  test('follow and unfollow: Tag with following, idempotent, a tag nobody used yet, bad names 404', async () => {
    const [alice, bob] = [await h.register(), await h.register()];
    const tag = unique('Fresh');
    const lower = tag.toLowerCase();
    // Nobody used it and nobody follows it: not found.
    assert.equal((await m('GET', `/api/v1/tags/${tag}`, alice)).status, 404);

    const followed = await m('POST', `/api/v1/tags/${tag}/follow`, alice);
    assert.equal(followed.status, 200, followed.text);
    assert.equal(followed.body.name, lower);
    assert.equal(followed.body.following, true);
    assert.equal(followed.body.history.length, 7);
    assert.equal((await m('POST', `/api/v1/tags/%23${tag}/follow`, alice)).body.following, true, 'again');

    // The follower finds it; someone else does not (nobody posted it), nor does a signed-out caller.
    assert.equal((await m('GET', `/api/v1/tags/${tag}`, alice)).body.following, true);
    assert.equal((await m('GET', `/api/v1/tags/${tag}`, bob)).status, 404);
    await post(h, bob, { status: `first use #${tag}` });
    assert.equal((await m('GET', `/api/v1/tags/${tag}`, bob)).body.following, false);
    assert.equal((await m('GET', `/api/v1/tags/${tag}`, null)).body.following, false);
    const searched = await m('GET', `/api/v2/search?q=%23${tag}&type=hashtags`, alice);
    assert.deepEqual(
      searched.body.hashtags.map((t: { name: string; following: boolean }) => [t.name, t.following]),
      [[lower, true]],
    );

    const unfollowed = await m('POST', `/api/v1/tags/${tag}/unfollow`, alice);
    assert.equal(unfollowed.status, 200);
    assert.equal(unfollowed.body.following, false);
    assert.equal((await m('POST', `/api/v1/tags/${tag}/unfollow`, alice)).body.following, false, 'again');

    // Not a hashtag: 404; signed out: 401.
    for (const bad of ['%20', '123', 'a-b'])
      assert.equal((await m('POST', `/api/v1/tags/${bad}/follow`, alice)).status, 404, bad);
    assert.equal((await m('POST', `/api/v1/tags/${'x'.repeat(101)}/follow`, alice)).status, 414);
    assert.equal((await m('POST', `/api/v1/tags/${tag}/follow`, null)).status, 401);
    assert.equal((await m('GET', '/api/v1/followed_tags', null)).status, 401);
    assert.equal(
      h.events.filter((e) => e.t === 'SOCIAL_TAG_FOLLOW' && e.topic === `account:${alice.id}`).length,
      2,
      'one event per change, none for a repeat',
    );
  });

  test('GET /api/v1/followed_tags: newest follow first, paged with Link headers; each caller sees their own', async () => {
    const [alice, bob] = [await h.register(), await h.register()];
    const tags = [unique('pa'), unique('pb'), unique('pc')];
    for (const t of tags) assert.equal((await m('POST', `/api/v1/tags/${t}/follow`, alice)).status, 200);
    const first = await m('GET', '/api/v1/followed_tags?limit=2', alice);
    assert.equal(first.status, 200);
    assert.deepEqual(
      first.body.map((t: { name: string }) => t.name),
      [tags[2], tags[1]],
    );
    assert.ok(first.body.every((t: { following: boolean }) => t.following));
    const next = /<([^>]+)>; rel="next"/.exec(String(first.headers.get('link')))?.[1];
    assert.ok(next, 'a next link');
    const second = await m('GET', new URL(next).pathname + new URL(next).search, alice);
    assert.deepEqual(
      second.body.map((t: { name: string }) => t.name),
      [tags[0]],
    );
    assert.deepEqual((await m('GET', '/api/v1/followed_tags', bob)).body, []);
  });

  test('home timeline: public statuses with a followed tag; never followers-only, direct, boosts, blocked or muted', async () => {
    const [reader, author, blocked, muted, mentioned] = await Promise.all(
      Array.from({ length: 5 }, () => h.register()),
    );
    const tag = unique('garden');
    assert.equal((await m('POST', `/api/v1/tags/${tag}/follow`, reader)).status, 200);
    await h.api('PUT', `/users/@me/relationships/${blocked.id}`, { token: reader.token, body: { type: 2 } });
    assert.equal((await m('POST', `/api/v1/accounts/${muted.id}/mute`, reader)).status, 200);

    const pub = await post(h, author, { status: `tomatoes #${tag.toUpperCase()}` });
    const unlisted = await post(h, author, { status: `unlisted #${tag}`, visibility: 'unlisted' });
    const priv = await post(h, author, { status: `followers #${tag}`, visibility: 'private' });
    const direct = await post(h, author, {
      status: `@${mentioned.username} direct #${tag}`,
      visibility: 'direct',
    });
    const fromBlocked = await post(h, blocked, { status: `blocked #${tag}` });
    const fromMuted = await post(h, muted, { status: `muted #${tag}` });
    const untagged = await post(h, author, { status: 'no tag here' });
    const boost = await m('POST', `/api/v1/statuses/${pub}/reblog`, mentioned);
    assert.equal(boost.status, 200);

    const ids = await home(reader);
    assert.ok(ids.includes(pub), 'the public tagged status');
    for (const [id, what] of [
      [unlisted, 'unlisted'],
      [priv, 'followers-only'],
      [direct, 'direct'],
      [fromBlocked, 'blocked author'],
      [fromMuted, 'muted author'],
      [untagged, 'untagged'],
      [boost.body.id, 'a boost'],
    ])
      assert.ok(!ids.includes(id), what);

    // Unfollowed: gone from home again.
    await m('POST', `/api/v1/tags/${tag}/unfollow`, reader);
    assert.ok(!(await home(reader)).includes(pub));
  });

  test('masto.js and megalodon follow, list and unfollow tags', async () => {
    const alice = await h.register();
    const tag = unique('clients');
    const masto = createRestAPIClient({ url: h.url, accessToken: alice.token });
    const followed = await masto.v1.tags.$select(tag).follow();
    assert.equal(followed.following, true);
    const listed = await masto.v1.followedTags.list();
    assert.deepEqual(
      listed.map((t) => t.name),
      [tag],
    );
    assert.equal((await masto.v1.tags.$select(tag).fetch()).following, true);

    const mega = generator('mastodon', h.url, alice.token);
    const other = unique('mega');
    assert.equal((await mega.followTag(other)).data.following, true);
    assert.deepEqual(
      (await mega.getFollowedTags()).data.map((t) => t.name),
      [other, tag],
    );
    assert.equal((await mega.unfollowTag(tag)).data.following, false);
    assert.equal((await masto.v1.tags.$select(other).unfollow()).following, false);
    assert.deepEqual(await masto.v1.followedTags.list(), []);
  });
});
