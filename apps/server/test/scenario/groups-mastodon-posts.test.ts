import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Permission as P } from '@hearth/permissions';
import { eq } from 'drizzle-orm';
import { createRestAPIClient, MastoHttpError } from 'masto';
import { users } from '../../src/store/schema';
import { createForumPost, createGroup } from '../group-helpers';
import { startHearth, type TestServer, type TestUser } from '../harness';
import { mastodon } from '../social-helpers';

// Group posts as first-class statuses (ADR 0031): a group post is found by /statuses/:id with its comments as the
// context's descendants, favourited as a reaction on its starter message, edited and deleted with the status that
// made it; nobody who may not read its forum learns anything of it.

let h: TestServer;
before(async () => {
  h = await startHearth();
});
after(() => h.close());
const m = (...args: Parameters<ReturnType<typeof mastodon>>) => mastodon(h)(...args);
const client = (u: TestUser) => createRestAPIClient({ url: h.url, accessToken: u.token });

async function rejectsWith(status: number, p: PromiseLike<unknown>) {
  await assert.rejects(
    async () => await p,
    (err: unknown) => err instanceof MastoHttpError && err.statusCode === status,
  );
}

/** A member of `guildId` (joined through its public follow, or by invite when private). */
async function join(guildId: string, u: TestUser, forumId: string, owner: TestUser) {
  const invite = await h.api('POST', `/channels/${forumId}/invites`, { token: owner.token, body: {} });
  assert.equal(invite.status, 200, invite.text);
  const res = await h.api('POST', `/invites/${invite.body.code}`, { token: u.token });
  assert.equal(res.status, 200, `${guildId}: ${res.text}`);
}

