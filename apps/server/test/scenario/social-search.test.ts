import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq, sql } from 'drizzle-orm';
import { postSearchDocument, posts, users } from '../../src/store/schema';
import { startHearth, type TestServer, type TestUser } from '../harness';
import { mastodon, post } from '../social-helpers';

// Search and discovery through the Mastodon API: /api/v2/search, accounts/search, the directory, trends, tag
// timelines, a tag, and a status's source. Whatever is found is what the searcher may see.

let h: TestServer;
let m: ReturnType<typeof mastodon>;
before(async () => {
  h = await startHearth();
  m = mastodon(h);
});
after(() => h.close());

/** A tag unique to one test, so tests sharing a server do not see each other's. */
const unique = (base: string) => `${base}${Math.random().toString(36).slice(2, 8)}`;

async function follow(who: TestUser, whom: TestUser) {
  const res = await m('POST', `/api/v1/accounts/${whom.id}/follow`, who);
  assert.equal(res.status, 200, res.text);
}

/** `n` new users, one after the other. */
async function registerMany(n: number): Promise<TestUser[]> {
  const users: TestUser[] = [];
  for (let i = 0; i < n; i++) users.push(await h.register());
  return users;
}

const ids = (list: Array<{ id: string }>) => list.map((x) => x.id);

describe('account search', () => {
  test('discoverable accounts by prefix; an exact @user always; blocked either way never; following', async () => {
    const [alice, hidden, bob, searcher] = [
      await h.register(),
      await h.register(),
      await h.register(),
      await h.register(),
    ];
    const off = await m('PATCH', '/api/v1/accounts/update_credentials', hidden, { discoverable: false });
    assert.equal(off.status, 200);
    await m('PATCH', '/api/v1/accounts/update_credentials', alice, { display_name: 'Alice Searchable' });

    const byName = await m('GET', `/api/v2/search?q=${alice.username}&type=accounts`, searcher);
    assert.equal(byName.status, 200);
    assert.deepEqual(ids(byName.body.accounts), [alice.id]);
    assert.deepEqual(byName.body.statuses, []);
    assert.deepEqual(byName.body.hashtags, []);
    const byDisplay = await m('GET', '/api/v1/accounts/search?q=searchable', searcher);
    assert.ok(ids(byDisplay.body).includes(alice.id));

    // Not discoverable: not found by a prefix, found by its exact name (with or without @ and this host).
    const prefix = hidden.username.slice(0, -1);
    assert.ok(
      !ids((await m('GET', `/api/v1/accounts/search?q=${prefix}`, searcher)).body).includes(hidden.id),
    );
    for (const q of [hidden.username, `@${hidden.username}`, `@${hidden.username}@hearth.test`])
      assert.deepEqual(
        ids((await m('GET', `/api/v2/search?q=${encodeURIComponent(q)}`, null)).body.accounts),
        [hidden.id],
        q,
      );
    assert.deepEqual(
      (await m('GET', `/api/v1/accounts/search?q=${hidden.username}@elsewhere.example`, searcher)).body,
      [],
    );

    // Blocks hide both ways, even the exact name.
    assert.equal((await m('POST', `/api/v1/accounts/${searcher.id}/block`, bob)).status, 200);
    assert.deepEqual((await m('GET', `/api/v2/search?q=@${bob.username}`, searcher)).body.accounts, []);
    assert.deepEqual((await m('GET', `/api/v1/accounts/search?q=${searcher.username}`, bob)).body, []);

    await follow(searcher, alice);
    const followed = await m('GET', `/api/v1/accounts/search?q=user_&following=true&limit=80`, searcher);
    assert.deepEqual(ids(followed.body), [alice.id]);
    assert.equal((await m('GET', '/api/v1/accounts/search?q=user_&following=true', null)).status, 401);
    assert.equal((await m('GET', '/api/v1/accounts/search', searcher)).status, 400);
  });
});

