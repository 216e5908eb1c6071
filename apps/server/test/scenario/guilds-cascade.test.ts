import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Permission as P } from '@hearth/permissions';
import { eq, getTableName, inArray, is, sql } from 'drizzle-orm';
import { type PgColumn, PgTable } from 'drizzle-orm/pg-core';
import sharp from 'sharp';
import { channelOwned, guildOwned } from '../../src/store/ownership';
import * as schema from '../../src/store/schema';
import { closeWithClients, TestGateway } from '../gateway-client';
import { createGuild, grant, join, type TestGuild } from '../guild-helpers';
import { startHearth, type TestServer } from '../harness';

let h: TestServer;
before(async () => {
  h = await startHearth();
});
after(() => closeWithClients(h));

const tables = (Object.values(schema) as unknown[]).filter((t): t is PgTable => is(t, PgTable));
const column = (t: PgTable, name: 'guildId' | 'channelId') =>
  (t as unknown as Record<string, PgColumn>)[name];
/** Every table of the schema with a guild_id column; every one with a channel_id column. */
const withGuildId = tables.filter((t) => column(t, 'guildId'));
const withChannelId = tables.filter((t) => column(t, 'channelId'));

async function rowsOf(t: PgTable, name: 'guildId' | 'channelId', ids: string[]): Promise<number> {
  const [{ n }] = await h.app.database.db
    .select({ n: sql<number>`count(*)::int` })
    .from(t)
    .where(inArray(column(t, name), ids));
  return n;
}

