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
const home = async (u: TestUser) => (await m('GET', '/api/v1/timelines/home', u)).body as any[];
const account = async (u: TestUser) => (await m('GET', `/api/v1/accounts/${u.id}`)).body;
const block = (who: TestUser, other: TestUser) =>
  h.api('PUT', `/users/@me/relationships/${other.id}`, { token: who.token, body: { type: 2 } });

describe('boosts (reblogs)', () => {
  test('a boost nests the status, reaches followers, counts once, notifies, and is undone', async () => {
    const [author, booster, reader] = [await h.register(), await h.register(), await h.register()];
    await follow(reader, booster);
    const original = await post(h, author, { status: 'boost me' });

    const res = await m('POST', `/api/v1/statuses/${original}/reblog`, booster);
    assert.equal(res.status, 200, res.text);
    const boost = res.body;
    assert.notEqual(boost.id, original);
    assert.equal(boost.account.id, booster.id);
    assert.equal(boost.content, '');
    assert.equal(boost.visibility, 'public');
    assert.equal(boost.reblogged, true);
    assert.equal(boost.reblog.id, original);
    assert.equal(boost.reblog.account.id, author.id);
    assert.equal(boost.reblog.reblogged, true);
    assert.equal(boost.reblog.reblogs_count, 1);
    assert.equal(boost.reblog.reblog, null);
    // Boosting again (or through the boost's id) is the same boost.
    assert.equal((await m('POST', `/api/v1/statuses/${original}/reblog`, booster)).body.id, boost.id);
    assert.equal((await m('POST', `/api/v1/statuses/${boost.id}/reblog`, booster)).body.id, boost.id);
    assert.equal((await m('GET', `/api/v1/statuses/${original}`)).body.reblogs_count, 1);
    assert.equal((await m('GET', `/api/v1/statuses/${original}`, booster)).body.reblogged, true);
    assert.equal((await m('GET', `/api/v1/statuses/${original}`, reader)).body.reblogged, false);
    assert.equal((await account(booster)).statuses_count, 1);

    // The reader follows the booster: the boost is in their home timeline, the status nested.
    const [first] = await home(reader);
    assert.equal(first.id, boost.id);
    assert.equal(first.reblog.id, original);
    assert.equal(first.reblogged, false);
    // The booster's statuses list it, unless boosts are excluded; public timelines never do.
    assert.deepEqual(ids((await m('GET', `/api/v1/accounts/${booster.id}/statuses`)).body), [boost.id]);
    assert.deepEqual(
      ids((await m('GET', `/api/v1/accounts/${booster.id}/statuses?exclude_reblogs=true`)).body),
      [],
    );
    assert.ok(!ids((await m('GET', '/api/v1/timelines/public?limit=40')).body).includes(boost.id));

    const by = await m('GET', `/api/v1/statuses/${original}/reblogged_by`);
    assert.deepEqual(ids(by.body), [booster.id]);
    assert.match(by.headers.get('link') ?? '', /max_id=/);
    const notes = (await m('GET', '/api/v1/notifications', author)).body as any[];
    assert.equal(notes[0].type, 'reblog');
    assert.equal(notes[0].account.id, booster.id);
    assert.equal(notes[0].status.id, original);
    assert.ok(h.events.some((e) => e.t === 'SOCIAL_STATUS_CREATE' && (e.d as any).id === boost.id));

    const undone = await m('POST', `/api/v1/statuses/${original}/unreblog`, booster);
    assert.equal(undone.status, 200, undone.text);
    assert.equal(undone.body.id, original);
    assert.equal(undone.body.reblogged, false);
    assert.equal(undone.body.reblogs_count, 0);
    assert.equal((await m('GET', `/api/v1/statuses/${boost.id}`)).status, 404);
    assert.deepEqual(await home(reader), []);
    assert.deepEqual((await m('GET', '/api/v1/notifications', author)).body, []);
    assert.equal((await account(booster)).statuses_count, 0);
    // Unboosting what one never boosted changes nothing.
    assert.equal((await m('POST', `/api/v1/statuses/${original}/unreblog`, booster)).status, 200);
  });

  test("a boost's id favourites and answers the boosted status", async () => {
    const [author, booster, reader] = [await h.register(), await h.register(), await h.register()];
    const original = await post(h, author, { status: 'the original' });
    const boost = (await m('POST', `/api/v1/statuses/${original}/reblog`, booster)).body;

    const faved = await m('POST', `/api/v1/statuses/${boost.id}/favourite`, reader);
    assert.equal(faved.status, 200, faved.text);
    assert.equal(faved.body.id, original);
    assert.equal(faved.body.favourited, true);
    assert.equal((await m('GET', `/api/v1/statuses/${original}`)).body.favourites_count, 1);
    const notes = (await m('GET', '/api/v1/notifications', author)).body as any[];
    assert.ok(notes.some((n) => n.type === 'favourite' && n.status.id === original));
    assert.equal(
      (await m('POST', `/api/v1/statuses/${boost.id}/unfavourite`, reader)).body.favourites_count,
      0,
    );

    const reply = await m('POST', '/api/v1/statuses', reader, {
      status: '@x answer',
      in_reply_to_id: boost.id,
    });
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.body.in_reply_to_id, original);
    assert.equal(reply.body.in_reply_to_account_id, author.id);
    assert.equal((await m('GET', `/api/v1/statuses/${original}`)).body.replies_count, 1);
  });

  test('who may boost what: private by its author only, direct never, unseen ones are 404, signed out 401', async () => {
    const [author, follower, mentioned, stranger] = [
      await h.register(),
      await h.register(),
      await h.register(),
      await h.register(),
    ];
    await follow(follower, author);
    const priv = await post(h, author, { status: 'followers', visibility: 'private' });
    const direct = await post(h, author, { status: `@${mentioned.username} psst`, visibility: 'direct' });
    const unlisted = await post(h, author, { status: 'unlisted', visibility: 'unlisted' });

    assert.equal((await m('POST', `/api/v1/statuses/${priv}/reblog`, follower)).status, 403);
    assert.equal((await m('POST', `/api/v1/statuses/${priv}/reblog`, stranger)).status, 404);
    assert.equal((await m('POST', `/api/v1/statuses/${direct}/reblog`, mentioned)).status, 403);
    assert.equal((await m('POST', `/api/v1/statuses/${direct}/reblog`, author)).status, 403);
    assert.equal((await m('POST', `/api/v1/statuses/${unlisted}/reblog`)).status, 401);
    assert.equal((await m('GET', `/api/v1/statuses/${priv}/reblogged_by`, stranger)).status, 404);
    const bad = await m('POST', `/api/v1/statuses/${unlisted}/reblog`, stranger, { visibility: 'direct' });
    assert.equal(bad.status, 400);

    // The author's own followers-only status: the boost is followers-only, whatever was asked.
    const own = await m('POST', `/api/v1/statuses/${priv}/reblog`, author, { visibility: 'public' });
    assert.equal(own.status, 200, own.text);
    assert.equal(own.body.visibility, 'private');
    assert.equal((await m('GET', `/api/v1/statuses/${own.body.id}`, stranger)).status, 404);
    assert.equal((await m('GET', `/api/v1/statuses/${own.body.id}`, follower)).status, 200);

    const asked = await m('POST', `/api/v1/statuses/${unlisted}/reblog`, stranger, {
      visibility: 'unlisted',
    });
    assert.equal(asked.body.visibility, 'unlisted');
    // A boost cannot be edited; deleting it is unboosting.
    assert.equal(
      (await m('PUT', `/api/v1/statuses/${asked.body.id}`, stranger, { status: 'x' })).status,
      404,
    );
    assert.equal((await m('DELETE', `/api/v1/statuses/${asked.body.id}`, stranger)).status, 200);
    assert.equal((await m('GET', `/api/v1/statuses/${unlisted}`)).body.reblogs_count, 0);
    assert.equal((await account(stranger)).statuses_count, 0);
  });

  test('deleting a status removes its boosts; blocks hide boosts of and by the blocked', async () => {
    const [author, booster, reader, other] = [
      await h.register(),
      await h.register(),
      await h.register(),
      await h.register(),
    ];
    await follow(reader, booster);
    const s1 = await post(h, author, { status: 'one' });
    const s2 = await post(h, other, { status: 'two' });
    const b1 = (await m('POST', `/api/v1/statuses/${s1}/reblog`, booster)).body.id;
    const b2 = (await m('POST', `/api/v1/statuses/${s2}/reblog`, booster)).body.id;
    assert.deepEqual(ids(await home(reader)), [b2, b1]);

    // The reader blocks the author of the first: that boost leaves their view, the other stays.
    await block(reader, author);
    assert.deepEqual(ids(await home(reader)), [b2]);
    assert.equal((await m('GET', `/api/v1/statuses/${b1}`, reader)).status, 404);
    assert.deepEqual(ids((await m('GET', `/api/v1/accounts/${booster.id}/statuses`, reader)).body), [b2]);
    // And a blocked account cannot boost.
    assert.equal((await m('POST', `/api/v1/statuses/${s1}/reblog`, reader)).status, 404);

    assert.equal((await m('DELETE', `/api/v1/statuses/${s2}`, other)).status, 200);
    assert.equal((await m('GET', `/api/v1/statuses/${b2}`, booster)).status, 404);
    assert.deepEqual(ids(await home(reader)), []);
    assert.equal((await account(booster)).statuses_count, 1);
    assert.ok(h.events.some((e) => e.t === 'SOCIAL_STATUS_DELETE' && (e.d as any).id === b2));
  });

  test('reblogs_count stays exact under concurrent boosts and unboosts', async () => {
    const author = await h.register();
    const boosters = await Promise.all(Array.from({ length: 8 }, () => h.register()));
    const s = await post(h, author, { status: 'popular' });
    await Promise.all(
      boosters.flatMap((b) => [
        m('POST', `/api/v1/statuses/${s}/reblog`, b),
        m('POST', `/api/v1/statuses/${s}/reblog`, b),
      ]),
    );
    assert.equal((await m('GET', `/api/v1/statuses/${s}`)).body.reblogs_count, 8);
    await Promise.all(boosters.slice(0, 5).map((b) => m('POST', `/api/v1/statuses/${s}/unreblog`, b)));
    assert.equal((await m('GET', `/api/v1/statuses/${s}`)).body.reblogs_count, 3);
    const by = await m('GET', `/api/v1/statuses/${s}/reblogged_by?limit=2`);
    assert.equal(by.body.length, 2);
  });
});
