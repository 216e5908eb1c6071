import { createHash } from 'node:crypto';
import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { RateLimiter, RateLimitResult } from '../state/rate-limiter';

/** Discord's X-RateLimit-Scope: one caller's limit, one token's global limit, or a resource's shared one. */
export type RateLimitScope = 'user' | 'global' | 'shared';

export class RateLimitedError extends Error {
  constructor(
    readonly retryAfterSeconds: number,
    readonly headers: Record<string, string>,
    /** The global per-token limit, not a route's bucket. */
    readonly global = false,
  ) {
    super('rate limited');
  }
}

export interface RateLimitRule {
  /** The bucket's name, reported (hashed) in X-RateLimit-Bucket. */
  bucket: string;
  limit: number;
  windowMs: number;
  /** What one request counts against, e.g. its IP or the account it names; null skips the rule. */
  key: (request: FastifyRequest) => string | null | undefined | Promise<string | null | undefined>;
}

/** X-RateLimit-Bucket: an opaque id for a bucket, the same whatever channel or caller it counts. */
export function bucketHash(bucket: string): string {
  return createHash('sha1').update(bucket).digest('hex').slice(0, 16);
}

/** Discord's headers describing one bucket after a request counted against it. */
export function bucketHeaders(r: RateLimitResult, bucket: string): Record<string, string> {
  return {
    'x-ratelimit-limit': String(r.limit),
    'x-ratelimit-remaining': String(r.remaining),
    'x-ratelimit-reset': ((Date.now() + r.resetAfterMs) / 1000).toFixed(3),
    'x-ratelimit-reset-after': (r.resetAfterMs / 1000).toFixed(3),
    'x-ratelimit-bucket': bucket,
  };
}

/** The 429 for a request over a bucket: its headers, the scope and Retry-After (whole seconds, rounded up). */
export function bucketExceeded(
  r: RateLimitResult,
  bucket: string,
  scope: RateLimitScope = 'user',
  waitMs = r.resetAfterMs,
): RateLimitedError {
  const wait = waitMs / 1000;
  return new RateLimitedError(Number(wait.toFixed(3)), {
    ...bucketHeaders(r, bucket),
    'x-ratelimit-reset-after': wait.toFixed(3),
    'x-ratelimit-scope': scope,
    'retry-after': String(Math.max(1, Math.ceil(wait))),
  });
}

/** The 429 of the global per-token limit: Discord marks it with X-RateLimit-Global and global: true. */
export function globallyLimited(resetAfterMs: number): RateLimitedError {
  const wait = Math.max(0.001, resetAfterMs / 1000);
  return new RateLimitedError(
    Number(wait.toFixed(3)),
    {
      'x-ratelimit-global': 'true',
      'x-ratelimit-scope': 'global',
      'retry-after': String(Math.max(1, Math.ceil(wait))),
    },
    true,
  );
}

/**
 * A preHandler enforcing every rule, with Discord's headers describing the tightest one;
 * over any limit it answers 429 with Retry-After.
 */
export function rateLimit(limiter: RateLimiter, ...rules: RateLimitRule[]): preHandlerAsyncHookHandler {
  const buckets = rules.map((r) => bucketHash(r.bucket));
  return async (request, reply) => {
    const results: Array<{ result: RateLimitResult; bucket: string }> = [];
    await Promise.all(
      rules.map(async (rule, i) => {
        const key = await rule.key(request);
        if (!key) return;
        results.push({
          result: await limiter.hit(`${rule.bucket}:${key}`, rule.limit, rule.windowMs),
          bucket: buckets[i],
        });
      }),
    );
    if (!results.length) return;
    const worst = results.reduce((a, b) => (tighter(b.result, a.result) ? b : a));
    if (worst.result.allowed) {
      reply.headers(bucketHeaders(worst.result, worst.bucket));
      return;
    }
    const waitMs = Math.max(...results.filter((x) => !x.result.allowed).map((x) => x.result.resetAfterMs));
    throw bucketExceeded(worst.result, worst.bucket, 'user', waitMs);
  };
}

/** Blocked beats allowed; then fewer remaining requests. */
function tighter(a: RateLimitResult, b: RateLimitResult): boolean {
  if (a.allowed !== b.allowed) return !a.allowed;
  return a.remaining < b.remaining;
}
