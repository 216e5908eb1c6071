import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { createGuild, type TestGuild } from './guild-helpers';
import { freePort, startHearth, type TestServer, type TestUser } from './harness';

// While Redis is unreachable, limits are this process's own and logins work; when it is back, limits are shared
// again. The test runs its own Redis, which it kills and restarts; the machine's shared one is left alone.

const REDIS_SERVER = '/usr/bin/redis-server';
const skip = existsSync(REDIS_SERVER) ? false : `${REDIS_SERVER} is not installed`;

let port: number;
let redis: ChildProcess | null = null;
let h: TestServer;
let g: TestGuild;
let user: TestUser;

async function startRedis(): Promise<void> {
  redis = spawn(REDIS_SERVER, ['--port', String(port), '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const client = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null });
  client.on('error', () => {});
  for (let i = 0; ; i++) {
    try {
      await client.connect();
      await client.ping();
      break;
    } catch {
      if (i > 100) throw new Error('the private redis-server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  client.disconnect();
}

async function killRedis(): Promise<void> {
  if (!redis || redis.exitCode !== null) return;
  const exited = once(redis, 'exit');
  redis.kill('SIGKILL');
  await exited;
}

async function until(what: string, condition: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 15_000; !condition(); await new Promise((r) => setTimeout(r, 50)))
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
}

const post = (channelId: string, content: string) =>
  h.api('POST', `/channels/${channelId}/messages`, { token: g.owner.token, body: { content } });

before(async () => {
  if (skip) return;
  port = await freePort();
  await startRedis();
  h = await startHearth({
    redisUrl: `redis://127.0.0.1:${port}`,
    rateLimits: true,
    rateLimitMessagesPer5s: 3,
  });
  g = await createGuild(h);
  user = await h.register();
});

after(async () => {
  await h?.close();
  await killRedis();
});

test('with Redis down, logins answer and limits apply per process; with Redis back, limits are shared', {
  skip,
  timeout: 60_000,
}, async () => {
  assert.equal(h.app.limiter.isDegraded(), false);
  await killRedis();

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

  await startRedis();
  await until('the limiter to use Redis again', () => !h.app.limiter.isDegraded());
  const channel = await h.api('POST', `/guilds/${g.id}/channels`, {
    token: g.owner.token,
    body: { name: 'back' },
  });
  assert.equal((await post(channel.body.id, 'back')).status, 200);
  const check = new Redis(port, '127.0.0.1');
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