describe('status search', () => {
  test('finds what the searcher may see: followers-only only for followers, never for signed-out; blocks hide', async () => {
    const [author, follower, stranger] = [await h.register(), await h.register(), await h.register()];
    await follow(follower, author);
    const word = unique('needle');
    const open = await post(h, author, { status: `public ${word}`, visibility: 'public' });
    const closed = await post(h, author, { status: `followers ${word}`, visibility: 'private' });
    const direct = await post(h, author, { status: `direct ${word}`, visibility: 'direct' });

    const find = async (who: TestUser | null, extra = '') =>
      ids((await m('GET', `/api/v2/search?q=${word}&type=statuses${extra}`, who)).body.statuses);
    assert.deepEqual(await find(author), [direct, closed, open]);
    assert.deepEqual(await find(follower), [closed, open]);
    assert.deepEqual(await find(stranger), [open]);
    assert.deepEqual(await find(null), [open]);
    assert.deepEqual(await find(follower, `&account_id=${stranger.id}`), []);
    assert.deepEqual(await find(follower, '&limit=1'), [closed]);
    assert.deepEqual(await find(follower, '&limit=1&offset=1'), [open]);
    assert.equal((await m('GET', `/api/v2/search?q=${word}&offset=1`, null)).status, 401);

    await m('POST', `/api/v1/accounts/${stranger.id}/block`, author);
    assert.deepEqual(await find(stranger), []);

    // resolve: a status URL of this server is that status, if the caller may see it.
    const url = `http://hearth.test/@${author.username}/${closed}`;
    const resolved = await m('GET', `/api/v2/search?q=${encodeURIComponent(url)}&resolve=true`, follower);
    assert.deepEqual(ids(resolved.body.statuses), [closed]);
    const refused = await m('GET', `/api/v2/search?q=${encodeURIComponent(url)}&resolve=true`, stranger);
    assert.deepEqual(refused.body.statuses, []);
  });

  test('full text: words in any order and case, the content warning, "phrases", -words, or; paging by id', async () => {
    const [author, other] = [await h.register(), await h.register()];
    const w = unique('kiln');
    const v = unique('glaze');
    const first = await post(h, author, { status: `Firing the ${w} tonight with a new ${v}` });
    const second = await post(h, author, { status: `${v.toUpperCase()}, then the ${w}.` });
    const third = await post(h, other, { status: 'only the body', spoiler_text: `${w} talk` });
    const fourth = await post(h, other, { status: `${w} alone` });
    const find = async (q: string, extra = '') => {
      const res = await m('GET', `/api/v2/search?type=statuses&q=${encodeURIComponent(q)}${extra}`, other);
      assert.equal(res.status, 200, res.text);
      return ids(res.body.statuses);
    };
    assert.deepEqual(await find(`${v} ${w}`), [second, first], 'both words, any order, any case');
    assert.deepEqual(await find(w), [fourth, third, second, first], 'the content warning is searched');
    assert.deepEqual(await find(`"${w} tonight"`), [first], 'a phrase');
    assert.deepEqual(await find(`"tonight ${w}"`), [], 'a phrase keeps its order');
    assert.deepEqual(await find(`${w} -${v}`), [fourth, third], 'a word left out');
    assert.deepEqual(await find(`${v} or alone`), [fourth, second, first]);
    assert.deepEqual(await find(`${w.slice(0, -1)}`), [], 'whole words, not substrings');
    assert.deepEqual(await find(w, `&max_id=${third}`), [second, first]);
    assert.deepEqual(await find(w, `&min_id=${second}`), [fourth, third]);
    assert.deepEqual(await find(w, `&min_id=${first}&max_id=${fourth}`), [third, second]);
    assert.deepEqual(await find(w, `&account_id=${author.id}`), [second, first]);
    assert.deepEqual(await find(w, '&limit=2&offset=1'), [third, second]);

    // Whatever the text, a clear answer: query syntax never fails the request.
    for (const q of ['"', '-', '!!', '&|:*', "'", 'or', `${w} "unclosed`, '\\', '(((', '<->']) {
      const res = await m('GET', `/api/v2/search?type=statuses&q=${encodeURIComponent(q)}`, other);
      assert.equal(res.status, 200, `${q}: ${res.text}`);
      assert.ok(Array.isArray(res.body.statuses), q);
    }
    const long = `${w} ${'x '.repeat(300)}`;
    assert.equal((await m('GET', `/api/v2/search?q=${encodeURIComponent(long)}`, other)).status, 400);
    assert.equal((await m('GET', `/api/v2/search?q=${w}&max_id=abc`, other)).status, 400);
  });

  test('full text never finds what the searcher may not see: blocks either way, mutes, deactivated authors', async () => {
    const [author, blocker, blocked, muter, follower] = await registerMany(5);
    await follow(follower, author);
    const w = unique('lantern');
    const pub = await post(h, author, { status: `public ${w}` });
    const unlisted = await post(h, author, { status: `unlisted ${w}`, visibility: 'unlisted' });
    const priv = await post(h, author, { status: `private ${w}`, visibility: 'private' });
    const dm = await post(h, author, { status: `@${blocked.username} direct ${w}`, visibility: 'direct' });
    const find = async (who: TestUser | null) =>
      ids((await m('GET', `/api/v2/search?type=statuses&q=${w}`, who)).body.statuses);
    assert.deepEqual(await find(follower), [priv, unlisted, pub]);
    assert.deepEqual(await find(blocked), [dm, unlisted, pub], 'direct when addressed');
    assert.deepEqual(await find(null), [pub]);

    assert.equal((await m('POST', `/api/v1/accounts/${author.id}/block`, blocker)).status, 200);
    assert.deepEqual(await find(blocker), [], 'a blocker finds nothing of whom they blocked');
    assert.equal((await m('POST', `/api/v1/accounts/${blocked.id}/block`, author)).status, 200);
    assert.deepEqual(
      await find(blocked),
      [],
      'the blocked finds nothing, not even a status addressed to them',
    );
    assert.equal((await m('POST', `/api/v1/accounts/${author.id}/mute`, muter)).status, 200);
    assert.deepEqual(await find(muter), []);

    await h.app.database.db.update(users).set({ disabled: true }).where(eq(users.id, author.id));
    assert.deepEqual(await find(follower), [], 'a deactivated account is found by nobody');
    assert.deepEqual(await find(null), []);
    assert.deepEqual(await find(author), []);
  });

  test('the search uses the GIN index on the same expression the migration built', async () => {
    const db = h.app.database.db;
    const plan = await db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      return tx.execute(
        sql`explain select ${posts.id} from ${posts} where ${postSearchDocument(posts)} @@ websearch_to_tsquery('simple'::regconfig, 'word')`,
      );
    });
    const text = JSON.stringify((plan as { rows?: unknown[] }).rows ?? plan);
    assert.match(text, /posts_search_idx/);
  });

  test("a status's source is its text as written, for whom may see it", async () => {
    const [author, stranger] = [await h.register(), await h.register()];
    const id = await post(h, author, {
      status: 'written *as is* #src',
      spoiler_text: 'cw',
      visibility: 'private',
    });
    const source = await m('GET', `/api/v1/statuses/${id}/source`, author);
    assert.deepEqual(source.body, { id, text: 'written *as is* #src', spoiler_text: 'cw' });
    assert.equal((await m('GET', `/api/v1/statuses/${id}/source`, stranger)).status, 404);
    assert.equal((await m('GET', `/api/v1/statuses/${id}/source`, null)).status, 401);
  });
});

