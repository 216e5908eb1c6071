import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Permission as P } from '@hearth/permissions';
import sharp from 'sharp';
import { closeWithClients, TestGateway } from '../gateway-client';
import { createGuild, type TestGuild } from '../guild-helpers';
import { startHearth, type TestServer, type TestUser } from '../harness';

// Every guild route × {no token, outsider, banned user, member without the permission, member with it, owner}.
// Outsiders and banned users get 404 (never a 403 that confirms the guild exists), members without the right
// get 403 with code 50013, members with it and the owner succeed. Routes that are not about one guild's
// members (creating a guild, listing one's own, invites seen by their holders) say what differs in `expect`.

let h: TestServer;
let owner: TestUser;
let granted: TestUser;
let plain: TestUser;
let outsider: TestUser;
let banned: TestUser;
before(async () => {
  h = await startHearth();
  [owner, granted, plain, outsider, banned] = await Promise.all([
    h.register(),
    h.register(),
    h.register(),
    h.register(),
    h.register(),
  ]);
});
after(() => closeWithClients(h));

interface Fixture {
  g: TestGuild;
  /** A member below everyone's roles, for moderation targets; fresh on each call. */
  victim(): Promise<TestUser>;
  /** A role at the bottom of the hierarchy; fresh on each call. */
  lowRole(): Promise<string>;
  channel(): Promise<string>;
  invite(): Promise<string>;
  bannedUser(): Promise<string>;
}

type Caller = 'no token' | 'outsider' | 'banned user' | 'member without' | 'member with' | 'owner';

interface Case {
  name: string;
  method: string;
  /** What a member needs: a permission, any membership, or ownership. */
  needs: bigint | 'member' | 'owner';
  request: (f: Fixture) => Promise<{ path: string; body?: unknown }>;
  /** Statuses that differ from what `needs` implies, by caller. */
  expect?: Partial<Record<Caller, number>>;
}

