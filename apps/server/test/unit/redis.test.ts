import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BusEvent } from '../../src/events/bus';
import { createRedisBus } from '../../src/events/bus';
import { createRedisRateLimiter } from '../../src/events/rate-limiter';
import { claimWorkerId, WorkerIdClashError } from '../../src/events/worker-claim';

const url = process.env.REDIS_URL;
const skip = url ? false : 'REDIS_URL is not set';

describe('scale-out through Redis', { skip }, () => {
  test('an event published by one process reaches every process once', async () => {
    const a = await createRedisBus(url!);
    const b = await createRedisBus(url!);
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
