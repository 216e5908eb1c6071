import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { claimWorkerId, WorkerIdClashError } from '../../src/state/worker-claim';
import { PrivateRedis, privateRedisSkip } from '../redis-server';

// Worker-id claims against a Redis of this test's own, held by real processes that the test kills.

const fixture = new URL('../hold-worker-id.ts', import.meta.url).pathname;

async function holder(url: string, id: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, url, String(id)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d) => String(d).includes('claimed') && resolve());
    child.once('exit', (code) => reject(new Error(`the holder exited with ${code}`)));
  });
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

describe('worker id claims', { skip: privateRedisSkip }, () => {
  let redis: PrivateRedis;
  before(async () => {
    redis = await PrivateRedis.start();
  });
  after(async () => {
    await redis.stop();
  });

  test('a process restarted with the id of one that was killed gets it, without being told it is in use', {
    timeout: 30_000,
  }, async () => {
    const dead = await holder(redis.url, 7);
    await kill(dead);
    const claim = await claimWorkerId(redis.url, 7);
    await claim.release();
  });

  test('an id a live process holds is refused, also after the lease a dead one would have lost it in', {
    timeout: 30_000,
  }, async () => {
    const live = await holder(redis.url, 8);
    try {
      await assert.rejects(claimWorkerId(redis.url, 8), WorkerIdClashError);
    } finally {
      await kill(live);
    }
  });

  test('a claim lost with Redis’s data (restarted empty) is taken again by its holder', {
    timeout: 30_000,
  }, async () => {
    const live = await holder(redis.url, 9);
    try {
      await redis.stop();
      await redis.resume();
      // The holder takes its id again within a renewal: a newcomer never gets it.
      await assert.rejects(
        claimWorkerId(redis.url, 9).then((c) => c.release()),
        WorkerIdClashError,
      );
    } finally {
      await kill(live);
    }
  });
});
