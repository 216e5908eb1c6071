import type { FastifyInstance } from 'fastify';
import type { Config } from '../config';
import type { RateLimiter } from '../state/rate-limiter';
import { bucketExceeded, bucketHash, bucketHeaders, globallyLimited } from './rate-limit';

/** The sending routes Hearth limits per caller and channel, as Discord does (ADR 0015). */
type RouteBucket = 'message-create' | 'message-edit' | 'message-delete' | 'typing' | 'reaction';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's rate-limit bucket, counted per caller and per channel (the route's `channel_id`). */
    bucket?: RouteBucket;
  }
}

/** Each bucket's budget: Discord's numbers; message create is configurable (RATE_LIMIT_MESSAGES). */
function routeBuckets(config: Config): Record<RouteBucket, { limit: number; windowMs: number }> {
  return {
    'message-create': { limit: config.rateLimitMessagesPer5s, windowMs: 5000 },
    'message-edit': { limit: 5, windowMs: 5000 },
    'message-delete': { limit: 5, windowMs: 1000 },
    typing: { limit: 5, windowMs: 5000 },
    reaction: { limit: 1, windowMs: 250 },
  };
}

const SNOWFLAKE = /^\d{1,20}$/;

/**
 * Counts every authenticated request against its token's global budget (per second), then a route with a
 * `config.bucket` against that bucket for the caller in the route's channel, and sets Discord's headers.
 * Runs right after authentication, before the body is validated or a file is read.
 */
export function registerRouteLimits(app: FastifyInstance, limiter: RateLimiter, config: Config): void {
  if (!config.rateLimits) return;
  const buckets = routeBuckets(config);
  const hashes = Object.fromEntries(Object.keys(buckets).map((b) => [b, bucketHash(b)]));
  app.addHook('onRequest', async (request, reply) => {
    const principal = request.principal;
    if (!principal) return;
    const name = request.routeOptions.config?.bucket;
    const channelId = (request.params as { channel_id?: string } | undefined)?.channel_id;
    const channel = channelId && SNOWFLAKE.test(channelId) ? channelId : '-';
    const [global, route] = await Promise.all([
      limiter.hit(`global:${principal.userId}`, config.rateLimitGlobalPerSecond, 1000),
      name
        ? limiter.hit(`${name}:${principal.userId}:${channel}`, buckets[name].limit, buckets[name].windowMs)
        : null,
    ]);
    if (!global.allowed) throw globallyLimited(global.resetAfterMs);
    if (!route || !name) return;
    if (!route.allowed) throw bucketExceeded(route, hashes[name]);
    reply.headers(bucketHeaders(route, hashes[name]));
  });
}
