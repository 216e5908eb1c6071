import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Permission as P } from '@hearth/permissions';
import { snowflakeFromTimestamp } from '@hearth/protocol';
import { eq } from 'drizzle-orm';
import { invites, messages } from '../../src/store/schema';
import { TestGateway } from '../gateway-client';
import { createGuild, grant, join } from '../guild-helpers';
import { startHearth, type TestServer } from '../harness';

let h: TestServer;
before(async () => {
  h = await startHearth();
});
after(() => h.close());

describe('invites', () => {
  test('create, preview without an account, join, list and revoke', async () => {
    const g = await createGuild(h);
    const res = await h.api('POST', `/channels/${g.textChannelId}/invites`, {
      token: g.owner.token,
      body: { max_age: 3600, max_uses: 5 },
    });
    assert.equal(res.status, 200);
    const invite = res.body;
    assert.match(invite.code, /^[A-Za-z0-9]{8,}$/);
    assert.equal(invite.max_uses, 5);
    assert.equal(invite.uses, 0);
    assert.equal(invite.inviter.id, g.owner.id);
    assert.ok(Math.abs(new Date(invite.expires_at).getTime() - Date.now() - 3600_000) < 10_000);
    assert.ok(h.events.some((e) => e.t === 'INVITE_CREATE' && (e.d as any).code === invite.code));

    const preview = await h.api('GET', `/invites/${invite.code}?with_counts=true`);
    assert.equal(preview.status, 200);
    assert.equal(preview.body.guild.id, g.id);
    assert.equal(preview.body.channel.id, g.textChannelId);
    assert.equal(preview.body.approximate_member_count, 1);
    assert.equal('uses' in preview.body, false, 'metadata only for managers');

    const user = await h.register();
    const joined = await h.api('POST', `/invites/${invite.code}`, { token: user.token });
    assert.equal(joined.status, 200);
    assert.equal(joined.body.new_member, true);
    assert.equal((await h.api('GET', `/guilds/${g.id}`, { token: user.token })).status, 200);
    assert.ok(h.events.some((e) => e.t === 'GUILD_MEMBER_ADD' && (e.d as any).user.id === user.id));
    assert.ok(
      h.events.some(
        (e) => e.t === 'GUILD_CREATE' && e.topic === `user:${user.id}` && (e.d as any).id === g.id,
      ),
    );
    const again = await h.api('POST', `/invites/${invite.code}`, { token: user.token });
    assert.equal(again.body.new_member, false);

    const listed = await h.api('GET', `/channels/${g.textChannelId}/invites`, { token: g.owner.token });
    assert.equal(listed.body[0].uses, 1, 'a member rejoining spends no use');
    assert.equal((await h.api('GET', `/guilds/${g.id}/invites`, { token: g.owner.token })).body.length, 1);
    assert.equal(
      (await h.api('GET', `/channels/${g.textChannelId}/invites`, { token: user.token })).status,
      403,
    );
    assert.equal((await h.api('GET', `/guilds/${g.id}/invites`, { token: user.token })).status, 403);
    assert.equal((await h.api('DELETE', `/invites/${invite.code}`, { token: user.token })).status, 403);
    assert.equal((await h.api('DELETE', `/invites/${invite.code}`, { token: g.owner.token })).status, 200);
    assert.ok(
      h.events.some(
        (e) => e.t === 'INVITE_DELETE' && e.topic === `guild:${g.id}` && (e.d as any).code === invite.code,
      ),
    );
    const gone = await h.api('GET', `/invites/${invite.code}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.code, 10006);
  });

  test('expired invites and unknown codes are 404', async () => {
    const g = await createGuild(h);
    const invite = (
      await h.api('POST', `/channels/${g.textChannelId}/invites`, { token: g.owner.token, body: {} })
    ).body;
    await h.app.database.db
      .update(invites)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(invites.code, invite.code));
    const user = await h.register();
    assert.equal((await h.api('POST', `/invites/${invite.code}`, { token: user.token })).status, 404);
    assert.equal((await h.api('GET', `/invites/${invite.code}`)).status, 404);
    assert.equal((await h.api('GET', '/invites/nope-nope')).status, 404);
    assert.equal((await h.api('GET', `/guilds/${g.id}`, { token: user.token })).status, 404);
  });

  test('codes are unpredictable: many codes share no structure', async () => {
    const g = await createGuild(h);
    const codes = new Set<string>();
    for (let i = 0; i < 20; i++)
      codes.add(
        (
          await h.api('POST', `/channels/${g.textChannelId}/invites`, {
            token: g.owner.token,
            body: { unique: true },
          })
        ).body.code,
      );
    assert.equal(codes.size, 20);
    const prefixes = new Set([...codes].map((c) => c.slice(0, 3)));
    assert.ok(prefixes.size > 15, 'no shared time-based prefix');
  });

  test('without unique a matching live invite is reused; unique always makes a new one', async () => {
    const g = await createGuild(h);
    const create = async (body: object, token = g.owner.token) => {
      const res = await h.api('POST', `/channels/${g.textChannelId}/invites`, { token, body });
      assert.equal(res.status, 200, res.text);
      return res.body.code as string;
    };
    const first = await create({ max_age: 3600 });
    assert.equal(await create({ max_age: 3600 }), first, 'same inviter, channel and settings');
    assert.equal(h.events.filter((e) => e.t === 'INVITE_CREATE' && (e.d as any).code === first).length, 1);
    const unique = await create({ max_age: 3600, unique: true });
    assert.notEqual(unique, first);
    assert.notEqual(await create({ max_age: 600 }), first, 'other settings');
    assert.notEqual(await create({ max_age: 3600, temporary: true }), first, 'other settings');
    const member = await join(h, g);
    assert.notEqual(await create({ max_age: 3600 }, member.token), first, 'another inviter');
    // A used-up invite is not handed out again.
    const once = await create({ max_uses: 1 });
    const guest = await h.register();
    assert.equal((await h.api('POST', `/invites/${once}`, { token: guest.token })).status, 200);
    assert.notEqual(await create({ max_uses: 1 }), once);
    const listed = await h.api('GET', `/guilds/${g.id}/invites`, { token: g.owner.token });
    assert.equal(new Set(listed.body.map((i: any) => i.code)).size, listed.body.length);
  });

  test('temporary members leave when their last gateway session ends, unless given a role', async () => {
    const g = await createGuild(h);
    const invite = await h.api('POST', `/channels/${g.textChannelId}/invites`, {
      token: g.owner.token,
      body: { temporary: true, unique: true },
    });
    assert.equal(invite.body.temporary, true);
    const [guest, kept] = [await h.register(), await h.register()];
    for (const u of [guest, kept])
      assert.equal((await h.api('POST', `/invites/${invite.body.code}`, { token: u.token })).status, 200);
    const role = (await h.api('POST', `/guilds/${g.id}/roles`, { token: g.owner.token, body: { name: 'r' } }))
      .body.id;
    await h.api('PUT', `/guilds/${g.id}/members/${kept.id}/roles/${role}`, { token: g.owner.token });
    const regular = await join(h, g);
    for (const u of [kept, regular, guest]) {
      const gw = await TestGateway.identify(h, u.token, {}, 1);
      assert.equal((await h.api('POST', '/auth/logout', { token: u.token })).status, 204);
      await gw.closed();
    }
    const deadline = Date.now() + 5000;
    const removed = () =>
      h.events.some((e) => e.t === 'GUILD_MEMBER_REMOVE' && (e.d as any).user.id === guest.id);
    while (!removed() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(removed(), 'GUILD_MEMBER_REMOVE for the temporary member');
    const status = async (u: { id: string }) =>
      (await h.api('GET', `/guilds/${g.id}/members/${u.id}`, { token: g.owner.token })).status;
    assert.equal(await status(guest), 404);
    assert.equal(await status(kept), 200, 'a role makes the membership stick');
    assert.equal(await status(regular), 200, 'an ordinary invite is not temporary');
  });

  test('racing for the last use: exactly one joins', async () => {
    const g = await createGuild(h);
    const invite = (
      await h.api('POST', `/channels/${g.textChannelId}/invites`, {
        token: g.owner.token,
        body: { max_uses: 1 },
      })
    ).body;
    const racers = await Promise.all(Array.from({ length: 6 }, () => h.register()));
    const results = await Promise.all(
      racers.map((u) => h.api('POST', `/invites/${invite.code}`, { token: u.token })),
    );
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 404, 404, 404, 404, 404]);
    const members = await h.api('GET', `/guilds/${g.id}/members?limit=100`, { token: g.owner.token });
    assert.equal(members.body.length, 2);
    assert.equal((await h.api('GET', `/invites/${invite.code}`)).status, 404, 'a used-up invite is gone');
  });

  test('creating needs CREATE_INSTANT_INVITE in the channel; bad input is refused; bots cannot join by invite', async () => {
    const g = await createGuild(h);
    const m = await join(h, g);
    await h.api('PUT', `/channels/${g.textChannelId}/permissions/${g.id}`, {
      token: g.owner.token,
      body: { type: 0, deny: P.CREATE_INSTANT_INVITE.toString() },
    });
    assert.equal(
      (await h.api('POST', `/channels/${g.textChannelId}/invites`, { token: m.token, body: {} })).status,
      403,
    );
    for (const body of [{ max_age: 604801 }, { max_uses: 101 }, { max_age: -1 }]) {
      assert.equal(
        (await h.api('POST', `/channels/${g.textChannelId}/invites`, { token: g.owner.token, body })).status,
        400,
      );
    }
    const app = await h.api('POST', '/applications', { token: g.owner.token, body: { name: 'Joiner' } });
    const bot = (await h.api('POST', `/applications/${app.body.id}/bot/reset`, { token: g.owner.token })).body
      .token;
    const invite = (
      await h.api('POST', `/channels/${g.textChannelId}/invites`, { token: g.owner.token, body: {} })
    ).body;
    assert.equal((await h.api('POST', `/invites/${invite.code}`, { token: `Bot ${bot}` })).status, 403);
  });
});

describe('bans', () => {
  test('a ban removes the member, blocks every invite, and is listed; unban lets them back', async () => {
    const g = await createGuild(h);
    const mod = await join(h, g);
    const m = await join(h, g);
    assert.equal(
      (await h.api('PUT', `/guilds/${g.id}/bans/${m.id}`, { token: mod.token, body: {} })).status,
      403,
    );
    await grant(h, g, mod, P.BAN_MEMBERS);
    const res = await h.api('PUT', `/guilds/${g.id}/bans/${m.id}`, {
      token: mod.token,
      body: { delete_message_seconds: 3600 },
      headers: { 'x-audit-log-reason': 'raid' },
    });
    assert.equal(res.status, 204);
    assert.equal((await h.api('GET', `/guilds/${g.id}`, { token: m.token })).status, 404);
    const invite = (
      await h.api('POST', `/channels/${g.textChannelId}/invites`, { token: g.owner.token, body: {} })
    ).body;
    const rejoin = await h.api('POST', `/invites/${invite.code}`, { token: m.token });
    assert.equal(rejoin.status, 403);
    assert.equal(rejoin.body.code, 40007);
    const list = await h.api('GET', `/guilds/${g.id}/bans`, { token: mod.token });
    assert.deepEqual(
      list.body.map((b: any) => [b.user.id, b.reason]),
      [[m.id, 'raid']],
    );
    assert.equal(
      (await h.api('GET', `/guilds/${g.id}/bans/${m.id}`, { token: mod.token })).body.reason,
      'raid',
    );
    assert.equal((await h.api('GET', `/guilds/${g.id}/bans`, { token: m.token })).status, 404);
    assert.ok(h.events.some((e) => e.t === 'GUILD_BAN_ADD' && (e.d as any).user.id === m.id));

    assert.equal((await h.api('DELETE', `/guilds/${g.id}/bans/${m.id}`, { token: mod.token })).status, 204);
    assert.equal(
      (await h.api('DELETE', `/guilds/${g.id}/bans/${m.id}`, { token: mod.token })).body.code,
      10026,
    );
    assert.equal((await h.api('POST', `/invites/${invite.code}`, { token: m.token })).status, 200);
    const log = await h.api('GET', `/guilds/${g.id}/audit-logs`, { token: g.owner.token });
    const types = log.body.audit_log_entries.map((e: any) => e.action_type);
    assert.ok(types.includes(22) && types.includes(23));
  });

  test('delete_message_seconds removes the banned user’s messages of that window, and only those', async () => {
    const g = await createGuild(h);
    const m = await join(h, g);
    const bystander = await join(h, g);
    const post = async (u: { token: string }, content: string) =>
      (await h.api('POST', `/channels/${g.textChannelId}/messages`, { token: u.token, body: { content } }))
        .body.id as string;
    const recent = [await post(m, 'spam one'), await post(m, 'spam two')];
    const kept = await post(bystander, 'innocent');
    // A message of theirs from two hours ago, outside a one-hour window.
    const old = snowflakeFromTimestamp(Date.now() - 2 * 3600_000);
    await h.app.database.db
      .insert(messages)
      .values({ channelId: g.textChannelId, id: old, guildId: g.id, authorId: m.id, content: 'old news' });
    const res = await h.api('PUT', `/guilds/${g.id}/bans/${m.id}`, {
      token: g.owner.token,
      body: { delete_message_seconds: 3600 },
    });
    assert.equal(res.status, 204);
    const exists = async (id: string) =>
      (await h.api('GET', `/channels/${g.textChannelId}/messages/${id}`, { token: g.owner.token })).status;
    for (const id of recent) assert.equal(await exists(id), 404, 'recent message deleted');
    assert.equal(await exists(old), 200, 'older than the window: kept');
    assert.equal(await exists(kept), 200, 'other people’s messages: kept');
    const bulk = h.events.find(
      (e) => e.t === 'MESSAGE_DELETE_BULK' && (e.d as any).channel_id === g.textChannelId,
    );
    const deleted: string[] = (bulk as any).d.ids;
    // Their join message (USER_JOIN, authored by them) is in the window too.
    for (const id of recent) assert.ok(deleted.includes(id), 'published as deleted');
    assert.ok(!deleted.includes(old) && !deleted.includes(kept));
    const log = await h.api('GET', `/guilds/${g.id}/audit-logs?action_type=22`, { token: g.owner.token });
    assert.deepEqual(log.body.audit_log_entries[0].options, { delete_message_seconds: '3600' });

    // Without it, nothing is deleted; the unban publishes GUILD_BAN_REMOVE.
    const n = await join(h, g);
    const stays = await post(n, 'still here');
    await h.api('PUT', `/guilds/${g.id}/bans/${n.id}`, { token: g.owner.token, body: {} });
    assert.equal(await exists(stays), 200);
    assert.equal(
      (await h.api('DELETE', `/guilds/${g.id}/bans/${n.id}`, { token: g.owner.token })).status,
      204,
    );
    assert.ok(
      h.events.some(
        (e) => e.t === 'GUILD_BAN_REMOVE' && e.topic === `guild:${g.id}` && (e.d as any).user.id === n.id,
      ),
    );
  });

  test('a ban racing a join by invite: the user ends up banned and not a member', async () => {
    const g = await createGuild(h);
    const code = (
      await h.api('POST', `/channels/${g.textChannelId}/invites`, { token: g.owner.token, body: {} })
    ).body.code;
    for (let i = 0; i < 8; i++) {
      const u = await h.register();
      const [joined, banned] = await Promise.all([
        h.api('POST', `/invites/${code}`, { token: u.token }),
        h.api('PUT', `/guilds/${g.id}/bans/${u.id}`, { token: g.owner.token, body: {} }),
      ]);
      assert.ok([200, 403].includes(joined.status), joined.text);
      assert.equal(banned.status, 204);
      const member = await h.api('GET', `/guilds/${g.id}/members/${u.id}`, { token: g.owner.token });
      assert.equal(member.status, 404, 'a banned user is not a member');
    }
  });

  test('the owner and higher members cannot be banned; users who are not members can', async () => {
    const g = await createGuild(h);
    const mod = await join(h, g);
    await grant(h, g, mod, P.BAN_MEMBERS);
    assert.equal(
      (await h.api('PUT', `/guilds/${g.id}/bans/${g.owner.id}`, { token: mod.token })).status,
      403,
    );
    const boss = await join(h, g);
    const bossRole = await grant(h, g, boss, P.BAN_MEMBERS, 'boss');
    // New roles start at the bottom: lift the boss above the moderator.
    await h.api('PATCH', `/guilds/${g.id}/roles`, {
      token: g.owner.token,
      body: [{ id: bossRole, position: 2 }],
    });
    assert.equal((await h.api('PUT', `/guilds/${g.id}/bans/${boss.id}`, { token: mod.token })).status, 403);
    const stranger = await h.register();
    assert.equal(
      (await h.api('PUT', `/guilds/${g.id}/bans/${stranger.id}`, { token: mod.token })).status,
      204,
    );
    assert.equal(
      (await h.api('PUT', `/guilds/${g.id}/bans/123456789012345678`, { token: mod.token })).status,
      404,
    );
    assert.equal(
      (
        await h.api('PUT', `/guilds/${g.id}/bans/${stranger.id}`, {
          token: mod.token,
          body: { delete_message_seconds: 604801 },
        })
      ).status,
      400,
    );
  });
});

describe('bots join through authorization', () => {
  test('a member with MANAGE_GUILD adds a bot with a managed role carrying the permissions', async () => {
    const g = await createGuild(h);
    const dev = await h.register();
    const app = (await h.api('POST', '/applications', { token: dev.token, body: { name: 'Greeter' } })).body;
    const botToken = `Bot ${(await h.api('POST', `/applications/${app.id}/bot/reset`, { token: dev.token })).body.token}`;
    const m = await join(h, g);
    const body = {
      guild_id: g.id,
      permissions: (P.SEND_MESSAGES | P.VIEW_CHANNEL).toString(),
      authorize: true,
    };
    assert.equal(
      (await h.api('POST', `/oauth2/authorize?client_id=${app.id}&scope=bot`, { token: m.token, body }))
        .status,
      403,
    );
    const ok = await h.api('POST', `/oauth2/authorize?client_id=${app.id}&scope=bot`, {
      token: g.owner.token,
      body,
      headers: { 'X-Audit-Log-Reason': 'welcome%20bot' },
    });
    assert.equal(ok.status, 200);
    const member = await h.api('GET', `/guilds/${g.id}/members/${app.bot.id}`, { token: g.owner.token });
    assert.equal(member.status, 200);
    const roles = (await h.api('GET', `/guilds/${g.id}/roles`, { token: g.owner.token })).body;
    const managed = roles.find((r: any) => r.managed);
    assert.equal(managed.tags.bot_id, app.bot.id);
    assert.deepEqual(member.body.roles, [managed.id]);
    assert.equal(
      (await h.api('DELETE', `/guilds/${g.id}/roles/${managed.id}`, { token: g.owner.token })).status,
      400,
    );
    // The bot now sees the guild.
    assert.equal((await h.api('GET', `/guilds/${g.id}`, { token: botToken })).status, 200);
    const log = await h.api('GET', `/guilds/${g.id}/audit-logs?action_type=28`, { token: g.owner.token });
    assert.equal(log.body.audit_log_entries[0].target_id, app.bot.id);
    assert.equal(log.body.audit_log_entries[0].reason, 'welcome bot');
    assert.equal(
      (await h.api('POST', `/oauth2/authorize?client_id=${app.id}&scope=bot`, { token: g.owner.token, body }))
        .status,
      400,
    );
    assert.equal(
      (
        await h.api('POST', `/oauth2/authorize?client_id=123456789012345678&scope=bot`, {
          token: g.owner.token,
          body,
        })
      ).status,
      404,
    );
  });

  test('nobody grants a bot more than they hold', async () => {
    const g = await createGuild(h);
    const m = await join(h, g);
    await grant(h, g, m, P.MANAGE_GUILD);
    const app = (await h.api('POST', '/applications', { token: m.token, body: { name: 'Hammer' } })).body;
    const res = await h.api('POST', `/oauth2/authorize?client_id=${app.id}&scope=bot`, {
      token: m.token,
      body: { guild_id: g.id, permissions: P.BAN_MEMBERS.toString(), authorize: true },
    });
    assert.equal(res.status, 403);
  });
});

describe('audit log access', () => {
  test('filters combine: user_id, action_type, before and limit select exactly the matching entries', async () => {
    const g = await createGuild(h);
    const mod = await join(h, g);
    await grant(h, g, mod, P.MANAGE_CHANNELS | P.MANAGE_ROLES | P.VIEW_AUDIT_LOG);
    const since = h.events.length;
    for (const [token, name] of [
      [g.owner.token, 'a'],
      [mod.token, 'b'],
      [g.owner.token, 'c'],
      [mod.token, 'd'],
    ])
      await h.api('POST', `/guilds/${g.id}/channels`, { token, body: { name } });
    await h.api('POST', `/guilds/${g.id}/roles`, { token: mod.token, body: { name: 'r' } });
    const list = async (query: string) =>
      (await h.api('GET', `/guilds/${g.id}/audit-logs?${query}`, { token: mod.token })).body
        .audit_log_entries as any[];
    const all = await list('limit=100');
    // Every entry was published as GUILD_AUDIT_LOG_ENTRY_CREATE on the guild's topic.
    const published = h.events
      .slice(since)
      .filter((e) => e.t === 'GUILD_AUDIT_LOG_ENTRY_CREATE' && e.topic === `guild:${g.id}`)
      .map((e) => (e.d as any).id);
    for (const e of all.slice(0, 5)) assert.ok(published.includes(e.id), `entry ${e.id} published`);

    const byMod = await list(`user_id=${mod.id}`);
    assert.ok(byMod.length >= 3);
    assert.ok(byMod.every((e) => e.user_id === mod.id));
    assert.deepEqual(
      byMod.map((e) => e.id),
      all.filter((e) => e.user_id === mod.id).map((e) => e.id),
    );
    const created = await list('action_type=10');
    assert.ok(created.every((e) => e.action_type === 10));
    assert.deepEqual(created.map((e) => e.changes.find((c: any) => c.key === 'name').new_value).slice(0, 4), [
      'd',
      'c',
      'b',
      'a',
    ]);
    const modCreated = await list(`user_id=${mod.id}&action_type=10`);
    assert.deepEqual(
      modCreated.map((e) => e.changes.find((c: any) => c.key === 'name').new_value),
      ['d', 'b'],
    );
    const page = await list(`action_type=10&limit=2`);
    assert.equal(page.length, 2);
    const next = await list(`action_type=10&limit=2&before=${page[1].id}`);
    assert.deepEqual(
      next.map((e) => e.id),
      created.slice(2, 4).map((e) => e.id),
    );
    assert.deepEqual(await list(`user_id=${mod.id}&action_type=1`), []);
  });

  test('needs VIEW_AUDIT_LOG and filters by user, action and before', async () => {
    const g = await createGuild(h);
    const m = await join(h, g);
    assert.equal((await h.api('GET', `/guilds/${g.id}/audit-logs`, { token: m.token })).status, 403);
    await grant(h, g, m, P.VIEW_AUDIT_LOG);
    const all = await h.api('GET', `/guilds/${g.id}/audit-logs`, { token: m.token });
    assert.equal(all.status, 200);
    const ids = all.body.audit_log_entries.map((e: any) => BigInt(e.id));
    assert.deepEqual(
      ids,
      [...ids].sort((a: bigint, b: bigint) => (a > b ? -1 : 1)),
      'newest first',
    );
    const byOwner = await h.api('GET', `/guilds/${g.id}/audit-logs?user_id=${g.owner.id}&limit=1`, {
      token: m.token,
    });
    assert.equal(byOwner.body.audit_log_entries.length, 1);
    const older = await h.api(
      'GET',
      `/guilds/${g.id}/audit-logs?before=${all.body.audit_log_entries[0].id}`,
      { token: m.token },
    );
    assert.equal(older.body.audit_log_entries.length, all.body.audit_log_entries.length - 1);
    assert.equal(
      (await h.api('GET', `/guilds/${g.id}/audit-logs?limit=101`, { token: m.token })).status,
      400,
    );
  });
});