const cases: Case[] = [
  {
    name: 'create guild',
    method: 'POST',
    needs: 'member',
    request: async () => ({ path: '/guilds', body: { name: 'Another' } }),
    expect: { outsider: 201, 'banned user': 201 },
  },
  {
    name: 'my guilds',
    method: 'GET',
    needs: 'member',
    request: async () => ({ path: '/users/@me/guilds' }),
    expect: { outsider: 200, 'banned user': 200 },
  },
  {
    name: 'leave guild',
    method: 'DELETE',
    needs: 'member',
    request: async (f) => ({ path: `/users/@me/guilds/${f.g.id}` }),
    // The owner must transfer the guild or delete it.
    expect: { owner: 400 },
  },
  {
    name: 'invite preview',
    method: 'GET',
    needs: 'member',
    request: async (f) => ({ path: `/invites/${await f.invite()}?with_counts=true` }),
    // Anyone holding the code sees where it leads.
    expect: { 'no token': 200, outsider: 200, 'banned user': 200 },
  },
  {
    name: 'join by invite',
    method: 'POST',
    needs: 'member',
    request: async (f) => ({ path: `/invites/${await f.invite()}` }),
    // Outsiders join; the banned are told so (the invite already shows the guild).
    expect: { outsider: 200, 'banned user': 403 },
  },
  {
    name: 'get role',
    method: 'GET',
    needs: 'member',
    request: async (f) => ({ path: `/guilds/${f.g.id}/roles/${f.g.id}` }),
  },
  {
    name: 'get guild',
    method: 'GET',
    needs: 'member',
    request: async (f) => ({ path: `/guilds/${f.g.id}` }),
  },
  {
    name: 'modify guild',
    method: 'PATCH',
    needs: P.MANAGE_GUILD,
    request: async (f) => ({ path: `/guilds/${f.g.id}`, body: { name: 'Renamed' } }),
  },
  {
    name: 'delete guild',
    method: 'DELETE',
    needs: 'owner',
    request: async (f) => ({ path: `/guilds/${f.g.id}` }),
  },
  {
    name: 'list channels',
    method: 'GET',
    needs: 'member',
    request: async (f) => ({ path: `/guilds/${f.g.id}/channels` }),
  },
  {
    name: 'create channel',
    method: 'POST',
    needs: P.MANAGE_CHANNELS,
    request: async (f) => ({ path: `/guilds/${f.g.id}/channels`, body: { name: 'new' } }),
  },
  {
    name: 'channel positions',
    method: 'PATCH',
    needs: P.MANAGE_CHANNELS,
    request: async (f) => ({
      path: `/guilds/${f.g.id}/channels`,
      body: [{ id: f.g.textChannelId, position: 2 }],
    }),
  },
  {
    name: 'get channel',
    method: 'GET',
    needs: 'member',
    request: async (f) => ({ path: `/channels/${f.g.textChannelId}` }),
  },
  {
    name: 'modify channel',
    method: 'PATCH',
    needs: P.MANAGE_CHANNELS,
    request: async (f) => ({ path: `/channels/${f.g.textChannelId}`, body: { topic: 't' } }),
  },
  {
    name: 'delete channel',
    method: 'DELETE',
    needs: P.MANAGE_CHANNELS,
    request: async (f) => ({ path: `/channels/${await f.channel()}` }),
  },
  {
    name: 'put overwrite',
    method: 'PUT',
    needs: P.MANAGE_ROLES,
    request: async (f) => ({
      path: `/channels/${f.g.textChannelId}/permissions/${await f.lowRole()}`,
      body: { type: 0, deny: P.READ_MESSAGE_HISTORY.toString() },
    }),
  },
  {
    name: 'delete overwrite',
    method: 'DELETE',
    needs: P.MANAGE_ROLES,
    request: async (f) => {
      const role = await f.lowRole();
      await h.api('PUT', `/channels/${f.g.textChannelId}/permissions/${role}`, {
        token: owner.token,
        body: { type: 0, deny: '0' },
      });
      return { path: `/channels/${f.g.textChannelId}/permissions/${role}` };
    },
  },
  {
    name: 'list roles',
    method: 'GET',
    needs: 'member',
    request: async (f) => ({ path: `/guilds/${f.g.id}/roles` }),
  },
  {
    name: 'create role',
    method: 'POST',
    needs: P.MANAGE_ROLES,
    request: async (f) => ({ path: `/guilds/${f.g.id}/roles`, body: { name: 'r' } }),
  },
  {
    name: 'role positions',
    method: 'PATCH',
    needs: P.MANAGE_ROLES,
    request: async (f) => ({
      path: `/guilds/${f.g.id}/roles`,
      body: [{ id: await f.lowRole(), position: 1 }],
    }),
  },
  {
    name: 'modify role',
    method: 'PATCH',
    needs: P.MANAGE_ROLES,
    request: async (f) => ({ path: `/guilds/${f.g.id}/roles/${await f.lowRole()}`, body: { name: 'x' } }),
  },
  {
    name: 'delete role',
    method: 'DELETE',
    needs: P.MANAGE_ROLES,
    request: async (f) => ({ path: `/guilds/${f.g.id}/roles/${await f.lowRole()}` }),
  },
  {
    name: 'list members',
    method: 'GET',
    needs: 'member',
    request: async (f) => ({ path: `/guilds/${f.g.id}/members?limit=10` }),
  },
  {
    name: 'search members',
    method: 'GET',
    needs: 'member',
    request: async (f) => ({ path: `/guilds/${f.g.id}/members/search?query=u` }),
  },
  {
    name: 'get member',
    method: 'GET',
    needs: 'member',
    request: async (f) => ({ path: `/guilds/${f.g.id}/members/${owner.id}` }),
  },
  {
    name: 'change own nick',
    method: 'PATCH',
    needs: P.CHANGE_NICKNAME,
    request: async (f) => ({ path: `/guilds/${f.g.id}/members/@me`, body: { nick: 'me' } }),
  },
  {
    name: "change another's nick",
    method: 'PATCH',
    needs: P.MANAGE_NICKNAMES,
    request: async (f) => ({
      path: `/guilds/${f.g.id}/members/${(await f.victim()).id}`,
      body: { nick: 'them' },
    }),
  },
  {
    name: 'add member role',
    method: 'PUT',
    needs: P.MANAGE_ROLES,
    request: async (f) => ({
      path: `/guilds/${f.g.id}/members/${(await f.victim()).id}/roles/${await f.lowRole()}`,
    }),
  },
  {
    name: 'remove member role',
    method: 'DELETE',
    needs: P.MANAGE_ROLES,
    request: async (f) => {
      const [victim, role] = [await f.victim(), await f.lowRole()];
      await h.api('PUT', `/guilds/${f.g.id}/members/${victim.id}/roles/${role}`, { token: owner.token });
      return { path: `/guilds/${f.g.id}/members/${victim.id}/roles/${role}` };
    },
  },
  {
    name: 'kick',
    method: 'DELETE',
    needs: P.KICK_MEMBERS,
    request: async (f) => ({ path: `/guilds/${f.g.id}/members/${(await f.victim()).id}` }),
  },
  {
    name: 'timeout',
    method: 'PATCH',
    needs: P.MODERATE_MEMBERS,
    request: async (f) => ({
      path: `/guilds/${f.g.id}/members/${(await f.victim()).id}`,
      body: { communication_disabled_until: new Date(Date.now() + 60_000).toISOString() },
    }),
  },
  {
    name: 'list bans',
    method: 'GET',
    needs: P.BAN_MEMBERS,
    request: async (f) => ({ path: `/guilds/${f.g.id}/bans` }),
  },
  {
    name: 'get ban',
    method: 'GET',
    needs: P.BAN_MEMBERS,
    request: async (f) => ({ path: `/guilds/${f.g.id}/bans/${banned.id}` }),
  },
  {
    name: 'ban',
    method: 'PUT',
    needs: P.BAN_MEMBERS,
    request: async (f) => ({ path: `/guilds/${f.g.id}/bans/${(await f.victim()).id}`, body: {} }),
  },
  {
    name: 'unban',
    method: 'DELETE',
    needs: P.BAN_MEMBERS,
    request: async (f) => ({ path: `/guilds/${f.g.id}/bans/${await f.bannedUser()}` }),
  },
  {
    name: 'create invite',
    method: 'POST',
    needs: P.CREATE_INSTANT_INVITE,
    request: async (f) => ({ path: `/channels/${f.g.textChannelId}/invites`, body: {} }),
  },
  {
    name: 'channel invites',
    method: 'GET',
    needs: P.MANAGE_CHANNELS,
    request: async (f) => ({ path: `/channels/${f.g.textChannelId}/invites` }),
  },
  {
    name: 'guild invites',
    method: 'GET',
    needs: P.MANAGE_GUILD,
    request: async (f) => ({ path: `/guilds/${f.g.id}/invites` }),
  },
  {
    name: 'delete invite',
    method: 'DELETE',
    needs: P.MANAGE_CHANNELS,
    request: async (f) => ({ path: `/invites/${await f.invite()}` }),
  },
  {
    name: 'audit log',
    method: 'GET',
    needs: P.VIEW_AUDIT_LOG,
    request: async (f) => ({ path: `/guilds/${f.g.id}/audit-logs` }),
  },
  {
    name: 'guild preview',
    method: 'GET',
    needs: 'member',
    request: async (f) => ({ path: `/guilds/${f.g.id}/preview` }),
  },
  {
    name: 'my member',
    method: 'GET',
    needs: 'member',
    request: async (f) => ({ path: `/users/@me/guilds/${f.g.id}/member` }),
  },
  {
    name: 'integrations',
    method: 'GET',
    needs: P.MANAGE_GUILD,
    request: async (f) => ({ path: `/guilds/${f.g.id}/integrations` }),
  },
  {
    name: 'list pins (messages/pins)',
    method: 'GET',
    needs: 'member',
    request: async (f) => ({ path: `/channels/${f.g.textChannelId}/messages/pins?limit=10` }),
  },
  {
    name: 'pin (messages/pins)',
    method: 'PUT',
    needs: P.PIN_MESSAGES,
    request: async (f) => ({ path: `/channels/${f.g.textChannelId}/messages/pins/${await ownerMessage(f)}` }),
  },
  {
    name: 'unpin (messages/pins)',
    method: 'DELETE',
    needs: P.PIN_MESSAGES,
    request: async (f) => {
      const id = await ownerMessage(f);
      await h.api('PUT', `/channels/${f.g.textChannelId}/messages/pins/${id}`, { token: owner.token });
      return { path: `/channels/${f.g.textChannelId}/messages/pins/${id}` };
    },
  },
  {
    name: 'voice regions',
    method: 'GET',
    needs: 'member',
    request: async () => ({ path: '/voice/regions' }),
    expect: { outsider: 200, 'banned user': 200 },
  },
  // Bot tokens only: every person is refused with 403 (Only bots can use this endpoint).
  ...['/oauth2/applications/@me', '/oauth2/@me'].map(
    (path): Case => ({
      name: `bot's authorization ${path}`,
      method: 'GET',
      needs: 'member',
      request: async () => ({ path }),
      expect: { outsider: 403, 'banned user': 403, 'member without': 403, 'member with': 403, owner: 403 },
    }),
  ),
  {
    name: 'authorize a bot',
    method: 'POST',
    needs: P.MANAGE_GUILD,
    request: async (f) => {
      const app = await h.api('POST', '/applications', { token: owner.token, body: { name: 'Matrix Bot' } });
      return {
        path: `/oauth2/authorize?client_id=${app.body.id}&scope=bot`,
        body: { guild_id: f.g.id, permissions: '0', authorize: true },
      };
    },
  },
  // A person's own installed applications (user install): anyone signed in, for themself only.
  {
    name: "install an app to one's account",
    method: 'POST',
    needs: 'member',
    request: async () => ({
      path: `/oauth2/authorize?client_id=${await userInstallable()}&scope=applications.commands&integration_type=1`,
      body: { authorize: true, integration_type: 1 },
    }),
    expect: { outsider: 200, 'banned user': 200 },
  },
  {
    name: 'authorized apps',
    method: 'GET',
    needs: 'member',
    request: async () => ({ path: '/oauth2/tokens' }),
    expect: { outsider: 200, 'banned user': 200 },
  },
  {
    // The owner's own install: everyone else gets the 404 of one that does not exist.
    name: 'remove an authorized app',
    method: 'DELETE',
    needs: 'owner',
    request: async () => ({ path: `/oauth2/tokens/${await ownersInstall()}` }),
    expect: { outsider: 404, 'banned user': 404, 'member without': 404, 'member with': 404 },
  },
  {
    name: 'create webhook',
    method: 'POST',
    needs: P.MANAGE_WEBHOOKS,
    request: async (f) => ({ path: `/channels/${f.g.textChannelId}/webhooks`, body: { name: 'Hook' } }),
  },
  {
    name: 'channel webhooks',
    method: 'GET',
    needs: P.MANAGE_WEBHOOKS,
    request: async (f) => ({ path: `/channels/${f.g.textChannelId}/webhooks` }),
  },
  {
    name: 'guild webhooks',
    method: 'GET',
    needs: P.MANAGE_WEBHOOKS,
    request: async (f) => ({ path: `/guilds/${f.g.id}/webhooks` }),
  },
  {
    name: 'get webhook',
    method: 'GET',
    needs: P.MANAGE_WEBHOOKS,
    request: async (f) => ({ path: `/webhooks/${await ownersWebhook(f)}` }),
  },
  {
    name: 'modify webhook',
    method: 'PATCH',
    needs: P.MANAGE_WEBHOOKS,
    request: async (f) => ({ path: `/webhooks/${await ownersWebhook(f)}`, body: { name: 'Renamed' } }),
  },
  {
    name: 'delete webhook',
    method: 'DELETE',
    needs: P.MANAGE_WEBHOOKS,
    request: async (f) => ({ path: `/webhooks/${await ownersWebhook(f)}` }),
  },
  {
    name: 'guild stickers',
    method: 'GET',
    needs: 'member',
    request: async (f) => ({ path: `/guilds/${f.g.id}/stickers` }),
  },
  {
    name: 'modify sticker',
    method: 'PATCH',
    needs: P.MANAGE_GUILD_EXPRESSIONS,
    // One sticker for every caller: a guild holds five.
    request: async (f) => ({
      path: `/guilds/${f.g.id}/stickers/${await onceFor(f, () => ownersSticker(f))}`,
      body: { tags: 'x' },
    }),
  },
  {
    name: 'delete sticker',
    method: 'DELETE',
    needs: P.MANAGE_GUILD_EXPRESSIONS,
    request: async (f) => ({ path: `/guilds/${f.g.id}/stickers/${await ownersSticker(f)}` }),
  },
  {
    name: 'scheduled events',
    method: 'GET',
    needs: 'member',
    request: async (f) => ({ path: `/guilds/${f.g.id}/scheduled-events?with_user_count=true` }),
  },
  {
    name: 'create scheduled event',
    method: 'POST',
    needs: P.CREATE_EVENTS,
    request: async (f) => ({ path: `/guilds/${f.g.id}/scheduled-events`, body: externalEvent() }),
  },
  {
    name: 'modify scheduled event',
    method: 'PATCH',
    needs: P.MANAGE_EVENTS,
    request: async (f) => ({
      path: `/guilds/${f.g.id}/scheduled-events/${await ownersEvent(f)}`,
      body: { name: 'Renamed' },
    }),
  },
  {
    name: 'delete scheduled event',
    method: 'DELETE',
    needs: P.MANAGE_EVENTS,
    request: async (f) => ({ path: `/guilds/${f.g.id}/scheduled-events/${await ownersEvent(f)}` }),
  },
  {
    name: 'scheduled event users',
    method: 'GET',
    needs: 'member',
    request: async (f) => ({ path: `/guilds/${f.g.id}/scheduled-events/${await ownersEvent(f)}/users` }),
  },
  {
    name: 'mark interest in a scheduled event',
    method: 'PUT',
    needs: 'member',
    request: async (f) => ({ path: `/guilds/${f.g.id}/scheduled-events/${await ownersEvent(f)}/users/@me` }),
  },
  {
    name: 'application command index',
    method: 'GET',
    needs: 'member',
    request: async (f) => ({ path: `/guilds/${f.g.id}/application-command-index` }),
  },
  {
    name: 'set application command permissions',
    method: 'PUT',
    needs: P.MANAGE_GUILD | P.MANAGE_ROLES,
    request: async (f) => ({
      path: `/applications/${await onceFor(f, () => guildCommand(f))}/permissions`,
      body: { permissions: [{ id: f.g.id, type: 1, permission: true }] },
    }),
  },
  // Groups (ADR 0031). The fixture's guild is not a group: to outsiders and banned users it does not exist.
  {
    name: 'group settings',
    method: 'PATCH',
    needs: P.MANAGE_GUILD,
    request: async (f) => ({
      path: `/guilds/${f.g.id}`,
      body: { features: ['DISCOVERABLE'], hearth_group: { join_mode: 'approval', tags: ['matrix'] } },
    }),
  },
  {
    name: 'group directory',
    method: 'GET',
    needs: 'member',
    request: async () => ({ path: '/discoverable-guilds?query=matrix' }),
    expect: { outsider: 200, 'banned user': 200 },
  },
  {
    name: 'join a group without an invite',
    method: 'PUT',
    needs: 'member',
    // Members are already in: 204.
    request: async (f) => ({ path: `/guilds/${f.g.id}/members/@me` }),
  },
  {
    name: 'request to join',
    method: 'PUT',
    needs: 'member',
    request: async (f) => ({ path: `/guilds/${f.g.id}/requests/@me`, body: {} }),
    // Members are already in.
    expect: { 'member without': 400, 'member with': 400, owner: 400 },
  },
  {
    name: 'my join request',
    method: 'GET',
    needs: 'member',
    request: async (f) => ({ path: `/guilds/${f.g.id}/requests/@me` }),
    // Members have made none: 404 Unknown Join Request.
    expect: { 'member without': 404, 'member with': 404, owner: 404 },
  },
  {
    name: 'withdraw join request',
    method: 'DELETE',
    needs: 'member',
    request: async (f) => ({ path: `/guilds/${f.g.id}/requests/@me` }),
    expect: { 'member without': 404, 'member with': 404, owner: 404 },
  },
  {
    name: 'list join requests',
    method: 'GET',
    needs: P.KICK_MEMBERS,
    request: async (f) => ({ path: `/guilds/${f.g.id}/requests?status=SUBMITTED` }),
  },
  {
    name: 'report a message',
    method: 'POST',
    needs: 'member',
    request: async (f) => ({
      path: `/channels/${f.g.textChannelId}/messages/${await victimMessage(f)}/reports`,
      body: { reason: 'spam' },
    }),
  },
  {
    name: 'list reports',
    method: 'GET',
    needs: P.MANAGE_MESSAGES,
    request: async (f) => ({ path: `/guilds/${f.g.id}/reports` }),
  },
  {
    name: 'resolve report',
    method: 'PATCH',
    needs: P.MANAGE_MESSAGES,
    request: async (f) => ({
      path: `/guilds/${f.g.id}/reports/${await report(f)}`,
      body: { status: 'resolved' },
    }),
  },
  {
    name: 'approve join request',
    method: 'PATCH',
    needs: P.KICK_MEMBERS,
    request: async (f) => ({
      path: `/guilds/${f.g.id}/requests/${await joinRequest(f)}`,
      body: { action: 'APPROVED' },
    }),
  },
];

