import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Permission } from '@hearth/permissions';
import { REST, RESTEvents, Routes } from 'discord.js';
import { createGuild, say, type TestGuild } from '../guild-helpers';
import { type ApiResponse, startHearth, type TestServer, type TestUser } from '../harness';

// Discord's per-route buckets and global limit, with the headers libraries schedule their requests from.

let h: TestServer;
let g: TestGuild;

before(async () => {
  h = await startHearth({ rateLimits: true, rateLimitMessagesPer5s: 3 });
  g = await createGuild(h);
});

after(async () => {
  await h?.close();
});

/** A bot in `guild` with every permission; returns its token. */
async function addBot(server: TestServer, owner: TestUser, guildId?: string): Promise<string> {
  const app = (
    await server.api('POST', '/applications', { token: owner.token, body: { name: 'Limited Bot' } })
  ).body;
  if (guildId) {
    const added = await server.api('POST', `/oauth2/authorize?client_id=${app.id}&scope=bot`, {
      token: owner.token,
      body: { guild_id: guildId, permissions: Permission.ADMINISTRATOR.toString(), authorize: true },
    });
    assert.equal(added.status, 200, added.text);
  }
  const reset = await server.api('POST', `/applications/${app.id}/bot/reset`, { token: owner.token });
  return reset.body.token as string;
}

async function newChannel(name: string): Promise<string> {
  const res = await h.api('POST', `/guilds/${g.id}/channels`, { token: g.owner.token, body: { name } });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

function assertRateLimited(res: ApiResponse, opts: { global: boolean }) {
  assert.equal(res.status, 429, res.text);
  assert.equal(res.body.message, 'You are being rate limited.');
  assert.equal(typeof res.body.retry_after, 'number');
  assert.ok(res.body.retry_after > 0);
  assert.equal(res.body.global, opts.global);
  const retryAfter = Number(res.headers.get('retry-after'));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter >= res.body.retry_after);
  assert.equal(res.headers.get('x-ratelimit-scope'), opts.global ? 'global' : 'user');
  assert.equal(res.headers.get('x-ratelimit-global'), opts.global ? 'true' : null);
}

