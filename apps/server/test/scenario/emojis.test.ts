import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Permission as P } from '@hearth/permissions';
import sharp from 'sharp';
import { createGuild, grant, join, say } from '../guild-helpers';
import { startHearth, type TestServer } from '../harness';

let h: TestServer;
before(async () => {
  h = await startHearth();
});
after(() => h.close());

const image = async (size = 64) =>
  `data:image/png;base64,${(
    await sharp({ create: { width: size, height: size, channels: 4, background: '#ffcc00' } })
      .png()
      .toBuffer()
  ).toString('base64')}`;

test('guild emojis: MANAGE_GUILD_EXPRESSIONS, unique names, served images, events, usable as reactions', async () => {
  const g = await createGuild(h);
  const m = await join(h, g);
  const body = { name: 'hearth_fire', image: await image() };
  assert.equal((await h.api('POST', `/guilds/${g.id}/emojis`, { token: m.token, body })).status, 403);
  await grant(h, g, m, P.MANAGE_GUILD_EXPRESSIONS);
  const res = await h.api('POST', `/guilds/${g.id}/emojis`, { token: m.token, body });
  assert.equal(res.status, 201);
  const emoji = res.body;
  assert.equal(emoji.name, 'hearth_fire');
  assert.equal(emoji.animated, false);
  assert.equal(emoji.user.id, m.id);
  const file = await fetch(`${h.url}/emojis/${emoji.id}.png`);
  assert.equal(file.status, 200);
  assert.equal(file.headers.get('content-type'), 'image/png');
  assert.ok(
    h.events.some(
      (e) => e.t === 'GUILD_EMOJIS_UPDATE' && (e.d as any).emojis.some((x: any) => x.id === emoji.id),
    ),
  );
  const dup = await h.api('POST', `/guilds/${g.id}/emojis`, {
    token: m.token,
    body: { ...body, name: 'HEARTH_FIRE' },
  });
  assert.equal(dup.status, 400);
  assert.equal((await h.api('GET', `/guilds/${g.id}`, { token: m.token })).body.emojis[0].id, emoji.id);

  // As a reaction, by name:id.
  const msg = await say(h, m, g.textChannelId, 'fire');
  const react = await h.api(
    'PUT',
    `/channels/${g.textChannelId}/messages/${msg.id}/reactions/${emoji.name}:${emoji.id}/@me`,
    { token: m.token },
  );
  assert.equal(react.status, 204);
  const seen = (await h.api('GET', `/channels/${g.textChannelId}/messages/${msg.id}`, { token: m.token }))
    .body;
  assert.deepEqual(seen.reactions[0].emoji, { id: emoji.id, name: 'hearth_fire', animated: false });

  const renamed = await h.api('PATCH', `/guilds/${g.id}/emojis/${emoji.id}`, {
    token: m.token,
    body: { name: 'flame' },
  });
  assert.equal(renamed.body.name, 'flame');
  assert.equal(
    (await h.api('DELETE', `/guilds/${g.id}/emojis/${emoji.id}`, { token: g.owner.token })).status,
    204,
  );
  assert.equal(
    (await h.api('GET', `/guilds/${g.id}/emojis/${emoji.id}`, { token: g.owner.token })).body.code,
    10014,
  );
  const log = await h.api('GET', `/guilds/${g.id}/audit-logs`, { token: g.owner.token });
  const types = log.body.audit_log_entries.map((e: any) => e.action_type);
  for (const t of [60, 61, 62]) assert.ok(types.includes(t), `action ${t}`);
});

test('bad emoji uploads are refused: names, size, type, outsiders', async () => {
  const g = await createGuild(h);
  const big = `data:image/png;base64,${(
    await sharp({ create: { width: 1200, height: 1200, channels: 4, background: '#123' } })
      .png({ compressionLevel: 0 })
      .toBuffer()
  ).toString('base64')}`;
  for (const body of [
    { name: 'x', image: await image() },
    { name: 'has space', image: await image() },
    { name: 'too_big', image: big },
    { name: 'not_image', image: `data:image/png;base64,${Buffer.from('%PDF-1.4').toString('base64')}` },
  ]) {
    const res = await h.api('POST', `/guilds/${g.id}/emojis`, { token: g.owner.token, body });
    assert.equal(res.status, 400, body.name);
  }
  const outsider = await h.register();
  assert.equal((await h.api('GET', `/guilds/${g.id}/emojis`, { token: outsider.token })).status, 404);
  assert.equal(
    (
      await h.api('POST', `/guilds/${g.id}/emojis`, {
        token: outsider.token,
        body: { name: 'sneaky', image: await image() },
      })
    ).status,
    404,
  );
});

