import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { Permission as P } from '@hearth/permissions';
import sharp from 'sharp';
import { type BotWorld, botWorld } from '../bots/bot-setup';
import { closeWithClients, TestGateway } from '../gateway-client';
import { createGuild, grant, join, type TestGuild } from '../guild-helpers';
import type { TestServer, TestUser } from '../harness';

// Groups (ADR 0031): a guild made a group (settings on the guild), the directory, joining a public group without an
// invite, join requests to an approval-required group (approved with Oceanic.js, as a moderation bot would), and a
// private group that outsiders and banned users learn nothing of.

const { Client } = createRequire(import.meta.url)('oceanic.js') as typeof import('oceanic.js');

let world: BotWorld;
let h: TestServer;
let oceanic: InstanceType<typeof Client>;
before(async () => {
  world = await botWorld('Group moderator');
  h = world.h;
  oceanic = new Client({ auth: `Bot ${world.token}`, rest: { baseURL: `${h.url}/api/v10` } });
});
after(() => closeWithClients(h));

const settings = (g: TestGuild, body: Record<string, unknown>, token = g.owner.token) =>
  h.api('PATCH', `/guilds/${g.id}`, { token, body });

/** A guild made a group with a forum feed; @everyone may post and comment unless a test says otherwise. */
async function group(
  mode: 'public' | 'approval' | 'private',
  opts: { name?: string; tags?: string[]; owner?: TestUser } = {},
) {
  const g = await createGuild(h, opts.owner, opts.name ?? `Group ${mode}`);
  const res = await settings(g, {
    description: `A ${mode} group`,
    features: mode === 'private' ? [] : ['COMMUNITY', 'DISCOVERABLE'],
    hearth_group: { join_mode: mode, rules: 'Be kind.', tags: opts.tags ?? ['knitting'] },
  });
  assert.equal(res.status, 200, res.text);
  const forum = await h.api('POST', `/guilds/${g.id}/channels`, {
    token: g.owner.token,
    body: { name: 'feed', type: 15 },
  });
  assert.equal(forum.status, 201, forum.text);
  return { g, forumId: forum.body.id as string };
}

const directory = (u: TestUser, query = '') =>
  h.api('GET', `/discoverable-guilds${query}`, { token: u.token });

describe('group settings', () => {
  test('a manager makes a guild a group with Discord fields and Hearth’s own; bad settings are 400', async () => {
    const g = await createGuild(h);
    const res = await settings(g, {
      description: 'Yarn people',
      features: ['COMMUNITY', 'DISCOVERABLE', 'VERIFIED'],
      hearth_group: { join_mode: 'approval', rules: 'No spam.', tags: ['knitting', 'crafts'] },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.description, 'Yarn people');
    // Only COMMUNITY and DISCOVERABLE can be turned on by a manager, as on Discord.
    assert.deepEqual(res.body.features, ['COMMUNITY', 'DISCOVERABLE']);
    assert.deepEqual(res.body.hearth_group, {
      join_mode: 'approval',
      rules: 'No spam.',
      tags: ['knitting', 'crafts'],
      handle: null,
    });
    const got = await h.api('GET', `/guilds/${g.id}`, { token: g.owner.token });
    assert.deepEqual(got.body.hearth_group, res.body.hearth_group);
    const audit = await h.api('GET', `/guilds/${g.id}/audit-logs?action_type=1`, { token: g.owner.token });
    assert.ok(
      audit.body.audit_log_entries.some((e: any) => e.changes?.some((c: any) => c.key === 'hearth_group')),
      'the change is in the audit log',
    );

    // A private group cannot be discoverable; making a group private drops DISCOVERABLE.
    const bad = await settings(g, { features: ['DISCOVERABLE'], hearth_group: { join_mode: 'private' } });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.body.errors.features._errors[0].code, 'DISCOVERABLE_REQUIRES_GROUP');
    const priv = await settings(g, { hearth_group: { join_mode: 'private' } });
    assert.deepEqual(priv.body.features, ['COMMUNITY']);
    assert.equal(priv.body.hearth_group.rules, 'No spam.', 'fields not named keep their value');
    for (const body of [
      { hearth_group: { join_mode: 'open' } },
      { hearth_group: { tags: ['Not A Tag'] } },
      { hearth_group: { tags: Array.from({ length: 11 }, (_, i) => `t${i}`) } },
      { hearth_group: { rules: 'x'.repeat(2001) } },
    ]) {
      const r = await settings(g, body);
      assert.equal(r.status, 400, `${JSON.stringify(body).slice(0, 60)}: ${r.text}`);
      assert.equal(r.body.code, 50035);
    }
    const off = await settings(g, { hearth_group: null });
    assert.equal(off.body.hearth_group, null);

    // Changing the settings needs MANAGE_GUILD.
    const member = await join(h, g);
    const denied = await settings(g, { hearth_group: { join_mode: 'public' } }, member.token);
    assert.equal(denied.status, 403);
    assert.equal(denied.body.code, 50013);
  });
});