/** An application of the owner whose bot is in the fixture's guild, with a command there: `<app id>/guilds/…/<id>`. */
async function guildCommand(f: Fixture): Promise<string> {
  const app = (await h.api('POST', '/applications', { token: owner.token, body: { name: 'Matrix Bot' } }))
    .body;
  await h.api('POST', `/oauth2/authorize?client_id=${app.id}&scope=bot`, {
    token: owner.token,
    body: { guild_id: f.g.id, permissions: '0', authorize: true },
  });
  const command = await h.api('POST', `/applications/${app.id}/guilds/${f.g.id}/commands`, {
    token: owner.token,
    body: { name: 'matrix', description: 'A command' },
  });
  assert.equal(command.status, 201, command.text);
  return `${app.id}/guilds/${f.g.id}/commands/${command.body.id}`;
}

/** A fresh application of the owner that people may install to their accounts. */
async function userInstallable(): Promise<string> {
  const app = (await h.api('POST', '/applications', { token: owner.token, body: { name: 'Matrix App' } }))
    .body;
  const on = await h.api('PATCH', `/applications/${app.id}`, {
    token: owner.token,
    body: { integration_types_config: { '0': {}, '1': {} } },
  });
  assert.equal(on.status, 200, on.text);
  return app.id;
}

/** A fresh install of a fresh application on the owner's account: its authorization id. */
async function ownersInstall(): Promise<string> {
  const appId = await userInstallable();
  const res = await h.api(
    'POST',
    `/oauth2/authorize?client_id=${appId}&scope=applications.commands&integration_type=1`,
    { token: owner.token, body: { authorize: true } },
  );
  assert.equal(res.status, 200, res.text);
  const list = await h.api('GET', '/oauth2/tokens', { token: owner.token });
  return list.body.find((t: { application: { id: string } }) => t.application.id === appId).id;
}

