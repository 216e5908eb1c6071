import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closeWithClients, TestGateway } from '../gateway-client';
import { createGuild, join, type TestGuild } from '../guild-helpers';
import { startHearth, type TestServer } from '../harness';

// The wire details every Discord library relies on: the answers' Content-Type, ids sent as JSON numbers,
// empty bodies with any Content-Type, `%40me`, and Discord's 404 and 405.

let h: TestServer;
let g: TestGuild;

before(async () => {
  h = await startHearth();
  g = await createGuild(h);
});

after(() => closeWithClients(h));

/** Sends `text` as a JSON body, as is (so numbers keep every digit the client wrote). */
const rawJson = (method: string, path: string, text: string) =>
  h.api(method, path, { token: g.owner.token, raw: text, headers: { 'content-type': 'application/json' } });

const post = async (content: string): Promise<string> => {
  const res = await h.api('POST', `/channels/${g.textChannelId}/messages`, {
    token: g.owner.token,
    body: { content },
  });
  assert.equal(res.status, 200, res.text);
  return res.body.id;
};

describe('Content-Type of answers', () => {
  test('is exactly application/json on success, errors, 404, 405 and 429', async () => {
    const ok = await h.api('GET', '/users/@me', { token: g.owner.token });
    assert.equal(ok.headers.get('content-type'), 'application/json');
    const invalid = await h.api('POST', '/guilds', { token: g.owner.token, body: { name: '' } });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.headers.get('content-type'), 'application/json');
    const missing = await h.api('GET', '/nowhere', { token: g.owner.token });
    assert.equal(missing.headers.get('content-type'), 'application/json');
    const wrong = await h.api('PATCH', `/channels/${g.textChannelId}/typing`, { token: g.owner.token });
    assert.equal(wrong.headers.get('content-type'), 'application/json');
    const limited = await startHearth({ rateLimits: true, rateLimitMessagesPer5s: 1 });
    try {
      const lg = await createGuild(limited);
      const send = () =>
        limited.api('POST', `/channels/${lg.textChannelId}/messages`, {
          token: lg.owner.token,
          body: { content: 'x' },
        });
      assert.equal((await send()).status, 200);
      const res = await send();
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('content-type'), 'application/json');
    } finally {
      await limited.close();
    }
  });

  test('a 204 has no Content-Type at all', async () => {
    const res = await h.api('POST', `/channels/${g.textChannelId}/typing`, { token: g.owner.token });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('content-type'), null);
  });
});

describe('ids sent as JSON numbers', () => {
  test('bulk delete deletes exactly the messages named by number', async () => {
    const ids = [await post('one'), await post('two')];
    const keep = await post('three');
    const res = await rawJson(
      'POST',
      `/channels/${g.textChannelId}/messages/bulk-delete`,
      `{"messages":[${ids}]}`,
    );
    assert.equal(res.status, 204, res.text);
    for (const id of ids) {
      const gone = await h.api('GET', `/channels/${g.textChannelId}/messages/${id}`, {
        token: g.owner.token,
      });
      assert.equal(gone.status, 404);
    }
    const kept = await h.api('GET', `/channels/${g.textChannelId}/messages/${keep}`, {
      token: g.owner.token,
    });
    assert.equal(kept.status, 200);
  });

  test('a reply names its message by number, and member roles are set by number', async () => {
    const target = await post('reply to me');
    const reply = await rawJson(
      'POST',
      `/channels/${g.textChannelId}/messages`,
      `{"content":"re","message_reference":{"message_id":${target}}}`,
    );
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.body.message_reference.message_id, target);
    const role = await h.api('POST', `/guilds/${g.id}/roles`, {
      token: g.owner.token,
      body: { name: 'numbered' },
    });
    const member = await join(h, g);
    const edit = await rawJson(
      'PATCH',
      `/guilds/${g.id}/members/${member.id}`,
      `{"roles":[${role.body.id}]}`,
    );
    assert.equal(edit.status, 200, edit.text);
    assert.deepEqual(edit.body.roles, [role.body.id]);
  });

  test('a number that cannot be read exactly is a 400 50035 naming the field', async () => {
    const target = await post('float');
    for (const number of [`${target}.5`, `${target.slice(0, 3)}.${target.slice(3)}e16`, '1e300']) {
      const res = await rawJson(
        'POST',
        `/channels/${g.textChannelId}/messages`,
        `{"content":"re","message_reference":{"message_id":${number}}}`,
      );
      assert.equal(res.status, 400, number);
      assert.equal(res.body.code, 50035);
      assert.ok(res.body.errors.message_reference.message_id._errors[0].code, res.text);
    }
  });

  test('op 8 with guild_id and user_ids as numbers answers the chunk', async () => {
    const gw = await TestGateway.identify(h, g.owner.token, { intents: 1 | 2 }, 1);
    gw.send(`{"op":8,"d":{"guild_id":${g.id},"user_ids":[${g.owner.id}],"nonce":"n1"}}`);
    const chunk = await gw.dispatch('GUILD_MEMBERS_CHUNK', (d) => d.nonce === 'n1');
    assert.equal(chunk.guild_id, g.id);
    assert.deepEqual(
      chunk.members.map((m: any) => m.user.id),
      [g.owner.id],
    );
  });

  test('a gateway frame with a number that cannot be read exactly is a decode error', async () => {
    const gw = await TestGateway.identify(h, g.owner.token, {}, 1);
    gw.send(`{"op":8,"d":{"guild_id":${g.id}.5}}`);
    assert.equal(await gw.closed(), 4002);
  });
});

