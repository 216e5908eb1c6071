import { Durations, ErrorCode, type Session, type TokenPair } from '@hearth/protocol';
import { and, desc, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import { type DbOrTx, isUniqueViolation, preparedStatement } from '../../store/db';
import {
  applications,
  credentials,
  mailTokens,
  oauthClientTokens,
  oauthTokens,
  refreshTokens,
  sessions,
  userSettings,
  users,
} from '../../store/schema';
import type { Deps } from '../deps';
import { ApiError, invalidField, unauthorized } from '../errors';
import { PasswordGuard } from './password-guard';
import { burnPasswordCheck, hashPassword, verifyPassword } from './passwords';
import { SessionCache } from './session-cache';
import { type AccessClaims, AccessTokens, hashToken, newSecretToken, tokenOwner } from './tokens';

/** Who is calling: a person's session, or a bot. */
export interface Principal {
  userId: string;
  /** The session of a user token; null for bots. */
  sessionId: string | null;
  bot: boolean;
  applicationId: string | null;
  /** A bot's application flags (which privileged intents it may use), read with its token; 0 for users. */
  applicationFlags: number;
  /**
   * An OAuth client's token (Mastodon apps): the scopes it was granted and the app it was granted to. Absent for
   * Hearth's own tokens, which may do all their user may.
   */
  oauth?: { appId: string; scopes: readonly string[] };
}

/** A `client_credentials` token: an app acting for nobody. */
export interface ClientPrincipal {
  appId: string;
  scopes: readonly string[];
}

export interface ClientMeta {
  ip: string | null;
  client: string | null;
}

type MailPurpose = 'verify_email' | 'reset_password';

// last_used_at is written at most this often per session, not on every request.
const TOUCH_INTERVAL_MS = 60_000;
/** An address an account had a session from within this long is one its owner uses (see PasswordGuard). */
const KNOWN_ADDRESS_MS = 90 * 24 * 3600_000;

/** What `acceptSession` decides from: a live session's use and expiry, and whether its user is disabled. */
export interface LiveSession {
  lastUsedAt: Date;
  expiresAt: Date;
  disabled: boolean;
}

type LiveSessionJson = Record<string, unknown> | null;

/**
 * In a select list: the live session `sessionId` of user `userId` as JSON (`fromLiveSessionJson` reads it), or null
 * when there is none (revoked, expired, another user's).
 */
export function liveSessionJson(userId: unknown, sessionId: unknown) {
  return sql<LiveSessionJson>`(select json_build_object('lastUsedAt', ${sessions.lastUsedAt}, 'expiresAt', ${sessions.expiresAt}, 'disabled', ${users.disabled}) from ${sessions} join ${users} on ${users.id} = ${sessions.userId} where ${sessions.userId} = ${userId} and ${sessions.id} = ${sessionId} and ${sessions.revokedAt} is null and ${sessions.expiresAt} > now())`;
}

export function fromLiveSessionJson(json: LiveSessionJson): LiveSession | null {
  if (!json) return null;
  return {
    lastUsedAt: new Date(String(json.lastUsedAt)),
    expiresAt: new Date(String(json.expiresAt)),
    disabled: json.disabled === true,
  };
}

/** The session an access token names, if live, and whether its user is disabled: checked on every request. */
const liveSession = preparedStatement('live_session', (db) =>
  db
    .select({ lastUsedAt: sessions.lastUsedAt, expiresAt: sessions.expiresAt, disabled: users.disabled })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(
      and(
        eq(sessions.userId, sql.placeholder('userId')),
        eq(sessions.id, sql.placeholder('sessionId')),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, sql`now()`),
      ),
    ),
);

