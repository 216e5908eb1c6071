import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ErrorCode } from '@hearth/protocol';
import { eq, lt } from 'drizzle-orm';
import { oauthApps, oauthCodes } from '../../store/schema';
import type { AuthService, ClientMeta, ClientPrincipal, Principal } from '../auth/auth.service';
import { hashToken } from '../auth/tokens';
import type { Deps } from '../deps';
import { ApiError } from '../errors';
import { parseScopes, scopesWithin } from './scopes';

/** How long a Mastodon client's token lasts: Mastodon's never expire; Hearth's end with their session, in a year. */
const APP_TOKEN_SECONDS = 365 * 24 * 3600;

/** How long an authorization code may wait for its exchange. */
const CODE_SECONDS = 600;
/** The redirect URI of clients that show the code to the person to copy (no redirect). */
export const OOB_REDIRECT = 'urn:ietf:wg:oauth:2.0:oob';
/** RFC 7636: a verifier is 43 to 128 unreserved characters; an S256 challenge is 43 base64url ones. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

const invalidClient = () => new ApiError(401, ErrorCode.Unauthorized, 'invalid_client');
const invalidGrant = () => new ApiError(400, ErrorCode.General, 'invalid_grant');

/**
 * A refused authorization request. `redirect` says whether the client may be told at its redirect URI (RFC 6749
 * §4.1.2.1); an unknown client or redirect URI is only ever shown to the person, never redirected to.
 */
export class AuthorizeError extends Error {
  constructor(
    readonly code: string,
    readonly description: string,
    readonly redirect: boolean,
  ) {
    super(description);
  }
}

/** An authorization request checked against its client: what the consent page shows and the approval uses. */
export interface AuthorizeRequest {
  app: { id: string; name: string; website: string | null };
  redirectUri: string;
  scopes: string[];
  state: string | null;
  codeChallenge: string | null;
}

/** Mastodon's client registration and token endpoint (password grant). */
export class OAuthService {
  constructor(
    private readonly deps: Deps,
    private readonly auth: AuthService,
  ) {}

  /** POST /api/v1/apps: registers a client; its secret is shown this once and stored hashed. */
  async createApp(input: {
    client_name: string;
    redirect_uris: string[];
    scopes?: string;
    website?: string;
  }) {
    for (const uri of input.redirect_uris)
      if (!isRedirectUri(uri))
        throw new ApiError(
          422,
          ErrorCode.General,
          'Validation failed: Redirect URI must be an absolute URI.',
        );
    if (input.scopes && !parseScopes(input.scopes))
      throw new ApiError(422, ErrorCode.General, 'Validation failed: Scopes are invalid');
    const id = this.deps.ids.next();
    const secret = randomBytes(32).toString('base64url');
    const scopes = normaliseScopes(input.scopes);
    await this.deps.db.insert(oauthApps).values({
      id,
      name: input.client_name.trim(),
      website: input.website?.trim() || null,
      redirectUris: input.redirect_uris,
      scopes,
      secretHash: hashToken(secret),
    });
    return {
      id,
      name: input.client_name.trim(),
      website: input.website?.trim() || null,
      scopes: scopes.split(' '),
      redirect_uri: input.redirect_uris.join('\n'),
      redirect_uris: input.redirect_uris,
      client_id: id,
      client_secret: secret,
      client_secret_expires_at: 0,
      vapid_key: null,
    };
  }

  /** POST /oauth/token with grant_type=password: the client's own credentials, then the person's. */
  async passwordGrant(
    input: { client_id: string; client_secret: string; username: string; password: string; scope?: string },
    meta: ClientMeta,
  ) {
    const app = await this.checkClient(input.client_id, input.client_secret);
    const scopes = this.grantedScopes(app, input.scope);
    const { token } = await this.auth
      .loginForApp(
        { login: input.username, password: input.password },
        { ip: meta.ip, client: app.name },
        { id: app.id, scopes, seconds: APP_TOKEN_SECONDS },
      )
      .catch((err) => {
        // OAuth's word for a wrong login; the limits' 429 stays as it is.
        throw err instanceof ApiError && err.status === 400 ? invalidGrant() : err;
      });
    return {
      access_token: token,
      token_type: 'Bearer',
      scope: scopes,
      created_at: Math.floor(Date.now() / 1000),
    };
  }

