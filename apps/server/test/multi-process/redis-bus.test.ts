import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BUS_GAP, type Bus, type BusEvent } from '../../src/events/bus';
import { createRedisBus } from '../../src/events/redis-bus';
import { PrivateRedis, privateRedisSkip } from '../redis-server';

// The bus over a Redis stream, against a redis-server of this test's own that it stops and starts again.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  for (const deadline = Date.now() + ms; !check(); await sleep(20))
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
}

function record(bus: Bus): BusEvent[] {
  const got: BusEvent[] = [];
  bus.subscribe((e) => got.push(e));
  return got;
}

describe('the Redis stream bus', { skip: privateRedisSkip }, () => {
  let redis: PrivateRedis;
  before(async () => {
    redis = await PrivateRedis.start();
  });
  after(async () => {
    await redis.stop();
  });

  test('events published while Redis is down and after it restarts empty reach every process once, in order', {
    timeout: 60_000,
  }, async () => {
    const a = await createRedisBus(redis.url, { stream: 'outage' });
    const b = await createRedisBus(redis.url, { stream: 'outage' });
    const gotA = record(a);
    const gotB = record(b);
    const sent: Record<string, number[]> = { a: [], b: [] };
    let n = 0;
    let posting = true;
    const writers = (async () => {
      while (posting) {
        n++;
        for (const [name, bus] of [
          ['a', a],
          ['b', b],
        ] as const) {
          await bus.publish({ t: 'TEST', topic: `user:${name}`, d: n });
          sent[name].push(n);
        }
        await sleep(5);
      }
    })();
    try {
      await sleep(300);
      await redis.stop();
      await until(() => !a.connected() && !b.connected(), 'the buses notice');
      await sleep(1500);
      await redis.resume();
      await until(() => a.connected() && b.connected(), 'the buses are back');
      await sleep(300);
      posting = false;
      await writers;
      const of = (got: BusEvent[], name: string) =>
        got.filter((e) => e.topic === `user:${name}`).map((e) => e.d as number);
      const complete = () =>
        [gotA, gotB].every(
          (got) => of(got, 'a').length >= sent.a.length && of(got, 'b').length >= sent.b.length,
        );
      await until(complete, 'every event arrives');
      await sleep(200);
      for (const got of [gotA, gotB]) {
        assert.deepEqual(of(got, 'a'), sent.a, 'all of a, once, in order');
        assert.deepEqual(of(got, 'b'), sent.b, 'all of b, once, in order');
        assert.ok(!got.some((e) => e.t === BUS_GAP), 'nothing was lost');
      }
    } finally {
      posting = false;
      await writers;
      await a.close();
      await b.close();
    }
  });

  test('events beyond what a process can queue are lost, and every process hears BUS_GAP', {
    timeout: 30_000,
  }, async () => {
    const a = await createRedisBus(redis.url, { stream: 'overflow', maxPending: 5 });
    const b = await createRedisBus(redis.url, { stream: 'overflow' });
    const gotA = record(a);
    const gotB = record(b);
    try {
      await a.publish({ t: 'TEST', topic: 'user:1', d: 0 });
      await until(() => gotB.length === 1, 'the first event');
      await redis.stop();
      await until(() => !a.connected(), 'a notices');
      for (let i = 1; i <= 20; i++) await a.publish({ t: 'TEST', topic: 'user:1', d: i });
      await redis.resume();
      await until(() => gotB.some((e) => e.d === 20) && gotA.some((e) => e.d === 20), 'the last event');
      for (const got of [gotA, gotB]) {
        assert.equal(got.filter((e) => e.t === BUS_GAP).length, 1);
        assert.deepEqual(
          got.filter((e) => e.t === 'TEST' && e.d !== 0).map((e) => e.d),
          [16, 17, 18, 19, 20],
          'the newest five were kept',
        );
      }
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('range: the events after a position, or null once the stream no longer keeps them all', async () => {
    const a = await createRedisBus(redis.url, { stream: 'range', maxLength: 10 });
    const got = record(a);
    try {
      await a.publish({ t: 'TEST', topic: 'user:1', d: 0 });
      await until(() => got.length === 1, 'the first event');
      const from = a.position();
      for (let i = 1; i <= 3; i++) await a.publish({ t: 'TEST', topic: 'user:1', d: i });
      await until(() => got.length === 4, 'three more');
      const replayed = await a.range(from, a.position());
      assert.deepEqual(
        replayed?.map((e) => e.d),
        [1, 2, 3],
      );
      assert.equal(replayed?.[2].id, a.position());
      for (let i = 4; i <= 400; i++) await a.publish({ t: 'TEST', topic: 'user:1', d: i });
      await until(() => got.some((e) => e.d === 400), 'many more');
      assert.equal(await a.range(from, a.position()), null);
    } finally {
      await a.close();
    }
  });
});