/** The live session an OAuth client's token is bound to (Mastodon clients' tokens), by owner and token hash. */
const appTokenSession = preparedStatement('app_token_session', (db) =>
  db
    .select({
      sessionId: sessions.id,
      lastUsedAt: sessions.lastUsedAt,
      expiresAt: sessions.expiresAt,
      disabled: users.disabled,
      appId: oauthTokens.appId,
      scopes: oauthTokens.scopes,
    })
    .from(oauthTokens)
    .innerJoin(sessions, and(eq(sessions.userId, oauthTokens.userId), eq(sessions.id, oauthTokens.sessionId)))
    .innerJoin(users, eq(users.id, oauthTokens.userId))
    .where(
      and(
        eq(oauthTokens.userId, sql.placeholder('userId')),
        eq(oauthTokens.tokenHash, sql.placeholder('hash')),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, sql`now()`),
      ),
    ),
);

/** A bot's application and token hash, by the bot user a token names: read on every bot request. */
const botApplication = preparedStatement('bot_application', (db) =>
  db
    .select({
      id: applications.id,
      hash: applications.botTokenHash,
      flags: applications.flags,
      disabled: users.disabled,
    })
    .from(applications)
    .innerJoin(users, eq(users.id, applications.botUserId))
    .where(eq(applications.botUserId, sql.placeholder('botUserId'))),
);

export class AuthService {
  private readonly access: AccessTokens;
  /** Sessions checked a moment ago; see SessionCache for how revocation reaches it. */
  readonly sessions = new SessionCache();
  /** Limits on guessing passwords, for login and the current-password checks alike. */
  private readonly guard: PasswordGuard;

  constructor(private readonly deps: Deps) {
    this.access = new AccessTokens(deps.secret, Durations.accessTokenSeconds);
    this.guard = new PasswordGuard(deps.limiter, deps.config.authAccountFailureLimit, (userId, ip) =>
      this.hasSessionFrom(userId, ip),
    );
  }

  /** Creates an account, its first session, and mails an email-confirmation link. */
  async register(
    input: { email: string; username: string; password: string },
    meta: ClientMeta,
  ): Promise<TokenPair> {
    const { db, ids } = this.deps;
    const passwordHash = await hashPassword(input.password);
    const userId = ids.next();
    const email = input.email.trim();
    let pair: TokenPair;
    try {
      pair = await db.transaction(async (tx) => {
        await tx.insert(users).values({ id: userId, username: input.username });
        await tx.insert(credentials).values({ userId, email, passwordHash });
        await tx.insert(userSettings).values({ userId });
        return this.openSession(tx, userId, meta);
      });
    } catch (err) {
      if (isUniqueViolation(err, 'users_username_key'))
        throw invalidField(
          ['username'],
          'USERNAME_ALREADY_TAKEN',
          'Username is unavailable. Try adding numbers, letters, underscores _ , or periods.',
        );
      if (isUniqueViolation(err, 'credentials_email_key'))
        throw invalidField(['email'], 'EMAIL_ALREADY_REGISTERED', 'Email is already registered.');
      throw err;
    }
    this.sendMailToken(userId, email, 'verify_email');
    return pair;
  }

  async login(input: { login: string; password: string }, meta: ClientMeta): Promise<TokenPair> {
    const userId = await this.checkLogin(input, meta);
    return this.deps.db.transaction((tx) => this.openSession(tx, userId, meta));
  }

  /**
   * A login for an OAuth client (Mastodon's password grant): checked under the same limits, it opens a session with no
   * refresh token that lasts `seconds`, and answers an opaque token bound to it (see `authenticate`).
   */
  async loginForApp(
    input: { login: string; password: string },
    meta: ClientMeta,
    app: { id: string; scopes: string; seconds: number },
  ): Promise<{ token: string; userId: string }> {
    const userId = await this.checkLogin(input, meta);
    return { token: await this.tokenForApp(userId, meta, app), userId };
  }

  /** The account a login and password name, checked under the login limits (the consent page's sign-in). */
  async checkCredentials(input: { login: string; password: string }, meta: ClientMeta): Promise<string> {
    return this.checkLogin(input, meta);
  }

