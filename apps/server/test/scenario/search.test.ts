import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Permission as P } from '@hearth/permissions';
import { createGuild, grant, join } from '../guild-helpers';
import { startHearth, type TestServer } from '../harness';

let h: TestServer;
before(async () => {
  h = await startHearth();
});
after(() => h.close());

test('search finds words, filters by author, mention and has, counts totals, and never shows unreadable channels', async () => {
  const g = await createGuild(h);
  const m = await join(h, g);
  const secret = (
    await h.api('POST', `/guilds/${g.id}/channels`, { token: g.owner.token, body: { name: 'staff' } })
  ).body;
  await h.api('PUT', `/channels/${secret.id}/permissions/${g.id}`, {
    token: g.owner.token,
    body: { type: 0, deny: P.VIEW_CHANNEL.toString() },
  });
  const post = (u: { token: string }, channel: string, content: string) =>
    h.api('POST', `/channels/${channel}/messages`, { token: u.token, body: { content } });
  await post(g.owner, g.textChannelId, 'the quick brown fox');
  await post(m, g.textChannelId, 'a lazy dog sleeps');
  await post(m, g.textChannelId, `hey <@${g.owner.id}> the fox is back https://example.org/fox`);
  await post(g.owner, secret.id, 'staff fox plans');
  const search = (u: { token: string }, qs: string) =>
    h.api('GET', `/guilds/${g.id}/messages/search?${qs}`, { token: u.token });

  const fox = await search(m, 'content=fox');
  assert.equal(fox.status, 200);
  assert.equal(fox.body.total_results, 2, 'the staff channel is invisible to a member');
  assert.deepEqual(
    fox.body.messages.map((hit: any) => hit[0].content.includes('fox')),
    [true, true],
  );
  const ownerFox = await search(g.owner, 'content=fox');
  assert.equal(ownerFox.body.total_results, 3);
  assert.equal((await search(m, `content=fox&author_id=${m.id}`)).body.total_results, 1);
  assert.equal((await search(m, `mentions=${g.owner.id}`)).body.total_results, 1);
  assert.equal((await search(m, 'has=link')).body.total_results, 1);
  assert.equal((await search(m, `channel_id=${secret.id}`)).body.total_results, 0);
  const paged = await search(g.owner, 'content=fox&limit=1&offset=1');
  assert.equal(paged.body.total_results, 3);
  assert.equal(paged.body.messages.length, 1);
  const outsider = await h.register();
  assert.equal((await search(outsider, 'content=fox')).status, 404);
  assert.equal((await search(m, 'limit=26')).status, 400);
  assert.equal((await search(m, 'has=nonsense')).status, 400);
});

test('DM search is for the recipients only', async () => {
  const [a, b, c] = [await h.register(), await h.register(), await h.register()];
  const dm = (await h.api('POST', '/users/@me/channels', { token: a.token, body: { recipient_id: b.id } }))
    .body;
  await h.api('POST', `/channels/${dm.id}/messages`, { token: a.token, body: { content: 'meet at noon' } });
  const res = await h.api('GET', `/channels/${dm.id}/messages/search?content=noon`, { token: b.token });
  assert.equal(res.body.total_results, 1);
  assert.equal(
    (await h.api('GET', `/channels/${dm.id}/messages/search?content=noon`, { token: c.token })).status,
    404,
  );
});

test('a private thread is searchable by its members and thread managers only, by content, channel_id or author_id', async () => {
  const g = await createGuild(h);
  const [author, outsider, manager] = [await join(h, g), await join(h, g), await join(h, g)];
  await grant(h, g, manager, P.MANAGE_THREADS);
  const thread = (
    await h.api('POST', `/channels/${g.textChannelId}/threads`, {
      token: author.token,
      body: { name: 'plans', type: 12 },
    })
  ).body;
  assert.equal(thread.type, 12);
  const form = new FormData();
  form.append('payload_json', JSON.stringify({ content: 'zanzibar surprise party' }));
  form.append('files[0]', new Blob(['guest list']), 'guests.txt');
  const posted = await fetch(`${h.url}/api/v10/channels/${thread.id}/messages`, {
    method: 'POST',
    headers: { authorization: author.token },
    body: form,
  });
  assert.equal(posted.status, 200, await posted.text());
  const search = (u: { token: string }, qs: string) =>
    h.api('GET', `/guilds/${g.id}/messages/search?${qs}`, { token: u.token });
  const shapes = ['content=zanzibar', `channel_id=${thread.id}`, `author_id=${author.id}`];
  // The author's join message in #general matches author_id too: count the hits in the thread.
  const inThread = (res: { body: any }) =>
    res.body.messages.filter((hit: any) => hit[0].channel_id === thread.id);

  for (const qs of shapes) {
    const res = await search(outsider, qs);
    assert.equal(res.status, 200);
    assert.deepEqual(inThread(res), [], `${qs}: a member outside the private thread finds nothing`);
    assert.equal(res.body.total_results, qs.startsWith('author_id') ? 1 : 0);
  }
  assert.equal(
    (await h.api('GET', `/channels/${thread.id}/messages/search?content=zanzibar`, { token: outsider.token }))
      .status,
    404,
  );
  for (const reader of [author, manager, g.owner]) {
    for (const qs of shapes) {
      const res = await search(reader, qs);
      const hits = inThread(res);
      assert.equal(hits.length, 1, `${qs}: a thread member or manager finds it`);
      assert.equal(hits[0][0].attachments.length, 1);
    }
  }
  // Joining the thread (added by its owner) makes it searchable.
  const added = await h.api('PUT', `/channels/${thread.id}/thread-members/${outsider.id}`, {
    token: author.token,
  });
  assert.equal(added.status, 204, added.text);
  assert.equal((await search(outsider, 'content=zanzibar')).body.total_results, 1);
});

test('min_id and max_id bound the results by id (the dates of before:, after: and during:)', async () => {
  const g = await createGuild(h);
  const post = async (content: string) =>
    (
      await h.api('POST', `/channels/${g.textChannelId}/messages`, {
        token: g.owner.token,
        body: { content },
      })
    ).body.id as string;
  const [first, second, third] = [await post('wren one'), await post('wren two'), await post('wren three')];
  const found = async (qs: string) => {
    const res = await h.api('GET', `/guilds/${g.id}/messages/search?content=wren&${qs}`, {
      token: g.owner.token,
    });
    assert.equal(res.status, 200, res.text);
    return res.body.messages.map((hit: Array<{ id: string }>) => hit[0].id);
  };
  assert.deepEqual(await found(`min_id=${first}`), [third, second], 'after: strictly newer');
  assert.deepEqual(await found(`max_id=${third}`), [second, first], 'before: strictly older');
  assert.deepEqual(await found(`min_id=${first}&max_id=${third}`), [second], 'during: between');
  assert.deepEqual(
    await h
      .api('GET', `/channels/${g.textChannelId}/messages/search?content=wren&min_id=${second}`, {
        token: g.owner.token,
      })
      .then((r) => r.body.messages.map((hit: Array<{ id: string }>) => hit[0].id)),
    [third],
  );
  const bad = await h.api('GET', `/guilds/${g.id}/messages/search?min_id=yesterday`, {
    token: g.owner.token,
  });
  assert.equal(bad.status, 400);
});