/** A guild with a row in as many of its tables as the API can make: members, roles, bans, emojis, messages… */
async function busyGuild(): Promise<{ g: TestGuild; channelIds: string[] }> {
  const g = await createGuild(h);
  const owner = { token: g.owner.token };
  const m = await join(h, g);
  const roleId = await grant(h, g, m, P.SEND_MESSAGES);
  const banned = await join(h, g);
  assert.equal((await h.api('PUT', `/guilds/${g.id}/bans/${banned.id}`, { ...owner, body: {} })).status, 204);
  const overwrite = await h.api('PUT', `/channels/${g.textChannelId}/permissions/${m.id}`, {
    ...owner,
    body: { type: 1, allow: P.ADD_REACTIONS.toString(), deny: '0' },
  });
  assert.equal(overwrite.status, 204, overwrite.text);
  const png = await sharp({ create: { width: 32, height: 32, channels: 4, background: '#ffcc00' } })
    .png()
    .toBuffer();
  const emoji = await h.api('POST', `/guilds/${g.id}/emojis`, {
    ...owner,
    body: { name: 'ember', image: `data:image/png;base64,${png.toString('base64')}`, roles: [roleId] },
  });
  assert.equal(emoji.status, 201, emoji.text);
  const webhook = await h.api('POST', `/channels/${g.textChannelId}/webhooks`, {
    ...owner,
    body: { name: 'w' },
  });
  assert.equal(webhook.status, 200, webhook.text);

  const form = new FormData();
  form.append('payload_json', JSON.stringify({ content: `hello <@${m.id}>` }));
  form.append('files[0]', new Blob(['some text'], { type: 'text/plain' }), 'note.txt');
  const posted = await fetch(`${h.url}/api/v10/channels/${g.textChannelId}/messages`, {
    method: 'POST',
    headers: { authorization: g.owner.token },
    body: form,
  });
  assert.equal(posted.status, 200, await posted.clone().text());
  const message = await posted.json();
  const thumbs = encodeURIComponent('👍');
  const reacted = await h.api(
    'PUT',
    `/channels/${g.textChannelId}/messages/${message.id}/reactions/${thumbs}/@me`,
    {
      token: m.token,
    },
  );
  assert.equal(reacted.status, 204, reacted.text);
  const ack = await h.api('POST', `/channels/${g.textChannelId}/messages/${message.id}/ack`, {
    token: m.token,
    body: {},
  });
  assert.equal(ack.status, 200, ack.text);
  const thread = await h.api('POST', `/channels/${g.textChannelId}/messages/${message.id}/threads`, {
    ...owner,
    body: { name: 'aside' },
  });
  assert.equal(thread.status, 201, thread.text);
  const inThread = await h.api('POST', `/channels/${thread.body.id}/messages`, {
    ...owner,
    body: { content: 'x' },
  });
  assert.equal(inThread.status, 200, inThread.text);
  const invite = await h.api('POST', `/channels/${g.textChannelId}/invites`, { ...owner, body: {} });
  assert.equal(invite.status, 200, invite.text);
  // A file announced for upload and never used (Discord's cloud-upload flow).
  const upload = await h.api('POST', `/channels/${g.textChannelId}/attachments`, {
    ...owner,
    body: { files: [{ id: '0', filename: 'later.txt', file_size: 5 }] },
  });
  assert.equal(upload.status, 200, upload.text);
  const stickerForm = new FormData();
  stickerForm.append('name', 'spark');
  stickerForm.append('tags', 'fire');
  stickerForm.append('file', new Blob([png as BlobPart]), 'spark.png');
  const sticker = await fetch(`${h.url}/api/v10/guilds/${g.id}/stickers`, {
    method: 'POST',
    headers: { authorization: g.owner.token },
    body: stickerForm,
  });
  assert.equal(sticker.status, 201, await sticker.text());
  const when = new Date(Date.now() + 3_600_000).toISOString();
  for (const place of [
    { entity_type: 2, channel_id: g.voiceChannelId },
    {
      entity_type: 3,
      entity_metadata: { location: 'the park' },
      scheduled_end_time: new Date(Date.now() + 7_200_000).toISOString(),
    },
  ]) {
    const event = await h.api('POST', `/guilds/${g.id}/scheduled-events`, {
      ...owner,
      body: { name: 'meet', privacy_level: 2, scheduled_start_time: when, ...place },
    });
    assert.equal(event.status, 200, event.text);
    const interested = await h.api('PUT', `/guilds/${g.id}/scheduled-events/${event.body.id}/users/@me`, {
      token: m.token,
    });
    assert.equal(interested.status, 204, interested.text);
  }
  // A member in the voice channel.
  const session = await TestGateway.identify(h, m.token, {}, 1);
  session.send({
    op: 4,
    d: { guild_id: g.id, channel_id: g.voiceChannelId, self_mute: false, self_deaf: false },
  });
  await session.dispatch('VOICE_STATE_UPDATE', (d) => d.user_id === m.id);

  // An application's bot with a command of this guild, and that command's overwrites here.
  const app = (await h.api('POST', '/applications', { ...owner, body: { name: 'Cascade Bot' } })).body;
  const added = await h.api('POST', `/oauth2/authorize?client_id=${app.id}&scope=bot`, {
    ...owner,
    body: { guild_id: g.id, permissions: '0', authorize: true },
  });
  assert.equal(added.status, 200, added.text);
  const command = await h.api('POST', `/applications/${app.id}/guilds/${g.id}/commands`, {
    ...owner,
    body: { name: 'local', description: 'Only here' },
  });
  assert.equal(command.status, 201, command.text);
  const overwrites = await h.api(
    'PUT',
    `/applications/${app.id}/guilds/${g.id}/commands/${command.body.id}/permissions`,
    {
      ...owner,
      body: { permissions: [{ id: roleId, type: 1, permission: true }] },
    },
  );
  assert.equal(overwrites.status, 200, overwrites.text);
  // The owner invokes it; the application answers only them (an interaction and its ephemeral message, ADR 0039).
  const invoked = await h.api('POST', '/interactions', {
    ...owner,
    body: {
      type: 2,
      application_id: app.id,
      guild_id: g.id,
      channel_id: g.textChannelId,
      data: { id: command.body.id, name: 'local', type: 1 },
    },
  });
  assert.equal(invoked.status, 204, invoked.text);
  const delivered = async () => {
    for (let n = 0; n < 100; n++) {
      const found = h.events.find(
        (e) => e.t === 'INTERACTION_CREATE' && (e.d as { application_id?: string }).application_id === app.id,
      );
      if (found) return found;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('no INTERACTION_CREATE');
  };
  const interaction = (await delivered()).d as { id: string; token: string };
  const answered = await h.api('POST', `/interactions/${interaction.id}/${interaction.token}/callback`, {
    body: { type: 4, data: { content: 'for the owner', flags: 64 } },
  });
  assert.equal(answered.status, 204, answered.text);

  // A member's notification settings here, a report of a message, and a join request once it is a group (ADR 0031).
  const settings = await h.api('PATCH', `/users/@me/guilds/${g.id}/settings`, {
    token: m.token,
    body: { message_notifications: 1 },
  });
  assert.equal(settings.status, 200, settings.text);
  const reported = await h.api('POST', `/channels/${g.textChannelId}/messages/${message.id}/reports`, {
    token: m.token,
    body: { reason: 'cascade' },
  });
  assert.equal(reported.status, 201, reported.text);
  const grouped = await h.api('PATCH', `/guilds/${g.id}`, {
    ...owner,
    body: { hearth_group: { join_mode: 'approval', rules: null, tags: [] } },
  });
  assert.equal(grouped.status, 200, grouped.text);
  const asking = await h.register();
  const asked = await h.api('PUT', `/guilds/${g.id}/requests/@me`, { token: asking.token });
  assert.equal(asked.status, 200, asked.text);

  const channelIds = (
    await h.app.database.db
      .select({ id: schema.channels.id })
      .from(schema.channels)
      .where(eq(schema.channels.guildId, g.id))
  ).map((c) => c.id);
  return { g, channelIds };
}

describe('what a guild and a channel own', () => {
  test('every table with a guild_id or channel_id column is declared as owned by a guild or a channel', () => {
    const declared = new Set<PgTable>([...guildOwned, ...channelOwned]);
    const undeclared = withGuildId.filter((t) => !declared.has(t)).map(getTableName);
    assert.deepEqual(undeclared, [], 'tables with guild_id that a guild delete would leave behind');
    const notChannelOwned = withChannelId.filter((t) => !channelOwned.includes(t as never)).map(getTableName);
    assert.deepEqual(notChannelOwned, [], 'tables with channel_id that a channel delete would leave behind');
  });

  test('deleting a guild leaves no row behind in any table of its own or of its channels', async () => {
    const { g, channelIds } = await busyGuild();
    const before = new Map<string, number>();
    for (const t of withGuildId) before.set(getTableName(t), await rowsOf(t, 'guildId', [g.id]));
    for (const t of withChannelId)
      before.set(`${getTableName(t)} (channel)`, await rowsOf(t, 'channelId', channelIds));
    // The guild fills every table a guild can: a table left empty here would prove nothing below.
    const empty = [...before].filter(([, n]) => n === 0).map(([name]) => name);
    // What only DMs and group DMs have: recipients, the pair index, calls and who is in them.
    assert.deepEqual(empty, [
      'call_voice_states (channel)',
      'calls (channel)',
      'channel_recipients (channel)',
      'dm_pairs (channel)',
    ]);

    assert.equal((await h.api('DELETE', `/guilds/${g.id}`, { token: g.owner.token })).status, 204);
    for (const t of withGuildId) assert.equal(await rowsOf(t, 'guildId', [g.id]), 0, getTableName(t));
    for (const t of withChannelId) assert.equal(await rowsOf(t, 'channelId', channelIds), 0, getTableName(t));
    const guildRows = await h.app.database.db.select().from(schema.guilds).where(eq(schema.guilds.id, g.id));
    assert.deepEqual(guildRows, []);
  });

  test("deleting a channel leaves no row of it or its threads behind; the guild's other channels keep theirs", async () => {
    const { g, channelIds } = await busyGuild();
    // Its threads go with it, as on Discord (a forum's posts are its threads).
    const threads = (
      await h.app.database.db
        .select({ id: schema.channels.id })
        .from(schema.channels)
        .where(eq(schema.channels.parentId, g.textChannelId))
    ).map((c) => c.id);
    assert.equal(threads.length, 1);
    const gone = [g.textChannelId, ...threads];
    const others = channelIds.filter((id) => !gone.includes(id));
    const othersBefore = new Map<string, number>();
    for (const t of withChannelId) othersBefore.set(getTableName(t), await rowsOf(t, 'channelId', others));
    const owned = await Promise.all(withChannelId.map((t) => rowsOf(t, 'channelId', [g.textChannelId])));
    assert.ok(owned.filter((n) => n > 0).length >= 8, 'the channel has rows in most of its tables');

    const res = await h.api('DELETE', `/channels/${g.textChannelId}`, { token: g.owner.token });
    assert.equal(res.status, 200, res.text);
    for (const t of withChannelId) {
      assert.equal(await rowsOf(t, 'channelId', gone), 0, getTableName(t));
      assert.equal(await rowsOf(t, 'channelId', others), othersBefore.get(getTableName(t)), getTableName(t));
    }
  });
});
