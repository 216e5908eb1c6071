import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Permission as P } from '@hearth/permissions';
import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { members } from '../../src/store/schema';
import { TestGateway } from '../gateway-client';
import { createGuild, grant, join } from '../guild-helpers';
import { startHearth, type TestServer } from '../harness';

let h: TestServer;
before(async () => {
  h = await startHearth();
});
after(() => h.close());

describe('creating a guild', () => {
  test('makes @everyone, two categories with #general and a voice channel, and the creator owner and member', async () => {
    const owner = await h.register();
    const res = await h.api('POST', '/guilds', { token: owner.token, body: { name: 'Hearthside' } });
    assert.equal(res.status, 201);
    const g = res.body;
    assert.equal(g.name, 'Hearthside');
    assert.equal(g.owner_id, owner.id);
    assert.equal(g.roles.length, 1);
    assert.equal(g.roles[0].id, g.id, '@everyone has the guild id');
    assert.equal(g.roles[0].name, '@everyone');
    assert.equal(typeof g.roles[0].permissions, 'string');

    const channels = (await h.api('GET', `/guilds/${g.id}/channels`, { token: owner.token })).body;
    const categories = channels.filter((c: any) => c.type === 4).map((c: any) => c.name);
    assert.deepEqual(categories.sort(), ['Text Channels', 'Voice Channels']);
    const general = channels.find((c: any) => c.type === 0);
    assert.equal(general.name, 'general');
    assert.equal(channels.find((c: any) => c.id === general.parent_id).name, 'Text Channels');
    const voice = channels.find((c: any) => c.type === 2);
    assert.equal(voice.bitrate, 64000);
    assert.equal(g.system_channel_id, general.id);

    const me = await h.api('GET', `/guilds/${g.id}/members/${owner.id}`, { token: owner.token });
    assert.equal(me.status, 200);
    assert.equal(me.body.user.id, owner.id);
    const created = h.events.find((e) => e.t === 'GUILD_CREATE' && (e.d as any).id === g.id);
    assert.equal(created?.topic, `user:${owner.id}`);
    assert.ok((created!.d as any).channels.length >= 4);
  });

  test('rejects bad names', async () => {
    const owner = await h.register();
    for (const name of ['x', 'y'.repeat(101)]) {
      const res = await h.api('POST', '/guilds', { token: owner.token, body: { name } });
      assert.equal(res.status, 400);
      assert.ok(res.body.errors.name);
    }
    assert.equal((await h.api('POST', '/guilds', { body: { name: 'anon' } })).status, 401);
  });
});

