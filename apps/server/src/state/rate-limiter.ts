import { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface RateLimitResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Milliseconds until the window resets. */
  resetAfterMs: number;
}

/** Growing delays between attempts (password guesses): a few free, then each wait doubles up to a cap. */
export interface BackoffPolicy {
  /** Attempts allowed one after the other without waiting. */
  free: number;
  /** The wait after the first attempt past the free ones; it doubles with each further attempt. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A record is forgotten this long after its last attempt. */
  forgetAfterMs: number;
}

interface BackoffResult {
  allowed: boolean;
  /** Attempts on record, this one included when it was allowed. */
  attempts: number;
  /** When refused: milliseconds until the next attempt is allowed. */
  retryAfterMs: number;
}

/** Counters shared across processes when backed by Redis; this process's own otherwise or while Redis is away. */
export interface RateLimiter {
  /** Counts one hit on `key` and says whether it is within `limit` per fixed window of `windowMs`. */
  hit(key: string, limit: number, windowMs: number): Promise<RateLimitResult>;
  /** Records one attempt on `key` if the policy allows it now (atomically: parallel attempts cannot all pass). */
  attempt(key: string, policy: BackoffPolicy): Promise<BackoffResult>;
  /** Forgets the attempts on `key`. */
  forget(key: string): Promise<void>;
  /** True while the shared store is unreachable and limits are per process. */
  isDegraded(): boolean;
  close(): Promise<void>;
}

/** The wait required after `attempts` attempts before the next one. */
export function backoffDelayMs(attempts: number, policy: BackoffPolicy): number {
  if (attempts < policy.free) return 0;
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempts - policy.free));
}

function result(count: number, limit: number, resetAfterMs: number): RateLimitResult {
  return {
    allowed: count <= limit,
    limit,
    remaining: Math.max(0, limit - count),
    resetAfterMs: Math.max(0, resetAfterMs),
  };
}

export function createMemoryRateLimiter(now: () => number = Date.now): RateLimiter {
  const windows = new Map<string, { count: number; resetAt: number }>();
  const attempts = new Map<string, { count: number; lastAt: number; forgetAt: number }>();
  let lastSweep = now();
  const sweep = (t: number) => {
    if (t - lastSweep <= 60_000) return;
    for (const [k, w] of windows) if (w.resetAt <= t) windows.delete(k);
    for (const [k, a] of attempts) if (a.forgetAt <= t) attempts.delete(k);
    lastSweep = t;
  };
  return {
    async hit(key, limit, windowMs) {
      const t = now();
      sweep(t);
      let w = windows.get(key);
      if (!w || w.resetAt <= t) {
        w = { count: 0, resetAt: t + windowMs };
        windows.set(key, w);
      }
      w.count++;
      return result(w.count, limit, w.resetAt - t);
    },
    async attempt(key, policy) {
      const t = now();
      sweep(t);
      let a = attempts.get(key);
      if (a && a.forgetAt <= t) a = undefined;
      const count = a?.count ?? 0;
      const left = (a?.lastAt ?? 0) + backoffDelayMs(count, policy) - t;
      if (a && left > 0) return { allowed: false, attempts: count, retryAfterMs: left };
      attempts.set(key, { count: count + 1, lastAt: t, forgetAt: t + policy.forgetAfterMs });
      return { allowed: true, attempts: count + 1, retryAfterMs: 0 };
    },
    async forget(key) {
      attempts.delete(key);
    },
    isDegraded: () => false,
    async close() {
      windows.clear();
      attempts.clear();
    },
  };
}

// INCR the counter, start its window on the first hit, and return the count with the time left.
const HIT_SCRIPT = `
local c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {c, ttl}`;

// The same rule as the memory limiter's attempt(): refuse while the wait after the last attempt runs, else record.
// ARGV: now, free, baseDelayMs, maxDelayMs, forgetAfterMs.
const ATTEMPT_SCRIPT = `
local rec = redis.call('HMGET', KEYS[1], 'n', 'at')
local n = tonumber(rec[1] or '0')
local now = tonumber(ARGV[1])
if n > 0 then
  local wait = 0
  if n >= tonumber(ARGV[2]) then
    wait = math.min(tonumber(ARGV[4]), tonumber(ARGV[3]) * 2 ^ (n - tonumber(ARGV[2])))
  end
  local left = tonumber(rec[2]) + wait - now
  if left > 0 then return {0, n, math.ceil(left)} end
end
redis.call('HSET', KEYS[1], 'n', n + 1, 'at', now)
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return {1, n + 1, 0}`;

/** How long Redis is left alone after a failed command before it is tried again. */
const RETRY_REDIS_AFTER_MS = 2000;

/**
 * Limits shared through Redis. A command that cannot be answered at once (Redis down: no offline queue; hung:
 * a short timeout) falls back to this process's own counters, which are used until Redis is ready again and
 * a few seconds have passed, so a Redis outage never stalls or fails a request.
 */
export async function createRedisRateLimiter(
  url: string,
  opts: { log?: Logger; commandTimeoutMs?: number } = {},
): Promise<RateLimiter> {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: opts.commandTimeoutMs ?? 500,
  });
  // Connection errors surface as failed commands below; ioredis reconnects by itself.
  redis.on('error', () => {});
  await redis.connect();
  const local = createMemoryRateLimiter();
  let avoidUntil = 0;
  let degraded = false;
  redis.on('ready', () => {
    if (degraded) opts.log?.info('rate limits: Redis is back; limits are shared again');
  });
  const shared = () => redis.status === 'ready' && Date.now() >= avoidUntil;
  async function either<T>(viaRedis: () => Promise<T>, viaLocal: () => Promise<T>): Promise<T> {
    if (!shared()) return viaLocal();
    try {
      const value = await viaRedis();
      degraded = false;
      return value;
    } catch (err) {
      avoidUntil = Date.now() + RETRY_REDIS_AFTER_MS;
      if (!degraded)
        opts.log?.warn({ err }, 'rate limits: Redis unreachable; limits are per process meanwhile');
      degraded = true;
      return viaLocal();
    }
  }
  return {
    hit: (key, limit, windowMs) =>
      either(
        async () => {
          const [count, ttl] = (await redis.eval(HIT_SCRIPT, 1, `hearth:rl:${key}`, windowMs)) as [
            number,
            number,
          ];
          return result(count, limit, ttl);
        },
        () => local.hit(key, limit, windowMs),
      ),
    attempt: (key, policy) =>
      either(
        async () => {
          const [ok, attempts, left] = (await redis.eval(
            ATTEMPT_SCRIPT,
            1,
            `hearth:rl:${key}`,
            Date.now(),
            policy.free,
            policy.baseDelayMs,
            policy.maxDelayMs,
            policy.forgetAfterMs,
          )) as [number, number, number];
          return { allowed: ok === 1, attempts, retryAfterMs: left };
        },
        () => local.attempt(key, policy),
      ),
    forget: (key) =>
      either(
        async () => {
          await redis.del(`hearth:rl:${key}`);
        },
        () => local.forget(key),
      ),
    isDegraded: () => !shared(),
    async close() {
      await local.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
