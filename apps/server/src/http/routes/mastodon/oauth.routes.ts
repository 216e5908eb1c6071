import {
  ErrorCode,
  MastodonAuthorizeForm,
  MastodonAuthorizeQuery,
  MastodonCreateApp,
  MastodonRevokeRequest,
  MastodonTokenRequest,
} from '@hearth/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../../domain/errors';
import { AuthorizeError, type AuthorizeRequest, OOB_REDIRECT } from '../../../domain/social/oauth.service';
import { KNOWN_SCOPES } from '../../../domain/social/scopes';
import { clientMeta } from '../../auth';
import { rateLimit } from '../../rate-limit';
import type { Api, RouteContext } from '../../types';
import { authorizePolicy, codePage, consentPage, errorPage } from './authorize-page';

/**
 * Client registration and OAuth 2 (RFC 6749) as Mastodon apps use it: `POST /api/v1/apps`, the sign-in and consent
 * page `/oauth/authorize` (authorization code, PKCE S256), `POST /oauth/token` (authorization_code, password,
 * client_credentials), `POST /oauth/revoke`, `GET /api/v1/apps/verify_credentials` and the server's metadata.
 */
export function oauthRoutes(app: Api, { services, limiter, config }: RouteContext): void {
  const { oauth } = services.social;
  const perIp = rateLimit(limiter, {
    bucket: 'auth',
    limit: config.authRateLimitPerMinute,
    windowMs: 60_000,
    key: (req: FastifyRequest) => req.ip,
  });

  app.post(
    '/api/v1/apps',
    { schema: { tags: ['Mastodon OAuth'], body: MastodonCreateApp }, preHandler: perIp },
    async (req) => {
      const b = req.body;
      const redirectUris = (
        Array.isArray(b.redirect_uris) ? b.redirect_uris : b.redirect_uris.split(/\s+/)
      ).filter((u) => u.length > 0);
      return oauth.createApp({
        client_name: b.client_name,
        redirect_uris: redirectUris.slice(0, 10),
        scopes: b.scopes,
        website: b.website ?? undefined,
      });
    },
  );

  app.get(
    '/api/v1/apps/verify_credentials',
    { config: { auth: 'optional' }, schema: { tags: ['Mastodon OAuth'] } },
    async (req) => {
      if (!req.principal && !req.oauthClient)
        throw new ApiError(401, ErrorCode.Unauthorized, 'The access token is invalid');
      return oauth.appOfToken(req.principal, req.oauthClient);
    },
  );

  // A password grant is a login: /auth/login's limits apply (per address here, per account in the domain).
  app.post(
    '/oauth/token',
    { schema: { tags: ['Mastodon OAuth'], body: MastodonTokenRequest }, preHandler: perIp },
    async (req) => {
      const b = req.body;
      const client = clientCredentials(req, b);
      switch (b.grant_type) {
        case 'password':
          if (!b.username || !b.password)
            throw new ApiError(400, ErrorCode.General, 'invalid_request: username and password are required');
          return oauth.passwordGrant(
            { ...client, username: b.username, password: b.password, scope: b.scope },
            clientMeta(req),
          );
        case 'authorization_code':
          if (!b.code) throw new ApiError(400, ErrorCode.General, 'invalid_request: code is required');
          return oauth.codeGrant(
            { ...client, code: b.code, redirect_uri: b.redirect_uri, code_verifier: b.code_verifier },
            clientMeta(req),
          );
        case 'client_credentials':
          return oauth.clientCredentialsGrant({ ...client, scope: b.scope });
        default:
          throw new ApiError(
            400,
            ErrorCode.General,
            'unsupported_grant_type: Hearth accepts authorization_code, password and client_credentials',
          );
      }
    },
  );

  app.post(
    '/oauth/revoke',
    { schema: { tags: ['Mastodon OAuth'], body: MastodonRevokeRequest } },
    async (req) => oauth.revoke({ ...clientCredentials(req, req.body), token: req.body.token }),
  );

  app.get(
    '/oauth/authorize',
    { schema: { tags: ['Mastodon OAuth'], querystring: MastodonAuthorizeQuery } },
    async (req, reply) => {
      const request = await checked(req.query, reply);
      if (!request) return reply;
      return html(reply, 200, request.redirectUri, consentPage(request));
    },
  );

  app.post(
    '/oauth/authorize',
    { schema: { tags: ['Mastodon OAuth'], body: MastodonAuthorizeForm }, preHandler: perIp },
    async (req, reply) => {
      const b = req.body;
      const request = await checked(b, reply);
      if (!request) return reply;
      if (b.decision !== 'allow')
        return redirectBack(reply, request, {
          error: 'access_denied',
          error_description: 'The person denied the request.',
        });
      let userId: string;
      try {
        userId = await services.auth.checkCredentials(
          { login: b.login ?? '', password: b.password ?? '' },
          clientMeta(req),
        );
      } catch (err) {
        if (!(err instanceof ApiError) || (err.status !== 400 && err.status !== 429)) throw err;
        const error =
          err.status === 429 ? 'Too many attempts; try again later.' : 'Login or password is invalid.';
        if (err.headers) reply.headers(err.headers);
        return html(
          reply,
          err.status === 429 ? 429 : 401,
          request.redirectUri,
          consentPage(request, { error, login: b.login }),
        );
      }
      const code = await oauth.approve(request, userId);
      if (request.redirectUri === OOB_REDIRECT) return html(reply, 200, null, codePage(code));
      return redirectBack(reply, request, { code });
    },
  );

  app.get('/.well-known/oauth-authorization-server', { schema: { tags: ['Mastodon OAuth'] } }, async () => ({
    issuer: `${config.publicUrl}/`,
    authorization_endpoint: `${config.publicUrl}/oauth/authorize`,
    token_endpoint: `${config.publicUrl}/oauth/token`,
    revocation_endpoint: `${config.publicUrl}/oauth/revoke`,
    app_registration_endpoint: `${config.publicUrl}/api/v1/apps`,
    scopes_supported: KNOWN_SCOPES,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'password', 'client_credentials'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    code_challenge_methods_supported: ['S256'],
    service_documentation: 'https://docs.joinmastodon.org/',
  }));

  /** The request checked; a refusal is answered here (a page, or a redirect to the client) and null returned. */
  async function checked(query: Parameters<typeof oauth.checkAuthorize>[0], reply: FastifyReply) {
    try {
      return await oauth.checkAuthorize(query);
    } catch (err) {
      if (!(err instanceof AuthorizeError)) throw err;
      if (!err.redirect || !query.redirect_uri || query.redirect_uri === OOB_REDIRECT) {
        html(reply, 400, null, errorPage(err.description));
        return null;
      }
      redirectBack(
        reply,
        { redirectUri: query.redirect_uri, state: query.state ?? null },
        {
          error: err.code,
          error_description: err.description,
        },
      );
      return null;
    }
  }
}

