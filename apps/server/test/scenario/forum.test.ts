import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Permission as P } from '@hearth/permissions';
import { closeWithClients, TestGateway } from '../gateway-client';
import { createGuild, grant, join, type TestGuild } from '../guild-helpers';
import { startHearth, type TestServer, type TestUser } from '../harness';

// Forum channels (type 15) as Discord has them: tags, posts started with a message, pinning (ADR 0031).
let h: TestServer;
before(async () => {
  h = await startHearth();
});
after(() => closeWithClients(h));

const REQUIRE_TAG = 1 << 4;
const PINNED = 1 << 1;

async function createForum(g: TestGuild, body: Record<string, unknown> = {}) {
  const res = await h.api('POST', `/guilds/${g.id}/channels`, {
    token: g.owner.token,
    body: {
      name: 'Help Desk',
      type: 15,
      topic: 'Ask here',
      available_tags: [
        { name: 'question', emoji_name: '❓' },
        { name: 'solved', moderated: true },
      ],
      default_reaction_emoji: { emoji_name: '👍' },
      default_sort_order: 1,
      default_forum_layout: 2,
      default_thread_rate_limit_per_user: 0,
      ...body,
    },
  });
  assert.equal(res.status, 201, res.text);
  const forum = res.body;
  const tag = (name: string) => forum.available_tags.find((t: any) => t.name === name)?.id as string;
  return { forum, question: tag('question'), solved: tag('solved') };
}

const post = (u: TestUser, forumId: string, body: Record<string, unknown>) =>
  h.api('POST', `/channels/${forumId}/threads`, { token: u.token, body });