describe('group posts as statuses', { timeout: 90_000 }, () => {
  test('masto.js: a status posted into a group stays linked: editing it edits the post, deleting it deletes the post; nobody else can', async () => {
    const { g, handle } = await createGroup(h, 'public');
    const [bob, carol] = [await h.register(), await h.register()];
    await client(bob).v1.accounts.$select(g.id).follow();
    await client(carol).v1.accounts.$select(g.id).follow();
    const b = client(bob);

    const status = await b.v1.statuses.create({ status: `@${handle} Knitting night\nBring yarn.` });
    const [made] = await client(carol).v1.accounts.$select(g.id).statuses.list();
    assert.equal((made as any).hearthGroupPost.author.id, bob.id);
    const postId = made.id;
    assert.notEqual(postId, status.id);

    // The post itself is a status anyone who reads the group finds, with its comments as descendants.
    const found = await client(carol).v1.statuses.$select(postId).fetch();
    assert.equal(found.account.id, g.id);
    assert.match(found.content, /Bring yarn/);
    const comment = await h.api('POST', `/channels/${postId}/messages`, {
      token: carol.token,
      body: { content: `Count me in <@${bob.id}>` },
    });
    assert.equal(comment.status, 200, comment.text);
    const answer = await h.api('POST', `/channels/${postId}/messages`, {
      token: bob.token,
      body: { content: 'Great', message_reference: { message_id: comment.body.id } },
    });
    assert.equal(answer.status, 200, answer.text);
    const context = await client(carol).v1.statuses.$select(postId).context.fetch();
    assert.deepEqual(context.ancestors, []);
    assert.deepEqual(
      context.descendants.map((s) => [s.id, s.account.id, s.inReplyToId]),
      [
        [comment.body.id, carol.id, postId],
        [answer.body.id, bob.id, comment.body.id],
      ],
    );
    // A comment shows whom it mentions.
    assert.deepEqual(
      context.descendants[0].mentions.map((x) => x.id),
      [bob.id],
    );
    assert.equal((await client(carol).v1.statuses.$select(postId).fetch()).repliesCount, 2);

    // Editing the status edits the post's starter message and its title.
    await b.v1.statuses.$select(status.id).update({ status: `@${handle} Yarn night\nBring needles.` });
    const edited = await client(carol).v1.statuses.$select(postId).fetch();
    assert.match(edited.content, /Bring needles/);
    assert.ok(edited.editedAt);
    assert.equal((edited as any).hearthGroupPost.title, `@${handle} Yarn night`);
    const thread = await h.api('GET', `/channels/${postId}`, { token: carol.token });
    assert.equal(thread.body.name, `@${handle} Yarn night`);

    // Another member can neither edit nor delete the status (nor so its post) through the Mastodon API.
    const put = await m('PUT', `/api/v1/statuses/${status.id}`, carol, { status: 'hijacked' });
    assert.equal(put.status, 404, put.text);
    const del = await m('DELETE', `/api/v1/statuses/${status.id}`, carol);
    assert.equal(del.status, 404, del.text);
    for (const method of ['PUT', 'DELETE'] as const) {
      const onPost = await m(method, `/api/v1/statuses/${postId}`, carol, { status: 'x' });
      assert.equal(onPost.status, 404, onPost.text);
    }
    assert.match((await client(carol).v1.statuses.$select(postId).fetch()).content, /Bring needles/);

    // Deleting the status deletes the post (with its comments).
    await b.v1.statuses.$select(status.id).remove();
    const gone = await m('GET', `/api/v1/statuses/${postId}`, carol);
    assert.equal(gone.status, 404, gone.text);
    assert.equal((await h.api('GET', `/channels/${postId}`, { token: g.owner.token })).status, 404);
    assert.deepEqual(await client(carol).v1.accounts.$select(g.id).statuses.list(), []);
  });

  test('a group post is 404 to whoever may not read its forum: private outsiders, banned members, hidden forums; public readers find it', async () => {
    const priv = await createGroup(h, 'private');
    const [member, outsider, banned] = [await h.register(), await h.register(), await h.register()];
    await join(priv.g.id, member, priv.forumId, priv.g.owner);
    await join(priv.g.id, banned, priv.forumId, priv.g.owner);
    const secret = await createForumPost(h, priv.g, priv.forumId, priv.g.owner, 'Secret', 'members only');
    assert.equal((await m('GET', `/api/v1/statuses/${secret}`, member)).status, 200);
    assert.equal((await m('GET', `/api/v1/statuses/${secret}/context`, member)).status, 200);
    const ban = await h.api('PUT', `/guilds/${priv.g.id}/bans/${banned.id}`, {
      token: priv.g.owner.token,
      body: {},
    });
    assert.equal(ban.status, 204, ban.text);
    for (const who of [outsider, banned, null]) {
      for (const path of [`/api/v1/statuses/${secret}`, `/api/v1/statuses/${secret}/context`]) {
        const res = await m('GET', path, who ?? undefined);
        assert.equal(res.status, 404, res.text);
        assert.deepEqual(res.body, { error: 'Record not found' });
      }
    }
    // A status mentioning the private group does not show it to someone outside it.
    const mention = await client(member).v1.statuses.create({
      status: `@${priv.handle} inside`,
      visibility: 'public',
    });
    assert.deepEqual(
      mention.mentions.map((x) => x.id),
      [priv.g.id],
    );
    const outside = await client(outsider).v1.statuses.$select(mention.id).fetch();
    assert.deepEqual(outside.mentions, []);
    assert.ok(!outside.content.includes(priv.g.id), 'the group id is not in the HTML');
    assert.equal((await m('GET', `/api/v1/statuses/${mention.id}`)).body.mentions.length, 0);

    // A public listed group's post: anyone reads it; a banned user does not; a forum hidden from @everyone neither.
    const pub = await createGroup(h, 'public');
    const reader = await h.register();
    const open = await createForumPost(h, pub.g, pub.forumId, pub.g.owner, 'Open', 'for all');
    assert.equal((await m('GET', `/api/v1/statuses/${open}`, reader)).status, 200);
    assert.equal((await m('GET', `/api/v1/statuses/${open}`)).status, 200);
    const banPub = await h.api('PUT', `/guilds/${pub.g.id}/bans/${banned.id}`, {
      token: pub.g.owner.token,
      body: {},
    });
    assert.equal(banPub.status, 204, banPub.text);
    assert.equal((await m('GET', `/api/v1/statuses/${open}`, banned)).status, 404);
    assert.equal((await m('GET', `/api/v1/accounts/${pub.g.id}/statuses`, banned)).body.length, 0);
    const hide = await h.api('PUT', `/channels/${pub.forumId}/permissions/${pub.g.id}`, {
      token: pub.g.owner.token,
      body: { type: 0, allow: '0', deny: String(P.VIEW_CHANNEL) },
    });
    assert.equal(hide.status, 204, hide.text);
    assert.equal((await m('GET', `/api/v1/statuses/${open}`, reader)).status, 404);
    assert.equal((await m('GET', `/api/v1/statuses/${open}`, pub.g.owner)).status, 200);
    // Not an id: a clear 400, never a 500.
    assert.equal((await m('GET', '/api/v1/statuses/99999999999999999999999', reader)).status, 400);
  });

  test('a comment is a status by its own id: get, context up and down the tree, favourite; boosts refused; 404 to whoever may not read the group', async () => {
    const priv = await createGroup(h, 'private');
    const [member, outsider] = [await h.register(), await h.register()];
    await join(priv.g.id, member, priv.forumId, priv.g.owner);
    const postId = await createForumPost(h, priv.g, priv.forumId, priv.g.owner, 'Tree', 'the root');
    const say = async (content: string, answers?: string) => {
      const r = await h.api('POST', `/channels/${postId}/messages`, {
        token: member.token,
        body: answers ? { content, message_reference: { message_id: answers } } : { content },
      });
      assert.equal(r.status, 200, r.text);
      return r.body.id as string;
    };
    const top = await say('top comment');
    const mid = await say('an answer', top);
    const leaf = await say('an answer to the answer', mid);
    const aside = await say('another top comment');

    const got = await m('GET', `/api/v1/statuses/${mid}`, priv.g.owner);
    assert.equal(got.status, 200, got.text);
    assert.equal(got.body.id, mid);
    assert.equal(got.body.account.id, member.id);
    assert.equal(got.body.in_reply_to_id, top);
    assert.match(got.body.content, /an answer/);

    const ctx = await m('GET', `/api/v1/statuses/${mid}/context`, priv.g.owner);
    assert.equal(ctx.status, 200, ctx.text);
    assert.deepEqual(
      ctx.body.ancestors.map((x: { id: string }) => x.id),
      [postId, top],
    );
    assert.deepEqual(
      ctx.body.descendants.map((x: { id: string }) => x.id),
      [leaf],
    );
    const topCtx = await m('GET', `/api/v1/statuses/${top}/context`, priv.g.owner);
    assert.deepEqual(
      topCtx.body.descendants.map((x: { id: string }) => x.id),
      [mid, leaf],
    );
    assert.ok(!topCtx.body.descendants.some((x: { id: string }) => x.id === aside));

    // Favouriting a comment is the reaction on that comment (the chat side sees it).
    const fav = await m('POST', `/api/v1/statuses/${leaf}/favourite`, priv.g.owner);
    assert.equal(fav.status, 200, fav.text);
    assert.equal(fav.body.favourited, true);
    assert.equal(fav.body.favourites_count, 1);
    const reacted = await h.api('GET', `/channels/${postId}/messages/${leaf}`, { token: priv.g.owner.token });
    assert.equal(reacted.body.reactions?.[0]?.count, 1, reacted.text);
    const unfav = await m('POST', `/api/v1/statuses/${leaf}/unfavourite`, priv.g.owner);
    assert.equal(unfav.body.favourites_count, 0);
    assert.equal((await m('POST', `/api/v1/statuses/${leaf}/reblog`, member)).status, 422);

    // Replying through the Mastodon API is commenting: on the comment it answers, by whoever may comment.
    const replied = await client(member).v1.statuses.create({
      status: 'a reply from an app',
      inReplyToId: mid,
    });
    assert.equal(replied.inReplyToId, mid);
    assert.equal(replied.account.id, member.id);
    const asMessage = await h.api('GET', `/channels/${postId}/messages/${replied.id}`, {
      token: member.token,
    });
    assert.equal(asMessage.status, 200, asMessage.text);
    assert.equal(asMessage.body.message_reference?.message_id, mid);
    const onPost = await m('POST', '/api/v1/statuses', member, {
      status: 'on the post',
      in_reply_to_id: postId,
    });
    assert.equal(onPost.status, 200, onPost.text);
    assert.equal(onPost.body.in_reply_to_id, postId);
    const outsiderReply = await m('POST', '/api/v1/statuses', outsider, {
      status: 'let me in',
      in_reply_to_id: mid,
    });
    assert.equal(outsiderReply.status, 404, outsiderReply.text);
    assert.deepEqual(outsiderReply.body, { error: 'Record not found' });

    // Outside the private group, signed out or not: the same 404 for every route, as for an id that is nobody's.
    for (const who of [outsider, null]) {
      for (const [method, path] of [
        ['GET', `/api/v1/statuses/${mid}`],
        ['GET', `/api/v1/statuses/${mid}/context`],
        ['POST', `/api/v1/statuses/${mid}/favourite`],
        ['POST', `/api/v1/statuses/${mid}/reblog`],
      ] as const) {
        const res = await m(method, path, who ?? undefined);
        if (!who && method === 'POST') {
          assert.equal(res.status, 401, res.text);
          continue;
        }
        assert.equal(res.status, 404, `${method} ${path}: ${res.text}`);
        assert.deepEqual(res.body, { error: 'Record not found' });
      }
    }
  });

  test('masto.js: favourites are reactions on the starter message (the forum default, else ⭐), by ADD_REACTIONS; boosts are refused; media and counts show', async () => {
    const { g, forumId } = await createGroup(h, 'public');
    const [fan, lurker, mutedMember] = [await h.register(), await h.register(), await h.register()];
    await client(fan).v1.accounts.$select(g.id).follow();
    await client(mutedMember).v1.accounts.$select(g.id).follow();
    const postId = await createForumPost(h, g, forumId, g.owner, 'Star me', 'please');

    const f = client(fan);
    const faved = await f.v1.statuses.$select(postId).favourite();
    assert.equal(faved.favouritesCount, 1);
    assert.equal(faved.favourited, true);
    const starter = await h.api('GET', `/channels/${postId}/messages/${postId}`, { token: g.owner.token });
    assert.deepEqual(
      starter.body.reactions.map((r: any) => [r.emoji.name, r.count]),
      [['⭐', 1]],
    );
    // Others see the count, not the flag; the home timeline carries both.
    const seen = await client(g.owner).v1.statuses.$select(postId).fetch();
    assert.equal(seen.favouritesCount, 1);
    assert.equal(seen.favourited, false);
    const [onHome] = await f.v1.timelines.home.list();
    assert.equal(onHome.id, postId);
    assert.equal(onHome.favourited, true);
    const unfaved = await f.v1.statuses.$select(postId).unfavourite();
    assert.equal(unfaved.favouritesCount, 0);
    assert.equal(unfaved.favourited, false);

    // A reader who is not a member may not react (403); one who may not read it learns nothing (404).
    await rejectsWith(403, client(lurker).v1.statuses.$select(postId).favourite());
    // A member without ADD_REACTIONS cannot start the reaction: the permission engine decides.
    const deny = await h.api('PUT', `/channels/${forumId}/permissions/${g.id}`, {
      token: g.owner.token,
      body: { type: 0, allow: '0', deny: String(P.ADD_REACTIONS) },
    });
    assert.equal(deny.status, 204, deny.text);
    const refused = await m('POST', `/api/v1/statuses/${postId}/favourite`, mutedMember);
    assert.equal(refused.status, 403, refused.text);
    assert.equal((await client(g.owner).v1.statuses.$select(postId).fetch()).favouritesCount, 0);

    // Boosting a group post is refused (the group shares its posts), and an unreadable id is 404.
    const boost = await m('POST', `/api/v1/statuses/${postId}/reblog`, fan);
    assert.equal(boost.status, 422, boost.text);
    assert.equal((await m('POST', '/api/v1/statuses/123456789/reblog', fan)).status, 404);

    // The forum's default reaction is the favourite when it has one.
    const set = await h.api('PATCH', `/channels/${forumId}`, {
      token: g.owner.token,
      body: { default_reaction_emoji: { emoji_id: null, emoji_name: '👍' } },
    });
    assert.equal(set.status, 200, set.text);
    const second = await createForumPost(h, g, forumId, g.owner, 'Thumbs', 'up');
    assert.equal((await client(g.owner).v1.statuses.$select(second).favourite()).favouritesCount, 1);
    const thumbs = await h.api('GET', `/channels/${second}/messages/${second}`, { token: g.owner.token });
    assert.deepEqual(
      thumbs.body.reactions.map((r: any) => r.emoji.name),
      ['👍'],
    );

    // The starter message's files are its media attachments.
    const form = new FormData();
    form.append('payload_json', JSON.stringify({ name: 'With a file', message: { content: 'see' } }));
    form.append('files[0]', new Blob(['hello forum'], { type: 'text/plain' }), 'note.txt');
    const res = await fetch(`${h.url}/api/v10/channels/${forumId}/threads`, {
      method: 'POST',
      headers: { authorization: g.owner.token },
      body: form,
    });
    assert.equal(res.status, 201, await res.clone().text());
    const withFile = (await res.json()) as { id: string };
    const media = (await client(fan).v1.statuses.$select(withFile.id).fetch()).mediaAttachments;
    assert.equal(media.length, 1);
    assert.equal(media[0].type, 'unknown');
    const file = await fetch(media[0].url!.replace('http://hearth.test', h.url));
    assert.equal(await file.text(), 'hello forum');
  });

  test('group posts and comments by a deactivated author leave every read, and come back with them', async () => {
    const { g, forumId } = await createGroup(h, 'public');
    const [author, reader] = [await h.register(), await h.register()];
    await client(author).v1.accounts.$select(g.id).follow();
    await client(reader).v1.accounts.$select(g.id).follow();
    const postId = await createForumPost(h, g, forumId, author, 'Mine', 'soon gone');
    const other = await createForumPost(h, g, forumId, g.owner, 'Owner', 'stays');
    const comment = await h.api('POST', `/channels/${other}/messages`, {
      token: author.token,
      body: { content: 'a comment' },
    });
    assert.equal(comment.status, 200, comment.text);
    const setDisabled = (disabled: boolean) =>
      h.app.database.db.update(users).set({ disabled }).where(eq(users.id, author.id));
    await setDisabled(true);
    const r = client(reader);
    assert.deepEqual(
      (await r.v1.timelines.home.list()).map((s) => s.id),
      [other],
    );
    assert.deepEqual(
      (await r.v1.accounts.$select(g.id).statuses.list()).map((s) => s.id),
      [other],
    );
    assert.equal((await m('GET', `/api/v1/statuses/${postId}`, reader)).status, 404);
    assert.deepEqual((await r.v1.statuses.$select(other).context.fetch()).descendants, []);
    await setDisabled(false);
    assert.deepEqual(
      (await r.v1.timelines.home.list()).map((s) => s.id),
      [other, postId],
    );
    assert.equal((await r.v1.statuses.$select(other).context.fetch()).descendants.length, 1);
  });

  test("the stream's reader check for a new group post reads the same whatever the number of readers", async () => {
    const { g, forumId } = await createGroup(h, 'public');
    const readers = [await h.register(), await h.register(), await h.register(), await h.register()];
    for (const u of readers) await client(u).v1.accounts.$select(g.id).follow();
    const postId = await createForumPost(h, g, forumId, g.owner, 'Counted', 'reads');
    // Count the reads the domain makes (every one is a db.select on the shared handle).
    const db = h.app.database.db;
    const select = db.select;
    let reads = 0;
    const counting = ((...args: Parameters<typeof select>) => {
      reads++;
      return select.apply(db, args);
    }) as typeof select;
    const check = async (ids: string[]) => {
      reads = 0;
      db.select = counting;
      try {
        const found = await h.app.services.social.groupAccounts.streamed(postId, g.id, forumId, ids);
        return { reads, readers: found ? [...found.readers].sort() : [] };
      } finally {
        db.select = select;
      }
    };
    const one = await check([readers[0].id]);
    const all = await check([...readers.map((u) => u.id), (await h.register()).id]);
    assert.deepEqual(one.readers, [readers[0].id]);
    assert.deepEqual(all.readers, readers.map((u) => u.id).sort());
    assert.ok(one.reads > 0, 'the counter sees the reads');
    assert.equal(all.reads, one.reads, 'no read per reader');
  });
});