const memo = new WeakMap<Fixture, Promise<string>>();
/** `make()`, once per fixture. */
function onceFor(f: Fixture, make: () => Promise<string>): Promise<string> {
  if (!memo.has(f)) memo.set(f, make());
  return memo.get(f)!;
}

/** A fresh sticker of the fixture's guild, uploaded by the owner. */
async function ownersSticker(f: Fixture): Promise<string> {
  const form = new FormData();
  form.append('name', 'owned');
  form.append('tags', 'owned');
  const png = await sharp({ create: { width: 8, height: 8, channels: 4, background: '#000' } })
    .png()
    .toBuffer();
  form.append('file', new Blob([png as BlobPart]), 's.png');
  const res = await fetch(`${h.url}/api/v10/guilds/${f.g.id}/stickers`, {
    method: 'POST',
    headers: { authorization: owner.token },
    body: form,
  });
  assert.equal(res.status, 201);
  return ((await res.json()) as { id: string }).id;
}

const externalEvent = () => ({
  name: 'Event',
  privacy_level: 2,
  entity_type: 3,
  entity_metadata: { location: 'Here' },
  scheduled_start_time: new Date(Date.now() + 3600_000).toISOString(),
  scheduled_end_time: new Date(Date.now() + 7200_000).toISOString(),
});