  /**
   * Opens a session for an OAuth client on behalf of `userId` (already authenticated: a password grant or an
   * authorization code) with no refresh token, lasting `seconds`, and answers an opaque token bound to it.
   */
  async tokenForApp(
    userId: string,
    meta: ClientMeta,
    app: { id: string; scopes: string; seconds: number },
  ): Promise<string> {
    const sessionId = this.deps.ids.next();
    const { token, hash } = newSecretToken(userId);
    await this.deps.db.transaction(async (tx) => {
      await tx.insert(sessions).values({
        userId,
        id: sessionId,
        ip: meta.ip,
        client: meta.client?.slice(0, 256) ?? null,
        expiresAt: new Date(Date.now() + app.seconds * 1000),
      });
      await tx
        .insert(oauthTokens)
        .values({ userId, tokenHash: hash, sessionId, appId: app.id, scopes: app.scopes });
    });
    return token;
  }

  /** A `client_credentials` token for an app (its prefix names the app); it never expires, revoking ends it. */
  async tokenForClient(app: { id: string; scopes: string }): Promise<string> {
    const { token, hash } = newSecretToken(app.id);
    await this.deps.db
      .insert(oauthClientTokens)
      .values({ appId: app.id, tokenHash: hash, scopes: app.scopes });
    return token;
  }

  /** Resolves a `Bearer` client_credentials token; null for anything else. */
  async authenticateClient(header: string | undefined): Promise<ClientPrincipal | null> {
    if (!header) return null;
    const [scheme, rest] = splitScheme(header);
    if (scheme !== 'bearer') return null;
    const appId = tokenOwner(rest);
    if (!appId) return null;
    const [row] = await this.deps.db
      .select({ scopes: oauthClientTokens.scopes })
      .from(oauthClientTokens)
      .where(and(eq(oauthClientTokens.appId, appId), eq(oauthClientTokens.tokenHash, hashToken(rest))));
    return row ? { appId, scopes: row.scopes.split(' ') } : null;
  }

  /** Revokes the session an OAuth client's token is bound to (POST /oauth/revoke); unknown tokens are ignored. */
  async revokeAppToken(token: string, appId: string): Promise<void> {
    const userId = tokenOwner(token);
    if (!userId) return;
    const [row] = await this.deps.db
      .select({ sessionId: oauthTokens.sessionId })
      .from(oauthTokens)
      .where(
        and(
          eq(oauthTokens.userId, userId),
          eq(oauthTokens.tokenHash, hashToken(token)),
          eq(oauthTokens.appId, appId),
        ),
      );
    if (row) await this.revokeSessions(this.deps.db, userId, { only: row.sessionId });
    // A client_credentials token names its app where a user token names its user.
    if (userId === appId)
      await this.deps.db
        .delete(oauthClientTokens)
        .where(and(eq(oauthClientTokens.appId, appId), eq(oauthClientTokens.tokenHash, hashToken(token))));
  }

  private async checkLogin(input: { login: string; password: string }, meta: ClientMeta): Promise<string> {
    const row = await this.findAccount(input.login);
    const target = row
      ? { userId: row.users.id, key: `user:${row.users.id}` }
      : { userId: null, key: `login:${input.login.trim().toLowerCase()}` };
    const ok = await this.guard.check(target, meta.ip, async () => {
      if (!row) {
        await burnPasswordCheck(input.password);
        return false;
      }
      // A deactivated account (its owner's choice) may sign in, and that reactivates it; a disabled one may not.
      const usable = !row.users.disabled || row.users.status === 'inactive';
      return (await verifyPassword(row.credentials.passwordHash, input.password)) && usable;
    });
    if (!ok || !row) throw invalidLogin();
    if (row.users.status === 'inactive')
      await this.deps.db
        .update(users)
        .set({ status: 'active', disabled: false, updatedAt: new Date() })
        .where(and(eq(users.id, row.users.id), eq(users.status, 'inactive')));
    return row.users.id;
  }

