import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Permission } from '@hearth/permissions';
import { createGuild, join, type TestGuild } from '../guild-helpers';
import { startHearth, type TestServer } from '../harness';

// The small routes bot libraries call on their way: the bot's own application and authorization, the current pins
// API, guild preview, the caller's own member, integrations and voice regions.

let h: TestServer;
let g: TestGuild;
let app: any;
let botToken: string;

before(async () => {
  h = await startHearth();
  g = await createGuild(h);
  app = (await h.api('POST', '/applications', { token: g.owner.token, body: { name: 'Route Bot' } })).body;
  botToken = `Bot ${(await h.api('POST', `/applications/${app.id}/bot/reset`, { token: g.owner.token })).body.token}`;
  const added = await h.api('POST', `/oauth2/authorize?client_id=${app.id}&scope=bot`, {
    token: g.owner.token,
    body: { guild_id: g.id, permissions: Permission.VIEW_CHANNEL.toString(), authorize: true },
  });
  assert.equal(added.status, 200, added.text);
});

after(async () => {
  await h?.close();
});

test("GET /oauth2/applications/@me and /oauth2/@me answer the bot's application", async () => {
  const me = await h.api('GET', '/oauth2/applications/@me', { token: botToken });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.body.id, app.id);
  assert.equal(me.body.owner.id, g.owner.id);
  assert.equal(me.body.bot.id, app.bot.id);
  const auth = await h.api('GET', '/oauth2/@me', { token: botToken });
  assert.equal(auth.status, 200, auth.text);
  assert.equal(auth.body.application.id, app.id);
  assert.equal(auth.body.user.id, app.bot.id);
  assert.ok(auth.body.scopes.includes('bot'));
  const person = await h.api('GET', '/oauth2/applications/@me', { token: g.owner.token });
  assert.equal(person.status, 403);
});

test('the pins list pages newest pin first by pin time, with has_more', async () => {
  const channel = g.textChannelId;
  const ids: string[] = [];
  for (const content of ['a', 'b', 'c']) {
    const m = await h.api('POST', `/channels/${channel}/messages`, {
      token: g.owner.token,
      body: { content },
    });
    ids.push(m.body.id);
  }
  // Pinned in the order c, a, b: the list follows pin time, not message order.
  for (const id of [ids[2], ids[0], ids[1]]) {
    const res = await h.api('PUT', `/channels/${channel}/messages/pins/${id}`, { token: g.owner.token });
    assert.equal(res.status, 204, res.text);
  }
  const first = await h.api('GET', `/channels/${channel}/messages/pins?limit=2`, { token: g.owner.token });
  assert.equal(first.status, 200, first.text);
  assert.deepEqual(
    first.body.items.map((i: any) => i.message.id),
    [ids[1], ids[0]],
  );
  assert.equal(first.body.has_more, true);
  assert.ok(!Number.isNaN(Date.parse(first.body.items[0].pinned_at)));
  const before = encodeURIComponent(first.body.items[1].pinned_at);
  const rest = await h.api('GET', `/channels/${channel}/messages/pins?before=${before}&limit=2`, {
    token: g.owner.token,
  });
  assert.deepEqual(
    rest.body.items.map((i: any) => i.message.id),
    [ids[2]],
  );
  assert.equal(rest.body.has_more, false);
  assert.equal(rest.body.items[0].message.pinned, true);
  // The old route sees the same pins; unpinning through the new one removes it from both.
  const unpin = await h.api('DELETE', `/channels/${channel}/messages/pins/${ids[0]}`, {
    token: g.owner.token,
  });
  assert.equal(unpin.status, 204);
  const old = await h.api('GET', `/channels/${channel}/pins`, { token: g.owner.token });
  assert.deepEqual(old.body.map((m: any) => m.id).sort(), [ids[1], ids[2]].sort());
  const bad = await h.api('GET', `/channels/${channel}/messages/pins?before=yesterday`, {
    token: g.owner.token,
  });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.code, 50035);
});

test('a bot without PIN_MESSAGES cannot pin, and one without READ_MESSAGE_HISTORY sees no pins', async () => {
  const m = await h.api('POST', `/channels/${g.textChannelId}/messages`, {
    token: g.owner.token,
    body: { content: 'x' },
  });
  // @everyone holds neither right here.
  await h.api('PATCH', `/guilds/${g.id}/roles/${g.id}`, {
    token: g.owner.token,
    body: { permissions: Permission.VIEW_CHANNEL.toString() },
  });
  const pin = await h.api('PUT', `/channels/${g.textChannelId}/messages/pins/${m.body.id}`, {
    token: botToken,
  });
  assert.equal(pin.status, 403);
  assert.equal(pin.body.code, 50013);
  const list = await h.api('GET', `/channels/${g.textChannelId}/messages/pins`, { token: botToken });
  assert.equal(list.status, 200);
  assert.deepEqual(list.body, { items: [], has_more: false });
});

test('guild preview, my member, integrations and voice regions', async () => {
  const preview = await h.api('GET', `/guilds/${g.id}/preview`, { token: botToken });
  assert.equal(preview.status, 200, preview.text);
  assert.equal(preview.body.name, 'Test Guild');
  assert.equal(preview.body.approximate_member_count, 2);
  assert.deepEqual(preview.body.stickers, []);
  const member = await h.api('GET', `/users/@me/guilds/${g.id}/member`, { token: botToken });
  assert.equal(member.status, 200, member.text);
  assert.equal(member.body.user.id, app.bot.id);
  const outsider = await h.register();
  const notMine = await h.api('GET', `/users/@me/guilds/${g.id}/member`, { token: outsider.token });
  assert.equal(notMine.status, 404);
  assert.equal(notMine.body.code, 10004);
  const plain = await join(h, g);
  const refused = await h.api('GET', `/guilds/${g.id}/integrations`, { token: plain.token });
  assert.equal(refused.status, 403);
  assert.equal(refused.body.code, 50013);
  const integrations = await h.api('GET', `/guilds/${g.id}/integrations`, { token: g.owner.token });
  assert.equal(integrations.status, 200, integrations.text);
  assert.equal(integrations.body.length, 1);
  assert.equal(integrations.body[0].type, 'discord');
  assert.equal(integrations.body[0].application.id, app.id);
  assert.equal(integrations.body[0].account.id, app.bot.id);
  assert.equal(integrations.body[0].application.bot.id, app.bot.id);
  const regions = await h.api('GET', '/voice/regions', { token: botToken });
  assert.equal(regions.status, 200);
  assert.ok(regions.body.length >= 1);
  assert.equal(regions.body[0].optimal, true);
});

// Discord has never opened a person's profile to bots ("not an endpoint bots have ever been able to use",
// discord/discord-api-docs discussion 7983): 403 with 20001, even for a person the bot shares a server with.
test('GET /users/:id/profile is refused to a bot with 403 and 20001, naming nothing of the person', async () => {
  await h.api('PATCH', '/users/@me', { token: g.owner.token, body: { pronouns: 'she/her' } });
  const res = await h.api('GET', `/users/${g.owner.id}/profile?with_mutual_guilds=true`, { token: botToken });
  assert.equal(res.status, 403, res.text);
  assert.equal(res.body.code, 20001);
  assert.doesNotMatch(res.text, /she\/her|Test Guild/);
  assert.doesNotMatch(res.text, new RegExp(g.id));
  // The same person's profile is there for a person who shares the server.
  const member = await join(h, g);
  assert.equal((await h.api('GET', `/users/${g.owner.id}/profile`, { token: member.token })).status, 200);
});
