import { createHash } from 'node:crypto';
import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { RateLimiter, RateLimitResult } from '../events/rate-limiter';

export class RateLimitedError extends Error {
  constructor(
    readonly retryAfterSeconds: number,
    readonly headers: Record<string, string>,
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

/**
 * A preHandler enforcing every rule, with Discord's headers describing the tightest one;
 * over any limit it answers 429 with Retry-After.
 */
export function rateLimit(limiter: RateLimiter, ...rules: RateLimitRule[]): preHandlerAsyncHookHandler {
  const buckets = rules.map((r) => createHash('sha1').update(r.bucket).digest('hex').slice(0, 16));
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
    const r = worst.result;
    const headers: Record<string, string> = {
      'x-ratelimit-limit': String(r.limit),
      'x-ratelimit-remaining': String(r.remaining),
      'x-ratelimit-reset': ((Date.now() + r.resetAfterMs) / 1000).toFixed(3),
      'x-ratelimit-reset-after': (r.resetAfterMs / 1000).toFixed(3),
      'x-ratelimit-bucket': worst.bucket,
    };
    if (r.allowed) {
      reply.headers(headers);
      return;
    }
    const wait =
      Math.max(...results.filter((x) => !x.result.allowed).map((x) => x.result.resetAfterMs)) / 1000;
    throw new RateLimitedError(Number(wait.toFixed(3)), {
      ...headers,
      'x-ratelimit-reset-after': wait.toFixed(3),
      'x-ratelimit-scope': 'user',
      'retry-after': String(Math.max(1, Math.ceil(wait))),
    });
  };
}

/** Blocked beats allowed; then fewer remaining requests. */
function tighter(a: RateLimitResult, b: RateLimitResult): boolean {
  if (a.allowed !== b.allowed) return !a.allowed;
  return a.remaining < b.remaining;
}
