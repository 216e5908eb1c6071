import {
  ApiError as ApiErrorSchema,
  Forgot,
  Login,
  Refresh,
  Register,
  Reset,
  Session,
  Snowflake,
  TokenBody,
  TokenPair,
} from '@hearth/protocol';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { caller, clientMeta } from '../auth';
import { rateLimit } from '../rate-limit';
import { noContent } from '../reply';
import { errorResponses } from '../route-errors';
import type { Api, RouteContext } from '../types';

const tags = ['auth'];
const errors = errorResponses(400, 401, 429);

/** Hearth's own account routes (Discord publishes no login API). */
export function authRoutes(app: Api, { services, limiter, config }: RouteContext): void {
  const { auth } = services;
  const ipRule = {
    bucket: 'auth',
    limit: config.authRateLimitPerMinute,
    windowMs: 60_000,
    key: (req: FastifyRequest) => req.ip,
  };
  // Reset mails to one account are limited whatever IPs ask, and whether they name it by email or username.
  const accountRule = {
    bucket: 'auth-account',
    limit: 10,
    windowMs: 10 * 60_000,
    key: (req: FastifyRequest) => {
      const login = (req.body as { login?: string } | undefined)?.login;
      return login ? auth.rateLimitKey(login) : null;
    },
  };
  const perIp = rateLimit(limiter, ipRule);
  const perIpAndAccount = rateLimit(limiter, ipRule, accountRule);

  app.post(
    '/auth/register',
    { schema: { tags, body: Register, response: { 201: TokenPair, ...errors } }, preHandler: perIp },
    async (req, reply) => {
      reply.code(201);
      return auth.register(req.body, clientMeta(req));
    },
  );

  app.post(
    '/auth/login',
    // Password guesses are limited per account and address in the domain (PasswordGuard).
    { schema: { tags, body: Login, response: { 200: TokenPair, ...errors } }, preHandler: perIp },
    async (req) => auth.login(req.body, clientMeta(req)),
  );

  app.post(
    '/auth/refresh',
    { schema: { tags, body: Refresh, response: { 200: TokenPair, ...errors } }, preHandler: perIp },
    async (req) => auth.refresh(req.body.refresh_token, clientMeta(req)),
  );

  app.post(
    '/auth/logout',
    { config: { auth: 'user' }, schema: { tags, response: { 204: Type.Null() } } },
    async (req, reply) => {
      await auth.logout(caller(req));
      return noContent(reply);
    },
  );

  app.get(
    '/auth/sessions',
    {
      config: { auth: 'user' },
      schema: { tags, response: { 200: Type.Array(Session), 401: ApiErrorSchema } },
    },
    async (req) => auth.listSessions(caller(req)),
  );

  app.delete(
    '/auth/sessions/:session_id',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        params: Type.Object({ session_id: Snowflake }),
        response: { 204: Type.Null(), 404: ApiErrorSchema },
      },
    },
    async (req, reply) => {
      await auth.revokeSession(caller(req), req.params.session_id);
      return noContent(reply);
    },
  );

  app.post(
    '/auth/verify',
    { schema: { tags, body: TokenBody, response: { 204: Type.Null(), ...errors } }, preHandler: perIp },
    async (req, reply) => {
      await auth.verifyEmail(req.body.token);
      return noContent(reply);
    },
  );

  app.post(
    '/auth/verify/resend',
    { config: { auth: 'user' }, schema: { tags, response: { 204: Type.Null() } }, preHandler: perIp },
    async (req, reply) => {
      await auth.resendVerification(caller(req));
      return noContent(reply);
    },
  );

  app.post(
    '/auth/forgot',
    {
      schema: { tags, body: Forgot, response: { 204: Type.Null(), ...errors } },
      preHandler: perIpAndAccount,
    },
    async (req, reply) => {
      await auth.forgot(req.body.login);
      return noContent(reply);
    },
  );

  app.post(
    '/auth/reset',
    { schema: { tags, body: Reset, response: { 204: Type.Null(), ...errors } }, preHandler: perIp },
    async (req, reply) => {
      await auth.reset(req.body.token, req.body.password);
      return noContent(reply);
    },
  );
}