describe('forum channels', () => {
  test('created and modified with tags, defaults and REQUIRE_TAG; CHANNEL_UPDATE carries the tags', async () => {
    const g = await createGuild(h);
    const m = await join(h, g);
    const { forum, question, solved } = await createForum(g, { flags: REQUIRE_TAG });
    assert.equal(forum.type, 15);
    assert.equal(forum.name, 'help-desk');
    assert.equal(forum.topic, 'Ask here');
    assert.equal(forum.flags, REQUIRE_TAG);
    assert.deepEqual(forum.available_tags, [
      { id: question, name: 'question', moderated: false, emoji_id: null, emoji_name: '❓' },
      { id: solved, name: 'solved', moderated: true, emoji_id: null, emoji_name: null },
    ]);
    assert.deepEqual(forum.default_reaction_emoji, { emoji_id: null, emoji_name: '👍' });
    assert.equal(forum.default_sort_order, 1);
    assert.equal(forum.default_forum_layout, 2);
    assert.equal(forum.default_thread_rate_limit_per_user, 0);
    const listed = await h.api('GET', `/guilds/${g.id}/channels`, { token: m.token });
    assert.ok(listed.body.some((c: any) => c.id === forum.id && c.available_tags.length === 2));

    // Tags sent back with their ids keep them; a new one gets an id; one left out is gone.
    const patch = (body: unknown, token = g.owner.token) =>
      h.api('PATCH', `/channels/${forum.id}`, { token, body });
    const renamed = await patch({
      available_tags: [
        { id: question, name: 'q&a' },
        { name: 'bug', emoji_name: '🐛' },
      ],
      default_reaction_emoji: null,
    });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(renamed.body.available_tags[0].id, question);
    assert.equal(renamed.body.available_tags[0].name, 'q&a');
    assert.notEqual(renamed.body.available_tags[1].id, solved);
    assert.equal(renamed.body.available_tags.length, 2);
    assert.equal(renamed.body.default_reaction_emoji, null);
    assert.ok(
      h.events.some(
        (e) =>
          e.t === 'CHANNEL_UPDATE' &&
          (e.d as any).id === forum.id &&
          (e.d as any).available_tags?.length === 2,
      ),
    );

    // Limits and bad input: clear 400s.
    const dup = await patch({ available_tags: [{ name: 'a' }, { name: 'A' }] });
    assert.equal(dup.status, 400);
    assert.equal(dup.body.code, 40061);
    const many = await patch({ available_tags: Array.from({ length: 21 }, (_, i) => ({ name: `t${i}` })) });
    assert.equal(many.status, 400);
    assert.equal(many.body.code, 50035);
    const long = await patch({ available_tags: [{ name: 'x'.repeat(21) }] });
    assert.equal(long.status, 400);
    assert.equal(long.body.code, 50035);
    const notEmoji = await patch({ default_reaction_emoji: { emoji_name: 'hello' } });
    assert.equal(notEmoji.status, 400);
    const onText = await h.api('PATCH', `/channels/${g.textChannelId}`, {
      token: g.owner.token,
      body: { available_tags: [{ name: 'x' }] },
    });
    assert.equal(onText.status, 400, 'a text channel has no tags');

    // A member without MANAGE_CHANNELS changes nothing.
    const refused = await patch({ available_tags: [] }, m.token);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 50013);
  });

  test('a post is a thread and its starter message, written together; events reach the members', async () => {
    const g = await createGuild(h);
    const m = await join(h, g);
    const { forum, question } = await createForum(g);
    const [cm, co] = [
      await TestGateway.identify(h, m.token, {}, 1),
      await TestGateway.identify(h, (await h.register()).token),
    ];
    const res = await post(m, forum.id, {
      name: 'How do I start?',
      auto_archive_duration: 1440,
      applied_tags: [question],
      message: { content: 'First time here', nonce: 'n1' },
    });
    assert.equal(res.status, 201, res.text);
    const thread = res.body;
    assert.equal(thread.type, 11);
    assert.equal(thread.parent_id, forum.id);
    assert.equal(thread.name, 'How do I start?');
    assert.deepEqual(thread.applied_tags, [question]);
    assert.equal(thread.owner_id, m.id);
    assert.equal(thread.thread_metadata.auto_archive_duration, 1440);
    assert.equal(thread.member.user_id, m.id);
    assert.equal(thread.message_count, 0, 'the starter message is not counted');
    assert.equal(thread.message.id, thread.id, "the starter message's id is the thread's");
    assert.equal(thread.message.channel_id, thread.id);
    assert.equal(thread.message.content, 'First time here');
    assert.equal(thread.last_message_id, thread.id);

    const created = await cm.dispatch('THREAD_CREATE', (d) => d.id === thread.id);
    assert.equal(created.newly_created, true);
    assert.deepEqual(created.applied_tags, [question]);
    const first = await cm.dispatch('MESSAGE_CREATE', (d) => d.id === thread.id);
    assert.equal(first.channel_id, thread.id);
    // Published (and so delivered) in this order, so a client knows the thread before its first message.
    const order = h.events.filter((e) => (e.d as any)?.id === thread.id).map((e) => e.t);
    assert.ok(
      order.indexOf('THREAD_CREATE') < order.indexOf('MESSAGE_CREATE'),
      `the thread comes first: ${order}`,
    );
    assert.ok(await co.never('THREAD_CREATE', (d) => d.id === thread.id), 'an outsider gets nothing');

    // The post reads like any thread: its history starts with the starter; comments count.
    const comment = await h.api('POST', `/channels/${thread.id}/messages`, {
      token: g.owner.token,
      body: { content: 'Welcome!', message_reference: { message_id: thread.id } },
    });
    assert.equal(comment.status, 200, comment.text);
    const history = await h.api('GET', `/channels/${thread.id}/messages`, { token: m.token });
    assert.deepEqual(
      history.body.map((x: any) => x.content),
      ['Welcome!', 'First time here'],
    );
    const got = await h.api('GET', `/channels/${thread.id}`, { token: m.token });
    assert.equal(got.body.message_count, 1);
    assert.deepEqual(got.body.applied_tags, [question]);
    const forumNow = await h.api('GET', `/channels/${forum.id}`, { token: m.token });
    assert.equal(forumNow.body.last_message_id, thread.id, "a forum's last_message_id is its newest post");
    const active = await h.api('GET', `/guilds/${g.id}/threads/active`, { token: m.token });
    assert.ok(active.body.threads.some((t: any) => t.id === thread.id && t.applied_tags?.[0] === question));

    // Nothing is sent to the forum itself.
    const direct = await h.api('POST', `/channels/${forum.id}/messages`, {
      token: g.owner.token,
      body: { content: 'hi' },
    });
    assert.equal(direct.status, 400);
    assert.equal(direct.body.code, 40058);
    // Threads from a message do not exist in a forum; a post needs its message.
    assert.equal((await post(m, forum.id, { name: 'no message' })).status, 400);
    const empty = await post(m, forum.id, { name: 'empty', message: { content: '' } });
    assert.equal(empty.status, 400);
    assert.equal(empty.body.code, 50006);
    const none = await h.api('GET', `/guilds/${g.id}/threads/active`, { token: m.token });
    assert.equal(none.body.threads.length, 1, 'a refused post leaves no thread behind');
  });

  test('permissions: posting needs SEND_MESSAGES, commenting SEND_MESSAGES_IN_THREADS; an outsider learns nothing', async () => {
    const g = await createGuild(h);
    const [m, quiet] = [await join(h, g), await join(h, g)];
    const outsider = await h.register();
    const { forum } = await createForum(g);
    const deny = (u: TestUser, bits: bigint) =>
      h.api('PUT', `/channels/${forum.id}/permissions/${u.id}`, {
        token: g.owner.token,
        body: { type: 1, deny: bits.toString() },
      });
    assert.equal((await deny(quiet, P.SEND_MESSAGES)).status, 204);
    const refused = await post(quiet, forum.id, { name: 'x', message: { content: 'x' } });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 50013);
    const hidden = await post(outsider, forum.id, { name: 'x', message: { content: 'x' } });
    assert.equal(hidden.status, 404);
    assert.equal(hidden.body.code, 10003);
    assert.equal(
      (
        await h.api('POST', `/channels/${forum.id}/threads`, {
          body: { name: 'x', message: { content: 'x' } },
        })
      ).status,
      401,
    );

    const thread = (await post(m, forum.id, { name: 'open', message: { content: 'hello' } })).body;
    assert.equal((await deny(m, P.SEND_MESSAGES_IN_THREADS)).status, 204);
    const comment = await h.api('POST', `/channels/${thread.id}/messages`, {
      token: m.token,
      body: { content: 'more' },
    });
    assert.equal(comment.status, 403, 'posting is allowed, commenting is not');
    assert.equal(
      (await post(m, forum.id, { name: 'again', message: { content: 'still allowed' } })).status,
      201,
    );
    // Locking a post: the owner's comments are refused, a moderator's are not.
    assert.equal(
      (await h.api('PATCH', `/channels/${thread.id}`, { token: g.owner.token, body: { locked: true } }))
        .status,
      200,
    );
    assert.equal(
      (await h.api('POST', `/channels/${thread.id}/messages`, { token: quiet.token, body: { content: 'x' } }))
        .status,
      403,
    );
    assert.equal(
      (
        await h.api('POST', `/channels/${thread.id}/messages`, {
          token: g.owner.token,
          body: { content: 'ok' },
        })
      ).status,
      200,
    );
    // Files need ATTACH_FILES in the forum, refused before the form is read.
    assert.equal((await deny(quiet, P.ATTACH_FILES)).status, 204);
    const form = await multipartPost(quiet, forum.id, { name: 'pic', message: { content: 'see' } });
    assert.equal(form.status, 403);
  });

  test('tags on posts: the forum’s own, at most five, moderated ones for moderators, REQUIRE_TAG', async () => {
    const g = await createGuild(h);
    const [m, mod] = [await join(h, g), await join(h, g)];
    await grant(h, g, mod, P.MANAGE_THREADS);
    const { forum, question, solved } = await createForum(g, { flags: REQUIRE_TAG });
    const other = await createForum(g);
    const body = (applied_tags?: string[]) => ({ name: 'p', applied_tags, message: { content: 'c' } });

    const untagged = await post(m, forum.id, body());
    assert.equal(untagged.status, 400);
    assert.equal(untagged.body.code, 40067);
    assert.equal((await post(mod, forum.id, body())).status, 201, 'moderators may post without a tag');
    const moderated = await post(m, forum.id, body([solved]));
    assert.equal(moderated.status, 403, 'a moderated tag needs MANAGE_THREADS');
    const foreign = await post(m, forum.id, body([other.question]));
    assert.equal(foreign.status, 400);
    assert.equal(foreign.body.code, 50035);
    const six = await post(m, forum.id, body(['1', '2', '3', '4', '5', '6']));
    assert.equal(six.status, 400);
    assert.equal(six.body.code, 50035);
    const ok = await post(m, forum.id, body([question]));
    assert.equal(ok.status, 201, ok.text);

    // Editing a post's tags: its owner for ordinary tags, a moderator for moderated ones.
    const edit = (u: TestUser, tags: string[]) =>
      h.api('PATCH', `/channels/${ok.body.id}`, { token: u.token, body: { applied_tags: tags } });
    assert.equal((await edit(m, [question, solved])).status, 403);
    const marked = await edit(mod, [question, solved]);
    assert.equal(marked.status, 200, marked.text);
    assert.deepEqual(marked.body.applied_tags, [question, solved]);
    assert.ok(h.events.some((e) => e.t === 'THREAD_UPDATE' && (e.d as any).applied_tags?.includes(solved)));
    assert.equal((await edit(m, [question])).status, 403, 'nor remove a moderated tag');
    const stranger = await join(h, g);
    assert.equal((await edit(stranger, [question])).status, 403, "another member's post is not theirs");

    // Only non-moderated tags make REQUIRE_TAG satisfiable for members.
    const strict = await createForum(g, {
      flags: REQUIRE_TAG,
      available_tags: [{ name: 'mods', moderated: true }],
    });
    const stuck = await post(m, strict.forum.id, body());
    assert.equal(stuck.status, 400);
    assert.equal(stuck.body.code, 40066);
  });

  test('one pinned post per forum, by those who manage threads', async () => {
    const g = await createGuild(h);
    const m = await join(h, g);
    const { forum } = await createForum(g);
    const a = (await post(m, forum.id, { name: 'a', message: { content: 'a' } })).body;
    const b = (await post(m, forum.id, { name: 'b', message: { content: 'b' } })).body;
    const pin = (u: TestUser, id: string, flags: number) =>
      h.api('PATCH', `/channels/${id}`, { token: u.token, body: { flags } });
    assert.equal((await pin(m, a.id, PINNED)).status, 403);
    const pinned = await pin(g.owner, a.id, PINNED);
    assert.equal(pinned.status, 200, pinned.text);
    assert.equal(pinned.body.flags & PINNED, PINNED);
    const second = await pin(g.owner, b.id, PINNED);
    assert.equal(second.status, 400);
    assert.equal(second.body.code, 30047);
    assert.equal((await pin(g.owner, a.id, 0)).body.flags & PINNED, 0);
    assert.equal((await pin(g.owner, b.id, PINNED)).status, 200);
    const notPost = await h.api('POST', `/channels/${g.textChannelId}/threads`, {
      token: g.owner.token,
      body: { name: 'plain', type: 11 },
    });
    assert.equal((await pin(g.owner, notPost.body.id, PINNED)).status, 400, 'only forum posts are pinned');
  });

  test('archived posts are listed (public and private lists), newest archive first, paged', async () => {
    const g = await createGuild(h);
    const m = await join(h, g);
    const outsider = await h.register();
    const { forum, question } = await createForum(g);
    const ids: string[] = [];
    for (const name of ['one', 'two', 'three']) {
      const p = (await post(m, forum.id, { name, applied_tags: [question], message: { content: name } }))
        .body;
      const archived = await h.api('PATCH', `/channels/${p.id}`, {
        token: m.token,
        body: { archived: true },
      });
      assert.equal(archived.status, 200, archived.text);
      ids.push(p.id);
    }
    const list = (u: TestUser, kind: string, query = '') =>
      h.api('GET', `/channels/${forum.id}/threads/archived/${kind}${query}`, { token: u.token });
    const all = await list(m, 'public');
    assert.equal(all.status, 200, all.text);
    assert.deepEqual(
      all.body.threads.map((t: any) => t.name),
      ['three', 'two', 'one'],
    );
    assert.deepEqual(all.body.threads[0].applied_tags, [question]);
    assert.equal(all.body.members.length, 3, "the caller's memberships");
    assert.equal(all.body.has_more, false);
    const first = await list(m, 'public', '?limit=2');
    assert.equal(first.body.has_more, true);
    const before = first.body.threads[1].thread_metadata.archive_timestamp;
    const rest = await list(m, 'public', `?limit=2&before=${encodeURIComponent(before)}`);
    assert.deepEqual(
      rest.body.threads.map((t: any) => t.id),
      [ids[0]],
    );
    assert.equal((await list(m, 'private')).status, 403, 'private archived threads need MANAGE_THREADS');
    assert.equal((await list(g.owner, 'private')).status, 200);
    assert.equal((await list(outsider, 'public')).status, 404);
    assert.equal((await list(m, 'public', '?before=yesterday')).status, 400);
    const active = await h.api('GET', `/guilds/${g.id}/threads/active`, { token: m.token });
    assert.equal(active.body.threads.length, 0);
  });

  test('deleting a forum deletes its posts with it', async () => {
    const g = await createGuild(h);
    const { forum } = await createForum(g);
    const p = (await post(g.owner, forum.id, { name: 'soon gone', message: { content: 'bye' } })).body;
    const del = await h.api('DELETE', `/channels/${forum.id}`, { token: g.owner.token });
    assert.equal(del.status, 200, del.text);
    assert.equal((await h.api('GET', `/channels/${p.id}`, { token: g.owner.token })).status, 404);
    assert.ok(h.events.some((e) => e.t === 'THREAD_DELETE' && (e.d as any).id === p.id));
    const active = await h.api('GET', `/guilds/${g.id}/threads/active`, { token: g.owner.token });
    assert.equal(active.body.threads.length, 0);
  });

  test('a post with files, as multipart (payload_json and files[n])', async () => {
    const g = await createGuild(h);
    const { forum, question } = await createForum(g);
    const res = await multipartPost(g.owner, forum.id, {
      name: 'Screenshot',
      applied_tags: [question],
      message: { content: 'look', attachments: [{ id: 0, description: 'a picture' }] },
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.message.id, res.body.id);
    assert.equal(res.body.message.attachments.length, 1);
    assert.equal(res.body.message.attachments[0].filename, 'note.txt');
    assert.equal(res.body.message.attachments[0].description, 'a picture');
    const file = await fetch(res.body.message.attachments[0].url.replace('http://hearth.test', h.url));
    assert.equal(await file.text(), 'hello forum');
    const tagless = await multipartPost(g.owner, g.textChannelId, { name: 'x', message: { content: 'x' } });
    assert.equal(tagless.status, 400, 'files start forum posts only');
  });
});

/** POST /channels/:id/threads as a multipart form with one text file. */
async function multipartPost(u: TestUser, channelId: string, payload: unknown) {
  const form = new FormData();
  form.append('payload_json', JSON.stringify(payload));
  form.append('files[0]', new Blob(['hello forum'], { type: 'text/plain' }), 'note.txt');
  const res = await fetch(`${h.url}/api/v10/channels/${channelId}/threads`, {
    method: 'POST',
    headers: { authorization: u.token },
    body: form,
  });
  const text = await res.text();
  return { status: res.status, text, body: text ? JSON.parse(text) : null };
}
