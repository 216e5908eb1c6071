import { ErrorCode } from '@hearth/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthService, ClientPrincipal, Principal } from '../domain/auth/auth.service';
import { ApiError, unauthorized } from '../domain/errors';
import { scopesAllow } from '../domain/social/scopes';

/**
 * Who may call a route: anyone, any authenticated caller, people only (not bots), or bots only. `optional`: anyone,
 * and a caller who sends a token is resolved (a token that fails is a 401, never read as anonymous).
 */
type AuthMode = 'none' | 'optional' | 'any' | 'user' | 'bot';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthMode;
    /**
     * The OAuth scopes, any one of which lets an OAuth client's token call the route (the Mastodon API's routes).
     * Without it, such a token is refused (401): those tokens are for the Mastodon API only.
     */
    scopes?: readonly string[];
  }
  interface FastifyRequest {
    principal: Principal | null;
    /** An app's own token (OAuth client_credentials) on a route that takes `scopes`; the principal stays null. */
    oauthClient: ClientPrincipal | null;
  }
}

const outsideScopes = () =>
  new ApiError(403, ErrorCode.MissingAccess, 'This action is outside the authorized scopes');

/** Resolves the caller of every route that declares `config.auth`, before validation and the handler run. */
export function registerAuth(app: FastifyInstance, auth: AuthService): void {
  app.decorateRequest('principal', null);
  app.decorateRequest('oauthClient', null);
  app.addHook('onRequest', async (request) => {
    const mode = request.routeOptions.config?.auth ?? 'none';
    if (mode === 'none') return;
    if (mode === 'optional' && !request.headers.authorization) return;
    const scopes = request.routeOptions.config?.scopes;
    const principal = await auth.authenticate(request.headers.authorization);
    if (!principal && scopes) {
      // An app's own token reads what anyone may (optional routes); a route for a person refuses it, as Mastodon does.
      const client = await auth.authenticateClient(request.headers.authorization);
      if (client) {
        if (mode !== 'optional')
          throw new ApiError(422, ErrorCode.General, 'This method requires an authenticated user');
        if (!scopesAllow(client.scopes, scopes)) throw outsideScopes();
        request.oauthClient = client;
        return;
      }
    }
    if (!principal) throw unauthorized();
    if (principal.oauth) {
      if (!scopes) throw unauthorized();
      if (!scopesAllow(principal.oauth.scopes, scopes)) throw outsideScopes();
    }
    if (mode === 'user' && principal.bot)
      throw new ApiError(403, ErrorCode.BotsCannotUseEndpoint, 'Bots cannot use this endpoint');
    if (mode === 'bot' && !principal.bot)
      throw new ApiError(403, ErrorCode.OnlyBotsCanUseEndpoint, 'Only bots can use this endpoint');
    request.principal = principal;
  });
}

/** The authenticated caller of a route declared with `config.auth`. */
export function caller(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}

/** What a new session records about the device it came from. */
export function clientMeta(request: FastifyRequest) {
  const ua = request.headers['user-agent'];
  return { ip: request.ip ?? null, client: typeof ua === 'string' ? ua : null };
}