  /** Rotates a refresh token. A token presented twice revokes its whole session (it was stolen or replayed). */
  async refresh(refreshToken: string, meta: ClientMeta): Promise<TokenPair> {
    const userId = tokenOwner(refreshToken);
    if (!userId) throw unauthorized();
    const hash = hashToken(refreshToken);
    const { db } = this.deps;
    const outcome = await db.transaction(async (tx) => {
      const [row] = await tx
        .select()
        .from(refreshTokens)
        .where(and(eq(refreshTokens.userId, userId), eq(refreshTokens.tokenHash, hash)))
        .for('update');
      if (!row) return { error: 'unknown' as const };
      if (row.usedAt) {
        await this.revokeSessions(tx, userId, { only: row.sessionId });
        return { error: 'reused' as const };
      }
      const [session] = await tx
        .select()
        .from(sessions)
        .where(and(eq(sessions.userId, userId), eq(sessions.id, row.sessionId)));
      const now = new Date();
      if (!session || session.revokedAt || session.expiresAt <= now || row.expiresAt <= now)
        return { error: 'expired' as const };
      await tx
        .update(refreshTokens)
        .set({ usedAt: now })
        .where(and(eq(refreshTokens.userId, userId), eq(refreshTokens.tokenHash, hash)));
      const [user] = await tx.select({ disabled: users.disabled }).from(users).where(eq(users.id, userId));
      if (!user || user.disabled) return { error: 'expired' as const };
      return { pair: await this.issueTokens(tx, userId, session.id, meta) };
    });
    if ('error' in outcome) {
      if (outcome.error === 'reused') {
        // Again after commit: a check racing the transaction may have read the session as live.
        this.sessions.forget(userId);
        this.deps.log.warn({ userId }, 'refresh token reused: session revoked');
      }
      throw unauthorized();
    }
    return outcome.pair;
  }

  async logout(principal: Principal): Promise<void> {
    if (!principal.sessionId) return;
    await this.revokeSessions(this.deps.db, principal.userId, { only: principal.sessionId });
  }

  async listSessions(principal: Principal): Promise<Session[]> {
    const rows = await this.deps.db
      .select()
      .from(sessions)
      .where(
        and(
          eq(sessions.userId, principal.userId),
          isNull(sessions.revokedAt),
          gt(sessions.expiresAt, new Date()),
        ),
      )
      .orderBy(desc(sessions.lastUsedAt));
    return rows.map((s) => ({
      id: s.id,
      client: s.client,
      ip: s.ip,
      created_at: s.createdAt.toISOString(),
      last_used_at: s.lastUsedAt.toISOString(),
      current: s.id === principal.sessionId,
    }));
  }

  async revokeSession(principal: Principal, sessionId: string): Promise<void> {
    const revoked = await this.revokeSessions(this.deps.db, principal.userId, { only: sessionId });
    if (!revoked) throw new ApiError(404, ErrorCode.UnknownSession, 'Unknown Session');
  }

  async verifyEmail(token: string): Promise<void> {
    const row = await this.useMailToken(token, 'verify_email', async (tx, t) => {
      // Only the address the link was sent to is confirmed; a changed email needs a new link.
      await tx
        .update(credentials)
        .set({ emailVerified: true })
        .where(and(eq(credentials.userId, t.userId), sql`lower(${credentials.email}) = lower(${t.email})`));
    });
    if (!row) throw invalidField(['token'], 'INVALID_TOKEN', 'This link is invalid or has expired.');
    this.deps.events.publish('USER_UPDATE', Topic.user(row.userId), { id: row.userId, verified: true });
  }

  async resendVerification(principal: Principal): Promise<void> {
    const [cred] = await this.deps.db
      .select()
      .from(credentials)
      .where(eq(credentials.userId, principal.userId));
    if (!cred) throw new ApiError(403, ErrorCode.InvalidAccountType, 'Bots have no email to confirm');
    if (cred.emailVerified) return;
    this.sendMailToken(principal.userId, cred.email, 'verify_email');
  }

  /** Mails a reset link when the account exists. Answers the same, in the same time, whether or not it does. */
  async forgot(login: string): Promise<void> {
    const row = await this.findAccount(login);
    if (row && !row.users.disabled) this.sendMailToken(row.users.id, row.credentials.email, 'reset_password');
  }