  /** POST /oauth/revoke (RFC 7009): ends what a token of this client gives; unknown tokens change nothing. */
  async revoke(input: { client_id: string; client_secret: string; token: string }) {
    const app = await this.checkClient(input.client_id, input.client_secret);
    await this.auth.revokeAppToken(input.token, app.id);
    return {};
  }

  /** POST /oauth/token with grant_type=client_credentials: a token for the app itself, reading what anyone may. */
  async clientCredentialsGrant(input: { client_id: string; client_secret: string; scope?: string }) {
    const app = await this.checkClient(input.client_id, input.client_secret);
    const scopes = this.grantedScopes(app, input.scope);
    const token = await this.auth.tokenForClient({ id: app.id, scopes });
    return tokenAnswer(token, scopes);
  }

  /**
   * GET /oauth/authorize: the request checked against its client (RFC 6749 §4.1.1, PKCE S256 per RFC 7636). Throws
   * an AuthorizeError the page shows or, when the client and redirect URI are good, sends back to the client.
   */
  async checkAuthorize(query: {
    response_type?: string;
    client_id?: string;
    redirect_uri?: string;
    scope?: string;
    state?: string;
    code_challenge?: string;
    code_challenge_method?: string;
  }): Promise<AuthorizeRequest> {
    const clientId = query.client_id ?? '';
    const [app] = /^[0-9]{1,19}$/.test(clientId)
      ? await this.deps.db.select().from(oauthApps).where(eq(oauthApps.id, clientId))
      : [];
    if (!app) throw new AuthorizeError('invalid_client', 'No application has this client_id.', false);
    const redirectUri = query.redirect_uri ?? (app.redirectUris.length === 1 ? app.redirectUris[0] : '');
    if (!app.redirectUris.includes(redirectUri))
      throw new AuthorizeError(
        'invalid_redirect_uri',
        'The redirect_uri is not one the application registered.',
        false,
      );
    if (query.response_type !== 'code')
      throw new AuthorizeError('unsupported_response_type', 'Only response_type=code is supported.', true);
    const asked =
      query.scope === undefined || query.scope.trim() === '' ? ['read'] : parseScopes(query.scope);
    if (!asked || !scopesWithin(asked, app.scopes.split(' ')))
      throw new AuthorizeError(
        'invalid_scope',
        'The requested scope is invalid, unknown, or malformed.',
        true,
      );
    let codeChallenge: string | null = null;
    if (query.code_challenge !== undefined || query.code_challenge_method !== undefined) {
      if (query.code_challenge_method !== 'S256' || !CHALLENGE.test(query.code_challenge ?? ''))
        throw new AuthorizeError(
          'invalid_request',
          'PKCE needs code_challenge_method=S256 and a code_challenge.',
          true,
        );
      codeChallenge = query.code_challenge ?? null;
    }
    return {
      app: { id: app.id, name: app.name, website: app.website },
      redirectUri,
      scopes: asked,
      state: query.state ?? null,
      codeChallenge,
    };
  }

  /** The person approved the request: a single-use code for the client, valid ten minutes. */
  async approve(request: AuthorizeRequest, userId: string): Promise<string> {
    const code = randomBytes(32).toString('base64url');
    await this.deps.db.delete(oauthCodes).where(lt(oauthCodes.expiresAt, new Date()));
    await this.deps.db.insert(oauthCodes).values({
      codeHash: hashToken(code),
      appId: request.app.id,
      userId,
      redirectUri: request.redirectUri,
      scopes: request.scopes.join(' '),
      codeChallenge: request.codeChallenge,
      expiresAt: new Date(Date.now() + CODE_SECONDS * 1000),
    });
    return code;
  }

