import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { crc32 } from 'node:zlib';
import { Permission as P } from '@hearth/permissions';
import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { guilds } from '../../src/store/schema';
import { TestGateway } from '../gateway-client';
import { createGuild, grant, join, type TestGuild } from '../guild-helpers';
import { startHearth, type TestServer, type TestUser } from '../harness';

let h: TestServer;
before(async () => {
  h = await startHearth();
});
after(async () => {
  TestGateway.closeAll();
  await h.close();
});

const png = (size = 64) =>
  sharp({ create: { width: size, height: size, channels: 4, background: '#33aaff' } })
    .png()
    .toBuffer();

/** A two-frame 32×32 GIF showing each frame for `delayMs`. */
async function animatedGif(delayMs: number): Promise<Buffer> {
  // Two different frames (the encoder merges equal ones): red over blue.
  const frames = Buffer.alloc(32 * 64 * 4, 255);
  for (let i = 0; i < 32 * 64; i++) frames[i * 4 + (i < 32 * 32 ? 1 : 0)] = 0;
  return sharp(frames, { raw: { width: 32, height: 64, channels: 4, pageHeight: 32 } })
    .gif({ delay: [delayMs, delayMs], loop: 0 })
    .toBuffer();
}

/** A PNG with an `acTL` chunk after its header: what an APNG is recognised by. */
async function apng(): Promise<Buffer> {
  const still = await png(32);
  const data = Buffer.alloc(8);
  data.writeUInt32BE(1, 0);
  const type = Buffer.from('acTL');
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  type.copy(chunk, 4);
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(Buffer.concat([type, data])) >>> 0, 8 + data.length);
  const ihdrEnd = 8 + 12 + 13;
  return Buffer.concat([still.subarray(0, ihdrEnd), chunk, still.subarray(ihdrEnd)]);
}