describe('directory', () => {
  test('lists discoverable public and approval groups by members, searched by name or tag, paged', async () => {
    const tag = `t${Date.now().toString(36)}`;
    const small = await group('approval', { name: `Owls ${tag}`, tags: [tag, 'birds'] });
    const big = await group('public', { name: `Ravens ${tag}`, tags: [tag] });
    await join(h, big.g);
    const hidden = await group('private', { name: `Secret ${tag}`, tags: [tag] });
    const unlisted = await createGuild(h, undefined, `Unlisted ${tag}`);
    await settings(unlisted, { hearth_group: { join_mode: 'public', tags: [tag] } });
    const reader = await h.register();

    const byTag = await directory(reader, `?tag=${tag}`);
    assert.equal(byTag.status, 200, byTag.text);
    assert.equal(byTag.body.total, 2, 'private and not discoverable groups are not listed');
    assert.deepEqual(
      byTag.body.guilds.map((g: any) => g.id),
      [big.g.id, small.g.id],
      'most members first',
    );
    const first = byTag.body.guilds[0];
    assert.equal(first.approximate_member_count, 2);
    assert.equal(first.hearth_group.join_mode, 'public');
    assert.equal(first.is_member, false);
    assert.equal(first.description, 'A public group');
    assert.ok(!byTag.body.guilds.some((g: any) => g.id === hidden.g.id));

    const byName = await directory(reader, `?query=${encodeURIComponent(`owls ${tag}`)}`);
    assert.deepEqual(
      byName.body.guilds.map((g: any) => g.id),
      [small.g.id],
    );
    const wildcard = await directory(reader, `?query=${encodeURIComponent('%_')}`);
    assert.equal(wildcard.body.total, 0, 'LIKE wildcards are taken literally');
    const page = await directory(reader, `?tag=${tag}&limit=1&offset=1`);
    assert.deepEqual(
      page.body.guilds.map((g: any) => g.id),
      [small.g.id],
    );
    assert.equal(page.body.total, 2);
    for (const q of ['?limit=0', '?limit=49', '?offset=-1', '?offset=10001', '?tag=Bad%20Tag']) {
      const r = await directory(reader, q);
      assert.equal(r.status, 400, `${q}: ${r.text}`);
    }
    assert.equal((await h.api('GET', '/discoverable-guilds')).status, 401);
    // Discord's rule: a discoverable guild is previewed by anyone; others only by their members.
    const preview = await h.api('GET', `/guilds/${small.g.id}/preview`, { token: reader.token });
    assert.equal(preview.status, 200, preview.text);
    assert.equal(preview.body.approximate_member_count, 1);
    assert.equal(preview.body.description, 'A approval group');
    for (const g of [hidden.g, unlisted])
      assert.equal((await h.api('GET', `/guilds/${g.id}/preview`, { token: reader.token })).status, 404);
  });
});

