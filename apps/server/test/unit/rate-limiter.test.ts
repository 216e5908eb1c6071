import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelayMs, createMemoryRateLimiter } from '../../src/state/rate-limiter';

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

test('attempts: a few free, then each wait doubles up to the cap; forget starts afresh', async () => {
  let now = 1_000_000;
  const limiter = createMemoryRateLimiter(() => now);
  const policy = { free: 2, baseDelayMs: 1000, maxDelayMs: 4000, forgetAfterMs: 60_000 };
  assert.equal((await limiter.attempt('k', policy)).allowed, true);
  assert.equal((await limiter.attempt('k', policy)).allowed, true);
  assert.deepEqual(await limiter.attempt('k', policy), { allowed: false, attempts: 2, retryAfterMs: 1000 });
  now += 1000;
  assert.equal((await limiter.attempt('k', policy)).allowed, true, 'after the first wait');
  now += 1999;
  assert.deepEqual(await limiter.attempt('k', policy), { allowed: false, attempts: 3, retryAfterMs: 1 });
  now += 1;
  assert.equal((await limiter.attempt('k', policy)).allowed, true, 'after a doubled wait');
  assert.equal(backoffDelayMs(4, policy), 4000);
  assert.equal(backoffDelayMs(40, policy), 4000, 'capped');
  assert.equal((await limiter.attempt('other', policy)).allowed, true, 'keys are independent');
  await limiter.forget('k');
  assert.equal((await limiter.attempt('k', policy)).attempts, 1);
  now += 60_000;
  assert.equal((await limiter.attempt('other', policy)).attempts, 1, 'forgotten after a quiet while');
});