describe('hashtags', () => {
  test('tag timeline: public statuses with the tag, any/all/none, never followers-only ones; Link paging', async () => {
    const [author, follower, stranger] = [await h.register(), await h.register(), await h.register()];
    await follow(follower, author);
    const tag = unique('trip');
    const other = unique('sea');
    const a = await post(h, author, { status: `day one #${tag}` });
    const b = await post(h, author, { status: `day two #${tag} #${other}` });
    const hiddenOne = await post(h, author, { status: `secret #${tag}`, visibility: 'private' });
    await post(h, author, { status: `quiet #${tag}`, visibility: 'unlisted' });
    const c = await post(h, stranger, { status: `only #${other}` });

    for (const who of [null, stranger, follower]) {
      const res = await m('GET', `/api/v1/timelines/tag/${tag}`, who);
      assert.equal(res.status, 200);
      assert.deepEqual(ids(res.body), [b, a]);
      assert.ok(!ids(res.body).includes(hiddenOne));
    }
    assert.deepEqual(
      ids((await m('GET', `/api/v1/timelines/tag/${tag.toUpperCase()}?any[]=${other}`, null)).body),
      [c, b, a],
    );
    assert.deepEqual(ids((await m('GET', `/api/v1/timelines/tag/${tag}?all[]=${other}`, null)).body), [b]);
    assert.deepEqual(ids((await m('GET', `/api/v1/timelines/tag/${tag}?none[]=${other}`, null)).body), [a]);
    assert.deepEqual((await m('GET', `/api/v1/timelines/tag/${tag}?only_media=true`, null)).body, []);
    const page = await m('GET', `/api/v1/timelines/tag/${tag}?limit=1`, null);
    assert.deepEqual(ids(page.body), [b]);
    assert.match(page.headers.get('link') ?? '', new RegExp(`max_id=${b}`));
    assert.deepEqual(ids((await m('GET', `/api/v1/timelines/tag/${tag}?max_id=${b}`, null)).body), [a]);

    // A blocked author's statuses leave the blocker's tag timeline; an edit that drops the tag drops the status.
    await m('POST', `/api/v1/accounts/${author.id}/block`, stranger);
    assert.deepEqual((await m('GET', `/api/v1/timelines/tag/${tag}`, stranger)).body, []);
    await m('PUT', `/api/v1/statuses/${a}`, author, { status: 'day one, untagged' });
    assert.deepEqual(ids((await m('GET', `/api/v1/timelines/tag/${tag}`, null)).body), [b]);
    await m('DELETE', `/api/v1/statuses/${b}`, author);
    assert.deepEqual((await m('GET', `/api/v1/timelines/tag/${tag}`, null)).body, []);
  });

  test('hashtag search, a tag with history, and trends count only public statuses', async () => {
    const [alice, bob, carol] = [await h.register(), await h.register(), await h.register()];
    const hot = unique('hot');
    const warm = `${hot}warm`;
    const secret = unique('secret');
    await post(h, alice, { status: `#${hot}` });
    await post(h, bob, { status: `#${hot} again` });
    await post(h, alice, { status: `#${warm} and #${hot}` });
    await post(h, carol, { status: `#${warm}` });
    await post(h, carol, { status: `#${secret}`, visibility: 'private' });

    const found = await m('GET', `/api/v2/search?q=%23${hot}&type=hashtags`, null);
    assert.deepEqual(
      found.body.hashtags.map((t: { name: string }) => t.name),
      [hot, warm],
    );
    const tag = found.body.hashtags[0];
    assert.equal(tag.url, `http://hearth.test/tags/${hot}`);
    assert.equal(tag.history.length, 7);
    assert.deepEqual(tag.history[0], {
      day: String(
        Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()) / 1000,
      ),
      uses: '3',
      accounts: '2',
    });
    assert.deepEqual((await m('GET', `/api/v2/search?q=${secret}&type=hashtags`, carol)).body.hashtags, []);

    const one = await m('GET', `/api/v1/tags/${hot.toUpperCase()}`, null);
    assert.equal(one.status, 200);
    assert.equal(one.body.name, hot);
    assert.equal(one.body.history[0].uses, '3');
    assert.equal((await m('GET', `/api/v1/tags/${secret}`, null)).status, 404);

    const trends = await m('GET', '/api/v1/trends/tags?limit=20', null);
    assert.equal(trends.status, 200);
    const names = trends.body.map((t: { name: string }) => t.name);
    assert.ok(names.indexOf(hot) >= 0 && names.indexOf(hot) < names.indexOf(warm), names.join());
    assert.ok(!names.includes(secret));
  });
});

