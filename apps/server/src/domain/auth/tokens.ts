import { createHash, randomBytes, webcrypto } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';

/** An opaque secret and the hash we store of it. Tokens are prefixed with their owner's id for keyed lookup. */
export function newSecretToken(ownerId: string): { token: string; hash: string } {
  const token = `${Buffer.from(ownerId).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** The owner id a token from newSecretToken names, or null when it has no valid prefix. */
export function tokenOwner(token: string): string | null {
  const dot = token.indexOf('.');
  if (dot <= 0) return null;
  const id = Buffer.from(token.slice(0, dot), 'base64url').toString();
  return /^[0-9]{1,20}$/.test(id) ? id : null;
}

export interface AccessClaims {
  userId: string;
  sessionId: string;
}

export class AccessTokens {
  /** Imported once: jose would import a raw key again for every token (a third of a verification's time). */
  private readonly key: Promise<CryptoKey>;
  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    this.key = webcrypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    );
  }

  async sign(claims: AccessClaims): Promise<string> {
    return new SignJWT({ sid: claims.sessionId })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.userId)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(await this.key);
  }

  /** The claims of a valid, unexpired token; null for anything else. */
  async verify(token: string): Promise<AccessClaims | null> {
    try {
      const { payload } = await jwtVerify(token, await this.key, { algorithms: ['HS256'] });
      if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') return null;
      return { userId: payload.sub, sessionId: payload.sid };
    } catch {
      return null;
    }
  }
}