describe('message bodies', () => {
  test('"content": null means no content', async () => {
    const path = `/channels/${g.textChannelId}/messages`;
    const embed = await rawJson('POST', path, '{"content":null,"embeds":[{"title":"only an embed"}]}');
    assert.equal(embed.status, 200, embed.text);
    assert.equal(embed.body.content, '');
    assert.equal(embed.body.embeds[0].title, 'only an embed');
    const empty = await rawJson('POST', path, '{"content":null}');
    assert.equal(empty.status, 400);
    assert.equal(empty.body.code, 50006);
  });
});

describe('requests with an empty body', () => {
  test('are accepted whatever their Content-Type (aiohttp sends application/octet-stream)', async () => {
    const message = await post('empty bodies');
    const member = await join(h, g);
    const role = await h.api('POST', `/guilds/${g.id}/roles`, {
      token: g.owner.token,
      body: { name: 'empty' },
    });
    const octet = { token: g.owner.token, raw: '', headers: { 'content-type': 'application/octet-stream' } };
    const paths: Array<[string, string]> = [
      ['PUT', `/channels/${g.textChannelId}/messages/${message}/reactions/${encodeURIComponent('👍')}/@me`],
      ['PUT', `/channels/${g.textChannelId}/pins/${message}`],
      ['POST', `/channels/${g.textChannelId}/typing`],
      ['PUT', `/guilds/${g.id}/members/${member.id}/roles/${role.body.id}`],
      ['PUT', `/guilds/${g.id}/bans/${member.id}`],
    ];
    for (const [method, path] of paths) {
      const res = await h.api(method, path, octet);
      assert.equal(res.status, 204, `${method} ${path}: ${res.text}`);
    }
    const json = await h.api('POST', `/channels/${g.textChannelId}/typing`, {
      ...octet,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(json.status, 204);
  });

  test('a body that is not empty still needs a type Hearth reads', async () => {
    const res = await h.api('POST', `/channels/${g.textChannelId}/messages`, {
      token: g.owner.token,
      raw: '{"content":"x"}',
      headers: { 'content-type': 'application/octet-stream' },
    });
    assert.equal(res.status, 415);
  });
});

describe('%40me', () => {
  test('means @me in every route that takes it', async () => {
    const message = await post('encoded me');
    const token = g.owner.token;
    const me = await h.api('GET', '/users/%40me', { token });
    assert.equal(me.body.id, g.owner.id);
    const guilds = await h.api('GET', '/users/%40me/guilds', { token });
    assert.equal(guilds.status, 200, guilds.text);
    assert.ok(guilds.body.some((x: any) => x.id === g.id));
    const dms = await h.api('GET', '/users/%40me/channels', { token });
    assert.equal(dms.status, 200, dms.text);
    const nick = await h.api('PATCH', `/guilds/${g.id}/members/%40me`, { token, body: { nick: 'encoded' } });
    assert.equal(nick.status, 200, nick.text);
    const react = await h.api(
      'PUT',
      `/channels/${g.textChannelId}/messages/${message}/reactions/${encodeURIComponent('🔥')}/%40me`,
      { token },
    );
    assert.equal(react.status, 204, react.text);
    const unreact = await h.api(
      'DELETE',
      `/channels/${g.textChannelId}/messages/${message}/reactions/${encodeURIComponent('🔥')}/%40me`,
      { token },
    );
    assert.equal(unreact.status, 204, unreact.text);
  });
});

describe('unknown routes and methods', () => {
  test("404 and 405 with Discord's bodies", async () => {
    const missing = await h.api('GET', '/no/such/route', { token: g.owner.token });
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { message: '404: Not Found', code: 0 });
    const wrong = await h.api('PUT', `/channels/${g.textChannelId}/messages`, {
      token: g.owner.token,
      body: {},
    });
    assert.equal(wrong.status, 405);
    assert.deepEqual(wrong.body, { message: '405: Method Not Allowed', code: 0 });
    const wrongMe = await h.api('DELETE', '/users/%40me/guilds', { token: g.owner.token });
    assert.equal(wrongMe.status, 405);
  });
});
