import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export class WorkerIdClashError extends Error {}

const TTL_MS = 15_000;

/**
 * Holds `hearth:worker:<id>` in Redis while the process runs, so that two processes never mint snowflakes
 * with the same worker id. Throws WorkerIdClashError when another live process holds it.
 */
export async function claimWorkerId(url: string, workerId: number): Promise<{ release(): Promise<void> }> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  await redis.connect();
  const key = `hearth:worker:${workerId}`;
  const owner = randomUUID();
  const ok = await redis.set(key, owner, 'PX', TTL_MS, 'NX');
  if (ok !== 'OK') {
    redis.disconnect();
    throw new WorkerIdClashError(
      `WORKER_ID ${workerId} is in use by another Hearth process sharing this Redis; give each process its own WORKER_ID`,
    );
  }
  const renew = setInterval(() => {
    redis
      .eval(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0",
        1,
        key,
        owner,
        TTL_MS,
      )
      .catch(() => {});
  }, TTL_MS / 3);
  renew.unref();
  return {
    async release() {
      clearInterval(renew);
      await redis
        .eval(
          "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
          1,
          key,
          owner,
        )
        .catch(() => {});
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
