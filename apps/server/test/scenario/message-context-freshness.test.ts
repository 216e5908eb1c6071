import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Permission as P } from '@hearth/permissions';
import { createGuild, grant, join, type TestGuild } from '../guild-helpers';
import { startHearth, type TestServer, type TestUser } from '../harness';

// Message create and history keep channel contexts for a few seconds (domain/guilds/context-cache.ts). Each case
// sends or reads once (so the caller's context is kept), changes something the next request depends on, and asks
// again at once: the change must hold from the first request after the one that made it.

let h: TestServer;
before(async () => {
  h = await startHearth();
});
after(() => h.close());

const VIEW_AND_SEND = P.VIEW_CHANNEL | P.SEND_MESSAGES | P.READ_MESSAGE_HISTORY;

interface Setup {
  g: TestGuild;
  member: TestUser;
  channel: string;
  /** The role that lets `member` send (@everyone may not). */
  role: string;
}

async function setup(): Promise<Setup> {
  const g = await createGuild(h);
  const member = await join(h, g);
  const everyone = await h.api('PATCH', `/guilds/${g.id}/roles/${g.id}`, {
    token: g.owner.token,
    body: { permissions: P.VIEW_CHANNEL.toString() },
  });
  assert.equal(everyone.status, 200, everyone.text);
  const role = await grant(h, g, member, VIEW_AND_SEND, 'sender');
  return { g, member, channel: g.textChannelId, role };
}

const send = (s: Setup, content = 'hello', user = s.member) =>
  h.api('POST', `/channels/${s.channel}/messages`, { token: user.token, body: { content } });

async function sendsOk(s: Setup, content = 'hello'): Promise<any> {
  const res = await send(s, content);
  assert.equal(res.status, 200, res.text);
  return res.body;
}

async function refused(s: Setup, status: number, code: number): Promise<void> {
  const res = await send(s, 'after the change');
  assert.equal(res.status, status, res.text);
  assert.equal(res.body.code, code, res.text);
}

const owner = (s: Setup) => ({ token: s.g.owner.token });

test("the sending role's permissions are taken away", async () => {
  const s = await setup();
  await sendsOk(s);
  const res = await h.api('PATCH', `/guilds/${s.g.id}/roles/${s.role}`, {
    ...owner(s),
    body: { permissions: P.VIEW_CHANNEL.toString() },
  });
  assert.equal(res.status, 200, res.text);
  await refused(s, 403, 50013);
});

test('the sending role is removed from the member, then given back', async () => {
  const s = await setup();
  await sendsOk(s);
  const path = `/guilds/${s.g.id}/members/${s.member.id}/roles/${s.role}`;
  assert.equal((await h.api('DELETE', path, owner(s))).status, 204);
  await refused(s, 403, 50013);
  assert.equal((await h.api('PUT', path, owner(s))).status, 204);
  await sendsOk(s);
});

test('the sending role is deleted', async () => {
  const s = await setup();
  await sendsOk(s);
  assert.equal((await h.api('DELETE', `/guilds/${s.g.id}/roles/${s.role}`, owner(s))).status, 204);
  await refused(s, 403, 50013);
});

test('@everyone loses VIEW_CHANNEL: the channel is gone for the member', async () => {
  const s = await setup();
  await h.api('PATCH', `/guilds/${s.g.id}/roles/${s.role}`, {
    ...owner(s),
    body: { permissions: P.SEND_MESSAGES.toString() },
  });
  await sendsOk(s);
  await h.api('PATCH', `/guilds/${s.g.id}/roles/${s.g.id}`, { ...owner(s), body: { permissions: '0' } });
  await refused(s, 404, 10003);
});

test("a channel overwrite denies the member's role, then is deleted", async () => {
  const s = await setup();
  await sendsOk(s);
  const path = `/channels/${s.channel}/permissions/${s.role}`;
  const put = await h.api('PUT', path, {
    ...owner(s),
    body: { type: 0, allow: '0', deny: P.SEND_MESSAGES.toString() },
  });
  assert.equal(put.status, 204, put.text);
  await refused(s, 403, 50013);
  assert.equal((await h.api('DELETE', path, owner(s))).status, 204);
  await sendsOk(s);
});

test("the channel's category denies the member, and the channel is synced to it", async () => {
  const s = await setup();
  await sendsOk(s);
  const category = await h.api('POST', `/guilds/${s.g.id}/channels`, {
    ...owner(s),
    body: {
      name: 'locked',
      type: 4,
      permission_overwrites: [{ id: s.member.id, type: 1, allow: '0', deny: P.SEND_MESSAGES.toString() }],
    },
  });
  assert.equal(category.status, 201, category.text);
  const move = await h.api('PATCH', `/guilds/${s.g.id}/channels`, {
    ...owner(s),
    body: [{ id: s.channel, parent_id: category.body.id, lock_permissions: true }],
  });
  assert.equal(move.status, 204, move.text);
  await refused(s, 403, 50013);
});

test('the member is timed out, then the timeout is lifted', async () => {
  const s = await setup();
  await sendsOk(s);
  const path = `/guilds/${s.g.id}/members/${s.member.id}`;
  const until = new Date(Date.now() + 60_000).toISOString();
  assert.equal(
    (await h.api('PATCH', path, { ...owner(s), body: { communication_disabled_until: until } })).status,
    200,
  );
  await refused(s, 403, 50013);
  assert.equal(
    (await h.api('PATCH', path, { ...owner(s), body: { communication_disabled_until: null } })).status,
    200,
  );
  await sendsOk(s);
});

