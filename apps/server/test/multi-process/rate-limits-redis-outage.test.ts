import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { createGuild, type TestGuild } from '../guild-helpers';
import { startHearth, type TestServer, type TestUser } from '../harness';
import { PrivateRedis, privateRedisSkip } from '../redis-server';

// While Redis is unreachable, limits are this process's own and logins work; when it is back, limits are shared
// again. The test runs its own Redis, which it kills and restarts; the machine's shared one is left alone.

let redis: PrivateRedis;
let h: TestServer;
let g: TestGuild;
let user: TestUser;

async function until(what: string, condition: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 15_000; !condition(); await new Promise((r) => setTimeout(r, 50)))
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
}

const post = (channelId: string, content: string) =>
  h.api('POST', `/channels/${channelId}/messages`, { token: g.owner.token, body: { content } });

before(async () => {
  if (privateRedisSkip) return;
  redis = await PrivateRedis.start();
  h = await startHearth({
    redisUrl: redis.url,
    rateLimits: true,
    rateLimitMessagesPer5s: 3,
  });
  g = await createGuild(h);
  user = await h.register();
});

after(async () => {
  await h?.close();
  await redis?.stop();
});

test('with Redis down, logins answer and limits apply per process; with Redis back, limits are shared', {
  skip: privateRedisSkip,
  timeout: 60_000,
}, async () => {
  assert.equal(h.app.limiter.isDegraded(), false);
  await redis.stop();

  const right = await h.api('POST', '/auth/login', {
    body: { login: user.username, password: user.password },
  });
  assert.equal(right.status, 200, right.text);
  const wrong = await h.api('POST', '/auth/login', { body: { login: user.username, password: 'not it' } });
  assert.equal(wrong.status, 400, wrong.text);
  assert.equal(h.app.limiter.isDegraded(), true, 'the limiter says it is degraded');

  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) statuses.push((await post(g.textChannelId, `outage ${i}`)).status);
  assert.deepEqual(statuses, [200, 200, 200, 429], 'the per-process bucket still applies');

  await redis.resume();
  await until('the limiter to use Redis again', () => !h.app.limiter.isDegraded());
  const channel = await h.api('POST', `/guilds/${g.id}/channels`, {
    token: g.owner.token,
    body: { name: 'back' },
  });
  assert.equal((await post(channel.body.id, 'back')).status, 200);
  const check = new Redis(redis.url);
  try {
    const keys = await check.keys('hearth:rl:message-create:*');
    assert.ok(
      keys.some((k) => k.endsWith(`:${channel.body.id}`)),
      `counted in Redis again: ${keys}`,
    );
  } finally {
    check.disconnect();
  }
});
