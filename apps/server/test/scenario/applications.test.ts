import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHearth, type TestServer } from '../harness';

let h: TestServer;
before(async () => {
  h = await startHearth();
});
after(() => h.close());

async function createBot(owner: { token: string }, name = 'Helper Bot') {
  const app = await h.api('POST', '/applications', { token: owner.token, body: { name } });
  assert.equal(app.status, 201, app.text);
  const reset = await h.api('POST', `/applications/${app.body.id}/bot/reset`, { token: owner.token });
  assert.equal(reset.status, 200);
  return { app: app.body, token: `Bot ${reset.body.token}` };
}

describe('applications and bots', () => {
  test('an application comes with a bot user, and its token authenticates as that bot', async () => {
    const owner = await h.register();
    const { app, token } = await createBot(owner);
    assert.equal(app.owner.id, owner.id);
    assert.equal(app.bot.bot, true);
    assert.equal(app.name, 'Helper Bot');

    const me = await h.api('GET', '/users/@me', { token });
    assert.equal(me.status, 200);
    assert.equal(me.body.id, app.bot.id);
    assert.equal(me.body.bot, true);
    assert.equal(me.body.email, null);

    const current = await h.api('GET', '/applications/@me', { token });
    assert.equal(current.status, 200);
    assert.equal(current.body.id, app.id);
    assert.equal((await h.api('GET', '/applications/@me', { token: owner.token })).status, 403);
  });

  test('the token is shown once, and a reset invalidates the previous one', async () => {
    const owner = await h.register();
    const { app, token } = await createBot(owner);
    const listed = await h.api('GET', '/applications', { token: owner.token });
    assert.equal(listed.status, 200);
    assert.ok(!JSON.stringify(listed.body).includes(token.slice(4)));
    const reset = await h.api('POST', `/applications/${app.id}/bot/reset`, { token: owner.token });
    assert.equal((await h.api('GET', '/users/@me', { token })).status, 401);
    assert.equal((await h.api('GET', '/users/@me', { token: `Bot ${reset.body.token}` })).status, 200);
  });

  test('bot tokens cannot use the auth routes or create applications', async () => {
    const owner = await h.register();
    const { token } = await createBot(owner);
    for (const [method, path] of [
      ['GET', '/auth/sessions'],
      ['POST', '/auth/logout'],
      ['POST', '/applications'],
      ['GET', '/users/@me/settings'],
    ] as const) {
      const res = await h.api(method, path, {
        token,
        body: method === 'POST' ? { name: 'nested' } : undefined,
      });
      assert.equal(res.status, 403, `${method} ${path}`);
      assert.equal(res.body.code, 20001);
    }
    const pw = await h.api('PATCH', '/users/@me', {
      token,
      body: { password: 'x', new_password: 'long enough' },
    });
    assert.equal(pw.status, 403);
  });

  test("other people cannot see or change someone's application", async () => {
    const owner = await h.register();
    const stranger = await h.register();
    const { app } = await createBot(owner);
    for (const [method, path] of [
      ['GET', `/applications/${app.id}`],
      ['PATCH', `/applications/${app.id}`],
      ['POST', `/applications/${app.id}/bot/reset`],
    ] as const) {
      const res = await h.api(method, path, {
        token: stranger.token,
        body: method === 'PATCH' ? { name: 'stolen' } : undefined,
      });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(res.body.code, 10002);
      assert.equal((await h.api(method, path, { body: method === 'PATCH' ? {} : undefined })).status, 401);
    }
    const mine = await h.api('PATCH', `/applications/${app.id}`, {
      token: owner.token,
      body: { name: 'Renamed', flags: 1 << 18 },
    });
    assert.equal(mine.status, 200);
    assert.equal(mine.body.name, 'Renamed');
    assert.equal(mine.body.flags, 1 << 18);
  });

  test('wrong bot tokens are refused', async () => {
    const owner = await h.register();
    const { app, token } = await createBot(owner);
    assert.equal((await h.api('GET', '/users/@me', { token: `${token}x` })).status, 401);
    assert.equal((await h.api('GET', '/users/@me', { token: 'Bot abc.def' })).status, 401);
    const other = await createBot(owner, 'Second Bot');
    // A valid secret under another bot's id prefix fails.
    const secret = other.token.split('.')[1];
    const prefix = Buffer.from(app.bot.id).toString('base64url');
    assert.equal((await h.api('GET', '/users/@me', { token: `Bot ${prefix}.${secret}` })).status, 401);
    const invalid = await h.api('POST', '/applications', { token: owner.token, body: { name: 'x' } });
    assert.equal(invalid.status, 400);
  });
});