describe('per-route buckets', () => {
  test('message create: the bucket per channel and caller, its headers, then 429 the Discord way', async () => {
    const channel = await newChannel('limited');
    const post = (channelId: string, content: string) =>
      h.api('POST', `/channels/${channelId}/messages`, { token: g.owner.token, body: { content } });
    const answers: ApiResponse[] = [];
    for (let i = 0; i < 3; i++) answers.push(await post(channel, `m${i}`));
    for (const [i, res] of answers.entries()) {
      assert.equal(res.status, 200, res.text);
      assert.equal(res.headers.get('x-ratelimit-limit'), '3');
      assert.equal(res.headers.get('x-ratelimit-remaining'), String(2 - i));
      const resetAfter = Number(res.headers.get('x-ratelimit-reset-after'));
      assert.ok(resetAfter > 0 && resetAfter <= 5, `reset-after ${resetAfter}`);
      const reset = Number(res.headers.get('x-ratelimit-reset'));
      assert.ok(Math.abs(reset - (Date.now() / 1000 + resetAfter)) < 5, `reset ${reset}`);
      assert.match(res.headers.get('x-ratelimit-reset') ?? '', /^\d+\.\d{3}$/);
      assert.equal(res.headers.get('x-ratelimit-scope'), null, 'the scope is told on 429s only');
    }
    const bucket = answers[0].headers.get('x-ratelimit-bucket');
    assert.ok(bucket && answers.every((r) => r.headers.get('x-ratelimit-bucket') === bucket));

    const over = await post(channel, 'one too many');
    assertRateLimited(over, { global: false });
    assert.equal(over.headers.get('x-ratelimit-remaining'), '0');
    assert.equal(over.headers.get('x-ratelimit-bucket'), bucket);
    assert.ok(Number(over.headers.get('x-ratelimit-reset-after')) <= 5);
    const history = await h.api('GET', `/channels/${channel}/messages`, { token: g.owner.token });
    assert.deepEqual(
      history.body.map((m: { content: string }) => m.content),
      ['m2', 'm1', 'm0'],
      'the refused message was not stored',
    );

    // Another channel is another count under the same bucket id.
    const elsewhere = await post(g.textChannelId, 'elsewhere');
    assert.equal(elsewhere.status, 200);
    assert.equal(elsewhere.headers.get('x-ratelimit-bucket'), bucket);
    assert.equal(elsewhere.headers.get('x-ratelimit-remaining'), '2');
  });

  test('typing is limited per channel', async () => {
    const channel = await newChannel('typing');
    // At once, so that all six fall in one window however slow the machine is.
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => h.api('POST', `/channels/${channel}/typing`, { token: g.owner.token })),
    );
    assert.deepEqual(answers.map((r) => r.status).sort(), [204, 204, 204, 204, 204, 429]);
    assertRateLimited(answers.find((r) => r.status === 429)!, { global: false });
  });

  test('reactions: one per quarter second; parallel ones are refused with the bucket headers', async () => {
    const message = await say(h, g.owner, g.textChannelId, 'r');
    const emojis = ['👍', '👎', '😀', '🎉', '🔥', '❤️'];
    const answers = await Promise.all(
      emojis.map((e) =>
        h.api(
          'PUT',
          `/channels/${g.textChannelId}/messages/${message.id}/reactions/${encodeURIComponent(e)}/@me`,
          { token: g.owner.token },
        ),
      ),
    );
    const refused = answers.filter((r) => r.status === 429);
    assert.ok(refused.length > 0, 'parallel reactions are limited');
    assertRateLimited(refused[0], { global: false });
    const first = answers.find((r) => r.status === 204)!;
    assert.equal(first.headers.get('x-ratelimit-limit'), '1');
    assert.equal(first.headers.get('x-ratelimit-remaining'), '0');
    assert.ok(Number(first.headers.get('x-ratelimit-reset-after')) <= 0.25);
  });

  test('message edits are limited', async () => {
    const channel = await newChannel('edits');
    const message = await say(h, g.owner, channel, 'v0');
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        h.api('PATCH', `/channels/${channel}/messages/${message.id}`, {
          token: g.owner.token,
          body: { content: `v${i + 1}` },
        }),
      ),
    );
    assert.deepEqual(answers.map((r) => r.status).sort(), [200, 200, 200, 200, 200, 429]);
    assertRateLimited(answers.find((r) => r.status === 429)!, { global: false });
  });

  test('message deletes are limited', async () => {
    const channel = await newChannel('deletes');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await h.api('POST', `/channels/${channel}/messages`, {
        token: g.owner.token,
        body: { content: `d${i}` },
      });
      assert.equal(res.status, 200);
      ids.push(res.body.id);
    }
    // Six deletes at once (each message twice: the second is a 404 when it is not refused first).
    const answers = await Promise.all(
      [...ids, ...ids].map((id) =>
        h.api('DELETE', `/channels/${channel}/messages/${id}`, { token: g.owner.token }),
      ),
    );
    assert.ok(answers.some((r) => r.status === 204));
    const refused = answers.filter((r) => r.status === 429);
    assert.ok(refused.length >= 1, `six deletes at once: ${answers.map((r) => r.status)}`);
    assertRateLimited(refused[0], { global: false });
  });

  test('discord.js queues messages past the bucket from the headers, and every message arrives', async () => {
    const channel = await newChannel('discordjs');
    const token = await addBot(h, g.owner, g.id);
    const rest = new REST({ api: `${h.url}/api`, retries: 0 }).setToken(token);
    let limitedWaits = 0;
    const responses: number[] = [];
    rest.on(RESTEvents.RateLimited, () => limitedWaits++);
    rest.on(RESTEvents.Response, (_req, res) => responses.push(res.status));
    const contents = Array.from({ length: 5 }, (_, i) => `queued ${i}`);
    // All at once: the library holds back what the bucket's headers say would be over the limit.
    await Promise.all(
      contents.map((content) => rest.post(Routes.channelMessages(channel), { body: { content } })),
    );
    const history = await h.api('GET', `/channels/${channel}/messages`, { token: g.owner.token });
    assert.deepEqual(history.body.map((m: { content: string }) => m.content).reverse(), contents);
    assert.ok(limitedWaits >= 1, 'the library waited for the bucket to reset');
    assert.deepEqual(
      responses.filter((s) => s === 429),
      [],
      'the headers let the library wait instead of being refused',
    );
  });
});

describe('the global limit', () => {
  test("a bot's requests per second are limited across routes; 429 says global, other tokens go on", async () => {
    const server = await startHearth({ rateLimits: true, rateLimitGlobalPerSecond: 5 });
    try {
      const owner = await server.register();
      const token = `Bot ${await addBot(server, owner)}`;
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          server.api('GET', i % 2 ? '/users/@me' : '/users/@me/guilds', { token }),
        ),
      );
      const refused = answers.filter((r) => r.status === 429);
      assert.ok(refused.length >= 1, `20 requests at once, 5 per second: ${answers.map((r) => r.status)}`);
      const res = refused[0];
      assertRateLimited(res, { global: true });
      assert.ok(res.body.retry_after <= 1);
      assert.equal((await server.api('GET', '/users/@me', { token: owner.token })).status, 200);
    } finally {
      await server.close();
    }
  });
});
