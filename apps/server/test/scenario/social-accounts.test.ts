import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHearth, type TestServer, type TestUser } from '../harness';
import { mastodon } from '../social-helpers';

let h: TestServer;
let m: ReturnType<typeof mastodon>;
before(async () => {
  h = await startHearth();
  m = mastodon(h);
});
after(() => h.close());

const account = async (u: TestUser) => (await m('GET', `/api/v1/accounts/${u.id}`)).body;
const relationship = async (u: TestUser, other: TestUser) =>
  (await m('GET', `/api/v1/accounts/relationships?id[]=${other.id}`, u)).body[0];

describe('profiles', () => {
  test('verify_credentials is the chat account seen as a Mastodon account, with source; every field present', async () => {
    const a = await h.register();
    const res = await m('GET', '/api/v1/accounts/verify_credentials', a);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    const me = res.body;
    assert.equal(me.id, a.id);
    assert.equal(me.username, a.username);
    assert.equal(me.acct, a.username);
    assert.equal(me.url, `http://hearth.test/@${a.username}`);
    assert.equal(me.locked, false);
    assert.deepEqual(me.fields, []);
    assert.deepEqual(me.emojis, []);
    for (const key of [
      'avatar',
      'avatar_static',
      'header',
      'header_static',
      'note',
      'display_name',
      'created_at',
    ])
      assert.equal(typeof me[key], 'string', key);
    assert.equal(me.statuses_count, 0);
    assert.equal(me.followers_count, 0);
    assert.equal(me.last_status_at, null);
    assert.equal(me.source.privacy, 'public');
    assert.equal(me.source.follow_requests_count, 0);
    // The chat side's own token, sent bare or as Bearer, is the same caller.
    assert.equal((await h.api('GET', '/api/v1/accounts/verify_credentials', { token: a.token })).status, 200);
  });

  test('update_credentials changes the profile (chat profile included) as JSON and as a form', async () => {
    const a = await h.register();
    const res = await m('PATCH', '/api/v1/accounts/update_credentials', a, {
      display_name: 'Ada',
      note: 'Hello #world https://example.org',
      name_prefix: 'Dr.',
      name_suffix: 'PhD',
      fields_attributes: [{ name: 'Site', value: '<b>x</b>' }],
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.display_name, 'Ada');
    assert.match(
      res.body.note,
      /<a href="http:\/\/hearth.test\/tags\/world" class="mention hashtag" rel="tag">/,
    );
    assert.match(res.body.note, /<a href="https:\/\/example.org"/);
    assert.equal(res.body.source.note, 'Hello #world https://example.org');
    assert.deepEqual(res.body.fields, [{ name: 'Site', value: '&lt;b&gt;x&lt;/b&gt;', verified_at: null }]);
    assert.deepEqual(res.body.hearth, { name_prefix: 'Dr.', name_suffix: 'PhD' });
    // The chat side sees the same name and bio.
    const chat = await h.api('GET', '/users/@me', { token: a.token });
    assert.equal(chat.body.global_name, 'Ada');
    assert.equal(chat.body.bio, 'Hello #world https://example.org');
    assert.ok(h.events.some((e) => e.t === 'SOCIAL_ACCOUNT_UPDATE' && e.topic === `account:${a.id}`));

    const form = await h.api('PATCH', '/api/v1/accounts/update_credentials', {
      token: `Bearer ${a.token}`,
      raw: 'locked=true&fields_attributes[0][name]=A&fields_attributes[0][value]=1&fields_attributes[1][name]=B&fields_attributes[1][value]=2',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(form.status, 200, form.text);
    assert.equal(form.body.locked, true);
    assert.deepEqual(
      form.body.fields.map((f: any) => [f.name, f.value]),
      [
        ['A', '1'],
        ['B', '2'],
      ],
    );
    const multipart = new FormData();
    multipart.append('display_name', 'Ada L.');
    multipart.append('discoverable', 'false');
    const mp = await fetch(`${h.url}/api/v1/accounts/update_credentials`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${a.token}` },
      body: multipart,
    });
    const mpBody = (await mp.json()) as any;
    assert.equal(mp.status, 200, JSON.stringify(mpBody));
    assert.equal(mpBody.display_name, 'Ada L.');
    assert.equal(mpBody.discoverable, false);
  });

  test('bad profile input is a 400 naming the field; signed out is a 401', async () => {
    const a = await h.register();
    const long = await m('PATCH', '/api/v1/accounts/update_credentials', a, {
      display_name: 'x'.repeat(100),
    });
    assert.equal(long.status, 400);
    assert.match(long.body.error, /display_name/);
    const tooMany = await m('PATCH', '/api/v1/accounts/update_credentials', a, {
      fields_attributes: Array.from({ length: 5 }, (_, i) => ({ name: `n${i}`, value: 'v' })),
    });
    assert.equal(tooMany.status, 400);
    const locked = await m('PATCH', '/api/v1/accounts/update_credentials', a, { locked: 'maybe' });
    assert.equal(locked.status, 400);
    assert.equal((await m('GET', '/api/v1/accounts/verify_credentials')).status, 401);
    const bad = await m('GET', '/api/v1/accounts/verify_credentials', { ...a, token: 'nope' });
    assert.equal(bad.status, 401);
    assert.deepEqual(bad.body, { error: 'The access token is invalid' });
    assert.equal((await m('GET', '/api/v1/accounts/not-an-id')).status, 400);
    assert.equal((await m('GET', '/api/v1/accounts/123456789012345678')).status, 404);
  });

  test('lookup finds an account by username, with or without this domain', async () => {
    const a = await h.register();
    assert.equal((await m('GET', `/api/v1/accounts/lookup?acct=${a.username}`)).body.id, a.id);
    assert.equal(
      (await m('GET', `/api/v1/accounts/lookup?acct=${a.username.toUpperCase()}@hearth.test`)).body.id,
      a.id,
    );
    assert.equal((await m('GET', `/api/v1/accounts/lookup?acct=${a.username}@elsewhere.test`)).status, 404);
    assert.equal((await m('GET', '/api/v1/accounts/lookup?acct=nobody_here')).status, 404);
    assert.equal((await m('GET', '/api/v1/accounts/lookup')).status, 400);
  });
});

describe('follows', () => {
  test('follow and unfollow an open account: relationship and counts on both sides', async () => {
    const [a, b] = [await h.register(), await h.register()];
    const r = await m('POST', `/api/v1/accounts/${b.id}/follow`, a);
    assert.equal(r.status, 200);
    assert.equal(r.body.id, b.id);
    assert.equal(r.body.following, true);
    assert.equal(r.body.requested, false);
    assert.equal(r.body.followed_by, false);
    for (const key of [
      'showing_reblogs',
      'notifying',
      'blocking',
      'blocked_by',
      'muting',
      'domain_blocking',
      'endorsed',
    ])
      assert.equal(typeof r.body[key], 'boolean', key);
    // Following again changes nothing.
    assert.equal((await m('POST', `/api/v1/accounts/${b.id}/follow`, a)).body.following, true);
    assert.equal((await account(a)).following_count, 1);
    assert.equal((await account(b)).followers_count, 1);
    assert.equal((await relationship(b, a)).followed_by, true);
    const followers = await m('GET', `/api/v1/accounts/${b.id}/followers`);
    assert.deepEqual(
      followers.body.map((x: any) => x.id),
      [a.id],
    );
    assert.deepEqual(
      (await m('GET', `/api/v1/accounts/${a.id}/following`)).body.map((x: any) => x.id),
      [b.id],
    );
    assert.ok(h.events.some((e) => e.t === 'SOCIAL_FOLLOW' && e.topic === `account:${b.id}`));
    const un = await m('POST', `/api/v1/accounts/${b.id}/unfollow`, a);
    assert.equal(un.body.following, false);
    assert.equal((await account(a)).following_count, 0);
    assert.equal((await account(b)).followers_count, 0);
    assert.deepEqual((await m('GET', `/api/v1/accounts/${b.id}/followers`)).body, []);
  });

  test('a locked account gets follow requests: authorize and reject, counts only when accepted', async () => {
    const [owner, x, y] = [await h.register(), await h.register(), await h.register()];
    await m('PATCH', '/api/v1/accounts/update_credentials', owner, { locked: true });
    const rx = await m('POST', `/api/v1/accounts/${owner.id}/follow`, x);
    assert.equal(rx.body.following, false);
    assert.equal(rx.body.requested, true);
    await m('POST', `/api/v1/accounts/${owner.id}/follow`, y);
    assert.equal((await account(owner)).followers_count, 0);
    assert.equal(
      (await m('GET', '/api/v1/accounts/verify_credentials', owner)).body.source.follow_requests_count,
      2,
    );
    const requests = await m('GET', '/api/v1/follow_requests', owner);
    assert.deepEqual(new Set(requests.body.map((a: any) => a.id)), new Set([x.id, y.id]));
    assert.equal((await relationship(owner, x)).requested_by, true);
    // Only the requested account answers; someone else's answer is a 404.
    assert.equal((await m('POST', `/api/v1/follow_requests/${x.id}/authorize`, y)).status, 404);
    const ok = await m('POST', `/api/v1/follow_requests/${x.id}/authorize`, owner);
    assert.equal(ok.status, 200);
    assert.equal(ok.body.followed_by, true);
    const no = await m('POST', `/api/v1/follow_requests/${y.id}/reject`, owner);
    assert.equal(no.body.requested_by, false);
    assert.equal((await m('POST', `/api/v1/follow_requests/${y.id}/reject`, owner)).status, 404);
    assert.equal((await relationship(x, owner)).following, true);
    assert.equal((await relationship(y, owner)).requested, false);
    assert.equal((await account(owner)).followers_count, 1);
    assert.equal((await account(x)).following_count, 1);
    assert.equal((await account(y)).following_count, 0);
    // Unlocking accepts the requests still waiting.
    const z = await h.register();
    await m('POST', `/api/v1/accounts/${owner.id}/follow`, z);
    await m('PATCH', '/api/v1/accounts/update_credentials', owner, { locked: false });
    assert.equal((await relationship(z, owner)).following, true);
    assert.equal((await account(owner)).followers_count, 2);
  });

  test('concurrent follows and unfollows keep the counts exact', async () => {
    const target = await h.register();
    const people = await Promise.all(Array.from({ length: 12 }, () => h.register()));
    // Each follows twice at once, and follows back the target's follow of them: rows decide, not requests.
    await Promise.all([
      ...people.flatMap((p) => [
        m('POST', `/api/v1/accounts/${target.id}/follow`, p),
        m('POST', `/api/v1/accounts/${target.id}/follow`, p),
      ]),
      ...people.map((p) => m('POST', `/api/v1/accounts/${p.id}/follow`, target)),
    ]);
    assert.equal((await account(target)).followers_count, 12);
    assert.equal((await account(target)).following_count, 12);
    await Promise.all(
      people
        .slice(0, 5)
        .flatMap((p) => [
          m('POST', `/api/v1/accounts/${target.id}/unfollow`, p),
          m('POST', `/api/v1/accounts/${target.id}/unfollow`, p),
        ]),
    );
    assert.equal((await account(target)).followers_count, 7);
    for (const p of people) assert.equal((await account(p)).followers_count, 1);
  });

  test('followers pages with Link headers', async () => {
    const target = await h.register();
    const people = [];
    for (let i = 0; i < 5; i++) {
      const p = await h.register();
      people.push(p);
      await m('POST', `/api/v1/accounts/${target.id}/follow`, p);
    }
    const first = await m('GET', `/api/v1/accounts/${target.id}/followers?limit=2`);
    assert.deepEqual(
      first.body.map((a: any) => a.id),
      [people[4].id, people[3].id],
    );
    const link = first.headers.get('link') ?? '';
    assert.equal(first.headers.get('access-control-expose-headers'), 'Link');
    const next = /<([^>]+)>; rel="next"/.exec(link)?.[1];
    assert.ok(next && /<[^>]+min_id=\d+[^>]*>; rel="prev"/.test(link), link);
    const second = await m('GET', new URL(next).pathname + new URL(next).search);
    assert.deepEqual(
      second.body.map((a: any) => a.id),
      [people[2].id, people[1].id],
    );
    assert.equal((await m('GET', `/api/v1/accounts/${target.id}/followers?limit=abc`)).status, 400);
  });

  test('blocks: a blocked pair cannot follow; blocking ends follows both ways; no self-follow', async () => {
    const [a, b] = [await h.register(), await h.register()];
    await m('POST', `/api/v1/accounts/${b.id}/follow`, a);
    await m('POST', `/api/v1/accounts/${a.id}/follow`, b);
    assert.equal((await account(b)).followers_count, 1);
    // b blocks a on the chat side.
    assert.equal(
      (await h.api('PUT', `/users/@me/relationships/${a.id}`, { token: b.token, body: { type: 2 } })).status,
      204,
    );
    assert.equal((await account(b)).followers_count, 0);
    assert.equal((await account(a)).followers_count, 0);
    assert.equal((await account(a)).following_count, 0);
    const refused = await m('POST', `/api/v1/accounts/${b.id}/follow`, a);
    assert.equal(refused.status, 403);
    const other = await m('POST', `/api/v1/accounts/${a.id}/follow`, b);
    assert.equal(other.status, 403);
    assert.deepEqual(refused.body, other.body);
    const rel = await relationship(a, b);
    assert.equal(rel.blocked_by, true);
    assert.equal((await relationship(b, a)).blocking, true);
    assert.equal((await m('POST', `/api/v1/accounts/${a.id}/follow`, a)).status, 403);
    assert.equal((await m('POST', '/api/v1/accounts/123456789012345678/follow', a)).status, 404);
    assert.equal((await m('POST', `/api/v1/accounts/${b.id}/follow`)).status, 401);
  });

  test('block, unblock and remove_from_followers through the Mastodon API', async () => {
    const [a, b, c] = [await h.register(), await h.register(), await h.register()];
    await m('POST', `/api/v1/accounts/${a.id}/follow`, b);
    await m('POST', `/api/v1/accounts/${a.id}/follow`, c);
    const removed = await m('POST', `/api/v1/accounts/${b.id}/remove_from_followers`, a);
    assert.equal(removed.status, 200);
    assert.equal(removed.body.followed_by, false);
    assert.equal((await account(a)).followers_count, 1);
    assert.equal((await account(b)).following_count, 0);

    const blocked = await m('POST', `/api/v1/accounts/${c.id}/block`, a);
    assert.equal(blocked.status, 200);
    assert.equal(blocked.body.blocking, true);
    assert.equal(blocked.body.followed_by, false);
    assert.equal((await account(a)).followers_count, 0);
    // The chat side sees the same block.
    const chat = await h.api('GET', '/users/@me/relationships', { token: a.token });
    assert.ok(chat.body.some((r: any) => r.id === c.id && r.type === 2));
    assert.equal((await m('POST', `/api/v1/accounts/${a.id}/follow`, c)).status, 403);
    const unblocked = await m('POST', `/api/v1/accounts/${c.id}/unblock`, a);
    assert.equal(unblocked.body.blocking, false);
    assert.equal((await m('POST', `/api/v1/accounts/${a.id}/follow`, c)).body.following, true);

    // Unblocking someone not blocked leaves a chat friendship alone.
    await h.api('PUT', `/users/@me/relationships/${b.id}`, { token: a.token, body: {} });
    await h.api('PUT', `/users/@me/relationships/${a.id}`, { token: b.token, body: {} });
    await m('POST', `/api/v1/accounts/${b.id}/unblock`, a);
    const friends = await h.api('GET', '/users/@me/relationships', { token: a.token });
    assert.ok(friends.body.some((r: any) => r.id === b.id && r.type === 1));
    assert.equal((await m('POST', '/api/v1/accounts/123456789012345678/unblock', a)).status, 404);
    assert.equal((await m('POST', `/api/v1/accounts/${c.id}/block`)).status, 401);
  });
});
