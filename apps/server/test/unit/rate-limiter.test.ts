import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryRateLimiter } from '../../src/events/rate-limiter';

test('the in-process limiter counts a fixed window per key', async () => {
  let now = 1_000_000;
  const limiter = createMemoryRateLimiter(() => now);
  assert.deepEqual(await limiter.hit('a', 2, 1000), {
    allowed: true,
    limit: 2,
    remaining: 1,
    resetAfterMs: 1000,
  });
  now += 400;
  assert.equal((await limiter.hit('a', 2, 1000)).remaining, 0);
  const third = await limiter.hit('a', 2, 1000);
  assert.equal(third.allowed, false);
  assert.equal(third.resetAfterMs, 600);
  assert.equal((await limiter.hit('b', 2, 1000)).allowed, true, 'keys are independent');
  now += 600;
  assert.equal((await limiter.hit('a', 2, 1000)).allowed, true, 'a new window starts');
});
