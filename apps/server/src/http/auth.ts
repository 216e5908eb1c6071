import { ErrorCode } from '@hearth/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthService, Principal } from '../domain/auth/auth.service';
import { ApiError, unauthorized } from '../domain/errors';

/**
 * Who may call a route: anyone, any authenticated caller, people only (not bots), or bots only. `optional`: anyone,
 * and a caller who sends a token is resolved (a token that fails is a 401, never read as anonymous).
 */
type AuthMode = 'none' | 'optional' | 'any' | 'user' | 'bot';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthMode;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** Resolves the caller of every route that declares `config.auth`, before validation and the handler run. */
export function registerAuth(app: FastifyInstance, auth: AuthService): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    const mode = request.routeOptions.config?.auth ?? 'none';
    if (mode === 'none') return;
    if (mode === 'optional' && !request.headers.authorization) return;
    const principal = await auth.authenticate(request.headers.authorization);
    if (!principal) throw unauthorized();
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
