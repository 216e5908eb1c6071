import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Permission as P } from '@hearth/permissions';
import { createRestAPIClient, createStreamingAPIClient, type mastodon as Masto, MastoHttpError } from 'masto';
import { createForumPost, createGroup } from '../group-helpers';
import { createGuild, type TestGuild } from '../guild-helpers';
import { startHearth, type TestServer, type TestUser } from '../harness';
import { mastodon } from '../social-helpers';

// Groups as Mastodon accounts (ADR 0031): a group is an account with `group: true` (id = the guild's id, username =
// its handle, one namespace with usernames); following it is joining it; its posts reach its members' home
// timelines, over REST and the streaming API; mentioning it in a status posts into it when the author may post
// there. A private group is nothing to someone outside it.

let h: TestServer;
before(async () => {
  h = await startHearth();
});
after(() => h.close());
/** The Mastodon API as a raw client calls it (for status codes and bodies masto.js hides). */
const m = (...args: Parameters<ReturnType<typeof mastodon>>) => mastodon(h)(...args);

const client = (u: TestUser) => createRestAPIClient({ url: h.url, accessToken: u.token });
/** A guild made a group with a handle and a forum feed. */
const group = (mode: 'public' | 'approval' | 'private', owner?: TestUser) => createGroup(h, mode, owner);
/** Starts a forum post (Discord's route); answers its id, the thread's. */
const forumPost = (g: TestGuild, forumId: string, author: TestUser, name: string, content: string) =>
  createForumPost(h, g, forumId, author, name, content);

async function notFound(p: PromiseLike<unknown>) {
  await assert.rejects(
    async () => await p,
    (err: unknown) => err instanceof MastoHttpError && err.statusCode === 404,
  );
}

