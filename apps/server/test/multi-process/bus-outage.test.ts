import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { TestGateway } from '../gateway-client';
import { createGuild } from '../guild-helpers';
import { startHearth, type TestServer } from '../harness';
import { PrivateRedis, privateRedisSkip } from '../redis-server';

// One process on a Redis of this test's own, which the test stops and starts again (ADR 0020).

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a Redis outage', { skip: privateRedisSkip }, () => {
  let redis: PrivateRedis;
  let h: TestServer;
  before(async () => {
    redis = await PrivateRedis.start();
    h = await startHearth({ redisUrl: redis.url });
  });
  after(async () => {
    TestGateway.closeAll();
    await h.close();
    await redis.stop();
  });

  const health = async () => (await h.api('GET', '/health', { root: true })).body.status as string;
  async function healthBecomes(status: string): Promise<void> {
    for (let i = 0; i < 500 && (await health()) !== status; i++) await sleep(20);
    assert.equal(await health(), status);
  }

  test('messages answered while Redis is down reach the connected client once it is back, once each and in order; /health says degraded meanwhile', async () => {
    const g = await createGuild(h);
    const client = await TestGateway.identify(h, g.owner.token, {}, 1);
    const seen: string[] = [];
    client.ws.on('message', (data) => {
      const p = JSON.parse(data.toString());
      if (p.t === 'MESSAGE_CREATE') seen.push(p.d.id);
    });
    assert.equal(await health(), 'ok');
    await redis.stop();
    await healthBecomes('degraded');
    const answered: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await h.api('POST', `/channels/${g.textChannelId}/messages`, {
        token: g.owner.token,
        body: { content: `while down ${i}` },
      });
      assert.equal(res.status, 200);
      answered.push(res.body.id);
    }
    await redis.resume();
    await healthBecomes('ok');
    await client.dispatch('MESSAGE_CREATE', (d) => d.id === answered.at(-1), 20_000);
    await sleep(100);
    assert.deepEqual(seen, answered);
    assert.equal(client.closeCode, null, 'the session went on');
  });

  test('when events were lost for the process (a gap in a publisher’s stream), its sessions get op 9 and identify afresh', async () => {
    const g = await createGuild(h);
    const client = await TestGateway.identify(h, g.owner.token, {}, 1);
    const admin = new Redis(redis.url);
    try {
      // Entries of another process whose second event never reached the stream.
      const entry = (n: number) => JSON.stringify({ t: 'TEST', topic: 'user:0', d: null, o: 'lossy', n });
      await admin.xadd('hearth:events', '*', 'e', entry(1));
      await admin.xadd('hearth:events', '*', 'e', entry(3));
    } finally {
      admin.disconnect();
    }
    const invalid = await client.next((p) => p.op === 9, 10_000);
    assert.equal(invalid.d, false);
    const resume = await TestGateway.open(h);
    await resume.next((p) => p.op === 10);
    resume.send({ op: 6, d: { token: g.owner.token, session_id: client.ready.session_id, seq: client.seq } });
    assert.equal((await resume.next((p) => p.op === 9)).d, false, 'the session cannot be resumed');
    const again = await TestGateway.identify(h, g.owner.token, {}, 1);
    const res = await h.api('POST', `/channels/${g.textChannelId}/messages`, {
      token: g.owner.token,
      body: { content: 'after' },
    });
    await again.dispatch('MESSAGE_CREATE', (d) => d.id === res.body.id);
  });
});