describe('joining', () => {
  test('anyone signed in joins a public group without an invite, and may post in its feed', async () => {
    const { g, forumId } = await group('public');
    const u = await h.register();
    const gw = await TestGateway.identify(h, u.token);
    const res = await h.api('PUT', `/guilds/${g.id}/members/@me`, { token: u.token });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.user.id, u.id);
    await gw.dispatch('GUILD_CREATE', (d) => d.id === g.id);
    const again = await h.api('PUT', `/guilds/${g.id}/members/@me`, { token: u.token });
    assert.equal(again.status, 204);
    const post = await h.api('POST', `/channels/${forumId}/threads`, {
      token: u.token,
      body: { name: 'Hello', message: { content: 'first post' } },
    });
    assert.equal(post.status, 201, post.text);
    // A request to a public group is refused: join it instead.
    const other = await h.register();
    const req = await h.api('PUT', `/guilds/${g.id}/requests/@me`, { token: other.token });
    assert.equal(req.status, 400);
  });

  test('a non-member cannot post in an approval-required group; a moderator approves the request', async () => {
    const { g, forumId } = await group('approval');
    const member = await join(h, g);
    const mod = await join(h, g);
    await grant(h, g, mod, P.KICK_MEMBERS);
    const u = await h.register();
    const post = () =>
      h.api('POST', `/channels/${forumId}/threads`, {
        token: u.token,
        body: { name: 'Hi', message: { content: 'let me in' } },
      });
    assert.equal((await post()).status, 404, 'a non-member cannot post');
    const direct = await h.api('PUT', `/guilds/${g.id}/members/@me`, { token: u.token });
    assert.equal(direct.status, 403, direct.text);

    const [modGw, memberGw, userGw] = await Promise.all([
      TestGateway.identify(h, mod.token, {}, 1),
      TestGateway.identify(h, member.token, {}, 1),
      TestGateway.identify(h, u.token),
    ]);
    const asked = await h.api('PUT', `/guilds/${g.id}/requests/@me`, { token: u.token });
    assert.equal(asked.status, 200, asked.text);
    assert.equal(asked.body.application_status, 'SUBMITTED');
    assert.equal(asked.body.user.id, u.id);
    const toMod = await modGw.dispatch('GUILD_JOIN_REQUEST_CREATE', (d) => d.guild_id === g.id);
    assert.equal(toMod.request.user_id, u.id);
    await userGw.dispatch('GUILD_JOIN_REQUEST_CREATE', (d) => d.guild_id === g.id);
    assert.ok(await memberGw.never('GUILD_JOIN_REQUEST_CREATE'), 'members without KICK_MEMBERS are not told');
    const same = await h.api('PUT', `/guilds/${g.id}/requests/@me`, { token: u.token });
    assert.equal(same.body.id, asked.body.id, 'an open request is returned as it is');
    assert.equal((await post()).status, 404, 'still not a member');

    // A member without KICK_MEMBERS cannot see or action requests.
    assert.equal((await h.api('GET', `/guilds/${g.id}/requests`, { token: member.token })).status, 403);
    const listed = await h.api('GET', `/guilds/${g.id}/requests?status=SUBMITTED`, { token: mod.token });
    assert.equal(listed.status, 200, listed.text);
    assert.equal(listed.body.total, 1);
    assert.equal(listed.body.guild_join_requests[0].id, asked.body.id);
    const approved = await h.api('PATCH', `/guilds/${g.id}/requests/${asked.body.id}`, {
      token: mod.token,
      body: { action: 'APPROVED' },
    });
    assert.equal(approved.status, 200, approved.text);
    assert.equal(approved.body.application_status, 'APPROVED');
    assert.equal(approved.body.actioned_by_user.id, mod.id);
    await userGw.dispatch('GUILD_JOIN_REQUEST_UPDATE', (d) => d.status === 'APPROVED');
    await userGw.dispatch('GUILD_CREATE', (d) => d.id === g.id);
    assert.equal((await post()).status, 201, 'an approved member posts');
    const twice = await h.api('PATCH', `/guilds/${g.id}/requests/${asked.body.id}`, {
      token: mod.token,
      body: { action: 'REJECTED' },
    });
    assert.equal(twice.status, 400);
  });

  test('Oceanic.js lists and rejects join requests; the requester withdraws and asks again', async () => {
    const g = world.g;
    const made = await settings(g, { features: ['DISCOVERABLE'], hearth_group: { join_mode: 'approval' } });
    assert.equal(made.status, 200, made.text);
    const u = await h.register();
    const asked = await h.api('PUT', `/guilds/${g.id}/requests/@me`, { token: u.token });
    const { guildJoinRequests, total } = await oceanic.rest.guilds.getJoinRequests(g.id, {
      status: 'SUBMITTED',
    });
    assert.equal(total, 1);
    assert.equal(guildJoinRequests[0]!.id, asked.body.id);
    assert.equal(guildJoinRequests[0]!.user?.id, u.id);
    const rejected = await oceanic.rest.guilds.actionJoinRequest(g.id, asked.body.id, {
      action: 'REJECTED',
      rejectionReason: 'Tell us about yourself first',
    });
    assert.equal(rejected.applicationStatus, 'REJECTED');
    assert.equal(rejected.actionedByUser?.id, world.botUserId);
    assert.ok(rejected.reviewedAt instanceof Date);
    assert.equal(rejected.rejectionReason, 'Tell us about yourself first');
    const mine = await h.api('GET', `/guilds/${g.id}/requests/@me`, { token: u.token });
    assert.equal(mine.body.application_status, 'REJECTED');
    assert.equal(mine.body.rejection_reason, 'Tell us about yourself first');
    // Asking again replaces the rejected request; withdrawing removes it.
    const again = await h.api('PUT', `/guilds/${g.id}/requests/@me`, { token: u.token });
    assert.equal(again.body.application_status, 'SUBMITTED');
    assert.notEqual(again.body.id, asked.body.id);
    assert.equal((await h.api('DELETE', `/guilds/${g.id}/requests/@me`, { token: u.token })).status, 204);
    assert.equal((await h.api('GET', `/guilds/${g.id}/requests/@me`, { token: u.token })).status, 404);
    const bad = await h.api('PATCH', `/guilds/${g.id}/requests/${again.body.id}`, {
      token: g.owner.token,
      body: { action: 'MAYBE' },
    });
    assert.equal(bad.status, 400);
  });

  test('a banned user is refused by a listed group and learns nothing of a private one', async () => {
    const listedGroup = await group('approval');
    const privateGroup = await group('private');
    const u = await h.register();
    const inPrivate = await join(h, privateGroup.g, u);
    await join(h, listedGroup.g, u);
    for (const { g } of [listedGroup, privateGroup])
      assert.equal(
        (await h.api('PUT', `/guilds/${g.id}/bans/${u.id}`, { token: g.owner.token, body: {} })).status,
        204,
      );
    const asked = await h.api('PUT', `/guilds/${listedGroup.g.id}/requests/@me`, { token: u.token });
    assert.equal(asked.status, 403);
    assert.equal(asked.body.code, 40007);

    const g = privateGroup.g;
    for (const [method, path] of [
      ['GET', `/guilds/${g.id}`],
      ['GET', `/guilds/${g.id}/channels`],
      ['GET', `/channels/${privateGroup.forumId}`],
      ['GET', `/channels/${privateGroup.forumId}/threads/archived/public`],
      ['PUT', `/guilds/${g.id}/members/@me`],
      ['PUT', `/guilds/${g.id}/requests/@me`],
      ['GET', `/guilds/${g.id}/requests/@me`],
      ['GET', `/guilds/${g.id}/preview`],
    ] as const) {
      const res = await h.api(method, path, { token: inPrivate.token });
      assert.equal(res.status, 404, `${method} ${path}: ${res.text}`);
      assert.ok([10003, 10004].includes(res.body.code), `${method} ${path} learns nothing: ${res.text}`);
    }
    const outsider = await h.register();
    for (const path of [`/guilds/${g.id}/members/@me`, `/guilds/${g.id}/requests/@me`]) {
      const res = await h.api('PUT', path, { token: outsider.token });
      assert.equal(res.status, 404, `${path}: ${res.text}`);
      assert.equal(res.body.code, 10004);
    }
    const missing = await h.api('PUT', '/guilds/123456789012345678/requests/@me', { token: outsider.token });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 10004);
  });

  test('a member without the comment permission cannot comment on a feed post', async () => {
    const { g, forumId } = await group('public');
    const post = await h.api('POST', `/channels/${forumId}/threads`, {
      token: g.owner.token,
      body: { name: 'Announcement', message: { content: 'hello group' } },
    });
    assert.equal(post.status, 201, post.text);
    const overwrite = await h.api('PUT', `/channels/${forumId}/permissions/${g.id}`, {
      token: g.owner.token,
      body: { type: 0, deny: P.SEND_MESSAGES_IN_THREADS.toString() },
    });
    assert.equal(overwrite.status, 204, overwrite.text);
    const u = await h.register();
    assert.equal((await h.api('PUT', `/guilds/${g.id}/members/@me`, { token: u.token })).status, 201);
    const comment = await h.api('POST', `/channels/${post.body.id}/messages`, {
      token: u.token,
      body: { content: 'nice' },
    });
    assert.equal(comment.status, 403, comment.text);
    assert.equal(comment.body.code, 50013);
    const commenter = await h.register();
    await h.api('PUT', `/guilds/${g.id}/members/@me`, { token: commenter.token });
    await grant(h, g, commenter, P.SEND_MESSAGES_IN_THREADS);
    // The role allows it at guild level, but the @everyone overwrite on the forum still denies it to @everyone:
    // an allow for the role on the forum lets the commenter in.
    const roles = await h.api('GET', `/guilds/${g.id}/members/${commenter.id}`, { token: g.owner.token });
    const roleId = roles.body.roles[0];
    await h.api('PUT', `/channels/${forumId}/permissions/${roleId}`, {
      token: g.owner.token,
      body: { type: 0, allow: P.SEND_MESSAGES_IN_THREADS.toString() },
    });
    const ok = await h.api('POST', `/channels/${post.body.id}/messages`, {
      token: commenter.token,
      body: { content: 'I may comment' },
    });
    assert.equal(ok.status, 200, ok.text);
  });

  test('moderators remove a comment and a post with a reason, in the audit log; members cannot', async () => {
    const { g, forumId } = await group('public');
    const author = await h.register();
    await h.api('PUT', `/guilds/${g.id}/members/@me`, { token: author.token });
    const mod = await h.register();
    await h.api('PUT', `/guilds/${g.id}/members/@me`, { token: mod.token });
    await grant(h, g, mod, P.MANAGE_MESSAGES | P.MANAGE_THREADS | P.VIEW_AUDIT_LOG);
    const bystander = await h.register();
    await h.api('PUT', `/guilds/${g.id}/members/@me`, { token: bystander.token });
    const post = await h.api('POST', `/channels/${forumId}/threads`, {
      token: author.token,
      body: { name: 'Spam', message: { content: 'buy things' } },
    });
    const comment = await h.api('POST', `/channels/${post.body.id}/messages`, {
      token: author.token,
      body: { content: 'more spam' },
    });
    assert.equal(comment.status, 200, comment.text);
    const removeComment = (token: string) =>
      h.api('DELETE', `/channels/${post.body.id}/messages/${comment.body.id}`, {
        token,
        headers: { 'X-Audit-Log-Reason': encodeURIComponent('Spam, rule 2') },
      });
    assert.equal((await removeComment(bystander.token)).status, 403);
    assert.equal((await removeComment(mod.token)).status, 204);
    const removePost = (token: string) =>
      h.api('DELETE', `/channels/${post.body.id}`, {
        token,
        headers: { 'X-Audit-Log-Reason': 'Advertising' },
      });
    assert.equal((await removePost(bystander.token)).status, 403);
    assert.equal((await removePost(mod.token)).status, 200);
    const log = await h.api('GET', `/guilds/${g.id}/audit-logs`, { token: mod.token });
    const messageDelete = log.body.audit_log_entries.find((e: any) => e.action_type === 72);
    assert.equal(messageDelete.user_id, mod.id);
    assert.equal(messageDelete.target_id, author.id);
    assert.equal(messageDelete.reason, 'Spam, rule 2');
    assert.deepEqual(messageDelete.options, { channel_id: post.body.id, count: '1' });
    const threadDelete = log.body.audit_log_entries.find((e: any) => e.action_type === 112);
    assert.equal(threadDelete.target_id, post.body.id);
    assert.equal(threadDelete.reason, 'Advertising');
    // An author removing their own comment is not moderation: no entry.
    const post2 = await h.api('POST', `/channels/${forumId}/threads`, {
      token: author.token,
      body: { name: 'Fine', message: { content: 'ok' } },
    });
    const own = await h.api('POST', `/channels/${post2.body.id}/messages`, {
      token: author.token,
      body: { content: 'oops' },
    });
    await h.api('DELETE', `/channels/${post2.body.id}/messages/${own.body.id}`, { token: author.token });
    const after = await h.api('GET', `/guilds/${g.id}/audit-logs?action_type=72`, { token: mod.token });
    assert.equal(after.body.audit_log_entries.length, 1);
  });

  test('a member reports a comment; moderators see the report and resolve it; others cannot', async () => {
    const { g, forumId } = await group('public');
    const [author, reporter, mod, bystander] = [
      await h.register(),
      await h.register(),
      await h.register(),
      await h.register(),
    ];
    for (const u of [author, reporter, mod, bystander])
      await h.api('PUT', `/guilds/${g.id}/members/@me`, { token: u.token });
    await grant(h, g, mod, P.KICK_MEMBERS);
    const post = await h.api('POST', `/channels/${forumId}/threads`, {
      token: author.token,
      body: { name: 'Hot take', message: { content: 'something rude' } },
    });
    const path = `/channels/${post.body.id}/messages/${post.body.id}/reports`;
    const [modGw, bystanderGw] = await Promise.all([
      TestGateway.identify(h, mod.token, {}, 1),
      TestGateway.identify(h, bystander.token, {}, 1),
    ]);
    const made = await h.api('POST', path, { token: reporter.token, body: { reason: 'Breaks rule 1' } });
    assert.equal(made.status, 201, made.text);
    const told = await modGw.dispatch('GUILD_MESSAGE_REPORT_CREATE', (d) => d.guild_id === g.id);
    assert.equal(told.id, made.body.id, 'moderators are told of a new report live');
    assert.equal(told.reason, 'Breaks rule 1');
    assert.ok(await bystanderGw.never('GUILD_MESSAGE_REPORT_CREATE'), 'members who do not moderate are not');
    assert.equal(made.body.status, 'open');
    assert.equal(made.body.author_id, author.id);
    assert.equal(made.body.content, 'something rude');
    const again = await h.api('POST', path, { token: reporter.token, body: { reason: 'again' } });
    assert.equal(again.status, 400, 'one report per message and reporter');
    const own = await h.api('POST', path, { token: author.token, body: { reason: 'me' } });
    assert.equal(own.status, 400);
    for (const body of [{ reason: '' }, { reason: 'x'.repeat(1001) }, {}]) {
      const bad = await h.api('POST', path, { token: bystander.token, body });
      assert.equal(bad.status, 400, bad.text);
    }
    const outsider = await h.register();
    assert.equal((await h.api('POST', path, { token: outsider.token, body: { reason: 'x' } })).status, 404);

    assert.equal((await h.api('GET', `/guilds/${g.id}/reports`, { token: bystander.token })).status, 403);
    const open = await h.api('GET', `/guilds/${g.id}/reports`, { token: mod.token });
    assert.equal(open.status, 200, open.text);
    assert.deepEqual(
      open.body.map((r: any) => r.id),
      [made.body.id],
    );
    assert.equal(open.body[0].reporter.id, reporter.id);
    assert.equal(open.body[0].reason, 'Breaks rule 1');
    const resolved = await h.api('PATCH', `/guilds/${g.id}/reports/${made.body.id}`, {
      token: mod.token,
      body: { status: 'resolved' },
    });
    assert.equal(resolved.status, 200, resolved.text);
    assert.equal(resolved.body.resolved_by, mod.id);
    const update = await modGw.dispatch('GUILD_MESSAGE_REPORT_UPDATE', (d) => d.id === made.body.id);
    assert.equal(update.status, 'resolved');
    assert.ok(await bystanderGw.never('GUILD_MESSAGE_REPORT_UPDATE'));
    modGw.close();
    bystanderGw.close();
    const left = await h.api('GET', `/guilds/${g.id}/reports`, { token: mod.token });
    assert.equal(left.body.length, 0);
    const done = await h.api('GET', `/guilds/${g.id}/reports?status=resolved`, { token: mod.token });
    assert.equal(done.body.length, 1);
    const missing = await h.api('PATCH', `/guilds/${g.id}/reports/123456789012345678`, {
      token: mod.token,
      body: { status: 'dismissed' },
    });
    assert.equal(missing.status, 404);
  });
});

