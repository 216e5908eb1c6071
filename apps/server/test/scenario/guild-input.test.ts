import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Permission as P } from '@hearth/permissions';
import { createGuild, grant, join, type TestGuild } from '../guild-helpers';
import { startHearth, type TestServer, type TestUser } from '../harness';

// Bad input to the guild routes: each is a 400 Invalid Form Body naming the field, and nothing is written —
// the guild, its channels, roles, members and audit log look the same afterwards and no event is published.

let h: TestServer;
let g: TestGuild;
let member: TestUser;
let category: string;
let otherCategory: string;
let role: string;
let foreignRole: string;
before(async () => {
  h = await startHearth();
  g = await createGuild(h);
  member = await join(h, g);
  const create = async (body: object) =>
    (await h.api('POST', `/guilds/${g.id}/channels`, { token: g.owner.token, body })).body.id as string;
  category = await create({ name: 'Cat', type: 4 });
  otherCategory = await create({ name: 'Other', type: 4 });
  role = await grant(h, g, member, P.SEND_MESSAGES, 'low');
  const other = await createGuild(h);
  foreignRole = (
    await h.api('POST', `/guilds/${other.id}/roles`, { token: other.owner.token, body: { name: 'theirs' } })
  ).body.id;
});
after(() => h.close());

interface Case {
  name: string;
  method: string;
  path: () => string;
  body: () => unknown;
  /** The path of the field error, e.g. ['permission_overwrites', '0', 'id']. */
  field: string[];
}

