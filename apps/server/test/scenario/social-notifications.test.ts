import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PendingEvents } from '../../src/domain/pending-events';
import { startHearth, type TestServer, type TestUser } from '../harness';
import { mastodon, post } from '../social-helpers';

let h: TestServer;
let m: ReturnType<typeof mastodon>;
before(async () => {
  h = await startHearth();
  m = mastodon(h);
});
after(() => h.close());

const list = async (user: TestUser, query = '') => {
  const res = await m('GET', `/api/v1/notifications${query}`, user);
  assert.equal(res.status, 200, res.text);
  return res.body as any[];
};
/** Each notification as `type from status`, newest first. */
const summary = async (user: TestUser, query = '') =>
  (await list(user, query)).map((n) => `${n.type} ${n.account.id} ${n.status?.id ?? '-'}`);
const block = (who: TestUser, other: TestUser) =>
  h.api('PUT', `/users/@me/relationships/${other.id}`, { token: who.token, body: { type: 2 } });

describe('notifications', () => {
  test('follow, mention, favourite: Mastodon entities, created with their cause and undone with it', async () => {
    const [a, b] = [await h.register(), await h.register()];
    await m('POST', `/api/v1/accounts/${a.id}/follow`, b);
    const [n] = await list(a);
    assert.equal(n.type, 'follow');
    assert.equal(n.account.id, b.id);
    assert.equal(n.status, null);
    assert.equal(n.group_key, `ungrouped-${n.id}`);
    assert.match(n.created_at, /^\d{4}-\d\d-\d\dT/);
    assert.ok(
      h.events.some(
        (e) =>
          e.t === 'SOCIAL_NOTIFICATION' &&
          e.topic === `account:${a.id}` &&
          (e.d as any).id === n.id &&
          (e.d as any).type === 'follow',
      ),
    );
    assert.deepEqual(await list(b), [], 'the follower is told nothing');

    const mine = await post(h, a, { status: 'mine' });
    const mention = await post(h, b, { status: `hi @${a.username}` });
    // A reply that names nobody notifies nobody (Mastodon: only mentions do).
    await post(h, b, { status: 'plain reply', in_reply_to_id: mine });
    await m('POST', `/api/v1/statuses/${mine}/favourite`, b);
    await m('POST', `/api/v1/statuses/${mine}/favourite`, b);
    // Favouriting or mentioning oneself notifies nobody.
    await m('POST', `/api/v1/statuses/${mine}/favourite`, a);
    await post(h, a, { status: `me @${a.username}` });
    assert.deepEqual(await summary(a), [
      `favourite ${b.id} ${mine}`,
      `mention ${b.id} ${mention}`,
      `follow ${b.id} -`,
    ]);
    const [fav] = await list(a);
    assert.equal(fav.status.favourited, true, 'the status as the reader sees it');
    assert.equal((await m('GET', `/api/v1/notifications/${fav.id}`, a)).body.type, 'favourite');

    // Undone causes take their notifications with them.
    await m('POST', `/api/v1/statuses/${mine}/unfavourite`, b);
    await m('DELETE', `/api/v1/statuses/${mention}`, b);
    await m('POST', `/api/v1/accounts/${a.id}/unfollow`, b);
    assert.deepEqual(await list(a), []);
  });

  test('follow requests: notified, removed when authorized or rejected or withdrawn', async () => {
    const [owner, x, y, z] = [await h.register(), await h.register(), await h.register(), await h.register()];
    await m('PATCH', '/api/v1/accounts/update_credentials', owner, { locked: true });
    for (const u of [x, y, z]) await m('POST', `/api/v1/accounts/${owner.id}/follow`, u);
    assert.deepEqual(await summary(owner), [
      `follow_request ${z.id} -`,
      `follow_request ${y.id} -`,
      `follow_request ${x.id} -`,
    ]);
    await m('POST', `/api/v1/follow_requests/${x.id}/authorize`, owner);
    await m('POST', `/api/v1/follow_requests/${y.id}/reject`, owner);
    await m('POST', `/api/v1/accounts/${owner.id}/unfollow`, z);
    assert.deepEqual(await list(owner), []);
    // Unlocking accepts what waits; its requests go too.
    await m('POST', `/api/v1/accounts/${owner.id}/follow`, z);
    assert.equal((await list(owner)).length, 1);
    await m('PATCH', '/api/v1/accounts/update_credentials', owner, { locked: false });
    assert.deepEqual(await list(owner), []);
  });

  test('mentions: only for who may see the status; edits notify new names; visibility and blocks hide them', async () => {
    const [a, b, c, d] = [await h.register(), await h.register(), await h.register(), await h.register()];
    const dm = await post(h, a, { status: `secret @${b.username}`, visibility: 'direct' });
    assert.deepEqual(await summary(b), [`mention ${a.id} ${dm}`]);
    assert.equal((await list(b))[0].status.visibility, 'direct');
    // An edit that names c notifies c; dropping b takes b's notification (and the direct status) away.
    await m('PUT', `/api/v1/statuses/${dm}`, a, { status: `secret @${c.username}` });
    assert.deepEqual(await summary(c), [`mention ${a.id} ${dm}`]);
    assert.deepEqual(await list(b), []);

    // A followers-only status mentioning d: d sees it by the mention; once d blocks a, nothing from a is listed.
    const priv = await post(h, a, { status: `psst @${d.username}`, visibility: 'private' });
    await m('POST', `/api/v1/accounts/${a.id}/follow`, d);
    assert.deepEqual(await summary(d), [`mention ${a.id} ${priv}`]);
    await block(d, a);
    assert.deepEqual(await list(d), []);
    // While blocked no new notification is made; none is made visible by unblocking either.
    await post(h, a, { status: `again @${d.username}` });
    await m('POST', `/api/v1/accounts/${d.id}/follow`, a);
    await h.api('DELETE', `/users/@me/relationships/${a.id}`, { token: d.token });
    assert.deepEqual(await summary(d), [`mention ${a.id} ${priv}`]);
    assert.deepEqual(await list(a), []);
    const [byA] = await list(d);

    assert.equal((await m('GET', `/api/v1/notifications/${byA.id}`, d)).status, 200);
  });

  test('a notification about a status the reader can no longer see is neither listed nor readable', async () => {
    // Types whose causes come later (reblog, status, update) are about someone else's status: a follower told of
    // an edit to a followers-only status loses it when they stop following.
    const [author, reader, editor] = [await h.register(), await h.register(), await h.register()];
    await m('POST', `/api/v1/accounts/${author.id}/follow`, reader);
    const fol = await post(h, author, { status: 'for followers', visibility: 'private' });
    const { notifications } = h.app.services.social;
    await h.app.database.db.transaction((tx) =>
      notifications.add(tx, new PendingEvents(), {
        type: 'update',
        fromId: editor.id,
        statusId: fol,
        recipients: [reader.id],
      }),
    );
    const [n] = await list(reader);
    assert.equal(n.type, 'update');
    assert.equal(n.status.id, fol);
    await m('POST', `/api/v1/accounts/${author.id}/unfollow`, reader);
    assert.deepEqual(await list(reader), []);
    assert.equal((await m('GET', `/api/v1/notifications/${n.id}`, reader)).status, 404);
    assert.deepEqual((await m('GET', '/api/v1/notifications/unread_count', reader)).body, { count: 0 });
    // Following again shows it again; the author blocking the reader hides it, though the editor did not block.
    await m('POST', `/api/v1/accounts/${author.id}/follow`, reader);
    assert.equal((await list(reader)).length, 1);
    // A block ends the follow too; the reader following nobody's status is hidden either way.
    await block(author, reader);
    assert.deepEqual(await list(reader), []);
  });

  test('another user can neither read nor dismiss yours; dismiss and clear; signed out 401; bad input 400', async () => {
    const [a, b, other] = [await h.register(), await h.register(), await h.register()];
    await m('POST', `/api/v1/accounts/${a.id}/follow`, b);
    await post(h, b, { status: `@${a.username} one` });
    await post(h, b, { status: `@${a.username} two` });
    const [first] = await list(a);
    assert.equal((await m('GET', `/api/v1/notifications/${first.id}`, other)).status, 404);
    const foreign = await m('POST', `/api/v1/notifications/${first.id}/dismiss`, other);
    assert.equal(foreign.status, 404);
    assert.equal(foreign.body.error, 'Record not found');
    assert.equal((await m('GET', '/api/v1/notifications/123456789012345678', a)).status, 404);
    assert.equal((await m('GET', '/api/v1/notifications')).status, 401);
    assert.equal((await m('POST', '/api/v1/notifications/clear')).status, 401);
    assert.equal((await m('GET', '/api/v1/notifications/unread_count')).status, 401);
    assert.equal((await m('GET', '/api/v1/markers')).status, 401);
    const everything = (await list(a)).map((n) => n.id);
    assert.equal(everything.length, 3);

    const dismissed = await m('POST', `/api/v1/notifications/${first.id}/dismiss`, a);
    assert.equal(dismissed.status, 200);
    assert.deepEqual(dismissed.body, {});
    assert.equal((await m('POST', `/api/v1/notifications/${first.id}/dismiss`, a)).status, 404);
    assert.deepEqual(
      (await list(a)).map((n) => n.id),
      everything.filter((id) => id !== first.id),
    );
    assert.deepEqual((await m('POST', '/api/v1/notifications/clear', a)).body, {});
    assert.deepEqual(await list(a), []);

    for (const bad of [
      '/api/v1/notifications?limit=abc',
      '/api/v1/notifications?limit=0',
      '/api/v1/notifications?max_id=x1',
      '/api/v1/notifications?account_id=me',
      `/api/v1/notifications?${Array.from({ length: 21 }, () => 'types[]=mention').join('&')}`,
      `/api/v1/notifications?types[]=${'x'.repeat(41)}`,
      '/api/v1/notifications/abc',
      '/api/v1/markers?timeline[]=public',
    ]) {
      const res = await m('GET', bad, a);
      assert.equal(res.status, 400, bad);
      assert.equal(typeof res.body.error, 'string');
    }
    assert.equal((await m('POST', '/api/v1/notifications/abc/dismiss', a)).status, 400);
    assert.equal(
      (await m('POST', '/api/v1/markers', a, { notifications: { last_read_id: 'nope' } })).status,
      400,
    );
  });

  test('filters, paging with Link headers, unread count and markers', async () => {
    const [me, x, y] = [await h.register(), await h.register(), await h.register()];
    await m('POST', `/api/v1/accounts/${me.id}/follow`, x);
    await m('POST', `/api/v1/accounts/${me.id}/follow`, y);
    const mine = await post(h, me, { status: 'mine' });
    await m('POST', `/api/v1/statuses/${mine}/favourite`, x);
    const mentions: string[] = [];
    for (let i = 0; i < 4; i++)
      mentions.push(await post(h, i % 2 ? y : x, { status: `@${me.username} ${i}` }));
    const all = await list(me);
    assert.equal(all.length, 7);
    const allIds = all.map((n) => n.id);

    assert.deepEqual(
      (await list(me, '?types[]=follow')).map((n) => n.account.id),
      [y.id, x.id],
    );
    assert.deepEqual(
      (await list(me, '?types[]=follow&types[]=favourite')).map((n) => n.type),
      ['favourite', 'follow', 'follow'],
    );
    assert.deepEqual(
      (await list(me, '?exclude_types[]=mention&exclude_types[]=follow')).map((n) => n.type),
      ['favourite'],
    );
    assert.deepEqual(
      (await list(me, `?account_id=${y.id}`)).map((n) => n.type),
      ['mention', 'mention', 'follow'],
    );
    assert.deepEqual(await list(me, '?types[]=reblog'), []);

    const page1 = await m('GET', '/api/v1/notifications?limit=3', me);
    assert.deepEqual(
      page1.body.map((n: any) => n.id),
      allIds.slice(0, 3),
    );
    const link = page1.headers.get('link') ?? '';
    assert.match(link, new RegExp(`max_id=${allIds[2]}>; rel="next"`));
    assert.match(link, new RegExp(`min_id=${allIds[0]}>; rel="prev"`));
    const next = new URL(/<([^>]+)>; rel="next"/.exec(link)?.[1] ?? '');
    const page2 = await m('GET', `${next.pathname}${next.search}`, me);
    assert.deepEqual(
      page2.body.map((n: any) => n.id),
      allIds.slice(3, 6),
    );
    assert.deepEqual(
      (await list(me, `?min_id=${allIds[5]}&limit=2`)).map((n) => n.id),
      allIds.slice(3, 5),
    );
    assert.deepEqual(
      (await list(me, `?since_id=${allIds[5]}&limit=2`)).map((n) => n.id),
      allIds.slice(0, 2),
    );
    assert.equal((await m('GET', '/api/v1/notifications?limit=3&max_id=1', me)).headers.get('link'), null);

    // Unread: everything until a marker is saved, then what is newer than it.
    const unread = (q = '') => m('GET', `/api/v1/notifications/unread_count${q}`, me);
    assert.deepEqual((await unread()).body, { count: 7 });
    assert.deepEqual((await unread('?limit=2')).body, { count: 2 });
    assert.deepEqual((await unread('?types[]=mention')).body, { count: 4 });
    assert.deepEqual((await m('GET', '/api/v1/markers?timeline[]=notifications', me)).body, {});
    const saved = await m('POST', '/api/v1/markers', me, { notifications: { last_read_id: allIds[2] } });
    assert.equal(saved.status, 200, saved.text);
    assert.equal(saved.body.notifications.last_read_id, allIds[2]);
    assert.equal(saved.body.notifications.version, 1);
    assert.deepEqual((await unread()).body, { count: 2 });
    const again = await m('POST', '/api/v1/markers', me, {
      notifications: { last_read_id: allIds[0] },
      home: { last_read_id: mine },
    });
    assert.equal(again.body.notifications.version, 2);
    assert.equal(again.body.home.last_read_id, mine);
    assert.deepEqual((await unread()).body, { count: 0 });
    const read = await m('GET', '/api/v1/markers?timeline[]=home&timeline[]=notifications', me);
    assert.deepEqual(Object.keys(read.body).sort(), ['home', 'notifications']);
    assert.match(read.body.home.updated_at, /^\d{4}-/);
    // Markers are one's own.
    assert.deepEqual((await m('GET', '/api/v1/markers?timeline[]=notifications', x)).body, {});
  });
});