/** The client's id and secret: in the body, or as HTTP Basic (RFC 6749 §2.3.1). */
function clientCredentials(
  req: FastifyRequest,
  body: { client_id?: string; client_secret?: string },
): { client_id: string; client_secret: string } {
  const header = req.headers.authorization;
  if (header?.toLowerCase().startsWith('basic ')) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString();
    const colon = decoded.indexOf(':');
    if (colon > 0)
      return {
        client_id: decodeURIComponent(decoded.slice(0, colon)),
        client_secret: decodeURIComponent(decoded.slice(colon + 1)),
      };
  }
  if (!body.client_id || !body.client_secret)
    throw new ApiError(401, ErrorCode.Unauthorized, 'invalid_client');
  return { client_id: body.client_id, client_secret: body.client_secret };
}

function html(reply: FastifyReply, status: number, redirectUri: string | null, body: string) {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', authorizePolicy(redirectUri))
    .header('cache-control', 'no-store')
    .header('x-frame-options', 'DENY')
    .send(body);
}

/** Back to the client's redirect URI with the answer in its query, `state` echoed (RFC 6749 §4.1.2). */
function redirectBack(
  reply: FastifyReply,
  request: Pick<AuthorizeRequest, 'redirectUri' | 'state'>,
  params: Record<string, string>,
) {
  const url = new URL(request.redirectUri);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  if (request.state !== null) url.searchParams.set('state', request.state);
  return reply.code(302).header('cache-control', 'no-store').redirect(url.toString(), 302);
}
