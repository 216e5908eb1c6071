import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SNOWFLAKE_PATTERN } from '@hearth/protocol';
import { createGuild, say, type TestGuild } from '../guild-helpers';
import { startHearth, type TestServer } from '../harness';

// Ids are PostgreSQL bigints. An id above 2^63 − 1 cannot exist: anywhere a client can put one (a path, a query,
// a body, payload_json, a mention, a custom emoji, a token's prefix) it is bad input or simply not found — never a
// 500 from the database. The path and query cases walk every route in the OpenAPI document, so a new route with a
// snowflake that bypasses the shared schema fails here.

const TOO_BIG = '9223372036854775808'; // 2^63
const LARGEST = '9223372036854775807'; // 2^63 − 1: valid, and names nothing

let h: TestServer;
let g: TestGuild;
let channel: string;
let message: string;
before(async () => {
  h = await startHearth();
  g = await createGuild(h);
  channel = g.textChannelId;
  message = (await say(h, g.owner, channel, 'hi')).id;
});
after(() => h.close());

interface Parameter {
  in: 'path' | 'query';
  name: string;
  schema?: { pattern?: string; anyOf?: { pattern?: string; items?: { pattern?: string } }[] };
}

function operations(): { method: string; path: string; parameters: Parameter[] }[] {
  const doc = (
    h.app.http as unknown as { swagger(): { paths: Record<string, Record<string, any>> } }
  ).swagger();
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      parameters: (op.parameters ?? []) as Parameter[],
    })),
  );
}

const isSnowflakeParam = (p: Parameter) =>
  p.schema?.pattern === SNOWFLAKE_PATTERN ||
  !!p.schema?.anyOf?.some((s) => s.pattern === SNOWFLAKE_PATTERN || s.items?.pattern === SNOWFLAKE_PATTERN);

/** A real-looking value for each path parameter, so that only the one under test is out of range. */
function fill(path: string, values: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (name in values) return encodeURIComponent(values[name]);
    if (name === 'guild_id') return g.id;
    if (name === 'channel_id') return channel;
    if (name === 'message_id') return message;
    if (name === 'user_id') return g.owner.id;
    if (name === 'emoji') return encodeURIComponent('👍');
    if (name === 'code') return 'abcdef';
    return '1';
  });
}

function assertInvalidField(
  res: { status: number; body: any; text: string },
  field: string,
  what: string,
): void {
  assert.equal(res.status, 400, `${what}: ${res.status} ${res.text}`);
  // The Mastodon client API (/api/v1, /api/v2) answers in Mastodon's shape, `{error}`, naming the field too.
  if (typeof res.body?.error === 'string') {
    assert.ok(res.body.error.includes(field), `${what} names ${field}: ${res.text}`);
    return;
  }
  assert.equal(res.body.code, 50035, `${what}: ${res.text}`);
  assert.ok(JSON.stringify(res.body.errors ?? {}).includes(field), `${what} names ${field}: ${res.text}`);
}

test('every path snowflake above 2^63 − 1 is a 400 naming the parameter', async () => {
  let checked = 0;
  for (const op of operations())
    for (const p of op.parameters.filter((p) => p.in === 'path' && isSnowflakeParam(p))) {
      const path = fill(op.path, { [p.name]: TOO_BIG });
      const res = await h.api(op.method, path, {
        token: g.owner.token,
        body: op.method === 'GET' ? undefined : {},
      });
      assertInvalidField(res, p.name, `${op.method} ${path}`);
      checked++;
    }
  assert.ok(checked > 100, `${checked} path parameters checked`);
});

test('every query snowflake above 2^63 − 1 is a 400 naming the parameter', async () => {
  let checked = 0;
  for (const op of operations().filter((o) => o.method === 'GET'))
    for (const p of op.parameters.filter((p) => p.in === 'query' && isSnowflakeParam(p))) {
      const path = `${fill(op.path, {})}?${p.name}=${TOO_BIG}`;
      const res = await h.api('GET', path, { token: g.owner.token });
      assertInvalidField(res, p.name, `GET ${path}`);
      checked++;
    }
  assert.ok(checked >= 15, `${checked} query parameters checked`);
});