describe('reading a public group without joining', () => {
  test('a signed-in non-member reads a public listed group’s feed, read-only; nothing of other groups', async () => {
    const pub = await group('public');
    const post = await h.api('POST', `/channels/${pub.forumId}/threads`, {
      token: pub.g.owner.token,
      body: { name: 'Welcome', message: { content: 'first post' } },
    });
    assert.equal(post.status, 201, post.text);
    const hidden = await h.api('POST', `/guilds/${pub.g.id}/channels`, {
      token: pub.g.owner.token,
      body: {
        name: 'staff',
        type: 0,
        permission_overwrites: [{ id: pub.g.id, type: 0, allow: '0', deny: String(P.VIEW_CHANNEL) }],
      },
    });
    assert.equal(hidden.status, 201, hidden.text);
    const reader = await h.register();
    const read = (path: string, u = reader) => h.api('GET', path, { token: u.token });

    const channels = await read(`/guilds/${pub.g.id}/channels`);
    assert.equal(channels.status, 200, channels.text);
    const ids = channels.body.map((c: any) => c.id);
    assert.ok(ids.includes(pub.forumId), 'the feed is listed');
    assert.ok(!ids.includes(hidden.body.id), 'a channel @everyone cannot see is not');
    const active = await read(`/guilds/${pub.g.id}/threads/active`);
    assert.equal(active.status, 200, active.text);
    assert.deepEqual(
      active.body.threads.map((t: any) => t.id),
      [post.body.id],
    );
    assert.equal((await read(`/channels/${pub.forumId}`)).status, 200);
    assert.equal((await read(`/channels/${post.body.id}`)).status, 200);
    const history = await read(`/channels/${post.body.id}/messages`);
    assert.equal(history.status, 200, history.text);
    assert.deepEqual(
      history.body.map((m: any) => m.content),
      ['first post'],
    );
    assert.equal((await read(`/channels/${post.body.id}/messages/${post.body.id}`)).status, 200);
    assert.equal((await read(`/channels/${pub.forumId}/threads/archived/public`)).status, 200);
    assert.equal((await read(`/channels/${hidden.body.id}/messages`)).status, 404);

    // Read-only: writing, reacting, joining the thread, reporting and moderating all need membership.
    for (const [method, path, body] of [
      ['POST', `/channels/${post.body.id}/messages`, { content: 'lurker says hi' }],
      ['POST', `/channels/${pub.forumId}/threads`, { name: 'x', message: { content: 'y' } }],
      ['PUT', `/channels/${post.body.id}/messages/${post.body.id}/reactions/%F0%9F%91%8D/@me`, undefined],
      ['PUT', `/channels/${post.body.id}/thread-members/@me`, undefined],
      ['POST', `/channels/${post.body.id}/messages/${post.body.id}/reports`, { reason: 'x' }],
      ['DELETE', `/channels/${post.body.id}/messages/${post.body.id}`, undefined],
      ['GET', `/guilds/${pub.g.id}/members`, undefined],
      ['GET', `/guilds/${pub.g.id}/roles`, undefined],
    ] as const) {
      const res = await h.api(method, path, { token: reader.token, body });
      assert.ok([403, 404].includes(res.status), `${method} ${path}: ${res.status} ${res.text}`);
    }
    const after = await read(`/channels/${post.body.id}/messages`);
    assert.equal(after.body.length, 1, 'nothing was written');

    // Approval-required and private groups, a public group that is not listed, and a banned reader: nothing.
    const approval = await group('approval');
    const priv = await group('private');
    for (const other of [approval, priv]) {
      const p = await h.api('POST', `/channels/${other.forumId}/threads`, {
        token: other.g.owner.token,
        body: { name: 'Secret', message: { content: 'members only' } },
      });
      for (const path of [
        `/guilds/${other.g.id}/channels`,
        `/guilds/${other.g.id}/threads/active`,
        `/channels/${other.forumId}`,
        `/channels/${p.body.id}`,
        `/channels/${p.body.id}/messages`,
        `/channels/${p.body.id}/messages/${p.body.id}`,
        `/channels/${other.forumId}/threads/archived/public`,
      ]) {
        const res = await read(path);
        assert.equal(res.status, 404, `${path}: ${res.text}`);
        assert.ok([10003, 10004].includes(res.body.code), `${path} learns nothing`);
      }
    }
    const unlisted = await settings(pub.g, { features: [] });
    assert.equal(unlisted.status, 200, unlisted.text);
    assert.equal((await read(`/channels/${post.body.id}/messages`)).status, 404);
    await settings(pub.g, { features: ['COMMUNITY', 'DISCOVERABLE'] });
    assert.equal((await read(`/channels/${post.body.id}/messages`)).status, 200);
    const banned = await join(h, pub.g);
    assert.equal(
      (await h.api('PUT', `/guilds/${pub.g.id}/bans/${banned.id}`, { token: pub.g.owner.token, body: {} }))
        .status,
      204,
    );
    for (const path of [`/guilds/${pub.g.id}/channels`, `/channels/${post.body.id}/messages`]) {
      assert.equal((await read(path, banned)).status, 404, path);
    }
    assert.equal((await h.api('GET', `/channels/${post.body.id}/messages`)).status, 401);
  });
});