test('the member is kicked', async () => {
  const s = await setup();
  await sendsOk(s);
  assert.equal((await h.api('DELETE', `/guilds/${s.g.id}/members/${s.member.id}`, owner(s))).status, 204);
  await refused(s, 404, 10003);
});

test('the member is banned', async () => {
  const s = await setup();
  await sendsOk(s);
  assert.equal((await h.api('PUT', `/guilds/${s.g.id}/bans/${s.member.id}`, owner(s))).status, 204);
  await refused(s, 404, 10003);
});

test('the member leaves', async () => {
  const s = await setup();
  await sendsOk(s);
  assert.equal((await h.api('DELETE', `/users/@me/guilds/${s.g.id}`, { token: s.member.token })).status, 204);
  await refused(s, 404, 10003);
});

test('the channel is deleted, or becomes a voice-less category', async () => {
  const s = await setup();
  await sendsOk(s);
  assert.equal((await h.api('DELETE', `/channels/${s.channel}`, owner(s))).status, 200);
  await refused(s, 404, 10003);
});

test('the guild is deleted', async () => {
  const s = await setup();
  await sendsOk(s);
  assert.equal((await h.api('DELETE', `/guilds/${s.g.id}`, owner(s))).status, 204);
  await refused(s, 404, 10003);
});

test('slowmode is turned on', async () => {
  const s = await setup();
  await sendsOk(s);
  const res = await h.api('PATCH', `/channels/${s.channel}`, {
    ...owner(s),
    body: { rate_limit_per_user: 60 },
  });
  assert.equal(res.status, 200, res.text);
  await sendsOk(s, 'first under slowmode');
  const again = await send(s, 'second under slowmode');
  assert.equal(again.status, 429, again.text);
});

test('a new nickname and a new username are what the next message carries', async () => {
  const s = await setup();
  await sendsOk(s);
  const nick = await h.api('PATCH', `/guilds/${s.g.id}/members/${s.member.id}`, {
    ...owner(s),
    body: { nick: 'Fresh Nick' },
  });
  assert.equal(nick.status, 200, nick.text);
  const first = await sendsOk(s, 'with the new nick');
  const created = h.events.find((e) => e.t === 'MESSAGE_CREATE' && (e.d as { id: string }).id === first.id);
  assert.ok(created, 'MESSAGE_CREATE published');
  assert.equal((created.d as { member?: { nick?: string } }).member?.nick, 'Fresh Nick');

  const username = `renamed_${Date.now().toString(36)}`;
  const rename = await h.api('PATCH', '/users/@me', {
    token: s.member.token,
    body: { username, password: s.member.password },
  });
  assert.equal(rename.status, 200, rename.text);
  const second = await sendsOk(s, 'with the new name');
  assert.equal(second.author.username, username);
});

test('ownership moves away from a sender who had no sending role', async () => {
  const s = await setup();
  // The owner sends by ownership alone (@everyone may only view).
  const first = await send(s, 'as owner', s.g.owner);
  assert.equal(first.status, 200, first.text);
  const transfer = await h.api('PATCH', `/guilds/${s.g.id}`, {
    ...owner(s),
    body: { owner_id: s.member.id },
  });
  assert.equal(transfer.status, 200, transfer.text);
  const res = await send(s, 'no longer owner', s.g.owner);
  assert.equal(res.status, 403, res.text);
});

const history = (s: Setup) =>
  h.api('GET', `/channels/${s.channel}/messages?limit=5`, { token: s.member.token });

test('history: READ_MESSAGE_HISTORY is taken away, then VIEW_CHANNEL', async () => {
  const s = await setup();
  const sent = await sendsOk(s, 'readable');
  const before = await history(s);
  assert.equal(before.status, 200, before.text);
  assert.ok(before.body.some((m: { id: string }) => m.id === sent.id));
  const path = `/guilds/${s.g.id}/roles/${s.role}`;
  await h.api('PATCH', path, {
    ...owner(s),
    body: { permissions: (P.VIEW_CHANNEL | P.SEND_MESSAGES).toString() },
  });
  const hidden = await history(s);
  assert.equal(hidden.status, 200, hidden.text);
  assert.deepEqual(hidden.body, [], 'no history without READ_MESSAGE_HISTORY');
  await h.api('PATCH', `/guilds/${s.g.id}/roles/${s.g.id}`, { ...owner(s), body: { permissions: '0' } });
  await h.api('PATCH', path, { ...owner(s), body: { permissions: P.READ_MESSAGE_HISTORY.toString() } });
  const gone = await history(s);
  assert.equal(gone.status, 404, gone.text);
});

test('history: a kicked member reads nothing', async () => {
  const s = await setup();
  await sendsOk(s);
  assert.equal((await history(s)).status, 200);
  assert.equal((await h.api('DELETE', `/guilds/${s.g.id}/members/${s.member.id}`, owner(s))).status, 204);
  const res = await history(s);
  assert.equal(res.status, 404, res.text);
  assert.equal(res.body.code, 10003);
});