describe('reading and changing a guild', () => {
  test('members read it with counts; outsiders get 404 as for a guild that does not exist', async () => {
    const g = await createGuild(h);
    const member = await join(h, g);
    const outsider = await h.register();
    // The member is online on the gateway, the owner is not.
    const online = await TestGateway.identify(h, member.token, {}, 1);
    try {
      const res = await h.api('GET', `/guilds/${g.id}?with_counts=true`, { token: member.token });
      assert.equal(res.status, 200);
      assert.equal(res.body.approximate_member_count, 2);
      assert.equal(res.body.approximate_presence_count, 1);
      const mine = await h.api('GET', '/users/@me/guilds?with_counts=true', { token: member.token });
      assert.equal(mine.body[0].approximate_presence_count, 1);
      const invite = await h.api('POST', `/channels/${g.textChannelId}/invites`, {
        token: g.owner.token,
        body: {},
      });
      const preview = await h.api('GET', `/invites/${invite.body.code}?with_counts=true`);
      assert.equal(preview.body.approximate_member_count, 2);
      assert.equal(preview.body.approximate_presence_count, 1);
    } finally {
      online.close();
    }
    const hidden = await h.api('GET', `/guilds/${g.id}`, { token: outsider.token });
    const missing = await h.api('GET', '/guilds/123456789012345678', { token: outsider.token });
    assert.equal(hidden.status, 404);
    assert.deepEqual(hidden.body, missing.body);
    assert.equal(hidden.body.code, 10004);
  });

  test('PATCH needs MANAGE_GUILD, is audited and publishes GUILD_UPDATE', async () => {
    const g = await createGuild(h);
    const member = await join(h, g);
    const denied = await h.api('PATCH', `/guilds/${g.id}`, {
      token: member.token,
      body: { name: 'Mine now' },
    });
    assert.equal(denied.status, 403);
    assert.equal(denied.body.code, 50013);
    await grant(h, g, member, P.MANAGE_GUILD);
    const ok = await h.api('PATCH', `/guilds/${g.id}`, {
      token: member.token,
      body: { name: 'Renamed', description: 'A place' },
      headers: { 'x-audit-log-reason': encodeURIComponent('tidy up ✨') },
    });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.name, 'Renamed');
    const log = await h.api('GET', `/guilds/${g.id}/audit-logs?action_type=1`, { token: g.owner.token });
    assert.equal(log.status, 200);
    const entry = log.body.audit_log_entries[0];
    assert.equal(entry.user_id, member.id);
    assert.equal(entry.reason, 'tidy up ✨');
    assert.deepEqual(
      entry.changes.find((c: any) => c.key === 'name'),
      { key: 'name', old_value: 'Test Guild', new_value: 'Renamed' },
    );
    assert.ok(h.events.some((e) => e.t === 'GUILD_UPDATE' && e.topic === `guild:${g.id}`));
    assert.ok(h.events.some((e) => e.t === 'GUILD_AUDIT_LOG_ENTRY_CREATE' && (e.d as any).action_type === 1));
  });

  test('only the owner transfers ownership, and only to a member', async () => {
    const g = await createGuild(h);
    const member = await join(h, g);
    const outsider = await h.register();
    await grant(h, g, member, P.MANAGE_GUILD);
    assert.equal(
      (await h.api('PATCH', `/guilds/${g.id}`, { token: member.token, body: { owner_id: member.id } }))
        .status,
      403,
    );
    const bad = await h.api('PATCH', `/guilds/${g.id}`, {
      token: g.owner.token,
      body: { owner_id: outsider.id },
    });
    assert.equal(bad.status, 400);
    const ok = await h.api('PATCH', `/guilds/${g.id}`, {
      token: g.owner.token,
      body: { owner_id: member.id },
    });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.owner_id, member.id);
    // The old owner can now leave; the new one cannot.
    assert.equal((await h.api('DELETE', `/users/@me/guilds/${g.id}`, { token: member.token })).status, 400);
    assert.equal((await h.api('DELETE', `/users/@me/guilds/${g.id}`, { token: g.owner.token })).status, 204);
  });

  test('system and AFK channels must be suitable channels of the guild', async () => {
    const g = await createGuild(h);
    const other = await createGuild(h);
    for (const body of [
      { system_channel_id: g.voiceChannelId },
      { system_channel_id: other.textChannelId },
      { afk_channel_id: g.textChannelId },
    ]) {
      const res = await h.api('PATCH', `/guilds/${g.id}`, { token: g.owner.token, body });
      assert.equal(res.status, 400, JSON.stringify(body));
    }
    assert.equal(
      (
        await h.api('PATCH', `/guilds/${g.id}`, {
          token: g.owner.token,
          body: { afk_channel_id: g.voiceChannelId },
        })
      ).status,
      200,
    );
  });

  test('an icon is re-encoded and served at a stable URL', async () => {
    const g = await createGuild(h);
    const png = await sharp({ create: { width: 40, height: 80, channels: 3, background: '#123456' } })
      .png()
      .toBuffer();
    const res = await h.api('PATCH', `/guilds/${g.id}`, {
      token: g.owner.token,
      body: { icon: `data:image/png;base64,${png.toString('base64')}` },
    });
    assert.equal(res.status, 200);
    assert.match(res.body.icon, /^[0-9a-f]{32}$/);
    const file = await fetch(`${h.url}/icons/${g.id}/${res.body.icon}.png`);
    assert.equal(file.status, 200);
    assert.equal(file.headers.get('content-type'), 'image/png');
    const meta = await sharp(Buffer.from(await file.arrayBuffer())).metadata();
    assert.equal(meta.width, meta.height);
  });

  test('only the owner deletes it; everything goes and GUILD_DELETE is published', async () => {
    const g = await createGuild(h);
    const admin = await join(h, g);
    await grant(h, g, admin, P.ADMINISTRATOR);
    assert.equal((await h.api('DELETE', `/guilds/${g.id}`, { token: admin.token })).status, 403);
    const outsider = await h.register();
    assert.equal((await h.api('DELETE', `/guilds/${g.id}`, { token: outsider.token })).status, 404);
    const res = await h.api('DELETE', `/guilds/${g.id}`, { token: g.owner.token });
    assert.equal(res.status, 204);
    assert.equal((await h.api('GET', `/guilds/${g.id}`, { token: g.owner.token })).status, 404);
    assert.equal((await h.api('GET', `/channels/${g.textChannelId}`, { token: g.owner.token })).status, 404);
    assert.ok(h.events.some((e) => e.t === 'GUILD_DELETE' && e.topic === `guild:${g.id}`));
  });

  test('joins racing the deletion leave no membership behind', async () => {
    const g = await createGuild(h);
    const code = (
      await h.api('POST', `/channels/${g.textChannelId}/invites`, { token: g.owner.token, body: {} })
    ).body.code;
    const joiners = await Promise.all(Array.from({ length: 6 }, () => h.register()));
    const [deleted, ...joins] = await Promise.all([
      h.api('DELETE', `/guilds/${g.id}`, { token: g.owner.token }),
      ...joiners.map((u) => h.api('POST', `/invites/${code}`, { token: u.token })),
    ]);
    assert.equal(deleted.status, 204);
    for (const j of joins) assert.ok([200, 404].includes(j.status), j.text);
    const left = await h.app.database.db.select().from(members).where(eq(members.guildId, g.id));
    assert.deepEqual(left, []);
  });
});

