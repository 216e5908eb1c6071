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

/** What route files are given. */
export interface RouteContext {
  services: Services;
  limiter: RateLimiter;
  config: Config;
}