describe('directory', () => {
  test('discoverable accounts only, newest or most active first; blocked ones left out', async () => {
    const [quiet, active, hidden, viewer] = [
      await h.register(),
      await h.register(),
      await h.register(),
      await h.register(),
    ];
    await m('PATCH', '/api/v1/accounts/update_credentials', hidden, { discoverable: false });
    await post(h, active, { status: 'I am active' });
    const recent = await m('GET', '/api/v1/directory?order=new&limit=80&local=true', viewer);
    assert.equal(recent.status, 200);
    const listed = ids(recent.body);
    assert.ok(!listed.includes(hidden.id));
    assert.ok(listed.indexOf(viewer.id) < listed.indexOf(active.id));
    assert.ok(listed.indexOf(active.id) < listed.indexOf(quiet.id));
    const byActivity = ids((await m('GET', '/api/v1/directory?order=active&limit=80', null)).body);
    assert.ok(byActivity.indexOf(active.id) < byActivity.indexOf(quiet.id));
    await m('POST', `/api/v1/accounts/${viewer.id}/block`, quiet);
    assert.ok(!ids((await m('GET', '/api/v1/directory?order=new&limit=80', viewer)).body).includes(quiet.id));
    assert.equal((await m('GET', '/api/v1/directory?order=bogus', viewer)).status, 400);
  });
});
