import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export class WorkerIdClashError extends Error {}

/**
 * How long a claim outlives its last renewal. A process restarted with the same WORKER_ID after a crash waits at
 * most this long for the dead process's claim to lapse; a live process renews every RENEW_MS, so its claim lapses
 * only if it cannot reach Redis (or its event loop stalls) for the whole lease.
 */
const LEASE_MS = 5000;
const RENEW_MS = 1000;
/**
 * A new claim is only pending this long before it counts: a live holder whose claim Redis lost (restarted empty)
 * takes it back within a renewal, so a newcomer never starts on an id that a live process still uses.
 */
const PROBATION_MS = 2 * RENEW_MS;
const PENDING = 'pending:';

// Renews this process's claim, or takes it back when Redis lost it or a newcomer's claim is still pending;
// -1 when another process holds it.
const RENEW = `local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if not v or string.sub(v, 1, ${PENDING.length}) == '${PENDING}' then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return -1`;
const PROMOTE = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 end
return 0`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Holds `hearth:worker:<id>` in Redis while the process runs, so that two processes never mint snowflakes
 * with the same worker id. A claim held by someone else is waited for, as long as a lease (a crashed process's claim
 * lapses by then); a claim made counts after PROBATION_MS; throws WorkerIdClashError when a live process holds it. `onLost` is told when another
 * process took the id meanwhile (only possible after this one lost Redis for a whole lease).
 */
export async function claimWorkerId(
  url: string,
  workerId: number,
  opts: { onLost?: () => void } = {},
): Promise<{ release(): Promise<void> }> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  redis.on('error', () => {});
  await redis.connect();
  const key = `hearth:worker:${workerId}`;
  const owner = randomUUID();
  for (const deadline = Date.now() + LEASE_MS + RENEW_MS; ; await sleep(250)) {
    if ((await redis.set(key, PENDING + owner, 'PX', LEASE_MS, 'NX')) === 'OK') {
      await sleep(PROBATION_MS);
      if ((await redis.eval(PROMOTE, 1, key, PENDING + owner, owner, LEASE_MS)) === 1) break;
    }
    if (Date.now() > deadline) {
      redis.disconnect();
      throw new WorkerIdClashError(
        `WORKER_ID ${workerId} is in use by another Hearth process sharing this Redis; give each process its own WORKER_ID`,
      );
    }
  }
  const renewNow = () => {
    (redis.eval(RENEW, 1, key, owner, LEASE_MS) as Promise<number>)
      .then((result) => {
        if (result === -1) opts.onLost?.();
      })
      .catch(() => {});
  };
  const renew = setInterval(renewNow, RENEW_MS);
  renew.unref();
  // Back from a lost connection: renew at once, before a newcomer's pending claim could count.
  redis.on('ready', renewNow);
  return {
    async release() {
      clearInterval(renew);
      redis.off('ready', renewNow);
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