/** A fresh EXTERNAL scheduled event of the fixture's guild, created by the owner. */
async function ownersEvent(f: Fixture): Promise<string> {
  const res = await h.api('POST', `/guilds/${f.g.id}/scheduled-events`, {
    token: owner.token,
    body: externalEvent(),
  });
  assert.equal(res.status, 200, res.text);
  return res.body.id;
}

/** A fresh user's open request to join the fixture's guild, made an approval-required group. */
async function joinRequest(f: Fixture): Promise<string> {
  await h.api('PATCH', `/guilds/${f.g.id}`, {
    token: owner.token,
    body: { hearth_group: { join_mode: 'approval' } },
  });
  const u = await h.register();
  const res = await h.api('PUT', `/guilds/${f.g.id}/requests/@me`, { token: u.token });
  assert.equal(res.status, 200, res.text);
  return res.body.id;
}

/** A fresh message in #general by a fresh member. */
async function victimMessage(f: Fixture): Promise<string> {
  const v = await f.victim();
  // @everyone only reads here: the victim is let write by a member overwrite.
  await h.api('PUT', `/channels/${f.g.textChannelId}/permissions/${v.id}`, {
    token: owner.token,
    body: { type: 1, allow: P.SEND_MESSAGES.toString() },
  });
  const res = await h.api('POST', `/channels/${f.g.textChannelId}/messages`, {
    token: v.token,
    body: { content: 'report me' },
  });
  assert.equal(res.status, 200, res.text);
  return res.body.id;
}

