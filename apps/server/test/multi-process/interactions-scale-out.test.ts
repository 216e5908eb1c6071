import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { TestGateway } from '../gateway-client';
import { callApi as api, asServer, type GroupProcess, ProcessGroup, waitForHealth } from '../process';

// Interactions across two Hearth processes on one PostgreSQL and one Redis (ADR 0039): a person invokes on A while the
// application's bot is connected to B. The interaction reaches the bot on B, its answer (sent to B) reaches the
// invoker on A, and one the bot never answers fails for the invoker by the deadline job, whichever process runs it;
// a late answer is refused on either process.

const adminUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
const skip = !adminUrl || !redisUrl ? 'needs DATABASE_URL and REDIS_URL' : false;

describe('interactions across processes', { skip }, () => {
  let group: ProcessGroup;
  let a: GroupProcess;
  let b: GroupProcess;
  let token: string;
  let guildId: string;
  let channelId: string;
  let appId: string;
  let commandId: string;
  let botGw: TestGateway | undefined;
  let personGw: TestGateway | undefined;

  before(async () => {
    group = await ProcessGroup.onPostgres();
    const workerBase = 600 + Math.floor(Math.random() * 90);
    // Long enough for an answer on a loaded machine; the unanswered one waits it out.
    const env = { REDIS_URL: redisUrl as string, INTERACTION_DEADLINE_MS: '8000' };
    a = await group.start(workerBase, env);
    b = await group.start(workerBase + 1, env);
    await Promise.all([waitForHealth(a), waitForHealth(b)]);
    const reg = await api(a, 'POST', '/auth/register', undefined, {
      email: 'invoker@example.test',
      username: `invoker_${randomBytes(3).toString('hex')}`,
      password: 'long enough',
    });
    assert.equal(reg.status, 201);
    token = reg.body.token;
    guildId = (await api(a, 'POST', '/guilds', token, { name: 'Commands' })).body.id;
    channelId = (await api(a, 'GET', `/guilds/${guildId}/channels`, token)).body.find(
      (c: { type: number }) => c.type === 0,
    ).id;
    appId = (await api(a, 'POST', '/applications', token, { name: 'Far Bot' })).body.id;
    const botToken = (await api(a, 'POST', `/applications/${appId}/bot/reset`, token)).body.token;
    const added = await api(a, 'POST', `/oauth2/authorize?client_id=${appId}&scope=bot`, token, {
      guild_id: guildId,
      permissions: '0',
      authorize: true,
    });
    assert.equal(added.status, 200);
    const command = await api(
      b,
      'POST',
      `/applications/${appId}/guilds/${guildId}/commands`,
      `Bot ${botToken}`,
      {
        name: 'ping',
        description: 'Pings',
      },
    );
    assert.equal(command.status, 201);
    commandId = command.body.id;
    botGw = await TestGateway.identify(asServer(b), `Bot ${botToken}`, { intents: 1 }, 1);
    personGw = await TestGateway.identify(asServer(a), token, {}, 1);
  });

  after(async () => {
    botGw?.close();
    personGw?.close();
    await group?.close();
  });

  const invoke = (nonce: string) =>
    api(a, 'POST', '/interactions', token, {
      type: 2,
      application_id: appId,
      guild_id: guildId,
      channel_id: channelId,
      nonce,
      data: { id: commandId, name: 'ping', type: 1 },
    });

  test('invoked on A, delivered to the bot on B, answered on B: the invoker on A sees the answer', async () => {
    assert.equal((await invoke('answered')).status, 204);
    const echo = await personGw!.dispatch('INTERACTION_CREATE', (d) => d.nonce === 'answered', 30_000);
    const i = await botGw!.dispatch('INTERACTION_CREATE', (d) => d.id === echo.id, 30_000);
    assert.equal(i.channel_id, channelId);
    const answered = await api(b, 'POST', `/interactions/${i.id}/${i.token}/callback`, undefined, {
      type: 4,
      data: { content: 'pong from afar' },
    });
    assert.equal(answered.status, 204);
    await personGw!.dispatch('INTERACTION_SUCCESS', (d) => d.id === i.id, 30_000);
    await personGw!.dispatch('MESSAGE_CREATE', (d) => d.content === 'pong from afar', 30_000);
    // The one answer is taken: a second one, on the other process, is 40060.
    const again = await api(a, 'POST', `/interactions/${i.id}/${i.token}/callback`, undefined, {
      type: 4,
      data: { content: 'again' },
    });
    assert.equal(again.status, 400);
    assert.equal(again.body.code, 40060);
    // Its webhook works from either process too.
    const edited = await api(a, 'PATCH', `/webhooks/${appId}/${i.token}/messages/@original`, undefined, {
      content: 'pong, edited on A',
    });
    assert.equal(edited.status, 200);
    assert.equal(edited.body.content, 'pong, edited on A');
  });

  test('never answered: the invoker on A is told it failed, once; a late answer is refused on both', async () => {
    assert.equal((await invoke('ignored')).status, 204);
    const echo = await personGw!.dispatch('INTERACTION_CREATE', (d) => d.nonce === 'ignored', 30_000);
    const i = await botGw!.dispatch('INTERACTION_CREATE', (d) => d.id === echo.id, 30_000);
    const failed = await personGw!.dispatch('INTERACTION_FAILURE', (d) => d.id === i.id, 60_000);
    assert.equal(failed.nonce, 'ignored');
    for (const p of [a, b]) {
      const late = await api(p, 'POST', `/interactions/${i.id}/${i.token}/callback`, undefined, {
        type: 4,
        data: { content: 'too late' },
      });
      assert.equal(late.status, 404);
      assert.equal(late.body.code, 10062);
    }
    assert.equal(await personGw!.never('INTERACTION_FAILURE', (d) => d.id === i.id, 500), true);
  });
});