async function upload(
  u: TestUser,
  guildId: string,
  fields: Record<string, string>,
  file: Buffer | null,
  filename = 'sticker.png',
) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (file) form.append('file', new Blob([file as BlobPart]), filename);
  const res = await fetch(`${h.url}/api/v10/guilds/${guildId}/stickers`, {
    method: 'POST',
    headers: { authorization: u.token, 'x-audit-log-reason': 'new%20sticker' },
    body: form,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Takes CREATE_GUILD_EXPRESSIONS from @everyone (Discord's default gives it to every member). */
async function withoutCreate(g: TestGuild) {
  const everyone = (await h.api('GET', `/guilds/${g.id}/roles`, { token: g.owner.token })).body.find(
    (r: any) => r.id === g.id,
  );
  const permissions = BigInt(everyone.permissions) & ~P.CREATE_GUILD_EXPRESSIONS;
  const res = await h.api('PATCH', `/guilds/${g.id}/roles/${g.id}`, {
    token: g.owner.token,
    body: { permissions: permissions.toString() },
  });
  assert.equal(res.status, 200, res.text);
}

const fields = { name: 'wave', description: 'waves hello', tags: 'wave' };

test('guild stickers: upload, list, get, served file, GUILD_STICKERS_UPDATE, audit log', async () => {
  const g = await createGuild(h);
  const m = await join(h, g);
  const watcher = await TestGateway.identify(h, m.token, {}, 1);
  const created = await upload(g.owner, g.id, fields, await png(400));
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const s = created.body;
  assert.equal(s.name, 'wave');
  assert.equal(s.description, 'waves hello');
  assert.equal(s.tags, 'wave');
  assert.equal(s.type, 2);
  assert.equal(s.format_type, 1);
  assert.equal(s.available, true);
  assert.equal(s.guild_id, g.id);
  assert.equal(s.user.id, g.owner.id);
  const update = await watcher.dispatch('GUILD_STICKERS_UPDATE');
  assert.equal(update.guild_id, g.id);
  assert.deepEqual(
    update.stickers.map((x: any) => x.id),
    [s.id],
  );

  // Re-encoded to fit 320×320, served at Discord's CDN path whatever the extension.
  const file = await fetch(`${h.url}/stickers/${s.id}.png`);
  assert.equal(file.status, 200);
  assert.equal(file.headers.get('content-type'), 'image/png');
  const meta = await sharp(Buffer.from(await file.arrayBuffer())).metadata();
  assert.equal(meta.width, 320);

  // Members list and get it; `user` only for those who may create or manage expressions.
  const listed = await h.api('GET', `/guilds/${g.id}/stickers`, { token: m.token });
  assert.equal(listed.status, 200);
  assert.equal(listed.body[0].id, s.id);
  assert.equal(listed.body[0].user.id, g.owner.id);
  await withoutCreate(g);
  const plain = await h.api('GET', `/guilds/${g.id}/stickers/${s.id}`, { token: m.token });
  assert.equal(plain.status, 200);
  assert.equal(plain.body.user, undefined);
  // Anyone may look a sticker up by id (Discord's GET /stickers/:id), without its uploader.
  const stranger = await h.register();
  const byId = await h.api('GET', `/stickers/${s.id}`, { token: stranger.token });
  assert.equal(byId.status, 200);
  assert.equal(byId.body.name, 'wave');
  assert.equal(byId.body.user, undefined);

  // In the guild object and in GUILD_CREATE.
  assert.equal((await h.api('GET', `/guilds/${g.id}`, { token: m.token })).body.stickers[0].id, s.id);
  const again = await TestGateway.identify(h, m.token);
  const gc = await again.dispatch('GUILD_CREATE');
  assert.equal(gc.stickers[0].id, s.id);

  const renamed = await h.api('PATCH', `/guilds/${g.id}/stickers/${s.id}`, {
    token: g.owner.token,
    body: { name: 'wave2', description: null },
  });
  assert.equal(renamed.status, 200);
  assert.equal(renamed.body.name, 'wave2');
  assert.equal(renamed.body.description, null);
  assert.equal(
    (await h.api('DELETE', `/guilds/${g.id}/stickers/${s.id}`, { token: g.owner.token })).status,
    204,
  );
  assert.equal((await watcher.dispatch('GUILD_STICKERS_UPDATE', (d) => !d.stickers.length)).guild_id, g.id);
  const gone = await h.api('GET', `/guilds/${g.id}/stickers/${s.id}`, { token: g.owner.token });
  assert.equal(gone.status, 404);
  assert.equal(gone.body.code, 10060);
  assert.equal((await h.api('GET', `/stickers/${s.id}`, { token: m.token })).body.code, 10060);

  const log = await h.api('GET', `/guilds/${g.id}/audit-logs`, { token: g.owner.token });
  const entries = log.body.audit_log_entries.filter((e: any) => e.target_id === s.id);
  assert.deepEqual(entries.map((e: any) => e.action_type).sort(), [90, 91, 92]);
  assert.equal(entries.find((e: any) => e.action_type === 90).reason, 'new sticker');
});

test('sticker formats: APNG, animated GIF (at most 5 s), Lottie only on verified guilds', async () => {
  const g = await createGuild(h);
  const a = await upload(g.owner, g.id, { name: 'anim', tags: 'x' }, await apng());
  assert.equal(a.status, 201, JSON.stringify(a.body));
  assert.equal(a.body.format_type, 2);
  assert.equal(a.body.description, null);
  const gifOk = await upload(g.owner, g.id, { name: 'gif', tags: 'x' }, await animatedGif(1000), 'a.gif');
  assert.equal(gifOk.status, 201, JSON.stringify(gifOk.body));
  assert.equal(gifOk.body.format_type, 4);
  const served = await fetch(`${h.url}/stickers/${gifOk.body.id}.gif`);
  assert.equal(served.headers.get('content-type'), 'image/webp');
  const tooLong = await upload(g.owner, g.id, { name: 'long', tags: 'x' }, await animatedGif(3000), 'b.gif');
  assert.equal(tooLong.status, 400);
  assert.equal(tooLong.body.code, 50035);
  assert.ok(tooLong.body.errors.file);

  const lottie = Buffer.from(
    JSON.stringify({ v: '5.7.4', fr: 30, ip: 0, op: 60, w: 320, h: 320, layers: [], assets: [] }),
  );
  const refused = await upload(g.owner, g.id, { name: 'lot', tags: 'x' }, lottie, 'l.json');
  assert.equal(refused.status, 400);
  assert.match(refused.body.errors.file._errors[0].message, /verified or partnered/);
  // An operator marks the guild verified: Lottie is accepted, re-serialized, served as JSON.
  await h.app.database.db
    .update(guilds)
    .set({ features: ['VERIFIED'] })
    .where(eq(guilds.id, g.id));
  const ok = await upload(g.owner, g.id, { name: 'lot', tags: 'x' }, lottie, 'l.json');
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  assert.equal(ok.body.format_type, 3);
  const json = await fetch(`${h.url}/stickers/${ok.body.id}.json`);
  assert.equal(json.headers.get('content-type'), 'application/json');
  assert.equal((await json.json()).fr, 30);
  const long = Buffer.from(JSON.stringify({ fr: 30, ip: 0, op: 300, w: 320, h: 320, layers: [] }));
  assert.equal((await upload(g.owner, g.id, { name: 'lot', tags: 'x' }, long, 'l.json')).status, 400);
  const raster = Buffer.from(
    JSON.stringify({
      fr: 30,
      ip: 0,
      op: 30,
      w: 64,
      h: 64,
      layers: [],
      assets: [{ id: 'i', p: 'data:image/png;base64,AA' }],
    }),
  );
  assert.equal((await upload(g.owner, g.id, { name: 'lot', tags: 'x' }, raster, 'l.json')).status, 400);
});

test('sticker permissions: outsiders 404, CREATE for own, MANAGE for any, five per guild', async () => {
  const g = await createGuild(h);
  const m = await join(h, g);
  const other = await join(h, g);
  const outsider = await h.register();
  assert.equal((await h.api('GET', `/guilds/${g.id}/stickers`, { token: outsider.token })).status, 404);
  assert.equal((await upload(outsider, g.id, fields, await png())).status, 404);
  assert.equal((await h.api('POST', `/guilds/${g.id}/stickers`, { token: m.token })).status, 400);

  // Discord's default @everyone may create: the member's own sticker is theirs to change.
  const own = await upload(m, g.id, fields, await png());
  assert.equal(own.status, 201);
  const ownPatch = await h.api('PATCH', `/guilds/${g.id}/stickers/${own.body.id}`, {
    token: m.token,
    body: { tags: 'hi' },
  });
  assert.equal(ownPatch.status, 200);
  assert.equal(ownPatch.body.tags, 'hi');
  // Another member's sticker needs MANAGE_GUILD_EXPRESSIONS.
  const theirs = await h.api('PATCH', `/guilds/${g.id}/stickers/${own.body.id}`, {
    token: other.token,
    body: { name: 'mine' },
  });
  assert.equal(theirs.status, 403);
  assert.equal(theirs.body.code, 50013);
  assert.equal(
    (await h.api('DELETE', `/guilds/${g.id}/stickers/${own.body.id}`, { token: other.token })).status,
    403,
  );
  await withoutCreate(g);
  assert.equal((await upload(other, g.id, fields, await png())).status, 403);
  assert.equal(
    (await h.api('PATCH', `/guilds/${g.id}/stickers/${own.body.id}`, { token: m.token, body: { tags: 'x' } }))
      .status,
    403,
  );
  await grant(h, g, other, P.MANAGE_GUILD_EXPRESSIONS);
  assert.equal(
    (await h.api('DELETE', `/guilds/${g.id}/stickers/${own.body.id}`, { token: other.token })).status,
    204,
  );

  for (let i = 0; i < 5; i++) assert.equal((await upload(other, g.id, fields, await png())).status, 201);
  const sixth = await upload(other, g.id, fields, await png());
  assert.equal(sixth.status, 400);
  assert.equal(sixth.body.code, 30039);
});

test('sticker input: bad fields, files that are not stickers, oversized files: 400 50035', async () => {
  const g = await createGuild(h);
  const bad = async (f: Record<string, string>, file: Buffer | null, key: string) => {
    const res = await upload(g.owner, g.id, f, file);
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.code, 50035);
    assert.ok(res.body.errors[key], `${key}: ${JSON.stringify(res.body)}`);
  };
  await bad({ ...fields, name: 'x' }, await png(), 'name');
  await bad({ ...fields, description: 'x' }, await png(), 'description');
  await bad({ name: 'ok' }, await png(), 'tags');
  await bad(fields, null, 'file');
  await bad(
    fields,
    await sharp(await png())
      .jpeg()
      .toBuffer(),
    'file',
  );
  await bad(fields, Buffer.from('not json at all'), 'file');
  await bad(fields, Buffer.concat([await png(), Buffer.alloc(512 * 1024)]), 'file');
  const json = await h.api('POST', `/guilds/${g.id}/stickers`, { token: g.owner.token, body: fields });
  assert.equal(json.status, 400);
  assert.equal(json.body.code, 50035);
  const patch = await h.api('PATCH', `/guilds/${g.id}/stickers/1`, {
    token: g.owner.token,
    body: { name: 'a' },
  });
  assert.equal(patch.status, 400);
  assert.equal(
    (await h.api('PATCH', `/guilds/${g.id}/stickers/1`, { token: g.owner.token, body: {} })).status,
    404,
  );
});

test('sticker packs: Hearth ships none', async () => {
  const u = await h.register();
  const packs = await h.api('GET', '/sticker-packs', { token: u.token });
  assert.equal(packs.status, 200);
  assert.deepEqual(packs.body, { sticker_packs: [] });
  const one = await h.api('GET', '/sticker-packs/847199849233514549', { token: u.token });
  assert.equal(one.status, 404);
  assert.equal(one.body.code, 10061);
  assert.equal((await h.api('GET', '/sticker-packs')).status, 401);
});

test('messages with sticker_ids carry sticker_items; only usable stickers are sent', async () => {
  const g = await createGuild(h);
  const m = await join(h, g);
  const s = (await upload(g.owner, g.id, fields, await png())).body;
  const watcher = await TestGateway.identify(h, g.owner.token, {}, 1);
  const sent = await h.api('POST', `/channels/${g.textChannelId}/messages`, {
    token: m.token,
    body: { sticker_ids: [s.id] },
  });
  assert.equal(sent.status, 200, sent.text);
  assert.deepEqual(sent.body.sticker_items, [{ id: s.id, name: 'wave', format_type: 1 }]);
  assert.equal(sent.body.content, '');
  const live = await watcher.dispatch('MESSAGE_CREATE', (d) => d.id === sent.body.id);
  assert.deepEqual(live.sticker_items, sent.body.sticker_items);
  const history = await h.api('GET', `/channels/${g.textChannelId}/messages`, { token: m.token });
  assert.deepEqual(history.body[0].sticker_items, sent.body.sticker_items);
  assert.equal(history.body[0].id, sent.body.id);
  const search = await h.api('GET', `/guilds/${g.id}/messages/search?has=sticker`, { token: m.token });
  assert.equal(search.status, 200);
  assert.equal(search.body.messages.flat()[0].id, sent.body.id);

  // Unknown stickers, and stickers of a guild the sender is not in: 400 Invalid Sticker Sent.
  const unknown = await h.api('POST', `/channels/${g.textChannelId}/messages`, {
    token: m.token,
    body: { sticker_ids: ['12345678901234567'] },
  });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.body.code, 50081);
  const elsewhere = await createGuild(h);
  const foreign = (await upload(elsewhere.owner, elsewhere.id, fields, await png())).body;
  const notMine = await h.api('POST', `/channels/${g.textChannelId}/messages`, {
    token: m.token,
    body: { content: 'hi', sticker_ids: [foreign.id] },
  });
  assert.equal(notMine.status, 400);
  assert.equal(notMine.body.code, 50081);
  // A sticker of another guild the sender is in: with USE_EXTERNAL_STICKERS (Discord's default for @everyone).
  await join(h, elsewhere, m);
  const external = await h.api('POST', `/channels/${g.textChannelId}/messages`, {
    token: m.token,
    body: { sticker_ids: [foreign.id, s.id] },
  });
  assert.equal(external.status, 200, external.text);
  assert.equal(external.body.sticker_items.length, 2);
  const four = await h.api('POST', `/channels/${g.textChannelId}/messages`, {
    token: m.token,
    body: { sticker_ids: [s.id, s.id, s.id, s.id] },
  });
  assert.equal(four.status, 400);
  assert.equal(four.body.code, 50035);
});
