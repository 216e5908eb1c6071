import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Permission as P } from '@hearth/permissions';
import sharp from 'sharp';
import { createGuild, grant, join } from '../guild-helpers';
import { startHearth, type TestServer } from '../harness';

let h: TestServer;
before(async () => {
  h = await startHearth();
});
after(() => h.close());

const perms = (...bits: bigint[]) => bits.reduce((a, b) => a | b, 0n).toString();

describe('roles', () => {
  test('create, edit and delete with MANAGE_ROLES; events and audit entries follow', async () => {
    const g = await createGuild(h);
    const res = await h.api('POST', `/guilds/${g.id}/roles`, {
      token: g.owner.token,
      body: {
        name: 'Mods',
        color: 0x3498db,
        hoist: true,
        mentionable: true,
        permissions: perms(P.KICK_MEMBERS, P.MANAGE_MESSAGES),
      },
    });
    assert.equal(res.status, 200);
    const role = res.body;
    assert.equal(role.name, 'Mods');
    assert.equal(role.permissions, perms(P.KICK_MEMBERS, P.MANAGE_MESSAGES));
    assert.equal(role.position, 1);
    assert.equal(role.managed, false);
    assert.ok(h.events.some((e) => e.t === 'GUILD_ROLE_CREATE' && (e.d as any).role.id === role.id));
    // A newer role goes in below it, and clients hear that it moved up.
    await h.api('POST', `/guilds/${g.id}/roles`, { token: g.owner.token, body: { name: 'Helpers' } });
    assert.ok(
      h.events.some(
        (e) =>
          e.t === 'GUILD_ROLE_UPDATE' && (e.d as any).role.id === role.id && (e.d as any).role.position === 2,
      ),
    );

    const edited = await h.api('PATCH', `/guilds/${g.id}/roles/${role.id}`, {
      token: g.owner.token,
      body: { name: 'Moderators', color: 0 },
    });
    assert.equal(edited.body.name, 'Moderators');
    assert.ok(h.events.some((e) => e.t === 'GUILD_ROLE_UPDATE' && (e.d as any).role.name === 'Moderators'));

    assert.equal(
      (await h.api('DELETE', `/guilds/${g.id}/roles/${role.id}`, { token: g.owner.token })).status,
      204,
    );
    assert.ok(h.events.some((e) => e.t === 'GUILD_ROLE_DELETE' && (e.d as any).role_id === role.id));
    const log = await h.api('GET', `/guilds/${g.id}/audit-logs`, { token: g.owner.token });
    const types = log.body.audit_log_entries.map((e: any) => e.action_type);
    for (const t of [30, 31, 32]) assert.ok(types.includes(t), `action ${t}`);
  });

  test('@everyone cannot be deleted or moved; bad input is a 400', async () => {
    const g = await createGuild(h);
    assert.equal(
      (await h.api('DELETE', `/guilds/${g.id}/roles/${g.id}`, { token: g.owner.token })).status,
      400,
    );
    assert.equal(
      (
        await h.api('PATCH', `/guilds/${g.id}/roles`, {
          token: g.owner.token,
          body: [{ id: g.id, position: 3 }],
        })
      ).status,
      400,
    );
    for (const body of [
      { color: 0x1000000 },
      { name: '' },
      { name: 'x'.repeat(101) },
      { permissions: 'lots' },
    ]) {
      const res = await h.api('POST', `/guilds/${g.id}/roles`, { token: g.owner.token, body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.code, 50035);
    }
    const before = (await h.api('GET', `/guilds/${g.id}/roles`, { token: g.owner.token })).body;
    assert.equal(before.length, 1, 'nothing written');
    assert.equal(
      (await h.api('DELETE', `/guilds/${g.id}/roles/123456789012345678`, { token: g.owner.token })).body.code,
      10011,
    );
  });

  test('nobody grants permissions they lack, and the hierarchy is enforced', async () => {
    const g = await createGuild(h);
    const mod = await join(h, g);
    const modRole = await grant(h, g, mod, P.MANAGE_ROLES | P.KICK_MEMBERS, 'mod');
    // Escalation: a role with BAN_MEMBERS, which the moderator lacks.
    const escalate = await h.api('POST', `/guilds/${g.id}/roles`, {
      token: mod.token,
      body: { name: 'x', permissions: perms(P.BAN_MEMBERS) },
    });
    assert.equal(escalate.status, 403);
    assert.equal(escalate.body.code, 50013);
    const low = await h.api('POST', `/guilds/${g.id}/roles`, {
      token: mod.token,
      body: { name: 'helper', permissions: perms(P.KICK_MEMBERS) },
    });
    assert.equal(low.status, 200);
    // Their own role is not below their highest role.
    assert.equal(
      (await h.api('PATCH', `/guilds/${g.id}/roles/${modRole}`, { token: mod.token, body: { name: 'boss' } }))
        .status,
      403,
    );
    assert.equal(
      (await h.api('DELETE', `/guilds/${g.id}/roles/${modRole}`, { token: mod.token })).status,
      403,
    );
    // A role above theirs.
    const high = await h.api('POST', `/guilds/${g.id}/roles`, {
      token: g.owner.token,
      body: { name: 'high' },
    });
    await h.api('PATCH', `/guilds/${g.id}/roles`, {
      token: g.owner.token,
      body: [{ id: high.body.id, position: 3 }],
    });
    assert.equal(
      (
        await h.api('PATCH', `/guilds/${g.id}/roles/${high.body.id}`, {
          token: mod.token,
          body: { name: 'mine' },
        })
      ).status,
      403,
    );
    assert.equal(
      (await h.api('PUT', `/guilds/${g.id}/members/${mod.id}/roles/${high.body.id}`, { token: mod.token }))
        .status,
      403,
    );
    // Moving a role above one's own is refused.
    assert.equal(
      (
        await h.api('PATCH', `/guilds/${g.id}/roles`, {
          token: mod.token,
          body: [{ id: low.body.id, position: 3 }],
        })
      ).status,
      403,
    );
    // Below is fine.
    assert.equal(
      (
        await h.api('PATCH', `/guilds/${g.id}/roles/${low.body.id}`, {
          token: mod.token,
          body: { color: 0xff0000 },
        })
      ).status,
      200,
    );
  });

  test('reordering renumbers the roles and keeps @everyone at 0', async () => {
    const g = await createGuild(h);
    const ids: string[] = [];
    for (const name of ['a', 'b', 'c'])
      ids.push(
        (await h.api('POST', `/guilds/${g.id}/roles`, { token: g.owner.token, body: { name } })).body.id,
      );
    const res = await h.api('PATCH', `/guilds/${g.id}/roles`, {
      token: g.owner.token,
      body: [{ id: ids[2], position: 3 }],
    });
    assert.equal(res.status, 200);
    const order = res.body.map((r: any) => [r.name, r.position]);
    assert.deepEqual(order[0], ['@everyone', 0]);
    assert.deepEqual(order.at(-1), ['c', 3]);
    assert.deepEqual(
      res.body.map((r: any) => r.position),
      [0, 1, 2, 3],
    );
  });
});

describe('members', () => {
  test('list with limit and after, search by prefix', async () => {
    const g = await createGuild(h);
    const a = await join(h, g, await h.register({ username: `zed_${Date.now()}` }));
    await join(h, g);
    const all = await h.api('GET', `/guilds/${g.id}/members?limit=1000`, { token: a.token });
    assert.equal(all.status, 200);
    assert.equal(all.body.length, 3);
    const first = await h.api('GET', `/guilds/${g.id}/members?limit=1`, { token: a.token });
    assert.equal(first.body.length, 1);
    const rest = await h.api('GET', `/guilds/${g.id}/members?limit=1000&after=${first.body[0].user.id}`, {
      token: a.token,
    });
    assert.equal(rest.body.length, 2);
    const found = await h.api('GET', `/guilds/${g.id}/members/search?query=zed_&limit=10`, {
      token: g.owner.token,
    });
    assert.deepEqual(
      found.body.map((m: any) => m.user.id),
      [a.id],
    );
    assert.equal((await h.api('GET', `/guilds/${g.id}/members?limit=1001`, { token: a.token })).status, 400);
  });

  test('nicknames: own with CHANGE_NICKNAME, others with MANAGE_NICKNAMES', async () => {
    const g = await createGuild(h);
    const a = await join(h, g);
    const b = await join(h, g);
    const mine = await h.api('PATCH', `/guilds/${g.id}/members/@me`, {
      token: a.token,
      body: { nick: 'Ace' },
      headers: { 'x-audit-log-reason': 'new look' },
    });
    assert.equal(mine.status, 200);
    assert.equal(mine.body.nick, 'Ace');
    const audited = await h.api('GET', `/guilds/${g.id}/audit-logs?action_type=24&user_id=${a.id}`, {
      token: g.owner.token,
    });
    assert.deepEqual(
      audited.body.audit_log_entries.map((e: any) => [e.target_id, e.changes, e.reason]),
      [[a.id, [{ key: 'nick', new_value: 'Ace' }], 'new look']],
    );
    assert.ok(
      h.events.some(
        (e) =>
          e.t === 'GUILD_AUDIT_LOG_ENTRY_CREATE' &&
          (e.d as any).user_id === a.id &&
          e.topic === `guild:${g.id}`,
      ),
    );
    assert.equal(
      (await h.api('PATCH', `/guilds/${g.id}/members/${b.id}`, { token: a.token, body: { nick: 'Bee' } }))
        .status,
      403,
    );
    await grant(h, g, a, P.MANAGE_NICKNAMES);
    const theirs = await h.api('PATCH', `/guilds/${g.id}/members/${b.id}`, {
      token: a.token,
      body: { nick: 'Bee' },
    });
    assert.equal(theirs.status, 200);
    assert.equal(theirs.body.nick, 'Bee');
    assert.ok(h.events.some((e) => e.t === 'GUILD_MEMBER_UPDATE' && (e.d as any).nick === 'Bee'));
  });

  test('a member’s guild avatar is re-encoded and served at a stable URL', async () => {
    const g = await createGuild(h);
    const m = await join(h, g);
    const png = await sharp({ create: { width: 120, height: 60, channels: 4, background: '#00aa88' } })
      .withMetadata({ exif: { IFD0: { Copyright: 'secret' } } })
      .png()
      .toBuffer();
    const res = await h.api('PATCH', `/guilds/${g.id}/members/@me`, {
      token: m.token,
      body: { avatar: `data:image/png;base64,${png.toString('base64')}` },
    });
    assert.equal(res.status, 200, res.text);
    assert.match(res.body.avatar, /^[0-9a-f]{32}$/);
    const url = `${h.url}/guilds/${g.id}/users/${m.id}/avatars/${res.body.avatar}.png`;
    const file = await fetch(url);
    assert.equal(file.status, 200);
    assert.equal(file.headers.get('content-type'), 'image/png');
    const bytes = Buffer.from(await file.arrayBuffer());
    assert.notDeepEqual(bytes, png, 're-encoded, not served as uploaded');
    const meta = await sharp(bytes).metadata();
    assert.equal(meta.width, meta.height, 'cropped square');
    assert.equal(meta.exif, undefined, 'metadata stripped');
    assert.equal((await fetch(url)).status, 200, 'stable');
    const bad = await h.api('PATCH', `/guilds/${g.id}/members/@me`, {
      token: m.token,
      body: { avatar: `data:image/png;base64,${Buffer.from('not a png').toString('base64')}` },
    });
    assert.equal(bad.status, 400);
  });

  test('roles are set with MANAGE_ROLES within the hierarchy; managed and foreign roles refused', async () => {
    const g = await createGuild(h);
    const m = await join(h, g);
    const role = (await h.api('POST', `/guilds/${g.id}/roles`, { token: g.owner.token, body: { name: 'r' } }))
      .body;
    const other = await createGuild(h);
    const foreign = (
      await h.api('POST', `/guilds/${other.id}/roles`, { token: other.owner.token, body: { name: 'f' } })
    ).body;
    const res = await h.api('PATCH', `/guilds/${g.id}/members/${m.id}`, {
      token: g.owner.token,
      body: { roles: [role.id] },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.roles, [role.id]);
    assert.equal(
      (
        await h.api('PATCH', `/guilds/${g.id}/members/${m.id}`, {
          token: g.owner.token,
          body: { roles: [foreign.id] },
        })
      ).status,
      400,
    );
    assert.equal(
      (await h.api('PUT', `/guilds/${g.id}/members/${m.id}/roles/${foreign.id}`, { token: g.owner.token }))
        .status,
      404,
    );
    assert.equal(
      (await h.api('PATCH', `/guilds/${g.id}/members/${m.id}`, { token: m.token, body: { roles: [] } }))
        .status,
      403,
    );
    assert.equal(
      (await h.api('DELETE', `/guilds/${g.id}/members/${m.id}/roles/${role.id}`, { token: g.owner.token }))
        .status,
      204,
    );
    const after = await h.api('GET', `/guilds/${g.id}/members/${m.id}`, { token: g.owner.token });
    assert.deepEqual(after.body.roles, []);
    const log = await h.api('GET', `/guilds/${g.id}/audit-logs?action_type=25`, { token: g.owner.token });
    assert.ok(log.body.audit_log_entries.length >= 2);
  });

  test('timeouts: MODERATE_MEMBERS, at most 28 days, never on the owner or someone above', async () => {
    const g = await createGuild(h);
    const mod = await join(h, g);
    const m = await join(h, g);
    await grant(h, g, mod, P.MODERATE_MEMBERS);
    const until = new Date(Date.now() + 3600_000).toISOString();
    assert.equal(
      (
        await h.api('PATCH', `/guilds/${g.id}/members/${m.id}`, {
          token: m.token,
          body: { communication_disabled_until: until },
        })
      ).status,
      403,
    );
    const ok = await h.api('PATCH', `/guilds/${g.id}/members/${m.id}`, {
      token: mod.token,
      body: { communication_disabled_until: until },
    });
    assert.equal(ok.status, 200);
    assert.equal(new Date(ok.body.communication_disabled_until).getTime(), new Date(until).getTime());
    // A timed-out member cannot use what needs more than viewing.
    assert.equal(
      (await h.api('POST', `/channels/${g.textChannelId}/invites`, { token: m.token, body: {} })).status,
      403,
    );
    const tooLong = new Date(Date.now() + 29 * 86400_000).toISOString();
    assert.equal(
      (
        await h.api('PATCH', `/guilds/${g.id}/members/${m.id}`, {
          token: mod.token,
          body: { communication_disabled_until: tooLong },
        })
      ).status,
      400,
    );
    assert.equal(
      (
        await h.api('PATCH', `/guilds/${g.id}/members/${g.owner.id}`, {
          token: mod.token,
          body: { communication_disabled_until: until },
        })
      ).status,
      403,
    );
    const cleared = await h.api('PATCH', `/guilds/${g.id}/members/${m.id}`, {
      token: mod.token,
      body: { communication_disabled_until: null },
    });
    assert.equal(cleared.body.communication_disabled_until, null);
  });

  test('kick: KICK_MEMBERS and a higher role; never the owner', async () => {
    const g = await createGuild(h);
    const mod = await join(h, g);
    const m = await join(h, g);
    assert.equal(
      (await h.api('DELETE', `/guilds/${g.id}/members/${m.id}`, { token: mod.token })).status,
      403,
    );
    await grant(h, g, mod, P.KICK_MEMBERS);
    assert.equal(
      (await h.api('DELETE', `/guilds/${g.id}/members/${g.owner.id}`, { token: mod.token })).status,
      403,
    );
    const res = await h.api('DELETE', `/guilds/${g.id}/members/${m.id}`, {
      token: mod.token,
      headers: { 'x-audit-log-reason': 'spam' },
    });
    assert.equal(res.status, 204);
    assert.equal((await h.api('GET', `/guilds/${g.id}`, { token: m.token })).status, 404);
    assert.equal(
      (await h.api('GET', `/guilds/${g.id}/members/${m.id}`, { token: mod.token })).body.code,
      10007,
    );
    const log = await h.api('GET', `/guilds/${g.id}/audit-logs?action_type=20`, { token: g.owner.token });
    assert.equal(log.body.audit_log_entries[0].target_id, m.id);
    assert.equal(log.body.audit_log_entries[0].reason, 'spam');
    assert.ok(log.body.users.some((u: any) => u.id === m.id));
  });
});

describe('channels', () => {
  test('create under a category inherits its overwrites; types and parents are validated', async () => {
    const g = await createGuild(h);
    await h.api('PUT', `/channels/${g.textCategoryId}/permissions/${g.id}`, {
      token: g.owner.token,
      body: { type: 0, deny: perms(P.SEND_MESSAGES) },
    });
    const res = await h.api('POST', `/guilds/${g.id}/channels`, {
      token: g.owner.token,
      body: { name: 'Off Topic', parent_id: g.textCategoryId, topic: 'anything' },
    });
    assert.equal(res.status, 201);
    assert.equal(res.body.name, 'off-topic');
    assert.equal(res.body.parent_id, g.textCategoryId);
    assert.deepEqual(res.body.permission_overwrites, [
      { id: g.id, type: 0, allow: '0', deny: perms(P.SEND_MESSAGES) },
    ]);
    assert.ok(h.events.some((e) => e.t === 'CHANNEL_CREATE' && (e.d as any).id === res.body.id));

    const category = await h.api('POST', `/guilds/${g.id}/channels`, {
      token: g.owner.token,
      body: { name: 'Cat', type: 4 },
    });
    const bad = [
      { name: 'nested', type: 4, parent_id: category.body.id },
      { name: 'under-text', parent_id: g.textChannelId },
      { name: 'dm', type: 1 },
      { name: '' },
      { name: 'x'.repeat(101) },
      { name: 'slow', rate_limit_per_user: 21601 },
    ];
    for (const body of bad) {
      const r = await h.api('POST', `/guilds/${g.id}/channels`, { token: g.owner.token, body });
      assert.equal(r.status, 400, JSON.stringify(body));
    }
  });

  test('the four types: text, voice with bitrate, user limit and region, category, announcement', async () => {
    const g = await createGuild(h);
    const create = (body: object) =>
      h.api('POST', `/guilds/${g.id}/channels`, { token: g.owner.token, body });
    const voice = await create({
      name: 'Lounge',
      type: 2,
      bitrate: 96000,
      user_limit: 10,
      // A region some running process declares (VOICE_REGION; the default is `hearth`).
      rtc_region: 'hearth',
    });
    assert.equal(voice.status, 201, voice.text);
    assert.deepEqual(
      [voice.body.type, voice.body.name, voice.body.bitrate, voice.body.user_limit, voice.body.rtc_region],
      [2, 'Lounge', 96000, 10, 'hearth'],
    );
    const news = await create({ name: 'News', type: 5, topic: 'releases', nsfw: false });
    assert.deepEqual([news.body.type, news.body.name, news.body.topic], [5, 'news', 'releases']);
    const cat = await create({ name: 'Stuff', type: 4 });
    assert.equal(cat.body.type, 4);
    const text = await create({ name: 'chat', type: 0, parent_id: cat.body.id, rate_limit_per_user: 5 });
    assert.deepEqual([text.body.parent_id, text.body.rate_limit_per_user], [cat.body.id, 5]);
    // Text and announcement channels convert into each other; nothing else converts.
    const converted = await h.api('PATCH', `/channels/${news.body.id}`, {
      token: g.owner.token,
      body: { type: 0 },
    });
    assert.equal(converted.body.type, 0);
    assert.equal(
      (await h.api('PATCH', `/channels/${voice.body.id}`, { token: g.owner.token, body: { type: 0 } }))
        .status,
      400,
    );
    const region = await h.api('PATCH', `/channels/${voice.body.id}`, {
      token: g.owner.token,
      body: { rtc_region: null, bitrate: 8000 },
    });
    assert.deepEqual(
      [region.body.rtc_region, region.body.bitrate],
      [null, 8000],
      'null is not coerced to ""',
    );
    const untopiced = await h.api('PATCH', `/channels/${text.body.id}`, {
      token: g.owner.token,
      body: { topic: null },
    });
    assert.equal(untopiced.body.topic, null);
    for (const body of [
      { name: 'v', type: 2, bitrate: 7999 },
      { name: 'v', type: 2, user_limit: 100 },
    ])
      assert.equal((await create(body)).status, 400, JSON.stringify(body));
  });

  test('modify and delete need MANAGE_CHANNELS; deleting a category frees its children', async () => {
    const g = await createGuild(h);
    const m = await join(h, g);
    assert.equal(
      (await h.api('PATCH', `/channels/${g.textChannelId}`, { token: m.token, body: { topic: 'x' } })).status,
      403,
    );
    const ok = await h.api('PATCH', `/channels/${g.textChannelId}`, {
      token: g.owner.token,
      body: { topic: 'Welcome', rate_limit_per_user: 10, nsfw: true },
    });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.topic, 'Welcome');
    assert.equal(ok.body.rate_limit_per_user, 10);
    assert.equal(
      (await h.api('PATCH', `/channels/${g.voiceChannelId}`, { token: g.owner.token, body: { topic: 'no' } }))
        .status,
      400,
    );
    assert.equal(
      (
        await h.api('PATCH', `/channels/${g.voiceChannelId}`, {
          token: g.owner.token,
          body: { user_limit: 5, bitrate: 96000 },
        })
      ).body.user_limit,
      5,
    );
    assert.equal((await h.api('DELETE', `/channels/${g.textCategoryId}`, { token: m.token })).status, 403);
    const del = await h.api('DELETE', `/channels/${g.textCategoryId}`, { token: g.owner.token });
    assert.equal(del.status, 200);
    assert.equal(del.body.id, g.textCategoryId);
    const general = await h.api('GET', `/channels/${g.textChannelId}`, { token: g.owner.token });
    assert.equal(general.body.parent_id, null);
    assert.ok(h.events.some((e) => e.t === 'CHANNEL_DELETE' && (e.d as any).id === g.textCategoryId));
  });

  test('bulk positions and parents, with permission sync', async () => {
    const g = await createGuild(h);
    const cat = (
      await h.api('POST', `/guilds/${g.id}/channels`, {
        token: g.owner.token,
        body: { name: 'Private', type: 4 },
      })
    ).body;
    await h.api('PUT', `/channels/${cat.id}/permissions/${g.id}`, {
      token: g.owner.token,
      body: { type: 0, deny: perms(P.VIEW_CHANNEL) },
    });
    const res = await h.api('PATCH', `/guilds/${g.id}/channels`, {
      token: g.owner.token,
      body: [{ id: g.textChannelId, parent_id: cat.id, position: 4, lock_permissions: true }],
    });
    assert.equal(res.status, 204);
    const ch = (await h.api('GET', `/channels/${g.textChannelId}`, { token: g.owner.token })).body;
    assert.equal(ch.parent_id, cat.id);
    assert.equal(ch.position, 4);
    assert.deepEqual(
      ch.permission_overwrites.map((o: any) => o.deny),
      [perms(P.VIEW_CHANNEL)],
    );
    const update = [...h.events]
      .reverse()
      .find((e) => e.t === 'CHANNEL_UPDATE' && (e.d as any).id === g.textChannelId);
    assert.deepEqual(
      (update as any).d.permission_overwrites,
      ch.permission_overwrites,
      'synced, and published',
    );
    const bad = await h.api('PATCH', `/guilds/${g.id}/channels`, {
      token: g.owner.token,
      body: [{ id: cat.id, parent_id: g.textCategoryId }],
    });
    assert.equal(bad.status, 400);
    const other = await createGuild(h);
    assert.equal(
      (
        await h.api('PATCH', `/guilds/${g.id}/channels`, {
          token: g.owner.token,
          body: [{ id: other.textChannelId, position: 1 }],
        })
      ).status,
      400,
    );
  });

  test('overwrites hide a channel from a role; outsiders to it get 404', async () => {
    const g = await createGuild(h);
    const m = await join(h, g);
    const res = await h.api('PUT', `/channels/${g.textChannelId}/permissions/${g.id}`, {
      token: g.owner.token,
      body: { type: 0, deny: perms(P.VIEW_CHANNEL) },
    });
    assert.equal(res.status, 204);
    const hidden = await h.api('GET', `/channels/${g.textChannelId}`, { token: m.token });
    assert.equal(hidden.status, 404);
    assert.equal(hidden.body.code, 10003);
    const list = await h.api('GET', `/guilds/${g.id}/channels`, { token: m.token });
    assert.ok(!list.body.some((c: any) => c.id === g.textChannelId));
    // A member overwrite gives it back to one person.
    await h.api('PUT', `/channels/${g.textChannelId}/permissions/${m.id}`, {
      token: g.owner.token,
      body: { type: 1, allow: perms(P.VIEW_CHANNEL) },
    });
    assert.equal((await h.api('GET', `/channels/${g.textChannelId}`, { token: m.token })).status, 200);
    assert.equal(
      (await h.api('DELETE', `/channels/${g.textChannelId}/permissions/${m.id}`, { token: g.owner.token }))
        .status,
      204,
    );
    assert.equal((await h.api('GET', `/channels/${g.textChannelId}`, { token: m.token })).status, 404);
    const log = await h.api('GET', `/guilds/${g.id}/audit-logs`, { token: g.owner.token });
    const types = log.body.audit_log_entries.map((e: any) => e.action_type);
    for (const t of [13, 15]) assert.ok(types.includes(t), `action ${t}`);
  });

  test('overwrites must name this guild’s roles and members, and grant nothing the actor lacks', async () => {
    const g = await createGuild(h);
    const other = await createGuild(h);
    const mod = await join(h, g);
    await grant(h, g, mod, P.MANAGE_ROLES | P.MANAGE_CHANNELS);
    const foreignRole = await h.api('PUT', `/channels/${g.textChannelId}/permissions/${other.id}`, {
      token: g.owner.token,
      body: { type: 0, allow: '0' },
    });
    assert.equal(foreignRole.status, 400);
    const stranger = await h.register();
    assert.equal(
      (
        await h.api('PUT', `/channels/${g.textChannelId}/permissions/${stranger.id}`, {
          token: g.owner.token,
          body: { type: 1, allow: '0' },
        })
      ).status,
      400,
    );
    assert.equal(
      (
        await h.api('PUT', `/channels/${g.textChannelId}/permissions/${g.id}`, {
          token: mod.token,
          body: { type: 0, allow: perms(P.BAN_MEMBERS) },
        })
      ).status,
      403,
    );
    assert.equal(
      (
        await h.api('PUT', `/channels/${g.textChannelId}/permissions/${g.id}`, {
          token: g.owner.token,
          body: { type: 0, allow: perms(P.ADMINISTRATOR) },
        })
      ).status,
      400,
    );
    assert.equal(
      (
        await h.api('PUT', `/channels/${g.textChannelId}/permissions/${g.id}`, {
          token: mod.token,
          body: { type: 0, deny: perms(P.SEND_MESSAGES) },
        })
      ).status,
      204,
    );
    const ch = await h.api('GET', `/channels/${g.textChannelId}`, { token: mod.token });
    assert.equal(ch.body.permission_overwrites.length, 1);
  });
});