  /**
   * POST /oauth/token with grant_type=authorization_code: the code is taken once (a second exchange finds nothing),
   * and must belong to this client and redirect URI and, with PKCE, match the verifier.
   */
  async codeGrant(
    input: {
      client_id: string;
      client_secret: string;
      code: string;
      redirect_uri?: string;
      code_verifier?: string;
    },
    meta: ClientMeta,
  ) {
    const app = await this.checkClient(input.client_id, input.client_secret);
    const [row] = await this.deps.db
      .delete(oauthCodes)
      .where(eq(oauthCodes.codeHash, hashToken(input.code)))
      .returning();
    if (!row || row.appId !== app.id || row.expiresAt.getTime() < Date.now()) throw invalidGrant();
    if (input.redirect_uri !== undefined && input.redirect_uri !== row.redirectUri) throw invalidGrant();
    if (row.codeChallenge) {
      const verifier = input.code_verifier ?? '';
      if (!VERIFIER.test(verifier)) throw invalidGrant();
      const hashed = createHash('sha256').update(verifier).digest('base64url');
      if (!timingSafeEqual(Buffer.from(hashed), Buffer.from(row.codeChallenge))) throw invalidGrant();
    } else if (input.code_verifier !== undefined) throw invalidGrant();
    const token = await this.auth.tokenForApp(
      row.userId,
      { ip: meta.ip, client: app.name },
      {
        id: app.id,
        scopes: row.scopes,
        seconds: APP_TOKEN_SECONDS,
      },
    );
    return tokenAnswer(token, row.scopes);
  }

  /**
   * GET /api/v1/apps/verify_credentials: the app a token was granted to. Hearth's own tokens (its web app) answer as
   * the app "Hearth", with every scope.
   */
  async appOfToken(principal: Principal | null, client: ClientPrincipal | null) {
    const appId = client?.appId ?? principal?.oauth?.appId;
    if (!appId)
      return {
        id: null,
        name: 'Hearth',
        website: null,
        scopes: ['read', 'write', 'follow', 'push'],
        redirect_uri: '',
        redirect_uris: [],
        vapid_key: null,
      };
    const [app] = await this.deps.db.select().from(oauthApps).where(eq(oauthApps.id, appId));
    if (!app) throw new ApiError(401, ErrorCode.Unauthorized, 'The access token is invalid');
    return {
      id: app.id,
      name: app.name,
      website: app.website,
      scopes: app.scopes.split(' '),
      redirect_uri: app.redirectUris.join('\n'),
      redirect_uris: app.redirectUris,
      vapid_key: null,
    };
  }

  /** The scopes a token request gets: those asked for (the app's own when none are), never more than it registered. */
  private grantedScopes(app: { scopes: string }, asked: string | undefined): string {
    if (asked === undefined || asked.trim() === '') return app.scopes;
    const list = parseScopes(asked);
    if (!list || !scopesWithin(list, app.scopes.split(' ')))
      throw new ApiError(400, ErrorCode.General, 'invalid_scope');
    return list.join(' ');
  }

  private async checkClient(clientId: string, secret: string) {
    const [app] = /^[0-9]{1,19}$/.test(clientId)
      ? await this.deps.db.select().from(oauthApps).where(eq(oauthApps.id, clientId))
      : [];
    const given = Buffer.from(hashToken(secret));
    if (!app || !timingSafeEqual(given, Buffer.from(app.secretHash))) throw invalidClient();
    return app;
  }
}

function tokenAnswer(token: string, scopes: string) {
  return {
    access_token: token,
    token_type: 'Bearer',
    scope: scopes,
    created_at: Math.floor(Date.now() / 1000),
  };
}

/** An absolute URI a client may be sent back to (any scheme apps register, never script or data). */
function isRedirectUri(uri: string): boolean {
  if (uri === OOB_REDIRECT) return true;
  try {
    const url = new URL(uri);
    return !['javascript:', 'data:', 'vbscript:', 'file:'].includes(url.protocol);
  } catch {
    return false;
  }
}

/** Scopes as Mastodon writes them; unknown ones are refused at registration, none means `read`. */
function normaliseScopes(scopes: string | undefined): string {
  return (parseScopes(scopes) ?? ['read']).join(' ');
}