test('a guild holds at most 50 static emojis', async () => {
  const g = await createGuild(h);
  const png = await image(16);
  for (let i = 0; i < 50; i++) {
    const res = await h.api('POST', `/guilds/${g.id}/emojis`, {
      token: g.owner.token,
      body: { name: `e_${i}`, image: png },
    });
    assert.equal(res.status, 201, res.text);
  }
  const extra = await h.api('POST', `/guilds/${g.id}/emojis`, {
    token: g.owner.token,
    body: { name: 'e_50', image: png },
  });
  assert.equal(extra.status, 400);
  assert.equal(extra.body.code, 30008);
  assert.equal((await h.api('GET', `/guilds/${g.id}/emojis`, { token: g.owner.token })).body.length, 50);
});

test('application emojis: the owner and the bot manage them ({items}), the bot reacts with them anywhere', async () => {
  const g = await createGuild(h);
  const m = await join(h, g);
  const app = (await h.api('POST', '/applications', { token: g.owner.token, body: { name: 'Emoji Bot' } }))
    .body;
  const bot = `Bot ${(await h.api('POST', `/applications/${app.id}/bot/reset`, { token: g.owner.token })).body.token}`;
  const added = await h.api('POST', `/oauth2/authorize?client_id=${app.id}&scope=bot`, {
    token: g.owner.token,
    body: { guild_id: g.id, permissions: '0', authorize: true },
  });
  assert.equal(added.status, 200, added.text);
  const base = `/applications/${app.id}/emojis`;

  const made = await h.api('POST', base, { token: bot, body: { name: 'app_wave', image: await image() } });
  assert.equal(made.status, 201, made.text);
  const emoji = made.body;
  assert.equal(emoji.name, 'app_wave');
  assert.deepEqual(emoji.roles, []);
  assert.equal(emoji.user.id, app.bot.id);
  assert.equal(emoji.available, true);
  assert.equal((await fetch(`${h.url}/emojis/${emoji.id}.png`)).status, 200);
  const listed = await h.api('GET', base, { token: g.owner.token });
  assert.equal(listed.status, 200);
  assert.deepEqual(
    listed.body.items.map((e: any) => e.id),
    [emoji.id],
  );
  assert.equal((await h.api('GET', `${base}/${emoji.id}`, { token: bot })).body.name, 'app_wave');
  const dup = await h.api('POST', base, {
    token: g.owner.token,
    body: { name: 'APP_WAVE', image: await image() },
  });
  assert.equal(dup.status, 400);
  assert.equal(dup.body.code, 50035);
  assert.equal(
    (await h.api('POST', base, { token: bot, body: { name: 'x', image: await image() } })).body.code,
    50035,
  );

  // Nobody else sees or changes them: 404 Unknown Application.
  for (const [method, path, body] of [
    ['GET', base, undefined],
    ['POST', base, { name: 'mine', image: await image() }],
    ['GET', `${base}/${emoji.id}`, undefined],
    ['PATCH', `${base}/${emoji.id}`, { name: 'mine' }],
    ['DELETE', `${base}/${emoji.id}`, undefined],
  ] as const) {
    const res = await h.api(method, path, { token: m.token, body });
    assert.equal(res.status, 404, `${method} ${path}`);
    assert.equal(res.body.code, 10002);
  }

  // The bot reacts with it in a guild that has no such emoji; others may join, not start, such reactions.
  const msg = (
    await h.api('POST', `/channels/${g.textChannelId}/messages`, { token: m.token, body: { content: 'hi' } })
  ).body;
  const reaction = `/channels/${g.textChannelId}/messages/${msg.id}/reactions/app_wave:${emoji.id}/@me`;
  const other = (
    await h.api('POST', `/channels/${g.textChannelId}/messages`, { token: m.token, body: { content: 'yo' } })
  ).body;
  const refused = await h.api(
    'PUT',
    `/channels/${g.textChannelId}/messages/${other.id}/reactions/app_wave:${emoji.id}/@me`,
    { token: m.token },
  );
  assert.equal(refused.status, 400);
  assert.equal(refused.body.code, 10014);
  assert.equal((await h.api('PUT', reaction, { token: bot })).status, 204);
  assert.equal((await h.api('PUT', reaction, { token: m.token })).status, 204);
  const seen = (await h.api('GET', `/channels/${g.textChannelId}/messages/${msg.id}`, { token: m.token }))
    .body;
  assert.equal(seen.reactions[0].count, 2);
  assert.equal(seen.reactions[0].emoji.id, emoji.id);

  const renamed = await h.api('PATCH', `${base}/${emoji.id}`, {
    token: g.owner.token,
    body: { name: 'app_hi' },
  });
  assert.equal(renamed.body.name, 'app_hi');
  assert.equal((await h.api('DELETE', `${base}/${emoji.id}`, { token: bot })).status, 204);
  assert.equal((await h.api('GET', `${base}/${emoji.id}`, { token: bot })).body.code, 10014);
});
