import { randomBytes, timingSafeEqual } from 'node:crypto';
import { ErrorCode } from '@hearth/protocol';
import { eq } from 'drizzle-orm';
import { oauthApps } from '../../store/schema';
import type { AuthService, ClientMeta } from '../auth/auth.service';
import { hashToken } from '../auth/tokens';
import type { Deps } from '../deps';
import { ApiError } from '../errors';

/** How long a Mastodon client's token lasts: Mastodon's never expire; Hearth's end with their session, in a year. */
const APP_TOKEN_SECONDS = 365 * 24 * 3600;

const invalidClient = () => new ApiError(401, ErrorCode.Unauthorized, 'invalid_client');
const invalidGrant = () => new ApiError(400, ErrorCode.General, 'invalid_grant');

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
    const scopes = normaliseScopes(input.scope ?? app.scopes);
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

  /** POST /oauth/revoke: ends the session a token of this client is bound to. */
  async revoke(input: { client_id: string; client_secret: string; token: string }) {
    const app = await this.checkClient(input.client_id, input.client_secret);
    await this.auth.revokeAppToken(input.token, app.id);
    return {};
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

const KNOWN_SCOPES = /^(read|write|follow|push|profile|admin)(:[a-z_:]+)?$/;

/** Scopes as Mastodon writes them (space-separated); unknown ones are dropped, none means `read`. */
function normaliseScopes(scopes: string | undefined): string {
  const list = (scopes ?? 'read')
    .split(/[\s+]+/)
    .filter((s) => KNOWN_SCOPES.test(s))
    .slice(0, 32);
  return list.length ? [...new Set(list)].join(' ') : 'read';
}