test('the largest valid snowflake is simply not found', async () => {
  const token = g.owner.token;
  for (const path of [
    `/channels/${LARGEST}`,
    `/guilds/${LARGEST}`,
    `/users/${LARGEST}`,
    `/channels/${channel}/messages/${LARGEST}`,
  ]) {
    const res = await h.api('GET', path, { token });
    assert.equal(res.status, 404, `${path}: ${res.text}`);
  }
  for (const [cursor, expected] of [
    ['before', [message]],
    ['around', [message]],
    ['after', []],
  ] as const) {
    const page = await h.api('GET', `/channels/${channel}/messages?${cursor}=${LARGEST}`, { token });
    assert.equal(page.status, 200, `${cursor}: ${page.text}`);
    assert.deepEqual(
      page.body.map((m: { id: string }) => m.id),
      expected,
      cursor,
    );
  }
});

test('snowflakes in a body, in JSON or payload_json, are checked the same way', async () => {
  const token = g.owner.token;
  const cases: { path: string; method?: string; body: unknown; field: string }[] = [
    {
      path: `/channels/${channel}/messages`,
      body: { content: 'a reply', message_reference: { message_id: TOO_BIG } },
      field: 'message_id',
    },
    { path: '/users/@me/channels', body: { recipient_id: TOO_BIG }, field: 'recipient_id' },
    {
      path: `/channels/${channel}/messages/bulk-delete`,
      body: { messages: [message, TOO_BIG] },
      field: 'messages',
    },
    {
      path: `/guilds/${g.id}/channels`,
      body: { name: 'x', permission_overwrites: [{ id: TOO_BIG, type: 0, allow: '0', deny: '0' }] },
      field: 'permission_overwrites',
    },
    {
      path: `/guilds/${g.id}/members/${g.owner.id}`,
      method: 'PATCH',
      body: { roles: [TOO_BIG] },
      field: 'roles',
    },
    { path: `/guilds/${g.id}/channels`, method: 'PATCH', body: [{ id: TOO_BIG, position: 1 }], field: 'id' },
  ];
  for (const c of cases) {
    const res = await h.api(c.method ?? 'POST', c.path, { token, body: c.body });
    assertInvalidField(res, c.field, `${c.method ?? 'POST'} ${c.path}`);
  }

  const form = new FormData();
  form.append('payload_json', JSON.stringify({ content: 'x', message_reference: { message_id: TOO_BIG } }));
  const res = await fetch(`${h.url}/api/v10/channels/${channel}/messages`, {
    method: 'POST',
    headers: { authorization: token },
    body: form,
  });
  const body = await res.json();
  assertInvalidField({ status: res.status, body, text: JSON.stringify(body) }, 'message_id', 'payload_json');
});

test('a mention of an impossible id mentions no one, and the message is sent', async () => {
  const res = await h.api('POST', `/channels/${channel}/messages`, {
    token: g.owner.token,
    body: { content: `<@${TOO_BIG}> <@!${TOO_BIG}> <@&${TOO_BIG}> <#${TOO_BIG}> <@${g.owner.id}>` },
  });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(
    res.body.mentions.map((u: { id: string }) => u.id),
    [g.owner.id],
  );
  assert.deepEqual(res.body.mention_roles, []);
});

test('a custom emoji with an impossible id is an unknown emoji', async () => {
  const emoji = encodeURIComponent(`blob:${TOO_BIG}`);
  const base = `/channels/${channel}/messages/${message}/reactions/${emoji}`;
  for (const [method, path] of [
    ['PUT', `${base}/@me`],
    ['GET', base],
    ['DELETE', base],
  ]) {
    const res = await h.api(method, path, { token: g.owner.token });
    assert.equal(res.status, 400, `${method} ${path}: ${res.text}`);
    assert.equal(res.body.code, 10014, `${method} ${path}: ${res.text}`);
  }
  const file = await h.api('GET', `/emojis/${TOO_BIG}.png`, { root: true });
  assert.equal(file.status, 404, file.text);
});

test('a token whose prefix names an impossible id is a 401', async () => {
  const token = `${Buffer.from(TOO_BIG).toString('base64url')}.${'x'.repeat(20)}`;
  for (const auth of [token, `Bot ${token}`]) {
    const res = await h.api('GET', '/users/@me', { token: auth });
    assert.equal(res.status, 401, `${auth}: ${res.text}`);
  }
});