describe('group banners', () => {
  test('a manager sets a banner; it is on the guild, the directory card and the preview; others cannot', async () => {
    const { g } = await group('public', { name: 'Bannered', tags: ['bannered'] });
    const image = `data:image/png;base64,${(
      await sharp({ create: { width: 64, height: 36, channels: 4, background: '#3366ff' } })
        .png()
        .toBuffer()
    ).toString('base64')}`;
    const member = await join(h, g);
    assert.equal((await settings(g, { banner: image }, member.token)).status, 403);
    const bad = await settings(g, { banner: 'data:image/png;base64,AAAA' });
    assert.equal(bad.status, 400, bad.text);
    const set = await settings(g, { banner: image });
    assert.equal(set.status, 200, set.text);
    const hash = set.body.banner as string;
    assert.match(hash, /^[0-9a-f]+$/);
    const file = await fetch(`${h.url}/banners/${g.id}/${hash}.png`);
    assert.equal(file.status, 200);
    assert.equal(file.headers.get('content-type'), 'image/png');
    const outsider = await h.register();
    const listed = await directory(outsider, '?tag=bannered');
    assert.equal(listed.body.guilds[0].banner, hash);
    const preview = await h.api('GET', `/guilds/${g.id}/preview`, { token: outsider.token });
    assert.equal(preview.body.banner, hash);
    const cleared = await settings(g, { banner: null });
    assert.equal(cleared.body.banner, null);
  });
});
