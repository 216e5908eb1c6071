import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Permission as P } from '@hearth/permissions';
import { createGuild, join } from './guild-helpers';
import { startHearth, type TestServer } from './harness';

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