  /** Sets a new password from a reset link and signs out every session. */
  async reset(token: string, password: string): Promise<void> {
    const passwordHash = await hashPassword(password);
    const row = await this.useMailToken(token, 'reset_password', async (tx, t) => {
      await tx
        .update(credentials)
        .set({ passwordHash, passwordChangedAt: new Date() })
        .where(eq(credentials.userId, t.userId));
      await this.expireMailTokens(tx, t.userId, 'reset_password');
      await this.revokeSessions(tx, t.userId, {});
    });
    if (!row) throw invalidField(['token'], 'INVALID_TOKEN', 'This link is invalid or has expired.');
    this.sessions.forget(row.userId);
  }

  /** Changes the password of a logged-in user after checking the current one; other sessions are signed out. */
  async changePassword(
    principal: Principal,
    current: string,
    next: string,
    ip: string | null,
  ): Promise<void> {
    await this.confirmPassword(principal.userId, current, ip);
    const passwordHash = await hashPassword(next);
    await this.deps.db.transaction(async (tx) => {
      await tx
        .update(credentials)
        .set({ passwordHash, passwordChangedAt: new Date() })
        .where(eq(credentials.userId, principal.userId));
      await this.expireMailTokens(tx, principal.userId, 'reset_password');
      await this.revokeSessions(tx, principal.userId, { except: principal.sessionId ?? undefined });
    });
    this.sessions.forget(principal.userId);
  }

  /** Checks the current password (for changes that need it, such as email), under the login limits. */
  async confirmPassword(userId: string, password: string, ip: string | null): Promise<void> {
    const [cred] = await this.deps.db.select().from(credentials).where(eq(credentials.userId, userId));
    if (!cred) throw new ApiError(403, ErrorCode.InvalidAccountType, 'Bots have no password');
    const ok = await this.guard.check({ userId, key: `user:${userId}` }, ip, () =>
      verifyPassword(cred.passwordHash, password),
    );
    if (!ok) throw invalidField(['password'], 'PASSWORD_DOES_NOT_MATCH', 'Password does not match.');
  }

  /**
   * Resolves an Authorization header value: `Bot <token>`, `Bearer <token>` or a bare access token.
   * A revoked session fails at once: every call checks the session row, not only the token's expiry.
   */
  async authenticate(header: string | undefined): Promise<Principal | null> {
    if (!header) return null;
    const [scheme, rest] = splitScheme(header);
    if (scheme === 'bot') return this.authenticateBot(rest);
    const token = scheme === 'bearer' ? rest : header.trim();
    const principal = this.userPrincipal(token);
    if (!principal) return this.authenticateAppToken(token);
    const { userId, sessionId } = principal;
    if (this.sessions.has(userId, sessionId)) return principal;
    const started = this.sessions.begin();
    const [row] = await liveSession(this.deps.db).execute({ userId, sessionId });
    return this.acceptSession(principal, row ?? null, started) ? principal : null;
  }

  /**
   * A user access token (no scheme) checked as far as it can be without the database: signature and expiry. Whoever
   * takes it must confirm the session it names with `acceptSession`, from `liveSessionJson` read in their own
   * statement (the gateway's IDENTIFY reads it with the session's data). Null for anything else.
   */
  userPrincipal(token: string): (Principal & { sessionId: string }) | null {
    const claims = this.access.verify(token);
    if (!claims) return null;
    const { userId, sessionId } = claims;
    return { userId, sessionId, bot: false, applicationId: null, applicationFlags: 0 };
  }

  /**
   * Whether the session read for `user` (null: none live) lets them in. A live session's use is recorded at most
   * once a minute, and this process trusts it for a few seconds (see SessionCache); `started` is
   * `sessions.begin()` from before the read.
   */
  acceptSession(user: AccessClaims, live: LiveSession | null, started: number): boolean {
    if (!live || live.disabled) return false;
    if (Date.now() - live.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
      this.deps.db
        .update(sessions)
        .set({ lastUsedAt: new Date() })
        .where(and(eq(sessions.userId, user.userId), eq(sessions.id, user.sessionId)))
        .catch((err) => this.deps.log.warn({ err }, 'could not record session use'));
    }
    this.sessions.remember(started, user.userId, user.sessionId, live.expiresAt);
    return true;
  }

