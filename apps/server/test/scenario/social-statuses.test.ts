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

describe('statuses', () => {
  test('a post has every Status field, rendered content, mentions and tags; counts follow it', async () => {
    const [a, b] = [await h.register(), await h.register()];
    const res = await m('POST', '/api/v1/statuses', a, {
      status: `Hi @${b.username} & <friends> #Hearth https://example.org/x.`,
      spoiler_text: 'cw',
      sensitive: true,
      language: 'en',
    });
    assert.equal(res.status, 200, res.text);
    const s = res.body;
    assert.match(s.id, /^\d+$/);
    assert.equal(s.visibility, 'public');
    assert.equal(s.spoiler_text, 'cw');
    assert.equal(s.sensitive, true);
    assert.equal(s.account.id, a.id);
    assert.equal(s.url, `http://hearth.test/@${a.username}/${s.id}`);
    assert.match(
      s.content,
      /^<p>Hi <span class="h-card"><a href="http:\/\/hearth.test\/@[^"]+" class="u-url mention">@<span>/,
    );
    assert.match(s.content, /&amp; &lt;friends&gt;/);
    assert.match(s.content, /<a href="https:\/\/example.org\/x"[^>]*>https:\/\/example.org\/x<\/a>\.<\/p>$/);
    assert.deepEqual(s.mentions, [
      { id: b.id, username: b.username, acct: b.username, url: `http://hearth.test/@${b.username}` },
    ]);
    assert.deepEqual(s.tags, [{ name: 'hearth', url: 'http://hearth.test/tags/hearth' }]);
    for (const key of [
      'reblog',
      'poll',
      'card',
      'in_reply_to_id',
      'in_reply_to_account_id',
      'edited_at',
      'application',
    ])
      assert.equal(s[key], null, key);
    for (const key of ['media_attachments', 'emojis', 'filtered']) assert.deepEqual(s[key], [], key);
    for (const key of ['favourited', 'reblogged', 'muted', 'bookmarked', 'pinned'])
      assert.equal(s[key], false, key);
    assert.equal(s.replies_count, 0);
    const me = (await m('GET', `/api/v1/accounts/${a.id}`)).body;
    assert.equal(me.statuses_count, 1);
    assert.match(me.last_status_at, /^\d{4}-\d\d-\d\d$/);
    assert.ok(h.events.some((e) => e.t === 'SOCIAL_STATUS_CREATE' && e.topic === `account:${a.id}`));
    // Anyone may read a public status, signed in or not.
    assert.equal((await m('GET', `/api/v1/statuses/${s.id}`)).body.content, s.content);
  });

  test('bad input: blank, too long, unknown visibility, media, a reply to nothing; signed out', async () => {
    const a = await h.register();
    const blank = await m('POST', '/api/v1/statuses', a, { status: '   ' });
    assert.equal(blank.status, 422);
    assert.match(blank.body.error, /can't be blank/);
    assert.equal((await m('POST', '/api/v1/statuses', a, {})).status, 422);
    assert.equal((await m('POST', '/api/v1/statuses', a, { status: 'x'.repeat(5001) })).status, 422);
    assert.equal((await m('POST', '/api/v1/statuses', a, { status: '😀'.repeat(5000) })).status, 200);
    const vis = await m('POST', '/api/v1/statuses', a, { status: 'x', visibility: 'friends' });
    assert.equal(vis.status, 400);
    assert.match(vis.body.error, /visibility/);
    assert.equal((await m('POST', '/api/v1/statuses', a, { status: 'x', media_ids: ['1'] })).status, 422);
    assert.equal(
      (await m('POST', '/api/v1/statuses', a, { status: 'x', in_reply_to_id: '123456789012345678' })).status,
      404,
    );
    assert.equal(
      (await m('POST', '/api/v1/statuses', a, { status: 'x', in_reply_to_id: 'abc' })).status,
      400,
    );
    const json = await h.api('POST', '/api/v1/statuses', {
      token: `Bearer ${a.token}`,
      raw: '{"status":',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(json.status, 400);
    assert.equal(typeof json.body.error, 'string');
    assert.equal((await m('POST', '/api/v1/statuses', null, { status: 'x' })).status, 401);
    // A form body works as JSON does.
    const form = await h.api('POST', '/api/v1/statuses', {
      token: `Bearer ${a.token}`,
      raw: 'status=from+a+form&visibility=unlisted&sensitive=true',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(form.status, 200, form.text);
    assert.equal(form.body.visibility, 'unlisted');
    assert.equal(form.body.sensitive, true);
  });

  test('followers-only and direct statuses never reach anyone else, in any read', async () => {
    const [author, follower, outsider, mentioned, pendingOne] = [
      await h.register(),
      await h.register(),
      await h.register(),
      await h.register(),
      await h.register(),
    ];
    await follow(follower, author);
    const pub = await post(h, author, { status: 'public one' });
    const priv = await post(h, author, { status: 'followers only', visibility: 'private' });
    const direct = await post(h, author, { status: `psst @${mentioned.username}`, visibility: 'direct' });
    const unlisted = await post(h, author, { status: 'unlisted', visibility: 'unlisted' });
    // A request not yet accepted sees what an outsider sees.
    await m('PATCH', '/api/v1/accounts/update_credentials', author, { locked: true });
    await follow(pendingOne, author);

    const sees = async (u: TestUser | null) => {
      const single = new Set<string>();
      for (const id of [pub, priv, direct, unlisted])
        if ((await m('GET', `/api/v1/statuses/${id}`, u)).status === 200) single.add(id);
      const profile = new Set<string>(
        ids((await m('GET', `/api/v1/accounts/${author.id}/statuses`, u)).body),
      );
      const home = u ? new Set<string>(ids((await m('GET', '/api/v1/timelines/home', u)).body)) : null;
      const context = new Set<string>(
        ids((await m('GET', `/api/v1/statuses/${pub}/context`, u)).body.descendants),
      );
      return { single, profile, home, context };
    };
    // Replies of each visibility under the public post, for the context.
    const replies = {
      pub: await post(h, author, { status: 'r-pub', in_reply_to_id: pub }),
      priv: await post(h, author, { status: 'r-priv', in_reply_to_id: pub, visibility: 'private' }),
      direct: await post(h, author, {
        status: `r-dm @${mentioned.username}`,
        in_reply_to_id: pub,
        visibility: 'direct',
      }),
    };

    const a = await sees(author);
    assert.deepEqual(a.single, new Set([pub, priv, direct, unlisted]));
    assert.deepEqual(a.context, new Set(Object.values(replies)));

    const f = await sees(follower);
    assert.deepEqual(f.single, new Set([pub, priv, unlisted]));
    assert.ok(!f.profile.has(direct) && f.profile.has(priv));
    assert.ok(f.home?.has(priv) && !f.home?.has(direct));
    assert.deepEqual(f.context, new Set([replies.pub, replies.priv]));

    for (const who of [outsider, pendingOne, null]) {
      const o = await sees(who);
      assert.deepEqual(o.single, new Set([pub, unlisted]));
      assert.ok(!o.profile.has(priv) && !o.profile.has(direct));
      if (o.home) assert.ok(!o.home.has(priv) && !o.home.has(direct) && !o.home.has(pub));
      assert.deepEqual(o.context, new Set([replies.pub]));
    }

    const mm = await sees(mentioned);
    assert.deepEqual(mm.single, new Set([pub, direct, unlisted]));
    assert.deepEqual(mm.context, new Set([replies.pub, replies.direct]));

    // The public timeline has the public ones only.
    const pubTl = new Set(ids((await m('GET', '/api/v1/timelines/public?limit=40')).body));
    assert.ok(pubTl.has(pub) && pubTl.has(replies.pub));
    for (const id of [priv, direct, unlisted, replies.priv, replies.direct]) assert.ok(!pubTl.has(id));

    // A hidden status answers exactly as a missing one, and cannot be replied to or favourited.
    const hidden = await m('GET', `/api/v1/statuses/${priv}`, outsider);
    const missing = await m('GET', '/api/v1/statuses/123456789012345678', outsider);
    assert.equal(hidden.status, 404);
    assert.deepEqual(hidden.body, missing.body);
    assert.equal(
      (await m('POST', '/api/v1/statuses', outsider, { status: 'x', in_reply_to_id: priv })).status,
      404,
    );
    assert.equal((await m('POST', `/api/v1/statuses/${priv}/favourite`, outsider)).status, 404);
    assert.equal((await m('GET', `/api/v1/statuses/${direct}/context`, follower)).status, 404);
    for (const path of ['history', 'favourited_by', 'context'])
      assert.equal((await m('GET', `/api/v1/statuses/${priv}/${path}`, outsider)).status, 404, path);
  });

  test('comments nest to any depth; context gives ancestors and the tree in order', async () => {
    const [a, b] = [await h.register(), await h.register()];
    const root = await post(h, a, { status: 'root' });
    const c1 = await post(h, b, { status: 'c1', in_reply_to_id: root });
    const c2 = await post(h, a, { status: 'c2', in_reply_to_id: root });
    const c11 = await post(h, a, { status: 'c11', in_reply_to_id: c1 });
    let deepest = c11;
    const chain = [];
    for (let i = 0; i < 5; i++) {
      deepest = await post(h, i % 2 ? a : b, { status: `d${i}`, in_reply_to_id: deepest });
      chain.push(deepest);
    }
    const ctx = (await m('GET', `/api/v1/statuses/${root}/context`, a)).body;
    assert.deepEqual(ctx.ancestors, []);
    assert.deepEqual(ids(ctx.descendants), [c1, c11, ...chain, c2]);
    const deep = (await m('GET', `/api/v1/statuses/${deepest}/context`)).body;
    assert.deepEqual(ids(deep.ancestors), [root, c1, c11, ...chain.slice(0, -1)]);
    assert.deepEqual(deep.descendants, []);
    const r = (await m('GET', `/api/v1/statuses/${root}`)).body;
    assert.equal(r.replies_count, 2);
    const reply = (await m('GET', `/api/v1/statuses/${c1}`)).body;
    assert.equal(reply.in_reply_to_id, root);
    assert.equal(reply.in_reply_to_account_id, a.id);
    // Deleting a comment: the parent's count drops, its replies stay.
    const del = await m('DELETE', `/api/v1/statuses/${c1}`, b);
    assert.equal(del.status, 200);
    assert.equal(del.body.text, 'c1');
    assert.equal((await m('GET', `/api/v1/statuses/${root}`)).body.replies_count, 1);
    assert.equal((await m('GET', `/api/v1/statuses/${c1}`)).status, 404);
    assert.equal((await m('GET', `/api/v1/statuses/${c11}`)).status, 200);
  });

  test('Idempotency-Key: a retry, even a concurrent one, answers the first status; another key posts again', async () => {
    const a = await h.register();
    const send = (key: string, status = 'once') =>
      h.api('POST', '/api/v1/statuses', {
        token: `Bearer ${a.token}`,
        body: { status },
        headers: { 'idempotency-key': key },
      });
    const [one, two, three] = await Promise.all([send('k1'), send('k1'), send('k1', 'different text')]);
    assert.equal(one.status, 200);
    assert.equal(two.body.id, one.body.id);
    assert.equal(three.body.id, one.body.id);
    const other = await send('k2');
    assert.notEqual(other.body.id, one.body.id);
    // Another person's key of the same name is theirs.
    const b = await h.register();
    const theirs = await h.api('POST', '/api/v1/statuses', {
      token: `Bearer ${b.token}`,
      body: { status: 'once' },
      headers: { 'idempotency-key': 'k1' },
    });
    assert.notEqual(theirs.body.id, one.body.id);
    assert.equal((await m('GET', `/api/v1/accounts/${a.id}`)).body.statuses_count, 2);
  });

  test('edit and delete: the author only; others get 404 and change nothing', async () => {
    const [a, b] = [await h.register(), await h.register()];
    const id = await post(h, a, { status: 'first' });
    assert.equal((await m('PUT', `/api/v1/statuses/${id}`, b, { status: 'hacked' })).status, 404);
    assert.equal((await m('DELETE', `/api/v1/statuses/${id}`, b)).status, 404);
    assert.equal((await m('PUT', `/api/v1/statuses/${id}`, null, { status: 'x' })).status, 401);
    const edited = await m('PUT', `/api/v1/statuses/${id}`, a, { status: 'second #now', spoiler_text: 'cw' });
    assert.equal(edited.status, 200);
    assert.equal(
      edited.body.content,
      '<p>second <a href="http://hearth.test/tags/now" class="mention hashtag" rel="tag">#<span>now</span></a></p>',
    );
    assert.equal(edited.body.spoiler_text, 'cw');
    assert.match(edited.body.edited_at, /^\d{4}-/);
    assert.equal((await m('PUT', `/api/v1/statuses/${id}`, a, { status: '' })).status, 422);
    assert.equal((await m('GET', `/api/v1/statuses/${id}`)).body.content.includes('second'), true);
    assert.ok(h.events.some((e) => e.t === 'SOCIAL_STATUS_UPDATE' && (e.d as any).id === id));
    const history = await m('GET', `/api/v1/statuses/${id}/history`);
    assert.deepEqual(
      history.body.map((v: any) => [v.content.replace(/<[^>]+>/g, ''), v.spoiler_text]),
      [
        ['first', ''],
        ['second #now', 'cw'],
      ],
    );
    assert.equal(history.body[1].account.id, a.id);
    assert.equal((await m('DELETE', `/api/v1/statuses/${id}`, a)).status, 200);
    assert.equal((await m('DELETE', `/api/v1/statuses/${id}`, a)).status, 404);
    assert.equal((await m('GET', `/api/v1/statuses/${id}/history`)).status, 404);
    assert.equal((await m('GET', `/api/v1/accounts/${a.id}`)).body.statuses_count, 0);
    assert.ok(h.events.some((e) => e.t === 'SOCIAL_STATUS_DELETE' && (e.d as any).id === id));
  });

  test('favourites: idempotent, exact under concurrency, blocked people cannot', async () => {
    const author = await h.register();
    const id = await post(h, author, { status: 'like me' });
    const fans = await Promise.all(Array.from({ length: 10 }, () => h.register()));
    await Promise.all(
      fans.flatMap((f) => [
        m('POST', `/api/v1/statuses/${id}/favourite`, f),
        m('POST', `/api/v1/statuses/${id}/favourite`, f),
      ]),
    );
    const s = (await m('GET', `/api/v1/statuses/${id}`, fans[0])).body;
    assert.equal(s.favourites_count, 10);
    assert.equal(s.favourited, true);
    assert.equal((await m('GET', `/api/v1/statuses/${id}`, author)).body.favourited, false);
    const by = await m('GET', `/api/v1/statuses/${id}/favourited_by`);
    assert.deepEqual(new Set(by.body.map((x: any) => x.id)), new Set(fans.map((f) => f.id)));
    await Promise.all(
      fans
        .slice(0, 4)
        .flatMap((f) => [
          m('POST', `/api/v1/statuses/${id}/unfavourite`, f),
          m('POST', `/api/v1/statuses/${id}/unfavourite`, f),
        ]),
    );
    const after4 = await m('POST', `/api/v1/statuses/${id}/unfavourite`, fans[0]);
    assert.equal(after4.body.favourites_count, 6);
    assert.equal(after4.body.favourited, false);
    assert.ok(h.events.some((e) => e.t === 'SOCIAL_FAVOURITE' && e.topic === `account:${author.id}`));

    // The author blocks a fan: the fan cannot see, favourite or reply, and the author's posts leave their timelines.
    const fan = fans[9];
    await m('POST', `/api/v1/accounts/${author.id}/follow`, fan);
    assert.ok(ids((await m('GET', '/api/v1/timelines/home', fan)).body).includes(id));
    await h.api('PUT', `/users/@me/relationships/${fan.id}`, { token: author.token, body: { type: 2 } });
    assert.equal((await m('GET', `/api/v1/statuses/${id}`, fan)).status, 404);
    assert.equal((await m('POST', `/api/v1/statuses/${id}/favourite`, fan)).status, 404);
    assert.equal((await m('POST', '/api/v1/statuses', fan, { status: 'x', in_reply_to_id: id })).status, 404);
    assert.ok(!ids((await m('GET', '/api/v1/timelines/home', fan)).body).includes(id));
    assert.ok(!ids((await m('GET', '/api/v1/timelines/public?limit=40', fan)).body).includes(id));
    assert.ok(!ids((await m('GET', `/api/v1/accounts/${author.id}/statuses`, fan)).body).includes(id));
    // A fan's earlier reply is out of the author's view too.
    assert.equal((await m('GET', `/api/v1/statuses/${id}`)).status, 200);
  });

  test('home timeline: own and followed, newest first, paged by max_id / since_id / min_id', async () => {
    const [me, friend, stranger] = [await h.register(), await h.register(), await h.register()];
    await follow(me, friend);
    const posted: string[] = [];
    for (let i = 0; i < 6; i++) posted.push(await post(h, i % 2 ? friend : me, { status: `n${i}` }));
    await post(h, stranger, { status: 'not followed' });
    const first = await m('GET', '/api/v1/timelines/home?limit=4', me);
    assert.deepEqual(ids(first.body), posted.slice(2).reverse());
    const link = first.headers.get('link') ?? '';
    assert.match(link, new RegExp(`max_id=${posted[2]}>; rel="next"`));
    assert.match(link, new RegExp(`min_id=${posted[5]}>; rel="prev"`));
    assert.deepEqual(ids((await m('GET', `/api/v1/timelines/home?max_id=${posted[2]}`, me)).body), [
      posted[1],
      posted[0],
    ]);
    assert.deepEqual(ids((await m('GET', `/api/v1/timelines/home?min_id=${posted[0]}&limit=2`, me)).body), [
      posted[2],
      posted[1],
    ]);
    assert.deepEqual(ids((await m('GET', `/api/v1/timelines/home?since_id=${posted[3]}`, me)).body), [
      posted[5],
      posted[4],
    ]);
    assert.equal((await m('GET', '/api/v1/timelines/home')).status, 401);
    assert.equal((await m('GET', '/api/v1/timelines/home?limit=0', me)).status, 400);
    const statuses = await m('GET', `/api/v1/accounts/${friend.id}/statuses?exclude_replies=true&limit=2`);
    assert.deepEqual(ids(statuses.body), [posted[5], posted[3]]);
    assert.deepEqual((await m('GET', `/api/v1/accounts/${friend.id}/statuses?only_media=true`)).body, []);
  });

  test('instance entities and CORS preflight', async () => {
    const v2 = (await m('GET', '/api/v2/instance')).body;
    assert.equal(v2.domain, 'hearth.test');
    assert.match(v2.version, /^4\.\d+\.\d+ \(compatible; Hearth/);
    assert.equal(v2.api_versions.mastodon, 2);
    assert.equal(v2.configuration.statuses.max_characters, 5000);
    const v1 = (await m('GET', '/api/v1/instance')).body;
    assert.equal(v1.uri, 'hearth.test');
    assert.equal(typeof v1.stats.user_count, 'number');
    const pre = await h.api('OPTIONS', '/api/v1/statuses', {
      headers: { origin: 'https://elk.example', 'access-control-request-method': 'POST' },
    });
    assert.ok(pre.status < 300);
    assert.equal(pre.headers.get('access-control-allow-origin'), '*');
    assert.match(pre.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    // What Hearth lacks is a Mastodon 404; the chat API's stays Discord's.
    const missing = await m('GET', '/api/v1/announcements', null);
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { error: 'Record not found' });
    assert.equal(missing.headers.get('access-control-allow-origin'), '*');
    assert.deepEqual((await h.api('GET', '/nothing-here')).body, { message: '404: Not Found', code: 0 });
  });
});
