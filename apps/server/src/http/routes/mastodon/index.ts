import { ErrorCode, Limits } from '@hearth/protocol';
import type { FastifyError } from 'fastify';
import { ApiError } from '../../../domain/errors';
import type { AjvError } from '../../errors';
import { RateLimitedError } from '../../rate-limit';
import type { Api, RouteContext } from '../../types';
import { accountsRoutes } from './accounts.routes';
import { conversationsRoutes } from './conversations.routes';
import { domainBlocksRoutes } from './domain-blocks.routes';
import { exportsRoutes } from './exports.routes';
import { parseRailsForm } from './form';
import { importsRoutes } from './imports.routes';
import { instanceRoutes } from './instance.routes';
import { listsRoutes } from './lists.routes';
import { marksRoutes } from './marks.routes';
import { mastodonMediaRoutes } from './media.routes';
import { movesRoutes } from './moves.routes';
import { notificationsRoutes } from './notifications.routes';
import { oauthRoutes } from './oauth.routes';
import { pollsRoutes } from './polls.routes';
import { reactionsRoutes } from './reactions.routes';
import { reportsRoutes } from './reports.routes';
import { assignScopes } from './scopes';
import { searchRoutes } from './search.routes';
import { statusesRoutes } from './statuses.routes';
import { timelinesRoutes } from './timelines.routes';

const FORM_BODY_BYTES = 1024 * 1024;

/**
 * The Mastodon client API (ADR 0028): `/api/v1`, `/api/v2` and `/oauth`, in a block of its own whose errors are
 * Mastodon's `{error}`, whose bodies may be forms, and whose answers any origin may read (web clients), Link included.
 */
export async function mastodonRoutes(http: Api, ctx: RouteContext): Promise<void> {
  await http.register(async (api) => {
    // Every route: its OAuth scopes (a route that takes a token and has none stops the start) and an OpenAPI tag.
    api.addHook('onRoute', (route) => {
      assignScopes(route);
      if (route.schema && !route.schema.hide) route.schema = { tags: ['Mastodon'], ...route.schema };
      else if (!route.schema) route.schema = { tags: ['Mastodon'] };
    });
    api.setErrorHandler((err: FastifyError, request, reply) => {
      const { status, error } = mastodonError(err);
      if (status >= 500) request.log.error({ err }, 'unhandled error');
      if (err instanceof ApiError && err.headers) reply.headers(err.headers);
      if (err instanceof RateLimitedError) reply.headers(err.headers);
      reply.code(status).send({ error });
    });
    api.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: FORM_BODY_BYTES },
      (_request, body, done) => {
        const parsed = parseRailsForm(new URLSearchParams(String(body)));
        if (!parsed) done(new ApiError(400, ErrorCode.InvalidFormBody, 'Invalid form body'), undefined);
        else done(null, parsed);
      },
    );
    api.addHook('onSend', (_request, reply, payload, done) => {
      reply.header('access-control-allow-origin', '*');
      reply.header('access-control-expose-headers', 'Link');
      done(null, payload);
    });
    for (const prefix of ['/api/v1/*', '/api/v2/*', '/oauth/*']) {
      // CORS preflight plumbing, not an API operation: kept out of the OpenAPI document (a `{*}` path parameter
      // stops Swagger UI rendering after the first tag).
      api.options(prefix, { schema: { hide: true } }, async (_request, reply) => {
        reply
          .header('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS')
          .header('access-control-allow-headers', 'Authorization, Content-Type, Idempotency-Key')
          .header('access-control-max-age', '86400');
        return {};
      });
    }
    instanceRoutes(api, ctx);
    oauthRoutes(api, ctx);
    accountsRoutes(api, ctx);
    statusesRoutes(api, ctx);
    timelinesRoutes(api, ctx);
    notificationsRoutes(api, ctx);
    mastodonMediaRoutes(api, ctx);
    pollsRoutes(api, ctx);
    marksRoutes(api, ctx);
    searchRoutes(api, ctx);
    reactionsRoutes(api, ctx);
    listsRoutes(api, ctx);
    conversationsRoutes(api, ctx);
    domainBlocksRoutes(api, ctx);
    movesRoutes(api, ctx);
    exportsRoutes(api, ctx);
    importsRoutes(api, ctx);
    reportsRoutes(api, ctx);
    // What Hearth does not implement answers as Mastodon would, so clients probing for a feature read `{error}`.
    for (const prefix of ['/api/v1', '/api/v2', '/oauth'])
      await api.register(
        async (scope) => {
          scope.setNotFoundHandler((_request, reply) => {
            reply.code(404).send({ error: 'Record not found' });
          });
        },
        { prefix },
      );
  });
}

/** Any failure as Mastodon words it; nothing internal reaches the client. */
function mastodonError(err: FastifyError): { status: number; error: string } {
  if (err instanceof RateLimitedError) return { status: 429, error: 'Too many requests' };
  if (err instanceof ApiError) {
    // OAuth's own word for a client that failed to authenticate (RFC 6749 §5.2) stays as it is.
    if (err.status === 401 && err.message !== 'invalid_client')
      return { status: 401, error: 'The access token is invalid' };
    if (err.status === 400 && err.errors)
      return { status: 400, error: `Invalid request: ${fieldNames(err.errors)}` };
    return { status: err.status, error: err.message };
  }
  if (err.validation)
    return {
      status: 400,
      error: `Invalid request: ${err.validation
        .slice(0, 5)
        .map((v) => validationMessage(v as AjvError))
        .join('; ')}`,
    };
  const status = err.statusCode ?? 500;
  if (status === 413 || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return { status: 413, error: `Request body is larger than ${Limits.jsonBodyBytes} bytes` };
  if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError)
    return { status: 400, error: 'The request body contains invalid JSON' };
  if (status >= 400 && status < 500) return { status, error: err.message || 'Bad request' };
  return { status: 500, error: 'Internal server error' };
}

/** One schema failure in words, naming the field and never echoing the schema (patterns and the like). */
function validationMessage(v: AjvError): string {
  const p = v.params as { missingProperty?: string; limit?: number; type?: string };
  const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const field =
    v.keyword === 'required' ? [path, p.missingProperty].filter(Boolean).join('.') : path || 'body';
  switch (v.keyword) {
    case 'required':
      return `${field} is missing`;
    case 'maxLength':
    case 'maxItems':
    case 'maxProperties':
      return `${field} is too long (at most ${p.limit})`;
    case 'minLength':
    case 'minItems':
      return `${field} is too short (at least ${p.limit})`;
    case 'minimum':
    case 'maximum':
      return `${field} is out of range`;
    case 'type':
      return `${field} must be of type ${p.type}`;
    default:
      return `${field} is invalid`;
  }
}

function fieldNames(tree: unknown, prefix = ''): string {
  if (!tree || typeof tree !== 'object') return prefix || 'body';
  const names: string[] = [];
  for (const [key, value] of Object.entries(tree)) {
    if (key === '_errors') names.push(`${prefix || 'body'} is invalid`);
    else names.push(fieldNames(value, prefix ? `${prefix}.${key}` : key));
  }
  return names.join('; ');
}