  /** An OAuth client's opaque token: found by its owner and hash, valid while the session it is bound to is live. */
  private async authenticateAppToken(token: string): Promise<Principal | null> {
    const userId = tokenOwner(token);
    if (!userId) return null;
    const started = this.sessions.begin();
    const [row] = await appTokenSession(this.deps.db).execute({ userId, hash: hashToken(token) });
    if (!row) return null;
    const principal = {
      userId,
      sessionId: row.sessionId,
      bot: false,
      applicationId: null,
      applicationFlags: 0,
      oauth: { appId: row.appId, scopes: row.scopes.split(' ') },
    };
    if (this.sessions.has(userId, row.sessionId)) return principal;
    return this.acceptSession(principal, row, started) ? principal : null;
  }

  /** Bot tokens name their bot user, so the lookup is by key and the hash comparison is exact. */
  private async authenticateBot(token: string): Promise<Principal | null> {
    const botUserId = tokenOwner(token);
    if (!botUserId) return null;
    const [app] = await botApplication(this.deps.db).execute({ botUserId });
    if (!app || app.disabled || !app.hash || app.hash !== hashToken(token)) return null;
    return {
      userId: botUserId,
      sessionId: null,
      bot: true,
      applicationId: app.id,
      applicationFlags: app.flags,
    };
  }

  /** What the per-account rate limit counts against: the account a login names, else the login text itself. */
  async rateLimitKey(login: string): Promise<string> {
    const row = await this.findAccount(login);
    return row ? `user:${row.users.id}` : `login:${login.trim().toLowerCase()}`;
  }

  /** Whether `userId` has had a session from `ip` in the last 90 days: an address the owner uses. */
  private async hasSessionFrom(userId: string, ip: string): Promise<boolean> {
    const [row] = await this.deps.db
      .select({ id: sessions.id })
      .from(sessions)
      .where(
        and(
          eq(sessions.userId, userId),
          eq(sessions.ip, ip),
          gt(sessions.lastUsedAt, new Date(Date.now() - KNOWN_ADDRESS_MS)),
        ),
      )
      .limit(1);
    return row !== undefined;
  }

  private async findAccount(login: string) {
    const value = login.trim();
    const byEmail = value.includes('@');
    const [row] = await this.deps.db
      .select()
      .from(users)
      .innerJoin(credentials, eq(credentials.userId, users.id))
      .where(
        byEmail
          ? sql`lower(${credentials.email}) = lower(${value})`
          : sql`lower(${users.username}) = lower(${value})`,
      );
    return row ?? null;
  }

  private async openSession(tx: DbOrTx, userId: string, meta: ClientMeta): Promise<TokenPair> {
    const sessionId = this.deps.ids.next();
    await tx.insert(sessions).values({
      userId,
      id: sessionId,
      ip: meta.ip,
      client: meta.client?.slice(0, 256) ?? null,
      expiresAt: new Date(Date.now() + Durations.refreshTokenSeconds * 1000),
    });
    return this.issueTokens(tx, userId, sessionId, meta);
  }

  private async issueTokens(
    tx: DbOrTx,
    userId: string,
    sessionId: string,
    meta: ClientMeta,
  ): Promise<TokenPair> {
    const refresh = newSecretToken(userId);
    const expiresAt = new Date(Date.now() + Durations.refreshTokenSeconds * 1000);
    await tx.insert(refreshTokens).values({ userId, tokenHash: refresh.hash, sessionId, expiresAt });
    // A session lives as long as its newest refresh token.
    await tx
      .update(sessions)
      .set({ lastUsedAt: new Date(), expiresAt, ip: meta.ip })
      .where(and(eq(sessions.userId, userId), eq(sessions.id, sessionId)));
    return {
      user_id: userId,
      token: this.access.sign({ userId, sessionId }),
      refresh_token: refresh.token,
      expires_in: Durations.accessTokenSeconds,
    };
  }

  /** Revokes every session of `userId` in `tx` (the account was deactivated or deleted); gateways drop them. */
  async revokeAll(tx: DbOrTx, userId: string): Promise<void> {
    await this.revokeSessions(tx, userId, {});
  }