describe('my guilds', () => {
  test('lists guilds with my permissions and ownership, paginated by id', async () => {
    const user = await h.register();
    const a = await createGuild(h, user, 'Alpha');
    const b = await createGuild(h);
    await join(h, b, user);
    const list = await h.api('GET', '/users/@me/guilds?with_counts=true', { token: user.token });
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.map((x: any) => x.id),
      [a.id, b.id].sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1)),
    );
    const mine = list.body.find((x: any) => x.id === a.id);
    const theirs = list.body.find((x: any) => x.id === b.id);
    assert.equal(mine.owner, true);
    assert.equal(theirs.owner, false);
    assert.equal(BigInt(theirs.permissions) & P.ADMINISTRATOR, 0n);
    assert.ok(BigInt(theirs.permissions) & P.VIEW_CHANNEL);
    assert.equal(theirs.approximate_member_count, 2);
    const page = await h.api('GET', `/users/@me/guilds?limit=1&after=${list.body[0].id}`, {
      token: user.token,
    });
    assert.deepEqual(
      page.body.map((x: any) => x.id),
      [list.body[1].id],
    );
  });

  test('leaving removes the membership; the owner cannot leave', async () => {
    const g = await createGuild(h);
    const member = await join(h, g);
    assert.equal((await h.api('DELETE', `/users/@me/guilds/${g.id}`, { token: g.owner.token })).status, 400);
    assert.equal((await h.api('DELETE', `/users/@me/guilds/${g.id}`, { token: member.token })).status, 204);
    assert.equal((await h.api('GET', `/guilds/${g.id}`, { token: member.token })).status, 404);
    assert.ok(h.events.some((e) => e.t === 'GUILD_MEMBER_REMOVE' && (e.d as any).user.id === member.id));
    assert.ok(h.events.some((e) => e.t === 'GUILD_DELETE' && e.topic === `user:${member.id}`));
  });
});