/** A fresh report, by the owner, of a fresh member's message. */
async function report(f: Fixture): Promise<string> {
  const res = await h.api(
    'POST',
    `/channels/${f.g.textChannelId}/messages/${await victimMessage(f)}/reports`,
    {
      token: owner.token,
      body: { reason: 'rude' },
    },
  );
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

/** A fresh message by the owner in #general. */
async function ownerMessage(f: Fixture): Promise<string> {
  const res = await h.api('POST', `/channels/${f.g.textChannelId}/messages`, {
    token: owner.token,
    body: { content: 'pin me' },
  });
  return res.body.id;
}

/** A fresh webhook in the fixture's text channel, made by the owner. */
async function ownersWebhook(f: Fixture): Promise<string> {
  const res = await h.api('POST', `/channels/${f.g.textChannelId}/webhooks`, {
    token: owner.token,
    body: { name: 'Owned' },
  });
  assert.equal(res.status, 200, res.text);
  return res.body.id;
}

async function fixture(needs: Case['needs']): Promise<Fixture> {
  const g = await createGuild(h, owner);
  // @everyone gets only viewing, so "a member without the permission" really lacks it.
  await h.api('PATCH', `/guilds/${g.id}/roles/${g.id}`, {
    token: owner.token,
    body: { permissions: (P.VIEW_CHANNEL | P.READ_MESSAGE_HISTORY).toString() },
  });
  const invite = async () =>
    (await h.api('POST', `/channels/${g.textChannelId}/invites`, { token: owner.token, body: {} })).body
      .code as string;
  const enter = async (u: TestUser) =>
    assert.equal((await h.api('POST', `/invites/${await invite()}`, { token: u.token })).status, 200);
  for (const u of [granted, plain, banned]) await enter(u);
  if (typeof needs === 'bigint' || needs === 'owner') {
    const bits = needs === 'owner' ? P.ADMINISTRATOR : needs;
    const role = await h.api('POST', `/guilds/${g.id}/roles`, {
      token: owner.token,
      body: { name: 'granted', permissions: bits.toString() },
    });
    await h.api('PUT', `/guilds/${g.id}/members/${granted.id}/roles/${role.body.id}`, { token: owner.token });
  }
  assert.equal(
    (await h.api('PUT', `/guilds/${g.id}/bans/${banned.id}`, { token: owner.token, body: {} })).status,
    204,
  );
  return {
    g,
    invite,
    async victim() {
      const v = await h.register();
      await enter(v);
      return v;
    },
    async lowRole() {
      return (await h.api('POST', `/guilds/${g.id}/roles`, { token: owner.token, body: { name: 'low' } }))
        .body.id;
    },
    async channel() {
      return (
        await h.api('POST', `/guilds/${g.id}/channels`, { token: owner.token, body: { name: 'doomed' } })
      ).body.id;
    },
    async bannedUser() {
      const v = await h.register();
      await h.api('PUT', `/guilds/${g.id}/bans/${v.id}`, { token: owner.token, body: {} });
      return v.id;
    },
  };
}

/**
 * Puts `user` in the fixture's voice channel (allowed to connect by an overwrite, since @everyone may not here): a
 * gateway session that stays open (the voice state ends with it) sends op 4.
 */
async function inVoice(f: Fixture, user: TestUser): Promise<void> {
  const channelId = f.g.voiceChannelId;
  const allow = await h.api('PUT', `/channels/${channelId}/permissions/${user.id}`, {
    token: owner.token,
    body: { type: 1, allow: (P.VIEW_CHANNEL | P.CONNECT).toString(), deny: '0' },
  });
  assert.equal(allow.status, 204, allow.text);
  const gw = await TestGateway.identify(h, user.token);
  await gw.dispatch('GUILD_CREATE', (d) => d.id === f.g.id, 15_000);
  gw.send({ op: 4, d: { guild_id: f.g.id, channel_id: channelId, self_mute: false, self_deaf: false } });
  await gw.dispatch('VOICE_STATE_UPDATE', (d) => d.user_id === user.id && d.channel_id === channelId, 15_000);
}

const voiceMembers = new WeakMap<Fixture, Promise<TestUser>>();

/** A member of the fixture's guild in its voice channel (one per fixture, whichever caller asks). */
function memberInVoice(f: Fixture): Promise<TestUser> {
  let held = voiceMembers.get(f);
  if (!held) {
    held = f.victim().then(async (v) => {
      await inVoice(f, v);
      return v;
    });
    voiceMembers.set(f, held);
  }
  return held;
}

// Voice (ADR 0034): reading voice states is for members who can see the channel; a member's server mute, deafen and
// disconnect need MUTE_MEMBERS, DEAFEN_MEMBERS and MOVE_MEMBERS; the media negotiation needs VOICE_SERVER_UPDATE's
// grant for the caller's own session, whoever the caller is.
cases.push(
  {
    name: "a member's voice state",
    method: 'GET',
    needs: 'member',
    request: async (f) => ({ path: `/guilds/${f.g.id}/voice-states/${(await memberInVoice(f)).id}` }),
  },
  {
    name: 'my voice state (members not in voice: 404)',
    method: 'GET',
    needs: 'member',
    request: async (f) => {
      await memberInVoice(f);
      return { path: `/guilds/${f.g.id}/voice-states/@me` };
    },
    expect: { 'member without': 404, 'member with': 404, owner: 404 },
  },
  {
    name: 'server mute a member',
    method: 'PATCH',
    needs: P.MUTE_MEMBERS,
    request: async (f) => ({
      path: `/guilds/${f.g.id}/members/${(await f.victim()).id}`,
      body: { mute: true },
    }),
  },
  {
    name: 'server deafen a member',
    method: 'PATCH',
    needs: P.DEAFEN_MEMBERS,
    request: async (f) => ({
      path: `/guilds/${f.g.id}/members/${(await f.victim()).id}`,
      body: { deaf: true },
    }),
  },
  {
    name: 'disconnect a member from voice',
    method: 'PATCH',
    needs: P.MOVE_MEMBERS,
    request: async (f) => {
      const v = await f.victim();
      await inVoice(f, v);
      return { path: `/guilds/${f.g.id}/members/${v.id}`, body: { channel_id: null } };
    },
  },
  {
    name: 'voice connect with a grant that is not the caller’s',
    method: 'POST',
    needs: 'member',
    request: async (f) => ({
      path: '/voice/connect',
      body: {
        guild_id: f.g.id,
        session_id: 'not-a-session',
        token: `${Date.now() + 60_000}.forged`,
        sdp: 'v=0',
      },
    }),
    expect: { outsider: 401, 'banned user': 401, 'member without': 401, 'member with': 401, owner: 401 },
  },
);

/** The status a caller should get: a number, or 'ok' for any success. */
function expected(c: Case, who: Caller): number | 'ok' {
  const override = c.expect?.[who];
  if (override) return override;
  if (who === 'no token') return 401;
  if (who === 'outsider' || who === 'banned user') return 404;
  if (who === 'member without') return c.needs === 'member' ? 'ok' : 403;
  if (who === 'member with') return c.needs === 'owner' ? 403 : 'ok';
  return 'ok';
}

for (const c of cases) {
  test(`${c.method} ${c.name}`, async () => {
    const f = await fixture(c.needs);
    const callers: Array<[Caller, TestUser | null]> = [
      ['no token', null],
      ['outsider', outsider],
      ['banned user', banned],
      ['member without', plain],
      ['member with', granted],
      ['owner', owner],
    ];
    for (const [who, u] of callers) {
      const { path, body } = await c.request(f);
      const res = await h.api(c.method, path, { token: u?.token, body });
      const want = expected(c, who);
      if (res.status === 204)
        assert.equal(res.headers.get('content-type'), null, 'a 204 has no Content-Type');
      if (want === 'ok') {
        assert.ok(res.status < 300, `${who}: ${res.status} ${res.text}`);
        continue;
      }
      assert.equal(res.status, want, `${who}: ${res.text}`);
      if (c.expect?.[who]) continue;
      if (want === 404)
        assert.ok([10003, 10004, 10006, 10015].includes(res.body.code), `${who} learns nothing: ${res.text}`);
      if (want === 403 && who === 'member without') assert.equal(res.body.code, 50013, res.text);
    }
  });
}
