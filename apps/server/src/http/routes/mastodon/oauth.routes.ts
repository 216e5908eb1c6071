import { ErrorCode, MastodonCreateApp, MastodonRevokeRequest, MastodonTokenRequest } from '@hearth/protocol';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../../../domain/errors';
import { clientMeta } from '../../auth';
import { rateLimit } from '../../rate-limit';
import type { Api, RouteContext } from '../../types';

/** Client registration and tokens: `POST /api/v1/apps`, `POST /oauth/token` (password grant), `POST /oauth/revoke`. */
export function oauthRoutes(app: Api, { services, limiter, config }: RouteContext): void {
  const { oauth } = services.social;
  const perIp = rateLimit(limiter, {
    bucket: 'auth',
    limit: config.authRateLimitPerMinute,
    windowMs: 60_000,
    key: (req: FastifyRequest) => req.ip,
  });

  app.post('/api/v1/apps', { schema: { body: MastodonCreateApp }, preHandler: perIp }, async (req) => {
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
  });

  // A password grant is a login: /auth/login's limits apply (per address here, per account in the domain).
  app.post('/oauth/token', { schema: { body: MastodonTokenRequest }, preHandler: perIp }, async (req) => {
    const b = req.body;
    if (b.grant_type !== 'password')
      throw new ApiError(
        400,
        ErrorCode.General,
        'unsupported_grant_type: Hearth accepts grant_type=password',
      );
    if (!b.username || !b.password)
      throw new ApiError(400, ErrorCode.General, 'invalid_request: username and password are required');
    return oauth.passwordGrant(
      {
        client_id: b.client_id,
        client_secret: b.client_secret,
        username: b.username,
        password: b.password,
        scope: b.scope,
      },
      clientMeta(req),
    );
  });

  app.post('/oauth/revoke', { schema: { body: MastodonRevokeRequest } }, async (req) =>
    oauth.revoke(req.body),
  );
}