const long = 'x'.repeat(101);
const cases: Case[] = [
  {
    name: 'over-long guild name',
    method: 'POST',
    path: () => '/guilds',
    body: () => ({ name: long }),
    field: ['name'],
  },
  {
    name: 'over-long guild rename',
    method: 'PATCH',
    path: () => `/guilds/${g.id}`,
    body: () => ({ name: long }),
    field: ['name'],
  },
  {
    name: 'over-long channel name',
    method: 'POST',
    path: () => `/guilds/${g.id}/channels`,
    body: () => ({ name: long }),
    field: ['name'],
  },
  {
    name: 'over-long channel rename',
    method: 'PATCH',
    path: () => `/channels/${g.textChannelId}`,
    body: () => ({ name: long }),
    field: ['name'],
  },
  {
    name: 'over-long role name',
    method: 'POST',
    path: () => `/guilds/${g.id}/roles`,
    body: () => ({ name: long }),
    field: ['name'],
  },
  {
    name: 'over-long nickname',
    method: 'PATCH',
    path: () => `/guilds/${g.id}/members/@me`,
    body: () => ({ nick: 'n'.repeat(33) }),
    field: ['nick'],
  },
  {
    name: 'color above 0xFFFFFF',
    method: 'POST',
    path: () => `/guilds/${g.id}/roles`,
    body: () => ({ name: 'c', color: 0x1000000 }),
    field: ['color'],
  },
  {
    name: 'negative color',
    method: 'PATCH',
    path: () => `/guilds/${g.id}/roles/${role}`,
    body: () => ({ color: -1 }),
    field: ['color'],
  },
  {
    name: 'color as a string',
    method: 'PATCH',
    path: () => `/guilds/${g.id}/roles/${role}`,
    body: () => ({ color: 'red' }),
    field: ['color'],
  },
  {
    name: 'overwrite for another guild’s role',
    method: 'PUT',
    path: () => `/channels/${g.textChannelId}/permissions/${foreignRole}`,
    body: () => ({ type: 0, deny: P.SEND_MESSAGES.toString() }),
    field: ['id'],
  },
  {
    name: 'new channel with another guild’s role in its overwrites',
    method: 'POST',
    path: () => `/guilds/${g.id}/channels`,
    body: () => ({ name: 'leaky', permission_overwrites: [{ id: foreignRole, type: 0, allow: '0' }] }),
    field: ['permission_overwrites', '0', 'id'],
  },
  {
    name: 'channel overwrites naming another guild’s role',
    method: 'PATCH',
    path: () => `/channels/${g.textChannelId}`,
    body: () => ({ permission_overwrites: [{ id: foreignRole, type: 0, allow: '0' }] }),
    field: ['permission_overwrites', '0', 'id'],
  },
  {
    name: 'role position beyond the roles',
    method: 'PATCH',
    path: () => `/guilds/${g.id}/roles`,
    body: () => [{ id: role, position: 99 }],
    field: ['0', 'position'],
  },
  {
    name: 'role position 0 (that of @everyone)',
    method: 'PATCH',
    path: () => `/guilds/${g.id}/roles`,
    body: () => [{ id: role, position: 0 }],
    field: ['0', 'position'],
  },
  {
    name: 'negative role position',
    method: 'PATCH',
    path: () => `/guilds/${g.id}/roles`,
    body: () => [{ id: role, position: -1 }],
    field: ['0', 'position'],
  },
  {
    name: 'a role moved twice in one request',
    method: 'PATCH',
    path: () => `/guilds/${g.id}/roles`,
    body: () => [
      { id: role, position: 1 },
      { id: role, position: 2 },
    ],
    field: ['1', 'id'],
  },
  {
    name: 'channel position beyond the channels',
    method: 'PATCH',
    path: () => `/guilds/${g.id}/channels`,
    body: () => [{ id: g.textChannelId, position: 999 }],
    field: ['0', 'position'],
  },
  {
    name: 'a channel moved twice in one request',
    method: 'PATCH',
    path: () => `/guilds/${g.id}/channels`,
    body: () => [
      { id: g.textChannelId, position: 1 },
      { id: g.textChannelId, position: 2 },
    ],
    field: ['1', 'id'],
  },
  {
    name: 'channel moved beyond the channels',
    method: 'PATCH',
    path: () => `/channels/${g.textChannelId}`,
    body: () => ({ position: 999 }),
    field: ['position'],
  },
  {
    name: 'new channel placed beyond the channels',
    method: 'POST',
    path: () => `/guilds/${g.id}/channels`,
    body: () => ({ name: 'far', position: 999 }),
    field: ['position'],
  },
  {
    name: 'new category inside a category',
    method: 'POST',
    path: () => `/guilds/${g.id}/channels`,
    body: () => ({ name: 'nested', type: 4, parent_id: category }),
    field: ['parent_id'],
  },
  {
    name: 'category moved into a category',
    method: 'PATCH',
    path: () => `/channels/${category}`,
    body: () => ({ parent_id: otherCategory }),
    field: ['parent_id'],
  },
  {
    name: 'category moved into a category in bulk',
    method: 'PATCH',
    path: () => `/guilds/${g.id}/channels`,
    body: () => [{ id: category, parent_id: otherCategory }],
    field: ['0', 'parent_id'],
  },
  {
    name: 'a text channel as a parent',
    method: 'PATCH',
    path: () => `/channels/${g.voiceChannelId}`,
    body: () => ({ parent_id: g.textChannelId }),
    field: ['parent_id'],
  },
  {
    name: 'a voice channel as the system channel',
    method: 'PATCH',
    path: () => `/guilds/${g.id}`,
    body: () => ({ system_channel_id: g.voiceChannelId }),
    field: ['system_channel_id'],
  },
  {
    name: 'a timeout longer than 28 days',
    method: 'PATCH',
    path: () => `/guilds/${g.id}/members/${member.id}`,
    body: () => ({ communication_disabled_until: new Date(Date.now() + 29 * 86400_000).toISOString() }),
    field: ['communication_disabled_until'],
  },
  {
    name: 'a member given another guild’s role',
    method: 'PATCH',
    path: () => `/guilds/${g.id}/members/${member.id}`,
    body: () => ({ roles: [foreignRole] }),
    field: ['roles'],
  },
];

/** Everything a refused request might have changed, as the owner sees it. */
async function snapshot() {
  const get = async (path: string) => (await h.api('GET', path, { token: g.owner.token })).body;
  return {
    guild: await get(`/guilds/${g.id}`),
    channels: await get(`/guilds/${g.id}/channels`),
    roles: await get(`/guilds/${g.id}/roles`),
    members: await get(`/guilds/${g.id}/members?limit=1000`),
    audit: await get(`/guilds/${g.id}/audit-logs?limit=100`),
    guilds: await get('/users/@me/guilds'),
  };
}

for (const c of cases) {
  test(`${c.name}: 400 naming ${c.field.join('.')}, nothing written`, async () => {
    const before = await snapshot();
    const published = h.events.length;
    const res = await h.api(c.method, c.path(), { token: g.owner.token, body: c.body() });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.code, 50035, res.text);
    let node = res.body.errors;
    for (const key of c.field) node = node?.[key];
    assert.ok(node?._errors?.length, `an error at ${c.field.join('.')}: ${res.text}`);
    assert.equal(typeof node._errors[0].code, 'string');
    assert.deepEqual(await snapshot(), before, 'nothing written');
    assert.deepEqual(h.events.slice(published), [], 'nothing published');
  });
}
