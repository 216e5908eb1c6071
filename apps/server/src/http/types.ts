import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { Config } from '../config';
import type { Services } from '../domain/services';
import type { RateLimiter } from '../state/rate-limiter';

/** The fastify instance with TypeBox-typed routes. */
export type Api = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** Mastodon's streaming API served as Server-Sent Events (gateway/mastodon answers the request itself). */
interface EventStreams {
  serveEvents(request: IncomingMessage, response: ServerResponse): Promise<void>;
}

/** What route files are given. */
export interface RouteContext {
  services: Services;
  limiter: RateLimiter;
  config: Config;
  /** The streaming API's SSE transport; without it (an HTTP app alone) those routes answer 404. */
  eventStreams?: EventStreams;
}
