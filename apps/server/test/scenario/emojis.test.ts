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
