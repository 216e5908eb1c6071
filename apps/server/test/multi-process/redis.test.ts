import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { BusEvent } from '../../src/events/bus';
import { BUS_GAP } from '../../src/events/bus';
import { createRedisBus } from '../../src/events/redis-bus';
import { createRedisRateLimiter } from '../../src/state/rate-limiter';
import { claimWorkerId, WorkerIdClashError } from '../../src/state/worker-claim';

const url = process.env.REDIS_URL;
const skip = url ? false : 'REDIS_URL is not set';

describe('scale-out through Redis', { skip }, () => {
  test('an event published by one process reaches every process once', async () => {
    const stream = `test:events:${process.pid}:${Date.now()}`;
    const a = await createRedisBus(url!, { stream });
    const b = await createRedisBus(url!, { stream });
    try {
      const got: BusEvent[] = [];
      const done = new Promise<void>((resolve) => {
        b.subscribe((e) => {
          got.push(e);
          if (got.length === 2) resolve();
        });
      });
      await a.publish({ t: 'TEST_EVENT', topic: 'user:1', d: { n: 1 } });
      await a.publish({ t: 'TEST_EVENT', topic: 'guild:2', d: { n: 2 } });
      await done;
      assert.deepEqual(
        got.map((e) => [e.topic, (e.d as { n: number }).n]),
        [
          ['user:1', 1],
          ['guild:2', 2],
        ],
      );
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('a process whose reading connection dropped catches up: nothing published meanwhile is lost', {
    timeout: 10_000,
  }, async () => {
    const name = `hearth-events-test-${process.pid}-${Date.now()}`;
    const stream = `test:events:${name}`;
    const a = await createRedisBus(url!, { stream });
    const b = await createRedisBus(url!, { stream, name });
    const admin = new Redis(url!);
    try {
      const got: unknown[] = [];
      b.subscribe((e) => got.push(e.t === BUS_GAP ? BUS_GAP : e.d));
      const until = async (check: () => boolean) => {
        for (const deadline = Date.now() + 5000; !check(); await new Promise((r) => setTimeout(r, 10)))
          if (Date.now() > deadline) throw new Error(`timed out: got ${got.join(', ')}`);
      };
      await a.publish({ t: 'TEST', topic: 'user:1', d: 0 });
      await until(() => got.length === 1);
      // Cut b's reading connection: it reconnects by itself and reads on from where it was.
      const clients = String(await admin.client('LIST')).split('\n');
      const id = clients.find((c) => c.includes(` name=${name} `))?.match(/^id=(\d+)/)?.[1];
      assert.ok(id, 'the reading connection is listed by name');
      await admin.client('KILL', 'ID', id);
      for (let i = 1; i <= 50; i++) await a.publish({ t: 'TEST', topic: 'user:1', d: i });
      await until(() => got.length >= 51);
      assert.deepEqual(
        got,
        Array.from({ length: 51 }, (_, i) => i),
      );
    } finally {
      admin.disconnect();
      await a.close();
      await b.close();
    }
  });

  test('rate limits are shared between processes', async () => {
    const a = await createRedisRateLimiter(url!);
    const b = await createRedisRateLimiter(url!);
    const key = `test:${process.pid}:${Date.now()}`;
    try {
      assert.equal((await a.hit(key, 2, 10_000)).allowed, true);
      assert.equal((await b.hit(key, 2, 10_000)).allowed, true);
      const third = await a.hit(key, 2, 10_000);
      assert.equal(third.allowed, false);
      assert.ok(third.resetAfterMs > 0 && third.resetAfterMs <= 10_000);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('password-guess attempts are shared between processes, with the same waits', async () => {
    const a = await createRedisRateLimiter(url!);
    const b = await createRedisRateLimiter(url!);
    const key = `test-attempts:${process.pid}:${Date.now()}`;
    const policy = { free: 2, baseDelayMs: 60_000, maxDelayMs: 600_000, forgetAfterMs: 60_000 };
    try {
      assert.equal((await a.attempt(key, policy)).allowed, true);
      assert.equal((await b.attempt(key, policy)).allowed, true);
      const third = await a.attempt(key, policy);
      assert.equal(third.allowed, false);
      assert.equal(third.attempts, 2);
      assert.ok(third.retryAfterMs > 0 && third.retryAfterMs <= 60_000);
      await b.forget(key);
      assert.equal((await a.attempt(key, policy)).attempts, 1);
    } finally {
      await a.forget(key);
      await a.close();
      await b.close();
    }
  });

  test('two processes cannot hold the same worker id', async () => {
    const id = 1000 + (process.pid % 20);
    const first = await claimWorkerId(url!, id);
    try {
      await assert.rejects(claimWorkerId(url!, id), WorkerIdClashError);
    } finally {
      await first.release();
    }
    const again = await claimWorkerId(url!, id);
    await again.release();
  });
});