describe('groups as Mastodon accounts', { timeout: 60_000 }, () => {
  test('handles share one namespace with usernames', async () => {
    const user = await h.register();
    const g = await createGuild(h);
    const taken = await h.api('PATCH', `/guilds/${g.id}`, {
      token: g.owner.token,
      body: { hearth_group: { join_mode: 'public', handle: user.username } },
    });
    assert.equal(taken.status, 400, taken.text);
    assert.equal(taken.body.errors.hearth_group.handle._errors[0].code, 'USERNAME_ALREADY_TAKEN');

    const { handle } = await group('public');
    const other = await createGuild(h);
    const again = await h.api('PATCH', `/guilds/${other.id}`, {
      token: other.owner.token,
      body: { hearth_group: { join_mode: 'public', handle } },
    });
    assert.equal(again.status, 400, again.text);

    // Nobody can register as a group, nor rename themselves to one.
    const reg = await h.api('POST', '/auth/register', {
      body: { email: `${handle}@example.test`, username: handle, password: 'correct horse battery staple' },
    });
    assert.equal(reg.status, 400, reg.text);
    assert.equal(reg.body.errors.username._errors[0].code, 'USERNAME_ALREADY_TAKEN');
    const rename = await h.api('PATCH', '/users/@me', {
      token: user.token,
      body: { username: handle },
    });
    assert.equal(rename.status, 400, rename.text);

    const bad = await h.api('PATCH', `/guilds/${other.id}`, {
      token: other.owner.token,
      body: { hearth_group: { handle: 'Not a handle!' } },
    });
    assert.equal(bad.status, 400, bad.text);
  });

  test('masto.js: find a public group, read it, follow it (join), its posts on home and the user stream, mention it to post, unfollow', async () => {
    const { g, handle, forumId } = await group('public');
    const [bob, carol] = [await h.register(), await h.register()];
    const b = client(bob);

    const account = await b.v1.accounts.$select(g.id).fetch();
    assert.equal(account.group, true);
    assert.equal(account.acct, handle);
    assert.equal(account.username, handle);
    assert.equal(account.displayName, 'The public group');
    assert.equal(account.locked, false);
    assert.equal(account.followersCount, 1);
    assert.equal((await b.v1.accounts.lookup({ acct: handle })).id, g.id);
    assert.equal((await b.v1.accounts.lookup({ acct: `@${handle}@hearth.test` })).id, g.id);
    const found = await b.v2.search.list({ q: handle, type: 'accounts' });
    assert.deepEqual(
      found.accounts.map((a) => a.id),
      [g.id],
    );
    // Anyone may see a public group's account, signed in or not.
    assert.equal((await m('GET', `/api/v1/accounts/${g.id}`)).body.group, true);

    // A profile view asks for pinned statuses first: a group has none.
    assert.deepEqual(await b.v1.accounts.$select(g.id).statuses.list({ pinned: true }), []);
    const first = await forumPost(g, forumId, g.owner, 'Welcome', 'Say hello #yarn');
    const statuses = await b.v1.accounts.$select(g.id).statuses.list();
    assert.deepEqual(
      statuses.map((s) => s.id),
      [first],
    );
    const [post] = statuses;
    assert.equal(post.account.id, g.id);
    assert.equal(post.account.group, true);
    assert.match(post.content, /Welcome/);
    assert.match(post.content, /Say hello/);
    assert.deepEqual(
      post.tags.map((t) => t.name),
      ['yarn'],
    );
    assert.equal(post.visibility, 'public');
    // masto.js camel-cases Hearth's hearth_group_post as every other field.
    const ext = (post as unknown as { hearthGroupPost: any }).hearthGroupPost;
    assert.equal(ext.author.id, g.owner.id);
    assert.equal(ext.groupName, 'The public group');
    assert.equal(ext.title, 'Welcome');
    assert.equal(ext.forumId, forumId);

    // Before following, the home timeline has none of it.
    assert.deepEqual(await b.v1.timelines.home.list(), []);

    const rel = await b.v1.accounts.$select(g.id).follow();
    assert.equal(rel.following, true);
    assert.equal(rel.requested, false);
    const [seen] = await b.v1.accounts.relationships.fetch({ id: [g.id] });
    assert.equal(seen.following, true);
    const guilds = await h.api('GET', '/users/@me/guilds', { token: bob.token });
    assert.ok(
      guilds.body.some((x: any) => x.id === g.id),
      'following a group is joining it',
    );
    assert.equal((await b.v1.accounts.$select(g.id).fetch()).followersCount, 2);

    // The home timeline merges the group's posts with statuses, by id.
    await client(carol).v1.accounts.$select(bob.id).follow();
    await b.v1.accounts.$select(carol.id).follow();
    const fromCarol = await client(carol).v1.statuses.create({ status: 'carol here' });
    const second = await forumPost(g, forumId, g.owner, 'Second', 'More yarn');
    const home = await b.v1.timelines.home.list();
    assert.deepEqual(
      home.map((s) => s.id),
      [second, fromCarol.id, first],
    );
    // Paging crosses both kinds.
    const older = await b.v1.timelines.home.list({ maxId: fromCarol.id });
    assert.deepEqual(
      older.map((s) => s.id),
      [first],
    );
    const newer = await b.v1.timelines.home.list({ minId: first, limit: 1 });
    assert.deepEqual(
      newer.map((s) => s.id),
      [fromCarol.id],
    );

    // The user stream gets a new group post live.
    const stream = createStreamingAPIClient({
      streamingApiUrl: h.url.replace(/^http/, 'ws'),
      accessToken: bob.token,
      retry: false,
    });
    try {
      const events: Masto.streaming.Event[] = [];
      (async () => {
        for await (const e of stream.user.subscribe()) events.push(e);
      })().catch(() => {});
      while (!h.app.streaming.streamsOf(bob.id).includes('user')) await new Promise((r) => setTimeout(r, 20));
      const third = await forumPost(g, forumId, g.owner, 'Third', 'Live yarn');
      const live = async () => {
        for (;;) {
          const e = events.find((x) => x.event === 'update' && x.payload.id === third);
          if (e) return e;
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      const e = await live();
      assert.equal(e.event === 'update' && e.payload.account.id, g.id);
      // Its author edits it: the stream says `status.update` with the new text.
      const edit = await h.api('PATCH', `/channels/${third}/messages/${third}`, {
        token: g.owner.token,
        body: { content: 'Live yarn, edited' },
      });
      assert.equal(edit.status, 200, edit.text);
      for (;;) {
        const u = events.find((x) => x.event === 'status.update' && x.payload.id === third);
        if (u) {
          assert.match(u.event === 'status.update' ? u.payload.content : '', /edited/);
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      stream.close();
    }

    // A member mentions the group: the status is posted into it. A non-member's mention is only a mention.
    const mention = await b.v1.statuses.create({
      status: `@${handle} Hello all\nI knit socks.`,
      visibility: 'public',
    });
    assert.match(mention.content, new RegExp(`href="http://hearth.test/groups/${g.id}"`));
    // The group is among the status's mentions (Mastodon's Mention), for its author and anyone reading it.
    const groupMention = {
      id: g.id,
      username: handle,
      acct: handle,
      url: `http://hearth.test/groups/${g.id}`,
    };
    assert.deepEqual(mention.mentions, [groupMention]);
    const readByCarol = await client(carol).v1.statuses.$select(mention.id).fetch();
    assert.deepEqual(readByCarol.mentions, [groupMention]);
    const withCarol = await b.v1.statuses.$select(mention.id).update({
      status: `@${handle} @${carol.username} Hello all\nI knit socks.`,
    });
    assert.deepEqual(
      withCarol.mentions.map((x) => x.id),
      [carol.id, g.id],
    );
    const byCarol = await client(carol).v1.statuses.create({
      status: `@${handle} let me in`,
      visibility: 'public',
    });
    assert.ok(byCarol.id);
    const feed = await b.v1.accounts.$select(g.id).statuses.list();
    const mentioned = feed.find((s) => (s as any).hearthGroupPost.author?.id === bob.id);
    assert.ok(mentioned, 'the mention became a post');
    // The post follows the status it came from: its edit (naming carol) is the post's title and text now.
    assert.equal((mentioned as any).hearthGroupPost.title, `@${handle} @${carol.username} Hello all`);
    assert.match(mentioned.content, /I knit socks/);
    assert.ok(!feed.some((s) => (s as any).hearthGroupPost.author?.id === carol.id));
    const threads = await h.api('GET', `/guilds/${g.id}/threads/active`, { token: g.owner.token });
    assert.equal(
      threads.body.threads.filter((t: any) => t.parent_id === forumId).length,
      4,
      'three posts and the mention, nothing from the non-member',
    );

    // Unfollowing is leaving: the group's posts leave the home timeline.
    const gone = await b.v1.accounts.$select(g.id).unfollow();
    assert.equal(gone.following, false);
    const after = await b.v1.timelines.home.list();
    assert.ok(after.every((s) => s.account.id !== g.id));
    // The owner cannot unfollow their own group (they would leave it ownerless).
    const owner = await m('POST', `/api/v1/accounts/${g.id}/unfollow`, g.owner);
    assert.equal(owner.status, 400, owner.text);
  });

  test('a private group is nothing to someone outside it; its members read it and post into it', async () => {
    const { g, handle, forumId } = await group('private');
    const [member, outsider] = [await h.register(), await h.register()];
    const invite = await h.api('POST', `/channels/${forumId}/invites`, { token: g.owner.token, body: {} });
    assert.equal(invite.status, 200, invite.text);
    assert.equal((await h.api('POST', `/invites/${invite.body.code}`, { token: member.token })).status, 200);
    const first = await forumPost(g, forumId, g.owner, 'Secret', 'members only');

    const o = client(outsider);
    await notFound(o.v1.accounts.$select(g.id).fetch());
    await notFound(o.v1.accounts.$select(g.id).statuses.list());
    await notFound(o.v1.accounts.$select(g.id).statuses.list({ pinned: true }));
    await notFound(o.v1.accounts.lookup({ acct: handle }));
    await notFound(o.v1.accounts.$select(g.id).follow());
    assert.deepEqual(await o.v1.accounts.relationships.fetch({ id: [g.id] }), []);
    assert.deepEqual((await o.v2.search.list({ q: handle, type: 'accounts' })).accounts, []);
    for (const path of [`/api/v1/accounts/${g.id}`, `/api/v1/accounts/${g.id}/statuses`]) {
      const anon = await m('GET', path);
      assert.equal(anon.status, 404, anon.text);
      assert.deepEqual(anon.body, { error: 'Record not found' });
    }
    // The outsider's mention of it posts nothing.
    await o.v1.statuses.create({ status: `@${handle} hi`, visibility: 'public' });
    // Its owner's status with a mention, followers-only, is not posted either: only public and unlisted ones are.
    await client(g.owner).v1.statuses.create({ status: `@${handle} quiet`, visibility: 'private' });

    const mem = client(member);
    const account = await mem.v1.accounts.$select(g.id).fetch();
    assert.equal(account.group, true);
    assert.equal(account.locked, true);
    const [rel] = await mem.v1.accounts.relationships.fetch({ id: [g.id] });
    assert.equal(rel.following, true);
    const posts = await mem.v1.accounts.$select(g.id).statuses.list();
    assert.deepEqual(
      posts.map((s) => s.id),
      [first],
    );
    assert.equal(posts[0].visibility, 'private');
    assert.deepEqual(
      (await mem.v1.timelines.home.list()).map((s) => s.id),
      [first],
    );
    const own = await mem.v1.statuses.create({ status: `@${handle} inside`, visibility: 'unlisted' });
    assert.ok(own.id);
    assert.equal((await mem.v1.accounts.$select(g.id).statuses.list()).length, 2);
  });

  test('a member who may not read a forum does not get its posts; one who may not post there only mentions', async () => {
    const { g, handle, forumId } = await group('public');
    const reader = await h.register();
    await client(reader).v1.accounts.$select(g.id).follow();
    // @everyone may no longer post in the feed; a role may.
    const deny = await h.api('PUT', `/channels/${forumId}/permissions/${g.id}`, {
      token: g.owner.token,
      body: { type: 0, allow: '0', deny: String(P.SEND_MESSAGES) },
    });
    assert.equal(deny.status, 204, deny.text);
    await client(reader).v1.statuses.create({ status: `@${handle} not allowed`, visibility: 'public' });
    assert.deepEqual(await client(reader).v1.accounts.$select(g.id).statuses.list(), []);
    const hidden = await forumPost(g, forumId, g.owner, 'Hidden', 'soon hidden');
    const hide = await h.api('PUT', `/channels/${forumId}/permissions/${g.id}`, {
      token: g.owner.token,
      body: { type: 0, allow: '0', deny: String(P.VIEW_CHANNEL) },
    });
    assert.equal(hide.status, 204, hide.text);
    const home = await client(reader).v1.timelines.home.list();
    assert.ok(!home.some((s) => s.id === hidden), 'a forum the member cannot view stays out of their home');
    assert.deepEqual(await client(reader).v1.accounts.$select(g.id).statuses.list(), []);
  });

  test('a reader gets no group posts by authors they block, who block them, or whom they mute: home, user stream, the group (blocks)', async () => {
    const { g, forumId } = await group('public');
    const [reader, blocked, blocker, muted, fine] = [
      await h.register(),
      await h.register(),
      await h.register(),
      await h.register(),
      await h.register(),
    ];
    for (const u of [reader, blocked, blocker, muted, fine])
      await client(u).v1.accounts.$select(g.id).follow();
    const r = client(reader);
    await r.v1.accounts.$select(blocked.id).block();
    await client(blocker).v1.accounts.$select(reader.id).block();
    await r.v1.accounts.$select(muted.id).mute();

    const stream = createStreamingAPIClient({
      streamingApiUrl: h.url.replace(/^http/, 'ws'),
      accessToken: reader.token,
      retry: false,
    });
    let hidden: string[];
    let shown: string;
    try {
      const events: Masto.streaming.Event[] = [];
      (async () => {
        for await (const e of stream.user.subscribe()) events.push(e);
      })().catch(() => {});
      while (!h.app.streaming.streamsOf(reader.id).includes('user'))
        await new Promise((r) => setTimeout(r, 20));
      hidden = [
        await forumPost(g, forumId, blocked, 'From blocked', 'a'),
        await forumPost(g, forumId, blocker, 'From blocker', 'b'),
        await forumPost(g, forumId, muted, 'From muted', 'c'),
      ];
      shown = await forumPost(g, forumId, fine, 'From fine', 'd');
      // The streaming API handles events in order: once the last post is here, the others would have been too.
      while (!events.some((e) => e.event === 'update' && e.payload.id === shown))
        await new Promise((r) => setTimeout(r, 20));
      const streamed = events.flatMap((e) => (e.event === 'update' ? [e.payload.id] : []));
      assert.deepEqual(streamed, [shown]);
    } finally {
      stream.close();
    }
    assert.deepEqual(
      (await r.v1.timelines.home.list()).map((s) => s.id),
      [shown],
    );
    // On the group's own statuses, blocks either way hide the author's posts; a mute does not (as on Mastodon).
    assert.deepEqual(
      (await r.v1.accounts.$select(g.id).statuses.list()).map((s) => s.id),
      [shown, hidden[2]],
    );
    // The group's other members, and the reader once the mute ends, read them all.
    assert.equal((await client(fine).v1.timelines.home.list()).length, 4);
    await r.v1.accounts.$select(muted.id).unmute();
    assert.deepEqual(
      (await r.v1.timelines.home.list()).map((s) => s.id),
      [shown, hidden[2]],
    );
  });

  test('an approval-required group takes a follow as a join request; unfollowing withdraws it', async () => {
    const { g } = await group('approval');
    const asker = await h.register();
    const a = client(asker);
    const account = await a.v1.accounts.$select(g.id).fetch();
    assert.equal(account.locked, true);
    const rel = await a.v1.accounts.$select(g.id).follow();
    assert.equal(rel.following, false);
    assert.equal(rel.requested, true);
    const mine = await h.api('GET', `/guilds/${g.id}/requests/@me`, { token: asker.token });
    assert.equal(mine.status, 200, mine.text);
    assert.equal(mine.body.application_status, 'SUBMITTED');
    const withdrawn = await a.v1.accounts.$select(g.id).unfollow();
    assert.equal(withdrawn.requested, false);
    const none = await h.api('GET', `/guilds/${g.id}/requests/@me`, { token: asker.token });
    assert.equal(none.status, 404, none.text);
  });
});