  /** Revokes one session, all but one, or all; returns how many were live. Tells gateways to drop them. */
  private async revokeSessions(
    tx: DbOrTx,
    userId: string,
    which: { only?: string; except?: string },
  ): Promise<number> {
    const conditions = [eq(sessions.userId, userId), isNull(sessions.revokedAt)];
    if (which.only) conditions.push(eq(sessions.id, which.only));
    if (which.except) conditions.push(ne(sessions.id, which.except));
    const revoked = await tx
      .update(sessions)
      .set({ revokedAt: new Date() })
      .where(and(...conditions))
      .returning({ id: sessions.id });
    this.sessions.forget(userId);
    if (revoked.length) {
      this.deps.events.publish('SESSIONS_REVOKED', Topic.user(userId), {
        session_ids: revoked.map((r) => r.id),
      });
    }
    return revoked.length;
  }

  private sendMailToken(userId: string, email: string, purpose: MailPurpose): void {
    const { db, config, mailer, log } = this.deps;
    const { token, hash } = newSecretToken(userId);
    const ttl =
      purpose === 'verify_email' ? Durations.emailVerificationSeconds : Durations.passwordResetSeconds;
    const message =
      purpose === 'verify_email'
        ? {
            subject: 'Confirm your Hearth account',
            text: `Welcome to Hearth!\n\nConfirm your email address by opening this link within 24 hours:\n\n${config.publicUrl}/verify#token=${token}\n\nIf you did not create an account, ignore this message.\n`,
          }
        : {
            subject: 'Reset your Hearth password',
            text: `Someone asked to reset the password of your Hearth account.\n\nOpen this link within one hour to choose a new password:\n\n${config.publicUrl}/reset-password#token=${token}\n\nIf it was not you, ignore this message; your password is unchanged.\n`,
          };
    // Sent in the background: the answer must not depend on mail delivery (or reveal whether an account exists).
    (async () => {
      await db.insert(mailTokens).values({
        tokenHash: hash,
        userId,
        purpose,
        email,
        expiresAt: new Date(Date.now() + ttl * 1000),
      });
      await mailer.send({ to: email, ...message });
    })().catch((err) => log.error({ err, purpose }, 'could not send mail'));
  }

  /** Marks a single-use mail token used and runs `apply` in the same transaction; null if invalid. */
  private async useMailToken(
    token: string,
    purpose: MailPurpose,
    apply: (tx: DbOrTx, row: typeof mailTokens.$inferSelect) => Promise<void>,
  ) {
    const hash = hashToken(token);
    return this.deps.db.transaction(async (tx) => {
      const [row] = await tx
        .update(mailTokens)
        .set({ usedAt: new Date() })
        .where(
          and(
            eq(mailTokens.tokenHash, hash),
            eq(mailTokens.purpose, purpose),
            isNull(mailTokens.usedAt),
            gt(mailTokens.expiresAt, new Date()),
          ),
        )
        .returning();
      if (!row) return null;
      await apply(tx, row);
      return row;
    });
  }

  /** Voids a user's unused mail tokens of one purpose (after a password change, old reset links must die). */
  private async expireMailTokens(tx: DbOrTx, userId: string, purpose: MailPurpose): Promise<void> {
    await tx
      .update(mailTokens)
      .set({ usedAt: new Date() })
      .where(and(eq(mailTokens.userId, userId), eq(mailTokens.purpose, purpose), isNull(mailTokens.usedAt)));
  }
}

function invalidLogin(): ApiError {
  return new ApiError(400, ErrorCode.InvalidFormBody, 'Invalid Form Body', {
    login: { _errors: [{ code: 'INVALID_LOGIN', message: 'Login or password is invalid.' }] },
    password: { _errors: [{ code: 'INVALID_LOGIN', message: 'Login or password is invalid.' }] },
  });
}

function splitScheme(header: string): [string, string] {
  const space = header.indexOf(' ');
  if (space < 0) return ['', header];
  return [header.slice(0, space).toLowerCase(), header.slice(space + 1).trim()];
}
